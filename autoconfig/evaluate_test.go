package autoconfig_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/fx/fxtest"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

func TestOrdering(t *testing.T) {
	ac := autoconfig.New
	tests := []struct {
		desc       string
		candidates []*autoconfig.AutoConfig
		want       []string
	}{
		{
			desc:       "no ordering: by name",
			candidates: []*autoconfig.AutoConfig{ac("c"), ac("a"), ac("b")},
			want:       []string{"a", "b", "c"},
		},
		{
			desc:       "After moves one after another",
			candidates: []*autoconfig.AutoConfig{ac("a", autoconfig.After("c")), ac("b"), ac("c")},
			want:       []string{"b", "c", "a"},
		},
		{
			desc:       "Before moves one before another",
			candidates: []*autoconfig.AutoConfig{ac("a"), ac("b"), ac("z", autoconfig.Before("a"))},
			want:       []string{"b", "z", "a"},
		},
		{
			desc: "a chain",
			candidates: []*autoconfig.AutoConfig{
				ac("web", autoconfig.After("plugins")), ac("admin", autoconfig.After("web")), ac("plugins"),
			},
			want: []string{"plugins", "web", "admin"},
		},
		{
			desc:       "Before and After naming absent ones are ignored",
			candidates: []*autoconfig.AutoConfig{ac("b", autoconfig.After("zz")), ac("a", autoconfig.Before("yy"))},
			want:       []string{"a", "b"},
		},
		{
			desc: "OnAutoConfig implies After",
			candidates: []*autoconfig.AutoConfig{
				ac("a", autoconfig.When(autoconfig.OnAutoConfig("b"))), ac("b"),
			},
			want: []string{"b", "a"},
		},
		{
			desc: "OnAutoConfig inside Not and Any implies After too",
			candidates: []*autoconfig.AutoConfig{
				ac("a", autoconfig.When(autoconfig.Not(autoconfig.OnAutoConfig("c")))),
				ac("b", autoconfig.When(autoconfig.Any(autoconfig.OnAutoConfig("d")))),
				ac("c"), ac("d"),
			},
			want: []string{"c", "a", "d", "b"},
		},
		{
			desc: "the same constraint from both sides",
			candidates: []*autoconfig.AutoConfig{
				ac("a", autoconfig.After("b")), ac("b", autoconfig.Before("a")),
			},
			want: []string{"b", "a"},
		},
		{
			desc: "diamond, ties by name",
			candidates: []*autoconfig.AutoConfig{
				ac("top"), ac("left", autoconfig.After("top")), ac("right", autoconfig.After("top")),
				ac("bottom", autoconfig.After("left", "right")),
			},
			want: []string{"top", "left", "right", "bottom"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, tt.candidates)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Report.Order)
			// The order does not depend on the order of the candidates.
			rev := append([]*autoconfig.AutoConfig(nil), tt.candidates...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			res2, err := autoconfig.EvaluateEnv(autoconfig.Env{}, rev)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res2.Report.Order)
		})
	}
}

func TestOrderingCycle(t *testing.T) {
	ac := autoconfig.New
	tests := []struct {
		desc       string
		candidates []*autoconfig.AutoConfig
		cycle      string
	}{
		{
			desc:       "two",
			candidates: []*autoconfig.AutoConfig{ac("b", autoconfig.After("a")), ac("a", autoconfig.After("b"))},
			cycle:      "a -> b -> a",
		},
		{
			desc: "three, with bystanders",
			candidates: []*autoconfig.AutoConfig{
				ac("a"), ac("x", autoconfig.After("z")), ac("y", autoconfig.After("x")), ac("z", autoconfig.After("y")),
				ac("w", autoconfig.After("x")),
			},
			cycle: "x -> y -> z -> x",
		},
		{
			desc:       "itself",
			candidates: []*autoconfig.AutoConfig{ac("a", autoconfig.Before("a"))},
			cycle:      "a -> a",
		},
		{
			desc: "through OnAutoConfig",
			candidates: []*autoconfig.AutoConfig{
				ac("a", autoconfig.When(autoconfig.OnAutoConfig("b"))), ac("b", autoconfig.After("a")),
			},
			cycle: "a -> b -> a",
		},
		{
			desc: "Before one way, After the other",
			candidates: []*autoconfig.AutoConfig{
				ac("m", autoconfig.Before("n")), ac("n", autoconfig.Before("m")),
			},
			cycle: "m -> n -> m",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := autoconfig.EvaluateEnv(autoconfig.Env{}, tt.candidates)
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			var ke *kernel.Error
			require.True(t, errors.As(err, &ke))
			assert.Contains(t, err.Error(), "cycle "+tt.cycle+" ")
		})
	}
}

