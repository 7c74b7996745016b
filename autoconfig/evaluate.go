package autoconfig

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/internal/topo"
	"github.com/gofly-framework/gofly/kernel"
)

// ExcludeKey is the configuration key that lists auto-configurations to
// exclude: a YAML list of names or a comma-separated string.
const ExcludeKey = "autoconfig.exclude"

// Env is what auto-configurations are evaluated against. The facade fills it
// in its assembly step, after the configuration is loaded and before
// fx.New.
type Env struct {
	// Config is the loaded configuration; nil counts as an empty one.
	Config *kernel.Config
	// UserOptions are the application's own fx options, which come first in
	// the app; [OnMissingType] looks among them.
	UserOptions []fx.Option
	// Plugins are the ids of the plugins present among the application's
	// options; [OnPlugin] looks among them.
	Plugins []string
}

// EvalOption configures [Evaluate].
type EvalOption interface {
	applyEval(*evalSettings)
}

type evalSettings struct {
	exclude []string
}

type evalOptionFunc func(*evalSettings)

func (f evalOptionFunc) applyEval(s *evalSettings) { f(s) }

// Exclude excludes the named auto-configurations, in addition to those
// listed under [ExcludeKey] in the configuration. Given several times, the
// names accumulate.
func Exclude(names ...string) EvalOption {
	return evalOptionFunc(func(s *evalSettings) { s.exclude = append(s.exclude, names...) })
}

// Result is the outcome of [Evaluate].
type Result struct {
	// Options holds one fx option per matched auto-configuration (the
	// fx.Options of what it provides), in the resolved order. Give them to
	// fx.New after the user options.
	Options []fx.Option
	// Matched names the matched auto-configurations, in the resolved order,
	// parallel to Options.
	Matched []string
	// Report says, for every candidate, why it matched or not.
	Report *Report
}

// Evaluate decides which candidates join the application.
//
// It resolves the order of the candidates (see Ordering in the package
// documentation), then evaluates each one in that order: an excluded one is
// skipped; the conditions of the others are evaluated in order until one
// does not match. A condition sees the outcome of the auto-configurations
// evaluated before its own ([OnAutoConfig], [OnMissingType]).
//
// Errors, all of class kernel.ErrConfig: a candidate is
// nil, has an empty name, or shares its name with another candidate; an
// exclusion names no candidate; [ExcludeKey] is neither a list nor a string;
// the ordering has a cycle (the message names it: "a -> b -> a"); a
// condition fails (an invalid boolean property or profile expression ...),
// in which case the error wraps the condition's own error, so errors.As
// still reaches a *kernel.ConfigError.
//
// Evaluate does not modify its arguments and may be called concurrently.
func Evaluate(env Env, candidates []*AutoConfig, opts ...EvalOption) (*Result, error) {
	if env.Config == nil {
		env.Config = kernel.EmptyConfig()
	}
	var s evalSettings
	for _, o := range opts {
		if o != nil {
			o.applyEval(&s)
		}
	}
	byName, err := indexCandidates(candidates)
	if err != nil {
		return nil, err
	}
	excluded, err := exclusions(env.Config, s.exclude, byName)
	if err != nil {
		return nil, err
	}
	order, err := resolveOrder(byName)
	if err != nil {
		return nil, err
	}

	ctx := &ConditionContext{env: &env, states: make(map[string]State, len(order))}
	for _, a := range order {
		ctx.states[a.name] = StatePending
	}
	for name := range excluded {
		ctx.states[name] = StateExcluded
	}

	res := &Result{Report: &Report{}}
	outcomes := make([]AutoConfigOutcome, 0, len(order))
	for _, a := range order {
		res.Report.Order = append(res.Report.Order, a.name)
		if _, ok := excluded[a.name]; ok {
			outcomes = append(outcomes, AutoConfigOutcome{Name: a.name, State: StateExcluded, Conditions: notEvaluated(a.conditions)})
			continue
		}
		out, err := evaluateOne(ctx, a)
		if err != nil {
			return nil, err
		}
		ctx.states[a.name] = out.State
		outcomes = append(outcomes, out)
		if out.State == StateMatched {
			ctx.matchedOptions = append(ctx.matchedOptions, fxOptionsOf{name: a.name, options: a.options})
			res.Options = append(res.Options, fx.Options(a.options...))
			res.Matched = append(res.Matched, a.name)
		}
	}

	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].Name < outcomes[j].Name })
	res.Report.AutoConfigs = outcomes
	for name, src := range excluded {
		res.Report.Exclusions = append(res.Report.Exclusions, Exclusion{Name: name, Source: src})
	}
	sort.Slice(res.Report.Exclusions, func(i, j int) bool { return res.Report.Exclusions[i].Name < res.Report.Exclusions[j].Name })
	res.Report.candidates = order
	res.Report.config = env.Config
	return res, nil
}

func evaluateOne(ctx *ConditionContext, a *AutoConfig) (AutoConfigOutcome, error) {
	ctx.current = a.name
	out := AutoConfigOutcome{Name: a.name, State: StateMatched}
	for i, c := range a.conditions {
		o, err := c.Evaluate(ctx)
		if err != nil {
			return AutoConfigOutcome{}, plainError(
				fmt.Sprintf("evaluating auto-configuration %q, condition %s", a.name, c), err)
		}
		out.Conditions = append(out.Conditions, ConditionOutcome{
			Condition: c.String(), Evaluated: true, Match: o.Match, Message: o.Message,
		})
		if !o.Match {
			out.State = StateNotMatched
			out.Conditions = append(out.Conditions, notEvaluated(a.conditions[i+1:])...)
			break
		}
	}
	return out, nil
}

