package autoconfig_test

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
)

// benchUserOptions returns n fx.Provide options of distinct types, as a
// middle-sized application's own options.
func benchUserOptions(n int) []fx.Option {
	opts := make([]fx.Option, 0, n)
	for i := 0; i < n; i++ {
		// Distinct array types [i+1]byte: each a separate node in the graph.
		t := reflect.ArrayOf(i+1, reflect.TypeFor[byte]())
		fn := reflect.MakeFunc(reflect.FuncOf(nil, []reflect.Type{t}, false), func([]reflect.Value) []reflect.Value {
			return []reflect.Value{reflect.Zero(t)}
		})
		opts = append(opts, fx.Provide(fn.Interface()))
	}
	return opts
}

// BenchmarkEvaluateProperties: 20 auto-configurations guarded by property
// conditions. Baseline: BenchmarkConfigLookups reads the same keys directly.
func BenchmarkEvaluateProperties(b *testing.B) {
	cfg := load(b, "a: {b: true}")
	cands := make([]*autoconfig.AutoConfig, 20)
	for i := range cands {
		cands[i] = autoconfig.New(fmt.Sprintf("ac-%02d", i), autoconfig.When(autoconfig.OnProperty("a.b"), autoconfig.OnBooleanProperty("a.b", false)))
	}
	env := autoconfig.Env{Config: cfg}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := autoconfig.EvaluateEnv(env, cands); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConfigLookups(b *testing.B) {
	cfg := load(b, "a: {b: true}")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 20; j++ {
			_ = cfg.String("a.b")
			if _, err := cfg.Bool("a.b", false); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkOnMissingType: one probe against 20 user provides. Baselines:
// BenchmarkFxValidateApp and BenchmarkFxNew of the same options.
func BenchmarkOnMissingType(b *testing.B) {
	env := autoconfig.Env{UserOptions: benchUserOptions(20)}
	cands := []*autoconfig.AutoConfig{defaultGreeterAC}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := autoconfig.EvaluateEnv(env, cands)
		if err != nil || len(res.Matched) != 1 {
			b.Fatal(err, res.Matched)
		}
	}
}

func BenchmarkFxValidateApp(b *testing.B) {
	opts := append(benchUserOptions(20), fx.NopLogger)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := fx.ValidateApp(opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFxNew(b *testing.B) {
	opts := append(benchUserOptions(20), fx.NopLogger)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := fx.New(opts...).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOrder1000: ordering a chain of 1000 auto-configurations.
// Baseline: BenchmarkSortNames1000 sorts their names.
func BenchmarkOrder1000(b *testing.B) {
	cands := make([]*autoconfig.AutoConfig, 1000)
	for i := range cands {
		var opts []autoconfig.Option
		if i > 0 {
			opts = append(opts, autoconfig.After(fmt.Sprintf("ac-%04d", i-1)))
		}
		cands[i] = autoconfig.New(fmt.Sprintf("ac-%04d", i), opts...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := autoconfig.EvaluateEnv(autoconfig.Env{}, cands); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSortNames1000(b *testing.B) {
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("ac-%04d", 999-i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := append([]string(nil), names...)
		sort.Strings(s)
	}
}
