package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

func TestStartPluginStartsDependenciesFirst(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		rec.def("c", dep("b")),
		rec.def("unrelated"),
		rec.def("b", dep("a")),
		rec.def("sibling", dep("a")),
		rec.def("a"),
	)
	require.NoError(t, m.StartPlugin(ctx, "c"))
	assert.Equal(t, []string{"init:a", "start:a", "init:b", "start:b", "init:c", "start:c"}, rec.take())
	assert.Equal(t, "a=STARTED b=STARTED c=STARTED sibling=LOADED unrelated=LOADED", states(m))

	t.Run("skips plugins already started", func(t *testing.T) {
		require.NoError(t, m.StartPlugin(ctx, "sibling"))
		assert.Equal(t, []string{"init:sibling", "start:sibling"}, rec.take())
		require.NoError(t, m.StartPlugin(ctx, "c"), "starting a STARTED plugin is a no-op")
		assert.Empty(t, rec.take())
	})
}

func TestOnInitRunsOnceBeforeFirstStart(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("a"))
	for range 3 {
		require.NoError(t, m.StartPlugin(ctx, "a"))
		require.NoError(t, m.StopPlugin(ctx, "a"))
	}
	require.NoError(t, m.StartAll(ctx))
	assert.Equal(t, []string{"init:a", "start:a", "stop:a", "start:a", "stop:a", "start:a", "stop:a", "start:a"}, rec.take())
}

func TestFailedOnInitIsAStartFailureAndRunsAgain(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	var fail atomic.Bool
	fail.Store(true)
	m := newManager(t)
	mustAdd(t, m, plugins.Define("a",
		plugins.OnInit(func(context.Context) error {
			rec.add("init")
			if fail.Load() {
				return errBoom
			}
			return nil
		}),
		plugins.OnStart(rec.hook("start")),
	))
	err := m.StartPlugin(ctx, "a")
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.ErrorIs(t, err, errBoom)
	assert.Contains(t, err.Error(), `plugin "a" failed to start (OnInit): boom`)
	assert.Equal(t, plugins.StateFailed, state(t, m, "a"))

	fail.Store(false)
	require.NoError(t, m.StartPlugin(ctx, "a"))
	assert.Equal(t, []string{"init", "init", "start"}, rec.take())
}

// failingStart returns an OnStart hook for each kind of failure, the text
// FailedReason must have, and the errors the returned error must match.
func failingStart(kind string, release <-chan struct{}, on *atomic.Bool) (hook func(context.Context) error, reason string, is []error) {
	fail := func() bool { return on == nil || on.Load() }
	switch kind {
	case "error":
		return func(context.Context) error {
			if fail() {
				return fmt.Errorf("connecting: %w", errBoom)
			}
			return nil
		}, "connecting: boom", []error{errBoom}
	case "panic":
		return func(context.Context) error {
			if fail() {
				panic(errBoom)
			}
			return nil
		}, "OnStart hook panicked: boom", []error{errBoom}
	case "panic-value":
		return func(context.Context) error {
			if fail() {
				panic("kaput")
			}
			return nil
		}, "OnStart hook panicked: kaput", nil
	case "timeout":
		return func(ctx context.Context) error {
			if fail() {
				<-ctx.Done() // honours its context
				return ctx.Err()
			}
			return nil
		}, "OnStart hook timed out after 30ms (raise plugins.start-timeout or plugins.stop-timeout, or make the hook faster)", []error{context.DeadlineExceeded}
	case "timeout-ignoring-context":
		return func(context.Context) error {
			if fail() {
				<-release // ignores its context; the test releases it
			}
			return nil
		}, "OnStart hook timed out after 30ms (raise plugins.start-timeout or plugins.stop-timeout, or make the hook faster)", []error{context.DeadlineExceeded}
	}
	panic(kind)
}

