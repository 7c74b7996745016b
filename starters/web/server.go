package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// Server is the web starter's HTTP server: net/http's server with a ServeMux
// built from the [Routes] and [Middleware] extension points, plus the probe
// and admin endpoints its settings enable. In an app with the starter it is
// in the fx graph as *web.Server, started and stopped with the app; without
// fx, build one with [NewServer] and call Start and Stop.
//
// # Life
//
// Start reads the routes and middleware from the registry, builds the handler
// (a conflict between routes fails it), opens the listener (an address in use
// fails it) and serves in a goroutine. Stop shuts the server down gracefully:
// the listener closes, idle connections close, and requests in flight finish
// within web.shutdown-timeout and the stop context's deadline; what is
// still open then is closed and Stop returns an error. A Server starts once:
// Start after Stop is an error.
//
// # Concurrency
//
// All methods are safe for concurrent use. Serving a request takes no lock.
type Server struct {
	// settings is behind a pointer so that printing a Server (%v, %+v,
	// %#v) shows an address, not the settings: fmt cannot call
	// secret.String on a field it reaches through an unexported field.
	settings *settings
	reg      *extension.Registry
	status   *status.Status // the app's phase, from the graph; nil for a server built by hand
	manager  *plugins.Manager
	report   *autoconfig.Report
	log      *zap.Logger
	// addrSource is where web.address came from, for the listen error.
	addrSource string

	handler atomic.Pointer[http.Handler] // the built dispatch; nil before Start
	running atomic.Bool                  // between a successful Start and Stop
	addr    atomic.Pointer[string]       // the bound address, once started

	unlisten atomic.Pointer[func()] // removes the plugin listener that Start adds

	mu     sync.Mutex // serialises Start, Stop and reload
	state  int        // stateNew, stateStarted, stateStopped
	srv    *http.Server
	served chan struct{} // closed when Serve returned
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// Option configures a Server built with [NewServer]. Options are values that
// print themselves; only this package implements Option.
type Option interface {
	String() string
	apply(*Server)
}

type option struct {
	desc string
	fn   func(*Server)
}

func (o option) String() string  { return o.desc }
func (o option) apply(s *Server) { o.fn(s) }

// WithManager gives the server the plugin manager: /readyz then also needs
// every plugin STARTED or DISABLED, and the admin endpoints show the plugins,
// their decisions and their dependency graph.
func WithManager(m *plugins.Manager) Option {
	return option{"web.WithManager(...)", func(s *Server) { s.manager = m }}
}

// WithReport gives the server the condition report the admin endpoints show.
func WithReport(r *autoconfig.Report) Option {
	return option{"web.WithReport(...)", func(s *Server) { s.report = r }}
}

// WithLogger makes the server log through l (start, stop, serve errors and
// net/http's own errors); the default is a no-op logger.
func WithLogger(l *zap.Logger) Option {
	return option{"web.WithLogger(...)", func(s *Server) { s.log = l }}
}

// NewServer builds a server from the web section of cfg (the web.* keys listed
// in the package doc; a nil cfg gives the defaults) whose routes and middleware
// come from reg. It declares [Routes] and [Middleware] in reg (a no-op when
// they are declared already). It does not listen yet: call Start.
//
// Errors: a *kernel.ConfigError (class kernel.ErrConfig) naming the web.*
// key, its source and what to do (an unknown key, a malformed address, an
// admin token missing on an address that is not loopback ...; a token's value
// never appears in it), an error of class kernel.ErrExtension when reg is nil, and
// kernel.ErrDuplicatePoint when a point's id is declared in reg with another
// type.
func NewServer(cfg *kernel.Config, reg *extension.Registry, opts ...Option) (*Server, error) {
	if reg == nil {
		return nil, &kernel.ExtensionError{Class: kernel.ErrExtension, PointID: Routes.ID(),
			Msg: "building the web server: the extension registry is nil: pass the app's *extension.Registry"}
	}
	st, err := loadSettings(cfg)
	if err != nil {
		return nil, err
	}
	if err := extension.Declare(reg, Routes); err != nil {
		return nil, err
	}
	if err := extension.Declare(reg, Middleware); err != nil {
		return nil, err
	}
	s := &Server{settings: &st, reg: reg, addrSource: sourceOf(cfg, section+".address")}
	for _, o := range opts {
		if o != nil {
			o.apply(s)
		}
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	s.log = s.log.Named("web")
	return s, nil
}

// Addr returns the address the server listens on, with the port it bound
// (so "127.0.0.1:0" reads back as "127.0.0.1:41234"), once Start succeeded;
// "" before.
func (s *Server) Addr() string {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return ""
}

// logURL is the URL the "listening" log line shows for the bound address
// addr: "http://" + addr, with an unspecified host (0.0.0.0, ::) replaced by
// a loopback address (127.0.0.1, or ::1 when web.address is an IPv6 address),
// so a person can open it.
func (s *Server) logURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		// Listening on every interface: dial loopback, IPv6 only when the
		// configured address asked for IPv6 ("[::]:8080"); Go reports
		// "0.0.0.0:8080" and ":8080" as "[::]:8080" on dual-stack hosts.
		host = "127.0.0.1"
		if cfgHost, _, _ := net.SplitHostPort(s.settings.Address); strings.Contains(cfgHost, ":") {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Handler returns the server's root handler: the probes, the admin endpoints
// and the routes wrapped in their middleware, as built by Start (and rebuilt
// when the plugin manager adds or removes a plugin). Before Start it answers
// 503. It lets tests and benchmarks
// serve requests without a network.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := s.handler.Load()
	if h == nil {
		http.Error(w, "the web server is not started", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// Start builds the handler from the registry and starts serving: see
// [Server]. A route conflict is an error of class kernel.ErrExtension
// naming both routes; a listener that cannot be opened (an address in use)
// is a *kernel.ConfigError for key web.address, with the listener's error as
// its cause. ctx bounds opening the listener.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateStarted:
		return &kernel.Error{Class: kernel.ErrGofly, Msg: fmt.Sprintf("starting the web server: it already listens on %s", s.Addr())}
	case stateStopped:
		return &kernel.Error{Class: kernel.ErrGofly, Msg: "starting the web server: it was stopped and cannot start again: build a new one"}
	}
	h, err := s.build()
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.settings.Address)
	if err != nil {
		return &kernel.ConfigError{
			Key: section + ".address", Value: s.settings.Address, Source: s.addrSource,
			Msg: fmt.Sprintf("the web server cannot listen on %q: stop what listens there or set web.address to a free address (port 0 picks one)",
				s.settings.Address),
			Err: err,
		}
	}
	addr := ln.Addr().String()
	s.addr.Store(&addr)
	s.handler.Store(&h)

	errLog, _ := zap.NewStdLogAt(s.log, zapcore.WarnLevel)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadTimeout:       s.settings.ReadTimeout,
		ReadHeaderTimeout: s.settings.ReadHeaderTimeout,
		WriteTimeout:      s.settings.WriteTimeout,
		IdleTimeout:       s.settings.IdleTimeout,
		ErrorLog:          errLog,
	}
	s.served = make(chan struct{})
	s.state = stateStarted
	s.running.Store(true)
	go func(srv *http.Server, done chan<- struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.running.Store(false)
			s.log.Error("the web server stopped serving", zap.String("address", addr), zap.Error(err))
		}
	}(s.srv, s.served)
	s.log.Info("web server listening", zap.String("address", addr), zap.String("url", s.logURL(addr)))
	if s.manager != nil {
		// Plugins added or removed at run time bring or take their routes
		// and middleware: rebuild the handler. AddListener only takes the
		// manager's state lock briefly, never its operation lock.
		remove := s.manager.AddListener(s.onPluginChange)
		s.unlisten.Store(&remove)
	}
	return nil
}

