package extension

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/gofly-framework/gofly/kernel"
)

// head is what First needs, published eagerly by every write that changes
// it: the winner of the point, boxed as a *T, and the errors to return when
// there is none. With it, a view's First makes no call and is inlined into
// its caller. Heads are immutable once published.
type head struct {
	typ      unsafe.Pointer // the declared type's key; nil while undeclared
	first    unsafe.Pointer // *T holding the highest-priority extension; nil for none
	err      error          // when declared but first is nil
	mismatch error          // when typ is not the reader's type (undeclared included)
}

// typeKey returns a pointer that identifies t (reflect types are unique),
// comparable without a call, unlike reflect.Type values.
func typeKey(t reflect.Type) unsafe.Pointer { return dataWord(t) }

// boxTyped returns a pointer to a new T holding v.
func boxTyped[T any](v any) unsafe.Pointer {
	p := new(T)
	*p = v.(T)
	return unsafe.Pointer(p)
}

// boxReflect is boxTyped for a type known only as a reflect.Type.
func boxReflect(typ reflect.Type) func(v any) unsafe.Pointer {
	return func(v any) unsafe.Pointer {
		p := reflect.New(typ)
		p.Elem().Set(reflect.ValueOf(v))
		return p.UnsafePointer()
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
		h.typ, h.err, h.mismatch = d.key, s.noneErr, s.mismatchErr
		if s.hasBest {
			h.first = d.box(s.best.value)
		}
	}
	s.head.Store(h)
}
