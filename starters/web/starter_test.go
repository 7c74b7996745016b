package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

func TestRoutesFromTwoPlugins(t *testing.T) {
	hello := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "hello, %s", r.PathValue("name")) }
	srv := startApp(t, pluginsOn,
		plugins.New("greeter", plugins.Version("1.0.0"),
			plugins.Extend(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(hello)), 0)),
		plugins.New("shop", plugins.DependsOn("greeter", ">=1.0.0"),
			plugins.Extend(web.Routes, web.Route("POST /items", text("created")), 10),
			plugins.Extend(web.Routes, web.Mount("/api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "api saw "+r.URL.Path)
			})), 0)),
	)
	require.NotEmpty(t, srv.Addr())
	require.NotEqual(t, "127.0.0.1:0", srv.Addr(), "Addr is the bound address")
	c := newClient(t)

	for _, tc := range []struct {
		desc, method, path string
		code               int
		body               string
	}{
		{desc: "first plugin, with a wildcard", method: http.MethodGet, path: "/hello/gopher", code: 200, body: "hello, gopher"},
		{desc: "second plugin", method: http.MethodPost, path: "/items", code: 200, body: "created"},
		{desc: "mounted router sees the stripped path", method: http.MethodGet, path: "/api/users/7", code: 200, body: "api saw /users/7"},
		{desc: "wrong method", method: http.MethodGet, path: "/items", code: 405},
		{desc: "unknown path", method: http.MethodGet, path: "/nothing", code: 404},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			code, body, _ := do(t, c, tc.method, "http://"+srv.Addr()+tc.path)
			assert.Equal(t, tc.code, code)
			if tc.body != "" {
				assert.Equal(t, tc.body, body)
			}
		})
	}
}

func TestRoutesFromFxOptionsWithoutPlugins(t *testing.T) {
	var reg *extension.Registry
	srv := startApp(t, loopback,
		extension.Contribute(web.Routes, web.Route("GET /ping", http.HandlerFunc(text("pong"))), 0),
		fx.Populate(&reg),
	)
	code, body := get(t, newClient(t), "http://"+srv.Addr()+"/ping")
	assert.Equal(t, 200, code)
	assert.Equal(t, "pong", body)
	assert.True(t, reg.HasPoint(web.Routes.ID()))
	assert.True(t, reg.HasPoint(web.Middleware.ID()))
}

// The facade provides the registry when plugins are off and the starter asks
// for one (extension.enabled: true among its defaults).
func TestRoutesWithoutPluginsNorRegistry(t *testing.T) {
	a, err := goflytest.Assemble(t, loopback, web.Starter(),
		extension.Contribute(web.Routes, web.Route("GET /ping", http.HandlerFunc(text("pong"))), 0))
	require.NoError(t, err)
	o, ok := a.Report.Find(autoconfig.ExtensionName)
	require.True(t, ok)
	require.Equal(t, autoconfig.StateMatched, o.State, "the facade provides the registry the starter asks for")
	srv := startApp(t, loopback, extension.Contribute(web.Routes, web.Route("GET /ping", http.HandlerFunc(text("pong"))), 0))
	code, body := get(t, newClient(t), "http://"+srv.Addr()+"/ping")
	assert.Equal(t, 200, code)
	assert.Equal(t, "pong", body)
}

func TestNoRegistryIsExplained(t *testing.T) {
	app := fx.New(fx.NopLogger, fx.Supply(kernel.EmptyConfig()), web.Module, fx.Invoke(func(*web.Server) {}))
	err := app.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	var ce *kernel.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "extension.enabled", ce.Key)
	assert.Contains(t, err.Error(), "plugins.enabled: true")
}

