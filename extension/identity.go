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

// dataWord returns the data word of the interface value v: for pointer-shaped
// values (pointers, maps, channels, funcs) the pointer itself, which for a
// func value is its closure object (code pointer and captured context);
// for other values, the address of the boxed copy.
func dataWord(v any) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1]
}

// same reports whether a and b are the same extension (see
// Registry.Unregister for the rules).
func same(a, b any) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || ta == nil {
		return false
	}
	switch ta.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return dataWord(a) == dataWord(b)
	case reflect.Slice:
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		return va.Pointer() == vb.Pointer() && va.Len() == vb.Len() && va.Cap() == vb.Cap()
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Comparable() && vb.Comparable() {
		return a == b
	}
	return dataWord(a) == dataWord(b)
}
