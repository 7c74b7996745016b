package extension_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
)

// Printer is a component that receives a point's extensions.
type Printer struct {
	fs extension.Extensions[Formatter]
}

func NewPrinter(fs extension.Extensions[Formatter]) *Printer { return &Printer{fs: fs} }

func (p *Printer) Print(s string) []string {
	var out []string
	for _, f := range p.fs.All() {
		out = append(out, f.Format(s))
	}
	return out
}

// Config is a dependency an extension constructor takes from the graph.
type Config struct{ Prefix string }

// startErr builds an app from opts and returns the error of New or Start.
func startErr(t *testing.T, opts ...fx.Option) error {
	t.Helper()
	app := fx.New(append([]fx.Option{fx.NopLogger}, opts...)...)
	if err := app.Err(); err != nil {
		return err
	}
	err := app.Start(context.Background())
	if err == nil {
		require.NoError(t, app.Stop(context.Background()))
	}
	return err
}

func TestFxInjectsSortedExtensions(t *testing.T) {
	formatters := extension.NewPoint[Formatter]("formatters")
	var printer *Printer
	var reg *extension.Registry
	app := fxtest.New(t, fx.NopLogger,
		extension.Module,
		extension.Provide(formatters),
		extension.Contribute(formatters, Formatter(&named{"low"}), 1),
		extension.ContributeFunc(formatters, func(c *Config) Formatter { return &named{c.Prefix + "high"} }, 10),
		extension.ContributeFunc(formatters, func(c *Config) (*named, error) { return &named{c.Prefix + "mid"}, nil }, 5),
		fx.Supply(&Config{Prefix: "cfg-"}),
		fx.Provide(NewPrinter),
		fx.Populate(&printer, &reg),
	)
	app.RequireStart()
	assert.Equal(t, []string{"cfg-high:x", "cfg-mid:x", "low:x"}, printer.Print("x"))
	f, err := printer.fs.First()
	require.NoError(t, err)
	assert.Equal(t, "cfg-high:y", f.Format("y"))

	// The injected view reflects later changes of the registry.
	require.True(t, reg.Unregister("formatters", f))
	assert.Equal(t, []string{"cfg-mid:x", "low:x"}, printer.Print("x"))
	app.RequireStop()
}

// TestFxEqualPrioritiesKeepOptionOrder: dig shuffles value groups; the
// registry must not.
func TestFxEqualPrioritiesKeepOptionOrder(t *testing.T) {
	p := extension.NewPoint[Formatter]("formatters")
	opts := []fx.Option{fx.NopLogger, extension.Module, extension.Provide(p)}
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("e%02d", i)
		want = append(want, name)
		if i%2 == 0 {
			opts = append(opts, extension.Contribute(p, Formatter(&named{name}), 0))
		} else {
			opts = append(opts, extension.ContributeFunc(p, func() Formatter { return &named{name} }, 0))
		}
	}
	for run := range 5 {
		var fs extension.Extensions[Formatter]
		app := fxtest.New(t, append(opts, fx.Populate(&fs))...)
		app.RequireStart()
		assert.Equal(t, want, names(fs.All()), "run %d", run)
		app.RequireStop()
	}
}

// declareIn declares p by hand in an invoke: the way to declare a second
// point of a type whose view another point provides.
func declareIn[T any](p extension.Point[T]) fx.Option {
	return fx.Invoke(func(r *extension.Registry) error { return extension.Declare(r, p) })
}

func TestFxTwoPointsOfOneType(t *testing.T) {
	audit := extension.NewPoint[Formatter]("audit", extension.Required())
	access := extension.NewPoint[Formatter]("access")
	var provided extension.Extensions[Formatter]
	var reg *extension.Registry
	app := fxtest.New(t, fx.NopLogger,
		extension.Module,
		extension.Provide(access),
		declareIn(audit),
		extension.Contribute(audit, Formatter(&named{"a"}), 0),
		extension.Contribute(access, Formatter(&named{"b"}), 0),
		fx.Populate(&provided, &reg),
	)
	app.RequireStart()
	assert.Equal(t, []string{"b"}, names(provided.All()))
	assert.Equal(t, []string{"a"}, names(extension.View(reg, audit).All()))
	app.RequireStop()

	err := startErr(t, extension.Module, extension.Provide(access), declareIn(audit))
	assert.ErrorIs(t, err, kernel.ErrNoExtensions, "a point declared by hand is checked for being required")
}

