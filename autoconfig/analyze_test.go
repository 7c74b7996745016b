package autoconfig_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// buildErr returns the error of fx.New with the given options, printing
// nothing (fx falls back to its own logger when NopLogger cannot be built).
func buildErr(t *testing.T, opts ...fx.Option) error {
	t.Helper()
	err := fx.New(append([]fx.Option{fx.Logger(quiet{}), fx.NopLogger}, opts...)...).Err()
	require.Error(t, err)
	return err
}

// Manager stands for a type an auto-configuration provides when enabled.
type Manager struct{}

// pluginsAC provides *Manager only when plugins.enabled is true.
var pluginsAC = autoconfig.New("plugins",
	autoconfig.When(autoconfig.OnBooleanProperty("plugins.enabled", false)),
	autoconfig.Provide(fx.Provide(func() *Manager { return &Manager{} })),
)

func report(t *testing.T, yaml string, opts ...autoconfig.EvalOption) *autoconfig.Report {
	t.Helper()
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, yaml)}, []*autoconfig.AutoConfig{pluginsAC, defaultGreeterAC}, opts...)
	require.NoError(t, err)
	return res.Report
}

func TestAnalyzeMissingType(t *testing.T) {
	needsManager := fx.Invoke(func(*Manager) {})
	tests := []struct {
		desc     string
		err      func(t *testing.T) error
		report   func(t *testing.T) *autoconfig.Report
		desc1    []string // in the description
		action   []string // in the action
		analyzer string
	}{
		{
			desc:   "no report: provide it",
			err:    func(t *testing.T) error { return buildErr(t, needsManager) },
			report: func(*testing.T) *autoconfig.Report { return nil },
			desc1: []string{
				`function "github.com/gofly-framework/gofly/autoconfig_test".TestAnalyzeMissingType.func1 (`,
				"analyze_test.go:", "needs *autoconfig_test.Manager, which no option of the application provides.",
			},
			action: []string{"Provide *autoconfig_test.Manager: add fx.Provide with a constructor of it or fx.Supply with a value, or add the plugin or starter that provides it."},
		},
		{
			desc:   "the auto-configuration that provides it did not match",
			err:    func(t *testing.T) error { return buildErr(t, needsManager) },
			report: func(t *testing.T) *autoconfig.Report { return report(t, "x: 1") },
			desc1:  []string{"needs *autoconfig_test.Manager"},
			action: []string{
				`Auto-configuration "plugins" provides *autoconfig_test.Manager but did not match: OnBooleanProperty(plugins.enabled, default false): property "plugins.enabled" is not set; default false.`,
				"Make its conditions hold (see the condition report: --debug), or provide *autoconfig_test.Manager yourself.",
			},
		},
		{
			desc: "the auto-configuration that provides it is excluded",
			err:  func(t *testing.T) error { return buildErr(t, needsManager) },
			report: func(t *testing.T) *autoconfig.Report {
				return report(t, "plugins: {enabled: true}", autoconfig.Exclude("plugins"))
			},
			action: []string{`Auto-configuration "plugins" provides *autoconfig_test.Manager but is excluded (by gofly.ExcludeAutoConfig): remove the exclusion, or provide *autoconfig_test.Manager yourself.`},
		},
		{
			desc: "several missing types, one provided by an auto-configuration",
			err: func(t *testing.T) error {
				return buildErr(t, fx.Invoke(func(*Manager, *Dep) {}))
			},
			report: func(t *testing.T) *autoconfig.Report { return report(t, "plugins: {enabled: false}") },
			desc1:  []string{"needs *autoconfig_test.Manager and *autoconfig_test.Dep, which no option"},
			action: []string{
				`Auto-configuration "plugins" provides *autoconfig_test.Manager but did not match: OnBooleanProperty(plugins.enabled, default false): property "plugins.enabled" (from application.yaml) is false.`,
				"Provide *autoconfig_test.Dep: add fx.Provide",
			},
		},
		{
			desc: "a dependency of a constructor",
			err: func(t *testing.T) error {
				return buildErr(t, fx.Provide(func(*Dep) Greeter { return nil }), fx.Invoke(func(Greeter) {}))
			},
			report: func(*testing.T) *autoconfig.Report { return nil },
			desc1:  []string{"TestAnalyzeMissingType.func", "needs *autoconfig_test.Dep"},
			action: []string{"Provide *autoconfig_test.Dep"},
		},
		{
			desc: "the type has a provider hint from dig, which is dropped",
			err: func(t *testing.T) error {
				return buildErr(t, fx.Provide(func() Manager { return Manager{} }), needsManager)
			},
			report: func(*testing.T) *autoconfig.Report { return nil },
			desc1:  []string{"needs *autoconfig_test.Manager, which"},
			action: []string{"Provide *autoconfig_test.Manager:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := tt.err(t)
			an, ok := autoconfig.Analyze(err, tt.report(t))
			require.True(t, ok, "not analyzed: %v", err)
			assert.Equal(t, "missing-type", an.Analyzer)
			assert.Equal(t, err, an.Err)
			for _, d := range tt.desc1 {
				assert.Contains(t, an.Description, d)
			}
			for _, a := range tt.action {
				assert.Contains(t, an.Action, a)
			}
		})
	}
}