func TestStartFailureRollsBackAndFails(t *testing.T) {
	for _, kind := range []string{"error", "panic", "panic-value", "timeout"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			release := make(chan struct{})
			defer close(release)
			var failing atomic.Bool
			failing.Store(true)
			hook, reason, is := failingStart(kind, release, &failing)

			var rec recorder
			l := &events{}
			m := newManager(t, settings(startTimeout(30*time.Millisecond)), plugins.WithListener(l.listen))
			mustAdd(t, m,
				rec.def("a"),
				rec.def("b", dep("a")),
				plugins.Define("c", dep("b"), plugins.OnStart(hook), plugins.OnStop(rec.hook("stop:c"))),
				rec.def("other"),
			)
			require.NoError(t, m.StartPlugin(ctx, "a")) // started before: not rolled back
			rec.take()
			l.reset()

			err := m.StartPlugin(ctx, "c")
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrPluginStart)
			for _, target := range is {
				assert.ErrorIs(t, err, target)
			}
			var pe *kernel.PluginError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "c", pe.PluginID)
			assert.Contains(t, err.Error(), `plugin "c" failed to start (OnStart): `+reason)

			assert.Equal(t, []string{"init:b", "start:b", "stop:b"}, rec.take(), "b, started by this call, is stopped again")
			assert.Equal(t, "a=STARTED b=STOPPED c=FAILED other=LOADED", states(m))
			c, _ := m.Plugin("c")
			if strings.HasPrefix(kind, "panic") { // the reason names where it panicked
				assert.True(t, strings.HasPrefix(c.FailedReason, reason+" (at "), c.FailedReason)
				assert.Contains(t, c.FailedReason, "lifecycle_test.go:")
			} else {
				assert.Equal(t, reason, c.FailedReason)
			}
			assert.Equal(t, []string{"b:LOADED>STARTED", "c:LOADED>FAILED", "b:STARTED>STOPPED"}, l.strings())

			// A later successful start clears FailedReason.
			failing.Store(false)
			require.NoError(t, m.StartPlugin(ctx, "c"))
			c, _ = m.Plugin("c")
			assert.Equal(t, plugins.StateStarted, c.State)
			assert.Empty(t, c.FailedReason)
			require.NoError(t, m.StopAll(ctx))
		})
	}
}

func TestRollbackFailuresAreJoined(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		rec.def("a"),
		plugins.Define("b", dep("a"), plugins.OnStart(rec.hook("start:b")), plugins.OnStop(rec.failing("stop:b", errors.New("b will not stop")))),
		plugins.Define("c", dep("b"), plugins.OnStart(rec.failing("start:c", errBoom))),
	)
	err := m.StartPlugin(ctx, "c")
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.ErrorIs(t, err, errBoom)
	assert.ErrorIs(t, err, kernel.ErrPluginStop)
	assert.Contains(t, err.Error(), "b will not stop")
	assert.Equal(t, []string{"init:a", "start:a", "start:b", "start:c", "stop:b", "stop:a"}, rec.take())
	assert.Equal(t, "a=STOPPED b=FAILED c=FAILED", states(m))
}

func TestUnknownAndDisabledPlugins(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, settings(exclude("off")))
	mustAdd(t, m, plugins.Define("off"))
	tests := []struct {
		desc string
		op   func() error
		want string
	}{
		{"start unknown", func() error { return m.StartPlugin(ctx, "ghost") }, `cannot start unknown plugin "ghost"`},
		{"stop unknown", func() error { return m.StopPlugin(ctx, "ghost") }, `cannot stop unknown plugin "ghost"`},
		{"start disabled", func() error { return m.StartPlugin(ctx, "off") }, `cannot start plugin "off": it is disabled`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := tt.op()
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrPluginState)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Contains(t, m.StartPlugin(ctx, "ghost").Error(), "unknown plugin")
}

