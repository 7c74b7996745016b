package extension

import (
	"reflect"
	"unsafe"
)

// isNil reports whether v cannot serve as an extension: nil itself, or a nil
// func (calling it would panic).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Func && rv.IsNil()
}

// fits reports whether ext can be an extension of a point of type typ.
func fits(typ reflect.Type, ext any) bool {
	et := reflect.TypeOf(ext)
	if et == nil {
		return false
	}
	if typ.Kind() == reflect.Func {
		return et == typ
	}
	return et.Implements(typ)
}

// closureID identifies a func value: two func values with the same closureID
// are the same value. It is comparable with ==.
type closureID struct{ p unsafe.Pointer }

// funcID returns the identity of the func value that the addressable Value
// fn holds: the address of its closure object (the code pointer followed by
// the captured variables).
//
// This is the package's one use of unsafe, because Go offers no other way:
// func values are not comparable, and reflect.Value.Pointer returns the code
// pointer, which every closure of one function literal shares. It relies on
// a func value being one word that points to its closure object, the
// representation that reflect.Value.Pointer reads too;
// TestFuncIDFollowsTheRuntime fails if that changes.
func funcID(fn reflect.Value) closureID {
	return closureID{*(*unsafe.Pointer)(fn.Addr().UnsafePointer())}
}

// readable returns v as an addressable Value that unexported fields do not
// make read-only: an alias of v when v is addressable (reflect.NewAt at v's
// own address), otherwise a copy (v must then not be read-only). Identity
// only reads through it.
func readable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// matcher returns a function that reports whether an entry holds the same
// extension as ext, by the identity rules of [Registry.Unregister]. ext must
// not be nil. The function is for one goroutine at a time (Unregister calls
// it under the registry's lock): it reads funcs through one scratch variable,
// so that comparing allocates nothing per entry.
func matcher(ext any) func(e entry) bool {
	t, v := reflect.TypeOf(ext), reflect.ValueOf(ext)
	if !holdsFuncs(t) {
		return func(e entry) bool { return reflect.TypeOf(e.value) == t && same(v, reflect.ValueOf(e.value), false) }
	}
	v = readable(v)
	scratch := reflect.New(t).Elem()
	return func(e entry) bool {
		if reflect.TypeOf(e.value) != t {
			return false
		}
		w := reflect.ValueOf(e.value)
		// Reject on the plain parts first, then read the funcs.
		if !same(v, w, true) {
			return false
		}
		scratch.Set(w)
		return same(v, scratch, false)
	}
}

// holdsFuncs reports whether values of t hold funcs or interfaces (which may
// hold funcs) directly, in fields or elements, not behind pointers: those
// must be addressable for funcID to read.
func holdsFuncs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Func, reflect.Interface:
		return true
	case reflect.Array:
		return holdsFuncs(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsFuncs(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// same reports whether a and b, of one type, are the same extension:
//   - funcs: the same closure object (funcID);
//   - pointers, maps, channels, unsafe pointers: the same address;
//   - slices: the same array, length and capacity;
//   - interfaces: the same dynamic type and the same value inside;
//   - structs and arrays: every field or element the same;
//   - booleans, numbers and strings: ==.
//
// a and b must be addressable when their type holds funcs (see holdsFuncs),
// unless plain is set: then funcs and interfaces count as the same, and only
// the other parts are compared.
func same(a, b reflect.Value, plain bool) bool {
	switch a.Kind() {
	case reflect.Func:
		return plain || funcID(readable(a)) == funcID(readable(b))
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	case reflect.Slice:
		return a.Pointer() == b.Pointer() && a.Len() == b.Len() && a.Cap() == b.Cap()
	case reflect.Interface:
		if plain {
			return true
		}
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		ea, eb := readable(a).Elem(), readable(b).Elem()
		if ea.Type() != eb.Type() {
			return false
		}
		if holdsFuncs(ea.Type()) {
			ea, eb = readable(ea), readable(eb)
		}
		return same(ea, eb, false)
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i), plain) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i), plain) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}
