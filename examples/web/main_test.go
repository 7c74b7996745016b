package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/examples/web/hits"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/starters/web"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestApp(t *testing.T) {
	var (
		srv     *web.Server
		counter *hits.Counter
	)
	app := goflytest.New(t, `
plugins: {enabled: true}
web:
  address: 127.0.0.1:0   # a free port: read it back with srv.Addr()
  admin: {enabled: true}
logging: {level: warn}
`, append(options(), fx.Populate(&srv, &counter))...)
	app.RequireStart()
	defer app.RequireStop()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	url := "http://" + srv.Addr()

	for _, tc := range []struct {
		desc, method, path, body string
		code                     int
		want                     string
	}{
		{desc: "the greeter plugin", method: "GET", path: "/hello/gopher", code: 200, want: "hello, gopher\n"},
		{desc: "the notes plugin", method: "POST", path: "/notes", body: "buy milk", code: 201},
		{desc: "its other route", method: "GET", path: "/notes", code: 200, want: "buy milk\n"},
		{desc: "the hits starter", method: "GET", path: "/hits", code: 200, want: "4\n"},
		{desc: "readiness", method: "GET", path: "/readyz", code: 200},
		{desc: "the admin page", method: "GET", path: "/admin", code: 200},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, url+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			resp, err := c.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.code, resp.StatusCode)
			if tc.want != "" {
				assert.Equal(t, tc.want, string(b))
			}
		})
	}
	assert.Equal(t, int64(4), counter.Count(), "the probes and the admin page are not counted")
}

func TestHitsCanBeSwitchedOff(t *testing.T) {
	var in struct {
		fx.In
		Counter *hits.Counter `optional:"true"`
	}
	app := goflytest.New(t, "plugins: {enabled: true}\nweb: {address: 127.0.0.1:0}\nhits: {enabled: false}\n",
		append(options(), fx.Populate(&in))...)
	app.RequireStart().RequireStop()
	assert.Nil(t, in.Counter)
}

// TestHitsStarter tests the hits starter with goflytest.Runner, gofly's
// ApplicationContextRunner: it applies only with the web starter, hits.enabled
// switches it off, and its settings are bound strictly.
func TestHitsStarter(t *testing.T) {
	runner := goflytest.NewRunner(web.Starter(), hits.Starter()).
		WithOptions(gofly.Overrides(map[string]any{"web.address": "127.0.0.1:0"}))

	runner.Started().Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.True(t, goflytest.Has[*hits.Counter](c))
	})

	runner.WithOptions(gofly.Overrides(map[string]any{"hits.enabled": false})).Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.False(t, goflytest.Has[*hits.Counter](c))
		out, _ := c.Report().Find("hits")
		assert.Equal(t, autoconfig.StateNotMatched, out.State)
	})

	goflytest.NewRunner(hits.Starter()).Run(t, func(c *goflytest.Context) {
		require.NoError(t, c.Err())
		assert.False(t, goflytest.Has[*hits.Counter](c), "no web starter, no hits")
	})

	runner.WithOptions(gofly.ConfigYAML("hits: {pth: /count}")).Run(t, func(c *goflytest.Context) {
		require.Error(t, c.Err())
		analysis, _ := autoconfig.Analyze(c.Err(), c.Report())
		assert.Contains(t, analysis.String(), "Key:    hits.pth")
	})
}

// TestRunReadsApplicationYAML runs the example as `go run .` does, from this
// directory with its application.yaml, on a free port; the context is done
// already, so the app starts, stops and returns.
func TestRunReadsApplicationYAML(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errOut bytes.Buffer
	opts := append(options(), gofly.Environ(nil), gofly.LogOutput(io.Discard),
		gofly.Overrides(map[string]any{"web.address": "127.0.0.1:0"}))
	code := gofly.RunContext(ctx, &errOut, opts...)
	assert.Equal(t, 0, code, "stderr: %s", errOut.String())
}

// TestDocsSnippets keeps docs/starters.md honest: every Go block in it is
// copied verbatim from this example's sources.
func TestDocsSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../docs/starters.md")
	require.NoError(t, err)
	var src strings.Builder
	for _, f := range []string{"main.go", "main_test.go", "hits/hits.go"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
	}
	blocks := strings.Split(string(doc), "```go\n")[1:]
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		end := strings.Index(b, "```")
		require.GreaterOrEqual(t, end, 0)
		assert.Contains(t, src.String(), b[:end], "a Go block of docs/starters.md is not in examples/web")
	}
}
