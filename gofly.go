package gofly

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// Option is an argument of [New], [Run] and [Assemble]: an fx.Option, a
// *plugins.Plugin, a *plugins.Catalog (every plugin catalogued in it, in id
// order, as plugins.FromCatalog), an *autoconfig.AutoConfig, or a gofly
// setting returned by one of this package's setting functions. Any other value makes the app fail
// with an error of class kernel.ErrGofly.
//
// A plugin may be given either way: plugins.New("id", ...) is an fx.Option,
// and plugins.Define("id", ...) is the *plugins.Plugin itself. Only the
// latter (and a *plugins.Catalog) is visible to the assembly step, so only
// it satisfies an autoconfig.OnPlugin condition: fx options are opaque until
// fx.New.
type Option interface {
	// String describes the option, as fx.Option does.
	String() string
}

// setting is a gofly setting: it changes how the app is assembled rather than
// what the graph contains.
type setting struct {
	desc  string
	apply func(*settings)
}

func (s setting) String() string { return s.desc }

type settings struct {
	loadOpts  []kernel.LoadOption
	config    *kernel.Config
	logger    *zap.Logger
	logOut    zapcore.WriteSyncer
	args      []string
	reportOut io.Writer
	excludes  []string
}

// ConfigDir makes gofly look for application.yaml (or .yml) and the profile
// files in dir instead of the working directory.
func ConfigDir(dir string) Option {
	return setting{fmt.Sprintf("gofly.ConfigDir(%q)", dir), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithDir(dir))
	}}
}

// ConfigFiles names the configuration files to read instead of
// application.yaml, layered in order. Given several times, the files add up,
// layered with the [ConfigYAML] texts in option order. A named file that is
// missing is an error of class kernel.ErrConfig.
func ConfigFiles(paths ...string) Option {
	return setting{fmt.Sprintf("gofly.ConfigFiles(%q)", paths), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithFiles(paths...))
	}}
}

// ConfigYAML uses the given YAML text as the main configuration instead of
// application.yaml. Given several times, the texts are layered in order,
// with the [ConfigFiles] files in option order.
func ConfigYAML(yaml string) Option {
	return setting{"gofly.ConfigYAML(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithYAML("inline.yaml", []byte(yaml)))
	}}
}

// Profiles sets the active profiles, overriding GOFLY_PROFILES_ACTIVE and the
// key gofly.profiles.active.
func Profiles(profiles ...string) Option {
	return setting{fmt.Sprintf("gofly.Profiles(%q)", profiles), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithProfiles(profiles...))
	}}
}

// Environ replaces the process environment (os.Environ) as the source of
// GOFLY_ overrides and ${VAR} placeholders; each entry is "KEY=value".
// Environ(nil) ignores the environment.
func Environ(environ []string) Option {
	return setting{"gofly.Environ(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithEnviron(environ))
	}}
}

// Defaults adds values below every other layer of configuration (dotted keys
// or nested maps).
func Defaults(values map[string]any) Option {
	return setting{"gofly.Defaults(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithDefaults(values))
	}}
}

// Properties adds values above every other layer of configuration, the
// environment included (dotted keys or nested maps).
func Properties(values map[string]any) Option {
	return setting{"gofly.Properties(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithOverrides(values))
	}}
}

// WithConfig uses an already loaded configuration; the configuration
// settings (ConfigDir, ConfigFiles, ...) are then ignored.
func WithConfig(cfg *kernel.Config) Option {
	return setting{"gofly.WithConfig(...)", func(s *settings) { s.config = cfg }}
}

// WithLogger uses the given logger instead of building one from the
// logging.* configuration.
func WithLogger(log *zap.Logger) Option {
	return setting{"gofly.WithLogger(...)", func(s *settings) { s.logger = log }}
}

// LogOutput makes the logger built from the logging.* configuration write to w
// instead of standard error.
func LogOutput(w io.Writer) Option {
	return setting{"gofly.LogOutput(...)", func(s *settings) { s.logOut = zapcore.AddSync(w) }}
}

// Args gives the command-line arguments (without the program name) the
// assembly step looks at: --debug prints the condition report. [Run] passes
// os.Args[1:]; [New] and [Assemble] look at none unless given.
func Args(args []string) Option {
	return setting{fmt.Sprintf("gofly.Args(%q)", args), func(s *settings) { s.args = args }}
}

// ReportOutput makes the condition report printed at startup (with
// debug: true or --debug) go to w instead of standard error.
func ReportOutput(w io.Writer) Option {
	return setting{"gofly.ReportOutput(...)", func(s *settings) { s.reportOut = w }}
}