func TestAnalyzeMissingTypeSuppliedByAnAutoConfig(t *testing.T) {
	depAC := autoconfig.New("dep",
		autoconfig.When(autoconfig.OnProfile("with-dep")),
		autoconfig.Provide(fx.Supply(&Dep{}), fx.Module("inner", fx.Provide(func() Greeter { return nil }, fx.Private))),
	)
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{depAC})
	require.NoError(t, err)
	an, ok := autoconfig.Analyze(buildErr(t, fx.Invoke(func(*Dep, Greeter) {})), res.Report)
	require.True(t, ok)
	assert.Contains(t, an.Action, `Auto-configuration "dep" provides *autoconfig_test.Dep but did not match: OnProfile("with-dep")`)
	assert.Contains(t, an.Action, "Provide autoconfig_test.Greeter:", "a private provide does not count")
}

type cycA struct{}
type cycB struct{}

func TestAnalyzeCycle(t *testing.T) {
	err := buildErr(t,
		fx.Provide(func(*cycB) *cycA { return nil }, func(*cycA) *cycB { return nil }),
		fx.Invoke(func(*cycA) {}),
	)
	an, ok := autoconfig.Analyze(err, nil)
	require.True(t, ok)
	assert.Equal(t, "dependency-cycle", an.Analyzer)
	assert.Contains(t, an.Description, "The components of the application depend on each other in a cycle:\n\n    func(*autoconfig_test.cycB) *autoconfig_test.cycA provided by")
	assert.Contains(t, an.Description, "\n    depends on func(*autoconfig_test.cycA) *autoconfig_test.cycB provided by")
	assert.Contains(t, an.Action, "Break the cycle")
}

func TestAnalyzeStartTimeout(t *testing.T) {
	app := fx.New(fx.NopLogger, fx.StartTimeout(20*time.Millisecond), fx.Invoke(func(lc fx.Lifecycle) {
		lc.Append(fx.StartHook(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
	}))
	require.NoError(t, app.Err())
	ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	err := app.Start(ctx)
	require.Error(t, err)

	an, ok := autoconfig.Analyze(err, nil)
	require.True(t, ok)
	assert.Equal(t, "start-timeout", an.Analyzer)
	assert.Contains(t, an.Description, "The application did not start within its start timeout")
	assert.Contains(t, an.Action, "fx.StartTimeout")
	assert.Contains(t, an.Action, "plugins.start-timeout")

	// A plugin's own timeout names the plugin.
	perr := &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: "cache", Op: "start", Msg: `plugin "cache" did not start`, Err: err}
	an, ok = autoconfig.Analyze(fmt.Errorf("starting: %w", perr), nil)
	require.True(t, ok)
	assert.Equal(t, "start-timeout", an.Analyzer)
	assert.Contains(t, an.Description, `Plugin "cache" did not start in time`)
	assert.Contains(t, an.Action, `Make the hooks of plugin "cache" return sooner`)
}

func TestAnalyzeConfig(t *testing.T) {
	cfg := load(t, "plugins:\n  enabled: maybe\ndb:\n  password: 7\n")
	boolErr := func(key string) error {
		return buildErr(t, fx.Invoke(func() error { _, err := cfg.Bool(key, false); return err }))
	}
	t.Run("bool through fx", func(t *testing.T) {
		err := boolErr("plugins.enabled")
		an, ok := autoconfig.Analyze(err, nil)
		require.True(t, ok)
		assert.Equal(t, "config", an.Analyzer)
		assert.Contains(t, an.Description, "Key:    plugins.enabled")
		assert.Contains(t, an.Description, `Value:  "maybe"`)
		assert.Contains(t, an.Description, "Origin: application.yaml")
		assert.Contains(t, an.Description, "Reason: ")
		assert.Equal(t, `Fix the value of "plugins.enabled" in application.yaml.`, an.Action)
	})
	t.Run("a secret value is hidden", func(t *testing.T) {
		an, ok := autoconfig.Analyze(boolErr("db.password"), nil)
		require.True(t, ok)
		assert.Contains(t, an.Description, "Value:  (hidden)")
		assert.NotContains(t, an.Description, `Value:  "7"`)
	})
	t.Run("a secret value is hidden in the reason too", func(t *testing.T) {
		cfg := load(t, "db:\n  password: hunter2XYZ\n")
		_, err := kernel.Bind[struct {
			Password int `koanf:"password"`
		}](cfg, "db")
		require.Error(t, err)
		an, ok := autoconfig.Analyze(err, nil)
		require.True(t, ok)
		assert.Contains(t, an.Description, "Value:  (hidden)")
		assert.Contains(t, an.Description, "Reason: ")
		assert.NotContains(t, an.Description, "hunter2XYZ")
		assert.NotContains(t, an.Action, "hunter2XYZ")
	})
	t.Run("line and no key", func(t *testing.T) {
		an, ok := autoconfig.Analyze(&kernel.ConfigError{Source: "app.yaml", Line: 3, Msg: "cannot parse"}, nil)
		require.True(t, ok)
		assert.Contains(t, an.Description, "Origin: app.yaml:3")
		assert.Equal(t, "Fix app.yaml.", an.Action)
	})
	t.Run("evaluation error", func(t *testing.T) {
		_, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: cfg}, []*autoconfig.AutoConfig{pluginsAC})
		require.Error(t, err)
		an, ok := autoconfig.Analyze(err, nil)
		require.True(t, ok)
		assert.Equal(t, "config", an.Analyzer)
		assert.Contains(t, an.Description, "Key:    plugins.enabled")
	})
}

