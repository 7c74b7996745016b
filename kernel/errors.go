package kernel

import (
	"fmt"
	"strings"
)

// class is a sentinel error that belongs to the gofly error hierarchy. Its
// Unwrap returns its parent class, so errors.Is(err, ancestor) holds for every
// ancestor of the class an error belongs to.
type class struct {
	name   string
	parent error
}

func (c *class) Error() string { return c.name }
func (c *class) Unwrap() error { return c.parent }

func newClass(name string, parent error) error { return &class{name: name, parent: parent} }

// The error hierarchy. Every error gofly returns matches ErrGofly and the
// sentinel of its class, and therefore every ancestor of that class:
//
//	ErrGofly
//	├── ErrConfig
//	└── ErrPlugin
//	    ├── ErrPluginLoad
//	    ├── ErrPluginStart
//	    ├── ErrPluginStop
//	    ├── ErrPluginState
//	    ├── ErrPluginResolution
//	    └── ErrExtension
//	        ├── ErrUnknownPoint
//	        ├── ErrNoExtensions
//	        ├── ErrNotImplemented
//	        └── ErrDuplicatePoint
//
// Match a class with errors.Is; reach the facts of an error (key, source,
// plugin id, point id, cycle path ...) with errors.As and the typed errors of
// this package (*ConfigError, *PluginError, *ResolutionError, *ExtensionError).
var (
	// ErrGofly is the root of every error the framework returns.
	ErrGofly = newClass("gofly error", nil)

	// ErrConfig: configuration could not be read, parsed, bound or validated.
	ErrConfig = newClass("configuration error", ErrGofly)

	// ErrPlugin is the root of plugin and extension errors (pyfly's PluginException).
	ErrPlugin = newClass("plugin error", ErrGofly)

	// ErrPluginLoad: a plugin could not be added (invalid definition, duplicate id,
	// a contribution that does not fit its point ...).
	ErrPluginLoad = newClass("plugin load error", ErrPlugin)
	// ErrPluginStart: a plugin's OnInit or OnStart hook failed, panicked or timed out.
	ErrPluginStart = newClass("plugin start error", ErrPlugin)
	// ErrPluginStop: a plugin's OnStop or OnUnload hook failed, panicked or timed out.
	ErrPluginStop = newClass("plugin stop error", ErrPlugin)
	// ErrPluginState: an operation does not fit the plugin's state (unknown
	// plugin, removal while others depend on it ...).
	ErrPluginState = newClass("plugin state error", ErrPlugin)
	// ErrPluginResolution: the dependency order cannot be resolved (missing
	// dependency, cycle, version constraint not met).
	ErrPluginResolution = newClass("plugin resolution error", ErrPlugin)
	// ErrExtension is the root of extension point and registry errors.
	ErrExtension = newClass("extension error", ErrPlugin)

	// ErrUnknownPoint: the extension point is not declared.
	ErrUnknownPoint = newClass("unknown extension point", ErrExtension)
	// ErrNoExtensions: the point is declared but has no extension.
	ErrNoExtensions = newClass("no extensions", ErrExtension)
	// ErrNotImplemented: an extension does not implement its point's type.
	ErrNotImplemented = newClass("extension does not implement point", ErrExtension)
	// ErrDuplicatePoint: a point id is declared again with another type.
	ErrDuplicatePoint = newClass("duplicate extension point", ErrExtension)
)

// Error is a plain error of the hierarchy: a class, a message and an optional
// cause. Use it where no typed error below carries more facts.
type Error struct {
	// Class is the sentinel the error belongs to (ErrConfig, ErrPluginState ...).
	Class error
	// Msg says what happened, to what, and what to do.
	Msg string
	// Err is the cause, if any.
	Err error
}

// Error returns Msg followed by the cause (the cause alone without Msg);
// with neither, the class.
func (e *Error) Error() string {
	if e.Msg != "" || e.Err != nil {
		return withCause(e.Msg, e.Err)
	}
	return className(e.Class)
}

// Unwrap returns the class and the cause, so errors.Is finds both.
func (e *Error) Unwrap() []error { return unwrap(e.Class, e.Err) }

// ConfigError is an error of class ErrConfig that names the key, the value and
// the source (file path, "env GOFLY_X" or "defaults") involved.
type ConfigError struct {
	// Key is the configuration key involved, dotted ("plugins.enabled"); empty
	// when the error concerns a whole source.
	Key string
	// Value is the offending value as text, if any.
	Value string
	// Source is where the value came from: a file path, "env NAME" or "defaults".
	Source string
	// Line is the 1-based line in Source, when known; 0 otherwise.
	Line int
	// Msg says what happened and what to do: the whole message, facts
	// included, as Error returns it.
	Msg string
	// Err is the cause, if any.
	Err error
}

