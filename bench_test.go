package gofly_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"testing"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

// The path users run: gofly.New + Start + Stop of an app whose N plugins each
// contribute one extension to one point, with OnStart/OnStop hooks and up to
// 3 dependencies, against, in the same run, a bare fx app with N providers in
// one value group, one consumer that sorts them, and N hook pairs.

type benchExt interface{ Rank() int }

type benchRank int

func (r benchRank) Rank() int { return int(r) }

var benchPoint = extension.NewPoint[benchExt]("bench.point")

func benchNop(context.Context) error { return nil }

// benchPlugins defines n plugins; plugin i depends on up to 3 of the 10
// plugins before it.
func benchPlugins(n int) []gofly.Option {
	opts := make([]gofly.Option, 0, n)
	for i := range n {
		po := []plugins.Option{
			plugins.Extend[benchExt](benchPoint, benchRank(i), i%7),
			plugins.OnStart(benchNop), plugins.OnStop(benchNop),
		}
		for d := 1; d <= 3 && i-d*3 >= 0; d++ {
			po = append(po, plugins.DependsOn("p"+strconv.Itoa(i-d*3)))
		}
		opts = append(opts, plugins.Define("p"+strconv.Itoa(i), po...))
	}
	return opts
}

type benchGroupIn struct {
	fx.In
	Exts []benchExt `group:"bench"`
}

type benchSorted struct{ exts []benchExt }

type benchOut struct {
	fx.Out
	Ext benchExt `group:"bench"`
}

func bareApp(n int) []fx.Option {
	opts := make([]fx.Option, 0, n+3)
	opts = append(opts, fx.NopLogger)
	for i := range n {
		r := benchRank(i)
		opts = append(opts, fx.Provide(func() benchOut { return benchOut{Ext: r} }))
	}
	opts = append(opts,
		fx.Provide(func(in benchGroupIn) *benchSorted {
			exts := slices.Clone(in.Exts)
			slices.SortStableFunc(exts, func(a, b benchExt) int { return cmp.Compare(b.Rank()%7, a.Rank()%7) })
			return &benchSorted{exts}
		}),
		fx.Invoke(func(lc fx.Lifecycle, _ *benchSorted) {
			for range n {
				lc.Append(fx.Hook{OnStart: benchNop, OnStop: benchNop})
			}
		}),
	)
	return opts
}

func goflyApp(ps []gofly.Option) []gofly.Option {
	return append([]gofly.Option{
		gofly.Environ(nil), gofly.LogOutput(io.Discard),
		gofly.ConfigYAML("plugins:\n  enabled: true\n"),
		extension.Provide(benchPoint),
		fx.Invoke(func(extension.Extensions[benchExt]) {}),
	}, ps...)
}

func BenchmarkFacadePath(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		// Both apps' options are built once, as a program defines its
		// plugins and options once; each iteration builds, starts and stops.
		ps := benchPlugins(n)
		b.Run(fmt.Sprintf("n=%d/gofly.New", n), func(b *testing.B) {
			runApps(b, func() *fx.App { return gofly.New(goflyApp(ps)...) })
		})
		bare := bareApp(n)
		b.Run(fmt.Sprintf("n=%d/baseline-bare-fx", n), func(b *testing.B) {
			runApps(b, func() *fx.App { return fx.New(bare...) })
		})
	}
}

// runApps builds, starts and stops the app newApp returns, b.N times.
func runApps(b *testing.B, newApp func() *fx.App) {
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		app := newApp()
		if err := app.Err(); err != nil {
			b.Fatal(err)
		}
		if err := app.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := app.Stop(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