// trace is a middleware that records its name on the way in and out.
func trace(name string, log *[]string, mu *sync.Mutex) web.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			*log = append(*log, "in "+name)
			mu.Unlock()
			next.ServeHTTP(w, r)
			mu.Lock()
			*log = append(*log, "out "+name)
			mu.Unlock()
		})
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var (
		mu  sync.Mutex
		log []string
	)
	handler := func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		log = append(log, "handler")
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}
	srv := startApp(t, pluginsOn,
		plugins.New("auth",
			plugins.Extend(web.Middleware, trace("auth(50, plugin)", &log, &mu), 50),
			plugins.Extend(web.Routes, web.Route("GET /x", http.HandlerFunc(handler)), 0)),
		plugins.New("metrics", plugins.Extend(web.Middleware, trace("metrics(100)", &log, &mu), 100)),
		extension.Contribute(web.Middleware, trace("gzip(10)", &log, &mu), 10),
		extension.Contribute(web.Middleware, trace("cors(50, fx)", &log, &mu), 50),
	)
	c := newClient(t)
	reset := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := log
		log = nil
		return out
	}

	for _, tc := range []struct {
		desc, path string
		code       int
		want       []string
	}{
		{
			// Equal priorities keep registration order: gofly.New adds the
			// plugins before fx.New, so their extensions come before fx
			// contributions.
			desc: "highest priority is outermost", path: "/x", code: 200,
			want: []string{
				"in metrics(100)", "in auth(50, plugin)", "in cors(50, fx)", "in gzip(10)", "handler",
				"out gzip(10)", "out cors(50, fx)", "out auth(50, plugin)", "out metrics(100)",
			},
		},
		{
			desc: "a 404 goes through the middleware", path: "/missing", code: 404,
			want: []string{
				"in metrics(100)", "in auth(50, plugin)", "in cors(50, fx)", "in gzip(10)",
				"out gzip(10)", "out cors(50, fx)", "out auth(50, plugin)", "out metrics(100)",
			},
		},
		{desc: "the probes do not", path: "/livez", code: 200, want: nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			reset()
			code, _ := get(t, c, "http://"+srv.Addr()+tc.path)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.want, reset())
		})
	}
}

func TestGracefulStopWithRequestInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	app, srv := newApp(t, loopback, extension.Contribute(web.Routes, web.Route("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	})), 0))
	app.RequireStart()
	c := newClient(t)

	type result struct {
		code int
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := c.Get("http://" + srv.Addr() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{code: resp.StatusCode, body: string(b), err: err}
	}()
	<-entered

	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(context.Background()) }()
	// Stop has begun once the listener refuses connections.
	require.Eventually(t, func() bool {
		conn, err := net.Dial("tcp", srv.Addr())
		if err == nil {
			conn.Close()
		}
		return err != nil
	}, 10*time.Second, time.Millisecond)

	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a request was in flight", err)
	case r := <-got:
		t.Fatalf("the request ended (%+v) before its handler was released", r)
	default:
	}
	close(release)

	r := <-got
	require.NoError(t, r.err)
	assert.Equal(t, 200, r.code)
	assert.Equal(t, "finished", r.body)
	require.NoError(t, <-stopped)

	_, err := net.Dial("tcp", srv.Addr())
	assert.Error(t, err, "the listener is closed after Stop")
}

func TestStopForcesAfterShutdownTimeout(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	app, srv := newApp(t, loopback+"  shutdown-timeout: 1ms\n", extension.Contribute(web.Routes, web.Route("GET /stuck", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})), 0))
	app.RequireStart()
	c := newClient(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := c.Get("http://" + srv.Addr() + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	err := app.Stop(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrGofly)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "web.shutdown-timeout")
	<-done // the connection was closed: the client saw an error
}

func TestPortClashFailsTheStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	a, err := goflytest.Assemble(t, "web:\n  address: "+ln.Addr().String()+"\n", web.Starter())
	require.NoError(t, err)
	app := newFxApp(a.Options)
	require.NoError(t, app.Err())
	err = app.Start(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	var ce *kernel.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "web.address", ce.Key)
	assert.Equal(t, "inline.yaml", ce.Source)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)

	an, ok := autoconfig.Analyze(err, a.Report)
	require.True(t, ok)
	assert.Equal(t, "web-listen", an.Analyzer)
	explained := an.String()
	assert.Contains(t, explained, "The web server could not listen on "+ln.Addr().String()+" (web.address, from inline.yaml)")
	assert.Contains(t, explained, "port 0 picks a free port")
}

