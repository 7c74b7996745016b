package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

var (
	greeters  = extension.NewPoint[Greeter]("greeters")
	stringers = extension.NewPoint[Stringer]("stringers")
)

func TestRegistryIsTheOneGiven(t *testing.T) {
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg)
	assert.Same(t, reg, m.Registry())
	assert.NotNil(t, plugins.NewManager(nil).Registry(), "a nil registry gets a fresh one")
}

func TestAddDeclaresPointsThenRegistersExtensions(t *testing.T) {
	// A strict registry refuses extensions for undeclared points, so the
	// first Extend, listed before Declares, succeeds only if the point is
	// declared first.
	reg := extension.NewRegistry(extension.Strict())
	m := plugins.NewManager(reg)
	require.NoError(t, m.Add(plugins.Define("a",
		plugins.Extend[Greeter](greeters, greeter("hi"), 1),
		plugins.Declares(greeters),
		plugins.Extend[Greeter](greeters, greeter("ho"), 2),
	)), "points first, then extensions")
	assert.True(t, reg.HasPoint("greeters"))
	got := extension.All(reg, greeters)
	require.Len(t, got, 2)
	assert.Equal(t, "ho", got[0].Greet(), "highest priority first")
	assert.Equal(t, plugins.StateLoaded, state(t, m, "a"))
}

func TestAddIsAllOrNothing(t *testing.T) {
	tests := []struct {
		desc string
		// prepare the registry (and the manager) before the failing Add
		prepare func(t *testing.T, reg *extension.Registry, m *plugins.Manager)
		plugin  *plugins.Plugin
		is      []error
	}{
		{
			desc: "extension does not implement the declared point",
			prepare: func(t *testing.T, reg *extension.Registry, _ *plugins.Manager) {
				require.NoError(t, extension.Declare(reg, extension.NewPoint[Greeter]("shared")))
			},
			plugin: plugins.Define("bad",
				plugins.Declares(stringers),
				plugins.Extend[Stringer](stringers, onlyStringer("s"), 1),
				plugins.Extend[Stringer](extension.NewPoint[Stringer]("shared"), onlyStringer("x"), 1),
			),
			is: []error{kernel.ErrPluginLoad, kernel.ErrNotImplemented},
		},
		{
			desc: "nil extension",
			plugin: plugins.Define("bad",
				plugins.Declares(greeters),
				plugins.Extend[Greeter](greeters, greeter("ok"), 1),
				plugins.Extend[Greeter](greeters, nil, 1),
			),
			is: []error{kernel.ErrPluginLoad, kernel.ErrNotImplemented},
		},
		{
			desc: "point declared with another type",
			prepare: func(t *testing.T, reg *extension.Registry, _ *plugins.Manager) {
				require.NoError(t, extension.Declare(reg, extension.NewPoint[Stringer]("greeters")))
			},
			plugin: plugins.Define("bad", plugins.Declares(stringers), plugins.Declares(greeters)),
			is:     []error{kernel.ErrPluginLoad, kernel.ErrDuplicatePoint},
		},
		{
			desc: "point declared by another plugin with another type",
			prepare: func(t *testing.T, _ *extension.Registry, m *plugins.Manager) {
				require.NoError(t, m.Add(plugins.Define("owner", plugins.Declares(extension.NewPoint[Stringer]("greeters")))))
			},
			plugin: plugins.Define("bad", plugins.Declares(stringers), plugins.Extend[Stringer](stringers, onlyStringer("s"), 1), plugins.Declares(greeters)),
			is:     []error{kernel.ErrPluginLoad, kernel.ErrDuplicatePoint},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			reg := extension.NewRegistry()
			m := plugins.NewManager(reg)
			if tt.prepare != nil {
				tt.prepare(t, reg, m)
			}
			pointsBefore := reg.PointIDs()
			before := states(m)
			err := m.Add(tt.plugin)
			require.Error(t, err)
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			var pe *kernel.PluginError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "bad", pe.PluginID)
			assert.Equal(t, pointsBefore, reg.PointIDs(), "no point left behind")
			assert.Empty(t, reg.Get("stringers"), "no extension left behind")
			assert.Empty(t, extension.All(reg, greeters))
			_, ok := m.Plugin("bad")
			assert.False(t, ok, "no plugin left behind")
			assert.Equal(t, before, states(m))
			// The failed plugin can be fixed and added again.
			require.NoError(t, m.Add(plugins.Define("bad")))
		})
	}
}