// ExcludeAutoConfig excludes auto-configurations by name, as the
// autoconfig.exclude property does; an unknown name is an error.
func ExcludeAutoConfig(names ...string) Option {
	return setting{fmt.Sprintf("gofly.ExcludeAutoConfig(%q)", names), func(s *settings) {
		s.excludes = append(s.excludes, names...)
	}}
}

// Assembly is the result of the assembly step: the loaded configuration, the
// logger and the fx options of the app, ready for fx.New or fxtest.New.
type Assembly struct {
	// Config is the loaded configuration; it is also in the graph.
	Config *kernel.Config
	// Logger is the application logger; it is also in the graph.
	Logger *zap.Logger
	// Report is the condition report: which auto-configurations joined the
	// app and why; it is also in the graph.
	Report *autoconfig.Report
	// Status is the app's phase (starting, started, stopping); it is also in
	// the graph.
	Status *kernel.Status
	// Options are the fx options of the app, in this order: the kernel's
	// (configuration, logger, status, report, fx event logger), the user's in
	// the order given, the matched auto-configurations' in their resolved
	// order, and last the hook that marks the app started.
	Options []fx.Option

	reportOut io.Writer // where the report goes when debug is on; nil when off
}

// Assemble runs the assembly step without creating the app: it loads the
// configuration, builds the logger, evaluates the auto-configurations and
// returns the fx options. Errors are of class kernel.ErrGofly
// (kernel.ErrConfig for configuration errors).
func Assemble(opts ...Option) (*Assembly, error) {
	in, err := collect(opts)
	if err != nil {
		return nil, err
	}
	cfg, err := in.loadConfig()
	if err != nil {
		return nil, err
	}
	log := in.s.logger
	switch {
	case log != nil:
	case in.s.logOut != nil:
		log, err = kernel.NewLoggerTo(cfg, in.s.logOut)
	default:
		log, err = kernel.NewLogger(cfg)
	}
	if err != nil {
		return nil, err
	}

	res, err := autoconfig.Evaluate(
		autoconfig.Env{Config: cfg, UserOptions: in.user, Plugins: in.pluginIDs},
		in.autos, autoconfig.Exclude(in.s.excludes...))
	if err != nil {
		return nil, err
	}
	debug, err := autoconfig.DebugEnabled(cfg, in.s.args)
	if err != nil {
		return nil, err
	}
	var reportOut io.Writer
	if debug {
		if reportOut = in.s.reportOut; reportOut == nil {
			reportOut = os.Stderr
		}
	}

	status := new(kernel.Status)
	all := make([]fx.Option, 0, len(in.user)+len(res.Options)+5)
	all = append(all,
		fx.Supply(cfg, log, status, res.Report),
		fx.WithLogger(func() fxevent.Logger { return kernel.FxEventLogger(log) }),
	)
	all = append(all, in.user...)
	all = append(all, res.Options...)
	if reason := pluginsOff(res.Report); reason != "" {
		all = append(all, plugins.Reject(reason))
	}
	all = append(all, fx.Invoke(markStarted))
	return &Assembly{Config: cfg, Logger: log, Report: res.Report, Status: status, Options: all, reportOut: reportOut}, nil
}

// inputs are the options of an app, sorted by kind.
type inputs struct {
	s         settings
	user      []fx.Option              // the user's fx options, plugins included, in the order given
	autos     []*autoconfig.AutoConfig // the built-in auto-configurations, then those given
	pluginIDs []string                 // the plugins the assembly step can see
}

func collect(opts []Option) (*inputs, error) {
	in := &inputs{autos: autoconfig.Builtins()}
	for _, o := range opts {
		switch o := o.(type) {
		case nil:
			continue
		case setting:
			o.apply(&in.s)
		case *autoconfig.AutoConfig:
			in.autos = append(in.autos, o)
		case *plugins.Plugin:
			in.addPlugin(o)
		case *plugins.Catalog:
			for _, p := range o.Plugins() {
				in.addPlugin(p)
			}
		case fx.Option:
			in.user = append(in.user, o)
		default:
			return nil, kernel.NewError(kernel.ErrGofly, fmt.Sprintf(
				"unsupported option %T (%s): pass an fx.Option, a *plugins.Plugin, a *plugins.Catalog, an *autoconfig.AutoConfig or a gofly setting", o, o), nil)
		}
	}
	return in, nil
}

func (in *inputs) addPlugin(p *plugins.Plugin) {
	in.user = append(in.user, p.Fx())
	in.pluginIDs = append(in.pluginIDs, p.ID())
}

