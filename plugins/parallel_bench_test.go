package plugins_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

// ioHook stands for a hook doing I/O for d: it waits on a timer.
func ioHook(d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// dagDefs defines 100 plugins in 10 layers of 10: each plugin of layer L > 0
// depends on two plugins of layer L-1, so the longest chain is 10 plugins.
// Each OnStart and OnStop takes d.
func dagDefs(d time.Duration) []*plugins.Plugin {
	var ps []*plugins.Plugin
	for l := 0; l < 10; l++ {
		for k := 0; k < 10; k++ {
			opts := []plugins.Option{plugins.OnStart(ioHook(d)), plugins.OnStop(ioHook(d))}
			if l > 0 {
				opts = append(opts, plugins.DependsOn(fmt.Sprintf("l%d-%d", l-1, k)), plugins.DependsOn(fmt.Sprintf("l%d-%d", l-1, (k+3)%10)))
			}
			ps = append(ps, plugins.Define(fmt.Sprintf("l%d-%d", l, k), opts...))
		}
	}
	return ps
}

// BenchmarkParallelStartStopDAG: StartAll + StopAll of 100 plugins whose
// hooks take 10 ms each, longest chain 10. The critical path is 10 x 10 ms to
// start and the same to stop (200 ms): "x-critical-path" reports the wall
// time over it. parallelism=1 is the sum of the hooks (2 s).
func BenchmarkParallelStartStopDAG(b *testing.B) {
	const hook = 10 * time.Millisecond
	critical := 2 * 10 * hook
	for _, par := range []int{0, 1} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			s := plugins.DefaultSettings()
			s.Parallelism = par
			m := plugins.NewManager(extension.NewRegistry(), plugins.WithSettings(s))
			for _, p := range dagDefs(hook) {
				if err := m.Add(p); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := m.StartAll(ctx); err != nil {
					b.Fatal(err)
				}
				if err := m.StopAll(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(critical), "x-critical-path")
		})
	}
}

// BenchmarkSchedulerNoop: StartAll + StopAll of 10,000 plugins with no-op
// OnStart/OnStop hooks (about 3 dependencies each): the parallel scheduler's
// own cost against the sequential loop (parallelism=1, the baseline).
func BenchmarkSchedulerNoop(b *testing.B) {
	defs := benchDefs(10000)
	for _, par := range []int{1, 0, 4} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			s := plugins.DefaultSettings()
			s.Parallelism = par
			m := plugins.NewManager(extension.NewRegistry(), plugins.WithSettings(s))
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
		})
	}
}
