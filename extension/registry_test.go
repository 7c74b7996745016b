package extension_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

type reg struct {
	name string
	prio int
}

func TestOrderHighestPriorityFirstTiesKeepRegistrationOrder(t *testing.T) {
	tests := []struct {
		desc string
		regs []reg
		want []string
	}{
		{desc: "empty", regs: nil, want: []string{}},
		{desc: "one", regs: []reg{{"a", 0}}, want: []string{"a"}},
		{desc: "ascending registrations", regs: []reg{{"a", 1}, {"b", 2}, {"c", 3}}, want: []string{"c", "b", "a"}},
		{desc: "descending registrations", regs: []reg{{"a", 3}, {"b", 2}, {"c", 1}}, want: []string{"a", "b", "c"}},
		{desc: "all equal keep registration order", regs: []reg{{"a", 5}, {"b", 5}, {"c", 5}, {"d", 5}}, want: []string{"a", "b", "c", "d"}},
		{desc: "ties among others", regs: []reg{{"a", 1}, {"b", 9}, {"c", 1}, {"d", 9}, {"e", 5}}, want: []string{"b", "d", "e", "a", "c"}},
		{desc: "negative priorities", regs: []reg{{"a", -1}, {"b", 0}, {"c", -10}, {"d", 0}}, want: []string{"b", "d", "a", "c"}},
		{desc: "extreme priorities", regs: []reg{{"min", minInt}, {"max", maxInt}, {"zero", 0}}, want: []string{"max", "zero", "min"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			p := extension.NewPoint[Formatter]("formatters")
			require.NoError(t, extension.Declare(r, p))
			for _, g := range tc.regs {
				require.NoError(t, r.Register(p.ID(), &named{g.name}, g.prio))
			}
			assert.Equal(t, tc.want, names(extension.All(r, p)), "All")
			assert.Equal(t, tc.want, anyNames(r.Get(p.ID())), "Get")
			assert.Equal(t, tc.want, names(extension.View(r, p).All()), "View.All")
			if len(tc.want) > 0 {
				first, err := extension.First(r, p)
				require.NoError(t, err)
				assert.Equal(t, tc.want[0]+":x", first.Format("x"))
				got, err := r.GetExtension(p.ID())
				require.NoError(t, err)
				assert.Same(t, first, got)
			}
		})
	}
}

const (
	maxInt = int(^uint(0) >> 1)
	minInt = -maxInt - 1
)

// TestOrderInterleavedReadsAndWrites checks the order when reads (which merge
// pending registrations) and writes alternate.
func TestOrderInterleavedReadsAndWrites(t *testing.T) {
	r := extension.NewRegistry()
	p := extension.NewPoint[Formatter]("formatters")
	var want []reg
	for i := range 200 {
		g := reg{name: string(rune('A' + i%26)), prio: (i * 37) % 7}
		g.name = g.name + string(rune('0'+i/26))
		require.NoError(t, extension.Add(r, p, Formatter(&named{g.name}), g.prio))
		want = append(want, g)
		if i%3 == 0 {
			_ = extension.All(r, p)
		}
		if i%17 == 0 {
			require.True(t, r.Unregister(p.ID(), extension.All(r, p)[0]))
			sorted := sortedRegs(want)
			want = slices.DeleteFunc(want, func(x reg) bool { return x == sorted[0] })
		}
	}
	sorted := sortedRegs(want)
	wantNames := make([]string, len(sorted))
	for i, g := range sorted {
		wantNames[i] = g.name
	}
	assert.Equal(t, wantNames, names(extension.All(r, p)))
}

func sortedRegs(rs []reg) []reg {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b reg) int { return b.prio - a.prio })
	return out
}

