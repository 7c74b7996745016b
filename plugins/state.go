package plugins

import (
	"strconv"
	"time"
)

// State is a plugin's lifecycle state in a [Manager].
//
//	(Add) ──> LOADED ──start──> STARTED ──stop──> STOPPED ──start──> STARTED
//	  │         │  ╲              │                  ╲
//	  │         │   start fails   stop fails          start fails
//	  │         │     ╲           ╰──> FAILED <────────╯
//	  ╰──> DISABLED     ╰──> FAILED ──start──> STARTED
//
// Remove (or UnloadAll) takes a plugin from any state to UNLOADED, which is
// only ever seen in a [StateChange]: an unloaded plugin has no descriptor.
type State int

const (
	// StateLoaded: added, contributions registered, never started.
	StateLoaded State = iota
	// StateStarted: OnStart succeeded; its dependencies are STARTED.
	StateStarted
	// StateStopped: OnStop succeeded (or a rollback stopped it).
	StateStopped
	// StateFailed: a hook failed, panicked or timed out, or (with the
	// continue policy) a dependency failed or could not be resolved.
	// Descriptor.FailedReason says why.
	StateFailed
	// StateDisabled: a filter, a condition or a disabled dependency keeps the
	// plugin out; it contributes nothing and never starts. Descriptor.FailedReason
	// says why.
	StateDisabled
	// StateUnloaded: the plugin has been removed (the New state of the last
	// StateChange of a plugin) or is being added (the Old state of its first).
	StateUnloaded
)

var stateNames = [...]string{"LOADED", "STARTED", "STOPPED", "FAILED", "DISABLED", "UNLOADED"}

// String returns the state's name in capitals: "LOADED", "STARTED",
// "STOPPED", "FAILED", "DISABLED", "UNLOADED"; "State(n)" for others.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Descriptor is a snapshot of a plugin in a manager: its metadata and its
// state when the snapshot was taken. It is a copy; changing it changes
// nothing.
type Descriptor struct {
	ID, Version, Name, Author, Description string
	Tags                                   []string
	DependsOn                              []Dependency
	State                                  State
	// LoadedAt is when the plugin was added.
	LoadedAt time.Time
	// LastStateChange is when State last changed (LoadedAt until then).
	LastStateChange time.Time
	// FailedReason is, for a FAILED plugin, the text of the cause (the hook's
	// own error, "panic: ...", a timeout ...); for a DISABLED plugin, why it is
	// disabled; empty otherwise. A successful start clears it.
	FailedReason string
}

// StateChange tells a listener ([WithListener]) that a plugin changed state.
type StateChange struct {
	// Plugin is the plugin's id.
	Plugin string
	// Old and New are the states before and after. Old is StateUnloaded when
	// the plugin is being added; New is StateUnloaded when it was removed.
	Old, New State
	// Err is the error that caused the change (a failed hook, a resolution
	// error, a failed dependency ...), nil for ordinary changes.
	Err error
	// Reason is the plugin's FailedReason after the change (why it FAILED or
	// is DISABLED); empty otherwise.
	Reason string
	// At is when the change happened.
	At time.Time
	// Duration is how long the hook that caused the change ran (OnInit and
	// OnStart together for a start), zero when no hook ran.
	Duration time.Duration
}
