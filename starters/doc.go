// Package starters is the home of gofly's starters: ready bundles that bring
// a capability into an application with one import and one option, with
// sensible defaults that application.yaml can override key by key.
//
// # What a starter is
//
// A starter is an [autoconfig.AutoConfig]: a named set of fx options guarded
// by conditions, with default properties that sit below every layer of
// configuration the user controls. Pass it to the gofly facade like any other
// option:
//
//	gofly.Run(web.Starter(), plugins.New("hello", ...))
//
// The facade loads the starter's defaults under application.yaml, evaluates
// its conditions once the configuration is loaded, and applies its fx options
// after the user's own when they match. The condition report (debug: true or
// --debug) says why each starter joined the application or not.
//
// # The starters
//
//   - [github.com/gofly-framework/gofly/starters/web]: an HTTP server
//     (net/http and Go's ServeMux patterns) started and stopped with the
//     application, extension points for routes and middleware, Kubernetes
//     probes and admin endpoints.
//
// # Writing your own
//
// docs/starters.md walks through writing a starter, from the settings struct
// bound strictly under its own key to the auto-configuration and its tests.
//
// [autoconfig.AutoConfig]: https://pkg.go.dev/github.com/gofly-framework/gofly/autoconfig#AutoConfig
package starters