func TestPointTypes(t *testing.T) {
	type aStruct struct{}
	tests := []struct {
		desc      string
		newPoint  func() // NewPoint for the type
		typ       reflect.Type
		wantError bool
		wantMsg   string // in the error, besides the id and the type; default: the rule
	}{
		{desc: "interface", newPoint: func() { extension.NewPoint[Formatter]("p") }, typ: formatterType()},
		{desc: "empty interface", newPoint: func() { extension.NewPoint[any]("p") }, typ: reflect.TypeFor[any]()},
		{desc: "named func", newPoint: func() { extension.NewPoint[Hook]("p") }, typ: hookType()},
		{desc: "unnamed func", newPoint: func() { extension.NewPoint[func(int) error]("p") }, typ: reflect.TypeFor[func(int) error]()},
		{desc: "struct", newPoint: func() { extension.NewPoint[aStruct]("p") }, typ: reflect.TypeFor[aStruct](), wantError: true},
		{desc: "pointer", newPoint: func() { extension.NewPoint[*named]("p") }, typ: reflect.TypeFor[*named](), wantError: true},
		{desc: "int", newPoint: func() { extension.NewPoint[int]("p") }, typ: reflect.TypeFor[int](), wantError: true},
		{desc: "string", newPoint: func() { extension.NewPoint[string]("p") }, typ: reflect.TypeFor[string](), wantError: true},
		{desc: "slice of interface", newPoint: func() { extension.NewPoint[[]Formatter]("p") }, typ: reflect.TypeFor[[]Formatter](), wantError: true},
		{desc: "map", newPoint: func() { extension.NewPoint[map[string]Hook]("p") }, typ: reflect.TypeFor[map[string]Hook](), wantError: true},
		{desc: "chan", newPoint: func() { extension.NewPoint[chan int]("p") }, typ: reflect.TypeFor[chan int](), wantError: true},
		{desc: "pointer to interface", newPoint: func() { extension.NewPoint[*Formatter]("p") }, typ: reflect.TypeFor[*Formatter](), wantError: true,
			wantMsg: "use the interface extension_test.Formatter itself, not a pointer to it"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := extension.NewRegistry().RegisterPoint("p", tc.typ)
			if !tc.wantError {
				assert.NotPanics(t, tc.newPoint)
				assert.NoError(t, err)
				return
			}
			assert.PanicsWithError(t, err.Error(), tc.newPoint, "NewPoint panics with RegisterPoint's error")
			assert.ErrorIs(t, err, kernel.ErrExtension)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			assert.NotErrorIs(t, err, kernel.ErrNotImplemented)
			assert.Contains(t, err.Error(), `"p"`)
			assert.Contains(t, err.Error(), tc.typ.String())
			if tc.wantMsg == "" {
				tc.wantMsg = "(kind " + tc.typ.Kind().String() + "): a point's type must be an interface or a func type"
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
			var xe *kernel.ExtensionError
			require.ErrorAs(t, err, &xe)
			assert.Equal(t, "p", xe.PointID)
		})
	}
}

func TestRegisterPointInvalidArguments(t *testing.T) {
	tests := []struct {
		desc string
		id   string
		typ  reflect.Type
	}{
		{desc: "empty id", id: "", typ: formatterType()},
		{desc: "nil type", id: "p", typ: nil},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			err := r.RegisterPoint(tc.id, tc.typ)
			require.ErrorIs(t, err, kernel.ErrExtension)
			assert.Empty(t, r.PointIDs())
		})
	}
	assert.Panics(t, func() { extension.NewPoint[Formatter]("") }, "NewPoint with an empty id")
}

func TestRegisterChecksTheDeclaredType(t *testing.T) {
	type unnamedHook = func(in string) string
	tests := []struct {
		desc     string
		typ      reflect.Type
		ext      any
		wantErr  bool
		extType  string
		nilError bool
	}{
		{desc: "pointer implements interface", typ: formatterType(), ext: &named{"a"}},
		{desc: "value implements interface", typ: formatterType(), ext: valueFormatter("a")},
		{desc: "value of pointer-receiver type does not", typ: formatterType(), ext: named{"a"}, wantErr: true, extType: "extension_test.named"},
		{desc: "unrelated type", typ: formatterType(), ext: 42, wantErr: true, extType: "int"},
		{desc: "other interface", typ: reflect.TypeFor[other](), ext: &named{"a"}, wantErr: true, extType: "*extension_test.named"},
		{desc: "func of exactly the type", typ: hookType(), ext: Hook(func(s string) string { return s })},
		{desc: "func of the same signature but unnamed type", typ: hookType(), ext: unnamedHook(func(s string) string { return s }), wantErr: true, extType: "func(string) string"},
		{desc: "func of another signature", typ: hookType(), ext: func(int) string { return "" }, wantErr: true, extType: "func(int) string"},
		{desc: "non-func for func point", typ: hookType(), ext: &named{"a"}, wantErr: true, extType: "*extension_test.named"},
		{desc: "func for interface point", typ: formatterType(), ext: Hook(func(s string) string { return s }), wantErr: true, extType: "extension_test.Hook"},
		{desc: "nil", typ: formatterType(), ext: nil, wantErr: true, nilError: true},
		{desc: "nil func", typ: hookType(), ext: Hook(nil), wantErr: true, nilError: true},
		{desc: "nil pointer implementing the interface is accepted", typ: formatterType(), ext: (*named)(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			require.NoError(t, r.RegisterPoint("my.point", tc.typ))
			err := r.Register("my.point", tc.ext, 1)
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, 1, len(r.Get("my.point")))
				return
			}
			require.ErrorIs(t, err, kernel.ErrNotImplemented)
			assert.ErrorIs(t, err, kernel.ErrExtension)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			assert.Equal(t, 0, len(r.Get("my.point")), "a rejected extension is not registered")
			assert.Contains(t, err.Error(), "my.point")
			var xe *kernel.ExtensionError
			require.ErrorAs(t, err, &xe)
			assert.Equal(t, "my.point", xe.PointID)
			if tc.nilError {
				assert.Contains(t, err.Error(), "nil")
				return
			}
			assert.Contains(t, err.Error(), "does not implement extension point")
			assert.Contains(t, err.Error(), tc.extType)
			assert.Contains(t, err.Error(), tc.typ.String())
			assert.Equal(t, tc.typ.String(), xe.PointType)
			assert.Equal(t, tc.extType, xe.ExtensionType)
		})
	}
}

