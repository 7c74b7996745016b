package web_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

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
			code, body := get(t, newClient(t), "http://"+srv.Addr()+"/readyz")
			assert.Equal(t, tc.code, code)
			assert.JSONEq(t, tc.body, body)
		})
	}
}

// A server built by hand has no app phase: it counts as ready from its own
// Start to its Stop.
func TestReadinessWithoutTheFacade(t *testing.T) {
	ctx := context.Background()
	srv, err := web.NewServer(goflytest.Config(t, loopback), extension.NewRegistry())
	require.NoError(t, err)
	code, _, _ := serve(srv, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code, "not started")
	require.NoError(t, srv.Start(ctx))
	code, body, _ := serve(srv, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"status":"ready"}`, body)
	require.NoError(t, srv.Stop(ctx))
	code, body, _ = serve(srv, http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"status":"not ready","reasons":["the web server is not serving"]}`, body)
}

func TestProbeKeys(t *testing.T) {
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
			code, _, h := do(t, newClient(t), tc.method, "http://"+srv.Addr()+tc.path)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.allow, h.Get("Allow"))
		})
	}
}
