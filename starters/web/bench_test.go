package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/starters/web"
)

// Each benchmark below has its baseline next to it: plain net/http with the
// same route and the same middleware chain built by hand. The difference is
// what the web starter adds per request (the dispatch between its own
// endpoints and the application's routes).

var middlewareCounts = []int{0, 1, 4, 16}

// discard is a ResponseWriter that keeps nothing, so the benchmarks measure
// routing rather than recording.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, r.PathValue("name"))
}

func passThrough(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func runHandler(b *testing.B, h http.Handler) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/hello/gopher", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ServeHTTP(w, req)
	}
}

// BenchmarkPlainServeMux is the baseline of BenchmarkServerHandler: a
// ServeMux with the route, wrapped in n middlewares by hand.
func BenchmarkPlainServeMux(b *testing.B) {
	for _, n := range middlewareCounts {
		b.Run(fmt.Sprintf("middleware=%d", n), func(b *testing.B) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /hello/{name}", benchHandler)
			var h http.Handler = mux
			for i := 0; i < n; i++ {
				h = passThrough(h)
			}
			runHandler(b, h)
		})
	}
}

// BenchmarkServerHandler serves the same request through the web server's
// handler (no network): the route and n middlewares from the registry.
func BenchmarkServerHandler(b *testing.B) {
	for _, n := range middlewareCounts {
		b.Run(fmt.Sprintf("middleware=%d", n), func(b *testing.B) {
			srv := benchServer(b, n)
			runHandler(b, srv.Handler())
		})
	}
}

func benchServer(b *testing.B, middlewares int) *web.Server {
	b.Helper()
	reg := extension.NewRegistry()
	if err := extension.Add(reg, web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(benchHandler)), 0); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < middlewares; i++ {
		if err := extension.Add(reg, web.Middleware, passThrough, i); err != nil {
			b.Fatal(err)
		}
	}
	cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("bench.yaml", []byte(loopback)))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := web.NewServer(cfg, reg)
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv
}

func runLoopback(b *testing.B, url string) {
	b.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkLoopbackPlain is the baseline of BenchmarkLoopbackServer: a
// plain http.Server on loopback with the route and 4 middlewares, one
// keep-alive client (allocations count both sides).
func BenchmarkLoopbackPlain(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", benchHandler)
	var h http.Handler = mux
	for i := 0; i < 4; i++ {
		h = passThrough(h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close(); <-done }()
	runLoopback(b, "http://"+ln.Addr().String()+"/hello/gopher")
}

// BenchmarkLoopbackServer is the same request through the web server.
func BenchmarkLoopbackServer(b *testing.B) {
	srv := benchServer(b, 4)
	runLoopback(b, "http://"+srv.Addr()+"/hello/gopher")
}