// loadConfig returns the configuration given with WithConfig, or loads it
// with the auto-configurations' defaults below every layer the user gives.
func (in *inputs) loadConfig() (*kernel.Config, error) {
	if in.s.config != nil {
		return in.s.config, nil
	}
	defaults, err := autoconfig.CollectDefaults(in.autos)
	if err != nil {
		return nil, err
	}
	loadOpts := in.s.loadOpts
	if len(defaults) > 0 {
		loadOpts = append([]kernel.LoadOption{kernel.WithDefaults(defaults)}, loadOpts...)
	}
	return kernel.LoadConfig(loadOpts...)
}

// pluginsOff says why plugins are off in the app ("" when they are on): the
// plugins given to such an app make it fail (plugins.Reject) rather than
// being ignored.
func pluginsOff(r *autoconfig.Report) string {
	o, ok := r.Find(autoconfig.PluginsName)
	switch {
	case ok && o.State == autoconfig.StateMatched:
		return ""
	case ok && o.State == autoconfig.StateExcluded:
		return "the " + autoconfig.PluginsName + " auto-configuration is excluded (autoconfig.exclude)"
	default:
		return autoconfig.PluginsEnabledKey + " is off"
	}
}

// build creates the fx app and, with debug on, prints the condition report
// once the graph is built (so it holds the plugin decisions too).
func (a *Assembly) build() *fx.App {
	app := fx.New(a.Options...)
	if a.reportOut != nil {
		fmt.Fprintln(a.reportOut, a.Report.String())
	}
	return app
}

// markStarted registers the app's last OnStart hook, which moves the status
// to started once every other hook ran, and its first OnStop hook (fx runs
// OnStop hooks in reverse), which moves it to stopping before anything stops.
func markStarted(lc fx.Lifecycle, st *kernel.Status) {
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { st.SetPhase(kernel.PhaseStarted); return nil },
		OnStop:  func(context.Context) error { st.SetPhase(kernel.PhaseStopping); return nil },
	})
}

// New assembles the app (see [Assemble]) and returns it; with debug on
// (debug: true or --debug, see [Args]) it prints the condition report. As with fx.New, an
// error is reported by the app's Err method and by Start; it belongs to the
// gofly hierarchy when it comes from the assembly step.
func New(opts ...Option) *fx.App {
	a, err := Assemble(opts...)
	if err != nil {
		return fx.New(fx.NopLogger, fx.Error(err))
	}
	return a.build()
}

// Run builds the app with [New], starts it, waits for SIGINT or SIGTERM (or
// an fx.Shutdowner call), stops it, and exits the process: with status 1 when
// the app could not be built, started or stopped cleanly, else with the exit
// code of the shutdown signal (0 for signals). Failures are printed to
// standard error with an analysis of what failed, why and what to do. The
// command line is looked at for --debug (see [Args]).
func Run(opts ...Option) {
	os.Exit(RunContext(context.Background(), os.Stderr, append([]Option{Args(os.Args[1:])}, opts...)...))
}

// RunContext is [Run] without os.Exit: it runs the app until ctx is done, a
// SIGINT or SIGTERM arrives, or the app shuts itself down, writes any failure
// (with its analysis, see autoconfig.Explain) to errOut and returns the
// process exit code. A ctx that is done while the app starts lets the start
// finish (within the app's start timeout) and then stops the app.
func RunContext(ctx context.Context, errOut io.Writer, opts ...Option) int {
	a, err := Assemble(opts...)
	if err != nil {
		fmt.Fprintf(errOut, "gofly: the application could not be built: %v\n\n%s\n", err, autoconfig.Explain(err, nil))
		return 1
	}
	app := a.build()
	if err := app.Err(); err != nil {
		fmt.Fprintf(errOut, "gofly: the application could not be built: %v\n\n%s\n", err, autoconfig.Explain(err, a.Report))
		return 1
	}

	// Listen before starting: a signal that arrives while the app starts is
	// not lost (fx only listens once the app is waited on) and stops it
	// right after a successful start.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// ctx ends the run, not a start in progress: the start timeout bounds that.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.StartTimeout())
	err = app.Start(startCtx)
	cancel()
	if err != nil {
		fmt.Fprintf(errOut, "gofly: the application failed to start: %v\n\n%s\n", err, autoconfig.Explain(err, a.Report))
		return 1
	}

	// fx.Shutdowner calls reach app.Wait with their exit code, even when
	// made while the app was starting.
	code := 0
	select {
	case <-ctx.Done():
	case <-sigs:
	case sig := <-app.Wait():
		code = sig.ExitCode
	}

	stopCtx, cancel := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancel()
	if err := app.Stop(stopCtx); err != nil {
		fmt.Fprintf(errOut, "gofly: the application did not stop cleanly: %v\n", err)
		return 1
	}
	return code
}