func TestAddStrictRegistryNeedsDeclaredPoint(t *testing.T) {
	reg := extension.NewRegistry(extension.Strict())
	m := plugins.NewManager(reg)
	err := m.Add(plugins.Define("a", plugins.Extend[Greeter](greeters, greeter("x"), 1)))
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
	assert.ErrorIs(t, err, kernel.ErrUnknownPoint)
	assert.Empty(t, reg.Get("greeters"))
	require.NoError(t, m.Add(plugins.Define("b", plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("x"), 1))))
	assert.Len(t, extension.All(reg, greeters), 1)
}

func TestAddDuplicateLeavesOriginalUntouched(t *testing.T) {
	var rec recorder
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg)
	mustAdd(t, m, rec.def("a", plugins.Version("1.0.0"), plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("one"), 1)))
	require.NoError(t, m.StartPlugin(context.Background(), "a"))
	before, _ := m.Plugin("a")

	err := m.Add(rec.def("a", plugins.Version("2.0.0"), plugins.Extend[Greeter](greeters, greeter("two"), 1)))
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
	assert.Contains(t, err.Error(), `plugin "a" is already added`)

	after, _ := m.Plugin("a")
	assert.Equal(t, before, after)
	got := extension.All(reg, greeters)
	require.Len(t, got, 1)
	assert.Equal(t, "one", got[0].Greet())
}

func TestAddNil(t *testing.T) {
	err := newManager(t).Add(nil)
	assert.ErrorIs(t, err, kernel.ErrPluginLoad)
}

func TestAddBeforeDependency(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m, plugins.Define("b", plugins.DependsOn("a")))
	assert.Equal(t, plugins.StateLoaded, state(t, m, "b"))
	_, err := m.Order()
	assert.ErrorIs(t, err, kernel.ErrPluginResolution)
	mustAdd(t, m, plugins.Define("a"))
	order, err := m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, order)
}

func TestPluginsAreSortedSnapshots(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m, plugins.Define("c", plugins.Tags("x")), plugins.Define("a", plugins.DependsOn("c")), plugins.Define("b"))
	ds := m.Plugins()
	require.Len(t, ds, 3)
	assert.Equal(t, []string{"a", "b", "c"}, []string{ds[0].ID, ds[1].ID, ds[2].ID})

	ds[2].Tags[0] = "changed"
	ds[0].DependsOn[0].ID = "changed"
	ds[1].State = plugins.StateStarted
	c, _ := m.Plugin("c")
	a, _ := m.Plugin("a")
	assert.Equal(t, []string{"x"}, c.Tags)
	assert.Equal(t, "c", a.DependsOn[0].ID)
	assert.Equal(t, plugins.StateLoaded, state(t, m, "b"))

	_, ok := m.Plugin("nope")
	assert.False(t, ok)
}