// Error returns Msg followed by the cause (the cause alone without Msg).
// With neither it names the facts instead:
// config key "a.b" in /app/application.yaml line 3: configuration error.
func (e *ConfigError) Error() string {
	if e.Msg != "" || e.Err != nil {
		return withCause(e.Msg, e.Err)
	}
	var b strings.Builder
	b.WriteString("config")
	if e.Key != "" {
		fmt.Fprintf(&b, " key %q", e.Key)
	}
	if e.Source != "" {
		if e.Key != "" {
			b.WriteString(" in")
		} else {
			b.WriteString(" file")
		}
		b.WriteString(" " + e.Source)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	msg := ErrConfig.Error()
	if b.Len() > len("config") {
		msg = b.String() + ": " + msg
	}
	if e.Value != "" {
		msg += fmt.Sprintf(" (value %q)", e.Value)
	}
	return msg
}

// Unwrap returns ErrConfig and the cause.
func (e *ConfigError) Unwrap() []error { return unwrap(ErrConfig, e.Err) }

// PluginError is an error about one plugin. Class is one of ErrPluginLoad,
// ErrPluginStart, ErrPluginStop or ErrPluginState.
type PluginError struct {
	// Class is the sentinel the error belongs to.
	Class error
	// PluginID is the id of the plugin involved.
	PluginID string
	// Op is the operation that failed ("add", "start", "stop", "remove" ...).
	Op string
	// Msg says what happened and what to do: the whole message, facts
	// included, as Error returns it.
	Msg string
	// Err is the cause (the hook's own error, a panic, a timeout ...).
	Err error
}

// Error returns Msg followed by the cause (the cause alone without Msg).
// With neither it names the facts instead: plugin "p": start: plugin start error.
func (e *PluginError) Error() string {
	if e.Msg != "" || e.Err != nil {
		return withCause(e.Msg, e.Err)
	}
	facts := ""
	if e.PluginID != "" {
		facts = fmt.Sprintf("plugin %q", e.PluginID)
	}
	if e.Op != "" {
		facts = joinFacts(facts, e.Op)
	}
	return joinFacts(facts, className(e.Class))
}

// Unwrap returns the class and the cause.
func (e *PluginError) Unwrap() []error { return unwrap(e.Class, e.Err) }

// ResolutionError is an error of class ErrPluginResolution: the plugins'
// dependency order could not be resolved.
type ResolutionError struct {
	// PluginID is the plugin whose dependency could not be satisfied.
	PluginID string
	// Dependency is the id of the missing or mismatched dependency.
	Dependency string
	// Constraint is the version constraint not met, if any.
	Constraint string
	// Found is the version found for Dependency, when the constraint failed.
	Found string
	// Cycle is the cycle path, first id repeated at the end (a, b, c, a), if any.
	Cycle []string
	// Msg says what happened and what to do: the whole message, facts
	// included, as Error returns it.
	Msg string
	// Err is the cause, if any.
	Err error
}

// Error returns Msg followed by the cause (the cause alone without Msg).
// With neither it names the facts instead: plugin "b": dependency "a": plugin resolution error, or
// dependency cycle a -> b -> a: plugin resolution error.
func (e *ResolutionError) Error() string {
	if e.Msg != "" || e.Err != nil {
		return withCause(e.Msg, e.Err)
	}
	facts := ""
	if e.PluginID != "" {
		facts = fmt.Sprintf("plugin %q", e.PluginID)
	}
	if e.Dependency != "" {
		facts = joinFacts(facts, fmt.Sprintf("dependency %q", e.Dependency))
	}
	if e.Constraint != "" {
		facts = joinFacts(facts, fmt.Sprintf("constraint %q", e.Constraint))
	}
	if e.Found != "" {
		facts = joinFacts(facts, fmt.Sprintf("found %q", e.Found))
	}
	if len(e.Cycle) > 0 {
		facts = joinFacts(facts, "dependency cycle "+strings.Join(e.Cycle, " -> "))
	}
	return joinFacts(facts, ErrPluginResolution.Error())
}

// Unwrap returns ErrPluginResolution and the cause.
func (e *ResolutionError) Unwrap() []error { return unwrap(ErrPluginResolution, e.Err) }

// ExtensionError is an error about an extension point. Class is ErrExtension
// or one of its children.
type ExtensionError struct {
	// Class is the sentinel the error belongs to.
	Class error
	// PointID is the extension point involved.
	PointID string
	// PointType is the point's declared type, as text, if known.
	PointType string
	// ExtensionType is the offending extension's type, as text, if any.
	ExtensionType string
	// Msg says what happened and what to do: the whole message, facts
	// included, as Error returns it.
	Msg string
	// Err is the cause, if any.
	Err error
}

// Error returns Msg followed by the cause (the cause alone without Msg).
// With neither it names the facts instead: extension point "formatters": unknown extension point.
func (e *ExtensionError) Error() string {
	if e.Msg != "" || e.Err != nil {
		return withCause(e.Msg, e.Err)
	}
	facts := ""
	if e.PointID != "" {
		facts = fmt.Sprintf("extension point %q", e.PointID)
	}
	if e.ExtensionType != "" {
		facts = joinFacts(facts, "extension "+e.ExtensionType)
	}
	return joinFacts(facts, className(e.Class))
}

// Unwrap returns the class and the cause.
func (e *ExtensionError) Unwrap() []error { return unwrap(e.Class, e.Err) }

// className is the text of an error class; ErrGofly's when class is nil,
// as unwrap treats it.
func className(class error) string {
	if class == nil {
		return ErrGofly.Error()
	}
	return class.Error()
}

// joinFacts joins two parts of a message with ": ", skipping an empty one.
func joinFacts(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}

func withCause(msg string, cause error) string {
	if cause == nil {
		return msg
	}
	if msg == "" {
		return cause.Error()
	}
	return msg + ": " + cause.Error()
}

func unwrap(class, cause error) []error {
	if class == nil {
		class = ErrGofly
	}
	if cause == nil {
		return []error{class}
	}
	return []error{class, cause}
}

// Interface guards.
var (
	_ error = (*Error)(nil)
	_ error = (*ConfigError)(nil)
	_ error = (*PluginError)(nil)
	_ error = (*ResolutionError)(nil)
	_ error = (*ExtensionError)(nil)
)
