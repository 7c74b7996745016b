package extension

import (
	"fmt"
	"reflect"

	"github.com/gofly-framework/gofly/kernel"
)

// head is what First needs, published eagerly by every write that changes
// it: the winner of the point, boxed as a *T of the declared type T, and the
// errors to return when there is none.
//
// A typed reader asserts first to its own *T: one comparison of type words,
// no call, no lock, no allocation. The assertion succeeds exactly when the
// point is declared with the reader's type, and the pointer is nil when the
// point has no extension. reflect and the compiler share one *T type
// descriptor, so the *T that reflect.New makes for a point declared with
// RegisterPoint asserts like one made by new(T), as the []T snapshots of such
// points do. Heads are immutable once published.
type head struct {
	// first is a *T of the declared type T: the highest-priority extension,
	// or a nil *T when there is none; nil (no type) while undeclared.
	first    any
	err      error // when declared without extensions
	mismatch error // when not declared with the reader's type (undeclared included)
}

// boxTyped returns a pointer to a new T holding v, or a nil *T for a nil v.
func boxTyped[T any](v any) any {
	if v == nil {
		return (*T)(nil)
	}
	p := new(T)
	*p = v.(T)
	return p
}

// boxReflect is boxTyped for a type known only as a reflect.Type.
func boxReflect(typ reflect.Type) func(v any) any {
	return func(v any) any {
		if v == nil {
			return reflect.Zero(reflect.PointerTo(typ)).Interface()
		}
		p := reflect.New(typ)
		p.Elem().Set(reflect.ValueOf(v))
		return p.Interface()
	}
}

// errEmptyView is what the zero Extensions returns from First.
var errEmptyView error = &kernel.ExtensionError{
	Class: kernel.ErrUnknownPoint,
	Msg:   "extension view has no point: get views from extension.View or the fx graph",
}

// noteAdded updates the winner after e was registered. r.mu must be held.
func (s *slot) noteAdded(e entry) {
	if !s.hasBest || before(e, s.best) {
		s.best, s.hasBest = e, true
		s.publishHead()
	}
}

// noteRemoved updates the winner after e was removed. r.mu must be held.
func (s *slot) noteRemoved(e entry) {
	if !s.hasBest || e.seq != s.best.seq {
		return
	}
	s.hasBest = false
	if len(s.sorted) > 0 {
		s.best, s.hasBest = s.sorted[0], true
	}
	for _, p := range s.pending {
		if !s.hasBest || before(p, s.best) {
			s.best, s.hasBest = p, true
		}
	}
	s.publishHead()
}

// publishHead publishes the head for the current declaration and winner.
// r.mu must be held.
func (s *slot) publishHead() {
	if s.unknownErr == nil {
		s.unknownErr = &kernel.ExtensionError{
			Class:   kernel.ErrUnknownPoint,
			PointID: s.id,
			Msg:     fmt.Sprintf("extension point %q is not registered: declare it before reading its extensions", s.id),
		}
	}
	h := &head{mismatch: s.unknownErr}
	if d := s.decl; d != nil {
		if s.errsFor != d {
			s.noneErr = errNoExtensions(s.id, d.typ)
			s.mismatchErr = errTypeMismatch(s.id, d.typ, nil)
			s.errsFor = d
		}
		h.err, h.mismatch = s.noneErr, s.mismatchErr
		if s.hasBest {
			h.first = d.box(s.best.value)
		} else {
			h.first = d.none
		}
	}
	s.head.Store(h)
}
