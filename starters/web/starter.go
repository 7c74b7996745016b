package web

import (
	"errors"
	"fmt"
	"net"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// extensionEnabledKey is the property with which the web starter asks the
// facade's built-in "extension" auto-configuration (autoconfig.ExtensionName)
// for an *extension.Registry when plugins are off.
const extensionEnabledKey = "extension.enabled"

// StarterName is the name of the web starter's auto-configuration, for
// autoconfig.exclude, the condition report, and other starters that build on
// it (autoconfig.OnAutoConfig(web.StarterName)).
const StarterName = "web"

// Starter returns the web starter: the auto-configuration that puts a
// *[Server] in the app, started and stopped with it, when web.enabled is true
// (the default). Pass it to the gofly facade:
//
//	gofly.Run(web.Starter(), plugins.New("hello", plugins.Extend(web.Routes, web.Route("GET /hello", http.HandlerFunc(hello)), 0)))
//
// Its default properties (the web.* keys and defaults listed in the package
// doc) sit below application.yaml, so every value can be overridden there, by
// a profile file or by a GOFLY_WEB_ variable. It also sets extension.enabled: true among its defaults, which
// asks the facade for an *extension.Registry when plugins are off: the route
// and middleware points live there.
//
// Its fx options are [Module]. It attaches a failure analyzer that explains
// an address already in use. Each call returns a new auto-configuration;
// pass one per app.
func Starter() *autoconfig.AutoConfig {
	return autoconfig.New(StarterName,
		autoconfig.DefaultProperties(defaultProperties()),
		autoconfig.When(autoconfig.OnBooleanProperty(section+".enabled", true)),
		autoconfig.Provide(Module),
		autoconfig.WithAnalyzer(listenAnalyzer),
	)
}

// Module is the web starter's fx wiring, for apps assembled by hand (the
// Starter applies it for the facade). It
//
//   - declares [Routes] and [Middleware] in the app's *extension.Registry
//     and provides their live views, extension.Extensions[Endpoint] and
//     extension.Extensions[MiddlewareFunc];
//   - provides *[Server], built from the configuration's web section with
//     the graph's registry (taken after the plugins were added to it), and,
//     when present, its *plugins.Manager, *autoconfig.Report, gofly's
//     *zap.Logger (named "gofly") and the app's phase that the gofly facade
//     keeps (without the facade, /readyz counts the app as started from the
//     server's own Start);
//   - appends the server's Start and Stop to the app's lifecycle from a
//     root-level invoke, so the server starts after the plugins and the
//     components the app's own invokes built, and stops before them.
//
// The declarations and the provider sit in an fx.Module named "gofly.web",
// so fx's events and errors name the starter; the invoke stays at the root of
// the app for the order above.
//
// It needs an *extension.Registry in the graph (extension.Module, which the
// facade provides when plugins are on or extension.enabled is true); without
// one, building the app fails with a *kernel.ConfigError saying so.
var Module = fx.Options(
	fx.Module("gofly.web",
		extension.Provide(Routes),
		extension.Provide(Middleware),
		fx.Provide(newFxServer),
	),
	fx.Invoke(registerServer),
)

type serverIn struct {
	fx.In
	Config   *kernel.Config      `optional:"true"`
	Registry *extension.Registry `optional:"true"`
	Logger   *zap.Logger         `name:"gofly" optional:"true"`
	Status   *status.Status      `optional:"true"`
	Manager  *plugins.Manager    `optional:"true"`
	Report   *autoconfig.Report  `optional:"true"`
}

func newFxServer(in serverIn) (*Server, error) {
	if in.Registry == nil {
		return nil, &kernel.ConfigError{
			Key: extensionEnabledKey, Source: sourceOf(in.Config, extensionEnabledKey),
			Msg: "the web starter needs an *extension.Registry for its routes and middleware, and the app has none: " +
				"set plugins.enabled: true, or leave extension.enabled true (the web starter's default) so that the gofly facade provides one, " +
				"or add extension.Module to an app assembled by hand",
		}
	}
	opts := []Option{WithManager(in.Manager), WithReport(in.Report)}
	if in.Logger != nil {
		opts = append(opts, WithLogger(in.Logger))
	}
	s, err := NewServer(in.Config, in.Registry, opts...)
	if err != nil {
		return nil, err
	}
	s.status = in.Status
	return s, nil
}

func registerServer(lc fx.Lifecycle, s *Server) {
	lc.Append(fx.Hook{OnStart: s.Start, OnStop: s.Stop})
}

// listenAnalyzer explains a listener that could not be opened, in the manner
// of Spring Boot's "Port 8080 was already in use".
func listenAnalyzer(err error, _ *autoconfig.Report) (autoconfig.Analysis, bool) {
	var ce *kernel.ConfigError
	var op *net.OpError
	if !errors.As(err, &ce) || ce.Key != section+".address" || !errors.As(err, &op) || op.Op != "listen" {
		return autoconfig.Analysis{}, false
	}
	origin := ce.Source
	if origin == kernel.SourceDefaults {
		origin = "the web starter's default"
	}
	return autoconfig.Analysis{
		Analyzer:    "web-listen",
		Description: fmt.Sprintf("The web server could not listen on %s (web.address, from %s): %v.", ce.Value, origin, op.Err),
		Action: "Stop the process that listens on that address, or set web.address to a free one " +
			"(in application.yaml, or GOFLY_WEB_ADDRESS=127.0.0.1:8081); port 0 picks a free port.",
	}, true

}
