package extension

import (
	"strconv"

	"github.com/gofly-framework/gofly/kernel"
)

// Declare declares p in r: its id, its type T, its description and whether it
// is required. Declaring a point again with the same type is a no-op (the
// first declaration's description and required flag stay); declaring its id
// with another type fails with kernel.ErrDuplicatePoint. Extensions already
// registered for the id (lenient registries) are checked against T, and when
// one does not fit Declare fails with kernel.ErrNotImplemented and changes
// nothing. The zero Point fails with kernel.ErrExtension.
func Declare[T any](r *Registry, p Point[T]) error {
	if p.def == nil {
		return errEmptyID()
	}
	return r.declare(p.def.id, p.def.decl)
}

// Add registers ext for p in r with the given priority (see
// [Registry.Register] for order and errors).
//
// When p is not declared yet, a lenient registry declares it first, as
// [Declare] would, in the same step; a [Strict] registry fails with
// kernel.ErrUnknownPoint. When p's id is declared with a type other than T,
// Add fails with kernel.ErrDuplicatePoint. A nil ext fails with
// kernel.ErrNotImplemented.
func Add[T any](r *Registry, p Point[T], ext T, priority int) error {
	if p.def == nil {
		return errEmptyID()
	}
	id, v := p.def.id, any(ext)
	if isNil(v) {
		return errNilExtension(id, v)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.lookup(id); s != nil && s.decl != nil {
		if s.decl.typ != p.def.decl.typ {
			return errDuplicatePoint(id, s.decl.typ, p.def.decl.typ)
		}
	} else if !r.strict {
		if err := r.declareLocked(id, p.def.decl); err != nil {
			return err
		}
	}
	return r.registerLocked(id, v, priority)
}

// All returns the extensions of p in r, highest priority first (equal
// priorities in registration order), as a []T.
//
// The slice is the registry's current snapshot, shared by every reader: it is
// read-only and callers must not modify its elements (its capacity equals its
// length, so append copies). It does not change when the registry changes;
// call All again to see changes. All takes no lock and allocates nothing in
// the steady state. It returns nil when p is not declared in r (even if
// untyped extensions were registered for its id), when p's id is declared
// with another type, and when there is no extension.
func All[T any](r *Registry, p Point[T]) []T {
	// The fast path (cached slot, fresh snapshot) makes no call.
	if p.def != nil {
		if snap := p.def.fast(r); snap != nil {
			ts, _ := snap.typed.([]T)
			return ts
		}
	}
	return allSlow(r, p)
}

func allSlow[T any](r *Registry, p Point[T]) []T {
	s := p.slotIn(r)
	if s == nil {
		return nil
	}
	ts, _ := r.load(s).typed.([]T)
	return ts
}

// First returns the highest-priority extension of p in r: the winner of a
// hook. It takes no lock and allocates nothing when it succeeds.
//
// It fails with kernel.ErrUnknownPoint ("... is not registered") when p is
// not declared in r, with kernel.ErrNoExtensions ("... has no registered
// extensions") when it has no extension, and with kernel.ErrDuplicatePoint
// when p's id is declared with a type other than T.
func First[T any](r *Registry, p Point[T]) (T, error) {
	if d := p.def; d != nil {
		if c := d.cache.Load(); c != nil && c.r == r {
			if v, _ := c.s.head.Load().first.(*T); v != nil {
				return *v, nil
			}
		}
	}
	return firstSlow(r, p)
}

func firstSlow[T any](r *Registry, p Point[T]) (T, error) {
	var zero T
	s := p.slotIn(r)
	if s == nil {
		if r == nil {
			return zero, &kernel.ExtensionError{Class: kernel.ErrUnknownPoint, PointID: p.ID(),
				Msg: "extension point " + strconv.Quote(p.ID()) + " is not registered: the registry is nil"}
		}
		return zero, r.errUnknownPoint(p.ID(), "reading its extensions")
	}
	h := s.head.Load()
	v, ok := h.first.(*T)
	switch {
	case v != nil:
		return *v, nil
	case ok:
		return zero, h.err
	}
	if d := r.load(s).decl; d != nil {
		return zero, errTypeMismatch(p.def.id, d.typ, p.def.decl.typ)
	}
	return zero, h.mismatch
}

// Extensions is a typed, live view of one extension point in one registry:
// the value a component receives in an fx app (see [Provide]), or gets from
// [View]. It is a small value, safe to copy and to use from many goroutines.
//
// A view reflects every later change of the registry: extensions added or
// removed (a removed plugin's extensions disappear from it) and the point
// being declared, removed or declared again. Its All and First take no lock
// and allocate nothing in the steady state. The zero Extensions has no point:
// All returns nil and First fails with kernel.ErrUnknownPoint.
type Extensions[T any] struct {
	r *Registry
	s *slot
}

// View returns the live view of p in r. p need not be declared yet: the view
// is empty until it is, and then follows it.
func View[T any](r *Registry, p Point[T]) Extensions[T] {
	if r == nil || p.def == nil {
		return Extensions[T]{}
	}
	s := p.slotIn(r)
	if s == nil {
		r.mu.Lock()
		s = r.slotLocked(p.def.id)
		r.mu.Unlock()
	}
	return Extensions[T]{r: r, s: s}
}

// All returns the point's extensions, highest priority first, like [All]: a
// shared, read-only snapshot that callers must not modify; nil when the point
// is not declared (with type T) or has no extension.
func (e Extensions[T]) All() []T {
	if e.s == nil {
		return nil
	}
	snap := e.s.snap.Load()
	if snap == nil {
		snap = e.r.rebuild(e.s)
	}
	ts, _ := snap.typed.([]T)
	return ts
}

// First returns the highest-priority extension, with the errors of [First].
// It makes no call: the compiler inlines it into its caller.
func (e Extensions[T]) First() (T, error) {
	var zero T
	if e.s == nil {
		return zero, errEmptyView
	}
	h := e.s.head.Load()
	v, ok := h.first.(*T)
	if v != nil {
		return *v, nil
	}
	if ok {
		return zero, h.err
	}
	return zero, h.mismatch
}
