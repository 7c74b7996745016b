package plugins_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// spec is a compact plugin list for resolution tests: id and dependencies.
type spec struct {
	id   string
	opts []plugins.Option
}

func dep(id string, constraint ...string) plugins.Option { return plugins.DependsOn(id, constraint...) }
func opt(id string, constraint ...string) plugins.Option {
	return plugins.OptionalDependsOn(id, constraint...)
}

func TestOrderIsAStableTopologicalSort(t *testing.T) {
	tests := []struct {
		desc  string
		specs []spec
		want  []string
	}{
		{desc: "no dependencies keeps add order", specs: []spec{{"c", nil}, {"a", nil}, {"b", nil}}, want: []string{"c", "a", "b"}},
		{desc: "chain added backwards", specs: []spec{{"c", []plugins.Option{dep("b")}}, {"b", []plugins.Option{dep("a")}}, {"a", nil}}, want: []string{"a", "b", "c"}},
		{
			desc: "ready plugins come in add order",
			// x and y are ready at once; z is ready after a; a was added before y.
			specs: []spec{{"z", []plugins.Option{dep("a")}}, {"x", nil}, {"a", nil}, {"y", nil}},
			want:  []string{"x", "a", "z", "y"},
		},
		{
			desc:  "diamond",
			specs: []spec{{"top", []plugins.Option{dep("left"), dep("right")}}, {"right", []plugins.Option{dep("base")}}, {"left", []plugins.Option{dep("base")}}, {"base", nil}},
			want:  []string{"base", "right", "left", "top"},
		},
		{
			desc:  "duplicate dependency entries are harmless",
			specs: []spec{{"b", []plugins.Option{dep("a"), dep("a"), opt("a"), dep("a", ">=0.0.0")}}, {"a", nil}},
			want:  []string{"a", "b"},
		},
		{
			desc:  "optional dependency orders when present",
			specs: []spec{{"b", []plugins.Option{opt("a")}}, {"a", nil}},
			want:  []string{"a", "b"},
		},
		{
			desc:  "optional dependency absent",
			specs: []spec{{"b", []plugins.Option{opt("missing")}}, {"a", nil}},
			want:  []string{"b", "a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := newManager(t)
			for _, s := range tt.specs {
				mustAdd(t, m, plugins.Define(s.id, s.opts...))
			}
			for range 3 { // cached and recomputed alike
				got, err := m.Order()
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestOrderErrors(t *testing.T) {
	tests := []struct {
		desc     string
		specs    []spec
		contains []string
		check    func(t *testing.T, re *kernel.ResolutionError)
	}{
		{
			desc:     "missing dependency",
			specs:    []spec{{"a", nil}, {"b", []plugins.Option{dep("ghost")}}},
			contains: []string{`plugin "b" depends on missing plugin "ghost"`},
			check: func(t *testing.T, re *kernel.ResolutionError) {
				assert.Equal(t, "b", re.PluginID)
				assert.Equal(t, "ghost", re.Dependency)
			},
		},
		{
			desc:     "cycle names its whole path",
			specs:    []spec{{"a", []plugins.Option{dep("b")}}, {"b", []plugins.Option{dep("c")}}, {"c", []plugins.Option{dep("a")}}},
			contains: []string{"a -> b -> c -> a"},
			check: func(t *testing.T, re *kernel.ResolutionError) {
				assert.Equal(t, []string{"a", "b", "c", "a"}, re.Cycle)
			},
		},
		{
			desc: "cycle reached through a tail starts at its first plugin",
			// t depends on the cycle c -> d -> e -> c but is not on it.
			specs:    []spec{{"t", []plugins.Option{dep("d")}}, {"e", []plugins.Option{dep("c")}}, {"c", []plugins.Option{dep("d")}}, {"d", []plugins.Option{dep("e")}}},
			contains: []string{"e -> c -> d -> e"},
		},
		{
			desc:     "self dependency",
			specs:    []spec{{"a", []plugins.Option{dep("a")}}},
			contains: []string{"a -> a"},
		},
		{
			desc:     "cycle through an optional dependency",
			specs:    []spec{{"a", []plugins.Option{opt("b")}}, {"b", []plugins.Option{dep("a")}}},
			contains: []string{"a -> b -> a"},
		},
		{
			desc:     "version constraint not met",
			specs:    []spec{{"core", []plugins.Option{plugins.Version("1.5.0")}}, {"web", []plugins.Option{dep("core", ">=2.0.0 <3.0.0")}}},
			contains: []string{`plugin "web" requires plugin "core" ">=2.0.0 <3.0.0" but found version "1.5.0"`},
			check: func(t *testing.T, re *kernel.ResolutionError) {
				assert.Equal(t, ">=2.0.0 <3.0.0", re.Constraint)
				assert.Equal(t, "1.5.0", re.Found)
				assert.Equal(t, "core", re.Dependency)
			},
		},
		{
			desc:     "constraint of a present optional dependency",
			specs:    []spec{{"core", []plugins.Option{plugins.Version("0.9.0")}}, {"web", []plugins.Option{opt("core", "^1.0.0")}}},
			contains: []string{`"^1.0.0" but found version "0.9.0"`},
		},
		{
			desc:     "first problem by add order is reported",
			specs:    []spec{{"x", []plugins.Option{dep("one")}}, {"y", []plugins.Option{dep("two")}}},
			contains: []string{`plugin "x" depends on missing plugin "one"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := newManager(t)
			for _, s := range tt.specs {
				mustAdd(t, m, plugins.Define(s.id, s.opts...))
			}
			order, err := m.Order()
			assert.Nil(t, order)
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrPluginResolution)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), c)
			}
			var re *kernel.ResolutionError
			require.ErrorAs(t, err, &re)
			if tt.check != nil {
				tt.check(t, re)
			}
			// StartAll and StartPlugin check the same before running any hook.
			assert.ErrorIs(t, m.StartAll(context.Background()), kernel.ErrPluginResolution)
			last := tt.specs[len(tt.specs)-1].id
			assert.ErrorIs(t, m.StartPlugin(context.Background(), last), kernel.ErrPluginResolution)
			for _, d := range m.Plugins() {
				assert.Equal(t, plugins.StateLoaded, d.State, d.ID)
			}
		})
	}
}

func TestConstraintMet(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m,
		plugins.Define("web", dep("core", ">=1.2.0 <2.0.0"), dep("core", "!=1.3.0")),
		plugins.Define("core", plugins.Version("1.4.2")),
	)
	order, err := m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"core", "web"}, order)
}

func TestOrderIsRecomputedAfterAddAndRemove(t *testing.T) {
	m := newManager(t)
	mustAdd(t, m, plugins.Define("b", opt("a")), plugins.Define("c"))
	got, err := m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "c"}, got)

	mustAdd(t, m, plugins.Define("a"))
	got, err = m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "a", "b"}, got)

	_, err = m.Remove(context.Background(), "b")
	require.NoError(t, err)
	got, err = m.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "a"}, got)
}

func TestResolveLongChainWithoutStackOverflow(t *testing.T) {
	const n = 100_000
	m := newManager(t)
	// Added from the end of the chain, so every plugin waits for a later one.
	for i := n - 1; i >= 0; i-- {
		var opts []plugins.Option
		if i > 0 {
			opts = append(opts, dep(fmt.Sprintf("p%d", i-1)))
		}
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", i), opts...))
	}
	order, err := m.Order() // its speed: BenchmarkResolve
	require.NoError(t, err)
	require.Len(t, order, n)
	assert.Equal(t, "p0", order[0])
	assert.Equal(t, fmt.Sprintf("p%d", n-1), order[n-1])
}

func TestLongCycleIsNamed(t *testing.T) {
	const n = 100_000
	m := newManager(t)
	for i := 0; i < n; i++ {
		mustAdd(t, m, plugins.Define(fmt.Sprintf("p%d", i), dep(fmt.Sprintf("p%d", (i+1)%n))))
	}
	_, err := m.Order()
	var re *kernel.ResolutionError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Cycle, n+1)
	assert.Equal(t, "p0", re.Cycle[0])
	assert.Equal(t, "p1", re.Cycle[1])
	assert.Equal(t, "p0", re.Cycle[n])
}