// onPluginChange reloads the routes when a plugin joins or leaves the
// manager (its extensions are registered before it joins and unregistered
// before it leaves). A route conflict keeps the current handler and is
// logged.
func (s *Server) onPluginChange(ch plugins.StateChange) {
	if ch.Old != plugins.StateUnloaded && ch.New != plugins.StateUnloaded {
		return
	}
	if err := s.reload(); err != nil {
		s.log.Error("reloading the web routes after a plugin change failed; the previous routes stay",
			zap.String("plugin", ch.Plugin), zap.Error(err))
	}
}

// Stop shuts the server down gracefully (see [Server]) and waits until it no
// longer serves. When requests are still in flight at the deadline (the
// earlier of ctx's and web.shutdown-timeout), it closes their connections
// and returns an error of class kernel.ErrGofly wrapping the deadline's
// error. A second Stop does nothing. Stop before Start only marks the server
// stopped (a later Start is an error).
func (s *Server) Stop(ctx context.Context) error {
	// Outside s.mu: a plugin change being handled waits for s.mu in reload.
	if remove := s.unlisten.Swap(nil); remove != nil {
		(*remove)()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateStarted {
		if s.state == stateNew {
			s.state = stateStopped
		}
		return nil
	}
	s.state = stateStopped
	s.running.Store(false)

	sctx := ctx
	if d := s.settings.ShutdownTimeout; d > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	err := s.srv.Shutdown(sctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.served
	if err != nil {
		s.log.Warn("web server stopped forcibly", zap.String("address", s.Addr()), zap.Error(err))
		return &kernel.Error{Class: kernel.ErrGofly, Msg: fmt.Sprintf(
			"stopping the web server on %s: requests were still in flight at the deadline and their connections were closed: "+
				"raise web.shutdown-timeout or the app's stop timeout, or make long handlers end sooner", s.Addr()), Err: err}
	}
	s.log.Info("web server stopped", zap.String("address", s.Addr()))
	return nil
}

// reload rebuilds the handler from the registry's current routes and
// middleware and swaps it in atomically: requests already being served
// finish with the old one. A server given a plugin manager ([WithManager])
// reloads while it runs, whenever a plugin is added to or removed from the
// manager. On error (a route conflict) the server keeps its handler. Before
// Start it only checks the routes.
func (s *Server) reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.build()
	if err != nil {
		return err
	}
	if s.state == stateStarted {
		s.handler.Store(&h)
	}
	return nil
}
