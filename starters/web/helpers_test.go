package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/starters/web"
)

// loopback is the address every test listens on: a free port on loopback.
const loopback = "web:\n  address: 127.0.0.1:0\n"

// pluginsOn is loopback with plugins enabled.
const pluginsOn = loopback + "plugins:\n  enabled: true\n"

// newApp builds a test app with the web starter and returns it with its
// server, not started.
func newApp(t *testing.T, yaml string, opts ...gofly.Option) (*fxtest.App, *web.Server) {
	t.Helper()
	var srv *web.Server
	all := append([]gofly.Option{web.Starter(), fx.Populate(&srv)}, opts...)
	app := goflytest.New(t, yaml, all...)
	return app, srv
}

// startApp builds and starts a test app with the web starter; the app stops
// when the test ends.
func startApp(t *testing.T, yaml string, opts ...gofly.Option) *web.Server {
	t.Helper()
	app, srv := newApp(t, yaml, opts...)
	app.RequireStart()
	t.Cleanup(func() { app.RequireStop() })
	return srv
}

// newClient returns an HTTP client with its own transport, whose idle
// connections are closed when the test ends (goleak would see them).
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request and returns the status code, the body and the response
// headers. Header pairs are given as "Name: value".
func do(t *testing.T, c *http.Client, method, url string, headers ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	require.NoError(t, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

func get(t *testing.T, c *http.Client, url string, headers ...string) (int, string) {
	t.Helper()
	code, body, _ := do(t, c, http.MethodGet, url, headers...)
	return code, body
}

// text returns a handler writing s.
func text(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, s) }
}

// newFxApp builds an fx app from assembled options, quietly.
func newFxApp(opts []fx.Option) *fx.App {
	return fx.New(append(opts, fx.NopLogger)...)
}
