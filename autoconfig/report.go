package autoconfig

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// Report is the condition evaluation report: for each candidate
// auto-configuration, whether it matched and the message of each condition;
// the exclusions; the resolved order; and extra sections (the plugin filter
// decisions, which the built-in [PluginsName] auto-configuration adds once the
// app's graph is built). Print it with String, serve it with MarshalJSON
// (json.Marshal).
//
// Every listing is sorted (auto-configurations, exclusions and sections by
// name, entries by id), so the text and the JSON are deterministic. A Report
// is not safe for concurrent mutation; reading it concurrently is safe.
//
// Neither String nor MarshalJSON shows a secret: in the conditions, their
// messages and the sections' reasons, the value of every configuration key
// that kernel.IsSecretKey calls secret reads (hidden), whatever a condition
// wrote (a value under four bytes only where it is quoted; booleans are
// never hidden). The fields themselves hold what the conditions returned.
type Report struct {
	// Order is the resolved evaluation order of all candidates, excluded
	// ones included.
	Order []string
	// AutoConfigs has one outcome per candidate, sorted by name.
	AutoConfigs []AutoConfigOutcome
	// Exclusions lists the excluded auto-configurations, sorted by name.
	Exclusions []Exclusion
	// Sections are the extra sections, sorted by name.
	Sections []Section

	candidates []*AutoConfig  // in resolved order, for the failure analyzers
	config     *kernel.Config // evaluated against: where the secrets come from
}

// AutoConfigOutcome is what happened to one auto-configuration.
type AutoConfigOutcome struct {
	// Name is the auto-configuration's name.
	Name string
	// State is StateMatched, StateNotMatched or StateExcluded.
	State State
	// Conditions are its conditions in evaluation order: those evaluated,
	// then, after the first that did not match, the rest (Evaluated false).
	Conditions []ConditionOutcome
}

// ConditionOutcome is the outcome of one condition.
type ConditionOutcome struct {
	// Condition names the condition (its String).
	Condition string
	// Evaluated is false when an earlier condition did not match or the
	// auto-configuration was excluded.
	Evaluated bool
	// Match tells whether the condition matched; false when not evaluated.
	Match bool
	// Message says why.
	Message string
}

// Exclusion is an excluded auto-configuration and where its exclusion comes
// from: "gofly.ExcludeAutoConfig" (code) or "autoconfig.exclude from
// <source>".
type Exclusion struct {
	// Name is the excluded auto-configuration.
	Name string
	// Source says where the exclusion came from.
	Source string
}

// Section is an extra part of the report, such as the plugin filter
// decisions.
type Section struct {
	// Name is the section's title.
	Name string
	// Entries are sorted by ID.
	Entries []Entry
}

// Entry is one decision in a [Section]: an id, whether it is enabled, and
// why.
type Entry struct {
	// ID identifies what was decided on (a plugin id ...).
	ID string
	// Enabled is the decision.
	Enabled bool
	// Reason says why; it must not contain secret values.
	Reason string
}

// addSection adds a section, or replaces the section of the same name. The
// entries are copied and sorted by ID (ties keep their given order). A nil
// Report ignores the call.
func (r *Report) addSection(name string, entries []Entry) {
	if r == nil {
		return
	}
	es := append([]Entry(nil), entries...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].ID < es[j].ID })
	for i := range r.Sections {
		if r.Sections[i].Name == name {
			r.Sections[i].Entries = es
			return
		}
	}
	r.Sections = append(r.Sections, Section{Name: name, Entries: es})
	sort.SliceStable(r.Sections, func(i, j int) bool { return r.Sections[i].Name < r.Sections[j].Name })
}

// Find returns the outcome of the named auto-configuration.
func (r *Report) Find(name string) (AutoConfigOutcome, bool) {
	if r == nil {
		return AutoConfigOutcome{}, false
	}
	i := sort.Search(len(r.AutoConfigs), func(i int) bool { return r.AutoConfigs[i].Name >= name })
	if i < len(r.AutoConfigs) && r.AutoConfigs[i].Name == name {
		return r.AutoConfigs[i], true
	}
	return AutoConfigOutcome{}, false
}

// positive returns the matched auto-configurations, sorted by name.
func (r *Report) positive() []AutoConfigOutcome { return r.filter(StateMatched) }

// negative returns the auto-configurations that did not match, sorted by
// name; excluded ones are not among them.
func (r *Report) negative() []AutoConfigOutcome { return r.filter(StateNotMatched) }