func notEvaluated(conds []Condition) []ConditionOutcome {
	var out []ConditionOutcome
	for _, c := range conds {
		out = append(out, ConditionOutcome{Condition: c.String(), Message: "not evaluated"})
	}
	return out
}

func indexCandidates(candidates []*AutoConfig) (map[string]*AutoConfig, error) {
	byName := make(map[string]*AutoConfig, len(candidates))
	for i, c := range candidates {
		switch {
		case c == nil:
			return nil, plainError(fmt.Sprintf("auto-configuration candidate %d is nil: build it with autoconfig.New", i), nil)
		case c.name == "":
			return nil, plainError(fmt.Sprintf("auto-configuration candidate %d has an empty name: give autoconfig.New a name", i), nil)
		}
		if prev, ok := byName[c.name]; ok {
			if prev == c {
				continue // the same auto-configuration given twice
			}
			return nil, plainError(fmt.Sprintf("two auto-configurations are named %q: rename one of them, or pass it only once", c.name), nil)
		}
		byName[c.name] = c
	}
	return byName, nil
}

// exclusions returns the excluded names, each with where its exclusion came
// from.
func exclusions(cfg *kernel.Config, inCode []string, byName map[string]*AutoConfig) (map[string]string, error) {
	out := map[string]string{}
	var unknown []string
	add := func(name, src string) {
		name = strings.TrimSpace(name)
		if name == "" {
			return
		}
		if _, ok := byName[name]; !ok {
			unknown = append(unknown, name)
			return
		}
		if _, ok := out[name]; !ok {
			out[name] = src
		}
	}
	for _, n := range inCode {
		add(n, "autoconfig.Exclude")
	}
	codeUnknown := len(unknown)
	fromConfig, src, err := excludeList(cfg)
	if err != nil {
		return nil, err
	}
	for _, n := range fromConfig {
		add(n, src)
	}
	if len(unknown) == 0 {
		return out, nil
	}
	known := make([]string, 0, len(byName))
	for n := range byName {
		known = append(known, n)
	}
	sort.Strings(known)
	sorted := sortedUnique(unknown)
	msg := fmt.Sprintf("cannot exclude %s: not an auto-configuration (candidates: %s); fix the name or remove the exclusion",
		quoteAll(sorted), strings.Join(known, ", "))
	if codeUnknown == len(unknown) {
		return nil, plainError(msg, nil)
	}
	return nil, &kernel.ConfigError{Key: ExcludeKey, Value: strings.Join(sorted, ","), Source: cfg.Source(ExcludeKey), Msg: msg}
}

// excludeList reads ExcludeKey: a list, or a comma-separated string.
func excludeList(cfg *kernel.Config) ([]string, string, error) {
	if !cfg.Exists(ExcludeKey) {
		return nil, "", nil
	}
	src := ExcludeKey
	if s := cfg.Source(ExcludeKey); s != "" {
		src += " from " + s
	}
	switch v := cfg.Get(ExcludeKey).(type) {
	case nil:
		return nil, src, nil
	case string:
		return strings.Split(v, ","), src, nil
	case []string:
		return v, src, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, "", &kernel.ConfigError{Key: ExcludeKey, Value: fmt.Sprint(v), Source: cfg.Source(ExcludeKey),
					Msg: fmt.Sprintf("key %q lists %v (%T), not a name: list auto-configuration names", ExcludeKey, e, e)}
			}
			out = append(out, s)
		}
		return out, src, nil
	default:
		return nil, "", &kernel.ConfigError{Key: ExcludeKey, Value: fmt.Sprint(v), Source: cfg.Source(ExcludeKey),
			Msg: fmt.Sprintf("key %q is a %T: give a list of auto-configuration names or a comma-separated string", ExcludeKey, v)}
	}
}

// resolveOrder sorts the candidates topologically by Before/After; among
// those free to go next, the smallest name goes first.
func resolveOrder(byName map[string]*AutoConfig) ([]*AutoConfig, error) {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	idx := make(map[string]int, len(names))
	for i, n := range names {
		idx[n] = i
	}
	// pre[i]: the candidates that must come before names[i], in name order.
	pre := make([][]int, len(names))
	edge := func(from, to string) {
		f, ok := idx[from]
		t, ok2 := idx[to]
		if ok && ok2 {
			pre[t] = append(pre[t], f)
		}
	}
	for _, n := range names {
		a := byName[n]
		for _, b := range a.before {
			edge(n, b)
		}
		for _, b := range a.after {
			edge(b, n)
		}
	}
	for i := range pre {
		sort.Ints(pre[i])
		pre[i] = slices.Compact(pre[i])
	}
	order, cycles := topo.Lists(pre).Sort()
	if cycles == nil {
		out := make([]*AutoConfig, len(order))
		for k, i := range order {
			out[k] = byName[names[i]]
		}
		return out, nil
	}
	// The cycle lists candidates each needing the next: name it the other
	// way, each coming before the next.
	c := cycles[0]
	cycle := make([]string, len(c))
	for k, i := range c {
		cycle[len(c)-1-k] = names[i]
	}
	return nil, newOrderError(cycle)
}
