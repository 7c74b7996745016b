package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// loopbackYAML listens on a free port on loopback.
const loopbackYAML = "web:\n  address: 127.0.0.1:0\n"

// get serves a GET request with the server's handler, without a network.
func get(srv *Server, path string) (int, string) {
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func textHandler(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, s) }
}

// TestReadinessTransitions follows /readyz through the app's phases, which
// the facade sets on the status it puts in the graph (newFxServer hands it
// to the server), and through plugin states.
func TestReadinessTransitions(t *testing.T) {
	ctx := context.Background()
	reg := extension.NewRegistry()
	ps := plugins.DefaultSettings()
	ps.FailurePolicy = plugins.Continue
	m := plugins.NewManager(reg, plugins.WithSettings(ps))
	var fail atomic.Bool
	fail.Store(true)
	require.NoError(t, m.Add(plugins.Define("db")))
	require.NoError(t, m.Add(plugins.Define("flaky", plugins.OnStart(func(context.Context) error {
		if fail.Load() {
			return errors.New("boom: password=hunter2")
		}
		return nil
	}))))
	st := new(status.Status)
	srv, err := NewServer(goflytest.Config(t, loopbackYAML), reg, WithManager(m))
	require.NoError(t, err)
	srv.status = st
	require.NoError(t, srv.Start(ctx))
	t.Cleanup(func() { require.NoError(t, srv.Stop(ctx)) })

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
				st.SetPhase(status.PhaseStarted)
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
			do:   func(*testing.T) { st.SetPhase(status.PhaseStopping) },
			body: `{"status":"not ready","reasons":["the app is stopping"]}`,
		},
	} {
		t.Run(step.desc, func(t *testing.T) {
			step.do(t)
			code, body := get(srv, "/readyz")
			assert.Equal(t, step.code, code)
			assert.JSONEq(t, step.body, body)
			assert.NotContains(t, body, "hunter2", "the probes show no error text")

			code, body = get(srv, "/livez")
			assert.Equal(t, 200, code, "live while the process serves")
			assert.JSONEq(t, `{"status":"live"}`, body)
		})
	}
}

func TestReload(t *testing.T) {
	reg := extension.NewRegistry()
	srv, err := NewServer(goflytest.Config(t, loopbackYAML), reg)
	require.NoError(t, err)
	code, _ := get(srv, "/a")
	assert.Equal(t, http.StatusServiceUnavailable, code, "not started")

	first := Route("GET /a", textHandler("a"))
	require.NoError(t, reg.Register(Routes.ID(), first, 0))
	require.NoError(t, srv.reload(), "before Start, reload only checks the routes")
	code, _ = get(srv, "/a")
	assert.Equal(t, http.StatusServiceUnavailable, code, "still not started")
	require.NoError(t, srv.Start(context.Background()))
	defer func() { require.NoError(t, srv.Stop(context.Background())) }()

	require.NoError(t, extension.Add(reg, Routes, Route("GET /b", textHandler("b")), 0))
	code, _ = get(srv, "/b")
	assert.Equal(t, 404, code, "routes are read at start")
	require.NoError(t, srv.reload())
	code, body := get(srv, "/b")
	assert.Equal(t, 200, code)
	assert.Equal(t, "b", body)

	require.NoError(t, extension.Add(reg, Routes, Route("GET /b", textHandler("again")), 0))
	err = srv.reload()
	require.ErrorIs(t, err, kernel.ErrExtension)
	code, _ = get(srv, "/a")
	assert.Equal(t, 200, code, "a failed reload keeps the handler")

	assert.True(t, reg.Unregister(Routes.ID(), first))
	assert.True(t, reg.Unregister(Routes.ID(), extension.All(reg, Routes)[1]))
	require.NoError(t, srv.reload())
	code, _ = get(srv, "/a")
	assert.Equal(t, 404, code, "a removed route is gone after reload")
}
