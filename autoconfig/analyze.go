package autoconfig

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.uber.org/dig"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// Analysis explains why an application failed to build or start, Spring
// Boot's failure analysis: what failed and what to do.
type Analysis struct {
	// Analyzer names the analyzer that produced the analysis: a built-in's
	// name ("missing-type", "config" ...), the name an [Analyzer] set, or the
	// name of the auto-configuration whose analyzer it is ([WithAnalyzer]);
	// empty for the generic analysis of an error no analyzer recognises.
	Analyzer string
	// Description says what failed and why.
	Description string
	// Action says what to do about it.
	Action string
	// Err is the error analyzed.
	Err error
}

// String renders the analysis as a block for standard error, or "" for the
// zero Analysis (what [Analyze] returns for a nil error):
//
//	***************************
//	APPLICATION FAILED TO START
//	***************************
//
//	Description:
//
//	...
//
//	Action:
//
//	...
func (a Analysis) String() string {
	if a.Analyzer == "" && a.Description == "" && a.Action == "" && a.Err == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\n")
	b.WriteString(strings.TrimSpace(a.Description))
	b.WriteString("\n\nAction:\n\n")
	b.WriteString(strings.TrimSpace(a.Action))
	b.WriteString("\n")
	return b.String()
}

// Analyzer explains a kind of failure: it returns false when err is not of
// its kind. It may look at the report (nil when there is none) and must be
// deterministic and safe for concurrent use. [Analyze] fills in the
// analysis' Err, and its Analyzer when the analyzer left it empty and is
// attached to an auto-configuration ([WithAnalyzer]).
type Analyzer func(err error, r *Report) (Analysis, bool)

// namedAnalyzer is an analyzer with the name its analyses get when they do
// not name themselves.
type namedAnalyzer struct {
	name string
	fn   Analyzer
}

// builtinAnalyzers are the package's analyzers, in the order they are
// consulted. Each recognises its failure by type, with errors.As, errors.Is
// and dig's exported predicates:
//
//   - "plugin-resolution": a *kernel.ResolutionError (missing dependency,
//     version constraint not met, dependency cycle among plugins);
//   - "config": a *kernel.ConfigError (key, source and line);
//   - "dependency-cycle": dig.IsCycleDetected: fx/dig found a cycle among
//     constructors; the path is dig.RootCause's;
//   - "missing-type": a dig.Error whose root cause says that no provider
//     exists for a type; names the auto-configuration that would provide
//     it when the report knows one;
//   - "autoconfig-order": the auto-configurations cannot be ordered
//     (a cycle among Before, After and OnAutoConfig);
//   - "start-timeout": context.DeadlineExceeded while starting;
//   - "plugins-off": the app was given plugins while the report says the
//     plugins auto-configuration did not match or is excluded;
//   - "plugin": any other *kernel.PluginError;
//   - "extension": a *kernel.ExtensionError (a point not declared, without
//     extensions, declared twice, or an extension of the wrong type).
var builtinAnalyzers = []namedAnalyzer{
	{"plugin-resolution", analyzeResolution},
	{"config", analyzeConfig},
	{"dependency-cycle", analyzeCycle},
	{"missing-type", analyzeMissingType},
	{"autoconfig-order", analyzeOrder},
	{"start-timeout", analyzeTimeout},
	{"plugins-off", analyzePluginsOff},
	{"plugin", analyzePlugin},
	{"extension", analyzeExtension},
}