func TestRegisterEmptyPointID(t *testing.T) {
	r := extension.NewRegistry()
	err := r.Register("", &named{"a"}, 0)
	require.ErrorIs(t, err, kernel.ErrExtension)
	assert.Nil(t, r.Get(""))
}

func TestUndeclaredPoints(t *testing.T) {
	tests := []struct {
		desc      string
		strict    bool
		declare   reflect.Type // declared after registering, if set
		exts      []any
		wantReg   error // error class of the registration
		wantDecl  error // error class of the later declaration
		wantCount int   // Len after everything
		wantPoint bool  // HasPoint after everything
	}{
		{desc: "lenient accepts untyped", exts: []any{&named{"a"}, 42}, wantCount: 2},
		{desc: "lenient, declared later, all fit", declare: formatterType(),
			exts: []any{&named{"a"}, valueFormatter("b")}, wantCount: 2, wantPoint: true},
		{desc: "lenient, declared later, one does not fit", declare: formatterType(),
			exts: []any{&named{"a"}, 42}, wantDecl: kernel.ErrNotImplemented, wantCount: 2},
		{desc: "lenient, func point declared later", declare: hookType(),
			exts: []any{Hook(func(s string) string { return s })}, wantCount: 1, wantPoint: true},
		{desc: "strict rejects", strict: true, exts: []any{&named{"a"}}, wantReg: kernel.ErrUnknownPoint, wantCount: 0},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			var opts []extension.RegistryOption
			if tc.strict {
				opts = append(opts, extension.Strict())
			}
			r := extension.NewRegistry(opts...)
			for _, e := range tc.exts {
				err := r.Register("undeclared", e, 1)
				if tc.wantReg != nil {
					require.ErrorIs(t, err, tc.wantReg)
					assert.Contains(t, err.Error(), "not registered")
					assert.Contains(t, err.Error(), `"undeclared"`)
					continue
				}
				require.NoError(t, err)
			}
			before := r.Get("undeclared")
			if tc.declare != nil {
				err := r.RegisterPoint("undeclared", tc.declare)
				if tc.wantDecl != nil {
					require.ErrorIs(t, err, tc.wantDecl)
					assert.Contains(t, err.Error(), "does not implement extension point")
					assert.Equal(t, before, r.Get("undeclared"), "a failed declaration changes nothing")
				} else {
					require.NoError(t, err)
				}
			}
			assert.Equal(t, tc.wantCount, len(r.Get("undeclared")))
			assert.Len(t, r.Get("undeclared"), tc.wantCount)
			assert.Equal(t, tc.wantPoint, r.HasPoint("undeclared"))
		})
	}
}

