package extension_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

func TestAdd(t *testing.T) {
	tests := []struct {
		desc        string
		strict      bool
		declare     bool
		ext         Formatter
		wantErr     error
		wantPoint   bool
		wantAllSize int
	}{
		{desc: "declared point", declare: true, ext: &named{"a"}, wantPoint: true, wantAllSize: 1},
		{desc: "lenient registry declares the point", ext: &named{"a"}, wantPoint: true, wantAllSize: 1},
		{desc: "strict registry, declared point", strict: true, declare: true, ext: &named{"a"}, wantPoint: true, wantAllSize: 1},
		{desc: "strict registry, undeclared point", strict: true, ext: &named{"a"}, wantErr: kernel.ErrUnknownPoint},
		{desc: "nil extension", declare: true, ext: nil, wantErr: kernel.ErrNotImplemented, wantPoint: true},
		{desc: "nil extension does not declare", ext: nil, wantErr: kernel.ErrNotImplemented},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			var opts []extension.RegistryOption
			if tc.strict {
				opts = append(opts, extension.Strict())
			}
			r := extension.NewRegistry(opts...)
			p := extension.NewPoint[Formatter]("p", extension.Required())
			if tc.declare {
				require.NoError(t, extension.Declare(r, p))
			}
			err := extension.Add(r, p, tc.ext, 0)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantPoint, r.HasPoint("p"))
			assert.Len(t, extension.All(r, p), tc.wantAllSize)
			if tc.wantPoint {
				assert.True(t, r.Points()[0].Required, "an implicit declaration is p's own")
			}
		})
	}
}

func TestAddChecksLenientExtensionsWhenItDeclares(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.Register("p", 42, 0))
	p := extension.NewPoint[Formatter]("p")
	err := extension.Add(r, p, Formatter(&named{"a"}), 0)
	require.ErrorIs(t, err, kernel.ErrNotImplemented)
	assert.False(t, r.HasPoint("p"))
	assert.Equal(t, []any{42}, r.Get("p"), "nothing changed")
}

func TestHookPointWinnerIsTheHighestPriority(t *testing.T) {
	// opa-stack: "the highest order wins".
	r := extension.NewRegistry()
	p := extension.NewPoint[Hook]("on-request", extension.Required())
	require.NoError(t, extension.Declare(r, p))
	require.NoError(t, extension.Add(r, p, makeHook("default:"), 0))
	require.NoError(t, extension.Add(r, p, makeHook("override:"), 100))
	require.NoError(t, extension.Add(r, p, Hook(topLevelHook), 50))
	h, err := extension.First(r, p)
	require.NoError(t, err)
	assert.Equal(t, "override:x", h("x"))
	var calls []string
	for _, h := range extension.All(r, p) {
		calls = append(calls, h("x"))
	}
	assert.Equal(t, []string{"override:x", "top:x", "default:x"}, calls)
}

func TestViewReflectsLaterChanges(t *testing.T) {
	r := extension.NewRegistry()
	p := extension.NewPoint[Formatter]("p")
	view := extension.View(r, p) // before the point exists
	assert.Nil(t, view.All())
	_, err := view.First()
	require.ErrorIs(t, err, kernel.ErrUnknownPoint)

	require.NoError(t, extension.Declare(r, p))
	_, err = view.First()
	require.ErrorIs(t, err, kernel.ErrNoExtensions)

	a, b := &named{"a"}, &named{"b"}
	require.NoError(t, extension.Add(r, p, Formatter(a), 1))
	require.NoError(t, r.Register("p", b, 2))
	assert.Equal(t, []string{"b", "a"}, names(view.All()))
	assert.Equal(t, 2, len(view.All()))
	first, err := view.First()
	require.NoError(t, err)
	assert.Same(t, b, first)

	require.True(t, r.Unregister("p", b))
	assert.Equal(t, []string{"a"}, names(view.All()), "a removed extension disappears")
}

