package extension_test

import (
	"reflect"
	"strings"
)

// Formatter is the interface of most test points.
type Formatter interface{ Format(s string) string }

// named is a Formatter that prefixes its name.
type named struct{ name string }

func (n *named) Format(s string) string { return n.name + ":" + s }

// valueFormatter implements Formatter with a value receiver (comparable).
type valueFormatter string

func (v valueFormatter) Format(s string) string { return string(v) + ":" + s }

// sliceFormatter implements Formatter and is not comparable.
type sliceFormatter []string

func (v sliceFormatter) Format(s string) string { return strings.Join(v, ",") + ":" + s }

// structFormatter implements Formatter, is not a pointer and not comparable.
type structFormatter struct{ parts []string }

func (v structFormatter) Format(s string) string { return strings.Join(v.parts, ",") + ":" + s }

// funcFormatter implements Formatter with a func field (not comparable).
type funcFormatter struct{ fn Hook }

func (v funcFormatter) Format(s string) string { return v.fn(s) }

// wrapFormatter implements Formatter by delegating to an exported interface
// field (comparable by type, not always at run time).
type wrapFormatter struct{ Inner Formatter }

func (w wrapFormatter) Format(s string) string { return w.Inner.Format(s) }

// FormatterFunc is a func that implements Formatter.
type FormatterFunc func(s string) string

func (f FormatterFunc) Format(s string) string { return f(s) }

// hiddenFormatter holds a Formatter in an unexported field, as the web
// starter's routes hold their handlers.
type hiddenFormatter struct {
	name string
	h    Formatter
}

func (v hiddenFormatter) Format(s string) string { return v.h.Format(s) }

// mapFormatter implements Formatter and is a map.
type mapFormatter map[string]string

func (m mapFormatter) Format(s string) string { return m[s] }

// Hook is the func type of the hook test points (opa-stack hooks).
type Hook func(in string) string

// other is a second interface, not implemented by *named.
type other interface{ Other() }

func formatterType() reflect.Type { return reflect.TypeFor[Formatter]() }

func hookType() reflect.Type { return reflect.TypeFor[Hook]() }

// names renders formatters by formatting "" with each.
func names[T Formatter](fs []T) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = strings.TrimSuffix(f.Format(""), ":")
	}
	return out
}

// anyNames is names for untyped extensions.
func anyNames(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.TrimSuffix(v.(Formatter).Format(""), ":")
	}
	return out
}
