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

func parallelism(n int) func(*plugins.Settings) {
	return func(s *plugins.Settings) { s.Parallelism = n }
}

// TestParallelStartRunsIndependentPluginsAtOnce: eight independent plugins
// whose OnStart waits until all eight are in OnStart can only start when
// they run at once; one at a time, each would time out.
func TestParallelStartRunsIndependentPluginsAtOnce(t *testing.T) {
	const n = 8
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	m := newManager(t, settings(parallelism(0), startTimeout(10*time.Second)))
	for k := range n {
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", k), plugins.OnStart(func(ctx context.Context) error {
			arrived.Done()
			select {
			case <-all:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})))
	}
	require.NoError(t, m.StartAll(context.Background()))
	assert.Equal(t, "p0=STARTED p1=STARTED p2=STARTED p3=STARTED p4=STARTED p5=STARTED p6=STARTED p7=STARTED", states(m))
	require.NoError(t, m.StopAll(context.Background()))
}

// spans records when each hook began and ended, on one clock.
type spans struct {
	clock atomic.Int64
	mu    sync.Mutex
	begin map[string]int64
	end   map[string]int64
}

func newSpans() *spans { return &spans{begin: map[string]int64{}, end: map[string]int64{}} }

func (s *spans) hook(name string) func(context.Context) error {
	return func(context.Context) error {
		b := s.clock.Add(1)
		s.mu.Lock()
		s.begin[name] = b
		s.mu.Unlock()
		e := s.clock.Add(1)
		s.mu.Lock()
		s.end[name] = e
		s.mu.Unlock()
		return nil
	}
}

func TestParallelKeepsDependencyOrder(t *testing.T) {
	for _, par := range []int{0, 1, 3} {
		t.Run(fmt.Sprint("parallelism=", par), func(t *testing.T) {
			sp := newSpans()
			m := newManager(t, settings(parallelism(par)))
			def := func(id string, deps ...string) *plugins.Plugin {
				opts := []plugins.Option{plugins.OnStart(sp.hook("start:" + id)), plugins.OnStop(sp.hook("stop:" + id))}
				for _, d := range deps {
					opts = append(opts, plugins.DependsOn(d))
				}
				return plugins.Define(id, opts...)
			}
			// A diamond with a tail and an independent chain.
			edges := map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}, "d": {"b", "c"}, "e": {"d"}, "x": nil, "y": {"x"}}
			for _, id := range []string{"e", "d", "c", "b", "a", "y", "x"} {
				mustAdd(t, m, def(id, edges[id]...))
			}
			require.NoError(t, m.StartAll(context.Background()))
			require.NoError(t, m.StopAll(context.Background()))
			for id, deps := range edges {
				for _, d := range deps {
					assert.Less(t, sp.end["start:"+d], sp.begin["start:"+id], "%s starts after %s", id, d)
					assert.Less(t, sp.end["stop:"+id], sp.begin["stop:"+d], "%s stops before %s", id, d)
				}
			}
		})
	}
}

// TestParallelismBoundsHooksInFlight: with parallelism 2, a third hook
// never begins while two are running.
func TestParallelismBoundsHooksInFlight(t *testing.T) {
	const n = 6
	var inflight, worst atomic.Int32
	entered := make(chan struct{}, n)
	release := make(chan struct{})
	m := newManager(t, settings(parallelism(2)))
	for k := range n {
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", k), plugins.OnStart(func(context.Context) error {
			cur := inflight.Add(1)
			for w := worst.Load(); cur > w && !worst.CompareAndSwap(w, cur); w = worst.Load() {
			}
			entered <- struct{}{}
			<-release
			inflight.Add(-1)
			return nil
		})))
	}
	done := make(chan error)
	go func() { done <- m.StartAll(context.Background()) }()
	<-entered
	<-entered // two in flight: a third may only begin once one ends
	for range n - 2 {
		release <- struct{}{}
		<-entered
	}
	release <- struct{}{}
	release <- struct{}{}
	require.NoError(t, <-done)
	assert.Equal(t, int32(2), worst.Load())
	require.NoError(t, m.StopAll(context.Background()))
}