func TestOnePointInTwoRegistries(t *testing.T) {
	// A Point caches the slot of the last registry it was read from; reads
	// from another registry must not see it.
	p := extension.NewPoint[Formatter]("p")
	r1, r2 := extension.NewRegistry(), extension.NewRegistry()
	require.NoError(t, extension.Add(r1, p, Formatter(&named{"one"}), 0))
	require.NoError(t, extension.Add(r2, p, Formatter(&named{"two"}), 0))
	for range 3 {
		assert.Equal(t, []string{"one"}, names(extension.All(r1, p)))
		assert.Equal(t, []string{"two"}, names(extension.All(r2, p)))
		f, err := extension.First(r2, p)
		require.NoError(t, err)
		assert.Equal(t, "two:x", f.Format("x"))
	}
	assert.Nil(t, extension.All(extension.NewRegistry(), p))
}

func TestTypedReadsDoNotAllocate(t *testing.T) {
	r := extension.NewRegistry()
	fp := extension.NewPoint[Formatter]("formatters")
	hp := extension.NewPoint[Hook]("hook")
	for i := range 10 {
		require.NoError(t, extension.Add(r, fp, Formatter(&named{"f"}), i))
		require.NoError(t, extension.Add(r, hp, makeHook("h"), i))
	}
	fv, hv := extension.View(r, fp), extension.View(r, hp)
	_ = extension.All(r, fp) // the first read after a change rebuilds once
	_ = extension.All(r, hp)
	n := 0
	reads := map[string]func(){
		"All":        func() { n += len(extension.All(r, fp)) },
		"First":      func() { f, _ := extension.First(r, fp); n += len(f.(*named).name) },
		"View.All":   func() { n += len(fv.All()) },
		"View.First": func() { f, _ := fv.First(); n += len(f.(*named).name) },
		"View.Len":   func() { n += len(fv.All()) },
		"hook First": func() { h, _ := extension.First(r, hp); n += len(h("")) },
		"hook View":  func() { h, _ := hv.First(); n += len(h("")) },
		"HasPoint":   func() { _ = r.HasPoint("formatters") },
	}
	for name, read := range reads {
		assert.Zero(t, testing.AllocsPerRun(100, read), name)
	}
}

// TestTypedReadsOfAPointDeclaredByType: a point declared with RegisterPoint
// (its snapshot and winner built by reflect) reads through a Point of the
// same type like one declared with Declare: the fast path, no allocation.
func TestTypedReadsOfAPointDeclaredByType(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.RegisterPoint("formatters", formatterType()))
	require.NoError(t, r.RegisterPoint("hook", hookType()))
	fp := extension.NewPoint[Formatter]("formatters")
	hp := extension.NewPoint[Hook]("hook")
	fv, hv := extension.View(r, fp), extension.View(r, hp)

	_, err := fv.First()
	require.ErrorIs(t, err, kernel.ErrNoExtensions)
	_, err = extension.First(r, hp)
	require.ErrorIs(t, err, kernel.ErrNoExtensions)

	a, b := &named{"a"}, &named{"b"}
	require.NoError(t, r.Register("formatters", a, 1))
	require.NoError(t, r.Register("formatters", b, 2))
	require.NoError(t, r.Register("hook", makeHook("h:"), 0))

	assert.Equal(t, []string{"b", "a"}, names(extension.All(r, fp)))
	assert.Equal(t, []string{"b", "a"}, names(fv.All()))
	f, err := extension.First(r, fp)
	require.NoError(t, err)
	assert.Same(t, b, f)
	f, err = fv.First()
	require.NoError(t, err)
	assert.Same(t, b, f)
	h, err := hv.First()
	require.NoError(t, err)
	assert.Equal(t, "h:x", h("x"))

	n := 0
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		f, _ := extension.First(r, fp)
		g, _ := fv.First()
		h, _ := extension.First(r, hp)
		n += len(f.(*named).name) + len(g.(*named).name) + len(h("")) + len(fv.All())
	}))

	other := extension.NewPoint[other]("formatters")
	_, err = extension.First(r, other)
	assert.ErrorIs(t, err, kernel.ErrDuplicatePoint)
	_, err = extension.View(r, other).First()
	assert.ErrorIs(t, err, kernel.ErrDuplicatePoint)
}
