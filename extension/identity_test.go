package extension_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
)

// topLevelHook is a top-level function used as a hook.
func topLevelHook(in string) string { return "top:" + in }

// makeHook returns a closure of one function literal; each call makes a new
// closure that captures its own prefix.
func makeHook(prefix string) Hook {
	return func(in string) string { return prefix + in }
}

func TestUnregisterByIdentity(t *testing.T) {
	sameA := &named{"same"}
	sameB := &named{"same"} // equal contents, another pointer
	closureA, closureB := makeHook("x"), makeHook("x")
	counter := 0
	capturing := func() Hook { return func(in string) string { counter++; return in } }
	capA, capB := capturing(), capturing()
	m1, m2 := mapFormatter{"k": "v"}, mapFormatter{"k": "v"}
	s1 := sliceFormatter{"a", "b"}
	s2 := sliceFormatter{"a", "b"}
	var st1 Formatter = structFormatter{parts: []string{"a"}}
	var st2 Formatter = structFormatter{parts: []string{"a"}}
	shared := []string{"a"}
	stCopy1, stCopy2 := structFormatter{parts: shared}, structFormatter{parts: shared}
	fnA, fnB := funcFormatter{fn: makeHook("a")}, funcFormatter{fn: makeHook("a")}
	fnACopy := fnA
	var ifA Formatter = wrapFormatter{Inner: valueFormatter("v")}
	var ifB Formatter = wrapFormatter{Inner: valueFormatter("v")}
	var ifC Formatter = wrapFormatter{Inner: sameA}
	var ifD Formatter = wrapFormatter{Inner: sameB}
	hidA := hiddenFormatter{name: "x", h: FormatterFunc(makeHook("a"))}
	hidB := hiddenFormatter{name: "x", h: FormatterFunc(makeHook("a"))}
	hidACopy := hidA
	hidOther := hidA
	hidOther.name = "y"

	tests := []struct {
		desc       string
		point      string // "f" (Formatter) or "h" (Hook)
		register   []any  // in order, all priority 0
		unregister any
		want       bool
		wantLeft   int
	}{
		{desc: "pointer", point: "f", register: []any{sameA}, unregister: sameA, want: true, wantLeft: 0},
		{desc: "another pointer to equal contents", point: "f", register: []any{sameA}, unregister: sameB, want: false, wantLeft: 1},
		{desc: "pointer registered twice, removed once", point: "f", register: []any{sameA, sameA}, unregister: sameA, want: true, wantLeft: 1},
		{desc: "only the matching pointer of two", point: "f", register: []any{sameA, sameB}, unregister: sameB, want: true, wantLeft: 1},
		{desc: "comparable value by ==", point: "f", register: []any{valueFormatter("v")}, unregister: valueFormatter("v"), want: true, wantLeft: 0},
		{desc: "comparable value, other value", point: "f", register: []any{valueFormatter("v")}, unregister: valueFormatter("w"), want: false, wantLeft: 1},
		{desc: "same value, other type", point: "f", register: []any{valueFormatter("v")}, unregister: "v", want: false, wantLeft: 1},
		{desc: "top-level func is itself", point: "h", register: []any{Hook(topLevelHook)}, unregister: Hook(topLevelHook), want: true, wantLeft: 0},
		{desc: "top-level func as another func type is not", point: "h", register: []any{Hook(topLevelHook)}, unregister: topLevelHook, want: false, wantLeft: 1},
		{desc: "closure is itself", point: "h", register: []any{closureA}, unregister: closureA, want: true, wantLeft: 0},
		{desc: "two closures of one literal differ", point: "h", register: []any{closureA}, unregister: closureB, want: false, wantLeft: 1},
		{desc: "two closures of one literal, the second removed", point: "h", register: []any{closureA, closureB}, unregister: closureB, want: true, wantLeft: 1},
		{desc: "capturing closures of one literal differ", point: "h", register: []any{capA}, unregister: capB, want: false, wantLeft: 1},
		{desc: "same closure registered twice, removed once", point: "h", register: []any{capA, capA}, unregister: capA, want: true, wantLeft: 1},
		{desc: "map by pointer", point: "f", register: []any{m1}, unregister: m1, want: true, wantLeft: 0},
		{desc: "equal map elsewhere", point: "f", register: []any{m1}, unregister: m2, want: false, wantLeft: 1},
		{desc: "slice by array, length and capacity", point: "f", register: []any{s1}, unregister: s1, want: true, wantLeft: 0},
		{desc: "equal slice elsewhere", point: "f", register: []any{s1}, unregister: s2, want: false, wantLeft: 1},
		{desc: "shorter slice of the same array", point: "f", register: []any{s1}, unregister: s1[:1], want: false, wantLeft: 1},
		{desc: "non-comparable struct, the same interface value", point: "f", register: []any{st1}, unregister: st1, want: true, wantLeft: 0},
		{desc: "non-comparable struct, an equal one", point: "f", register: []any{st1}, unregister: st2, want: false, wantLeft: 1},
		{desc: "non-comparable struct, a copy holding the same slice", point: "f", register: []any{stCopy1}, unregister: stCopy2, want: true, wantLeft: 0},
		{desc: "struct holding a func, a copy", point: "f", register: []any{fnA}, unregister: fnACopy, want: true, wantLeft: 0},
		{desc: "structs holding two closures of one literal", point: "f", register: []any{fnA}, unregister: fnB, want: false, wantLeft: 1},
		{desc: "struct holding equal comparable values in an interface", point: "f", register: []any{ifA}, unregister: ifB, want: true, wantLeft: 0},
		{desc: "struct holding two pointers in an interface", point: "f", register: []any{ifC}, unregister: ifD, want: false, wantLeft: 1},
		{desc: "unexported interface field holding a func, a copy", point: "f", register: []any{hidA}, unregister: hidACopy, want: true, wantLeft: 0},
		{desc: "unexported interface fields holding two closures of one literal", point: "f", register: []any{hidA}, unregister: hidB, want: false, wantLeft: 1},
		{desc: "unexported interface field holding the same func, other name", point: "f", register: []any{hidA}, unregister: hidOther, want: false, wantLeft: 1},
		{desc: "nil", point: "f", register: []any{sameA}, unregister: nil, want: false, wantLeft: 1},
		{desc: "never registered", point: "f", register: nil, unregister: sameA, want: false, wantLeft: 0},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			require.NoError(t, r.RegisterPoint("f", formatterType()))
			require.NoError(t, r.RegisterPoint("h", hookType()))
			for _, e := range tc.register {
				require.NoError(t, r.Register(tc.point, e, 0))
			}
			assert.Equal(t, tc.want, r.Unregister(tc.point, tc.unregister))
			assert.Equal(t, tc.wantLeft, len(r.Get(tc.point)))
		})
	}
	assert.False(t, extension.NewRegistry().Unregister("unknown", sameA), "unknown point")
}

