package web

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// dispatch is the root handler: the probe paths and the admin subtree go to
// the starter's own handlers, everything else to the routes wrapped in their
// middleware. Deciding by path keeps the starter's endpoints out of the
// application's middleware (a probe must answer without the app's
// authentication; the admin endpoints check their own token) and costs two
// string comparisons per request.
type dispatch struct {
	app       http.Handler
	live      string // "" when the probes are off
	ready     string
	probes    *probes
	adminPath string // "" when the admin endpoints are off
	admin     http.Handler
}

func (d *dispatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if d.live != "" && (p == d.live || p == d.ready) {
		d.probes.serve(w, r, p == d.live)
		return
	}
	if d.adminPath != "" && under(p, d.adminPath) {
		d.admin.ServeHTTP(w, r)
		return
	}
	d.app.ServeHTTP(w, r)
}

// build reads the routes and middleware from the registry and returns the
// root handler.
func (s *Server) build() (http.Handler, error) {
	mux := http.NewServeMux()
	type done struct {
		pattern string
		entry   extension.Entry
	}
	var added []done
	for _, e := range s.reg.Entries(Routes.ID()) {
		ep, ok := e.Value.(Endpoint)
		if !ok { // cannot happen: the point is declared with type Endpoint
			return nil, routeError(kernel.ErrNotImplemented, e, fmt.Sprintf("web route %s is a %T, not a web.Endpoint", describe(e), e.Value), nil)
		}
		pattern, h := ep.Pattern(), ep.Handler()
		if isNilHandler(h) {
			return nil, routeError(kernel.ErrNotImplemented, e, fmt.Sprintf(
				"web route %q (%s) has no handler: give web.Route a non-nil http.Handler", pattern, describe(e)), nil)
		}
		if err := s.checkReserved(pattern, e); err != nil {
			return nil, err
		}
		if err := handle(mux, pattern, h); err != nil {
			if err := handle(http.NewServeMux(), pattern, h); err != nil {
				return nil, routeError(kernel.ErrExtension, e, fmt.Sprintf(
					"web route %q (%s) is not a valid ServeMux pattern: write it as [METHOD ][HOST]/[PATH], e.g. \"GET /hello/{name}\"",
					pattern, describe(e)), err)
			}
			for _, d := range added {
				m := http.NewServeMux()
				m.Handle(d.pattern, http.NotFoundHandler())
				if cerr := handle(m, pattern, h); cerr != nil {
					return nil, routeError(kernel.ErrExtension, e, fmt.Sprintf(
						"web routes %q (%s) and %q (%s) conflict: %s: change one of the patterns or remove one of the routes",
						d.pattern, describe(d.entry), pattern, describe(e), conflictReason(cerr)), nil)
				}
			}
			return nil, routeError(kernel.ErrExtension, e, fmt.Sprintf("web route %q (%s) cannot be added", pattern, describe(e)), err)
		}
		added = append(added, done{pattern: pattern, entry: e})
	}

	var app http.Handler = mux
	mws := s.reg.Entries(Middleware.ID())
	for i := len(mws) - 1; i >= 0; i-- {
		mw, _ := mws[i].Value.(MiddlewareFunc)
		next := mw(app)
		if isNilHandler(next) {
			return nil, &kernel.ExtensionError{
				Class: kernel.ErrNotImplemented, PointID: Middleware.ID(), PointType: reflect.TypeFor[MiddlewareFunc]().String(),
				ExtensionType: describe(mws[i]),
				Msg: fmt.Sprintf("web middleware %s returned a nil handler: a middleware must return the handler that wraps next",
					describe(mws[i])),
			}
		}
		app = next
	}

	d := &dispatch{app: app}
	if s.settings.Probes.Enabled {
		d.live, d.ready = s.settings.Probes.LivenessPath, s.settings.Probes.ReadinessPath
		d.probes = &probes{s: s}
	}
	if s.settings.Admin.Enabled {
		d.adminPath = s.settings.Admin.Path
		d.admin = newAdmin(s)
	}
	return d, nil
}

// checkReserved refuses routes on the paths the starter's own endpoints take:
// they would never be reached.
func (s *Server) checkReserved(pattern string, e extension.Entry) error {
	path := patternPath(pattern)
	if path == "" {
		return nil // not a pattern; the mux says why
	}
	var owner, key string
	switch {
	case s.settings.Probes.Enabled && path == s.settings.Probes.LivenessPath:
		owner, key = "the liveness probe", "web.probes.liveness-path"
	case s.settings.Probes.Enabled && path == s.settings.Probes.ReadinessPath:
		owner, key = "the readiness probe", "web.probes.readiness-path"
	case s.settings.Admin.Enabled && under(strings.TrimSuffix(path, "{$}"), s.settings.Admin.Path):
		owner, key = "the admin endpoints", "web.admin.path"
	default:
		return nil
	}
	return routeError(kernel.ErrExtension, e, fmt.Sprintf(
		"web route %q (%s) takes a path of %s, which the web starter serves itself: change the route's pattern or set %s",
		pattern, describe(e), owner, key), nil)
}

// patternPath returns the path of a ServeMux pattern ([METHOD ][HOST]/[PATH]),
// or "" when it has none.
func patternPath(pattern string) string {
	rest := pattern
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		rest = strings.TrimLeft(rest[i+1:], " \t")
	}
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[j:]
	}
	return ""
}

// handle registers pattern on mux, turning ServeMux's panic into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// conflictReason keeps the explanation of ServeMux's conflict message, without
// the "registered at" file positions, which point into this package.
func conflictReason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, ":\n"); ok {
		msg = after
	}
	return strings.TrimSpace(strings.ReplaceAll(msg, "\n", " "))
}

func routeError(class error, e extension.Entry, msg string, cause error) error {
	return &kernel.ExtensionError{
		Class: class, PointID: Routes.ID(), PointType: reflect.TypeFor[Endpoint]().String(),
		ExtensionType: fmt.Sprintf("%T", e.Value), Msg: msg, Err: cause,
	}
}

// describe names an extension for messages and the admin endpoints: a route's
// handler function, a middleware's function, or the value's type, with its
// priority. It never formats the value itself, which may hold secrets.
func describe(e extension.Entry) string {
	return fmt.Sprintf("%s, priority %d", describeValue(e.Value), e.Priority)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case route:
		if x.mounted != nil {
			return "handler " + describeHandler(x.mounted)
		}
		return "handler " + describeHandler(x.h)
	case MiddlewareFunc:
		return funcName(x)
	}
	if reflect.TypeOf(v).Kind() == reflect.Func {
		return funcName(v)
	}
	return fmt.Sprintf("%T", v)
}

func describeHandler(h http.Handler) string {
	if f, ok := h.(http.HandlerFunc); ok {
		return funcName(f)
	}
	if h == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T", h)
}

func funcName(f any) string {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func || v.IsNil() {
		return fmt.Sprintf("%T", f)
	}
	if fn := runtime.FuncForPC(v.Pointer()); fn != nil {
		return fn.Name()
	}
	return v.Type().String()
}

func isNilHandler(h http.Handler) bool {
	if h == nil {
		return true
	}
	v := reflect.ValueOf(h)
	switch v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Interface, reflect.Chan, reflect.Slice:
		return v.IsNil()
	}
	return false
}