func TestRemove(t *testing.T) {
	ctx := context.Background()
	t.Run("started plugin: OnStop, OnUnload, then unregistration", func(t *testing.T) {
		var rec recorder
		var order []string
		reg := extension.NewRegistry()
		m := plugins.NewManager(reg)
		mustAdd(t, m, rec.def("a", plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("x"), 1)))
		require.NoError(t, m.StartPlugin(ctx, "a"))
		rec.take()
		order = nil

		m.AddListener(func(ch plugins.StateChange) {
			order = append(order, fmt.Sprintf("%s point=%t extensions=%d", ch.New, reg.HasPoint("greeters"), len(reg.Get("greeters"))))
		})
		removed, err := m.Remove(ctx, "a")
		require.NoError(t, err)
		assert.True(t, removed)
		assert.Equal(t, []string{"stop:a", "unload:a"}, rec.take())
		assert.Equal(t, []string{"STOPPED point=true extensions=1", "UNLOADED point=false extensions=0"}, order,
			"the extension, then the point, are withdrawn after OnUnload, before UNLOADED")
		assert.False(t, reg.HasPoint("greeters"))
		assert.Empty(t, reg.Get("greeters"))
		_, ok := m.Plugin("a")
		assert.False(t, ok)
	})
	t.Run("never started plugin: no hook", func(t *testing.T) {
		var rec recorder
		m := newManager(t)
		mustAdd(t, m, rec.def("a"))
		removed, err := m.Remove(ctx, "a")
		require.NoError(t, err)
		assert.True(t, removed)
		assert.Empty(t, rec.take(), "OnUnload pairs with OnInit, which never ran")
	})
	t.Run("stopped plugin: OnUnload only", func(t *testing.T) {
		var rec recorder
		m := newManager(t)
		mustAdd(t, m, rec.def("a"))
		require.NoError(t, m.StartPlugin(ctx, "a"))
		require.NoError(t, m.StopPlugin(ctx, "a"))
		rec.take()
		_, err := m.Remove(ctx, "a")
		require.NoError(t, err)
		assert.Equal(t, []string{"unload:a"}, rec.take())
	})
	t.Run("unknown id", func(t *testing.T) {
		removed, err := newManager(t).Remove(ctx, "nope")
		assert.False(t, removed)
		assert.NoError(t, err)
	})
	t.Run("refused while others depend on it", func(t *testing.T) {
		var rec recorder
		m := newManager(t)
		mustAdd(t, m, rec.def("a"), rec.def("b", plugins.DependsOn("a")), rec.def("c", plugins.OptionalDependsOn("a")), rec.def("d"))
		require.NoError(t, m.StartAll(ctx))
		rec.take()
		removed, err := m.Remove(ctx, "a")
		assert.False(t, removed)
		require.Error(t, err)
		assert.ErrorIs(t, err, kernel.ErrPluginState)
		assert.Contains(t, err.Error(), `plugins "b", "c" depend on it`)
		assert.Empty(t, rec.take(), "a refused removal runs no hook")
		assert.Equal(t, "a=STARTED b=STARTED c=STARTED d=STARTED", states(m))
	})
	t.Run("hook failures are reported, the plugin is removed", func(t *testing.T) {
		var rec recorder
		reg := extension.NewRegistry()
		m := plugins.NewManager(reg)
		mustAdd(t, m, plugins.Define("a",
			plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("x"), 1),
			plugins.OnStart(rec.hook("start")),
			plugins.OnStop(rec.failing("stop", errBoom)),
			plugins.OnUnload(rec.failing("unload", errors.New("bang"))),
		))
		require.NoError(t, m.StartPlugin(ctx, "a"))
		removed, err := m.Remove(ctx, "a")
		assert.True(t, removed)
		require.Error(t, err)
		assert.ErrorIs(t, err, kernel.ErrPluginStop)
		assert.ErrorIs(t, err, errBoom)
		assert.Contains(t, err.Error(), "bang")
		assert.False(t, reg.HasPoint("greeters"))
		assert.Empty(t, m.Plugins())
	})
}