func TestCandidateErrors(t *testing.T) {
	same := autoconfig.New("same")
	tests := []struct {
		desc       string
		candidates []*autoconfig.AutoConfig
		msg        string
	}{
		{"nil candidate", []*autoconfig.AutoConfig{autoconfig.New("a"), nil}, "auto-configuration candidate 1 is nil: build it with autoconfig.New"},
		{"empty name", []*autoconfig.AutoConfig{autoconfig.New("")}, "auto-configuration candidate 0 has an empty name: give autoconfig.New a name"},
		{"duplicate name", []*autoconfig.AutoConfig{autoconfig.New("a"), autoconfig.New("a")}, `two auto-configurations are named "a": rename one of them, or pass it only once`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := autoconfig.EvaluateEnv(autoconfig.Env{}, tt.candidates)
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			assert.EqualError(t, err, tt.msg)
		})
	}
	t.Run("the same auto-configuration twice counts once", func(t *testing.T) {
		res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{same, same})
		require.NoError(t, err)
		assert.Equal(t, []string{"same"}, res.Matched)
	})
}

func TestExclusions(t *testing.T) {
	candidates := func() []*autoconfig.AutoConfig {
		return []*autoconfig.AutoConfig{
			autoconfig.New("a"),
			autoconfig.New("b", autoconfig.When(autoconfig.OnProperty("never"))),
			autoconfig.New("c"),
			autoconfig.New("d", autoconfig.When(autoconfig.OnAutoConfig("c"))),
		}
	}
	tests := []struct {
		desc     string
		yaml     string
		exclude  []string
		matched  []string
		excluded []autoconfig.Exclusion
	}{
		{
			desc: "none", yaml: "x: 1",
			matched: []string{"a", "c", "d"},
		},
		{
			desc: "from a config list", yaml: "autoconfig: {exclude: [c]}",
			matched:  []string{"a"},
			excluded: []autoconfig.Exclusion{{Name: "c", Source: "autoconfig.exclude from application.yaml"}},
		},
		{
			desc: "from a comma-separated string", yaml: "autoconfig: {exclude: ' c , a ,'}",
			matched: []string{},
			excluded: []autoconfig.Exclusion{
				{Name: "a", Source: "autoconfig.exclude from application.yaml"},
				{Name: "c", Source: "autoconfig.exclude from application.yaml"},
			},
		},
		{
			desc: "from code", yaml: "x: 1", exclude: []string{"a"},
			matched:  []string{"c", "d"},
			excluded: []autoconfig.Exclusion{{Name: "a", Source: "gofly.ExcludeAutoConfig"}},
		},
		{
			desc: "both, code named first wins the source", yaml: "autoconfig: {exclude: [a, b]}", exclude: []string{"a"},
			matched: []string{"c", "d"},
			excluded: []autoconfig.Exclusion{
				{Name: "a", Source: "gofly.ExcludeAutoConfig"},
				{Name: "b", Source: "autoconfig.exclude from application.yaml"},
			},
		},
		{
			desc: "empty list and null", yaml: "autoconfig: {exclude: []}",
			matched: []string{"a", "c", "d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, tt.yaml)}, candidates(), autoconfig.Exclude(tt.exclude...))
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.matched, res.Matched)
			if tt.excluded == nil {
				assert.Empty(t, res.Report.Exclusions)
			} else {
				assert.Equal(t, tt.excluded, res.Report.Exclusions)
			}
			for _, e := range tt.excluded {
				out, ok := res.Report.Find(e.Name)
				require.True(t, ok)
				assert.Equal(t, autoconfig.StateExcluded, out.State)
				for _, c := range out.Conditions {
					assert.False(t, c.Evaluated)
				}
			}
		})
	}
}