func TestRouteErrorsFailTheStart(t *testing.T) {
	h := text("x")
	for _, tc := range []struct {
		desc  string
		yaml  string
		opts  []gofly.Option
		class error
		has   []string
	}{
		{
			desc: "the same pattern from two plugins",
			yaml: pluginsOn,
			opts: []gofly.Option{
				plugins.New("a", plugins.Extend(web.Routes, web.Route("GET /x", h), 10)),
				plugins.New("b", plugins.Extend(web.Routes, web.Route("GET /x", h), 5)),
			},
			class: kernel.ErrExtension,
			has: []string{
				`web routes "GET /x" (handler github.com/gofly-framework/gofly/starters/web_test.`, `priority 10) and "GET /x" (handler `,
				"priority 5) conflict: GET /x matches the same requests as GET /x: change one of the patterns",
			},
		},
		{
			desc: "wildcards of equal precedence",
			yaml: loopback,
			opts: []gofly.Option{
				extension.Contribute(web.Routes, web.Route("GET /items/{id}", h), 0),
				extension.Contribute(web.Routes, web.Route("GET /items/{name}", h), 0),
			},
			class: kernel.ErrExtension,
			has:   []string{`web routes "GET /items/{id}"`, `and "GET /items/{name}"`, "conflict"},
		},
		{
			desc:  "an invalid pattern",
			yaml:  loopback,
			opts:  []gofly.Option{extension.Contribute(web.Routes, web.Route("GET /x/{", h), 0)},
			class: kernel.ErrExtension,
			has:   []string{`web route "GET /x/{"`, "is not a valid ServeMux pattern"},
		},
		{
			desc:  "a nil handler",
			yaml:  loopback,
			opts:  []gofly.Option{extension.Contribute(web.Routes, web.Route("GET /x", nil), 0)},
			class: kernel.ErrNotImplemented,
			has:   []string{`web route "GET /x"`, "has no handler"},
		},
		{
			desc:  "the readiness probe's path",
			yaml:  loopback,
			opts:  []gofly.Option{extension.Contribute(web.Routes, web.Route("GET /readyz", h), 0)},
			class: kernel.ErrExtension,
			has:   []string{`web route "GET /readyz"`, "the readiness probe", "web.probes.readiness-path"},
		},
		{
			desc:  "under the admin path",
			yaml:  loopback + "  admin:\n    enabled: true\n",
			opts:  []gofly.Option{extension.Contribute(web.Routes, web.Route("POST /admin/reset", h), 0)},
			class: kernel.ErrExtension,
			has:   []string{`web route "POST /admin/reset"`, "the admin endpoints", "web.admin.path"},
		},
		{
			desc:  "a middleware returning nil",
			yaml:  loopback,
			opts:  []gofly.Option{extension.Contribute(web.Middleware, func(http.Handler) http.Handler { return nil }, 0)},
			class: kernel.ErrNotImplemented,
			has:   []string{"web middleware github.com/gofly-framework/gofly/starters/web_test.TestRouteErrorsFailTheStart", "returned a nil handler"},
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			app, _ := newApp(t, tc.yaml, tc.opts...)
			err := app.Start(context.Background())
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.class)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			var ee *kernel.ExtensionError
			require.ErrorAs(t, err, &ee)
			for _, s := range tc.has {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), "registered at", "positions inside the starter are noise")
		})
	}
}

