package plugins_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// DB is a component that plugin hooks take from the fx graph.
type DB struct {
	name string
	rec  *recorder
}

// Cache is another component, taken through an fx.In struct.
type Cache struct{ size int }

type cacheParams struct {
	fx.In
	Cache *Cache
	Maybe *time.Location `optional:"true"`
}

func startStop(t *testing.T, app *fx.App) {
	t.Helper()
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	require.NoError(t, app.Stop(context.Background()))
}

func TestFxHooksTakeGraphParameters(t *testing.T) {
	var rec recorder
	var m *plugins.Manager
	app := fx.New(fx.NopLogger,
		extension.Module,
		plugins.Module,
		plugins.New("store",
			plugins.FxOptions(
				fx.Provide(func() *DB { rec.add("new DB"); return &DB{name: "main", rec: &rec} }),
				fx.Supply(&Cache{size: 7}),
			),
			plugins.OnInit(func(ctx context.Context, db *DB) error { rec.add("init " + db.name); return nil }),
			plugins.OnStart(func(ctx context.Context, db *DB, p cacheParams) error {
				rec.add(fmt.Sprintf("start %s %d %v", db.name, p.Cache.size, p.Maybe == nil))
				return ctx.Err()
			}),
			plugins.OnStop(func(ctx context.Context, c *Cache) error { rec.add(fmt.Sprintf("stop %d", c.size)); return nil }),
			plugins.OnUnload(func(ctx context.Context, db *DB) error { rec.add("unload " + db.name); return nil }),
		),
		fx.Populate(&m),
	)
	require.NoError(t, app.Err())
	assert.Equal(t, []string{"new DB"}, rec.take(), "one DB for every hook")
	startStop(t, app)
	assert.Equal(t, []string{"init main", "start main 7 true", "stop 7"}, rec.take())
	require.NoError(t, m.UnloadAll(context.Background()))
	assert.Equal(t, []string{"unload main"}, rec.take())
}

func TestFxMissingGraphParameterFailsTheApp(t *testing.T) {
	app := fx.New(fx.NopLogger, extension.Module, plugins.Module,
		plugins.New("a", plugins.OnStart(func(context.Context, *DB) error { return nil })))
	require.Error(t, app.Err())
	assert.Contains(t, app.Err().Error(), "*plugins_test.DB")
}

func TestFxAddsPluginsInDefinitionOrder(t *testing.T) {
	// dig shuffles value groups; the manager must not.
	const n = 40
	var want []string
	for i := 0; i < n; i++ {
		want = append(want, fmt.Sprintf("p%02d", (i*17)%n))
	}
	for round := 0; round < 5; round++ {
		var rec recorder
		opts := []fx.Option{fx.NopLogger, extension.Module, plugins.Module}
		for _, id := range want {
			opts = append(opts, plugins.New(id, plugins.OnStart(rec.hook(id))))
		}
		startStop(t, fx.New(opts...))
		require.Equal(t, want, rec.take(), "round %d", round)
	}
}

// component records its construction and lifecycle.
type component struct{ name string }

func newComponent(rec *recorder, lc fx.Lifecycle, name string) *component {
	rec.add("new " + name)
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { rec.add("start " + name); return nil },
		OnStop:  func(context.Context) error { rec.add("stop " + name); return nil },
	})
	return &component{name: name}
}

type early struct{ *component }
type late struct{ *component }

func TestFxHookInterleaving(t *testing.T) {
	var rec recorder
	app := fx.New(fx.NopLogger,
		fx.Supply(&rec),
		fx.Provide(func(r *recorder, lc fx.Lifecycle) early { return early{newComponent(r, lc, "early")} }),
		fx.Provide(func(r *recorder, lc fx.Lifecycle) late { return late{newComponent(r, lc, "late")} }),
		fx.Invoke(func(late) {}), // an ordinary root invoke: runs after plugins.Module's
		extension.Module,
		plugins.Module,
		// Defined dependent first: the dependency order still puts "a" first.
		plugins.New("b", plugins.DependsOn("a"),
			plugins.OnStart(func(ctx context.Context, e early) error { rec.add("start plugin b"); return nil }),
			plugins.OnStop(func(ctx context.Context) error { rec.add("stop plugin b"); return nil })),
		plugins.New("a",
			plugins.OnStart(func(ctx context.Context) error { rec.add("start plugin a"); return nil }),
			plugins.OnStop(func(ctx context.Context) error { rec.add("stop plugin a"); return nil })),
	)
	startStop(t, app)
	assert.Equal(t, []string{
		"new early", "new late",
		"start early", "start plugin a", "start plugin b", "start late",
		"stop late", "stop plugin b", "stop plugin a", "stop early",
	}, rec.take())
}

func TestFxExtensionsAreThereForEarlyReaders(t *testing.T) {
	var printed, viaRegistry []string
	app := fx.New(fx.NopLogger,
		// Listed before everything: its invoke must still see the plugins' extensions.
		fx.Invoke(func(fs extension.Extensions[Greeter], r *extension.Registry) {
			for _, g := range fs.All() {
				printed = append(printed, g.Greet())
			}
			for _, g := range extension.All(r, greeters) {
				viaRegistry = append(viaRegistry, g.Greet())
			}
		}),
		extension.Module,
		extension.Provide(greeters),
		plugins.New("en", plugins.Extend[Greeter](greeters, greeter("hello"), 1)),
		plugins.New("fr", plugins.Extend[Greeter](greeters, greeter("bonjour"), 2)),
		plugins.Module,
	)
	startStop(t, app)
	assert.Equal(t, []string{"bonjour", "hello"}, printed)
	assert.Equal(t, printed, viaRegistry)
}

