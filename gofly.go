package gofly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/internal/evaluation"
	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// Option is an argument of [New], [Run], [RunContext] and [Assemble]. It is
// an fx.Option, so only these compile:
//
//   - any fx option (fx.Provide, fx.Invoke, fx.Module ...), applied as given;
//   - a plugin (plugins.Define or plugins.New, which return the same
//     *plugins.Plugin): the assembly step adds it to the app's manager, and
//     leaves its fx options out of the app when the filters or conditions
//     disable it;
//   - a *plugins.Catalog: every plugin catalogued in it, in id order;
//   - a plugins.ManagerOption (plugins.WithListener ...), applied to the
//     app's manager after the settings read from the configuration;
//   - an *autoconfig.AutoConfig (a starter such as web.Starter());
//   - a gofly setting: [ConfigDir], [ConfigFiles], [ConfigYAML], [Profiles],
//     [Environ], [Defaults], [Overrides], [WithConfig], [WithLogger],
//     [LogOutput], [Args], [ReportOutput], [ExcludeAutoConfig].
//
// Settings, plugins, catalogs and auto-configurations are read by the
// assembly step; given to a plain fx.New they make it fail with an error
// saying so.
type Option interface {
	fx.Option
}

// setting is a gofly setting: it changes how the app is assembled rather than
// what the graph contains. Its fx form is an error: fx.New cannot use it.
type setting struct {
	fx.Option
	desc  string
	apply func(*settings)
}

func newSetting(desc string, apply func(*settings)) setting {
	return setting{
		Option: fx.Error(&kernel.Error{Class: kernel.ErrGofly, Msg: desc + " is a setting of gofly.New; a plain fx app cannot use it"}),
		desc:   desc,
		apply:  apply,
	}
}

func (s setting) String() string { return s.desc }

type settings struct {
	loadOpts  []kernel.LoadOption
	config    *kernel.Config
	logger    *zap.Logger
	logOut    io.Writer
	args      []string
	reportOut io.Writer
	excludes  []string
}

// ConfigDir makes gofly look for application.yaml (or .yml) and the profile
// files in dir instead of the working directory.
func ConfigDir(dir string) Option {
	return newSetting(fmt.Sprintf("gofly.ConfigDir(%q)", dir), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithDir(dir))
	})
}

// ConfigFiles names the configuration files to read instead of
// application.yaml, layered in order. Given several times, the files add up,
// layered with the [ConfigYAML] texts in option order. A named file that is
// missing is an error of class kernel.ErrConfig.
func ConfigFiles(paths ...string) Option {
	return newSetting(fmt.Sprintf("gofly.ConfigFiles(%q)", paths), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithFiles(paths...))
	})
}

// ConfigYAML uses the given YAML text as the main configuration instead of
// application.yaml. Given several times, the texts are layered in order,
// with the [ConfigFiles] files in option order.
func ConfigYAML(yaml string) Option {
	return newSetting("gofly.ConfigYAML(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithYAML("inline.yaml", []byte(yaml)))
	})
}

// Profiles sets the active profiles, overriding GOFLY_PROFILES_ACTIVE and the
// key gofly.profiles.active.
func Profiles(profiles ...string) Option {
	return newSetting(fmt.Sprintf("gofly.Profiles(%q)", profiles), func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithProfiles(profiles...))
	})
}

// Environ replaces the process environment (os.Environ) as the source of
// GOFLY_ variables and ${VAR} placeholders; each entry is "KEY=value".
// Environ(nil) ignores the environment.
func Environ(environ []string) Option {
	return newSetting("gofly.Environ(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithEnviron(environ))
	})
}

// Defaults adds values below every other layer of configuration (dotted keys
// or nested maps). Given several times, the maps add up, later values
// winning.
func Defaults(values map[string]any) Option {
	return newSetting("gofly.Defaults(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithDefaults(values))
	})
}

// Overrides adds values above every other layer of configuration, the
// environment included (dotted keys or nested maps). Given several times, the
// maps add up, later values winning.
func Overrides(values map[string]any) Option {
	return newSetting("gofly.Overrides(...)", func(s *settings) {
		s.loadOpts = append(s.loadOpts, kernel.WithOverrides(values))
	})
}

