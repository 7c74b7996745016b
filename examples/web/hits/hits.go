// Package hits is a starter of its own, written the way docs/starters.md
// describes: it counts the requests the web starter serves and shows the
// count at GET /hits. It builds on the web starter: it contributes a
// middleware and a route to the web starter's extension points, and it only
// applies when the web starter does.
package hits

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/starters/web"
)

// Settings is the hits: section of application.yaml, bound strictly.
type Settings struct {
	Enabled bool   `koanf:"enabled" default:"true"`
	Path    string `koanf:"path" default:"/hits"`
}

// Counter counts requests. It is safe for concurrent use.
type Counter struct {
	settings Settings
	n        atomic.Int64
}

// NewCounter binds hits: strictly: an unknown key is an error naming it.
func NewCounter(cfg *kernel.Config) (*Counter, error) {
	s, err := kernel.Bind[Settings](cfg, "hits")
	if err != nil {
		return nil, err
	}
	return &Counter{settings: s}, nil
}

// Count returns the number of requests counted so far.
func (c *Counter) Count() int64 { return c.n.Load() }

// Middleware counts every request that reaches the application's routes.
func (c *Counter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		next.ServeHTTP(w, r)
	})
}

// Route serves the count at the configured path.
func (c *Counter) Route() web.Endpoint {
	return web.Route("GET "+c.settings.Path, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%d\n", c.Count())
	}))
}

// Starter is the hits starter: one option, defaults below application.yaml,
// applied only when the web starter is and hits.enabled is true.
func Starter() *autoconfig.AutoConfig {
	return autoconfig.New("hits",
		autoconfig.DefaultProperties(map[string]any{
			"hits": map[string]any{"enabled": true, "path": "/hits"},
		}),
		autoconfig.When(
			autoconfig.OnAutoConfig(web.StarterName), // also orders hits after web
			autoconfig.OnBooleanProperty("hits.enabled", true),
		),
		autoconfig.Provide(
			fx.Provide(NewCounter),
			extension.ContributeFunc(web.Middleware, func(c *Counter) web.MiddlewareFunc { return c.Middleware }, 1000),
			extension.ContributeFunc(web.Routes, (*Counter).Route, 0),
		),
	)
}