// TestParallelFailFastCancelsAndRollsBack: when a plugin fails, the hooks in
// flight are cancelled through their context, nothing new begins, and what
// started is stopped again, dependents first.
func TestParallelFailFastCancelsAndRollsBack(t *testing.T) {
	var rec recorder
	inSlow := make(chan struct{})
	m := newManager(t, settings(parallelism(0)))
	mustAdd(t, m,
		rec.def("base"),
		rec.def("top", dep("base")),
		plugins.Define("slow", plugins.OnStart(func(ctx context.Context) error {
			close(inSlow)
			<-ctx.Done() // cancelled when bad fails
			rec.add("cancelled:slow")
			return ctx.Err()
		})),
		plugins.Define("bad", plugins.OnStart(func(context.Context) error {
			<-inSlow
			return errBoom
		})),
		rec.def("after-bad", dep("bad")),
	)
	err := m.StartAll(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, errBoom)
	var pe *kernel.PluginError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "bad", pe.PluginID)
	calls := rec.take()
	assert.Contains(t, calls, "cancelled:slow")
	assert.NotContains(t, calls, "start:after-bad")
	if contains(calls, "start:top") { // base and top may have started before bad failed
		assert.Less(t, index(calls, "stop:top"), index(calls, "stop:base"), "rollback stops dependents first: %v", calls)
	}
	assert.Equal(t, plugins.StateLoaded, state(t, m, "after-bad"))
	assert.Equal(t, plugins.StateFailed, state(t, m, "bad"))
	assert.Equal(t, plugins.StateFailed, state(t, m, "slow"))
	slow, _ := m.Plugin("slow")
	assert.Contains(t, slow.FailedReason, "another plugin failed to start")
	for _, id := range []string{"base", "top"} {
		assert.NotEqual(t, plugins.StateStarted, state(t, m, id), id)
	}
}

func contains(s []string, v string) bool { return index(s, v) >= 0 }

func index(s []string, v string) int {
	for k, x := range s {
		if x == v {
			return k
		}
	}
	return -1
}

// TestRollbackStopsStartedDependentsFirst: b optionally depends on a, b is
// STARTED, a is added later; a StartAll that starts a and then fails rolls a
// back only after stopping b.
func TestRollbackStopsStartedDependentsFirst(t *testing.T) {
	for _, par := range []int{1, 0} {
		t.Run(fmt.Sprint("parallelism=", par), func(t *testing.T) {
			var rec recorder
			m := newManager(t, settings(parallelism(par)))
			mustAdd(t, m, rec.def("b", plugins.OptionalDependsOn("a")))
			require.NoError(t, m.StartAll(context.Background()))
			mustAdd(t, m, rec.def("a"), plugins.Define("z", dep("a"), plugins.OnStart(rec.failing("start:z", errBoom))))
			rec.take()
			require.ErrorIs(t, m.StartAll(context.Background()), errBoom)
			assert.Equal(t, []string{"init:a", "start:a", "start:z", "stop:b", "stop:a"}, rec.take())
			assert.Equal(t, "a=STOPPED b=STOPPED z=FAILED", states(m))
		})
	}
}

// TestStopWithEndedContextStillStops: a spent budget does not drop a
// plugin: its OnStop runs with the ended context.
func TestStopWithEndedContextStillStops(t *testing.T) {
	for _, op := range []string{"StopAll", "StopPlugin", "Remove", "UnloadAll"} {
		t.Run(op, func(t *testing.T) {
			var rec recorder
			var sawDone atomic.Bool
			m := newManager(t)
			mustAdd(t, m, rec.def("a"), plugins.Define("b", dep("a"),
				plugins.OnStart(rec.hook("start:b")),
				plugins.OnStop(func(ctx context.Context) error {
					sawDone.Store(ctx.Err() != nil)
					rec.add("stop:b")
					return nil
				})))
			require.NoError(t, m.StartAll(context.Background()))
			rec.take()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var err error
			switch op {
			case "StopAll":
				err = m.StopAll(ctx)
			case "StopPlugin":
				err = m.StopPlugin(ctx, "a")
			case "Remove":
				_, err = m.Remove(ctx, "b")
			case "UnloadAll":
				err = m.UnloadAll(ctx)
			}
			require.NoError(t, err)
			calls := rec.take()
			assert.Contains(t, calls, "stop:b")
			assert.True(t, sawDone.Load(), "the hook gets the ended context")
			if op == "Remove" {
				assert.Equal(t, "a=STARTED", states(m))
			} else if op == "UnloadAll" {
				assert.Equal(t, []string{"stop:b", "unload:b"}[0], calls[0])
				assert.Contains(t, calls, "unload:a")
			} else {
				assert.Equal(t, "a=STOPPED b=STOPPED", states(m))
			}
		})
	}
}