func TestPointsAreReferenceCounted(t *testing.T) {
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg)
	ctx := context.Background()
	mustAdd(t, m,
		plugins.Define("owner", plugins.Declares(greeters)),
		plugins.Define("user", plugins.Extend[Greeter](greeters, greeter("x"), 1)),
		plugins.Define("implicit", plugins.Extend[Stringer](stringers, onlyStringer("s"), 1)),
	)
	assert.Equal(t, []string{"greeters", "stringers"}, reg.PointIDs(), "extending an undeclared point declares it")

	_, err := m.Remove(ctx, "owner")
	require.NoError(t, err)
	assert.True(t, reg.HasPoint("greeters"), "the point stays while a plugin still contributes to it")
	assert.Len(t, extension.All(reg, greeters), 1)

	_, err = m.Remove(ctx, "user")
	require.NoError(t, err)
	_, err = m.Remove(ctx, "implicit")
	require.NoError(t, err)
	assert.Empty(t, reg.PointIDs())
}

func TestUnloadAllRestoresRegistry(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	reg := extension.NewRegistry()
	// What was there before the plugins: a declared point with an extension.
	require.NoError(t, extension.Declare(reg, greeters))
	require.NoError(t, extension.Add[Greeter](reg, greeters, greeter("host"), 5))
	pointsBefore := reg.PointIDs()
	extsBefore := reg.Get("greeters")

	m := plugins.NewManager(reg)
	others := extension.NewPoint[Greeter]("others")
	mustAdd(t, m,
		rec.def("top", plugins.DependsOn("mid"), plugins.Extend[Greeter](others, greeter("t"), 1)),
		rec.def("mid", plugins.DependsOn("base"), plugins.Declares(greeters), plugins.Extend[Greeter](greeters, greeter("m"), 9)),
		rec.def("base", plugins.Declares(others), plugins.Declares(stringers), plugins.Extend[Stringer](stringers, onlyStringer("b"), 1)),
		rec.def("alone", plugins.Extend[Greeter](greeters, greeter("a"), 0)),
	)
	require.NoError(t, m.StartAll(ctx))
	rec.take()
	require.NotEqual(t, pointsBefore, reg.PointIDs())

	require.NoError(t, m.UnloadAll(ctx))
	// Dependency order: base, mid, top, alone (alone is ready from the start
	// but added last); unloading reverses it.
	assert.Equal(t, []string{"stop:alone", "unload:alone", "stop:top", "unload:top", "stop:mid", "unload:mid", "stop:base", "unload:base"}, rec.take())
	assert.Empty(t, m.Plugins())
	assert.Equal(t, pointsBefore, reg.PointIDs())
	assert.Equal(t, extsBefore, reg.Get("greeters"))
	assert.Empty(t, reg.Get("others"))
	assert.Empty(t, reg.Get("stringers"))
	order, err := m.Order()
	require.NoError(t, err)
	assert.Empty(t, order)
}