func TestFxStartFailures(t *testing.T) {
	formatters := extension.NewPoint[Formatter]("formatters", extension.Required())
	hooks := extension.NewPoint[Hook]("hooks", extension.Required())
	optional := extension.NewPoint[Formatter]("optional")
	typo := extension.NewPoint[Formatter]("formaters")
	far := extension.NewPoint[Formatter]("zzz")
	tests := []struct {
		desc     string
		opts     []fx.Option
		wantErr  error
		contains []string
		absent   []string
	}{
		{
			desc:    "every required point has an extension",
			opts:    []fx.Option{extension.Provide(formatters), extension.Provide(hooks), declareIn(optional), extension.Contribute(formatters, Formatter(&named{"a"}), 0), extension.Contribute(hooks, Hook(topLevelHook), 0)},
			wantErr: nil,
		},
		{
			desc:     "one error lists every required point without extension",
			opts:     []fx.Option{declareIn(formatters), extension.Provide(hooks), extension.Provide(optional)},
			wantErr:  kernel.ErrNoExtensions,
			contains: []string{`["formatters", "hooks"]`, "no registered extensions"},
			absent:   []string{"optional"},
		},
		{
			desc:     "an extension registered by hand before start counts",
			opts:     []fx.Option{extension.Provide(formatters), fx.Invoke(func(r *extension.Registry) error { return extension.Add(r, formatters, Formatter(&named{"a"}), 0) })},
			wantErr:  nil,
			contains: nil,
		},
		{
			desc:     "contribution to an undeclared point, with a hint",
			opts:     []fx.Option{extension.Provide(optional), declareIn(extension.NewPoint[Formatter]("formatters")), extension.Contribute(typo, Formatter(&named{"a"}), 0)},
			wantErr:  kernel.ErrUnknownPoint,
			contains: []string{`"formaters" (did you mean "formatters"?)`, "not registered"},
		},
		{
			desc:     "contributions to several undeclared points",
			opts:     []fx.Option{extension.Provide(extension.NewPoint[Formatter]("formatters")), extension.Contribute(typo, Formatter(&named{"a"}), 0), extension.Contribute(far, Formatter(&named{"b"}), 0)},
			wantErr:  kernel.ErrUnknownPoint,
			contains: []string{`extension points "formaters" (did you mean "formatters"?), "zzz" are not registered`},
		},
		{
			desc:     "a contribution that does not fit its point fails construction",
			opts:     []fx.Option{extension.Provide(extension.NewPoint[other]("formatters")), extension.Contribute(extension.NewPoint[Formatter]("formatters"), Formatter(&named{"a"}), 0)},
			wantErr:  kernel.ErrNotImplemented,
			contains: []string{"does not implement extension point"},
		},
		{
			desc:     "conflicting declarations",
			opts:     []fx.Option{extension.Provide(extension.NewPoint[other]("formatters")), extension.Provide(extension.NewPoint[Formatter]("formatters"))},
			wantErr:  kernel.ErrDuplicatePoint,
			contains: []string{`"formatters"`},
		},
		{
			desc:     "nil contribution",
			opts:     []fx.Option{extension.Provide(optional), extension.Contribute(optional, Formatter(nil), 0)},
			wantErr:  kernel.ErrNotImplemented,
			contains: []string{"nil"},
		},
		{
			desc:    "a point declared twice",
			opts:    []fx.Option{declareIn(formatters), extension.Provide(formatters), extension.Contribute(formatters, Formatter(&named{"a"}), 0)},
			wantErr: nil,
		},
		{
			desc:     "zero point",
			opts:     []fx.Option{declareIn(extension.Point[Formatter]{})},
			wantErr:  kernel.ErrExtension,
			contains: []string{"id is empty"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := startErr(t, append([]fx.Option{extension.Module}, tc.opts...)...)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			for _, s := range tc.contains {
				assert.Contains(t, err.Error(), s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestFxContributeFuncErrors(t *testing.T) {
	p := extension.NewPoint[Formatter]("formatters")
	h := extension.NewPoint[Hook]("hooks")
	boom := errors.New("boom")
	tests := []struct {
		desc     string
		opt      fx.Option
		wantErr  error
		contains string
	}{
		{desc: "ctor error is wrapped", opt: extension.ContributeFunc(p, func() (Formatter, error) { return nil, boom }, 0), wantErr: boom, contains: `constructing an extension for point "formatters"`},
		{desc: "ctor error has the extension class", opt: extension.ContributeFunc(p, func() (Formatter, error) { return nil, boom }, 0), wantErr: kernel.ErrExtension},
		{desc: "ctor returns nil", opt: extension.ContributeFunc(p, func() Formatter { return nil }, 0), wantErr: kernel.ErrNotImplemented, contains: "nil"},
		{desc: "not a function", opt: extension.ContributeFunc(p, &named{"a"}, 0), wantErr: kernel.ErrExtension, contains: "not a function"},
		{desc: "nil constructor", opt: extension.ContributeFunc(p, nil, 0), wantErr: kernel.ErrExtension, contains: "not a function"},
		{desc: "no result", opt: extension.ContributeFunc(p, func() {}, 0), wantErr: kernel.ErrExtension, contains: "must return"},
		{desc: "second result is not an error", opt: extension.ContributeFunc(p, func() (Formatter, int) { return nil, 0 }, 0), wantErr: kernel.ErrExtension, contains: "must return"},
		{desc: "result does not implement the point", opt: extension.ContributeFunc(p, func() int { return 0 }, 0), wantErr: kernel.ErrNotImplemented, contains: "does not implement extension point"},
		{desc: "missing dependency", opt: extension.ContributeFunc(p, func(*Config) Formatter { return &named{"a"} }, 0), contains: "missing type: *extension_test.Config"},
		{desc: "zero point", opt: extension.ContributeFunc(extension.Point[Formatter]{}, func() Formatter { return nil }, 0), wantErr: kernel.ErrExtension},
		{desc: "zero point value", opt: extension.Contribute(extension.Point[Formatter]{}, nil, 0), wantErr: kernel.ErrExtension},
		{desc: "zero point provided", opt: extension.Provide(extension.Point[Formatter]{}), wantErr: kernel.ErrExtension},
		{desc: "unnamed func result for a named func point", opt: extension.ContributeFunc(h, func() func(string) string { return nil }, 0), wantErr: kernel.ErrNotImplemented, contains: "nil"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			err := startErr(t, extension.Module, extension.Provide(p), extension.Provide(h), tc.opt)
			require.Error(t, err)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			assert.Contains(t, err.Error(), tc.contains)
		})
	}
}

func TestFxContributeFuncShapes(t *testing.T) {
	h := extension.NewPoint[Hook]("hooks")
	type deps struct {
		fx.In
		Config *Config
		Extra  *named `optional:"true"`
	}
	var hooks extension.Extensions[Hook]
	app := fxtest.New(t, fx.NopLogger,
		extension.Module,
		extension.Provide(h),
		fx.Supply(&Config{Prefix: "p-"}),
		// A func literal of the unnamed type converts to the point's type.
		extension.ContributeFunc(h, func(c *Config) func(string) string {
			return func(s string) string { return c.Prefix + s }
		}, 2),
		// fx.In parameter structs work.
		extension.ContributeFunc(h, func(d deps) (Hook, error) {
			return func(s string) string { return d.Config.Prefix + "in-" + s }, nil
		}, 1),
		// Variadic constructors get no variadic arguments.
		extension.ContributeFunc(h, func(c *Config, more ...string) Hook {
			return func(s string) string { return fmt.Sprint(len(more)) + s }
		}, 0),
		fx.Populate(&hooks),
	)
	app.RequireStart()
	var out []string
	for _, f := range hooks.All() {
		out = append(out, f("x"))
	}
	assert.Equal(t, []string{"p-x", "p-in-x", "0x"}, out)
	app.RequireStop()
}