func TestStrictSuggestsACloseID(t *testing.T) {
	r := extension.NewRegistry(extension.Strict())
	require.NoError(t, r.RegisterPoint("formatters", formatterType()))
	require.NoError(t, r.RegisterPoint("hooks", hookType()))
	tests := []struct {
		desc string
		id   string
		hint string
	}{
		{desc: "one letter missing", id: "formaters", hint: `did you mean "formatters"?`},
		{desc: "swapped letters", id: "hoosk", hint: `did you mean "hooks"?`},
		{desc: "far away", id: "sinks", hint: ""},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := r.Register(tc.id, &named{"a"}, 0)
			require.ErrorIs(t, err, kernel.ErrUnknownPoint)
			if tc.hint == "" {
				assert.NotContains(t, err.Error(), "did you mean")
			} else {
				assert.Contains(t, err.Error(), tc.hint)
			}
		})
	}
}

func TestRedeclaration(t *testing.T) {
	tests := []struct {
		desc    string
		first   reflect.Type
		second  reflect.Type
		wantErr error
	}{
		{desc: "same interface type is a no-op", first: formatterType(), second: formatterType()},
		{desc: "same func type is a no-op", first: hookType(), second: hookType()},
		{desc: "another interface", first: formatterType(), second: reflect.TypeFor[other](), wantErr: kernel.ErrDuplicatePoint},
		{desc: "interface then func", first: formatterType(), second: hookType(), wantErr: kernel.ErrDuplicatePoint},
		{desc: "named then unnamed func", first: hookType(), second: reflect.TypeFor[func(string) string](), wantErr: kernel.ErrDuplicatePoint},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			require.NoError(t, r.RegisterPoint("p", tc.first))
			err := r.RegisterPoint("p", tc.second)
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, []extension.PointInfo{{ID: "p", Type: tc.first}}, r.Points())
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			assert.ErrorIs(t, err, kernel.ErrExtension)
			assert.Contains(t, err.Error(), `"p"`)
			assert.Contains(t, err.Error(), tc.first.String())
			assert.Contains(t, err.Error(), tc.second.String())
			assert.Equal(t, []extension.PointInfo{{ID: "p", Type: tc.first}}, r.Points(), "the first declaration stays")
		})
	}
}

func TestDeclareIsANoOpForTheSameTypeEvenWithOtherOptions(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("p", extension.Description("first"))))
	require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("p", extension.Description("second"), extension.Required())))
	assert.Equal(t, []extension.PointInfo{{ID: "p", Type: formatterType(), Description: "first"}}, r.Points())
	err := extension.Declare(r, extension.NewPoint[Hook]("p"))
	require.ErrorIs(t, err, kernel.ErrDuplicatePoint)
}

func TestGetExtensionAndFirstErrors(t *testing.T) {
	tests := []struct {
		desc     string
		setup    func(r *extension.Registry)
		wantErr  error
		wantText string
	}{
		{desc: "undeclared point", setup: func(*extension.Registry) {}, wantErr: kernel.ErrUnknownPoint, wantText: "not registered"},
		{desc: "undeclared point after its declaration was removed", setup: func(r *extension.Registry) {
			require.NoError(t, r.RegisterPoint("p", formatterType()))
			require.True(t, r.UnregisterPoint("p"))
		}, wantErr: kernel.ErrUnknownPoint, wantText: "not registered"},
		{desc: "declared without extensions", setup: func(r *extension.Registry) {
			require.NoError(t, r.RegisterPoint("p", formatterType()))
		}, wantErr: kernel.ErrNoExtensions, wantText: "no registered extensions"},
		{desc: "declared, extension removed", setup: func(r *extension.Registry) {
			require.NoError(t, r.RegisterPoint("p", formatterType()))
			f := &named{"a"}
			require.NoError(t, r.Register("p", f, 0))
			require.True(t, r.Unregister("p", f))
		}, wantErr: kernel.ErrNoExtensions, wantText: "no registered extensions"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			tc.setup(r)
			p := extension.NewPoint[Formatter]("p")
			errs := map[string]error{}
			_, errs["GetExtension"] = r.GetExtension("p")
			_, errs["First"] = extension.First(r, p)
			_, errs["View.First"] = extension.View(r, p).First()
			for name, err := range errs {
				require.ErrorIs(t, err, tc.wantErr, name)
				assert.ErrorIs(t, err, kernel.ErrExtension, name)
				assert.Contains(t, err.Error(), tc.wantText, name)
				assert.Contains(t, err.Error(), `"p"`, name)
				var xe *kernel.ExtensionError
				require.ErrorAs(t, err, &xe, name)
				assert.Equal(t, "p", xe.PointID, name)
			}
			assert.Nil(t, extension.All(r, p))
			assert.Nil(t, r.Get("p"))
		})
	}
}

