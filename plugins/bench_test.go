package plugins_test

import (
	"context"
	"fmt"
	"testing"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

func nopHook(context.Context) error { return nil }

// benchDefs defines n plugins with up to 3 dependencies each (on plugins 1,
// 7 and 31 places earlier), with OnStart and OnStop hooks that do nothing.
func benchDefs(n int) []*plugins.Plugin {
	ps := make([]*plugins.Plugin, n)
	for k := 0; k < n; k++ {
		opts := []plugins.Option{plugins.OnStart(nopHook), plugins.OnStop(nopHook)}
		for _, back := range []int{1, 7, 31} {
			if k-back >= 0 {
				opts = append(opts, plugins.DependsOn(fmt.Sprintf("p%d", k-back)))
			}
		}
		ps[k] = plugins.Define(fmt.Sprintf("p%d", k), opts...)
	}
	return ps
}

// BenchmarkStartStopAll measures Manager.StartAll + StopAll; the cost per
// plugin should stay flat from 10 to 10,000 plugins. Baseline: calling the
// same hooks directly in a loop.
func BenchmarkStartStopAll(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		defs := benchDefs(n)
		b.Run(fmt.Sprintf("manager/n=%d", n), func(b *testing.B) {
			m := plugins.NewManager(extension.NewRegistry())
			for _, p := range defs {
				if err := m.Add(p); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := m.StartAll(ctx); err != nil {
					b.Fatal(err)
				}
				if err := m.StopAll(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
		})
		b.Run(fmt.Sprintf("baseline-direct-calls/n=%d", n), func(b *testing.B) {
			hooks := make([]func(context.Context) error, 2*n)
			for k := range hooks {
				hooks[k] = nopHook
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, h := range hooks {
					if err := h(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
		})
	}
}

// BenchmarkFxApp compares fx.New + Start + Stop of an app with 1,000 plugins
// (about 3 dependencies each, one OnStart and one OnStop hook each) against
// bare fx apps with 1,000 OnStart/OnStop hook pairs: appended by one invoke
// (the cheapest way), and by 1,000 invokes (one per component, as apps are
// usually written). The options are built once, outside the timing.
//
// Each comes twice: "new+start+stop" times the whole life of the app, and
// "start+stop" only its Start and Stop (the app is built outside the timing).
func BenchmarkFxApp(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	run := func(b *testing.B, opts []fx.Option) {
		b.Run("new+start+stop", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				app := fx.New(opts...)
				if err := app.Start(ctx); err != nil {
					b.Fatal(err)
				}
				if err := app.Stop(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("start+stop", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				app := fx.New(opts...)
				b.StartTimer()
				if err := app.Start(ctx); err != nil {
					b.Fatal(err)
				}
				if err := app.Stop(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("plugins", func(b *testing.B) {
		opts := []fx.Option{fx.NopLogger, plugins.Module}
		for _, p := range benchDefs(n) {
			opts = append(opts, p)
		}
		run(b, opts)
	})
	b.Run("baseline-bare-one-invoke", func(b *testing.B) {
		run(b, []fx.Option{fx.NopLogger, fx.Invoke(func(lc fx.Lifecycle) {
			for k := 0; k < n; k++ {
				lc.Append(fx.Hook{OnStart: nopHook, OnStop: nopHook})
			}
		})})
	})
	b.Run("baseline-bare-invoke-each", func(b *testing.B) {
		opts := []fx.Option{fx.NopLogger}
		for k := 0; k < n; k++ {
			opts = append(opts, fx.Invoke(func(lc fx.Lifecycle) { lc.Append(fx.Hook{OnStart: nopHook, OnStop: nopHook}) }))
		}
		run(b, opts)
	})
}

// reverseChain defines the chain p0 <- p1 <- ... <- p(n-1) and returns it in
// reverse (dependents first), the add order that made UnloadAll quadratic.
func reverseChain(n int) []*plugins.Plugin {
	ps := make([]*plugins.Plugin, 0, n)
	for i := n - 1; i >= 0; i-- {
		var opts []plugins.Option
		if i > 0 {
			opts = append(opts, plugins.DependsOn(fmt.Sprintf("p%d", i-1)))
		}
		ps = append(ps, plugins.Define(fmt.Sprintf("p%d", i), opts...))
	}
	return ps
}

// BenchmarkUnloadAllReverseChain measures UnloadAll of a chain added
// dependents first; the cost per plugin must stay flat from 1,000 to
// 100,000 plugins. Baseline: adding the same plugins (linear).
func BenchmarkUnloadAllReverseChain(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		defs := reverseChain(n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("unload/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m := plugins.NewManager(extension.NewRegistry())
				for _, p := range defs {
					if err := m.Add(p); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := m.UnloadAll(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
		})
		b.Run(fmt.Sprintf("baseline-add/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m := plugins.NewManager(extension.NewRegistry())
				for _, p := range defs {
					if err := m.Add(p); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
		})
	}
}

// BenchmarkDisableCascade measures adding the excluded root of a chain
// last, which disables every other plugin transitively; the cost per plugin
// must stay flat from 1,000 to 100,000 plugins. Baseline: baseline-add of
// BenchmarkUnloadAllReverseChain, adding the same plugins.
func BenchmarkDisableCascade(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		defs := reverseChain(n) // p(n-1) ... p1, p0: the root comes last
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m := plugins.NewManager(extension.NewRegistry(), settings(exclude("p0")))
				for _, p := range defs[:n-1] {
					if err := m.Add(p); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := m.Add(defs[n-1]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
		})
	}
}

// BenchmarkAddExcluded measures adding n plugins that plugins.exclude
// disables, which looks for the plugins requiring each one; the cost per
// plugin must stay flat from 1,000 to 100,000 plugins. Baseline: adding the
// same plugins enabled.
func BenchmarkAddExcluded(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		defs := make([]*plugins.Plugin, n)
		for i := range defs {
			defs[i] = plugins.Define(fmt.Sprintf("p%d", i))
		}
		for _, bc := range []struct {
			name string
			opts []plugins.ManagerOption
		}{
			{"excluded", []plugins.ManagerOption{settings(exclude("p*"))}},
			{"baseline-enabled", nil},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", bc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					m := plugins.NewManager(extension.NewRegistry(), bc.opts...)
					for _, p := range defs {
						if err := m.Add(p); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plugin")
			})
		}
	}
}
