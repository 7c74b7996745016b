package gofly_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/goflytest"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

type heavy struct{}

// A plugin that the filters or conditions disable is left out of the app
// before fx.New: none of its constructors, invokes or hook parameters run.
func TestDisabledPluginStaysOutOfTheApp(t *testing.T) {
	var built, invoked, hookParam atomic.Int32
	newHeavy := func() *heavy { built.Add(1); return &heavy{} }
	p := func(id string, opts ...plugins.Option) *plugins.Plugin {
		return plugins.Define(id, append(opts,
			plugins.FxOptions(fx.Provide(newHeavy, fx.Private), fx.Invoke(func(*heavy) { invoked.Add(1) })),
			plugins.OnStart(func(context.Context, *heavy) error { hookParam.Add(1); return nil }))...)
	}
	var m *plugins.Manager
	app := goflytest.New(t, "plugins:\n  enabled: true\n  exclude: [off]\n",
		p("off"),
		p("cond", plugins.When(func(*kernel.Config) (bool, string) { return false, "never" })),
		p("dep", plugins.DependsOn("off")),
		p("on"),
		fx.Populate(&m),
	)
	app.RequireStart().RequireStop()
	assert.Equal(t, int32(1), built.Load(), "only the enabled plugin's constructor ran")
	assert.Equal(t, int32(1), invoked.Load())
	assert.Equal(t, int32(1), hookParam.Load())
	for id, want := range map[string]plugins.State{"off": plugins.StateDisabled, "cond": plugins.StateDisabled,
		"dep": plugins.StateDisabled, "on": plugins.StateStopped} {
		d, ok := m.Plugin(id)
		require.True(t, ok, id)
		assert.Equal(t, want, d.State, id)
	}
}

// Each plugin that brings fx options is an fx.Module named after its id, so
// fx's events name it; a private provide stays with the plugin.
func TestPluginIsAnFxModule(t *testing.T) {
	var rec moduleRecorder
	app := goflytest.New(t, "plugins:\n  enabled: true\n",
		fx.WithLogger(func() fxevent.Logger { return &rec }),
		plugins.Define("billing",
			plugins.FxOptions(fx.Provide(func() *heavy { return &heavy{} }, fx.Private)),
			plugins.OnStart(func(context.Context, *heavy) error { return nil })),
	)
	app.RequireStart().RequireStop()
	assert.Contains(t, rec.modules, "plugin.billing")

	t.Run("private to the plugin", func(t *testing.T) {
		a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\n",
			plugins.Define("billing", plugins.FxOptions(fx.Provide(func() *heavy { return &heavy{} }, fx.Private))),
			fx.Invoke(func(*heavy) {}))
		require.NoError(t, err)
		err = fx.New(append(a.Options, fx.NopLogger)...).Err()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "missing type: *gofly_test.heavy")
	})
}

type moduleRecorder struct{ modules []string }

func (r *moduleRecorder) LogEvent(e fxevent.Event) {
	if e, ok := e.(*fxevent.Provided); ok && e.ModuleName != "" {
		r.modules = append(r.modules, e.ModuleName)
	}
}