func TestStopPluginStopsDependentsFirst(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		rec.def("a"),
		rec.def("b", dep("a")),
		rec.def("c", dep("b")),
		rec.def("d", opt("b")),
		rec.def("e", dep("a")),
		rec.def("f"),
	)
	require.NoError(t, m.StartAll(ctx))
	rec.take()

	require.NoError(t, m.StopPlugin(ctx, "b"))
	assert.Equal(t, []string{"stop:d", "stop:c", "stop:b"}, rec.take())
	assert.Equal(t, "a=STARTED b=STOPPED c=STOPPED d=STOPPED e=STARTED f=STARTED", states(m))

	require.NoError(t, m.StopPlugin(ctx, "b"), "stopping a stopped plugin is a no-op")
	assert.Empty(t, rec.take())

	require.NoError(t, m.StopPlugin(ctx, "a"))
	assert.Equal(t, []string{"stop:e", "stop:a"}, rec.take())
}

func TestStopFailure(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t, settings(stopTimeout(time.Second)))
	mustAdd(t, m,
		rec.def("a"),
		plugins.Define("b", dep("a"), plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:b", errBoom))),
		rec.def("c", dep("b")),
	)
	require.NoError(t, m.StartAll(ctx))
	rec.take()

	err := m.StopPlugin(ctx, "a")
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStop)
	assert.ErrorIs(t, err, errBoom)
	assert.Contains(t, err.Error(), `plugin "b" failed to stop (OnStop): boom`)
	assert.Equal(t, []string{"stop:c", "stop:b", "stop:a"}, rec.take(), "the others are still stopped")
	assert.Equal(t, "a=STOPPED b=FAILED c=STOPPED", states(m))
	b, _ := m.Plugin("b")
	assert.Equal(t, "boom", b.FailedReason)

	// A FAILED plugin is not stopped again.
	require.NoError(t, m.StopPlugin(ctx, "b"))
	require.NoError(t, m.StopAll(ctx))
	assert.Empty(t, rec.take())
}

func TestStartAll(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("b", dep("a")), rec.def("a"), rec.def("c"))
	require.NoError(t, m.StartPlugin(ctx, "c"))
	rec.take()

	require.NoError(t, m.StartAll(ctx))
	assert.Equal(t, []string{"init:a", "start:a", "init:b", "start:b"}, rec.take(), "c, already started, is skipped")

	require.NoError(t, m.StartAll(ctx))
	assert.Empty(t, rec.take(), "never twice")

	mustAdd(t, m, rec.def("late", dep("b")), rec.def("later"))
	require.NoError(t, m.StartAll(ctx))
	assert.Equal(t, []string{"init:late", "start:late", "init:later", "start:later"}, rec.take(), "plugins added after an earlier StartAll")

	require.NoError(t, m.StopPlugin(ctx, "a"))
	assert.Equal(t, []string{"stop:late", "stop:b", "stop:a"}, rec.take())
	require.NoError(t, m.StartAll(ctx))
	assert.Equal(t, []string{"start:a", "start:b", "start:late"}, rec.take(), "STOPPED plugins start again")
	assert.Equal(t, "a=STARTED b=STARTED c=STARTED late=STARTED later=STARTED", states(m))
}