// WithConfig uses an already loaded configuration; the configuration
// settings (ConfigDir, ConfigFiles, ...) are then ignored, and so are the
// auto-configurations' default properties: load cfg with them if you need
// them.
func WithConfig(cfg *kernel.Config) Option {
	return newSetting("gofly.WithConfig(...)", func(s *settings) { s.config = cfg })
}

// WithLogger uses the given logger instead of building one from the
// logging.* configuration.
func WithLogger(log *zap.Logger) Option {
	return newSetting("gofly.WithLogger(...)", func(s *settings) { s.logger = log })
}

// LogOutput makes the logger built from the logging.* configuration write to w
// instead of standard error.
func LogOutput(w io.Writer) Option {
	return newSetting("gofly.LogOutput(...)", func(s *settings) { s.logOut = w })
}

// Args gives the command-line arguments (without the program name) the
// assembly step looks at: --debug prints the condition report. [Run] passes
// os.Args[1:]; [New] and [Assemble] look at none unless given.
func Args(args []string) Option {
	return newSetting(fmt.Sprintf("gofly.Args(%q)", args), func(s *settings) { s.args = args })
}

// ReportOutput makes the condition report printed at startup (with
// debug: true or --debug) go to w instead of standard error.
func ReportOutput(w io.Writer) Option {
	return newSetting("gofly.ReportOutput(...)", func(s *settings) { s.reportOut = w })
}

// ExcludeAutoConfig excludes auto-configurations by name, as the
// autoconfig.exclude property does; an unknown name is an error.
func ExcludeAutoConfig(names ...string) Option {
	return newSetting(fmt.Sprintf("gofly.ExcludeAutoConfig(%q)", names), func(s *settings) {
		s.excludes = append(s.excludes, names...)
	})
}

// Assembly is the result of the assembly step: the loaded configuration, the
// logger and the fx options of the app, ready for fx.New or fxtest.New.
type Assembly struct {
	// Config is the loaded configuration; it is also in the graph.
	Config *kernel.Config
	// Logger is the application logger; it is also in the graph, as a
	// *zap.Logger named "gofly" (take it with `name:"gofly"`), so that an app
	// can still provide its own *zap.Logger. A *slog.Logger built from the
	// same logging.* keys is in the graph under the same name; with
	// logging.backend: slog, fx's events go through it instead of zap.
	Logger *zap.Logger
	// Report is the condition report: which auto-configurations joined the
	// app and why; it is also in the graph.
	Report *autoconfig.Report
	// Options are the fx options of the app, in this order: gofly's
	// (configuration, logger, status, report, fx event logger, start and stop
	// budgets), the user's in the order given, the matched
	// auto-configurations' in their resolved order, the plugins' (the app's
	// *plugins.Manager and an fx.Module per enabled plugin that brings fx
	// options), and last the hook that marks the app started.
	Options []fx.Option

	reportOut io.Writer        // where the report goes when debug is on; nil when off
	manager   *plugins.Manager // nil when plugins are off
	failures  *startFailures
	budgets   budgets
}

// budgets are the app's start and stop budgets (gofly.start-timeout,
// gofly.stop-timeout).
type budgets struct {
	StartTimeout time.Duration  `koanf:"start-timeout" default:"15s"`
	StopTimeout  time.Duration  `koanf:"stop-timeout" default:"15s"`
	Profiles     map[string]any `koanf:"profiles"`   // read by the kernel
	StrictEnv    bool           `koanf:"strict-env"` // read by the kernel
}

// loggerName is the name under which gofly's logger is in the graph.
const loggerName = "gofly"

