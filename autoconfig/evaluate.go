package autoconfig

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/internal/evaluation"
	"github.com/gofly-framework/gofly/internal/topo"
	"github.com/gofly-framework/gofly/kernel"
)

// excludeKey is the configuration key that lists auto-configurations to
// exclude: a YAML list of names or a comma-separated string.
const excludeKey = "autoconfig.exclude"

// Evaluate is the auto-configuration part of the gofly facade's assembly
// step; applications do not call it (its input type is internal to gofly):
// gofly.New and gofly.Assemble do, and the condition report is their
// Report. It adds the built-in auto-configurations ([ExtensionName],
// [PluginsName]) before the candidates, has in.Load load the configuration
// with their merged default properties below every other layer, decides
// which candidates join the application, and returns the fx options of those
// that match, in the resolved order (to follow the user's options in the
// app), with the condition report.
//
// It resolves the order of the candidates (see Ordering in the package
// documentation), then evaluates each one in that order: an excluded one is
// skipped; the conditions of the others are evaluated in order until one
// does not match. A condition sees the outcome of the auto-configurations
// evaluated before its own ([OnAutoConfig], [OnMissingType]).
//
// Errors, all of class kernel.ErrConfig, except in.Load's own, returned as
// they are: two candidates give one default property different values; a
// candidate is nil, has an empty name, or shares its name with another
// candidate; an exclusion names no candidate; autoconfig.exclude is neither
// a list nor a string; the ordering has a cycle (the message names it:
// "a -> b -> a"); a condition fails (an invalid boolean property or profile
// expression ...), in which case the error wraps the condition's own error,
// so errors.As still reaches a *kernel.ConfigError.
//
// Evaluate does not modify its arguments and may be called concurrently.
func Evaluate(candidates []*AutoConfig, in evaluation.Input) ([]fx.Option, *Report, error) {
	all := append(builtins(), candidates...)
	cfg := kernel.EmptyConfig()
	if in.Load != nil {
		var err error
		if cfg, err = in.Load(func() (map[string]any, error) { return collectDefaults(all) }); err != nil {
			return nil, nil, err
		}
	}
	res, err := evaluate(env{config: cfg, userOptions: in.UserOptions, plugins: in.Plugins}, all, in.Exclude)
	if err != nil {
		return nil, nil, err
	}
	return res.options, res.report, nil
}

// env is what auto-configurations are evaluated against.
type env struct {
	// config is the loaded configuration; nil counts as an empty one.
	config *kernel.Config
	// userOptions are the application's own fx options; OnMissingType looks
	// among them.
	userOptions []fx.Option
	// plugins are the ids of the plugins present; OnPlugin looks among them.
	plugins []string
}

// result is the outcome of evaluate.
type result struct {
	// options holds one fx option per matched auto-configuration (the
	// fx.Options of what it provides), in the resolved order.
	options []fx.Option
	// matched names the matched auto-configurations, in the resolved order,
	// parallel to options.
	matched []string
	// report says, for every candidate, why it matched or not.
	report *Report
}

// evaluate decides which candidates join the application (see Evaluate),
// exclude naming the auto-configurations excluded in code.
func evaluate(e env, candidates []*AutoConfig, exclude []string) (*result, error) {
	if e.config == nil {
		e.config = kernel.EmptyConfig()
	}
	byName, err := indexCandidates(candidates)
	if err != nil {
		return nil, err
	}
	excluded, err := exclusions(e.config, exclude, byName)
	if err != nil {
		return nil, err
	}
	order, err := resolveOrder(byName)
	if err != nil {
		return nil, err
	}

	ctx := &evalContext{env: &e, states: make(map[string]State, len(order))}
	for _, a := range order {
		ctx.states[a.name] = statePending
	}
	for name := range excluded {
		ctx.states[name] = StateExcluded
	}

	res := &result{report: &Report{}}
	outcomes := make([]AutoConfigOutcome, 0, len(order))
	for _, a := range order {
		res.report.Order = append(res.report.Order, a.name)
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
			res.options = append(res.options, fx.Options(a.options...))
			res.matched = append(res.matched, a.name)
		}
	}

	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].Name < outcomes[j].Name })
	res.report.AutoConfigs = outcomes
	for name, src := range excluded {
		res.report.Exclusions = append(res.report.Exclusions, Exclusion{Name: name, Source: src})
	}
	sort.Slice(res.report.Exclusions, func(i, j int) bool { return res.report.Exclusions[i].Name < res.report.Exclusions[j].Name })
	res.report.candidates = order
	res.report.config = e.config
	return res, nil
}

func evaluateOne(ctx *evalContext, a *AutoConfig) (AutoConfigOutcome, error) {
	ctx.current = a.name
	out := AutoConfigOutcome{Name: a.name, State: StateMatched}
	for i, c := range a.conditions {
		o, err := c.evaluate(ctx)
		if err != nil {
			return AutoConfigOutcome{}, plainError(
				fmt.Sprintf("evaluating auto-configuration %q, condition %s", a.name, c), err)
		}
		out.Conditions = append(out.Conditions, ConditionOutcome{
			Condition: c.String(), Evaluated: true, Match: o.match, Message: o.message,
		})
		if !o.match {
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
		add(n, "gofly.ExcludeAutoConfig")
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
	return nil, &kernel.ConfigError{Key: excludeKey, Value: strings.Join(sorted, ","), Source: cfg.Source(excludeKey), Msg: msg}
}

// excludeList reads excludeKey: a list, or a comma-separated string.
func excludeList(cfg *kernel.Config) ([]string, string, error) {
	if !cfg.Exists(excludeKey) {
		return nil, "", nil
	}
	src := excludeKey
	if s := cfg.Source(excludeKey); s != "" {
		src += " from " + s
	}
	switch v := cfg.Get(excludeKey).(type) {
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
				return nil, "", &kernel.ConfigError{Key: excludeKey, Value: fmt.Sprint(v), Source: cfg.Source(excludeKey),
					Msg: fmt.Sprintf("key %q lists %v (%T), not a name: list auto-configuration names", excludeKey, e, e)}
			}
			out = append(out, s)
		}
		return out, src, nil
	default:
		return nil, "", &kernel.ConfigError{Key: excludeKey, Value: fmt.Sprint(v), Source: cfg.Source(excludeKey),
			Msg: fmt.Sprintf("key %q is a %T: give a list of auto-configuration names or a comma-separated string", excludeKey, v)}
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