func TestStartAllFailFastRollsBack(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		rec.def("pre"),
		rec.def("a"),
		rec.def("b", dep("a")),
		plugins.Define("c", dep("b"), plugins.OnStart(rec.failing("start:c", errBoom))),
		rec.def("d"),
	)
	require.NoError(t, m.StartPlugin(ctx, "pre"))
	rec.take()
	err := m.StartAll(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.ErrorIs(t, err, errBoom)
	assert.Equal(t, []string{"init:a", "start:a", "init:b", "start:b", "start:c", "stop:b", "stop:a"}, rec.take())
	assert.Equal(t, "a=STOPPED b=STOPPED c=FAILED d=LOADED pre=STARTED", states(m))

	t.Run("rollback failures are joined", func(t *testing.T) {
		var rec recorder
		m := newManager(t)
		mustAdd(t, m,
			plugins.Define("a", plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:a", errors.New("a will not stop")))),
			plugins.Define("b", dep("a"), plugins.OnStart(rec.failing("start:b", errBoom))),
		)
		err := m.StartAll(ctx)
		assert.ErrorIs(t, err, kernel.ErrPluginStart)
		assert.ErrorIs(t, err, errBoom)
		assert.ErrorIs(t, err, kernel.ErrPluginStop)
		assert.Contains(t, err.Error(), "a will not stop")
		assert.Equal(t, "a=FAILED b=FAILED", states(m))
	})
}

func TestStopAll(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m,
		plugins.Define("a", plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:a", errors.New("a broke")))),
		rec.def("b", dep("a")),
		plugins.Define("c", dep("b"), plugins.OnStart(nopHook), plugins.OnStop(rec.failing("stop:c", errors.New("c broke")))),
		rec.def("d"),
		rec.def("never"),
	)
	require.NoError(t, m.StartPlugin(ctx, "c")) // however they were started
	require.NoError(t, m.StartPlugin(ctx, "d"))
	rec.take()

	err := m.StopAll(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStop)
	assert.Contains(t, err.Error(), "a broke")
	assert.Contains(t, err.Error(), "c broke")
	assert.Equal(t, []string{"stop:d", "stop:c", "stop:b", "stop:a"}, rec.take(), "reverse dependency order, going on after failures")
	assert.Equal(t, "a=FAILED b=STOPPED c=FAILED d=STOPPED never=LOADED", states(m))
}

func TestStopAllWorksWhenPluginsNoLongerResolve(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("a", opt("b")), rec.def("c", dep("a")))
	require.NoError(t, m.StartAll(ctx))
	mustAdd(t, m, rec.def("b", dep("a"))) // a cycle through a's optional dependency
	_, err := m.Order()
	require.ErrorIs(t, err, kernel.ErrPluginResolution)
	rec.take()
	require.NoError(t, m.StopAll(ctx))
	assert.Equal(t, []string{"stop:c", "stop:a"}, rec.take())
}

func TestHookContext(t *testing.T) {
	ctx := context.Background()
	type key struct{}
	// Hooks run on their own goroutines: they record what they see, and the
	// test goroutine checks it (require's FailNow must not run in a hook).
	var startDeadline, stopDeadline time.Duration
	var sawValue, startHasDeadline, stopHasDeadline bool
	m := newManager(t, settings(startTimeout(time.Hour), stopTimeout(time.Minute)))
	mustAdd(t, m, plugins.Define("a",
		plugins.OnStart(func(ctx context.Context) error {
			d, ok := ctx.Deadline()
			startHasDeadline, startDeadline = ok, time.Until(d)
			sawValue = ctx.Value(key{}) == "v"
			return nil
		}),
		plugins.OnStop(func(ctx context.Context) error {
			d, ok := ctx.Deadline()
			stopHasDeadline, stopDeadline = ok, time.Until(d)
			return nil
		}),
	))
	require.NoError(t, m.StartAll(context.WithValue(ctx, key{}, "v")))
	require.NoError(t, m.StopAll(ctx))
	assert.True(t, startHasDeadline, "OnStart has a deadline")
	assert.True(t, stopHasDeadline, "OnStop has a deadline")
	assert.True(t, sawValue, "the hook's context derives from the caller's")
	assert.InDelta(t, time.Hour.Seconds(), startDeadline.Seconds(), 5)
	assert.InDelta(t, time.Minute.Seconds(), stopDeadline.Seconds(), 5)

	t.Run("default timeouts", func(t *testing.T) {
		var left time.Duration
		var has bool
		m := newManager(t)
		mustAdd(t, m, plugins.Define("a", plugins.OnStart(func(ctx context.Context) error {
			d, ok := ctx.Deadline()
			has, left = ok, time.Until(d)
			return nil
		})))
		require.NoError(t, m.StartAll(ctx))
		assert.True(t, has)
		assert.InDelta(t, plugins.DefaultSettings().StartTimeout.Seconds(), left.Seconds(), 2)
	})
	t.Run("no timeout", func(t *testing.T) {
		var has bool
		m := newManager(t, settings(startTimeout(0)))
		mustAdd(t, m, plugins.Define("a", plugins.OnStart(func(ctx context.Context) error {
			_, has = ctx.Deadline()
			return nil
		})))
		require.NoError(t, m.StartAll(ctx))
		assert.False(t, has)
	})
	t.Run("stop timeout", func(t *testing.T) {
		m := newManager(t, settings(stopTimeout(20*time.Millisecond)))
		mustAdd(t, m, plugins.Define("a", plugins.OnStart(nopHook), plugins.OnStop(func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})))
		require.NoError(t, m.StartAll(ctx))
		err := m.StopAll(ctx)
		assert.ErrorIs(t, err, kernel.ErrPluginStop)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "OnStop hook timed out after 20ms")
	})
}