// Assemble runs the assembly step without creating the app: it loads the
// configuration, builds the logger, evaluates the auto-configurations, adds
// the plugins to the app's manager (deciding which are enabled) and returns
// the fx options. Errors are of class kernel.ErrGofly (kernel.ErrConfig for
// configuration errors). Plugins that cannot be added (kernel.ErrPluginLoad),
// or are given while plugins are off, make the app fail instead: its Err
// method reports them, and the Assembly (with its report) is still returned.
func Assemble(opts ...Option) (*Assembly, error) {
	in := collect(opts)
	var (
		cfg     *kernel.Config
		b       budgets
		log     *zap.Logger
		slogger *slog.Logger
		events  fxevent.Logger
	)
	// The configuration, with the auto-configurations' default properties
	// below every layer the user gives, and what depends on it alone come
	// before the evaluation of the auto-configurations.
	load := func(defaults func() (map[string]any, error)) (*kernel.Config, error) {
		var err error
		if cfg, err = in.loadConfig(defaults); err != nil {
			return nil, err
		}
		if b, err = kernel.Bind[budgets](cfg, "gofly"); err != nil {
			return nil, err
		}
		log, slogger, events, err = in.loggers(cfg)
		return cfg, err
	}
	autoOpts, report, err := autoconfig.Evaluate(in.autos, evaluation.Input{
		Load: load, UserOptions: in.user, Plugins: in.pluginIDs(), Exclude: in.s.excludes,
	})
	if err != nil {
		return nil, err
	}
	debug, err := debugEnabled(cfg, in.s.args)
	if err != nil {
		return nil, err
	}
	var reportOut io.Writer
	if debug {
		if reportOut = in.s.reportOut; reportOut == nil {
			reportOut = os.Stderr
		}
	}

	a := &Assembly{Config: cfg, Logger: log, Report: report,
		reportOut: reportOut, budgets: b, failures: new(startFailures)}
	all := make([]fx.Option, 0, len(in.user)+len(autoOpts)+8)
	all = append(all,
		fx.Supply(cfg, new(status.Status), report,
			fx.Annotated{Name: loggerName, Target: log}, fx.Annotated{Name: loggerName, Target: slogger}),
		fx.StartTimeout(b.StartTimeout),
		fx.StopTimeout(b.StopTimeout),
	)
	if !hasFxLogger(in.user) {
		all = append(all, fx.WithLogger(func() fxevent.Logger { return events }))
	}
	all = append(all, in.user...)
	all = append(all, autoOpts...)

	// Plugin problems fail the app (its Err), as fx errors do, rather than
	// the assembly step: the report and the configuration stay available.
	if reason := pluginsOff(report); reason != "" {
		if len(in.plugins) > 0 {
			all = append(all, fx.Error(errPluginsOff(in.pluginIDs(), reason)))
		}
		all = append(all, fx.Invoke(rejectHidden(reason)))
	} else if o, _ := report.Find(autoconfig.ExtensionName); o.State == autoconfig.StateExcluded {
		all = append(all, fx.Error(&kernel.Error{Class: kernel.ErrConfig, Msg: "plugins.enabled is true but the " +
			autoconfig.ExtensionName + " auto-configuration is excluded (autoconfig.exclude): the plugins contribute to the app's " +
			"*extension.Registry, which it provides; remove the exclusion, or turn plugins off"}))
	} else if m, err := a.newManager(in); err != nil {
		all = append(all, fx.Error(err))
	} else {
		a.manager = m
		all = append(all, m.Module())
	}
	all = append(all, fx.Invoke(markStarted))
	a.Options = all
	return a, nil
}