// TestUnregisterMethodValue shows that a method value must be kept to be
// removed: each evaluation of m.Format makes a new closure.
func TestUnregisterMethodValue(t *testing.T) {
	r := extension.NewRegistry()
	m := &named{"m"}
	h := Hook(m.Format)
	require.NoError(t, r.Register("h", h, 0))
	assert.False(t, r.Unregister("h", Hook(m.Format)), "a new method value is another extension")
	assert.True(t, r.Unregister("h", h))
}

// TestUnregisterRemovesTheMostRecentRegistration pins which registration of
// a value registered twice goes: the most recent one.
func TestUnregisterRemovesTheMostRecentRegistration(t *testing.T) {
	tests := []struct {
		desc      string
		readFirst bool // merge pending registrations before unregistering
	}{
		{desc: "both pending"},
		{desc: "both merged", readFirst: true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			f, g := &named{"f"}, &named{"g"}
			require.NoError(t, r.Register("p", f, 1))
			require.NoError(t, r.Register("p", g, 5))
			require.NoError(t, r.Register("p", f, 9))
			if tc.readFirst {
				require.Len(t, r.Get("p"), 3)
			}
			require.True(t, r.Unregister("p", f))
			assert.Equal(t, []extension.Entry{{Value: g, Priority: 5}, {Value: f, Priority: 1}}, r.Entries("p"))
		})
	}
}

// TestPluginStyleRemoval is the plugin manager's use: two plugins contribute
// closures made by one factory; removing one plugin removes exactly its own.
func TestPluginStyleRemoval(t *testing.T) {
	r := extension.NewRegistry()
	p := extension.NewPoint[Hook]("on-save")
	plugins := map[string]Hook{}
	for _, id := range []string{"a", "b", "c"} {
		plugins[id] = makeHook(id + ":")
		require.NoError(t, extension.Add(r, p, plugins[id], 0))
	}
	require.True(t, r.Unregister(p.ID(), plugins["b"]))
	var out []string
	for _, h := range extension.All(r, p) {
		out = append(out, h("x"))
	}
	assert.Equal(t, "a:x c:x", strings.Join(out, " "))
}

// nonCapturing makes closures of a literal that captures nothing.
//
//go:noinline
func nonCapturing() Hook { return func(in string) string { return in } }

// TestNonCapturingClosuresAreOneValue documents the one case the identity
// rule cannot separate: a function literal that captures nothing compiles to
// one static function value, so the closures one call site makes from it are
// the same value and count as one extension.
func TestNonCapturingClosuresAreOneValue(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.Register("h", nonCapturing(), 0))
	require.NoError(t, r.Register("h", nonCapturing(), 0))
	assert.True(t, r.Unregister("h", nonCapturing()))
	assert.Equal(t, 1, len(r.Get("h")), "removes one registration only")
}

// TestNonCapturingClosuresByTheValueRegistered: whether the closures of a
// literal that captures nothing share one value depends on inlining (each
// inlined copy of the maker has its own), so callers pass the value they
// registered, which always removes exactly one registration.
func TestNonCapturingClosuresByTheValueRegistered(t *testing.T) {
	inlinable := func() Hook { return func(in string) string { return in } }
	tests := []struct {
		desc string
		make func() (Hook, Hook)
	}{
		{desc: "maker not inlined", make: func() (Hook, Hook) { return nonCapturing(), nonCapturing() }},
		{desc: "maker inlined twice", make: func() (Hook, Hook) { return inlinable(), inlinable() }},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			a, b := tc.make()
			require.NoError(t, r.Register("h", a, 0))
			require.NoError(t, r.Register("h", b, 0))
			assert.True(t, r.Unregister("h", a))
			assert.Equal(t, 1, len(r.Get("h")))
			assert.True(t, r.Unregister("h", b))
			assert.Equal(t, 0, len(r.Get("h")))
			assert.False(t, r.Unregister("h", a))
		})
	}
}
