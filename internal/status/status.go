package status

import "sync/atomic"

// Phase is where an application is in its life.
type Phase int32

// The phases of an application, in order.
const (
	// PhaseStarting: the app is built and its OnStart hooks are running.
	PhaseStarting Phase = iota
	// PhaseStarted: every OnStart hook has run; the app serves.
	PhaseStarted
	// PhaseStopping: the app was asked to stop; its OnStop hooks are running.
	PhaseStopping
)

// String returns "starting", "started" or "stopping".
func (p Phase) String() string {
	switch p {
	case PhaseStarting:
		return "starting"
	case PhaseStarted:
		return "started"
	case PhaseStopping:
		return "stopping"
	}
	return "unknown"
}

// Status tells whether the application has finished starting. The gofly
// facade puts one in every app's graph and moves it to PhaseStarted from the
// last OnStart hook of the app (after every other hook, the plugins' included)
// and to PhaseStopping from the first OnStop hook, so readiness probes turn
// ready only once everything started and turn unready before anything stops.
//
// Status is safe for concurrent use. The zero Status is starting.
type Status struct{ phase atomic.Int32 }

// Phase returns the current phase.
func (s *Status) Phase() Phase { return Phase(s.phase.Load()) }

// Started reports whether the app is in PhaseStarted.
func (s *Status) Started() bool { return s.Phase() == PhaseStarted }

// SetPhase moves the app to phase p. The facade calls it.
func (s *Status) SetPhase(p Phase) { s.phase.Store(int32(p)) }