func TestGetExtensionOfALenientUndeclaredPoint(t *testing.T) {
	r := extension.NewRegistry()
	a, b := &named{"a"}, &named{"b"}
	require.NoError(t, r.Register("p", a, 1))
	require.NoError(t, r.Register("p", b, 2))
	got, err := r.GetExtension("p")
	require.NoError(t, err)
	assert.Same(t, b, got)
	// The typed accessors need a declaration.
	p := extension.NewPoint[Formatter]("p")
	assert.Nil(t, extension.All(r, p))
	_, err = extension.First(r, p)
	require.ErrorIs(t, err, kernel.ErrUnknownPoint)
	require.NoError(t, extension.Declare(r, p))
	assert.Equal(t, []string{"b", "a"}, names(extension.All(r, p)))
}

func TestFirstOnAPointDeclaredWithAnotherType(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.RegisterPoint("p", formatterType()))
	require.NoError(t, r.Register("p", &named{"a"}, 0))
	p := extension.NewPoint[Hook]("p")
	assert.Nil(t, extension.All(r, p))
	_, err := extension.First(r, p)
	require.ErrorIs(t, err, kernel.ErrDuplicatePoint)
	assert.Contains(t, err.Error(), hookType().String())
	assert.Contains(t, err.Error(), formatterType().String())
	err = extension.Add(r, p, func(s string) string { return s }, 0)
	require.ErrorIs(t, err, kernel.ErrDuplicatePoint)
}

func TestGetReturnsACopy(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.Register("p", &named{"a"}, 1))
	require.NoError(t, r.Register("p", &named{"b"}, 0))
	got := r.Get("p")
	got[0] = &named{"mutated"}
	assert.Equal(t, []string{"a", "b"}, anyNames(r.Get("p")))
	assert.Nil(t, r.Get("unknown"), "empty for an unknown point")
	assert.Equal(t, []extension.Entry{{Value: got[1], Priority: 0}}, r.Entries("p")[1:])
}

func TestAllIsASharedReadOnlySnapshot(t *testing.T) {
	r := extension.NewRegistry()
	p := extension.NewPoint[Formatter]("p")
	require.NoError(t, extension.Add(r, p, Formatter(&named{"a"}), 2))
	require.NoError(t, extension.Add(r, p, Formatter(&named{"b"}), 1))
	all := extension.All(r, p)
	assert.Equal(t, len(all), cap(all), "append never writes into the shared array")
	grown := append(all, &named{"c"})
	assert.Equal(t, []string{"a", "b", "c"}, names(grown))
	assert.Equal(t, []string{"a", "b"}, names(extension.All(r, p)))
	// A snapshot does not change when the registry does.
	require.NoError(t, extension.Add(r, p, Formatter(&named{"z"}), 9))
	assert.Equal(t, []string{"a", "b"}, names(all))
	assert.Equal(t, []string{"z", "a", "b"}, names(extension.All(r, p)))
}

func TestPointIDsAndPoints(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, extension.Declare(r, extension.NewPoint[Hook]("zeta", extension.Required())))
	require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("alpha", extension.Description("format things"))))
	require.NoError(t, r.RegisterPoint("mid", formatterType()))
	require.NoError(t, r.Register("undeclared", 1, 0))
	require.NoError(t, r.Register("alpha", &named{"a"}, 0))
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, r.PointIDs())
	assert.Equal(t, []extension.PointInfo{
		{ID: "alpha", Type: formatterType(), Description: "format things", Extensions: 1},
		{ID: "mid", Type: formatterType()},
		{ID: "zeta", Type: hookType(), Required: true},
	}, r.Points())
	assert.True(t, r.HasPoint("mid"))
	assert.False(t, r.HasPoint("undeclared"))
	assert.False(t, r.HasPoint("nope"))
	assert.Empty(t, extension.NewRegistry().PointIDs())
}

