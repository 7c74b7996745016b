package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

const adminOn = loopback + "  admin:\n    enabled: true\n"

func TestAdminIsOffByDefault(t *testing.T) {
	srv := startApp(t, pluginsOn, plugins.New("core"))
	c := newClient(t)
	for _, p := range []string{"/admin", "/admin/", "/admin/plugins", "/admin/health"} {
		code, _ := get(t, c, "http://"+srv.Addr()+p)
		assert.Equal(t, 404, code, p)
	}
}

// adminPlugins is a small plugin set: core, a web plugin depending on it
// with a constraint and optionally on an absent one, and an excluded one.
func adminPlugins() []gofly.Option {
	return []gofly.Option{
		plugins.New("core", plugins.Version("1.2.0"), plugins.Description("<script>alert(1)</script>")),
		plugins.New("hello", plugins.Version("0.3.0"),
			plugins.DependsOn("core", ">=1.0.0"),
			plugins.OptionalDependsOn("metrics"),
			plugins.Extend(web.Routes, web.Route("GET /hello", http.HandlerFunc(text("hi"))), 10),
			plugins.Extend(web.Middleware, func(next http.Handler) http.Handler { return next }, 5)),
		plugins.New("legacy", plugins.DependsOn("core")),
	}
}

func TestAdminEndpoints(t *testing.T) {
	srv := startApp(t, adminOn+"plugins:\n  enabled: true\n  exclude: [legacy]\n", adminPlugins()...)
	c := newClient(t)
	url := "http://" + srv.Addr() + "/admin"

	t.Run("plugins", func(t *testing.T) {
		code, body := get(t, c, url+"/plugins")
		require.Equal(t, 200, code)
		var v struct {
			Enabled bool
			Order   []string
			Plugins []struct {
				ID, Version, State, Description, FailedReason string
				DependsOn                                     []struct {
					ID, Constraint string
					Optional       bool
				}
			}
			Decisions []struct {
				Plugin  string
				Enabled bool
				Reason  string
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		assert.True(t, v.Enabled)
		assert.Equal(t, []string{"core", "hello"}, v.Order)
		require.Len(t, v.Plugins, 3)
		assert.Equal(t, "core", v.Plugins[0].ID)
		assert.Equal(t, "1.2.0", v.Plugins[0].Version)
		assert.Equal(t, "STARTED", v.Plugins[0].State)
		assert.Equal(t, "hello", v.Plugins[1].ID)
		require.Len(t, v.Plugins[1].DependsOn, 2)
		assert.Equal(t, "core", v.Plugins[1].DependsOn[0].ID)
		assert.Equal(t, ">=1.0.0", v.Plugins[1].DependsOn[0].Constraint)
		assert.True(t, v.Plugins[1].DependsOn[1].Optional)
		assert.Equal(t, "legacy", v.Plugins[2].ID)
		assert.Equal(t, "DISABLED", v.Plugins[2].State)
		assert.Contains(t, v.Plugins[2].FailedReason, "legacy")
		require.Len(t, v.Decisions, 3)
		assert.False(t, v.Decisions[2].Enabled)
		assert.Contains(t, v.Decisions[2].Reason, "exclude")
	})

	t.Run("extensions", func(t *testing.T) {
		code, body := get(t, c, url+"/extensions")
		require.Equal(t, 200, code)
		var v struct {
			Points []struct {
				ID, Type   string
				Extensions []struct {
					Name, Handler, Type string
					Priority            int
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		byID := map[string]int{}
		for i, p := range v.Points {
			byID[p.ID] = i
		}
		require.Contains(t, byID, "web.routes")
		routes := v.Points[byID["web.routes"]]
		assert.Equal(t, "web.Endpoint", routes.Type)
		require.Len(t, routes.Extensions, 1)
		assert.Equal(t, "GET /hello", routes.Extensions[0].Name)
		assert.Equal(t, 10, routes.Extensions[0].Priority)
		assert.Contains(t, routes.Extensions[0].Handler, "starters/web_test.")
		mw := v.Points[byID["web.middleware"]]
		require.Len(t, mw.Extensions, 1)
		assert.Equal(t, 5, mw.Extensions[0].Priority)
		assert.Contains(t, mw.Extensions[0].Name, "web_test.adminPlugins")
	})

	t.Run("conditions", func(t *testing.T) {
		code, body := get(t, c, url+"/conditions")
		require.Equal(t, 200, code)
		var v struct {
			PositiveMatches []struct{ Name string }
		}
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		var names []string
		for _, m := range v.PositiveMatches {
			names = append(names, m.Name)
		}
		assert.Contains(t, names, "web")
		assert.Contains(t, names, "plugins")
	})

	t.Run("health", func(t *testing.T) {
		code, body := get(t, c, url+"/health")
		require.Equal(t, 200, code)
		var v struct {
			Live, Ready bool
			Phase       string
			Plugins     []struct{ ID, State string }
			Server      struct {
				Address, Listening string
				TokenRequired      bool
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		assert.True(t, v.Live)
		assert.True(t, v.Ready)
		assert.Equal(t, "started", v.Phase)
		assert.Len(t, v.Plugins, 3)
		assert.Equal(t, "127.0.0.1:0", v.Server.Address)
		assert.Equal(t, srv.Addr(), v.Server.Listening)
		assert.False(t, v.Server.TokenRequired)
	})

	t.Run("graphs", func(t *testing.T) {
		for _, tc := range []struct{ path, contentType, want string }{
			{"/graph.dot", "text/vnd.graphviz; charset=utf-8", wantDOT},
			{"/graph.mmd", "text/plain; charset=utf-8", wantMermaid},
		} {
			code, body, h := do(t, c, http.MethodGet, url+tc.path)
			require.Equal(t, 200, code)
			assert.Equal(t, tc.contentType, h.Get("Content-Type"))
			assert.Equal(t, tc.want, body)
		}
	})

	t.Run("page", func(t *testing.T) {
		for _, p := range []string{"", "/"} {
			code, body, h := do(t, c, http.MethodGet, url+p)
			require.Equal(t, 200, code)
			assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
			assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
			assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "escaped")
			assert.NotContains(t, body, "<script>")
			for _, s := range []string{"<title>gofly admin</title>", "<code>hello</code>", "DISABLED", "web.routes",
				"<code>GET /hello</code>", "<code>web</code>", "flowchart LR", "digraph plugins"} {
				assert.Contains(t, body, s)
			}
		}
	})

	t.Run("unknown and methods", func(t *testing.T) {
		code, _ := get(t, c, url+"/nothing")
		assert.Equal(t, 404, code)
		code, _, _ = do(t, c, http.MethodPost, url+"/plugins")
		assert.Equal(t, 405, code)
	})
}

const wantDOT = `digraph plugins {
  rankdir=LR;
  node [shape=box];
  "core" [label="core\n1.2.0\nSTARTED"];
  "hello" [label="hello\n0.3.0\nSTARTED"];
  "legacy" [label="legacy\n0.0.0\nDISABLED", style=dashed];
  "metrics" [label="metrics\n(missing)", style=dotted];
  "hello" -> "core" [label=">=1.0.0"];
  "hello" -> "metrics" [style=dashed];
  "legacy" -> "core";
}
`

const wantMermaid = `flowchart LR
  p0["core · 1.2.0 · STARTED"]
  p1["hello · 0.3.0 · STARTED"]
  p2["legacy · 0.0.0 · DISABLED"]
  p3["metrics · (missing)"]
  p1 -->|"#62;=1.0.0"| p0
  p1 -.-> p3
  p2 --> p0
  classDef disabled stroke-dasharray:5 5
  class p2 disabled
  classDef missing stroke-dasharray:2 2,color:#888
  class p3 missing
`

func TestAdminWithoutPlugins(t *testing.T) {
	srv := startApp(t, loopback+"  admin: {enabled: true}\n")
	c := newClient(t)
	code, body := get(t, c, "http://"+srv.Addr()+"/admin/plugins")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"enabled":false,"order":[],"plugins":[],"decisions":[]}`, body)
	code, body = get(t, c, "http://"+srv.Addr()+"/admin/graph.dot")
	assert.Equal(t, 200, code)
	assert.Equal(t, "digraph plugins {\n  rankdir=LR;\n  node [shape=box];\n}\n", body)
	code, body = get(t, c, "http://"+srv.Addr()+"/admin")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "Plugins are off")
}

func TestAdminGraphOfAFailedPlugin(t *testing.T) {
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg, plugins.WithSettings(continueSettings()))
	require.NoError(t, m.Add(plugins.Define("a.b", plugins.Version("2.0.0"))))
	require.NoError(t, m.Add(plugins.Define("db_v2", plugins.DependsOn("a.b", "^2 || <1"),
		plugins.OnStart(func(context.Context) error { return errors.New("boom") }))))
	require.NoError(t, m.StartAll(context.Background()))
	srv, err := web.NewServer(goflytest.Config(t, loopback+"  admin: {enabled: true}\n"), reg, web.WithManager(m))
	require.NoError(t, err)
	require.NoError(t, srv.Start(context.Background()))
	defer func() { require.NoError(t, srv.Stop(context.Background())) }()

	_, dot, _ := serve(srv, http.MethodGet, "/admin/graph.dot")
	assert.Equal(t, `digraph plugins {
  rankdir=LR;
  node [shape=box];
  "a.b" [label="a.b\n2.0.0\nSTARTED"];
  "db_v2" [label="db_v2\n0.0.0\nFAILED", color=red];
  "db_v2" -> "a.b" [label="^2 || <1"];
}
`, dot)
	_, mmd, _ := serve(srv, http.MethodGet, "/admin/graph.mmd")
	assert.Equal(t, `flowchart LR
  p0["a.b · 2.0.0 · STARTED"]
  p1["db_v2 · 0.0.0 · FAILED"]
  p1 -->|"^2 #124;#124; #60;1"| p0
  classDef failed stroke:#c00,stroke-width:2px
  class p1 failed
`, mmd)
	_, again, _ := serve(srv, http.MethodGet, "/admin/graph.mmd")
	assert.Equal(t, mmd, again, "deterministic")

	_, body, _ := serve(srv, http.MethodGet, "/admin/plugins")
	assert.Contains(t, body, `"failedReason": "boom"`, "the admin endpoints show failure reasons")
	_, body, _ = serve(srv, http.MethodGet, "/admin/conditions")
	assert.Contains(t, body, "no condition report")
}

func TestAdminToken(t *testing.T) {
	const token = "s3cret-t0ken"
	core, log := observer.New(zapcore.DebugLevel)
	yaml := `plugins: {enabled: true}
web:
  address: 0.0.0.0:0
  admin:
    enabled: true
    token: ${ADMIN_TOKEN}
`
	srv := startApp(t, yaml, gofly.Environ([]string{"ADMIN_TOKEN=" + token}), gofly.WithLogger(zap.New(core)),
		plugins.New("core"))
	_, port, err := net.SplitHostPort(srv.Addr())
	require.NoError(t, err)
	base := "http://127.0.0.1:" + port // listening on every interface: dial loopback
	listening := log.FilterMessage("web server listening").All()
	require.Len(t, listening, 1)
	assert.Equal(t, base, listening[0].ContextMap()["url"], "the log line shows a URL that can be opened")
	c := newClient(t)
	url := base + "/admin/health"

	for _, tc := range []struct {
		desc, auth string
		code       int
	}{
		{desc: "no header", code: 401},
		{desc: "wrong token", auth: "Bearer nope", code: 401},
		{desc: "token as a prefix", auth: "Bearer " + token + "x", code: 401},
		{desc: "another scheme", auth: "Basic " + token, code: 401},
		{desc: "the token", auth: "Bearer " + token, code: 200},
		{desc: "the scheme in any case", auth: "bearer " + token, code: 200},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var headers []string
			if tc.auth != "" {
				headers = append(headers, "Authorization: "+tc.auth)
			}
			code, _, h := do(t, c, http.MethodGet, url, headers...)
			assert.Equal(t, tc.code, code)
			if code == 401 {
				assert.Equal(t, `Bearer realm="gofly admin"`, h.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("every admin path needs it, the probes do not", func(t *testing.T) {
		for _, p := range []string{"/admin", "/admin/", "/admin/plugins", "/admin/nothing", "/admin/graph.dot"} {
			code, _ := get(t, c, base+p)
			assert.Equal(t, 401, code, p)
		}
		code, _ := get(t, c, base+"/readyz")
		assert.Equal(t, 200, code)
	})

	t.Run("no output shows the token", func(t *testing.T) {
		var all strings.Builder
		for _, p := range []string{"", "/health", "/plugins", "/extensions", "/conditions", "/graph.dot", "/graph.mmd"} {
			code, body := get(t, c, base+"/admin"+p, "Authorization: Bearer "+token)
			require.Equal(t, 200, code, p)
			all.WriteString(body)
		}
		for _, p := range []string{"/livez", "/readyz", "/nothing"} {
			_, body := get(t, c, base+p)
			all.WriteString(body)
		}
		for _, e := range log.All() {
			all.WriteString(e.Message)
			for k, v := range e.ContextMap() {
				all.WriteString(k + "=" + toString(v))
			}
		}
		// Printing the server itself: fmt cannot call secret.String on a
		// field reached through unexported fields.
		fmt.Fprintf(&all, "%v %+v %#v", srv, srv, srv)
		assert.NotContains(t, all.String(), token)
		assert.Contains(t, all.String(), `"tokenRequired": true`)
	})
}

func TestAdminTokenOnLoopbackIsChecked(t *testing.T) {
	srv := startApp(t, loopback+"  admin: {enabled: true, token: t0k}\n")
	c := newClient(t)
	code, _ := get(t, c, "http://"+srv.Addr()+"/admin/health")
	assert.Equal(t, 401, code)
	code, _ = get(t, c, "http://"+srv.Addr()+"/admin/health", "Authorization: Bearer t0k")
	assert.Equal(t, 200, code)
}

func TestAdminOnEveryInterfaceWithoutTokenFailsTheBuild(t *testing.T) {
	a, err := goflytest.Assemble(t, "web:\n  address: 0.0.0.0:0\n  admin: {enabled: true}\n", web.Starter())
	require.NoError(t, err)
	app := newFxApp(a.Options)
	err = app.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	var ce *kernel.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "web.admin.token", ce.Key)
	assert.Equal(t, "inline.yaml", ce.Source, "an unset token is due where the admin endpoints were enabled, not in the defaults")
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func continueSettings() plugins.Settings {
	s := plugins.DefaultSettings()
	s.FailurePolicy = plugins.Continue
	return s
}
