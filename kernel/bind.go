package kernel

import (
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-viper/mapstructure/v2"
	kmaps "github.com/knadh/koanf/maps"
)

// Bind returns a new T, usually a struct, with the subtree at prefix ("" for
// all) bound onto it strictly over its `default:"..."` tags (see the package
// doc, "Binding"); an absent prefix binds the defaults only. On error it
// returns the zero T and a *[ConfigError] naming the key, the value and its
// source. Bind only reads c and is safe for concurrent use.
func Bind[T any](c *Config, prefix string) (T, error) {
	var out, zero T
	if err := c.or().bind(prefix, reflect.ValueOf(&out).Elem(), true); err != nil {
		return zero, err
	}
	return out, nil
}

// binder binds raw values, each wrapped with its key, onto Go values.
type binder struct {
	c      *Config
	force  bool              // default tags apply to structs that are not zero too
	source map[string]string // key -> source, for values that no layer of c has
	errs   []*ConfigError
}

// keyed is a raw value and its key, so that the hook can name the key.
type keyed struct {
	key string
	v   any
}

// bind binds the subtree at prefix onto v; with defaults, an absent prefix
// binds a struct's default tags.
func (c *Config) bind(prefix string, v reflect.Value, defaults bool) error {
	var raw any = c.tree
	if prefix != "" {
		raw = kmaps.Search(c.tree, strings.Split(prefix, "."))
	}
	if raw == nil && defaults && v.Kind() == reflect.Struct {
		raw = map[string]any{}
	}
	return (&binder{c: c, source: map[string]string{}}).decode(v, keyed{prefix, raw})
}

// decode decodes raw, a keyed value, onto v (addressable) with mapstructure
// and b.hook; of several problems it returns the one at the first key in
// sorted order.
func (b *binder) decode(v reflect.Value, raw any) error {
	d, _ := mapstructure.NewDecoder(&mapstructure.DecoderConfig{ // fails only for a Result that is no pointer
		DecodeHook: mapstructure.DecodeHookFuncValue(b.hook), ErrorUnused: true, Squash: true, TagName: "koanf",
		MatchName: func(key, field string) bool { return key == strings.ToLower(field) },
		Result:    v.Addr().Interface(),
	})
	if err := d.Decode(raw); len(b.errs) > 0 {
		return slices.MinFunc(b.errs, func(x, y *ConfigError) int { return strings.Compare(x.Key, y.Key) })
	} else if err != nil {
		return &ConfigError{Msg: "binding configuration", Err: err}
	}
	return nil
}

// fail records a problem with the value at key.
func (b *binder) fail(key string, raw any, format string, args ...any) error {
	src, _, _ := strings.Cut(key, "[") // a list element's source is its list's
	source := cmp.Or(b.source[src], b.c.Source(src))
	b.errs = append(b.errs, newKeyError(key, valueText(raw), source, b.c.lineOf(source, key), fmt.Sprintf(format, args...)))
	return b.errs[len(b.errs)-1]
}

// hook is the decode hook: it converts a raw value strictly to the type of
// to (see the package doc, "Binding"), checks the shape of mappings and
// lists and wraps their values with their keys, so that mapstructure only
// walks and copies.
func (b *binder) hook(from, to reflect.Value) (any, error) {
	kv, ok := from.Interface().(keyed)
	if !ok {
		kv.v = from.Interface() // a map key
	}
	raw, t, k, text := kv.v, to.Type(), to.Kind(), ""
	if raw == nil {
		raw = b.fromEnv(kv.key, t)
	}
	_, isList := raw.([]any)
	m, isMap := raw.(map[string]any)
	if !isList && !isMap {
		text = strings.TrimSpace(fmt.Sprint(raw))
	}
	if raw != nil && (k == reflect.Slice || k == reflect.Interface) && to.CanSet() {
		to.SetZero() // replaced, not merged into
	}
	fail := func(format string, args ...any) (any, error) { return nil, b.fail(kv.key, raw, format, args...) }
	switch {
	case raw == nil:
		return nil, nil
	case !isList && !isMap && reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()): // not for pointers or interfaces: *P and *I have no methods
		nv := reflect.New(t)
		if err := nv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(fmt.Sprint(raw))); err != nil {
			return fail("cannot use %s as %s: %v", describe(raw), t, err)
		}
		return nv.Elem().Interface(), nil
	case t == reflect.TypeFor[time.Duration]():
		const want = `want a duration such as "15s", "1m30s" or "250ms"`
		_, isStr := raw.(string)
		if d, err := time.ParseDuration(text); err == nil && (isStr || text == "0") {
			return d, nil
		} else if isStr || isList || isMap {
			return fail("cannot use %s as duration: %s", describe(raw), want)
		}
		return fail("cannot use %s as duration: %s (a bare number has no unit)", describe(raw), want)
	case k == reflect.Interface && t.NumMethod() == 0:
		return copyValue(raw), nil
	case k == reflect.Pointer:
		return keyed{kv.key, raw}, nil
	case k == reflect.Map && isMap:
		out := make(map[string]any, len(m))
		for mk, e := range m {
			out[mk] = keyed{joinKey(kv.key, mk), e}
		}
		return out, nil
	case k == reflect.Struct && isMap:
		return b.structHook(kv.key, m, to)
	case k == reflect.Struct || k == reflect.Map:
		return fail("cannot use %s as %s: want a mapping", describe(raw), t)
	case k == reflect.Slice:
		list, _ := raw.([]any)
		if _, isStr := raw.(string); isStr && text != "" {
			for _, p := range strings.Split(text, ",") {
				list = append(list, strings.TrimSpace(p))
			}
		} else if !isStr && !isList {
			return fail("cannot use %s as %s: want a list or a comma-separated string", describe(raw), t)
		}
		out := make([]any, len(list))
		for i, e := range list {
			out[i] = keyed{fmt.Sprintf("%s[%d]", kv.key, i), e}
		}
		return out, nil
	case k == reflect.String && (isList || isMap):
		return fail("cannot use %s as string: want a single value", describe(raw))
	case k == reflect.String && reflect.TypeOf(raw).Kind() == reflect.Float64:
		return fail("cannot use the number %s as string: put it in quotes so that it stays text as written", describe(raw))
	case k == reflect.String:
		return fmt.Sprint(raw), nil
	case k == reflect.Bool && (strings.EqualFold(text, "true") || strings.EqualFold(text, "false")):
		return strings.EqualFold(text, "true"), nil
	case k == reflect.Bool:
		return fail("cannot use %s as bool: want true or false", describe(raw))
	case k >= reflect.Int && k <= reflect.Float64:
		var v any
		var err error
		want := "a number"
		switch {
		case k <= reflect.Int64:
			want = "a whole number"
			v, err = strconv.ParseInt(text, 10, t.Bits())
		case k <= reflect.Uintptr:
			want = "a whole number, zero or more"
			v, err = strconv.ParseUint(text, 10, t.Bits())
		default:
			v, err = strconv.ParseFloat(text, t.Bits())
		}
		if errors.Is(err, strconv.ErrRange) {
			return fail("cannot use %s as %s: out of range", describe(raw), t)
		} else if err != nil || isList || isMap {
			return fail("cannot use %s as %s: want %s", describe(raw), t, want)
		}
		return v, nil
	}
	return fail("cannot bind into type %s: use a string, bool, number, time.Duration, slice, map with string keys, struct, pointer or any", t)
}