// Analyze explains err with the first analyzer that recognises it, trying in
// order: extra, then the analyzers attached to the report's
// auto-configurations ([WithAnalyzer], in the resolved order), then the
// built-in ones, which recognise plugin resolution errors (a missing or
// disabled dependency, a version constraint, a cycle), configuration errors
// (key, value, file:line), dependency cycles, missing types (naming the
// auto-configuration that would provide one and why it did not match),
// cycles among auto-configurations, start timeouts, plugins given while
// plugins are off, plugin errors and extension errors. report may be nil.
//
// When no analyzer recognises err, Analyze returns false with the generic
// analysis: the error, and the advice to run with --debug. For a nil err it
// returns the zero Analysis and false. [Analysis.String] is the block that
// gofly.Run prints.
//
// The analysis never shows a secret, whichever analyzer wrote it: the
// values of the configuration keys that kernel.IsSecretKey calls secret (in
// the report's configuration, and in any *kernel.ConfigError that err wraps)
// read (hidden) in its Description and Action, as in the [Report].
func Analyze(err error, report *Report, extra ...Analyzer) (Analysis, bool) {
	if err == nil {
		return Analysis{}, false
	}
	all := make([]namedAnalyzer, 0, len(extra)+len(builtinAnalyzers))
	for _, a := range extra {
		all = append(all, namedAnalyzer{fn: a})
	}
	if report != nil {
		for _, c := range report.candidates {
			all = append(all, c.analyzers...)
		}
	}
	all = append(all, builtinAnalyzers...)
	sec := report.secrets().ofErrors(err)
	for _, a := range all {
		if a.fn == nil {
			continue
		}
		if an, ok := a.fn(err, report); ok {
			if an.Analyzer == "" {
				an.Analyzer = a.name
			}
			an.Err = err
			an.Description, an.Action = sec.hide(an.Description), sec.hide(an.Action)
			return an, true
		}
	}
	return Analysis{
		Description: "The application failed: " + sec.hide(err.Error()),
		Action:      "Read the error above. Run with --debug (or debug: true) to print the condition report.",
		Err:         err,
	}, false
}

// ----------------------------------------------------------------- analyzers

func analyzeResolution(err error, r *Report) (Analysis, bool) {
	var re *kernel.ResolutionError
	if !errors.As(err, &re) {
		return Analysis{}, false
	}
	switch {
	case len(re.Cycle) > 0:
		return Analysis{
			Description: fmt.Sprintf("Plugins depend on each other in a cycle: %s.", strings.Join(re.Cycle, " -> ")),
			Action:      "Break the cycle: remove one of these dependencies (plugins.DependsOn), or move what both need into a third plugin.",
		}, true
	case re.Constraint != "" && re.Found != "":
		return Analysis{
			Description: fmt.Sprintf("Plugin %q requires plugin %q %s, but version %s is present.", re.PluginID, re.Dependency, re.Constraint, re.Found),
			Action:      fmt.Sprintf("Use a version of plugin %q that satisfies %s, or relax the constraint in plugin %q.", re.Dependency, re.Constraint, re.PluginID),
		}, true
	case re.Dependency != "":
		action := fmt.Sprintf("Add plugin %q to the application, or remove the dependency from plugin %q.", re.Dependency, re.PluginID)
		if e, sec, ok := findEntry(r, re.Dependency); ok && !e.Enabled {
			action = fmt.Sprintf("Plugin %q is present but was disabled (%s: %s): enable it, or remove the dependency from plugin %q.",
				re.Dependency, sec, e.Reason, re.PluginID)
		}
		return Analysis{
			Description: fmt.Sprintf("Plugin %q depends on plugin %q, which is missing.", re.PluginID, re.Dependency),
			Action:      action,
		}, true
	default:
		return Analysis{
			Description: "The plugins' dependency order could not be resolved: " + re.Error(),
			Action:      "Check the plugins' dependencies (plugins.DependsOn) and the plugin filters in the configuration.",
		}, true
	}
}

// findEntry looks for id among the report's sections, in section order.
func findEntry(r *Report, id string) (Entry, string, bool) {
	if r == nil {
		return Entry{}, "", false
	}
	for _, s := range r.Sections {
		for _, e := range s.Entries {
			if e.ID == id {
				return e, s.Name, true
			}
		}
	}
	return Entry{}, "", false
}

func analyzeConfig(err error, _ *Report) (Analysis, bool) {
	var ce *kernel.ConfigError
	if !errors.As(err, &ce) {
		return Analysis{}, false
	}
	var d strings.Builder
	d.WriteString("The configuration is invalid.\n")
	if ce.Key != "" {
		fmt.Fprintf(&d, "\n    Key:    %s", ce.Key)
		if ce.Value != "" {
			if kernel.IsSecretKey(ce.Key) {
				d.WriteString("\n    Value:  " + hidden)
			} else {
				fmt.Fprintf(&d, "\n    Value:  %q", ce.Value)
			}
		}
	}
	if ce.Source != "" {
		origin := ce.Source
		if ce.Line > 0 {
			origin = fmt.Sprintf("%s:%d", ce.Source, ce.Line)
		}
		fmt.Fprintf(&d, "\n    Origin: %s", origin)
	}
	// The reason may quote a secret value (cannot use "..." as int):
	// Analyze hides it there, as everywhere in the analysis.
	fmt.Fprintf(&d, "\n    Reason: %s", ce.Error())
	action := "Fix the configuration."
	switch {
	case ce.Key != "" && ce.Source != "":
		action = fmt.Sprintf("Fix the value of %q in %s.", ce.Key, ce.Source)
	case ce.Key != "":
		action = fmt.Sprintf("Fix the value of %q.", ce.Key)
	case ce.Source != "":
		action = fmt.Sprintf("Fix %s.", ce.Source)
	}
	return Analysis{Description: d.String(), Action: action}, true
}

