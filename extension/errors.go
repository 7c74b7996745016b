package extension

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// typeName renders the dynamic type of v for messages ("<nil>" for nil).
func typeName(v any) string {
	if v == nil {
		return "<nil>"
	}
	return reflect.TypeOf(v).String()
}

func errEmptyID() error {
	return &kernel.ExtensionError{
		Class: kernel.ErrExtension,
		Msg:   "extension point id is empty: name the point the extension is for",
	}
}

func errNilExtension(id string, ext any) error {
	return &kernel.ExtensionError{
		Class:         kernel.ErrNotImplemented,
		PointID:       id,
		ExtensionType: typeName(ext),
		Msg:           fmt.Sprintf("extension for point %q is nil (%s): register a non-nil value", id, typeName(ext)),
	}
}

func errNotImplemented(id string, typ reflect.Type, ext any) error {
	what := "register a value that implements " + typ.String()
	if typ.Kind() == reflect.Func {
		what = "register a function of exactly that type"
	}
	return &kernel.ExtensionError{
		Class:         kernel.ErrNotImplemented,
		PointID:       id,
		PointType:     typ.String(),
		ExtensionType: typeName(ext),
		Msg: fmt.Sprintf("extension of type %s does not implement extension point %q of type %s: %s",
			typeName(ext), id, typ, what),
	}
}

func errDuplicatePoint(id string, have, want reflect.Type) error {
	return &kernel.ExtensionError{
		Class:     kernel.ErrDuplicatePoint,
		PointID:   id,
		PointType: have.String(),
		Msg: fmt.Sprintf("extension point %q is already declared with type %s, not %s: use another id or the declared type",
			id, have, want),
	}
}

func errNoExtensions(id string, typ reflect.Type) error {
	return &kernel.ExtensionError{
		Class:     kernel.ErrNoExtensions,
		PointID:   id,
		PointType: typ.String(),
		Msg:       fmt.Sprintf("extension point %q has no registered extensions: register one for it", id),
	}
}

func errRequired(ids []string) error {
	return &kernel.ExtensionError{
		Class:   kernel.ErrNoExtensions,
		PointID: strings.Join(ids, ", "),
		Msg: fmt.Sprintf("required extension points have no registered extensions: %s: register an extension for each",
			quoteAll(ids)),
	}
}

// errUnknownPoint is the error for reading or writing an undeclared point,
// with a "did you mean" hint among the declared ids. r.mu may be held or not.
func (r *Registry) errUnknownPoint(id, doing string) error {
	return unknownPoint(id, doing, r.declaredIDs())
}

func unknownPoint(id, doing string, known []string) error {
	hint := ""
	if s := suggest(id, known); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &kernel.ExtensionError{
		Class:   kernel.ErrUnknownPoint,
		PointID: id,
		Msg:     fmt.Sprintf("extension point %q is not registered%s: declare it before %s", id, hint, doing),
	}
}

// errTypeMismatch: a typed read of id through a Point of another type. want
// is nil when the reader's type is not at hand (views, whose errors are made
// in advance).
func errTypeMismatch(id string, have, want reflect.Type) error {
	with := "another type"
	if want != nil {
		with = want.String()
	}
	return &kernel.ExtensionError{
		Class:     kernel.ErrDuplicatePoint,
		PointID:   id,
		PointType: have.String(),
		Msg: fmt.Sprintf("extension point %q is declared with type %s, but read with %s: read it through a Point of type %s",
			id, have, with, have),
	}
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
