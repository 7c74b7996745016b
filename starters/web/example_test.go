package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
	"github.com/gofly-framework/gofly/starters/web"
)

// fetch GETs url without keeping the connection alive and returns the status
// and the body.
func fetch(url string) string {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// The web starter in an app: a plugin contributes a route, the app serves it
// on a free port, and /readyz says the app is ready once it has started.
func ExampleStarter() {
	hello := plugins.New("hello",
		plugins.Extend(web.Routes, web.Route("GET /hello/{name}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
		})), 0),
	)
	var srv *web.Server
	app := gofly.New(
		gofly.Environ(nil),
		gofly.ConfigYAML("web: {address: 127.0.0.1:0}\nplugins: {enabled: true}\nlogging: {level: warn}\n"),
		web.Starter(),
		hello,
		fx.Populate(&srv),
	)
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(fetch("http://" + srv.Addr() + "/hello/gopher"))
	fmt.Println(fetch("http://" + srv.Addr() + "/readyz"))
	if err := app.Stop(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 200 hello, gopher
	// 200 {
	//   "status": "ready"
	// }
}

// A server without fx: routes and middleware registered in a registry by
// hand. The middleware with the highest priority is the outermost.
func ExampleNewServer() {
	reg := extension.NewRegistry()
	_ = extension.Add(reg, web.Routes, web.Route("GET /x", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "handler")
	})), 0)
	tag := func(name string) web.MiddlewareFunc {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, name+" > ")
				next.ServeHTTP(w, r)
			})
		}
	}
	_ = extension.Add(reg, web.Middleware, tag("inner"), 1)
	_ = extension.Add(reg, web.Middleware, tag("outer"), 100)

	cfg, _ := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("example.yaml", []byte("web: {address: 127.0.0.1:0}")))
	srv, err := web.NewServer(cfg, reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop(context.Background())
	fmt.Println(fetch("http://" + srv.Addr() + "/x"))
	// Output:
	// 200 outer > inner > handler
}

// Two routes whose patterns match the same requests fail the start, naming
// both.
func ExampleServer_Start_conflict() {
	reg := extension.NewRegistry()
	_ = extension.Add(reg, web.Routes, web.Route("GET /items/{id}", http.NotFoundHandler()), 0)
	_ = extension.Add(reg, web.Routes, web.Route("GET /items/{name}", http.NotFoundHandler()), 0)
	srv, _ := web.NewServer(nil, reg)
	err := srv.Start(context.Background())
	fmt.Println(err)
	// Output:
	// web routes "GET /items/{id}" (handler net/http.NotFound, priority 0) and "GET /items/{name}" (handler net/http.NotFound, priority 0) conflict: GET /items/{name} matches the same requests as GET /items/{id}: change one of the patterns or remove one of the routes
}