// newManager builds the app's plugin manager from the plugins section of the
// configuration and adds the plugins given to the app.
func (a *Assembly) newManager(in *inputs) (*plugins.Manager, error) {
	s, err := plugins.LoadSettings(a.Config)
	if err != nil {
		return nil, err
	}
	if err := a.checkDeadlines(s); err != nil {
		return nil, err
	}
	opts := []plugins.ManagerOption{plugins.WithSettings(s), plugins.WithConfig(a.Config), plugins.WithListener(a.failures.record)}
	opts = append(opts, in.managerOpts...)
	m := plugins.NewManager(nil, opts...)
	for _, p := range in.plugins {
		if err := m.Add(p); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// checkDeadlines refuses a plugin hook deadline longer than the app's budget
// for the whole start (or stop): the budget would cut the hook short first.
func (a *Assembly) checkDeadlines(s plugins.Settings) error {
	check := func(hookKey string, hook time.Duration, appKey string, app time.Duration) error {
		if hook <= app || app <= 0 {
			return nil
		}
		return &kernel.ConfigError{Key: hookKey, Value: hook.String(), Source: a.Config.Source(hookKey),
			Msg: fmt.Sprintf("config key %q (%s) is longer than the app's budget %q (%s), which bounds every hook together: lower %s or raise %s",
				hookKey, hook, appKey, app, hookKey, appKey)}
	}
	if err := check("plugins.start-timeout", s.StartTimeout, "gofly.start-timeout", a.budgets.StartTimeout); err != nil {
		return err
	}
	return check("plugins.stop-timeout", s.StopTimeout, "gofly.stop-timeout", a.budgets.StopTimeout)
}

// loggers returns gofly's zap and slog loggers (built from logging.*, or the
// one given with WithLogger) and the fx event logger of the backend that
// logging.backend chooses.
func (in *inputs) loggers(cfg *kernel.Config) (*zap.Logger, *slog.Logger, fxevent.Logger, error) {
	w := in.s.logOut
	slogger, err := kernel.NewSlogLogger(cfg, w) // validates logging.*
	if err != nil {
		return nil, nil, nil, err
	}
	log := in.s.logger
	if log == nil {
		if log, err = kernel.NewLogger(cfg, w); err != nil {
			return nil, nil, nil, err
		}
	}
	if strings.EqualFold(strings.TrimSpace(cfg.String("logging.backend")), "slog") {
		l := &fxevent.SlogLogger{Logger: slogger}
		l.UseLogLevel(slog.LevelDebug)
		l.UseErrorLevel(slog.LevelError)
		return log, slogger, l, nil
	}
	return log, slogger, zapEvents(log), nil
}

// zapEvents returns an fx event logger that writes fx's events through log:
// ordinary events (provided, invoked, started ...) at debug level, so an app
// logging at info is quiet, and failures at error level.
func zapEvents(log *zap.Logger) fxevent.Logger {
	l := &fxevent.ZapLogger{Logger: log}
	l.UseLogLevel(zapcore.DebugLevel)
	l.UseErrorLevel(zapcore.ErrorLevel)
	return l
}

// inputs are the options of an app, sorted by kind.
type inputs struct {
	s           settings
	user        []fx.Option              // the user's fx options, in the order given
	autos       []*autoconfig.AutoConfig // in the order given
	plugins     []*plugins.Plugin        // in the order given; a catalog's in id order
	managerOpts []plugins.ManagerOption
}

func collect(opts []Option) *inputs {
	in := &inputs{}
	for _, o := range opts {
		switch o := o.(type) {
		case nil:
		case setting:
			o.apply(&in.s)
		case *autoconfig.AutoConfig:
			in.autos = append(in.autos, o)
		case *plugins.Plugin:
			in.plugins = append(in.plugins, o)
		case *plugins.Catalog:
			in.plugins = append(in.plugins, o.Plugins()...)
		case plugins.ManagerOption:
			in.managerOpts = append(in.managerOpts, o)
		default:
			in.user = append(in.user, o)
		}
	}
	return in
}

// pluginIDs returns the ids of the plugins given, for the auto-configurations'
// OnPlugin conditions.
func (in *inputs) pluginIDs() []string {
	ids := make([]string, len(in.plugins))
	for i, p := range in.plugins {
		ids[i] = p.ID()
	}
	return ids
}

// loadConfig returns the configuration given with WithConfig, or loads it
// with the auto-configurations' defaults below every layer the user gives.
func (in *inputs) loadConfig(collectDefaults func() (map[string]any, error)) (*kernel.Config, error) {
	if in.s.config != nil {
		return in.s.config, nil
	}
	defaults, err := collectDefaults()
	if err != nil {
		return nil, err
	}
	loadOpts := in.s.loadOpts
	if len(defaults) > 0 {
		loadOpts = append([]kernel.LoadOption{kernel.WithDefaults(defaults)}, loadOpts...)
	}
	return kernel.LoadConfig(loadOpts...)
}

// hasFxLogger reports whether the user's options set fx's logger with
// fx.Logger (a printer) at the top level (fx refuses it inside modules),
// directly or in an fx.Options group. gofly then leaves fx's events to that
// printer, as fx.New does, instead of logging them through zap. fx.WithLogger
// needs no check: the user's comes after gofly's and fx keeps the last.
func hasFxLogger(opts []fx.Option) bool {
	loggerType := reflect.TypeOf(fx.Logger(nil))
	groupType := reflect.TypeOf(fx.Options())
	var walk func(v reflect.Value) bool
	walk = func(v reflect.Value) bool {
		for i := range v.Len() {
			o := v.Index(i)
			if o.Kind() == reflect.Interface {
				o = o.Elem()
			}
			switch {
			case !o.IsValid():
			case o.Type() == loggerType:
				return true
			case o.Type() == groupType && walk(o):
				return true
			}
		}
		return false
	}
	return walk(reflect.ValueOf(opts))
}

// pluginsOff says why plugins are off in the app ("" when they are on).
func pluginsOff(r *autoconfig.Report) string {
	o, ok := r.Find(autoconfig.PluginsName)
	switch {
	case ok && o.State == autoconfig.StateMatched:
		return ""
	case ok && o.State == autoconfig.StateExcluded:
		return "the " + autoconfig.PluginsName + " auto-configuration is excluded (autoconfig.exclude)"
	default:
		return "plugins.enabled is off"
	}
}

// errPluginsOff is the error for an app given plugins while plugins are off:
// they are refused rather than silently ignored.
func errPluginsOff(ids []string, reason string) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = strconv.Quote(id)
	}
	return &kernel.PluginError{
		Class:    kernel.ErrPluginLoad,
		PluginID: ids[0],
		Op:       "add",
		Msg: fmt.Sprintf("the app was given %d plugin(s) (%s) but %s: set plugins.enabled: true in application.yaml "+
			"(or GOFLY_PLUGINS_ENABLED=true), or remove the plugins from the app's options",
			len(ids), strings.Join(quoted, ", "), reason),
	}
}