// TestStopOutOfBudgetNamesThePlugins: a hook that ignores its context past
// the budget does not keep the others from stopping; the error names it.
func TestStopOutOfBudgetNamesThePlugins(t *testing.T) {
	var rec recorder
	release := make(chan struct{})
	m := newManager(t, settings(stopTimeout(20*time.Millisecond)))
	mustAdd(t, m, rec.def("a"), plugins.Define("hang", plugins.OnStop(func(context.Context) error {
		<-release
		return nil
	})), rec.def("z"))
	require.NoError(t, m.StartAll(context.Background()))
	rec.take()
	err := m.StopAll(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStop)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), `plugin "hang" failed to stop`)
	assert.ElementsMatch(t, []string{"stop:a", "stop:z"}, rec.take())
	assert.Equal(t, "a=STOPPED hang=FAILED z=STOPPED", states(m))
	close(release)
}

// TestAbandonedHookBlocksItsPluginAndItsNeighbours covers a hook that
// ignores its context and outlives its deadline: the plugin's next hook is
// refused while it runs, a dependency's stop waits until it returns, and an
// OnStart that succeeds late gets its OnStop.
func TestAbandonedHookBlocksItsPluginAndItsNeighbours(t *testing.T) {
	var rec recorder
	release := make(chan struct{})
	stopped := make(chan struct{}, 4)
	l := func(ch plugins.StateChange) {
		if ch.New == plugins.StateStopped {
			stopped <- struct{}{}
		}
	}
	var c atomic.Int32
	m := newManager(t, settings(startTimeout(20*time.Millisecond)), plugins.WithListener(l))
	mustAdd(t, m,
		rec.def("a"),
		rec.def("b", dep("a")),
		plugins.Define("c", dep("b"),
			plugins.OnStart(func(context.Context) error {
				if c.Add(1) == 1 {
					<-release // ignores its context
				}
				rec.add("start:c")
				return nil
			}),
			plugins.OnStop(rec.hook("stop:c"))),
	)
	require.NoError(t, m.StartPlugin(context.Background(), "b"))
	rec.take()
	err := m.StartPlugin(context.Background(), "c")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "still runs")
	assert.Equal(t, plugins.StateFailed, state(t, m, "c"))

	// c's OnStart still runs: c cannot start again, b and a cannot stop yet.
	err = m.StartPlugin(context.Background(), "c")
	require.ErrorIs(t, err, kernel.ErrPluginStart)
	assert.Contains(t, err.Error(), "still runs after its deadline")
	err = m.StopAll(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `plugin "b" is not stopped yet`)
	assert.Equal(t, "a=STARTED b=STARTED c=FAILED", states(m))
	assert.Empty(t, rec.take(), "no hook ran beside c's")

	// When it returns, its late success is stopped, then b and a.
	close(release)
	<-stopped
	<-stopped
	assert.Equal(t, []string{"start:c", "stop:c", "stop:b", "stop:a"}, rec.take())
	assert.Equal(t, "a=STOPPED b=STOPPED c=FAILED", states(m))
}

func TestPanicNamesPluginHookAndLine(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m, plugins.Define("p", plugins.OnStart(func(context.Context) error {
		var boom map[string]int
		boom["x"] = 1 // a runtime panic: assignment to entry in nil map
		return nil
	})))
	err := m.StartAll(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrPluginStart)
	msg := err.Error()
	assert.Contains(t, msg, `plugin "p" failed to start (OnStart): OnStart hook panicked: assignment to entry in nil map (at `)
	assert.Contains(t, msg, "parallel_test.go:")
	var st interface{ Stack() string }
	require.True(t, errors.As(err, &st), "the cause carries the stack")
	assert.Contains(t, st.Stack(), "TestPanicNamesPluginHookAndLine")
	assert.Contains(t, fmt.Sprintf("%+v", st), st.Stack(), "%+v prints the stack")
}