func TestExclusionErrors(t *testing.T) {
	cands := []*autoconfig.AutoConfig{autoconfig.New("web"), autoconfig.New("plugins")}
	t.Run("unknown name in config", func(t *testing.T) {
		_, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, "autoconfig: {exclude: [wbe, plugins]}")}, cands)
		require.Error(t, err)
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "autoconfig.exclude", ce.Key)
		assert.Equal(t, "application.yaml", ce.Source)
		assert.EqualError(t, err, `cannot exclude "wbe": not an auto-configuration (candidates: plugins, web); fix the name or remove the exclusion`)
	})
	t.Run("unknown name in code", func(t *testing.T) {
		_, err := autoconfig.EvaluateEnv(autoconfig.Env{}, cands, autoconfig.Exclude("nope", "web"))
		require.Error(t, err)
		assert.ErrorIs(t, err, kernel.ErrConfig)
		var ce *kernel.ConfigError
		assert.False(t, errors.As(err, &ce), "an exclusion in code is not a configuration key")
		assert.Contains(t, err.Error(), `cannot exclude "nope"`)
	})
	t.Run("not a list", func(t *testing.T) {
		_, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, "autoconfig: {exclude: 3}")}, cands)
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "autoconfig.exclude", ce.Key)
		assert.Contains(t, err.Error(), "give a list of auto-configuration names or a comma-separated string")
	})
	t.Run("a list of non-names", func(t *testing.T) {
		_, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, "autoconfig: {exclude: [web, {a: 1}]}")}, cands)
		var ce *kernel.ConfigError
		require.True(t, errors.As(err, &ce))
		assert.Contains(t, err.Error(), "not a name")
	})
}

func TestOnAutoConfigSeesEarlierOutcomes(t *testing.T) {
	cands := []*autoconfig.AutoConfig{
		autoconfig.New("base", autoconfig.When(autoconfig.OnProperty("base.on"))),
		autoconfig.New("needs-base", autoconfig.When(autoconfig.OnAutoConfig("base"))),
		autoconfig.New("needs-missing", autoconfig.When(autoconfig.OnAutoConfig("nope"))),
		autoconfig.New("needs-excluded", autoconfig.When(autoconfig.OnAutoConfig("gone"))),
		autoconfig.New("gone"),
	}
	tests := []struct {
		desc    string
		yaml    string
		matched []string
		msgs    map[string]string
	}{
		{
			desc: "base matched", yaml: "base: {on: true}",
			matched: []string{"base", "needs-base"},
			msgs: map[string]string{
				"needs-base":     `auto-configuration "base" matched`,
				"needs-missing":  `auto-configuration "nope" is not a candidate (candidates: base, gone, needs-base, needs-excluded, needs-missing)`,
				"needs-excluded": `auto-configuration "gone" is excluded`,
			},
		},
		{
			desc: "base did not match", yaml: "base: {on: false}",
			matched: []string{},
			msgs:    map[string]string{"needs-base": `auto-configuration "base" is not matched`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, tt.yaml)}, cands, autoconfig.Exclude("gone"))
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.matched, res.Matched)
			for name, msg := range tt.msgs {
				out, ok := res.Report.Find(name)
				require.True(t, ok)
				assert.Equal(t, msg, out.Conditions[0].Message, name)
			}
		})
	}
}

func TestEvaluationStopsAtFirstNonMatch(t *testing.T) {
	calls := 0
	counted := autoconfig.OnCondition("counted", func(*kernel.Config) (bool, string) { calls++; return true, "" })
	ac := autoconfig.New("a", autoconfig.When(counted, autoconfig.OnProperty("missing")), autoconfig.When(counted, autoconfig.OnProfile("p")))
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{ac})
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
	out, _ := res.Report.Find("a")
	require.Len(t, out.Conditions, 4)
	assert.Equal(t, []bool{true, true, false, false}, []bool{out.Conditions[0].Evaluated, out.Conditions[1].Evaluated, out.Conditions[2].Evaluated, out.Conditions[3].Evaluated})
	assert.Equal(t, "not evaluated", out.Conditions[3].Message)
}

// Greeter is what the auto-configurations below provide by default.
type Greeter interface{ Greet() string }

type defaultGreeter struct{}

func (defaultGreeter) Greet() string { return "hello from the default" }

type userGreeter struct{}

func (userGreeter) Greet() string { return "hello from the user" }

type Dep struct{}

var defaultGreeterAC = autoconfig.New("greeter",
	autoconfig.When(autoconfig.OnMissingType[Greeter]()),
	autoconfig.Provide(fx.Provide(func() Greeter { return defaultGreeter{} })),
)