func TestUnloadAllGoesOnAfterFailures(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		plugins.Define("a", plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:a", errors.New("a broke")))),
		plugins.Define("b", plugins.DependsOn("a"), plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:b", errors.New("b broke")))),
		plugins.Define("c", plugins.DependsOn("x")), // unresolvable: unload must still work
	)
	require.NoError(t, m.StartPlugin(ctx, "b"))
	err := m.UnloadAll(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStop)
	assert.Contains(t, err.Error(), "a broke")
	assert.Contains(t, err.Error(), "b broke")
	assert.Equal(t, []string{"stop:b", "stop:a"}, rec.take())
	assert.Empty(t, m.Plugins())
}

// TestUnloadAllLongChainAddedInReverse unloads a 100,000-plugin chain added
// from its end, so that every plugin unloaded sits at the front of the add
// order: removing it from there one at a time made UnloadAll quadratic (over a
// minute under -race). While it runs, a listener sees each unloaded plugin gone
// from the reads.
func TestUnloadAllLongChainAddedInReverse(t *testing.T) {
	const n = 100_000
	ctx := context.Background()
	m := newManager(t)
	for i := n - 1; i >= 0; i-- {
		var opts []plugins.Option
		if i > 0 {
			opts = append(opts, dep(fmt.Sprintf("p%d", i-1)))
		}
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", i), opts...))
	}
	require.NoError(t, m.StartAll(ctx))
	unloaded := 0
	var stale []string
	m.AddListener(func(ch plugins.StateChange) {
		if ch.New != plugins.StateUnloaded {
			return
		}
		unloaded++
		if _, ok := m.Plugin(ch.Plugin); ok {
			stale = append(stale, ch.Plugin)
		}
		if unloaded%(n/4) == 0 { // Plugins is linear: sample it
			if got := len(m.Plugins()); got != n-unloaded {
				stale = append(stale, fmt.Sprintf("%d plugins listed after %d unloaded", got, unloaded))
			}
			if got := len(m.Decisions()); got != n-unloaded {
				stale = append(stale, fmt.Sprintf("%d decisions listed after %d unloaded", got, unloaded))
			}
		}
	})
	require.NoError(t, m.UnloadAll(ctx)) // its speed: BenchmarkUnloadAllReverseChain
	assert.Equal(t, n, unloaded)
	assert.Empty(t, stale)
	assert.Empty(t, m.Plugins())
	assert.Empty(t, m.Decisions())

	// The manager is usable afterwards, ids included.
	mustAdd(t, m, plugins.Define("p1", dep("p0")), plugins.Define("p0"))
	order, err := m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"p0", "p1"}, order)
}

// TestRemoveThenReadd removes plugins one at a time (the removed entries are
// compacted lazily) and checks every read forgets them at once.
func TestRemoveThenReadd(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("a"), rec.def("b", dep("a")), rec.def("c"), rec.def("d", dep("c")))
	require.NoError(t, m.StartAll(ctx))
	for _, id := range []string{"b", "d"} {
		ok, err := m.Remove(ctx, id)
		require.NoError(t, err)
		require.True(t, ok)
	}
	assert.Equal(t, "a=STARTED c=STARTED", states(m))
	assert.Len(t, m.Decisions(), 2)
	order, err := m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c"}, order)
	ok, err := m.Remove(ctx, "a")
	require.NoError(t, err)
	require.True(t, ok, "b, which depended on a, is gone")

	mustAdd(t, m, rec.def("b", dep("c")), rec.def("a"))
	assert.Equal(t, "a=LOADED b=LOADED c=STARTED", states(m))
	order, err = m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "b", "a"}, order)
	require.NoError(t, m.UnloadAll(ctx))
	assert.Empty(t, m.Plugins())
}

// TestRemoveWithdrawsByIdentity: a plugin's extensions are withdrawn with
// Registry.Unregister. Closures made by one factory are distinct extensions;
// the very same value contributed by two plugins is one value registered
// twice, of which removing either plugin removes the more recent.
func TestRemoveWithdrawsByIdentity(t *testing.T) {
	ctx := context.Background()
	hooks := extension.NewPoint[func() string]("hooks")
	factory := func(s string) func() string { return func() string { return s } }
	reg := extension.NewRegistry()
	m := plugins.NewManager(reg)
	mustAdd(t, m, plugins.Define("a", plugins.Extend(hooks, factory("a"), 0)))
	mustAdd(t, m, plugins.Define("b", plugins.Extend(hooks, factory("b"), 0)))
	mustAdd(t, m, plugins.Define("c", plugins.Extend[Greeter](greeters, greeter("same"), 1)))
	mustAdd(t, m, plugins.Define("d", plugins.Extend[Greeter](greeters, greeter("same"), 9)))

	_, err := m.Remove(ctx, "a")
	require.NoError(t, err)
	var left []string
	for _, h := range extension.All(reg, hooks) {
		left = append(left, h())
	}
	assert.Equal(t, []string{"b"}, left, "a's closure went, b's stayed")

	_, err = m.Remove(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, []extension.Entry{{Value: greeter("same"), Priority: 1}}, reg.Entries("greeters"))
}
