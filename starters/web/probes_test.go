package web_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

func TestReadinessTransitions(t *testing.T) {
	ctx := context.Background()
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg, plugins.WithSettings(continueSettings()))
	var fail atomic.Bool
	fail.Store(true)
	require.NoError(t, m.Add(plugins.Define("db")))
	require.NoError(t, m.Add(plugins.Define("flaky", plugins.OnStart(func(context.Context) error {
		if fail.Load() {
			return errors.New("boom: password=hunter2")
		}
		return nil
	}))))
	st := new(kernel.Status)
	srv, err := web.NewServer(goflytest.Config(t, loopback), reg, web.WithStatus(st), web.WithManager(m))
	require.NoError(t, err)
	require.NoError(t, srv.Start(ctx))
	t.Cleanup(func() { require.NoError(t, srv.Stop(ctx)) })
	c := newClient(t)

	for _, step := range []struct {
		desc string
		do   func(t *testing.T)
		code int
		body string
	}{
		{
			desc: "starting, plugins loaded", do: func(*testing.T) {}, code: 503,
			body: `{"status":"not ready","reasons":["the app is starting","plugin \"db\" is LOADED","plugin \"flaky\" is LOADED"]}`,
		},
		{
			desc: "started, one plugin failed", code: 503,
			do: func(t *testing.T) {
				require.NoError(t, m.StartAll(ctx))
				st.SetPhase(kernel.PhaseStarted)
			},
			body: `{"status":"not ready","reasons":["plugin \"flaky\" is FAILED"]}`,
		},
		{
			desc: "the plugin started on a retry", code: 200,
			do: func(t *testing.T) {
				fail.Store(false)
				require.NoError(t, m.StartPlugin(ctx, "flaky"))
			},
			body: `{"status":"ready"}`,
		},
		{
			desc: "a plugin stopped", code: 503,
			do:   func(t *testing.T) { require.NoError(t, m.StopPlugin(ctx, "flaky")) },
			body: `{"status":"not ready","reasons":["plugin \"flaky\" is STOPPED"]}`,
		},
		{
			desc: "started again", code: 200,
			do:   func(t *testing.T) { require.NoError(t, m.StartPlugin(ctx, "flaky")) },
			body: `{"status":"ready"}`,
		},
		{
			desc: "the app is stopping", code: 503,
			do:   func(*testing.T) { st.SetPhase(kernel.PhaseStopping) },
			body: `{"status":"not ready","reasons":["the app is stopping"]}`,
		},
	} {
		t.Run(step.desc, func(t *testing.T) {
			step.do(t)
			code, body := get(t, c, srv.URL()+"/readyz")
			assert.Equal(t, step.code, code)
			assert.JSONEq(t, step.body, body)
			assert.NotContains(t, body, "hunter2", "the probes show no error text")

			code, body = get(t, c, srv.URL()+"/livez")
			assert.Equal(t, 200, code, "live while the process serves")
			assert.JSONEq(t, `{"status":"live"}`, body)
		})
	}
}

func TestReadinessInAnApp(t *testing.T) {
	broken := plugins.New("broken", plugins.OnStart(func(context.Context) error { return errors.New("no database") }))
	for _, tc := range []struct {
		desc string
		yaml string
		opts []gofly.Option
		code int
		body string
	}{
		{desc: "every plugin started", yaml: pluginsOn, code: 200, body: `{"status":"ready"}`},
		{
			desc: "a plugin failed (continue policy)", yaml: pluginsOn + "  failure-policy: continue\n", opts: []gofly.Option{broken}, code: 503,
			body: `{"status":"not ready","reasons":["plugin \"broken\" is FAILED"]}`,
		},
		{
			desc: "a disabled plugin counts as ready", yaml: pluginsOn + "  exclude: [broken]\n", opts: []gofly.Option{broken}, code: 200,
			body: `{"status":"ready"}`,
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv := startApp(t, tc.yaml, append([]gofly.Option{plugins.New("ok")}, tc.opts...)...)
			code, body := get(t, newClient(t), srv.URL()+"/readyz")
			assert.Equal(t, tc.code, code)
			assert.JSONEq(t, tc.body, body)
		})
	}
}

func TestReadinessWithoutStatus(t *testing.T) {
	ctx := context.Background()
	srv, err := web.NewServer(goflytest.Config(t, loopback), extension.NewRegistry())
	require.NoError(t, err)
	ok, reasons := srv.Readiness()
	assert.False(t, ok)
	assert.Equal(t, []string{"the web server is not serving"}, reasons)
	require.NoError(t, srv.Start(ctx))
	ok, reasons = srv.Readiness()
	assert.True(t, ok)
	assert.Empty(t, reasons)
	require.NoError(t, srv.Stop(ctx))
	ok, _ = srv.Readiness()
	assert.False(t, ok)
}

func TestProbeSettings(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, method, path string
		code                     int
		allow                    string
	}{
		{desc: "HEAD", yaml: loopback, method: http.MethodHead, path: "/livez", code: 200},
		{desc: "POST is not allowed", yaml: loopback, method: http.MethodPost, path: "/readyz", code: 405, allow: "GET, HEAD"},
		{desc: "disabled", yaml: loopback + "  probes: {enabled: false}\n", method: http.MethodGet, path: "/livez", code: 404},
		{desc: "moved", yaml: loopback + "  probes: {liveness-path: /healthz}\n", method: http.MethodGet, path: "/healthz", code: 200},
		{desc: "moved away", yaml: loopback + "  probes: {liveness-path: /healthz}\n", method: http.MethodGet, path: "/livez", code: 404},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv := startApp(t, tc.yaml)
			code, _, h := do(t, newClient(t), tc.method, srv.URL()+tc.path)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.allow, h.Get("Allow"))
		})
	}
}