func TestOnMissingType(t *testing.T) {
	tests := []struct {
		desc    string
		user    []fx.Option
		match   bool
		message string
	}{
		{
			desc: "nothing provided", match: true,
			message: "no autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "provided by the user",
			user:  []fx.Option{fx.Provide(func() Greeter { return userGreeter{} })},
			match: false, message: "autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "supplied by the user, as an interface",
			user:  []fx.Option{fx.Supply(fx.Annotate(userGreeter{}, fx.As(new(Greeter))))},
			match: false, message: "autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "provided in a module",
			user:  []fx.Option{fx.Module("m", fx.Provide(func() Greeter { return userGreeter{} }))},
			match: false, message: "autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "provided privately in a module is not seen",
			user:  []fx.Option{fx.Module("m", fx.Provide(func() Greeter { return userGreeter{} }, fx.Private))},
			match: true, message: "no autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "provided with a missing dependency still counts",
			user:  []fx.Option{fx.Provide(func(*Dep) Greeter { return userGreeter{} })},
			match: false, message: "autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc: "a user invoke needing something missing does not confuse the probe",
			user: []fx.Option{
				fx.Provide(func() Greeter { return userGreeter{} }),
				fx.Invoke(func(*Dep) {}),
				fx.Module("m", fx.Invoke(func(*Dep) {})),
			},
			match: false, message: "autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "only a named value does not count",
			user:  []fx.Option{fx.Provide(fx.Annotate(func() Greeter { return userGreeter{} }, fx.ResultTags(`name:"other"`)))},
			match: true, message: "no autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "a user logger is not a problem and prints nothing",
			user:  []fx.Option{fx.WithLogger(func() fxevent.Logger { return &fxevent.ConsoleLogger{W: failWriter{t}} })},
			match: true, message: "no autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "a failing user invoke with nothing provided",
			user:  []fx.Option{fx.Invoke(func(*Dep) {}), fx.Invoke(func() error { return errors.New("never runs") })},
			match: true, message: "no autoconfig_test.Greeter is provided by the user options",
		},
		{
			desc:  "an fx.Error among the user options",
			user:  []fx.Option{fx.Error(errors.New("boom"))},
			match: false, message: "could not tell whether autoconfig_test.Greeter is provided: the user options do not validate (boom); fx will report it",
		},
		{
			desc: "a cycle among the user options",
			user: []fx.Option{
				fx.Provide(func(*Dep) Greeter { return nil }, func(Greeter) *Dep { return nil }),
			},
			// fx finds the cycle when the probe's event logger is built, so
			// the probe cannot see its events.
			match: false, message: "could not tell whether autoconfig_test.Greeter is provided: the user options do not validate (",
		},
		{
			desc: "user options that do not validate",
			user: []fx.Option{
				fx.Provide(func() *Dep { return nil }), fx.Provide(func() *Dep { return nil }),
			},
			match: false,
			message: "could not tell whether autoconfig_test.Greeter is provided: the user options do not validate " +
				"(already provided by \"github.com/gofly-framework/gofly/autoconfig_test\".TestOnMissingType.func",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{UserOptions: tt.user}, []*autoconfig.AutoConfig{defaultGreeterAC})
			require.NoError(t, err)
			out, _ := res.Report.Find("greeter")
			require.Len(t, out.Conditions, 1)
			assert.Equal(t, "OnMissingType(autoconfig_test.Greeter)", out.Conditions[0].Condition)
			assert.Equal(t, tt.match, out.Conditions[0].Match)
			if tt.match {
				assert.Equal(t, tt.message, out.Conditions[0].Message)
			} else {
				assert.Contains(t, out.Conditions[0].Message, tt.message)
			}
		})
	}
}

type failWriter struct{ t *testing.T }

func (w failWriter) Write(p []byte) (int, error) {
	w.t.Errorf("the probe printed: %s", p)
	return len(p), nil
}

func TestOnMissingTypeSeesEarlierAutoConfigs(t *testing.T) {
	first := autoconfig.New("a-first", autoconfig.Provide(fx.Provide(func() Greeter { return userGreeter{} })))
	// "a-first" comes before "greeter" by name.
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{defaultGreeterAC, first})
	require.NoError(t, err)
	assert.Equal(t, []string{"a-first"}, res.Matched)
	out, _ := res.Report.Find("greeter")
	assert.Equal(t, `autoconfig_test.Greeter is provided by auto-configuration "a-first"`, out.Conditions[0].Message)

	// An earlier auto-configuration that provides something else.
	other := autoconfig.New("a-other", autoconfig.Provide(fx.Provide(func() *Dep { return &Dep{} })))
	res, err = autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{defaultGreeterAC, other})
	require.NoError(t, err)
	assert.Equal(t, []string{"a-other", "greeter"}, res.Matched)
	out, _ = res.Report.Find("greeter")
	assert.Equal(t, "no autoconfig_test.Greeter is provided by the user options or the auto-configurations matched before", out.Conditions[0].Message)
}