func TestCallerContextCancelled(t *testing.T) {
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("a"), rec.def("b", dep("a")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.StartAll(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rec.take(), "no hook runs with a dead context")
	assert.Equal(t, "a=FAILED b=LOADED", states(m))
}

func TestCallingTheManagerFromAHookIsRefused(t *testing.T) {
	ctx := context.Background()
	var m *plugins.Manager
	var inner []error
	m = newManager(t)
	mustAdd(t, m, plugins.Define("b"), plugins.Define("a", plugins.OnStart(func(ctx context.Context) error {
		inner = append(inner, m.StartPlugin(ctx, "b"), m.StopAll(ctx))
		_, err := m.Remove(ctx, "b")
		inner = append(inner, err)
		// Reads are fine from a hook.
		if _, ok := m.Plugin("b"); !ok {
			return errors.New("cannot read")
		}
		return nil
	})))
	require.NoError(t, m.StartPlugin(ctx, "a"))
	require.Len(t, inner, 3)
	for _, err := range inner {
		assert.ErrorIs(t, err, kernel.ErrPluginState)
		assert.Contains(t, err.Error(), "from a hook of the same manager")
	}
}

func TestConcurrentStartPluginRunsHooksOnce(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	mustAdd(t, m, rec.def("base"), rec.def("a", dep("base")))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	startGate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			errs[i] = m.StartPlugin(ctx, "a")
		}()
	}
	close(startGate)
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 1, rec.count("start:a"))
	assert.Equal(t, 1, rec.count("init:a"))
	assert.Equal(t, 1, rec.count("start:base"))
}

// TestConcurrentOperations drives a manager from many goroutines at once and
// checks the invariants that hold if operations ran one at a time.
func TestConcurrentOperations(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	m := newManager(t)
	ids := []string{"a", "b", "c", "d", "e"}
	mustAdd(t, m, rec.def("a"), rec.def("b", dep("a")), rec.def("c", dep("b")), rec.def("d", dep("a")), rec.def("e"))
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				id := ids[(g+i)%len(ids)]
				switch (g * i) % 5 {
				case 0:
					assert.NoError(t, m.StartPlugin(ctx, id))
				case 1:
					assert.NoError(t, m.StopPlugin(ctx, id))
				case 2:
					assert.NoError(t, m.StartAll(ctx))
				case 3:
					assert.NoError(t, m.StopAll(ctx))
				case 4:
					_ = m.Plugins()
					_, _ = m.Order()
				}
			}
		}()
	}
	wg.Wait()
	// Hooks balance, and a STARTED plugin's dependencies are STARTED.
	for _, d := range m.Plugins() {
		starts, stops := rec.count("start:"+d.ID), rec.count("stop:"+d.ID)
		if d.State == plugins.StateStarted {
			assert.Equal(t, starts, stops+1, d.ID)
			for _, dd := range d.DependsOn {
				assert.Equal(t, plugins.StateStarted, state(t, m, dd.ID), "%s is started, so is its dependency %s", d.ID, dd.ID)
			}
		} else {
			assert.Equal(t, starts, stops, d.ID)
		}
		assert.LessOrEqual(t, rec.count("init:"+d.ID), 1)
	}
}

