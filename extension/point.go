package extension

import (
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/gofly-framework/gofly/kernel"
)

// Point is a typed, named extension point: a slot that extensions of type T
// are registered into. T is an interface (an extension must implement it) or
// a func type (an extension is a function of exactly that type, as opa-stack
// hooks and plux function plugins are written).
//
// A Point is a small value (one pointer) that is cheap to copy and safe to
// share between goroutines; keep it in a package-level variable next to the
// interface it names:
//
//	var Formatters = extension.NewPoint[Formatter]("formatters",
//		extension.Description("turn a record into text"))
//
// A Point does not belong to a registry: declare it in one with [Declare] (or
// [Provide] in an fx app), contribute with [Add], read with [All], [First] or
// an [Extensions] view. The zero Point has the id "" and cannot be declared.
type Point[T any] struct {
	def *pointDef
}

// pointDef is what a Point holds: its immutable declaration and a one-entry
// cache of the slot it resolved to in the registry it was last read from.
type pointDef struct {
	id       string
	desc     string
	required bool
	decl     *decl // what declaring the point declares
	cache    atomic.Pointer[slotRef]
}

// slotRef pairs a registry with the slot a point resolved to in it. Slots are
// never removed from a registry, so a cached reference stays valid.
type slotRef struct {
	r *Registry
	s *slot
}

// NewPoint returns the extension point id of type T.
//
// T must be an interface type or a func type, and id must not be empty;
// anything else is a programmer error and NewPoint panics with an
// *kernel.ExtensionError of class kernel.ErrExtension (like
// regexp.MustCompile). Use [Registry.RegisterPoint] to declare a point from a
// reflect.Type and get an error instead.
func NewPoint[T any](id string, opts ...PointOption) Point[T] {
	typ := reflect.TypeFor[T]()
	if err := checkPoint(id, typ); err != nil {
		panic(err)
	}
	d := &pointDef{id: id}
	for _, o := range opts {
		if o != nil {
			o.applyPoint(d)
		}
	}
	d.decl = &decl{typ: typ, desc: d.desc, required: d.required,
		grow: growTyped[T], box: boxTyped[T], none: (*T)(nil)}
	return Point[T]{def: d}
}

// growTyped appends more to backing, a []T (nil for none), and returns the
// new backing and the view to publish: the same elements with capacity equal
// to length, so a reader's append never writes into the shared array, while
// the registry may still append in place beyond what any reader can see.
func growTyped[T any](backing any, more []any) (grown, published any) {
	b, _ := backing.([]T)
	if b == nil {
		b = make([]T, 0, len(more))
	}
	for _, v := range more {
		b = append(b, v.(T))
	}
	if len(b) == 0 {
		return nil, []T(nil)
	}
	return b, b[:len(b):len(b)]
}

// growReflect is growTyped for a type known only as a reflect.Type (points
// declared with RegisterPoint). It deals in []T of that type all the same.
func growReflect(typ reflect.Type) func(backing any, more []any) (any, any) {
	st := reflect.SliceOf(typ)
	return func(backing any, more []any) (any, any) {
		var b reflect.Value
		if backing == nil {
			b = reflect.MakeSlice(st, 0, len(more))
		} else {
			b = reflect.ValueOf(backing)
		}
		for _, v := range more {
			b = reflect.Append(b, reflect.ValueOf(v))
		}
		n := b.Len()
		if n == 0 {
			return nil, reflect.Zero(st).Interface()
		}
		return b.Interface(), b.Slice3(0, n, n).Interface()
	}
}

// checkPoint reports why id and typ cannot make an extension point, or nil.
func checkPoint(id string, typ reflect.Type) error {
	if id == "" {
		return &kernel.ExtensionError{
			Class: kernel.ErrExtension,
			Msg:   "extension point id is empty: give the point a non-empty id",
		}
	}
	if typ == nil {
		return &kernel.ExtensionError{
			Class:   kernel.ErrExtension,
			PointID: id,
			Msg:     fmt.Sprintf("extension point %q has no type: declare it with an interface or func type", id),
		}
	}
	if k := typ.Kind(); k != reflect.Interface && k != reflect.Func {
		hint := "a point's type must be an interface or a func type"
		if k == reflect.Pointer && typ.Elem().Kind() == reflect.Interface {
			hint = fmt.Sprintf("use the interface %s itself, not a pointer to it", typ.Elem())
		}
		return &kernel.ExtensionError{
			Class:     kernel.ErrExtension,
			PointID:   id,
			PointType: typ.String(),
			Msg:       fmt.Sprintf("extension point %q has type %s (kind %s): %s", id, typ, k, hint),
		}
	}
	return nil
}

// ID returns the point's id ("" for the zero Point).
func (p Point[T]) ID() string {
	if p.def == nil {
		return ""
	}
	return p.def.id
}

// slotIn returns the point's slot in r, or nil when r has never seen the id.
// It takes no lock and, once the point was resolved in r, allocates nothing.
func (p Point[T]) slotIn(r *Registry) *slot {
	d := p.def
	if d == nil {
		return nil
	}
	if c := d.cache.Load(); c != nil && c.r == r {
		return c.s
	}
	return d.resolve(r)
}

// fast returns the point's fresh snapshot in r when the slot is cached for r
// and its snapshot is not stale; nil otherwise (take the slow path). It makes
// no call, so the typed accessors stay cheap.
func (d *pointDef) fast(r *Registry) *snapshot {
	if c := d.cache.Load(); c != nil && c.r == r {
		return c.s.snap.Load()
	}
	return nil
}

// resolve is the slow path of slotIn: look the id up and cache the slot.
func (d *pointDef) resolve(r *Registry) *slot {
	if r == nil {
		return nil
	}
	s := r.lookup(d.id)
	if s != nil {
		d.cache.Store(&slotRef{r: r, s: s})
	}
	return s
}

// PointOption configures a point made with [NewPoint].
type PointOption interface {
	applyPoint(*pointDef)
	String() string
}

type descriptionOption string

func (o descriptionOption) applyPoint(d *pointDef) { d.desc = string(o) }
func (o descriptionOption) String() string         { return fmt.Sprintf("Description(%q)", string(o)) }

// Description sets the point's human-readable description, shown by
// [Registry.Points] and in listings.
func Description(text string) PointOption { return descriptionOption(text) }

type requiredOption struct{}

func (requiredOption) applyPoint(d *pointDef) { d.required = true }
func (requiredOption) String() string         { return "Required()" }

// Required marks the point as one that must have at least one extension: the
// start of an fx app that uses [Module] fails while it has none (opa-stack's
// required hooks). [Registry.Points] reports it as Required.
func Required() PointOption { return requiredOption{} }