func TestAnalyzeResolution(t *testing.T) {
	r := report(t, "x: 1")
	r.AddSection("Plugin filter decisions", []autoconfig.Entry{{ID: "legacy", Enabled: false, Reason: "excluded by plugins.exclude"}})
	tests := []struct {
		desc   string
		err    *kernel.ResolutionError
		descr  string
		action string
	}{
		{
			desc:   "cycle",
			err:    &kernel.ResolutionError{Cycle: []string{"a", "b", "a"}, Msg: "cycle"},
			descr:  "Plugins depend on each other in a cycle: a -> b -> a.",
			action: "Break the cycle: remove one of these dependencies (plugins.DependsOn), or move what both need into a third plugin.",
		},
		{
			desc:   "constraint",
			err:    &kernel.ResolutionError{PluginID: "json", Dependency: "core", Constraint: ">=2.0.0", Found: "1.4.0", Msg: "version"},
			descr:  `Plugin "json" requires plugin "core" >=2.0.0, but version 1.4.0 is present.`,
			action: `Use a version of plugin "core" that satisfies >=2.0.0, or relax the constraint in plugin "json".`,
		},
		{
			desc:   "missing",
			err:    &kernel.ResolutionError{PluginID: "json", Dependency: "core", Msg: "missing"},
			descr:  `Plugin "json" depends on plugin "core", which is missing.`,
			action: `Add plugin "core" to the application, or remove the dependency from plugin "json".`,
		},
		{
			desc:   "missing because filtered out, from the report's sections",
			err:    &kernel.ResolutionError{PluginID: "json", Dependency: "legacy", Msg: "missing"},
			descr:  `Plugin "json" depends on plugin "legacy", which is missing.`,
			action: `Plugin "legacy" is present but was disabled (Plugin filter decisions: excluded by plugins.exclude): enable it, or remove the dependency from plugin "json".`,
		},
		{
			desc:   "other",
			err:    &kernel.ResolutionError{Msg: "something else"},
			descr:  "The plugins' dependency order could not be resolved: something else",
			action: "Check the plugins' dependencies (plugins.DependsOn) and the plugin filters in the configuration.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			// Through a real fx app: the error comes out of an invoke.
			err := buildErr(t, fx.Invoke(func() error { return tt.err }))
			an, ok := autoconfig.Analyze(err, r)
			require.True(t, ok)
			assert.Equal(t, "plugin-resolution", an.Analyzer)
			assert.Equal(t, tt.descr, an.Description)
			assert.Equal(t, tt.action, an.Action)
		})
	}
}

func TestAnalyzePluginError(t *testing.T) {
	err := buildErr(t, fx.Invoke(func() error {
		return &kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: "csv", Op: "add", Msg: `adding plugin "csv"`, Err: errors.New("bad point")}
	}))
	an, ok := autoconfig.Analyze(err, nil)
	require.True(t, ok)
	assert.Equal(t, "plugin", an.Analyzer)
	assert.Contains(t, an.Description, `Plugin "csv" failed to add: `)
	assert.Contains(t, an.Description, "bad point")
	assert.Equal(t, `Fix plugin "csv" (see the cause above), or leave it out of the application (plugins.exclude).`, an.Action)
}