func (r *Report) filter(st State) []AutoConfigOutcome {
	if r == nil {
		return nil
	}
	var out []AutoConfigOutcome
	for _, a := range r.AutoConfigs {
		if a.State == st {
			out = append(out, a)
		}
	}
	return out
}

// String renders the report as text in the shape of Spring Boot's
// CONDITIONS EVALUATION REPORT: positive matches, negative matches,
// exclusions, unconditional auto-configurations, the evaluation order, then
// each extra section.
func (r *Report) String() string {
	if r == nil {
		return ""
	}
	r = r.redacted()
	var b strings.Builder
	b.WriteString("\n\n============================\nCONDITIONS EVALUATION REPORT\n============================\n\n")

	var uncond []string
	heading(&b, "Positive matches")
	n := 0
	for _, a := range r.positive() {
		if len(a.Conditions) == 0 {
			uncond = append(uncond, a.Name)
			continue
		}
		n++
		fmt.Fprintf(&b, "   %s matched:\n", a.Name)
		for _, c := range a.Conditions {
			fmt.Fprintf(&b, "      - %s: %s\n", c.Condition, c.Message)
		}
		b.WriteString("\n")
	}
	none(&b, n)

	heading(&b, "Negative matches")
	neg := r.negative()
	for _, a := range neg {
		fmt.Fprintf(&b, "   %s:\n", a.Name)
		conditionGroup(&b, "Did not match", a.Conditions, func(c ConditionOutcome) bool { return c.Evaluated && !c.Match })
		conditionGroup(&b, "Matched", a.Conditions, func(c ConditionOutcome) bool { return c.Evaluated && c.Match })
		conditionGroup(&b, "Not evaluated", a.Conditions, func(c ConditionOutcome) bool { return !c.Evaluated })
		b.WriteString("\n")
	}
	none(&b, len(neg))

	heading(&b, "Exclusions")
	for _, e := range r.Exclusions {
		fmt.Fprintf(&b, "   %s (excluded by %s)\n", e.Name, e.Source)
	}
	if len(r.Exclusions) > 0 {
		b.WriteString("\n")
	}
	none(&b, len(r.Exclusions))

	heading(&b, "Unconditional auto-configurations")
	for _, u := range uncond {
		fmt.Fprintf(&b, "   %s\n", u)
	}
	if len(uncond) > 0 {
		b.WriteString("\n")
	}
	none(&b, len(uncond))

	heading(&b, "Evaluation order")
	if len(r.Order) > 0 {
		fmt.Fprintf(&b, "   %s\n\n", strings.Join(r.Order, ", "))
	}
	none(&b, len(r.Order))

	for _, s := range r.Sections {
		heading(&b, s.Name)
		for _, e := range s.Entries {
			state := "disabled"
			if e.Enabled {
				state = "enabled"
			}
			if e.Reason == "" {
				fmt.Fprintf(&b, "   %s: %s\n", e.ID, state)
			} else {
				fmt.Fprintf(&b, "   %s: %s - %s\n", e.ID, state, e.Reason)
			}
		}
		if len(s.Entries) > 0 {
			b.WriteString("\n")
		}
		none(&b, len(s.Entries))
	}
	return b.String()
}

func heading(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n%s:\n%s\n\n", title, strings.Repeat("-", len(title)+1))
}

func none(b *strings.Builder, n int) {
	if n == 0 {
		b.WriteString("    None\n\n")
	}
}

func conditionGroup(b *strings.Builder, title string, cs []ConditionOutcome, keep func(ConditionOutcome) bool) {
	first := true
	for _, c := range cs {
		if !keep(c) {
			continue
		}
		if first {
			fmt.Fprintf(b, "      %s:\n", title)
			first = false
		}
		if c.Evaluated {
			fmt.Fprintf(b, "         - %s: %s\n", c.Condition, c.Message)
		} else {
			fmt.Fprintf(b, "         - %s\n", c.Condition)
		}
	}
}

// The JSON shapes of the report; slices are never null.
type (
	jsonReport struct {
		PositiveMatches []jsonPositive  `json:"positiveMatches"`
		NegativeMatches []jsonNegative  `json:"negativeMatches"`
		Exclusions      []jsonExclusion `json:"exclusions"`
		Unconditional   []string        `json:"unconditional"`
		Order           []string        `json:"order"`
		Sections        []jsonSection   `json:"sections"`
	}
	jsonCondition struct {
		Condition string `json:"condition"`
		Message   string `json:"message"`
	}
	jsonPositive struct {
		Name       string          `json:"name"`
		Conditions []jsonCondition `json:"conditions"`
	}
	jsonNegative struct {
		Name         string          `json:"name"`
		NotMatched   []jsonCondition `json:"notMatched"`
		Matched      []jsonCondition `json:"matched"`
		NotEvaluated []string        `json:"notEvaluated"`
	}
	jsonExclusion struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	}
	jsonSection struct {
		Name    string      `json:"name"`
		Entries []jsonEntry `json:"entries"`
	}
	jsonEntry struct {
		ID      string `json:"id"`
		Enabled bool   `json:"enabled"`
		Reason  string `json:"reason"`
	}
)

