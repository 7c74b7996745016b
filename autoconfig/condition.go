package autoconfig

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// Condition decides whether an auto-configuration applies. The package's
// conditions are all there is: [OnProperty], [OnBooleanProperty],
// [OnProfile], [OnMissingType], [OnAutoConfig], [OnPlugin], the combinators
// [Not] and [Any], and [OnCondition], the one way to write a custom
// condition (a function of the configuration). The interface is sealed, as
// fx.Option is: String names the condition as the report shows it, e.g.
// OnProperty(plugins.enabled); the evaluation is the package's own.
type Condition interface {
	fmt.Stringer
	// evaluate returns whether the condition matches and a message saying
	// why, for the report (what was looked at and what was found, never a
	// secret value). An error aborts the evaluation; it belongs to the
	// kernel error hierarchy (kernel.ErrConfig for a bad property value).
	evaluate(ctx *evalContext) (outcome, error)
}

// outcome is the result of evaluating a [Condition].
type outcome struct {
	match   bool
	message string
}

// matched returns a matching outcome with the formatted message.
func matched(format string, args ...any) outcome {
	return outcome{match: true, message: fmt.Sprintf(format, args...)}
}

// notMatched returns a non-matching outcome with the formatted message.
func notMatched(format string, args ...any) outcome {
	return outcome{match: false, message: fmt.Sprintf(format, args...)}
}

// State is what happened to an auto-configuration: the text of each state
// is the state's name as the report prints it.
type State string

// The states of an auto-configuration in the [Report].
const (
	// StateMatched: the auto-configuration was evaluated and all its
	// conditions matched; its fx options joined the app.
	StateMatched State = "matched"
	// StateNotMatched: the auto-configuration was evaluated and a condition
	// did not match.
	StateNotMatched State = "not matched"
	// StateExcluded: the auto-configuration is excluded (the configuration
	// key autoconfig.exclude, or gofly.ExcludeAutoConfig) and was not
	// evaluated.
	StateExcluded State = "excluded"
)

// statePending is the state, during the evaluation, of a candidate not
// evaluated yet (it comes later in the resolved order). A name that is no
// candidate's has the zero State.
const statePending State = "pending"

// evalContext is what a [Condition] is evaluated against: the application
// and the outcome of the auto-configurations evaluated so far. It is valid
// only during the evaluation and is not safe for concurrent use.
type evalContext struct {
	env     *env
	current string
	states  map[string]State
	// options of the auto-configurations matched so far, in order.
	matchedOptions []fxOptionsOf
	probes         map[probeKey]probeResult
}

// config returns the application's configuration; never nil.
func (c *evalContext) config() *kernel.Config { return c.env.config }

// hasPlugin reports whether a plugin with the given id is present.
func (c *evalContext) hasPlugin(id string) bool {
	for _, p := range c.env.plugins {
		if p == id {
			return true
		}
	}
	return false
}