func analyzeCycle(err error, _ *Report) (Analysis, bool) {
	if !dig.IsCycleDetected(err) {
		return Analysis{}, false
	}
	// The root cause is dig's cycle itself: one line per constructor, each
	// depending on the next (after a [scope "name"] line in a child scope).
	lines := strings.Split(strings.TrimSpace(dig.RootCause(err).Error()), "\n")
	for i := range lines {
		lines[i] = "    " + strings.TrimSpace(lines[i])
	}
	return Analysis{
		Description: "The components of the application depend on each other in a cycle:\n\n" + strings.Join(lines, "\n"),
		Action: "Break the cycle: remove one of these dependencies, or let one component get the other later " +
			"(an interface set after construction, an fx.Lifecycle hook, or a value group).",
	}, true
}

func analyzeMissingType(err error, r *Report) (Analysis, bool) {
	types, needer, ok := missingTypes(err)
	if !ok {
		return Analysis{}, false
	}
	var d strings.Builder
	if needer != "" {
		fmt.Fprintf(&d, "%s needs %s, which no option of the application provides.", needer, joinTypes(types))
	} else {
		fmt.Fprintf(&d, "The application needs %s, which no option of the application provides.", joinTypes(types))
	}
	var actions []string
	providers := autoConfigProviders(r, types)
	for _, t := range types {
		p, ok := providers[t]
		if !ok {
			actions = append(actions, fmt.Sprintf("Provide %s: add fx.Provide with a constructor of it or fx.Supply with a value, or add the plugin or starter that provides it.", t))
			continue
		}
		out, _ := r.Find(p)
		switch out.State {
		case StateExcluded:
			actions = append(actions, fmt.Sprintf("Auto-configuration %q provides %s but is excluded (by %s): remove the exclusion, or provide %s yourself.",
				p, t, exclusionSource(r, p), t))
		case StateNotMatched:
			why := ""
			if c, ok := firstMismatch(out); ok {
				why = fmt.Sprintf(": %s: %s", c.Condition, c.Message)
			}
			actions = append(actions, fmt.Sprintf("Auto-configuration %q provides %s but did not match%s. Make its conditions hold (see the condition report: --debug), or provide %s yourself.",
				p, t, why, t))
		default:
			actions = append(actions, fmt.Sprintf("Auto-configuration %q provides %s; check that nothing else prevents it (a named value, fx.Private, a module).", p, t))
		}
	}
	return Analysis{Description: d.String(), Action: strings.Join(actions, "\n")}, true
}

// firstMismatch returns the condition that made out not match: the first
// evaluated one that did not match.
func firstMismatch(out AutoConfigOutcome) (ConditionOutcome, bool) {
	for _, c := range out.Conditions {
		if c.Evaluated && !c.Match {
			return c, true
		}
	}
	return ConditionOutcome{}, false
}

func exclusionSource(r *Report, name string) string {
	for _, e := range r.Exclusions {
		if e.Name == name {
			return e.Source
		}
	}
	return excludeKey
}

func joinTypes(types []string) string {
	if len(types) == 1 {
		return types[0]
	}
	return strings.Join(types[:len(types)-1], ", ") + " and " + types[len(types)-1]
}