func TestAnalyzePluginsOff(t *testing.T) {
	// What plugins.Reject returns when the app was given plugins while the
	// plugins auto-configuration did not match.
	rejected := &kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: "csv", Op: "add",
		Msg: "the app was given 1 plugin(s) (\"csv\") but plugins.enabled is off"}
	tests := []struct {
		desc     string
		report   func(t *testing.T) *autoconfig.Report
		analyzer string
		text     []string
	}{
		{
			desc:     "plugins.enabled not set",
			report:   func(t *testing.T) *autoconfig.Report { return report(t, "x: 1") },
			analyzer: "plugins-off",
			text: []string{`The application was given plugins, starting with "csv", but the "plugins" auto-configuration did not match: property "plugins.enabled" is not set; default false`,
				"Set plugins.enabled: true in application.yaml (or GOFLY_PLUGINS_ENABLED=true), or remove the plugins from the application's options."},
		},
		{
			desc: "plugins excluded",
			report: func(t *testing.T) *autoconfig.Report {
				return report(t, "plugins: {enabled: true}", autoconfig.Exclude("plugins"))
			},
			analyzer: "plugins-off",
			text:     []string{`is excluded (by gofly.ExcludeAutoConfig)`, `Remove "plugins" from the exclusions (autoconfig.exclude or gofly.ExcludeAutoConfig)`},
		},
		{
			desc:     "plugins matched: an ordinary plugin error",
			report:   func(t *testing.T) *autoconfig.Report { return report(t, "plugins: {enabled: true}") },
			analyzer: "plugin",
		},
		{
			desc:     "no report",
			report:   func(*testing.T) *autoconfig.Report { return nil },
			analyzer: "plugin",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			an, ok := autoconfig.Analyze(buildErr(t, fx.Invoke(func() error { return rejected })), tt.report(t))
			require.True(t, ok)
			assert.Equal(t, tt.analyzer, an.Analyzer)
			for _, s := range tt.text {
				assert.Contains(t, an.Description+"\n"+an.Action, s)
			}
		})
	}
}

func TestAnalyzeOrderCycle(t *testing.T) {
	_, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{
		autoconfig.New("a", autoconfig.After("b")),
		autoconfig.New("b", autoconfig.When(autoconfig.OnAutoConfig("a"))),
	})
	require.Error(t, err)
	an, ok := autoconfig.Analyze(err, nil)
	require.True(t, ok)
	assert.Equal(t, "autoconfig-order", an.Analyzer)
	assert.Contains(t, an.Description, "The auto-configurations cannot be ordered: cycle a -> b -> a")
	assert.Contains(t, an.Action, "Remove one of the orderings in the cycle")

	_, ok = autoconfig.Analyze(&kernel.Error{Class: kernel.ErrConfig, Msg: "something else"}, nil)
	assert.False(t, ok)
}

var errCustom = errors.New("custom failure")

func TestAnalyzerOrder(t *testing.T) {
	// custom names its analyses when name is not empty.
	custom := func(name string) autoconfig.Analyzer {
		return func(err error, _ *autoconfig.Report) (autoconfig.Analysis, bool) {
			if !errors.Is(err, errCustom) && !errors.Is(err, kernel.ErrConfig) {
				return autoconfig.Analysis{}, false
			}
			return autoconfig.Analysis{Analyzer: name, Description: "by " + name, Action: "act"}, true
		}
	}
	// An attached analyzer that does not name its analyses gets the
	// auto-configuration's name.
	starter := autoconfig.New("starter", autoconfig.WithAnalyzer(custom("")), autoconfig.WithAnalyzer(nil))
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{starter})
	require.NoError(t, err)

	cfgErr := &kernel.ConfigError{Key: "k", Msg: "bad"}
	tests := []struct {
		desc   string
		err    error
		report *autoconfig.Report
		extra  []autoconfig.Analyzer
		want   string
	}{
		{"extra first", cfgErr, res.Report, []autoconfig.Analyzer{nil, custom("extra")}, "extra"},
		{"then the auto-configurations' analyzers", cfgErr, res.Report, nil, "starter"},
		{"then the built-ins", cfgErr, nil, nil, "config"},
		{"a custom error", fmt.Errorf("wrapped: %w", errCustom), res.Report, nil, "starter"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			an, ok := autoconfig.Analyze(tt.err, tt.report, tt.extra...)
			require.True(t, ok)
			assert.Equal(t, tt.want, an.Analyzer)
			assert.Equal(t, tt.err, an.Err)
		})
	}
}