func TestAppBudgets(t *testing.T) {
	t.Run("from configuration", func(t *testing.T) {
		app := gofly.New(gofly.Environ(nil), gofly.LogOutput(io.Discard),
			gofly.ConfigYAML("gofly:\n  start-timeout: 2m\n  stop-timeout: 3s\n"))
		require.NoError(t, app.Err())
		assert.Equal(t, "2m0s", app.StartTimeout().String())
		assert.Equal(t, "3s", app.StopTimeout().String())
	})
	t.Run("fx's default", func(t *testing.T) {
		app := gofly.New(gofly.Environ(nil), gofly.LogOutput(io.Discard), gofly.ConfigYAML(""))
		require.NoError(t, app.Err())
		assert.Equal(t, fx.DefaultTimeout, app.StartTimeout())
		assert.Equal(t, fx.DefaultTimeout, app.StopTimeout())
	})
	for _, tc := range []struct{ desc, yaml, want string }{
		{"not a duration", "gofly:\n  start-timeout: soon\n", "gofly.start-timeout"},
		{"a bare number", "gofly:\n  stop-timeout: 15\n", "gofly.stop-timeout"},
		{"plugin start deadline above the app budget", "gofly:\n  start-timeout: 1s\nplugins:\n  enabled: true\n  start-timeout: 1m\n",
			`config key "plugins.start-timeout" (1m0s) is longer than the app's budget "gofly.start-timeout" (1s)`},
		{"plugin stop deadline above the app budget", "plugins:\n  enabled: true\n  stop-timeout: 60s\n",
			`config key "plugins.stop-timeout" (1m0s) is longer than the app's budget "gofly.stop-timeout" (15s)`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a, err := goflytest.Assemble(t, tc.yaml)
			if err == nil {
				err = fx.New(append(a.Options, fx.NopLogger)...).Err()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// When the app's start budget runs out while a plugin hook runs, the error
// names the plugin and the hook, and what the plugins started is stopped.
func TestStartBudgetNamesThePluginHook(t *testing.T) {
	var stopped atomic.Bool
	var errOut bytes.Buffer
	code := gofly.RunContext(context.Background(), &errOut,
		gofly.Environ(nil), gofly.LogOutput(io.Discard),
		gofly.ConfigYAML("gofly:\n  start-timeout: 50ms\nplugins:\n  enabled: true\n  start-timeout: 50ms\n"),
		plugins.Define("fast", plugins.OnStop(func(context.Context) error { stopped.Store(true); return nil })),
		plugins.Define("slow", plugins.DependsOn("fast"), plugins.OnStart(func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})),
	)
	assert.Equal(t, 1, code)
	out := errOut.String()
	assert.Contains(t, out, "start budget (gofly.start-timeout: 50ms) ran out")
	assert.Contains(t, out, `plugin "slow" failed to start (OnStart)`)
	assert.True(t, stopped.Load(), "the started plugin was stopped")
	assert.Equal(t, 1, strings.Count(out, "gofly: the application failed to start"))
}

func TestPluginErrorsFailTheApp(t *testing.T) {
	a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\n", plugins.Define("a"), plugins.Define("a"))
	require.NoError(t, err, "the report stays available")
	err = fx.New(append(a.Options, fx.NopLogger)...).Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
	assert.True(t, errors.Is(err, kernel.ErrGofly))
	assert.Contains(t, err.Error(), `plugin "a" is already added`)
}

func TestSlogBackend(t *testing.T) {
	var out bytes.Buffer
	var got *slog.Logger
	app := gofly.New(gofly.Environ(nil), gofly.LogOutput(&out),
		gofly.ConfigYAML("logging:\n  backend: slog\n  format: json\n  level: debug\n"),
		fx.Invoke(fx.Annotate(func(l *slog.Logger) { got = l }, fx.ParamTags(`name:"gofly"`))))
	require.NoError(t, app.Err())
	require.NotNil(t, got)
	got.Info("from the app")
	assert.Contains(t, out.String(), `"msg":"from the app"`)
	assert.Contains(t, out.String(), `"msg":"provided"`, "fx's events go through slog at debug")
}

func TestPluginsNeedTheExtensionAutoConfig(t *testing.T) {
	a, err := goflytest.Assemble(t, "plugins:\n  enabled: true\nautoconfig:\n  exclude: [extension]\n")
	require.NoError(t, err)
	err = fx.New(append(a.Options, fx.NopLogger)...).Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), "the extension auto-configuration is excluded")
}

// TestStopBudgetStillStopsEveryPlugin: a plugin whose OnStop ignores its
// context past the app's stop budget does not keep the others from stopping.
func TestStopBudgetStillStopsEveryPlugin(t *testing.T) {
	var stopped sync.Map
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut bytes.Buffer
	record := func(id string) func(context.Context) error {
		return func(context.Context) error { stopped.Store(id, true); return nil }
	}
	code := gofly.RunContext(ctx, &errOut,
		gofly.Environ(nil), gofly.LogOutput(io.Discard),
		gofly.ConfigYAML("gofly:\n  stop-timeout: 100ms\nplugins:\n  enabled: true\n  stop-timeout: 100ms\n"),
		plugins.Define("a", plugins.OnStop(record("a"))),
		plugins.Define("hang", plugins.DependsOn("a"), plugins.OnStop(func(context.Context) error {
			<-release // ignores its context
			return nil
		})),
		plugins.Define("z", plugins.DependsOn("hang"), plugins.OnStart(func(context.Context) error { cancel(); return nil }), plugins.OnStop(record("z"))),
		plugins.Define("other", plugins.OnStop(record("other"))),
	)
	assert.Equal(t, 1, code)
	for _, id := range []string{"z", "other"} {
		_, ok := stopped.Load(id)
		assert.True(t, ok, "%s was stopped", id)
	}
	_, ok := stopped.Load("a")
	assert.False(t, ok, "a waits for hang, which depends on it")
	out := errOut.String()
	assert.Contains(t, out, `plugin "hang" failed to stop (OnStop)`)
	assert.Contains(t, out, `plugin "a" is not stopped yet`)
}

// TestPluginsParallelismFromConfiguration: plugins.parallelism reaches the
// app's manager: two plugins that can only start together do.
func TestPluginsParallelismFromConfiguration(t *testing.T) {
	var both sync.WaitGroup
	both.Add(2)
	together := func(ctx context.Context) error {
		both.Done()
		done := make(chan struct{})
		go func() { both.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	app := goflytest.New(t, "plugins:\n  enabled: true\n  parallelism: 0\n",
		plugins.Define("x", plugins.OnStart(together)), plugins.Define("y", plugins.OnStart(together)))
	app.RequireStart().RequireStop()
}
