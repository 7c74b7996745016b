// Command web is a web app built from plugins with the web starter: two
// plugins add routes, an fx option adds a logging middleware, a starter of
// its own (package hits) counts requests, and the admin page is on at
// http://127.0.0.1:8080/admin (loopback, so no token is needed). Try:
//
//	go run .
//	curl http://127.0.0.1:8080/hello/gopher
//	curl -X POST http://127.0.0.1:8080/notes -d 'buy milk'
//	curl http://127.0.0.1:8080/notes
//	curl http://127.0.0.1:8080/readyz
//	open http://127.0.0.1:8080/admin
package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/examples/web/hits"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

// Greeter is a plugin that adds one route.
var Greeter = plugins.New("greeter",
	plugins.Version("1.0.0"),
	plugins.Description("says hello"),
	plugins.Extend(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})), 0),
)

// notes is the state of the notes plugin.
type notes struct {
	mu    sync.Mutex
	items []string
}

func (n *notes) add(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<10))
	if err != nil || len(b) == 0 {
		http.Error(w, "send the note as the body", http.StatusBadRequest)
		return
	}
	n.mu.Lock()
	n.items = append(n.items, strings.TrimSpace(string(b)))
	n.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

func (n *notes) list(w http.ResponseWriter, _ *http.Request) {
	n.mu.Lock()
	items := slices.Clone(n.items)
	n.mu.Unlock()
	for _, it := range items {
		fmt.Fprintln(w, it)
	}
}

// Notes is a plugin with two routes on shared state; it needs the greeter.
func Notes() *plugins.Plugin {
	n := &notes{}
	return plugins.Define("notes",
		plugins.Version("0.2.0"),
		plugins.DependsOn("greeter", ">=1.0.0"),
		plugins.Extend(web.Routes, web.Route("POST /notes", http.HandlerFunc(n.add)), 0),
		plugins.Extend(web.Routes, web.Route("GET /notes", http.HandlerFunc(n.list)), 0),
	)
}

// accessLog is a middleware contributed by an fx option: its constructor
// takes gofly's logger from the graph (a *zap.Logger named "gofly"). The
// highest priority is the outermost: at 100 it wraps any middleware below
// 100, and the hits counter (1000) wraps it.
var accessLog = extension.ContributeFunc(web.Middleware, func(in loggerIn) web.MiddlewareFunc {
	log := in.Log
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Info("request", zap.String("method", r.Method), zap.String("path", r.URL.Path))
			next.ServeHTTP(w, r)
		})
	}
}, 100)

// loggerIn takes gofly's logger from the graph.
type loggerIn struct {
	fx.In
	Log *zap.Logger `name:"gofly"`
}

// options is the whole app; main runs it, the tests build it with their own
// configuration.
func options() []gofly.Option {
	return []gofly.Option{
		web.Starter(),
		hits.Starter(),
		Greeter,
		Notes(),
		accessLog,
	}
}

func main() {
	gofly.Run(options()...)
}