type hiddenPluginsIn struct {
	fx.In
	Plugins []*plugins.Plugin `group:"gofly.plugins"`
}

// rejectHidden refuses, when plugins are off, the plugins that reached the
// graph inside a module or an fx.Options (the assembly step cannot see
// those).
func rejectHidden(reason string) func(hiddenPluginsIn) error {
	return func(in hiddenPluginsIn) error {
		if len(in.Plugins) == 0 {
			return nil
		}
		ids := make([]string, len(in.Plugins))
		for i, p := range in.Plugins {
			ids[i] = p.ID()
		}
		return errPluginsOff(ids, reason)
	}
}

// startFailures records the plugin failures the manager reports, so that a
// start or stop cut short by the app's budget can name the plugin and hook
// that was running.
type startFailures struct {
	mu    sync.Mutex
	last  error
	stops []error // failed stops (STARTED -> FAILED), in order
}

func (f *startFailures) record(ch plugins.StateChange) {
	if ch.New == plugins.StateFailed && ch.Err != nil {
		f.mu.Lock()
		f.last = ch.Err
		if ch.Old == plugins.StateStarted {
			f.stops = append(f.stops, ch.Err)
		}
		f.mu.Unlock()
	}
}

func (f *startFailures) stopErrs() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.stops)
}

func (f *startFailures) lastErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// explainStart returns the error of a failed start. When fx reports only that
// the start budget ran out, it waits until the manager has finished its
// start (and rollback) and names the plugin hook that was running.
func (a *Assembly) explainStart(err error) error {
	if a.manager == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// StopAll waits for the start in progress to end, then stops whatever it
	// left started (its own rollback normally leaves nothing).
	stopCtx, cancel := context.WithTimeout(context.Background(), a.budgets.StopTimeout)
	defer cancel()
	stopErr := a.manager.StopAll(stopCtx)
	pe := a.failures.lastErr()
	if pe == nil {
		return errors.Join(err, stopErr)
	}
	return &kernel.Error{
		Class: kernel.ErrPluginStart,
		Msg: fmt.Sprintf("the app's start budget (gofly.start-timeout: %s) ran out while a plugin hook was running: raise gofly.start-timeout or make the hook faster",
			a.budgets.StartTimeout),
		Err: errors.Join(pe, stopErr),
	}
}

// markStarted registers the app's last OnStart hook, which moves the status
// to started once every other hook ran, and its first OnStop hook (fx runs
// OnStop hooks in reverse), which moves it to stopping before anything stops.
func markStarted(lc fx.Lifecycle, st *status.Status) {
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { st.SetPhase(status.PhaseStarted); return nil },
		OnStop:  func(context.Context) error { st.SetPhase(status.PhaseStopping); return nil },
	})
}

// New assembles the app (see [Assemble]) and returns it; with debug on
// (debug: true or --debug, see [Args]) it prints the condition report. As with
// fx.New, an error is reported by the app's Err method and by Start; it
// belongs to the gofly hierarchy when it comes from the assembly step.
//
// The app's start and stop budgets are gofly.start-timeout and
// gofly.stop-timeout (15s each, fx's default); each plugin hook's own
// deadline (plugins.start-timeout, plugins.stop-timeout) must fit in them.
//
// Caveat: fx records where fx.New was called as the root of every module
// trace in its events; for an app built by New that is this function, and
// the user's own call site is the next frame.
func New(opts ...Option) *fx.App {
	a, err := Assemble(opts...)
	if err != nil {
		return fx.New(fx.NopLogger, fx.Error(err))
	}
	return a.build()
}