// fromEnv returns what the environment gives a key that no layer has, to
// bind onto a t: the GOFLY_ variable named after the key or, for a struct,
// a mapping of its fields' values; nil if nothing.
func (b *binder) fromEnv(key string, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, set := b.c.flat[key]; set || len(b.c.env) == 0 || t.Kind() == reflect.Map || strings.Count(key, ".") > 32 { // a bound on recursive types
		return nil
	} else if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return b.c.Get(key) // the variable, or nil
	}
	m := map[string]any{}
	for _, f := range fieldsOf(t).fields {
		if e := b.fromEnv(joinKey(key, f.name), f.typ); e != nil {
			m[f.name] = e
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// structHook checks that m has only the struct's keys and returns m's
// values with their keys, and those of the fields that m lacks: what the
// environment gives, else, for a struct that is still zero (a new value),
// the default tags. It allocates the embedded pointers on the way.
func (b *binder) structHook(key string, m map[string]any, to reflect.Value) (any, error) {
	info, unknown := fieldsOf(to.Type()), ""
	for k := range m {
		if _, known := slices.BinarySearch(info.names, k); !known && (unknown == "" || k < unknown) {
			unknown = k // keys are never empty: the YAML walk refuses them
		}
	}
	if unknown != "" {
		where := "known"
		if key != "" {
			where = fmt.Sprintf("known under %q", key)
		}
		return nil, b.fail(joinKey(key, unknown), m[unknown], "unknown key: check its spelling or remove it (%s: %s)", where, cmp.Or(strings.Join(info.names, ", "), "none"))
	}
	out, zero := make(map[string]any, len(m)), b.force || to.IsZero()
	for _, f := range info.fields {
		fk := joinKey(key, f.name)
		e, ok := m[f.name]
		if !ok {
			e = b.fromEnv(fk, f.typ)
		}
		if e == nil && zero && f.hasDef { // absent or null
			e, b.source[fk] = f.def, "default tag of "+f.goName
		} else if e == nil && zero && f.typ.Kind() == reflect.Struct {
			e = map[string]any{}
		}
		if ok || e != nil {
			out[f.name] = keyed{fk, e}
			fieldByIndex(to, f.index)
		}
	}
	return out, nil
}

// fieldByIndex returns the field at index, allocating the nil embedded
// pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for _, x := range index[:len(index)-1] {
		if v = v.Field(x); v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
	}
	return v.Field(index[len(index)-1])
}

// structInfo is the bindable fields of a struct type, sorted by name.
type structInfo struct {
	fields []fieldInfo
	names  []string
}

type fieldInfo struct {
	name, goName, def string // key; t.Field, for messages; default tag
	hasDef            bool
	index             []int
	typ               reflect.Type
}

var structCache sync.Map // reflect.Type -> *structInfo

// fieldsOf lists the bindable fields of a struct type (none of another
// type) as mapstructure decodes them (see the package doc, "Binding").
func fieldsOf(t reflect.Type) *structInfo {
	if t.Kind() != reflect.Struct {
		return &structInfo{}
	} else if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("koanf"), ",")
		skip := !f.IsExported() || name == "-"
		for i := 1; i < len(f.Index); i++ { // reached through an unexported embedded pointer?
			p := t.FieldByIndex(f.Index[:i])
			skip = skip || !p.IsExported() && p.Type.Kind() == reflect.Pointer
		}
		if ft := f.Type; skip || f.Anonymous && (ft.Kind() == reflect.Struct || ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct) {
			continue
		}
		def, hasDef := f.Tag.Lookup("default")
		si.fields = append(si.fields, fieldInfo{name: cmp.Or(name, strings.ToLower(f.Name)), goName: t.String() + "." + f.Name, def: def, hasDef: hasDef, index: f.Index, typ: f.Type})
	}
	slices.SortStableFunc(si.fields, func(a, b fieldInfo) int { return strings.Compare(a.name, b.name) })
	for _, f := range si.fields {
		si.names = append(si.names, f.name)
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}
