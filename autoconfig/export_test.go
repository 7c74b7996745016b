package autoconfig

import (
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

// Test-only access to the evaluation engine, which in production only the
// gofly facade reaches, through Evaluate (with the built-in
// auto-configurations added). The tests evaluate exactly the candidates they
// give.

// Env is what the candidates are evaluated against.
type Env struct {
	Config      *kernel.Config
	UserOptions []fx.Option
	Plugins     []string
}

// Result is the outcome of EvaluateEnv.
type Result struct {
	Options []fx.Option
	Matched []string
	Report  *Report
}

// EvalOption configures EvaluateEnv.
type EvalOption func(*[]string)

// Exclude excludes auto-configurations in code, as gofly.ExcludeAutoConfig
// does.
func Exclude(names ...string) EvalOption {
	return func(s *[]string) { *s = append(*s, names...) }
}

// EvaluateEnv evaluates candidates (and no built-in) against env.
func EvaluateEnv(e Env, candidates []*AutoConfig, opts ...EvalOption) (*Result, error) {
	var exclude []string
	for _, o := range opts {
		o(&exclude)
	}
	res, err := evaluate(env{config: e.Config, userOptions: e.UserOptions, plugins: e.Plugins}, candidates, exclude)
	if err != nil {
		return nil, err
	}
	return &Result{Options: res.options, Matched: res.matched, Report: res.report}, nil
}

// CollectDefaults merges the candidates' default properties.
var CollectDefaults = collectDefaults

// AddSection adds a section to the report, as the plugins auto-configuration
// does.
func (r *Report) AddSection(name string, entries []Entry) { r.addSection(name, entries) }

// Positive and Negative filter the outcomes by state.
func (r *Report) Positive() []AutoConfigOutcome { return r.positive() }
func (r *Report) Negative() []AutoConfigOutcome { return r.negative() }

// Defaults, Options and Conditions expose what New recorded.
func (a *AutoConfig) Defaults() map[string]any { return a.defaults }
func (a *AutoConfig) Options() []fx.Option     { return a.options }
func (a *AutoConfig) Conditions() []Condition  { return a.conditions }