func TestFxRequiredPointFilledByPlugins(t *testing.T) {
	required := extension.NewPoint[Greeter]("required-greeters", extension.Required())
	t.Run("filled", func(t *testing.T) {
		startStop(t, fx.New(fx.NopLogger, extension.Module, plugins.Module,
			plugins.New("decl", plugins.Declares(required)),
			plugins.New("impl", plugins.Extend[Greeter](required, greeter("hi"), 1)),
		))
	})
	t.Run("empty", func(t *testing.T) {
		app := fx.New(fx.NopLogger, extension.Module, plugins.Module, plugins.New("decl", plugins.Declares(required)))
		require.NoError(t, app.Err())
		err := app.Start(context.Background())
		assert.ErrorIs(t, err, kernel.ErrNoExtensions)
	})
}

func TestFxConfigAndManagerOptions(t *testing.T) {
	cfg := loadYAML(t, "plugins:\n  exclude: [off]\n  start-timeout: 1h\n")
	var l events
	var deadline time.Duration
	var m *plugins.Manager
	s, err := plugins.LoadSettings(cfg)
	require.NoError(t, err)
	s.StartTimeout = time.Minute
	app := fx.New(fx.NopLogger,
		fx.Supply(cfg),
		extension.Module,
		plugins.Module,
		plugins.WithListener(l.listen),
		plugins.WithSettings(s), // manager options win over the configuration
		plugins.New("off"),
		plugins.New("on", plugins.When(func(c *kernel.Config) (bool, string) {
			return c.Exists("plugins.exclude"), "conditions see the app's config"
		}), plugins.OnStart(func(ctx context.Context) error {
			d, _ := ctx.Deadline()
			deadline = time.Until(d)
			return nil
		})),
		fx.Populate(&m),
	)
	startStop(t, app)
	assert.Equal(t, "off=DISABLED on=STOPPED", states(m))
	assert.InDelta(t, time.Minute.Seconds(), deadline.Seconds(), 5)
	assert.Equal(t, []string{"off:UNLOADED>DISABLED", "on:UNLOADED>LOADED", "on:LOADED>STARTED", "on:STARTED>STOPPED"}, l.strings())
}

func TestFxErrors(t *testing.T) {
	tests := []struct {
		desc  string
		opts  []fx.Option
		is    error
		start bool // the error shows at Start, not at New
	}{
		{desc: "bad plugins config", opts: []fx.Option{fx.Supply(loadYAML(t, "plugins:\n  bogus: 1\n")), plugins.New("a")}, is: kernel.ErrConfig},
		{desc: "duplicate id", opts: []fx.Option{plugins.New("a"), plugins.New("a")}, is: kernel.ErrPluginLoad},
		{desc: "invalid definition", opts: []fx.Option{plugins.New("Bad")}, is: kernel.ErrPluginLoad},
		{desc: "missing dependency", opts: []fx.Option{plugins.New("a", plugins.DependsOn("b"))}, is: kernel.ErrPluginResolution, start: true},
		{desc: "failing hook", opts: []fx.Option{plugins.New("a", plugins.OnStart(func(context.Context) error { return errBoom }))}, is: errBoom, start: true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			app := fx.New(append([]fx.Option{fx.NopLogger, extension.Module, plugins.Module}, tt.opts...)...)
			if !tt.start {
				assert.ErrorIs(t, app.Err(), tt.is)
				return
			}
			require.NoError(t, app.Err())
			err := app.Start(context.Background())
			assert.ErrorIs(t, err, tt.is)
		})
	}
}

func TestFxPluginIsReusableAcrossApps(t *testing.T) {
	var rec recorder
	opt := plugins.New("shared", plugins.OnStart(func(ctx context.Context, db *DB) error { rec.add("start " + db.name); return nil }))
	for _, name := range []string{"one", "two"} {
		startStop(t, fx.New(fx.NopLogger, extension.Module, plugins.Module, opt,
			fx.Provide(func() *DB { return &DB{name: name} })))
	}
	assert.Equal(t, []string{"start one", "start two"}, rec.take(), "each app binds its own parameters")
}

func TestFxHookMayTakeTheManager(t *testing.T) {
	var seen []string
	startStop(t, fx.New(fx.NopLogger, extension.Module, plugins.Module,
		plugins.New("dep"),
		plugins.New("self", plugins.DependsOn("dep"), plugins.OnStart(func(ctx context.Context, m *plugins.Manager) error {
			for _, d := range m.Plugins() {
				seen = append(seen, d.ID+"="+d.State.String())
			}
			return nil
		})),
	))
	assert.Equal(t, []string{"dep=STARTED", "self=LOADED"}, seen)
}

// hookCounter counts the fx OnStart/OnStop hooks that run.
type hookCounter struct{ starts, stops []string }

func (h *hookCounter) LogEvent(e fxevent.Event) {
	switch e := e.(type) {
	case *fxevent.OnStartExecuting:
		h.starts = append(h.starts, e.FunctionName)
	case *fxevent.OnStopExecuting:
		h.stops = append(h.stops, e.FunctionName)
	}
}

func TestFxOneHookPairForAllPlugins(t *testing.T) {
	var h hookCounter
	opts := []fx.Option{fx.WithLogger(func() fxevent.Logger { return &h }), extension.Module, plugins.Module}
	for i := 0; i < 25; i++ {
		opts = append(opts, plugins.New(fmt.Sprintf("p%d", i), plugins.OnStart(nopHook), plugins.OnStop(nopHook)))
	}
	startStop(t, fx.New(opts...))
	var ours []string
	for _, name := range append(h.starts, h.stops...) {
		if strings.Contains(name, "plugins.(*Manager)") {
			ours = append(ours, name)
		}
	}
	assert.Len(t, ours, 2, "one OnStart and one OnStop hook for 25 plugins: %v / %v", h.starts, h.stops)
}