// build creates the fx app and, with debug on, prints the condition report
// once the graph is built (so it holds the plugin decisions too). fx.New is
// called here rather than in New so that both New and RunContext share it.
func (a *Assembly) build() *fx.App {
	app := fx.New(a.Options...)
	if a.reportOut != nil {
		fmt.Fprintln(a.reportOut, a.Report.String())
	}
	return app
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
// (with its analysis, see autoconfig.Analyze) to errOut and returns the
// process exit code. A ctx that is done while the app starts lets the start
// finish (within the app's start budget, gofly.start-timeout) and then stops
// the app. When the budget runs out while a plugin hook runs, the error names
// the plugin and the hook.
func RunContext(ctx context.Context, errOut io.Writer, opts ...Option) int {
	fail := func(what string, err error, r *autoconfig.Report) int {
		an, _ := autoconfig.Analyze(err, r)
		fmt.Fprintf(errOut, "gofly: the application %s: %v\n\n%s\n", what, err, an)
		return 1
	}
	a, err := Assemble(opts...)
	if err != nil {
		return fail("could not be built", err, nil)
	}
	app := a.build()
	if err := app.Err(); err != nil {
		return fail("could not be built", err, a.Report)
	}

	// Listen before starting: a signal that arrives while the app starts is
	// not lost (fx only listens once the app is waited on) and stops it
	// right after a successful start.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// ctx ends the run, not a start in progress: the start budget bounds that.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.StartTimeout())
	err = app.Start(startCtx)
	cancel()
	if err != nil {
		return fail("failed to start", a.explainStart(err), a.Report)
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
	if err := a.finishStop(app.Stop(stopCtx)); err != nil {
		fmt.Fprintf(errOut, "gofly: the application did not stop cleanly: %v\n", err)
		return 1
	}
	return code
}

// finishStop returns the error of the app's stop. fx stops waiting when the
// stop budget (gofly.stop-timeout) runs out, also in the middle of the
// plugins' StopAll; then finishStop waits for that StopAll to end and stops
// any plugin still STARTED, so that every started plugin gets its OnStop
// (with the ended context; each is waited for at most plugins.stop-timeout),
// and joins what failed.
func (a *Assembly) finishStop(err error) error {
	if err == nil || a.manager == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	stopErr := a.manager.StopAll(ended)
	// fx dropped the error of the StopAll it stopped waiting for: the
	// listener kept its failures.
	return errors.Join(append(append([]error{err}, a.failures.stopErrs()...), stopErr)...)
}

// debugKey is the configuration key that asks for the condition report at
// startup.
const debugKey = "debug"

// debugEnabled reports whether the condition report should be printed at
// startup: when args (the command line without the program name) holds
// --debug or --debug=<bool>, that decides (the last one wins; arguments after
// "--" are not looked at); otherwise the boolean property debug does
// (default false), read strictly with kernel.Config.Bool. A nil cfg counts as
// an empty configuration.
//
// Errors, of class kernel.ErrConfig: --debug=<value> that is not true or
// false (any case); a debug property that is not a boolean (the
// configuration's *kernel.ConfigError, naming key and source).
func debugEnabled(cfg *kernel.Config, args []string) (bool, error) {
	flag, set := false, false
	for _, a := range args {
		if a == "--" {
			break
		}
		switch {
		case a == "--debug" || a == "-debug":
			flag, set = true, true
		case strings.HasPrefix(a, "--debug=") || strings.HasPrefix(a, "-debug="):
			v := a[strings.IndexByte(a, '=')+1:]
			switch strings.ToLower(v) {
			case "true":
				flag, set = true, true
			case "false":
				flag, set = false, true
			default:
				return false, &kernel.ConfigError{Key: debugKey, Value: v, Source: "command line",
					Msg: fmt.Sprintf("command-line flag %q is not a boolean: use --debug, --debug=true or --debug=false", a)}
			}
		}
	}
	if set || cfg == nil {
		return flag, nil
	}
	return cfg.Bool(debugKey, false)
}