func TestOnMissingTypeOfParameterStruct(t *testing.T) {
	type in struct {
		fx.In
		G Greeter
	}
	_, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{
		autoconfig.New("x", autoconfig.When(autoconfig.OnMissingType[in]())),
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), "is an fx.In or fx.Out struct")
}

// The result's options, applied after the user's, build a working app: the
// default when the user gives nothing, the user's own otherwise.
func TestResultOptionsInAnApp(t *testing.T) {
	for _, tt := range []struct {
		desc string
		user []fx.Option
		want string
	}{
		{"default", nil, "hello from the default"},
		{"replaced by the user", []fx.Option{fx.Provide(func() Greeter { return userGreeter{} })}, "hello from the user"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{UserOptions: tt.user}, []*autoconfig.AutoConfig{defaultGreeterAC})
			require.NoError(t, err)
			var got string
			opts := append(append([]fx.Option{fx.NopLogger}, tt.user...), res.Options...)
			opts = append(opts, fx.Invoke(func(g Greeter) { got = g.Greet() }))
			app := fxtest.New(t, opts...)
			app.RequireStart().RequireStop()
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCollectDefaults(t *testing.T) {
	a := autoconfig.New("a", autoconfig.DefaultProperties(map[string]any{"web": map[string]any{"address": ":8080", "timeouts": map[string]any{"read": "5s"}}}))
	b := autoconfig.New("b", autoconfig.DefaultProperties(map[string]any{"web.address": ":8080", "b.x": 1}), autoconfig.DefaultProperties(map[string]any{"b.x": 2}))
	got, err := autoconfig.CollectDefaults([]*autoconfig.AutoConfig{b, nil, a})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"web.address": ":8080", "web.timeouts.read": "5s", "b.x": 2}, got)
	assert.Equal(t, map[string]any{"web.address": ":8080", "b.x": 2}, b.Defaults())
	assert.Nil(t, autoconfig.New("c").Defaults())

	// The defaults load below the user's file.
	cfg, err := kernel.LoadConfig(kernel.WithDefaults(got), kernel.WithYAML("application.yaml", []byte("web: {address: ':9090'}")), kernel.WithEnviron(nil))
	require.NoError(t, err)
	assert.Equal(t, ":9090", cfg.String("web.address"))
	assert.Equal(t, "5s", cfg.String("web.timeouts.read"))

	c := autoconfig.New("c", autoconfig.DefaultProperties(map[string]any{"web.address": ":1"}))
	_, err = autoconfig.CollectDefaults([]*autoconfig.AutoConfig{c, a})
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrConfig)
	assert.Contains(t, err.Error(), `auto-configurations "a" and "c" give different defaults for key "web.address"`)
}

func TestAutoConfigAccessorsAndString(t *testing.T) {
	opt := fx.Provide(func() *Dep { return &Dep{} })
	a := autoconfig.New("web",
		autoconfig.When(autoconfig.OnProperty("web.enabled", autoconfig.MatchIfMissing()), autoconfig.OnAutoConfig("plugins")),
		autoconfig.Provide(opt),
		autoconfig.Before("admin", "admin"),
		autoconfig.After("zeta"),
	)
	assert.Equal(t, `autoconfig.New("web", When(OnProperty(web.enabled, matchIfMissing), OnAutoConfig("plugins")), Before("admin"), After("plugins", "zeta"))`, a.String())
	assert.Equal(t, "web", a.Name())
	assert.Len(t, a.Options(), 1)
	assert.Len(t, a.Conditions(), 2)
	assert.Equal(t, `autoconfig.New("bare")`, autoconfig.New("bare", nil).String())
	var _ fmt.Stringer = a
}

func TestEvaluateConcurrently(t *testing.T) {
	cands := []*autoconfig.AutoConfig{defaultGreeterAC, autoconfig.New("b", autoconfig.When(autoconfig.OnProperty("b")))}
	cfg := load(t, "b: true")
	done := make(chan []string)
	for i := 0; i < 4; i++ {
		go func() {
			res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: cfg}, cands)
			if err != nil {
				done <- nil
				return
			}
			done <- res.Matched
		}()
	}
	for i := 0; i < 4; i++ {
		assert.Equal(t, []string{"b", "greeter"}, <-done)
	}
}
