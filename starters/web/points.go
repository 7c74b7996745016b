package web

import (
	"net/http"
	"strings"

	"github.com/gofly-framework/gofly/extension"
)

// Endpoint is one route of the server: a ServeMux pattern and the handler
// that serves the requests matching it. It is the type of the [Routes]
// extension point. Build one with [Route] (a func handler: http.HandlerFunc(f)) or [Mount], or
// implement it on a type of your own (a struct holding its dependencies).
type Endpoint interface {
	// Pattern is a Go 1.22 ServeMux pattern: [METHOD ][HOST]/[PATH], with
	// {name} and {name...} wildcards and {$} for an exact match:
	// "GET /hello/{name}", "POST /items", "/static/".
	Pattern() string
	// Handler serves the requests that match Pattern.
	Handler() http.Handler
}

// MiddlewareFunc wraps a handler in another: logging, authentication,
// compression, CORS ... It is the type of the [Middleware] extension point.
type MiddlewareFunc func(http.Handler) http.Handler

// The web starter's extension points. Their ids are "web.routes" and
// "web.middleware". The starter declares both in the app's registry; plugins
// contribute with plugins.Extend, other fx options with extension.Contribute:
//
//	plugins.New("hello", plugins.Extend(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(hello)), 0))
//	extension.Contribute(web.Middleware, web.MiddlewareFunc(logRequests), 100)
var (
	// Routes holds the application's routes. Their order does not matter to
	// the routing (ServeMux picks the most specific pattern); two patterns
	// that conflict (match the same requests with equal precedence) fail the
	// server's start with an error naming both.
	Routes = extension.NewPoint[Endpoint]("web.routes",
		extension.Description("HTTP routes: a ServeMux pattern and its handler"))

	// Middleware holds the middleware wrapped around the application's
	// routes, ordered by priority: the highest priority is the outermost
	// (it sees the request first and the response last); equal priorities
	// keep registration order, the earlier one outside.
	Middleware = extension.NewPoint[MiddlewareFunc]("web.middleware",
		extension.Description("HTTP middleware around the routes; highest priority outermost"))
)

// route is the Endpoint made by Route and Mount.
type route struct {
	pattern string
	h       http.Handler
	mounted http.Handler // Mount's handler before StripPrefix, for descriptions
}

func (r route) Pattern() string       { return r.pattern }
func (r route) Handler() http.Handler { return r.h }

// String returns the pattern, as the admin endpoints show the route.
func (r route) String() string { return r.pattern }

// Route returns the Endpoint serving pattern with h. The pattern is checked
// when the server starts: an invalid one, or one that conflicts with another
// route, fails the start with an error naming the patterns.
func Route(pattern string, h http.Handler) Endpoint { return route{pattern: pattern, h: h} }

// Mount returns the Endpoint that serves every request under prefix with h,
// with prefix stripped from the request path (http.StripPrefix): a router of
// its own, or a file server, mounted at "/api" or "GET /static". prefix is a
// pattern without trailing slash: Mount("/api", h) serves "/api/" and
// everything below it, and h sees "/users" for "/api/users".
func Mount(prefix string, h http.Handler) Endpoint {
	prefix = strings.TrimRight(prefix, "/")
	if h == nil {
		return route{pattern: prefix + "/"}
	}
	return route{pattern: prefix + "/", h: http.StripPrefix(patternPath(prefix), h), mounted: h}
}
