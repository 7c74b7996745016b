package autoconfig

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/kernel"
)

// AutoConfig is an auto-configuration: a named set of fx options that joins
// the application only when all of its conditions match. Build one with
// [New]; it is immutable afterwards and safe for concurrent use.
//
// An *AutoConfig is an fx.Option, so the facade accepts it among its options
// (gofly.New(myStarter, fx.Provide(...))); given to a plain fx.New it makes
// the app fail with an error saying so.
type AutoConfig struct {
	fxOption   // an error: only gofly.New evaluates an auto-configuration
	name       string
	options    []fx.Option
	conditions []Condition
	before     []string
	after      []string
	defaults   map[string]any
	analyzers  []namedAnalyzer
}

// fxOption makes an *AutoConfig an fx.Option, so that it is a gofly.Option.
type fxOption = fx.Option

// Option configures an [AutoConfig] built by [New]. Options are applied in
// the order given.
type Option interface {
	apply(*AutoConfig)
}

type optionFunc func(*AutoConfig)

func (f optionFunc) apply(a *AutoConfig) { f(a) }

// New returns the auto-configuration called name, configured by opts. Names
// identify auto-configurations in Before, After, OnAutoConfig, exclusions and
// the report; they must be unique among the auto-configurations of an app
// and must not be empty (both are checked when the app is assembled, with an
// error of class kernel.ErrConfig).
//
// [OnAutoConfig] conditions among opts also order the auto-configuration
// after the one they name, as if [After] named it too.
func New(name string, opts ...Option) *AutoConfig {
	a := &AutoConfig{name: name, fxOption: fx.Error(&kernel.Error{Class: kernel.ErrGofly, Msg: fmt.Sprintf("auto-configuration %q is evaluated by gofly.New; a plain fx app cannot use it: include its fx options directly", name)})}
	for _, o := range opts {
		if o != nil {
			o.apply(a)
		}
	}
	for _, c := range a.conditions {
		a.after = append(a.after, afterOf(c)...)
	}
	a.before = sortedUnique(a.before)
	a.after = sortedUnique(a.after)
	return a
}

// Provide adds fx options (fx.Provide, fx.Invoke, fx.Decorate, a plugin,
// a module ...) to what the auto-configuration contributes to the graph when
// it matches. Given several times, the options accumulate in order.
func Provide(opts ...fx.Option) Option {
	return optionFunc(func(a *AutoConfig) { a.options = append(a.options, opts...) })
}

// When adds conditions; all of them must match for the auto-configuration
// to be applied. Conditions are evaluated in the order given (across several
// When options too) and evaluation stops at the first one that does not
// match, so put cheap conditions first: [OnMissingType] is the expensive one.
func When(conds ...Condition) Option {
	return optionFunc(func(a *AutoConfig) {
		for _, c := range conds {
			if c != nil {
				a.conditions = append(a.conditions, c)
			}
		}
	})
}

// Before orders the auto-configuration before the named ones. A name that is
// not among the candidates is ignored.
func Before(names ...string) Option {
	return optionFunc(func(a *AutoConfig) { a.before = append(a.before, names...) })
}

// After orders the auto-configuration after the named ones, so that its
// conditions see their outcome ([OnAutoConfig], [OnMissingType]). A name that
// is not among the candidates is ignored.
func After(names ...string) Option {
	return optionFunc(func(a *AutoConfig) { a.after = append(a.after, names...) })
}

// DefaultProperties gives configuration defaults that sit below every layer
// the user controls (application.yaml, profiles, environment). Keys are
// dotted ("web.address") or nested maps. Given several times, the maps are
// merged, later values winning.
//
// The defaults must be known before the configuration is loaded, so they
// apply whether or not the auto-configuration matches later. Two
// auto-configurations of an app giving one key different values make the
// assembly fail with an error of class kernel.ErrConfig naming the key and
// both auto-configurations.
func DefaultProperties(values map[string]any) Option {
	return optionFunc(func(a *AutoConfig) {
		if a.defaults == nil {
			a.defaults = map[string]any{}
		}
		for k, v := range flatten(values) {
			a.defaults[k] = v
		}
	})
}

// WithAnalyzer attaches a failure analyzer to the auto-configuration: when
// the app fails, [Analyze] consults it (after the analyzers passed to Analyze
// itself and before the built-in ones), whether or not the auto-configuration
// matched. A starter uses it to explain its own failures. An analysis that
// does not name its analyzer (Analysis.Analyzer) is named after the
// auto-configuration.
func WithAnalyzer(an Analyzer) Option {
	return optionFunc(func(a *AutoConfig) {
		if an != nil {
			a.analyzers = append(a.analyzers, namedAnalyzer{name: a.name, fn: an})
		}
	})
}

// Name returns the auto-configuration's name.
func (a *AutoConfig) Name() string { return a.name }

// String describes the auto-configuration: its name, conditions and
// ordering, e.g. autoconfig.New("web", When(OnProperty(web.enabled)), After("plugins")).
func (a *AutoConfig) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "autoconfig.New(%q", a.name)
	if len(a.conditions) > 0 {
		parts := make([]string, len(a.conditions))
		for i, c := range a.conditions {
			parts[i] = c.String()
		}
		fmt.Fprintf(&b, ", When(%s)", strings.Join(parts, ", "))
	}
	if len(a.before) > 0 {
		fmt.Fprintf(&b, ", Before(%s)", quoteAll(a.before))
	}
	if len(a.after) > 0 {
		fmt.Fprintf(&b, ", After(%s)", quoteAll(a.after))
	}
	b.WriteString(")")
	return b.String()
}

// collectDefaults merges the defaults of the candidates (see
// [DefaultProperties]) into one map of dotted keys, for kernel.WithDefaults.
// Two candidates giving the same key different values is an error of class
// kernel.ErrConfig naming the key and both auto-configurations; the result
// does not depend on the order of candidates.
func collectDefaults(candidates []*AutoConfig) (map[string]any, error) {
	out := map[string]any{}
	owner := map[string]string{}
	sorted := make([]*AutoConfig, 0, len(candidates))
	for _, c := range candidates {
		if c != nil {
			sorted = append(sorted, c)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		keys := make([]string, 0, len(c.defaults))
		for k := range c.defaults {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := c.defaults[k]
			if prev, ok := owner[k]; ok {
				if !reflect.DeepEqual(out[k], v) {
					return nil, configError(k, "defaults",
						fmt.Sprintf("auto-configurations %q and %q give different defaults for key %q (%v and %v): keep the default in one of them",
							prev, c.name, k, out[k], v), nil)
				}
				continue
			}
			owner[k] = c.name
			out[k] = v
		}
	}
	return out, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func sortedUnique(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	return out[:n]
}

// flatten turns nested maps into dotted keys; other values are kept as they are.
func flatten(values map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if nested, ok := v.(map[string]any); ok && len(nested) > 0 {
				walk(key, nested)
				continue
			}
			out[key] = v
		}
	}
	walk("", values)
	return out
}