func TestStateChangeCarriesTheHookDuration(t *testing.T) {
	var got []plugins.StateChange
	var mu sync.Mutex
	timer := func(ctx context.Context) error {
		t := time.NewTimer(5 * time.Millisecond) // stands for I/O
		defer t.Stop()
		<-t.C
		return nil
	}
	m := newManager(t, plugins.WithListener(func(ch plugins.StateChange) { mu.Lock(); got = append(got, ch); mu.Unlock() }))
	mustAdd(t, m, plugins.Define("p", plugins.OnInit(timer), plugins.OnStart(timer), plugins.OnStop(timer)))
	require.NoError(t, m.StartAll(context.Background()))
	require.NoError(t, m.StopAll(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 3) // added, started, stopped
	assert.Zero(t, got[0].Duration)
	assert.GreaterOrEqual(t, got[1].Duration, 10*time.Millisecond, "OnInit and OnStart")
	assert.GreaterOrEqual(t, got[2].Duration, 5*time.Millisecond)
}

func TestParallelismSetting(t *testing.T) {
	for _, bad := range []string{"-1", "lots"} {
		_, err := plugins.LoadSettings(loadYAML(t, "plugins: { parallelism: "+bad+" }"))
		require.Error(t, err, bad)
		assert.ErrorIs(t, err, kernel.ErrConfig)
		assert.Contains(t, err.Error(), "plugins.parallelism")
	}
	s, err := plugins.LoadSettings(loadYAML(t, "plugins: { parallelism: 0 }"))
	require.NoError(t, err)
	assert.Equal(t, 0, s.Parallelism)
	assert.Equal(t, 1, plugins.DefaultSettings().Parallelism)

	m := plugins.NewManager(nil, plugins.WithParallelism(-2))
	err = m.Add(plugins.Define("p"))
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.True(t, strings.Contains(err.Error(), "plugins.parallelism"), err.Error())
}

// TestParallelContinuePolicy: with the continue policy in parallel mode, a
// failed plugin fails the plugins that require it without running their
// hooks; the others start.
func TestParallelContinuePolicy(t *testing.T) {
	var rec recorder
	m := newManager(t, settings(parallelism(0), policy(plugins.Continue)))
	mustAdd(t, m,
		plugins.Define("bad", plugins.OnStart(rec.failing("start:bad", errBoom))),
		rec.def("needs-bad", dep("bad")),
		rec.def("wants-bad", plugins.OptionalDependsOn("bad")),
		rec.def("free"),
	)
	require.NoError(t, m.StartAll(context.Background()))
	assert.Equal(t, "bad=FAILED free=STARTED needs-bad=FAILED wants-bad=STARTED", states(m))
	assert.NotContains(t, rec.take(), "start:needs-bad")
	d, _ := m.Plugin("needs-bad")
	assert.Equal(t, `dependency "bad" failed to start`, d.FailedReason)
	require.NoError(t, m.StopAll(context.Background()))
}

// TestParallelStartPluginAndStopPluginCascade: StartPlugin starts the
// dependency closure concurrently; StopPlugin stops the dependents first.
func TestParallelStartPluginAndStopPluginCascade(t *testing.T) {
	sp := newSpans()
	m := newManager(t, settings(parallelism(0)))
	def := func(id string, deps ...string) *plugins.Plugin {
		opts := []plugins.Option{plugins.OnStart(sp.hook("start:" + id)), plugins.OnStop(sp.hook("stop:" + id))}
		for _, d := range deps {
			opts = append(opts, plugins.DependsOn(d))
		}
		return plugins.Define(id, opts...)
	}
	mustAdd(t, m, def("a"), def("b"), def("c", "a", "b"), def("d", "c"), def("e", "c"), def("unrelated"))
	require.NoError(t, m.StartPlugin(context.Background(), "d"))
	assert.Equal(t, "a=STARTED b=STARTED c=STARTED d=STARTED e=LOADED unrelated=LOADED", states(m))
	require.NoError(t, m.StartPlugin(context.Background(), "e"))
	require.NoError(t, m.StopPlugin(context.Background(), "c"))
	assert.Equal(t, "a=STARTED b=STARTED c=STOPPED d=STOPPED e=STOPPED unrelated=LOADED", states(m))
	for _, dep := range []string{"d", "e"} {
		assert.Less(t, sp.end["stop:"+dep], sp.begin["stop:c"])
	}
	assert.Less(t, sp.end["start:a"], sp.begin["start:c"])
	assert.Less(t, sp.end["start:b"], sp.begin["start:c"])
}