func TestAnalyzeGeneric(t *testing.T) {
	an, ok := autoconfig.Analyze(nil, nil)
	assert.False(t, ok)
	assert.Equal(t, autoconfig.Analysis{}, an)
	assert.Equal(t, "", an.String())

	unknown := errors.New("disk on fire")
	an, ok = autoconfig.Analyze(unknown, nil)
	assert.False(t, ok)
	assert.Equal(t, "", an.Analyzer)
	assert.Equal(t, unknown, an.Err)
	assert.Equal(t, `
***************************
APPLICATION FAILED TO START
***************************

Description:

The application failed: disk on fire

Action:

Read the error above. Run with --debug (or debug: true) to print the condition report.
`, an.String())

	an, ok = autoconfig.Analyze(buildErr(t, fx.Invoke(func(*Manager) {})), report(t, "x: 1"))
	require.True(t, ok)
	got := an.String()
	assert.Contains(t, got, "\nAPPLICATION FAILED TO START\n")
	assert.Contains(t, got, "\nDescription:\n\nfunction ")
	assert.Contains(t, got, "\n\nAction:\n\nAuto-configuration \"plugins\" provides *autoconfig_test.Manager but did not match")
}

func TestAnalyzeExtension(t *testing.T) {
	tests := []struct {
		desc   string
		err    *kernel.ExtensionError
		descr  string
		action string
	}{
		{
			desc:   "unknown point",
			err:    &kernel.ExtensionError{Class: kernel.ErrUnknownPoint, PointID: "formatters", Msg: `extension point "formatters" is not registered: declare it before reading its extensions`},
			descr:  `Extension point "formatters" failed: extension point "formatters" is not registered: declare it before reading its extensions`,
			action: `Declare extension point "formatters" before it is used (in the plugin or starter that owns it), or fix the point id.`,
		},
		{
			desc:   "no extensions",
			err:    &kernel.ExtensionError{Class: kernel.ErrNoExtensions, PointID: "formatters"},
			descr:  `Extension point "formatters" failed: extension point "formatters": no extensions`,
			action: `Add a plugin or option that contributes an extension to extension point "formatters", or do not require one.`,
		},
		{
			desc:   "not implemented",
			err:    &kernel.ExtensionError{Class: kernel.ErrNotImplemented, PointID: "formatters", PointType: "main.Formatter", ExtensionType: "*main.CSV"},
			action: `Make the extension implement the type of extension point "formatters" (main.Formatter).`,
		},
		{
			desc:   "duplicate point",
			err:    &kernel.ExtensionError{Class: kernel.ErrDuplicatePoint, PointID: "formatters"},
			action: `Declare extension point "formatters" once, with one type, or give one of the points another id.`,
		},
		{
			desc:   "no point id",
			err:    &kernel.ExtensionError{Class: kernel.ErrExtension, Msg: "extension point id is empty"},
			descr:  "An extension failed: extension point id is empty",
			action: "Fix the extension point or its extension (see the cause above).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := buildErr(t, fx.Invoke(func() error { return tt.err }))
			an, ok := autoconfig.Analyze(err, nil)
			require.True(t, ok)
			assert.Equal(t, "extension", an.Analyzer)
			if tt.descr != "" {
				assert.Equal(t, tt.descr, an.Description)
			}
			assert.Equal(t, tt.action, an.Action)
		})
	}

	// A plugin's error about an extension names the plugin.
	perr := &kernel.PluginError{Class: kernel.ErrPluginLoad, PluginID: "csv", Op: "add", Msg: `adding plugin "csv"`,
		Err: &kernel.ExtensionError{Class: kernel.ErrUnknownPoint, PointID: "formatters"}}
	an, ok := autoconfig.Analyze(perr, nil)
	require.True(t, ok)
	assert.Equal(t, "plugin", an.Analyzer)
}

// The analysis names what failed, without the wrapping that fx and dig add
// around a constructor's error.
func TestAnalysisDropsDigsWrapping(t *testing.T) {
	type conn struct{}
	perr := &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: "db", Op: "start", Msg: `starting plugin "db"`, Err: errors.New("refused")}
	err := buildErr(t, fx.Provide(func() (*conn, error) { return nil, perr }), fx.Invoke(func(*conn) {}))
	require.Contains(t, err.Error(), "received non-nil error from function", "dig wraps the constructor's error")
	an, ok := autoconfig.Analyze(err, nil)
	require.True(t, ok)
	assert.Equal(t, "plugin", an.Analyzer)
	assert.Equal(t, `Plugin "db" failed to start: starting plugin "db": refused`, an.Description)
}