// candidateNames returns the sorted names of all candidates.
func (c *evalContext) candidateNames() []string {
	names := make([]string, 0, len(c.states))
	for n := range c.states {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// afterHinter is implemented by conditions that need another
// auto-configuration evaluated first; New orders the auto-configuration
// after the names they return.
type afterHinter interface {
	afterNames() []string
}

// ---------------------------------------------------------------- OnProperty

// PropertyOption refines [OnProperty].
type PropertyOption interface {
	applyProperty(*onProperty)
}

type propertyOptionFunc func(*onProperty)

func (f propertyOptionFunc) applyProperty(p *onProperty) { f(p) }

// HavingValue makes [OnProperty] match only when the property equals v,
// compared case-insensitively.
func HavingValue(v string) PropertyOption {
	return propertyOptionFunc(func(p *onProperty) { p.having = v; p.hasHaving = true })
}

// MatchIfMissing makes [OnProperty] match when the property is not set.
func MatchIfMissing() PropertyOption {
	return propertyOptionFunc(func(p *onProperty) { p.ifMissing = true })
}

type onProperty struct {
	key       string
	having    string
	hasHaving bool
	ifMissing bool
}

// OnProperty matches on a configuration property with Spring Boot's rule:
//
//   - the property is set and, without [HavingValue], its value is not
//     "false" (case-insensitive; an empty value matches);
//   - the property is set and, with HavingValue(v), its value equals v
//     (case-insensitive);
//   - the property is not set and [MatchIfMissing] is given.
//
// A key whose value is a section (a map of further keys) counts as not set,
// as in Spring. Lists are compared in their text form (a,b). The message
// names the key and its source but never the value, which may be a secret;
// for a secret key (kernel.IsSecretKey) the name and the message show the
// expected value as (hidden) too.
func OnProperty(key string, opts ...PropertyOption) Condition {
	p := &onProperty{key: key}
	for _, o := range opts {
		if o != nil {
			o.applyProperty(p)
		}
	}
	return p
}

func (p *onProperty) String() string {
	var b strings.Builder
	b.WriteString("OnProperty(")
	b.WriteString(p.key)
	if p.hasHaving {
		b.WriteString("=")
		if kernel.IsSecretKey(p.key) {
			b.WriteString(hidden)
		} else {
			b.WriteString(p.having)
		}
	}
	if p.ifMissing {
		b.WriteString(", matchIfMissing")
	}
	b.WriteString(")")
	return b.String()
}

func (p *onProperty) evaluate(ctx *evalContext) (outcome, error) {
	cfg := ctx.config()
	value, ok := propertyText(cfg, p.key)
	if !ok {
		if p.ifMissing {
			return matched("property %q is not set; matching because of MatchIfMissing", p.key), nil
		}
		return notMatched("did not find property %q", p.key), nil
	}
	src := sourceOf(cfg, p.key)
	if p.hasHaving {
		if strings.EqualFold(value, p.having) {
			return matched("property %q%s has the expected value %s", p.key, src, p.expected()), nil
		}
		return notMatched("property %q%s does not have the expected value %s", p.key, src, p.expected()), nil
	}
	if strings.EqualFold(value, "false") {
		return notMatched("property %q%s is false", p.key, src), nil
	}
	return matched("found property %q%s and it is not false", p.key, src), nil
}

// expected is the HavingValue as the messages show it: quoted, or (hidden)
// when the key is secret (kernel.IsSecretKey), since a match tells the
// property's value; String hides it the same way.
func (p *onProperty) expected() string {
	if kernel.IsSecretKey(p.key) {
		return hidden
	}
	return strconv.Quote(p.having)
}

// propertyText returns the text of a property and whether it is set. A
// section (a map) counts as not set.
func propertyText(cfg *kernel.Config, key string) (string, bool) {
	if !cfg.Exists(key) {
		return "", false
	}
	switch cfg.Get(key).(type) {
	case map[string]any:
		return "", false
	case nil:
		return "", true
	}
	return cfg.String(key), true
}

func sourceOf(cfg *kernel.Config, key string) string {
	if s := cfg.Source(key); s != "" {
		return " (from " + s + ")"
	}
	return ""
}

// --------------------------------------------------------- OnBooleanProperty

type onBoolean struct {
	key string
	def bool
}

// OnBooleanProperty matches when the boolean property key is true, or, when
// it is not set, when def is true. The property is read strictly with
// kernel.Config.Bool: a YAML boolean or the strings true/false in any case.
// Any other value makes the assembly fail with the configuration's
// *kernel.ConfigError (class kernel.ErrConfig), which names the key and its
// source.
func OnBooleanProperty(key string, def bool) Condition {
	return &onBoolean{key: key, def: def}
}

func (b *onBoolean) String() string {
	return fmt.Sprintf("OnBooleanProperty(%s, default %t)", b.key, b.def)
}

func (b *onBoolean) evaluate(ctx *evalContext) (outcome, error) {
	cfg := ctx.config()
	v, err := cfg.Bool(b.key, b.def)
	if err != nil {
		return outcome{}, err
	}
	if cfg.Get(b.key) == nil {
		return outcome{match: b.def, message: fmt.Sprintf("property %q is not set; default %t", b.key, b.def)}, nil
	}
	return outcome{match: v, message: fmt.Sprintf("property %q%s is %t", b.key, sourceOf(cfg, b.key), v)}, nil
}

// ----------------------------------------------------------------- OnProfile

type onProfile struct {
	expr string
	root profileExpr
	err  error
}

// OnProfile matches when the active profiles (kernel.Config.Profiles)
// satisfy expr, a Spring profile expression: a profile name, !p (not active),
// a & b (all), a | b (any), and parentheses. & and | may not be mixed
// without parentheses ("a & b | c" is invalid; write "(a & b) | c"). An
// invalid expression makes the assembly fail with an error of class
// kernel.ErrConfig that names it.
func OnProfile(expr string) Condition {
	root, err := parseProfiles(expr)
	return &onProfile{expr: expr, root: root, err: err}
}

func (p *onProfile) String() string { return fmt.Sprintf("OnProfile(%q)", p.expr) }

func (p *onProfile) evaluate(ctx *evalContext) (outcome, error) {
	if p.err != nil {
		return outcome{}, p.err
	}
	active := ctx.config().Profiles()
	set := make(map[string]bool, len(active))
	for _, a := range active {
		set[a] = true
	}
	desc := "(none)"
	if len(active) > 0 {
		desc = "[" + strings.Join(active, ", ") + "]"
	}
	if p.root.eval(set) {
		return matched("%q matches the active profiles %s", p.expr, desc), nil
	}
	return notMatched("%q does not match the active profiles %s", p.expr, desc), nil
}

// -------------------------------------------------------------- OnAutoConfig

type onAutoConfig struct{ name string }

// OnAutoConfig matches when the named auto-configuration matched. It also
// orders the auto-configuration that uses it after name (see [After]), so
// the outcome is known when the condition is evaluated.
func OnAutoConfig(name string) Condition { return &onAutoConfig{name: name} }

func (o *onAutoConfig) String() string { return fmt.Sprintf("OnAutoConfig(%q)", o.name) }

func (o *onAutoConfig) afterNames() []string { return []string{o.name} }

func (o *onAutoConfig) evaluate(ctx *evalContext) (outcome, error) {
	switch st := ctx.states[o.name]; st {
	case StateMatched:
		return matched("auto-configuration %q matched", o.name), nil
	case "":
		return notMatched("auto-configuration %q is not a candidate (candidates: %s)",
			o.name, strings.Join(ctx.candidateNames(), ", ")), nil
	default:
		return notMatched("auto-configuration %q is %s", o.name, st), nil
	}
}

// ------------------------------------------------------------------ OnPlugin

type onPlugin struct{ id string }

// OnPlugin matches when a plugin with the given id is present: a
// *plugins.Plugin given to gofly.New (plugins.New or plugins.Define), or one
// of a *plugins.Catalog given to it. A plugin inside an fx.Module or
// fx.Options is not seen.
func OnPlugin(id string) Condition { return &onPlugin{id: id} }

func (o *onPlugin) String() string { return fmt.Sprintf("OnPlugin(%q)", o.id) }

func (o *onPlugin) evaluate(ctx *evalContext) (outcome, error) {
	if ctx.hasPlugin(o.id) {
		return matched("plugin %q is present", o.id), nil
	}
	present := append([]string(nil), ctx.env.plugins...)
	sort.Strings(present)
	if len(present) == 0 {
		return notMatched("plugin %q is not present (no plugins)", o.id), nil
	}
	return notMatched("plugin %q is not present (present: %s)", o.id, strings.Join(present, ", ")), nil
}

// --------------------------------------------------------------- OnCondition

type onCondition struct {
	name string
	fn   func(*kernel.Config) (bool, string)
}

// OnCondition is a custom condition: fn looks at the configuration and
// returns whether the condition matches and a message saying why (used as
// is; when empty, the report says "matched" or "did not match"). name
// identifies the condition in the report.
func OnCondition(name string, fn func(*kernel.Config) (bool, string)) Condition {
	return &onCondition{name: name, fn: fn}
}

func (o *onCondition) String() string { return fmt.Sprintf("OnCondition(%q)", o.name) }

func (o *onCondition) evaluate(ctx *evalContext) (outcome, error) {
	if o.fn == nil {
		return outcome{}, plainError(fmt.Sprintf("condition %q has a nil function: pass a func(*kernel.Config) (bool, string)", o.name), nil)
	}
	ok, msg := o.fn(ctx.config())
	if msg == "" {
		msg = "did not match"
		if ok {
			msg = "matched"
		}
	}
	return outcome{match: ok, message: msg}, nil
}

// ------------------------------------------------------------------ Not, Any

type not struct{ c Condition }

// Not inverts a condition; the message is the inner condition's. Not of an
// [OnAutoConfig] orders like OnAutoConfig.
func Not(c Condition) Condition { return &not{c: c} }

func (n *not) String() string {
	if n.c == nil {
		return "Not(<nil>)"
	}
	return "Not(" + n.c.String() + ")"
}

func (n *not) afterNames() []string { return afterOf(n.c) }

func (n *not) evaluate(ctx *evalContext) (outcome, error) {
	if n.c == nil {
		return outcome{}, plainError("Not was given a nil condition: pass a condition", nil)
	}
	out, err := n.c.evaluate(ctx)
	if err != nil {
		return outcome{}, err
	}
	return outcome{match: !out.match, message: out.message}, nil
}

type anyOf struct{ cs []Condition }

// Any matches when at least one of conds matches. They are evaluated in
// order until one matches; the message lists each evaluated one's message.
// Any of no condition does not match.
func Any(conds ...Condition) Condition {
	var cs []Condition
	for _, c := range conds {
		if c != nil {
			cs = append(cs, c)
		}
	}
	return &anyOf{cs: cs}
}

func (a *anyOf) String() string {
	parts := make([]string, len(a.cs))
	for i, c := range a.cs {
		parts[i] = c.String()
	}
	return "Any(" + strings.Join(parts, ", ") + ")"
}

func (a *anyOf) afterNames() []string {
	var out []string
	for _, c := range a.cs {
		out = append(out, afterOf(c)...)
	}
	return out
}

func (a *anyOf) evaluate(ctx *evalContext) (outcome, error) {
	if len(a.cs) == 0 {
		return notMatched("no condition given"), nil
	}
	msgs := make([]string, 0, len(a.cs))
	for _, c := range a.cs {
		out, err := c.evaluate(ctx)
		if err != nil {
			return outcome{}, err
		}
		msgs = append(msgs, c.String()+": "+out.message)
		if out.match {
			return outcome{match: true, message: strings.Join(msgs, "; ")}, nil
		}
	}
	return outcome{match: false, message: strings.Join(msgs, "; ")}, nil
}

func afterOf(c Condition) []string {
	if h, ok := c.(afterHinter); ok {
		return h.afterNames()
	}
	return nil
}

// Interface guards.
var (
	_ Condition   = (*onProperty)(nil)
	_ Condition   = (*onBoolean)(nil)
	_ Condition   = (*onProfile)(nil)
	_ Condition   = (*onAutoConfig)(nil)
	_ Condition   = (*onPlugin)(nil)
	_ Condition   = (*onCondition)(nil)
	_ Condition   = (*not)(nil)
	_ Condition   = (*anyOf)(nil)
	_ afterHinter = (*onAutoConfig)(nil)
	_ afterHinter = (*not)(nil)
	_ afterHinter = (*anyOf)(nil)
)