func TestDisabledStarterIsNotInTheGraph(t *testing.T) {
	var (
		srv    *web.Server
		report *autoconfig.Report
	)
	app := goflytest.New(t, "web:\n  enabled: false\n", web.Starter(), fx.Invoke(func(in struct {
		fx.In
		Server *web.Server `optional:"true"`
	}) {
		srv = in.Server
	}),
		fx.Populate(&report))
	app.RequireStart().RequireStop()
	assert.Nil(t, srv)
	o, ok := report.Find(web.StarterName)
	require.True(t, ok)
	assert.Equal(t, autoconfig.StateNotMatched, o.State)
	assert.Equal(t, `property "web.enabled" (from inline.yaml) is false`, o.Conditions[0].Message)
}

func TestStarterInTheReport(t *testing.T) {
	var report *autoconfig.Report
	startApp(t, loopback, fx.Populate(&report))
	o, ok := report.Find(web.StarterName)
	require.True(t, ok)
	assert.Equal(t, autoconfig.StateMatched, o.State)
	assert.Equal(t, `property "web.enabled" (from defaults) is true`, o.Conditions[0].Message)
}

func TestServerStartsOnce(t *testing.T) {
	srv, err := web.NewServer(goflytest.Config(t, loopback), extension.NewRegistry())
	require.NoError(t, err)
	assert.Equal(t, "", srv.Addr())
	require.NoError(t, srv.Start(context.Background()))
	err = srv.Start(context.Background())
	assert.ErrorIs(t, err, kernel.ErrGofly)
	assert.Contains(t, err.Error(), "already listens on "+srv.Addr())
	require.NoError(t, srv.Stop(context.Background()))
	require.NoError(t, srv.Stop(context.Background()), "a second Stop does nothing")
	err = srv.Start(context.Background())
	assert.ErrorIs(t, err, kernel.ErrGofly)
	assert.Contains(t, err.Error(), "cannot start again")
}

func TestNewServerErrors(t *testing.T) {
	_, err := web.NewServer(nil, nil)
	assert.ErrorIs(t, err, kernel.ErrExtension)

	reg := extension.NewRegistry()
	require.NoError(t, reg.RegisterPoint(web.Routes.ID(), reflect.TypeFor[web.MiddlewareFunc]()))
	_, err = web.NewServer(nil, reg)
	assert.ErrorIs(t, err, kernel.ErrDuplicatePoint)
}

// serve runs one request through the server's handler, without a network.
func serve(srv *web.Server, method, path string, headers ...string) (int, string, http.Header) {
	req, _ := http.NewRequestWithContext(context.Background(), method, path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

// Plugins added or removed while the app runs bring and take their routes.
func TestRoutesFollowPluginsAtRunTime(t *testing.T) {
	var m *plugins.Manager
	srv := startApp(t, pluginsOn,
		plugins.New("base", plugins.Extend(web.Routes, web.Route("GET /base", http.HandlerFunc(text("base"))), 0)),
		fx.Populate(&m))
	c := newClient(t)
	code, _ := get(t, c, "http://"+srv.Addr()+"/late")
	require.Equal(t, http.StatusNotFound, code)

	late := plugins.Define("late", plugins.Extend(web.Routes, web.Route("GET /late", http.HandlerFunc(text("late"))), 0))
	require.NoError(t, m.Add(late))
	code, body := get(t, c, "http://"+srv.Addr()+"/late")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "late", body)

	removed, err := m.Remove(context.Background(), "late")
	require.NoError(t, err)
	require.True(t, removed)
	code, _ = get(t, c, "http://"+srv.Addr()+"/late")
	assert.Equal(t, http.StatusNotFound, code)
	code, body = get(t, c, "http://"+srv.Addr()+"/base")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "base", body)

	t.Run("a conflicting plugin keeps the routes", func(t *testing.T) {
		clash := plugins.Define("clash", plugins.Extend(web.Routes, web.Route("GET /base", http.HandlerFunc(text("clash"))), 0))
		require.NoError(t, m.Add(clash))
		code, body := get(t, c, "http://"+srv.Addr()+"/base")
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "base", body)
		_, err := m.Remove(context.Background(), "clash")
		require.NoError(t, err)
	})
}