func TestUnregisterPoint(t *testing.T) {
	r := extension.NewRegistry()
	p := extension.NewPoint[Formatter]("p")
	view := extension.View(r, p)
	a := &named{"a"}
	require.NoError(t, extension.Add(r, p, Formatter(a), 0))
	require.Equal(t, 1, len(view.All()))

	assert.True(t, r.UnregisterPoint("p"))
	assert.False(t, r.UnregisterPoint("p"), "already removed")
	assert.False(t, r.UnregisterPoint("never"))
	assert.False(t, r.HasPoint("p"))
	assert.Empty(t, r.PointIDs())
	assert.Nil(t, extension.All(r, p), "typed reads need a declaration")
	assert.Nil(t, view.All())
	assert.Equal(t, []any{a}, r.Get("p"), "extensions stay, undeclared")

	// Declaring again (even with another type) checks what is there.
	require.ErrorIs(t, extension.Declare(r, extension.NewPoint[other]("p")), kernel.ErrNotImplemented)
	require.NoError(t, extension.Declare(r, p))
	assert.Equal(t, []string{"a"}, names(view.All()), "the view follows the point again")

	// Removing the extensions and then the point restores an empty registry.
	require.True(t, r.Unregister("p", a))
	require.True(t, r.UnregisterPoint("p"))
	assert.Empty(t, r.PointIDs())
	assert.Nil(t, r.Get("p"))
	assert.Empty(t, r.Points())
}

func TestRequiredPointsAreCheckedOnStart(t *testing.T) {
	tests := []struct {
		desc    string
		setup   func(r *extension.Registry)
		missing []string
	}{
		{desc: "no points", setup: func(*extension.Registry) {}},
		{desc: "optional point without extensions", setup: func(r *extension.Registry) {
			require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("opt")))
		}},
		{desc: "required point with an extension", setup: func(r *extension.Registry) {
			p := extension.NewPoint[Formatter]("req", extension.Required())
			require.NoError(t, extension.Add(r, p, Formatter(&named{"a"}), 0))
		}},
		{desc: "two required points missing, listed sorted", setup: func(r *extension.Registry) {
			require.NoError(t, extension.Declare(r, extension.NewPoint[Hook]("z.hook", extension.Required())))
			require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("a.formatters", extension.Required())))
			require.NoError(t, extension.Declare(r, extension.NewPoint[Formatter]("m.optional")))
		}, missing: []string{"a.formatters", "z.hook"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := startErr(t, extension.Module, fx.Invoke(tc.setup))
			if tc.missing == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, kernel.ErrNoExtensions)
			assert.Contains(t, err.Error(), "no registered extensions")
			assert.Contains(t, err.Error(), `["a.formatters", "z.hook"]`)
			var xe *kernel.ExtensionError
			require.ErrorAs(t, err, &xe)
			assert.Equal(t, "a.formatters, z.hook", xe.PointID)
		})
	}
}

func TestOptionsPrintThemselves(t *testing.T) {
	assert.Equal(t, "Strict()", extension.Strict().String())
	assert.Equal(t, "Required()", extension.Required().String())
	assert.Equal(t, `Description("x")`, extension.Description("x").String())
}

func TestZeroValues(t *testing.T) {
	var zr extension.Registry
	require.NoError(t, zr.Register("p", &named{"a"}, 0), "the zero Registry is lenient and usable")
	assert.Len(t, zr.Get("p"), 1)

	var zp extension.Point[Formatter]
	assert.Equal(t, "", zp.ID())
	r := extension.NewRegistry()
	require.ErrorIs(t, extension.Declare(r, zp), kernel.ErrExtension)
	require.ErrorIs(t, extension.Add(r, zp, Formatter(&named{"a"}), 0), kernel.ErrExtension)
	assert.Nil(t, extension.All(r, zp))
	_, err := extension.First(r, zp)
	require.ErrorIs(t, err, kernel.ErrUnknownPoint)

	var zv extension.Extensions[Formatter]
	assert.Nil(t, zv.All())
	_, err = zv.First()
	require.ErrorIs(t, err, kernel.ErrUnknownPoint)
	assert.Equal(t, zv, extension.View(nil, extension.NewPoint[Formatter]("p")))

	p := extension.NewPoint[Formatter]("p")
	assert.Nil(t, extension.All(nil, p))
	_, err = extension.First(nil, p)
	require.ErrorIs(t, err, kernel.ErrUnknownPoint)
}

func TestPointAccessors(t *testing.T) {
	p := extension.NewPoint[Hook]("hooks.on-save", extension.Description("called on save"), extension.Required(), nil)
	assert.Equal(t, "hooks.on-save", p.ID())
	r := extension.NewRegistry()
	require.NoError(t, extension.Declare(r, p))
	require.NoError(t, extension.Declare(r, extension.NewPoint[Hook]("x")))
	assert.Equal(t, []extension.PointInfo{
		{ID: "hooks.on-save", Type: hookType(), Description: "called on save", Required: true},
		{ID: "x", Type: hookType()},
	}, r.Points(), "Points reports what the options said")
}

