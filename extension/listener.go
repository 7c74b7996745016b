package extension

import (
	"fmt"
	"reflect"
)

// EventKind says what changed in a registry.
type EventKind int

// The kinds of [Event].
const (
	// PointDeclared: a point was declared (not sent for a no-op redeclaration).
	PointDeclared EventKind = iota + 1
	// PointRemoved: a point's declaration was removed by UnregisterPoint.
	PointRemoved
	// ExtensionAdded: an extension was registered.
	ExtensionAdded
	// ExtensionRemoved: an extension was unregistered.
	ExtensionRemoved
)

// String returns the kind's name, e.g. "ExtensionAdded".
func (k EventKind) String() string {
	switch k {
	case PointDeclared:
		return "PointDeclared"
	case PointRemoved:
		return "PointRemoved"
	case ExtensionAdded:
		return "ExtensionAdded"
	case ExtensionRemoved:
		return "ExtensionRemoved"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event describes one change of a registry, as told to the listeners given
// with [OnChange].
type Event struct {
	// Kind says what changed.
	Kind EventKind
	// PointID is the point involved.
	PointID string
	// Type is the point's type, for PointDeclared and PointRemoved.
	Type reflect.Type
	// Extension is the extension, for ExtensionAdded and ExtensionRemoved.
	Extension any
	// Priority is the extension's priority, for ExtensionAdded and
	// ExtensionRemoved.
	Priority int
}

// String renders the event for logs, e.g. `ExtensionAdded "formatters" *main.JSON (10)`.
func (e Event) String() string {
	switch e.Kind {
	case ExtensionAdded, ExtensionRemoved:
		return fmt.Sprintf("%s %q %s (%d)", e.Kind, e.PointID, typeName(e.Extension), e.Priority)
	}
	return fmt.Sprintf("%s %q %v", e.Kind, e.PointID, e.Type)
}

type listenerOption struct{ fn func(Event) }

func (o listenerOption) applyRegistry(r *Registry) {
	if o.fn != nil {
		r.listeners = append(r.listeners, o.fn)
	}
}
func (listenerOption) String() string { return "OnChange(...)" }

// OnChange adds a listener told of every change of the registry, after the
// change is made and visible to readers. Listeners run synchronously in the
// goroutine that made the change, in the order they were given, without any
// registry lock held: a listener may read the registry and even change it.
// Changes made by concurrent goroutines may be told concurrently and in
// either order; a listener that panics propagates to the caller.
func OnChange(fn func(Event)) RegistryOption { return listenerOption{fn: fn} }

// notify tells every listener of e. r.mu must not be held.
func (r *Registry) notify(e Event) {
	for _, fn := range r.listeners {
		fn(e)
	}
}
