// Package web is gofly's web starter: an HTTP server on net/http and Go's
// ServeMux patterns, started and stopped with the application, whose routes
// and middleware are extension points that plugins and fx options contribute
// to, with Kubernetes probes and optional admin endpoints.
//
// # Using it
//
// One import and one option:
//
//	gofly.Run(web.Starter(),
//		plugins.New("hello",
//			plugins.Extend(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(hello)), 0)),
//	)
//
// With plugins off, fx options contribute the same way:
//
//	extension.Contribute(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(hello)), 0)
//
// The app then serves on web.address (default 127.0.0.1:8080). *[Server] is
// in the graph: [Server.Addr] gives the bound address (127.0.0.1:0 picks a
// free port, which tests use; "http://" + srv.Addr() is its URL).
//
// # Configuration
//
// The web starter is configured by the web.* keys of application.yaml, bound
// strictly: an unknown key, a value of the wrong type or an invalid value is
// a *kernel.ConfigError (class kernel.ErrConfig) naming the key and its
// source. Every key has a default, the starter's default properties, below
// application.yaml, profile files and GOFLY_WEB_ variables, so an application
// sets only what it changes. Every key, with its default:
//
//	web:
//	  enabled: true                # false leaves the starter out of the app (the condition report says so)
//	  address: 127.0.0.1:8080      # host:port; ":8080" or "0.0.0.0:8080" listen on every interface; port 0 picks a free port
//	  read-timeout: 30s            # reading a whole request, body included (0: none)
//	  read-header-timeout: 10s     # reading the request headers (0: read-timeout)
//	  write-timeout: 30s           # writing a response, from the end of the request headers (0: none)
//	  idle-timeout: 2m             # a keep-alive connection waiting for its next request (0: read-timeout)
//	  shutdown-timeout: 15s        # graceful stop, also bounded by the app's stop timeout (0: the app's only)
//	  probes:
//	    enabled: true              # /livez and /readyz, independent of the admin endpoints
//	    liveness-path: /livez      # 200 while the process serves
//	    readiness-path: /readyz    # 200 once the app started and every plugin is STARTED or DISABLED, else 503
//	  admin:
//	    enabled: false             # the JSON and HTML admin endpoints; off by default
//	    path: /admin               # absolute, no trailing slash, not "/"
//	    token: ${ADMIN_TOKEN}      # bearer token (no default); required when address is not a loopback address
//
// Durations are Go durations ("30s", "2m"); a bare number or a negative one is
// an error. Paths are plain absolute paths (letters, digits, - _ . ~ /; no
// wildcards); a trailing slash is dropped; the two probes need different
// paths, and with the admin endpoints on, neither may lie under the admin
// path. Give the token through a placeholder, as above, rather than in the
// file.
//
// # Routes and middleware
//
// [Routes] is a point of [Endpoint]: a ServeMux pattern ("GET /hello/{name}",
// "POST /items", "/static/") and its handler; [Route] and
// [Mount] build one. [Middleware] is a point of [MiddlewareFunc], ordered by
// priority: the highest priority is the outermost. Both are read when the
// server starts, from the registry the plugins were added to, and again
// whenever a plugin is added to or removed from the manager while the server
// runs. Two routes whose patterns conflict (ServeMux would panic) fail the
// start with an error of class kernel.ErrExtension naming both patterns,
// their handlers and priorities; so does a route on a path the starter
// serves itself (the probes, the admin subtree).
//
// Middleware wraps the application's routes, including their 404 and 405
// answers, but not the probes nor the admin endpoints: a probe must answer
// without the application's authentication, and the admin endpoints check
// their own token.
//
// # Probes
//
// With web.probes.enabled (the default), GET /livez answers 200 while the
// process serves, and GET /readyz answers 200 only when the app has started
// and every plugin (when plugins are on) is STARTED or DISABLED; otherwise 503
// with a JSON body listing the reasons (phases, plugin ids and states, never
// error texts: the probes are not authenticated). The gofly facade keeps the
// app's phase: started from the app's last OnStart hook, stopping from its
// first OnStop hook, so /readyz turns ready after the server and every plugin
// started and unready before anything stops. A server built without the
// facade ([NewServer], or [Module] in an fx app assembled by hand) counts the
// app as started from its own Start to its Stop.
//
// # Admin endpoints
//
// Off by default. With web.admin.enabled, under web.admin.path (default
// /admin):
//
//	GET /admin             an HTML page showing all of the below to a person
//	GET /admin/health      liveness, readiness and its reasons, plugin states, the server's address
//	GET /admin/plugins     plugins: versions, states, dependencies, failure reasons, start order, filter decisions
//	GET /admin/extensions  extension points and their extensions, highest priority first
//	GET /admin/conditions  the condition report (autoconfig.Report as JSON)
//	GET /admin/graph.dot   the plugin dependency graph for Graphviz
//	GET /admin/graph.mmd   the same as a Mermaid flowchart
//
// When web.address is not a loopback address, web.admin.token is required
// (the app fails to build without it) and every admin request must carry
// "Authorization: Bearer <token>" (401 otherwise; compared in constant time).
// On a loopback address the token is optional and checked when set. No output
// carries configuration values: the token prints as "[redacted]" in logs,
// %v, %#v and JSON, and the condition report names keys and sources only.
//
// # Lifecycle
//
// The server opens its listener in its OnStart hook, so an address in use
// fails the start (a *kernel.ConfigError for web.address, explained by the
// starter's failure analyzer), and serves in a goroutine. Its OnStop hook
// shuts down gracefully: requests in flight finish within
// web.shutdown-timeout and the app's stop timeout; then their connections are
// closed, which cancels their requests' contexts. Long-lived handlers (long
// polling, server-sent events, websockets) should watch r.Context() and bound
// themselves, or the stop waits for the deadline.
//
// # Caveats
//
//   - The server needs an *extension.Registry. The facade provides one when
//     plugins are on, and, with plugins off, when extension.enabled is true,
//     which the starter sets among its defaults.
//   - Routes are read at start and when the plugin manager adds or removes a
//     plugin, not on every change of the registry: an extension added to the
//     registry by hand at run time is served only from the next plugin
//     change on. To bring routes at run time, add a plugin that contributes
//     them.
//   - A handler that never returns outlives Stop: after the shutdown deadline
//     its connection is closed, but its goroutine is the handler's own.
//   - A route more specific than the admin subtree but outside it, such as
//     "GET /{x}/plugins", is shadowed for /admin/plugins: the starter's paths
//     are decided before the application's mux is consulted.
package web
