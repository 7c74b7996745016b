package extension

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

type idHook func(string) string

func idTop(s string) string   { return "top:" + s }
func idOther(s string) string { return "other:" + s }

// idCapturing returns a closure that captures prefix: a new closure object
// per call.
//
//go:noinline
func idCapturing(prefix string) idHook { return func(s string) string { return prefix + s } }

// idStatic returns a closure of a literal that captures nothing: one static
// value, the same at every call.
//
//go:noinline
func idStatic() idHook { return func(s string) string { return s } }

type idRecv struct{ name string }

func (r *idRecv) hook(s string) string { return r.name + s }

func fid(f idHook) closureID { return funcID(readable(reflect.ValueOf(f))) }

// TestFuncIDFollowsTheRuntime pins the representation funcID relies on: a
// func value is one word pointing to its closure object, whose first word is
// the code pointer (which reflect.Value.Pointer reads too). If the runtime
// changes that, these checks fail before Unregister silently does.
func TestFuncIDFollowsTheRuntime(t *testing.T) {
	x, y := idCapturing("x"), idCapturing("y")
	x2 := idCapturing("x")
	recv := &idRecv{"r"}
	m1, m2 := idHook(recv.hook), idHook(recv.hook)
	all := []struct {
		desc string
		f    idHook
	}{
		{"top-level func", idTop},
		{"another top-level func", idOther},
		{"capturing closure", x},
		{"non-capturing literal", idStatic()},
		{"method value", m1},
	}
	for _, tc := range all {
		t.Run("closure object starts with the code pointer/"+tc.desc, func(t *testing.T) {
			id := fid(tc.f)
			if assert.NotNil(t, id.p) {
				assert.Equal(t, reflect.ValueOf(tc.f).Pointer(), *(*uintptr)(id.p))
			}
		})
	}

	tests := []struct {
		desc string
		a, b idHook
		same bool
	}{
		{desc: "the same value", a: x, b: x, same: true},
		{desc: "a copy of the value", a: x, b: func() idHook { c := x; return c }(), same: true},
		{desc: "a top-level func is itself", a: idTop, b: idTop, same: true},
		{desc: "two top-level funcs", a: idTop, b: idOther, same: false},
		{desc: "closures of one literal capturing different values", a: x, b: y, same: false},
		{desc: "closures of one literal capturing equal values", a: x, b: x2, same: false},
		{desc: "two evaluations of one method value", a: m1, b: m2, same: false},
		{desc: "a method value is itself", a: m1, b: m1, same: true},
		{desc: "a non-capturing literal is one static value", a: idStatic(), b: idStatic(), same: true},
		{desc: "a non-capturing literal is not a capturing one", a: idStatic(), b: x, same: false},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.same, fid(tc.a) == fid(tc.b))
		})
	}

	t.Run("closures share code but not identity", func(t *testing.T) {
		assert.Equal(t, reflect.ValueOf(x).Pointer(), reflect.ValueOf(y).Pointer(),
			"reflect's code pointer cannot tell closures apart: the reason funcID exists")
	})
	t.Run("addressable and copied values agree", func(t *testing.T) {
		v := reflect.New(reflect.TypeFor[idHook]()).Elem()
		v.Set(reflect.ValueOf(x))
		assert.Equal(t, fid(x), funcID(v))
	})
	t.Run("a func value is one word", func(t *testing.T) {
		assert.Equal(t, unsafe.Sizeof(uintptr(0)), reflect.TypeFor[idHook]().Size())
	})
}