// missingTypes is the one place that reads dig's error text: dig exports
// no way to ask which types a missing-type error is about. It recognises the
// error by type first (a dig.Error whose dig.RootCause is itself a
// dig.Error), then reads the root cause's text, "missing type: T" or
// "missing types: T1; T2" (dropping dig's "did you mean" hints), and the
// function that needs them from the layer that wraps the root cause,
// "missing dependencies for function F". TestMissingTypesReadsDigsWording
// builds real fx apps and fails when dig changes this wording.
func missingTypes(err error) (types []string, needer string, ok bool) {
	var de dig.Error
	if !errors.As(err, &de) {
		return nil, "", false
	}
	root := dig.RootCause(err)
	if !errors.As(root, &de) {
		return nil, "", false // a constructor's or invoked function's own error
	}
	msg := root.Error()
	var list string
	switch {
	case strings.HasPrefix(msg, "missing types: "):
		list = msg[len("missing types: "):]
	case strings.HasPrefix(msg, "missing type: "):
		list = msg[len("missing type: "):]
	default:
		return nil, "", false
	}
	for _, t := range strings.Split(list, "; ") {
		if i := strings.Index(t, " (did you mean"); i >= 0 {
			t = t[:i]
		}
		if t = strings.TrimSpace(t); t != "" {
			types = append(types, t)
		}
	}
	const md = "missing dependencies for function "
	for e := err; e != nil; e = errors.Unwrap(e) {
		// dig's errors are not all comparable: find the root's parent by
		// its text, which ends with the root's.
		if inner := errors.Unwrap(e); inner != nil && inner.Error() == msg {
			if layer, found := strings.CutSuffix(e.Error(), ": "+msg); found && strings.HasPrefix(layer, md) {
				needer = "function " + layer[len(md):]
			}
			break
		}
	}
	return types, needer, len(types) > 0
}

// managerTypeName is how fx names the plugin manager's type.
var managerTypeName = reflect.TypeFor[*plugins.Manager]().String()

// autoConfigProviders maps each type to the first auto-configuration (in
// resolved order) of the report whose options provide a type of that name.
func autoConfigProviders(r *Report, types []string) map[string]string {
	out := map[string]string{}
	if r == nil {
		return out
	}
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	for _, c := range r.candidates {
		if len(out) == len(want) {
			break
		}
		provided := providedTypeNames(c.options)
		if c.name == PluginsName {
			// The facade wires the manager in when this auto-configuration
			// matches (its options only report the plugin decisions).
			provided = append(provided, managerTypeName)
		}
		for _, t := range provided {
			if want[t] {
				if _, done := out[t]; !done {
					out[t] = c.name
				}
			}
		}
	}
	return out
}

// providedTypeNames lists the names of the types that opts provide, as fx
// reports them in its events. It builds an fx app of opts followed by a type
// provided twice, so fx stops after its provide phase: no constructor, hook
// or invoked function of opts runs; the one exception is the constructor
// given to an fx.WithLogger inside a module of opts, which fx runs to install
// that module's logger.
func providedTypeNames(opts []fx.Option) []string {
	rec := &provideRecorder{}
	all := make([]fx.Option, 0, len(opts)+3)
	all = append(all, opts...)
	all = append(all, fx.Module(probeModule, fx.Provide(newProbeStop), fx.Provide(newProbeStop)),
		fx.Logger(discardPrinter{}), fx.WithLogger(func() fxevent.Logger { return rec }))
	_ = fx.New(all...).Err()
	sort.Strings(rec.types)
	return rec.types
}

type provideRecorder struct{ types []string }

func (p *provideRecorder) LogEvent(e fxevent.Event) {
	switch e := e.(type) {
	case *fxevent.Provided:
		if e.Err == nil && !e.Private && e.ModuleName != probeModule {
			p.types = append(p.types, e.OutputTypeNames...)
		}
	case *fxevent.Supplied:
		if e.Err == nil {
			p.types = append(p.types, e.TypeName)
		}
	}
}

func analyzeTimeout(err error, _ *Report) (Analysis, bool) {
	if !errors.Is(err, context.DeadlineExceeded) {
		return Analysis{}, false
	}
	var pe *kernel.PluginError
	if errors.As(err, &pe) && pe.PluginID != "" {
		return Analysis{
			Description: fmt.Sprintf("Plugin %q did not %s in time: %v", pe.PluginID, opOr(pe.Op, "start"), pe),
			Action: fmt.Sprintf("Make the hooks of plugin %q return sooner (start long-running work in a goroutine), "+
				"or raise plugins.start-timeout (or fx.StartTimeout for the whole application).", pe.PluginID),
		}, true
	}
	return Analysis{
		Description: "The application did not start within its start timeout: an OnStart hook did not return in time (" + err.Error() + ").",
		Action: "Make the blocking OnStart hook return sooner: start long-running work in a goroutine and return. " +
			"Or raise the timeout: fx.StartTimeout for the application (fx's default is 15s), plugins.start-timeout for plugin hooks. " +
			"Run with --debug to see which hook was running.",
	}, true
}