// TestSnapshotsNeverChange takes snapshots between changes of every kind and
// checks that none of them changes afterwards (in-place appends happen beyond
// what any snapshot can see).
func TestSnapshotsNeverChange(t *testing.T) {
	tests := []struct {
		desc   string
		change func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int)
	}{
		{desc: "equal priorities (append)", change: func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int) {
			require.NoError(t, extension.Add(r, p, Formatter(&named{fmt.Sprint(i)}), 0))
		}},
		{desc: "falling priorities (append)", change: func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int) {
			require.NoError(t, extension.Add(r, p, Formatter(&named{fmt.Sprint(i)}), -i))
		}},
		{desc: "rising priorities (merge)", change: func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int) {
			require.NoError(t, extension.Add(r, p, Formatter(&named{fmt.Sprint(i)}), i))
		}},
		{desc: "adds and removals", change: func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int) {
			if i%3 == 2 {
				require.True(t, r.Unregister(p.ID(), extension.All(r, p)[0]))
				return
			}
			require.NoError(t, extension.Add(r, p, Formatter(&named{fmt.Sprint(i)}), i%2))
		}},
		{desc: "declaration removed and restored", change: func(t *testing.T, r *extension.Registry, p extension.Point[Formatter], i int) {
			switch i % 3 {
			case 0:
				require.NoError(t, extension.Add(r, p, Formatter(&named{fmt.Sprint(i)}), 0))
			case 1:
				r.UnregisterPoint(p.ID())
				require.NoError(t, r.Register(p.ID(), &named{fmt.Sprint(i)}, 0))
			case 2:
				require.NoError(t, r.RegisterPoint(p.ID(), formatterType()))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := extension.NewRegistry()
			p := extension.NewPoint[Formatter]("p")
			view := extension.View(r, p)
			type shot struct {
				all   []Formatter
				names []string
				get   []any
			}
			var shots []shot
			for i := range 40 {
				tc.change(t, r, p, i)
				all := extension.All(r, p)
				shots = append(shots, shot{all: all, names: names(all), get: r.Get("p")})
				first, err := extension.First(r, p)
				vfirst, verr := view.First()
				if len(all) == 0 {
					assert.Error(t, err, "change %d", i)
					assert.Error(t, verr, "change %d", i)
				} else {
					require.NoError(t, err, "change %d", i)
					require.NoError(t, verr, "change %d", i)
					assert.Same(t, all[0], first, "First is All's first after change %d", i)
					assert.Same(t, all[0], vfirst, "View.First is All's first after change %d", i)
				}
				if len(all) > 0 {
					_ = append(all, &named{"reader-append"}) // must not reach the registry
				}
			}
			for i, s := range shots {
				assert.Equal(t, s.names, names(s.all), "snapshot %d changed", i)
			}
			last := shots[len(shots)-1]
			assert.Equal(t, last.names, names(extension.All(r, p)))
			assert.Equal(t, anyNames(last.get), names(extension.All(r, p)))
			assert.NotContains(t, names(extension.All(r, p)), "reader-append")
		})
	}
}

// TestRegisterPointDeclaresTypedReads covers points declared from a
// reflect.Type: the typed accessors see them like points made with NewPoint.
func TestRegisterPointDeclaresTypedReads(t *testing.T) {
	r := extension.NewRegistry()
	require.NoError(t, r.RegisterPoint("p", formatterType()))
	p := extension.NewPoint[Formatter]("p")
	assert.Nil(t, extension.All(r, p))
	for i, prio := range []int{1, 1, 0, 5} { // appends, then a merge
		require.NoError(t, r.Register("p", &named{fmt.Sprint(i)}, prio))
		_ = extension.All(r, p)
	}
	assert.Equal(t, []string{"3", "0", "1", "2"}, names(extension.All(r, p)))
	f, err := extension.First(r, p)
	require.NoError(t, err)
	assert.Equal(t, "3:x", f.Format("x"))
	all := extension.All(r, p)
	assert.Equal(t, len(all), cap(all))

	h := extension.NewPoint[Hook]("h")
	require.NoError(t, r.RegisterPoint("h", hookType()))
	require.NoError(t, r.Register("h", Hook(topLevelHook), 0))
	hook, err := extension.First(r, h)
	require.NoError(t, err)
	assert.Equal(t, "top:x", hook("x"))
}