func TestListeners(t *testing.T) {
	ctx := context.Background()
	var l events
	var readDuring []plugins.State
	var m *plugins.Manager
	m = newManager(t, plugins.WithListener(l.listen), plugins.WithListener(func(ch plugins.StateChange) {
		panic("listener bug") // recovered: neither the manager nor other listeners notice
	}), plugins.WithListener(func(ch plugins.StateChange) {
		if d, ok := m.Plugin(ch.Plugin); ok { // reading from a listener is fine
			readDuring = append(readDuring, d.State)
		}
	}))
	mustAdd(t, m, plugins.Define("a", plugins.OnStart(nopHook)), plugins.Define("b", dep("a"), plugins.OnStart(func(context.Context) error { return errBoom })))
	assert.Error(t, m.StartAll(ctx))
	require.NoError(t, m.StartPlugin(ctx, "a"))
	_, err := m.Remove(ctx, "b")
	require.NoError(t, err)
	_, err = m.Remove(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"a:UNLOADED>LOADED", "b:UNLOADED>LOADED",
		"a:LOADED>STARTED", "b:LOADED>FAILED", "a:STARTED>STOPPED",
		"a:STOPPED>STARTED",
		"b:FAILED>UNLOADED",
		"a:STARTED>STOPPED", "a:STOPPED>UNLOADED",
	}, l.strings())
	assert.Equal(t, []plugins.State{
		plugins.StateLoaded, plugins.StateLoaded,
		plugins.StateStarted, plugins.StateFailed, plugins.StateStopped,
		plugins.StateStarted,
		plugins.StateStopped,
	}, readDuring, "listeners see the state already changed")

	l.mu.Lock()
	failed := l.all[3]
	l.mu.Unlock()
	assert.ErrorIs(t, failed.Err, errBoom)
	assert.Equal(t, "boom", failed.Reason)
	assert.False(t, failed.At.IsZero())

	t.Run("AddListener and its removal", func(t *testing.T) {
		var l2 events
		remove := m.AddListener(l2.listen)
		mustAdd(t, m, plugins.Define("x"))
		remove()
		mustAdd(t, m, plugins.Define("y"))
		assert.Equal(t, []string{"x:UNLOADED>LOADED"}, l2.strings())
		m.AddListener(nil)() // harmless
	})
}

func TestContinuePolicy(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	var l events
	m := newManager(t, settings(policy(plugins.Continue)), plugins.WithListener(l.listen))
	mustAdd(t, m,
		plugins.Define("bad", plugins.OnStart(rec.failing("start:bad", errBoom))),
		rec.def("child", dep("bad")),
		rec.def("grandchild", dep("child")),
		rec.def("soft", opt("bad")),
		rec.def("good"),
		rec.def("orphan", dep("ghost")),
		rec.def("orphan-child", dep("orphan")),
	)
	require.NoError(t, m.StartAll(ctx), "with the continue policy StartAll reports through states")
	assert.Equal(t, []string{"start:bad", "init:soft", "start:soft", "init:good", "start:good"}, rec.take())
	assert.Equal(t, "bad=FAILED child=FAILED good=STARTED grandchild=FAILED orphan=FAILED orphan-child=FAILED soft=STARTED", states(m))
	reasons := map[string]string{}
	for _, d := range m.Plugins() {
		reasons[d.ID] = d.FailedReason
	}
	assert.Equal(t, "boom", reasons["bad"])
	assert.Equal(t, `dependency "bad" failed to start`, reasons["child"])
	assert.Equal(t, `dependency "child" failed to start`, reasons["grandchild"])
	assert.Contains(t, reasons["orphan"], `plugin "orphan" depends on missing plugin "ghost"`)
	assert.Contains(t, reasons["orphan-child"], `dependency "orphan" cannot be resolved: plugin "orphan" depends on missing plugin "ghost"`)

	l.mu.Lock()
	for _, ch := range l.all {
		if ch.New == plugins.StateFailed {
			assert.Error(t, ch.Err, ch.Plugin)
			assert.ErrorIs(t, ch.Err, kernel.ErrGofly, ch.Plugin)
		}
	}
	l.mu.Unlock()
	require.NoError(t, m.StopAll(ctx))
}

func TestFailurePolicyFromSettings(t *testing.T) {
	m := newManager(t, plugins.WithSettings(plugins.Settings{FailurePolicy: "sometimes"}))
	err := m.Add(plugins.Define("a"))
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), `use "fail-fast" or "continue"`)
}