// MarshalJSON renders the report as JSON, in the spirit of Spring Boot's
// conditions endpoint:
//
//	{"positiveMatches": [{"name", "conditions": [{"condition", "message"}]}],
//	 "negativeMatches": [{"name", "notMatched": [...], "matched": [...], "notEvaluated": ["..."]}],
//	 "exclusions": [{"name", "source"}], "unconditional": ["..."], "order": ["..."],
//	 "sections": [{"name", "entries": [{"id", "enabled", "reason"}]}]}
//
// Every list is present (possibly empty) and sorted as in the Report.
func (r *Report) MarshalJSON() ([]byte, error) {
	out := jsonReport{
		PositiveMatches: []jsonPositive{},
		NegativeMatches: []jsonNegative{},
		Exclusions:      []jsonExclusion{},
		Unconditional:   []string{},
		Order:           []string{},
		Sections:        []jsonSection{},
	}
	if r == nil {
		return json.Marshal(out)
	}
	r = r.redacted()
	for _, a := range r.AutoConfigs {
		switch a.State {
		case StateMatched:
			if len(a.Conditions) == 0 {
				out.Unconditional = append(out.Unconditional, a.Name)
				continue
			}
			p := jsonPositive{Name: a.Name, Conditions: []jsonCondition{}}
			for _, c := range a.Conditions {
				p.Conditions = append(p.Conditions, jsonCondition{c.Condition, c.Message})
			}
			out.PositiveMatches = append(out.PositiveMatches, p)
		case StateNotMatched:
			n := jsonNegative{Name: a.Name, NotMatched: []jsonCondition{}, Matched: []jsonCondition{}, NotEvaluated: []string{}}
			for _, c := range a.Conditions {
				switch {
				case !c.Evaluated:
					n.NotEvaluated = append(n.NotEvaluated, c.Condition)
				case c.Match:
					n.Matched = append(n.Matched, jsonCondition{c.Condition, c.Message})
				default:
					n.NotMatched = append(n.NotMatched, jsonCondition{c.Condition, c.Message})
				}
			}
			out.NegativeMatches = append(out.NegativeMatches, n)
		}
	}
	for _, e := range r.Exclusions {
		out.Exclusions = append(out.Exclusions, jsonExclusion(e))
	}
	out.Order = append(out.Order, r.Order...)
	for _, s := range r.Sections {
		js := jsonSection{Name: s.Name, Entries: []jsonEntry{}}
		for _, e := range s.Entries {
			js.Entries = append(js.Entries, jsonEntry(e))
		}
		out.Sections = append(out.Sections, js)
	}
	return json.Marshal(out)
}

// secrets returns the secret values of the configuration the report was
// evaluated against.
func (r *Report) secrets() secrets {
	if r == nil {
		return nil
	}
	return secretsOf(r.config)
}

// redacted returns r, or a copy of it with the secret values hidden in the
// free text: condition names and messages, section entries' reasons.
func (r *Report) redacted() *Report {
	sec := r.secrets()
	if len(sec) == 0 {
		return r
	}
	c := *r
	c.AutoConfigs = make([]AutoConfigOutcome, len(r.AutoConfigs))
	for i, a := range r.AutoConfigs {
		a.Conditions = append([]ConditionOutcome(nil), a.Conditions...)
		for k := range a.Conditions {
			a.Conditions[k].Condition = sec.hide(a.Conditions[k].Condition)
			a.Conditions[k].Message = sec.hide(a.Conditions[k].Message)
		}
		c.AutoConfigs[i] = a
	}
	c.Sections = make([]Section, len(r.Sections))
	for i, sc := range r.Sections {
		sc.Entries = append([]Entry(nil), sc.Entries...)
		for k := range sc.Entries {
			sc.Entries[k].Reason = sec.hide(sc.Entries[k].Reason)
		}
		c.Sections[i] = sc
	}
	return &c
}

// Interface guards.
var (
	_ json.Marshaler = (*Report)(nil)
	_ fmt.Stringer   = (*Report)(nil)
)