func opOr(op, def string) string {
	if op == "" {
		return def
	}
	return op
}

func analyzeOrder(err error, _ *Report) (Analysis, bool) {
	var oe *orderError
	if !errors.As(err, &oe) {
		return Analysis{}, false
	}
	return Analysis{
		Description: fmt.Sprintf("The auto-configurations cannot be ordered: cycle %s (each must come before the next by Before, After or OnAutoConfig).",
			strings.Join(oe.cycle, " -> ")),
		Action: "Remove one of the orderings in the cycle: a Before or After option, or an OnAutoConfig condition " +
			"(which orders like After). Run with --debug to see the candidates.",
	}, true
}

// analyzePluginsOff explains the error plugins.Reject returns when the app
// was given plugins but the plugins auto-configuration did not match (or is
// excluded): the action is to switch plugins on, not to fix the plugin.
func analyzePluginsOff(err error, r *Report) (Analysis, bool) {
	var pe *kernel.PluginError
	if r == nil || !errors.As(err, &pe) || !errors.Is(err, kernel.ErrPluginLoad) || pe.Op != "add" {
		return Analysis{}, false
	}
	out, ok := r.Find(PluginsName)
	if !ok || out.State == StateMatched {
		return Analysis{}, false
	}
	desc := fmt.Sprintf("The application was given plugins, starting with %q, but the %q auto-configuration ", pe.PluginID, PluginsName)
	var action string
	if out.State == StateExcluded {
		desc += fmt.Sprintf("is excluded (by %s), so the app has no plugin manager.", exclusionSource(r, PluginsName))
		action = fmt.Sprintf("Remove %q from the exclusions (%s or gofly.ExcludeAutoConfig), or remove the plugins from the application's options.",
			PluginsName, excludeKey)
	} else {
		why := ""
		if c, ok := firstMismatch(out); ok {
			why = ": " + c.Message
		}
		desc += fmt.Sprintf("did not match%s, so the app has no plugin manager.", why)
		action = fmt.Sprintf("Set %s: true in application.yaml (or GOFLY_PLUGINS_ENABLED=true), or remove the plugins from the application's options.",
			pluginsEnabledKey)
	}
	return Analysis{Description: desc, Action: action}, true
}

func analyzePlugin(err error, _ *Report) (Analysis, bool) {
	var pe *kernel.PluginError
	if !errors.As(err, &pe) {
		return Analysis{}, false
	}
	return Analysis{
		Description: fmt.Sprintf("Plugin %q failed to %s: %v", pe.PluginID, opOr(pe.Op, "run"), pe),
		Action:      fmt.Sprintf("Fix plugin %q (see the cause above), or leave it out of the application (plugins.exclude).", pe.PluginID),
	}, true
}

func analyzeExtension(err error, _ *Report) (Analysis, bool) {
	var ee *kernel.ExtensionError
	if !errors.As(err, &ee) {
		return Analysis{}, false
	}
	desc := "An extension failed: " + ee.Error()
	point := "the extension point"
	if ee.PointID != "" {
		desc = fmt.Sprintf("Extension point %q failed: %v", ee.PointID, ee)
		point = fmt.Sprintf("extension point %q", ee.PointID)
	}
	var action string
	switch {
	case errors.Is(ee, kernel.ErrUnknownPoint):
		action = fmt.Sprintf("Declare %s before it is used (in the plugin or starter that owns it), or fix the point id.", point)
	case errors.Is(ee, kernel.ErrNoExtensions):
		action = fmt.Sprintf("Add a plugin or option that contributes an extension to %s, or do not require one.", point)
	case errors.Is(ee, kernel.ErrNotImplemented):
		action = fmt.Sprintf("Make the extension implement the type of %s", point)
		if ee.PointType != "" {
			action += " (" + ee.PointType + ")"
		}
		action += "."
	case errors.Is(ee, kernel.ErrDuplicatePoint):
		action = fmt.Sprintf("Declare %s once, with one type, or give one of the points another id.", point)
	default:
		action = fmt.Sprintf("Fix %s or its extension (see the cause above).", point)
	}
	return Analysis{Description: desc, Action: action}, true
}
