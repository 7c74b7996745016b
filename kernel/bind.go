package kernel

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-viper/mapstructure/v2"
	kmaps "github.com/knadh/koanf/maps"
)

// Bind returns a new T with its `default:"..."` tags applied and then the
// subtree at prefix bound onto it, strictly (see the package doc, "Binding").
// prefix "" binds the whole configuration; a prefix that is absent binds the
// defaults only. On error Bind returns the zero T and a *[ConfigError] (class
// [ErrConfig]) naming the full key, the value and its source.
//
// T is usually a struct, but any supported type works (Bind[[]string],
// Bind[time.Duration] ...). Bind only reads c and is safe for concurrent
// use.
func Bind[T any](c *Config, prefix string) (T, error) {
	var out, zero T
	rv := reflect.ValueOf(&out).Elem()
	if e := applyDefaults(rv); e != nil {
		return zero, e.at(prefix, nil)
	} else if err := c.or().bind(prefix, rv); err != nil {
		return zero, err
	}
	return out, nil
}

// BindInto binds the subtree at prefix onto target, a non-nil pointer
// (usually to a struct). The values target already holds act as the
// defaults: `default` tags are not applied to target itself (use
// [ApplyDefaults] first for that), only to values that binding creates (new
// map entries, list elements, pointers that were nil). Maps in target are
// extended, not replaced; lists are replaced. On error target is left
// unchanged and the error is a *[ConfigError].
func BindInto(c *Config, prefix string, target any) error {
	rv := reflect.ValueOf(target)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &ConfigError{Key: prefix, Msg: fmt.Sprintf("binding config key %q: BindInto needs a non-nil pointer, got %T", prefix, target)}
	}
	// Bind onto a copy: the hook never writes through what it shares with target.
	tmp := reflect.New(rv.Elem().Type()).Elem()
	tmp.Set(rv.Elem())
	if err := c.or().bind(prefix, tmp); err != nil {
		return err
	}
	rv.Elem().Set(tmp)
	return nil
}

// ApplyDefaults sets the fields of the struct target points to from their
// `default:"..."` tags, recursing into nested structs (not into nil
// pointers). Errors (a tag that does not parse as its field's type) are
// *[ConfigError] values.
func ApplyDefaults(target any) error {
	rv := reflect.ValueOf(target)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &ConfigError{Msg: fmt.Sprintf("applying default tags: ApplyDefaults needs a non-nil pointer, got %T", target)}
	} else if e := applyDefaults(rv.Elem()); e != nil {
		return e.at("", nil)
	}
	return nil
}

// bind decodes the subtree at prefix onto v (addressable), with the GOFLY_
// variables of the keys that v's fields name and no layer has.
func (c *Config) bind(prefix string, v reflect.Value) error {
	var raw any = c.tree
	if prefix != "" {
		raw = kmaps.Search(c.tree, strings.Split(prefix, "."))
	}
	envSrc := map[string]string{}
	if len(c.env) > 0 {
		raw, _ = c.withEnv(prefix, v.Type(), raw, envSrc, nil)
	}
	if e := decode(v, raw); e != nil {
		return e.at(prefix, func(key string) (string, int) {
			src, _, _ := strings.Cut(key, "[") // a list element's source is its list's
			if envSrc[src] != "" {
				return envSrc[src], 0
			}
			return c.Source(src), c.lineOf(c.Source(src), key)
		})
	}
	return nil
}

// withEnv returns raw with the GOFLY_ variables of the keys under key that
// t's fields name (in maps, those of the entries raw has) and no layer has,
// recording their sources in srcs. It copies the maps it changes.
func (c *Config) withEnv(key string, t reflect.Type, raw any, srcs map[string]string, seen []reflect.Type) (_ any, changed bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, isMap := raw.(map[string]any)
	if k := t.Kind(); (k != reflect.Struct && (k != reflect.Map || t.Key().Kind() != reflect.String)) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if v, ok := c.lookupEnv(key); ok && raw == nil && !c.k.Exists(key) {
			srcs[key] = "env " + envName(key)
			return v, true
		}
		return raw, false
	} else if raw != nil && !isMap || slices.Contains(seen, t) {
		return raw, false
	}
	names := map[string]reflect.Type{}
	for name := range m {
		if t.Kind() == reflect.Map {
			names[name] = t.Elem()
		}
	}
	if t.Kind() == reflect.Struct {
		for _, f := range fieldsOf(t).fields {
			names[f.name] = f.typ
		}
	}
	for name, ft := range names {
		if v, ok := c.withEnv(joinKey(key, name), ft, m[name], srcs, append(seen, t)); ok {
			if !changed { // copy, never write, the tree's maps
				m2 := make(map[string]any, len(m)+1)
				for k, e := range m {
					m2[k] = e
				}
				m, changed = m2, true
			}
			m[name] = v
		}
	}
	return m, changed
}

// bindErr is a binding problem at rel, a key relative to the value being
// decoded.
type bindErr struct {
	rel, source, detail string // source: a fixed source (a default tag), else looked up
	raw                 any
	known               string // an unknown key: the known names
}

func (e *bindErr) Error() string { return e.detail }

func failf(raw any, format string, args ...any) error {
	return &bindErr{raw: raw, detail: fmt.Sprintf(format, args...)}
}

// at turns the problem into a *ConfigError for the value at prefix; where
// gives the source and line of a key.
func (e *bindErr) at(prefix string, where func(key string) (string, int)) *ConfigError {
	key, source, line := joinRel(prefix, e.rel), e.source, 0
	if source == "" && where != nil {
		source, line = where(key)
	}
	if e.known != "" {
		parent := "known"
		if dot := strings.LastIndexByte(key, '.'); dot > 0 {
			parent = fmt.Sprintf("known under %q", key[:dot])
		}
		e.detail = fmt.Sprintf("unknown key: check its spelling or remove it (%s: %s)", parent, e.known)
	}
	return newKeyError(key, valueText(e.raw), source, line, e.detail)
}

// joinRel appends a relative key: a.b and c is a.b.c, a.b and [1] is a.b[1].
func joinRel(key, rel string) string {
	if strings.HasPrefix(rel, "[") || rel == "" || key == "" {
		return key + rel
	}
	return key + "." + rel
}

// decode decodes raw onto v (addressable) with mapstructure and hook; of
// several problems it returns the one at the first key in sorted order.
func decode(v reflect.Value, raw any) *bindErr {
	d, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook: mapstructure.DecodeHookFuncValue(hook), ErrorUnused: true, Squash: true, TagName: "koanf",
		MatchName: func(key, field string) bool { return key == strings.ToLower(field) },
		Result:    v.Addr().Interface(),
	})
	if err == nil {
		err = d.Decode(raw)
	}
	var first *bindErr
	var walk func(err error)
	walk = func(err error) {
		switch x := err.(type) {
		case *mapstructure.DecodeError:
			e, ok := x.Unwrap().(*bindErr)
			if !ok {
				e = &bindErr{detail: x.Unwrap().Error()}
			}
			if e.rel = joinRel(keyOf(x.Name(), raw), e.rel); first == nil || keyLess(e.rel, first.rel) {
				first = e
			}
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		case error:
			first = &bindErr{detail: err.Error()}
		}
	}
	walk(err)
	return first
}

// keyOf turns mapstructure's name of a value below raw
// (routes[home].Backends[1]) into its key (routes.home.backends[1]):
// brackets stay for list elements only; fields without a tag are lower case.
func keyOf(name string, raw any) string {
	key := ""
	for _, tok := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '[' }) {
		part, bracket := strings.CutSuffix(tok, "]")
		m, isMap := raw.(map[string]any)
		if _, ok := m[part]; !ok && !bracket {
			part = strings.ToLower(part)
		}
		if bracket && !isMap {
			key += "[" + part + "]"
			l, _ := raw.([]any)
			if i, err := strconv.Atoi(part); err == nil && i < len(l) {
				raw = l[i]
			} else {
				raw = nil
			}
		} else {
			key, raw = joinKey(key, part), m[part]
		}
	}
	return key
}

var (
	durationType        = reflect.TypeOf(time.Duration(0))
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// hook is the decode hook: it converts raw strictly to the type of to (see
// the package doc, "Binding") and checks the shape of mappings and lists, so
// that mapstructure only walks and copies: booleans are true or false in any
// case, numbers fit their type, a duration has a unit, text becomes a list
// by splitting at commas, a struct takes only its fields' keys. It never
// writes through a map, pointer or slice that to holds.
func hook(from, to reflect.Value) (any, error) {
	raw, t := from.Interface(), to.Type()
	switch k := t.Kind(); {
	case !to.CanSet():
	case k == reflect.Map && !to.IsNil():
		m := reflect.MakeMapWithSize(t, to.Len())
		for it := to.MapRange(); it.Next(); {
			m.SetMapIndex(it.Key(), it.Value())
		}
		to.Set(m)
	case k == reflect.Pointer && !to.IsNil():
		p := reflect.New(t.Elem())
		p.Elem().Set(to.Elem())
		to.Set(p)
	case k == reflect.Slice || k == reflect.Interface:
		to.SetZero()
	}
	_, isList := raw.([]any)
	_, isMap := raw.(map[string]any)
	if k := t.Kind(); k != reflect.Pointer && k != reflect.Interface && !isList && !isMap && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		nv := reflect.New(t)
		if err := nv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(fmt.Sprint(raw))); err != nil {
			return nil, failf(raw, "cannot use %s as %s: %v", describe(raw), t, err)
		}
		return nv.Elem().Interface(), nil
	}
	if t == durationType {
		const want = `want a duration such as "15s", "1m30s" or "250ms"`
		if s, ok := raw.(string); !ok {
			if n, ok := toInt(raw); ok && n == 0 {
				return time.Duration(0), nil
			} else if d, ok := raw.(time.Duration); ok {
				return d, nil
			}
			return nil, failf(raw, "cannot use %s as duration: %s (a bare number has no unit)", describe(raw), want)
		} else if d, err := time.ParseDuration(strings.TrimSpace(s)); err == nil {
			return d, nil
		}
		return nil, failf(raw, "cannot use %s as duration: %s", describe(raw), want)
	}
	rk := reflect.ValueOf(raw).Kind()
	switch k := t.Kind(); {
	case k == reflect.Interface && t.NumMethod() == 0:
		return copyValue(raw), nil
	case k == reflect.Pointer:
		return raw, nil
	case k == reflect.Struct:
		return raw, structHook(raw, to)
	case k == reflect.Map && t.Key().Kind() == reflect.String:
		if !isMap {
			return nil, failf(raw, "cannot use %s as %s: want a mapping", describe(raw), t)
		}
		return raw, nil
	case k == reflect.Slice:
		if s, ok := raw.(string); ok {
			items := []any{}
			for _, p := range splitList(s) {
				if strings.TrimSpace(s) != "" {
					items = append(items, p)
				}
			}
			return items, nil
		} else if !isList {
			return nil, failf(raw, "cannot use %s as %s: want a list or a comma-separated string", describe(raw), t)
		}
		return raw, nil
	case k == reflect.String:
		if rk == reflect.Float32 || rk == reflect.Float64 {
			return nil, failf(raw, "cannot use the number %s as string: put it in quotes so that it stays text as written", describe(raw))
		} else if rk >= reflect.Array && rk != reflect.String {
			return nil, failf(raw, "cannot use %s as string: want a single value", describe(raw))
		}
		return fmt.Sprint(raw), nil
	case k == reflect.Bool:
		if b, ok := parseBool(raw); ok {
			return b, nil
		}
		return nil, failf(raw, "cannot use %s as bool: want true or false", describe(raw))
	case k >= reflect.Int && k <= reflect.Float64:
		return number(raw, t)
	}
	return nil, failf(raw, "cannot bind into type %s: use a string, bool, number, time.Duration, slice, map with string keys, struct, pointer or any", t)
}

// number converts raw, a number or a number written as text, to a number
// that t holds exactly: no fraction for an integer, no sign for an unsigned
// one, nothing out of t's range.
func number(raw any, t reflect.Type) (any, error) {
	k, rv, want := t.Kind(), reflect.ValueOf(raw), "a number"
	s, isStr := raw.(string)
	s = strings.TrimSpace(s)
	var v any
	var err error
	switch n, whole := toInt(raw); {
	case k <= reflect.Int64:
		if want, v = "a whole number", n; isStr {
			v, err = strconv.ParseInt(s, 10, 64)
		} else if !whole {
			err = strconv.ErrSyntax
		}
	case k <= reflect.Uintptr:
		if want, v = "a whole number, zero or more", uint64(n); isStr {
			v, err = strconv.ParseUint(s, 10, 64)
		} else if rv.CanUint() {
			v = rv.Uint()
		} else if !whole || n < 0 {
			err = strconv.ErrSyntax
		}
	case isStr:
		v, err = strconv.ParseFloat(s, 64)
	case rv.CanFloat() || rv.CanInt() || rv.CanUint():
		v = rv.Convert(reflect.TypeOf(0.0)).Float()
	default:
		err = strconv.ErrSyntax
	}
	if err != nil {
		return nil, failf(raw, "cannot use %s as %s: want %s", describe(raw), t, want)
	}
	switch out := reflect.New(t).Elem(); x := v.(type) {
	case int64:
		err = overflow(out.OverflowInt(x))
	case uint64:
		err = overflow(out.OverflowUint(x))
	case float64:
		err = overflow(out.OverflowFloat(x))
	}
	if err != nil {
		return nil, failf(raw, "cannot use %s as %s: out of range", describe(raw), t)
	}
	return v, nil
}

func overflow(over bool) error {
	if over {
		return strconv.ErrRange
	}
	return nil
}

// structHook checks that raw is a mapping of the struct's keys, gives a
// struct that is still zero (a new map entry, list element or pointer) its
// default tags, and allocates the embedded pointers that raw's keys need.
func structHook(raw any, to reflect.Value) error {
	m, ok := raw.(map[string]any)
	if !ok {
		return failf(raw, "cannot use %s as %s: want a mapping", describe(raw), to.Type())
	}
	info := fieldsOf(to.Type())
	if info.err != "" {
		return &bindErr{detail: info.err}
	}
	var unknown []string
	for k := range m {
		if _, ok := info.byName[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		k, known := slices.Min(unknown), "none"
		if len(info.fields) > 0 {
			known = strings.Join(info.names, ", ")
		}
		return &bindErr{rel: k, raw: m[k], known: known}
	} else if to.IsZero() {
		if e := applyDefaults(to); e != nil {
			return e
		}
	}
	for k := range m {
		if f := info.byName[k]; len(f.index) > 1 {
			fieldByIndex(to, f.index)
		}
	}
	return nil
}

// applyDefaults sets v's fields from their default tags, parsed like
// environment values, recursing into nested structs.
func applyDefaults(v reflect.Value) *bindErr {
	if v.Kind() != reflect.Struct {
		return nil
	} else if info := fieldsOf(v.Type()); info.err != "" {
		return &bindErr{detail: info.err}
	}
	for _, f := range fieldsOf(v.Type()).fields {
		var e *bindErr
		if f.hasDef {
			if e = decode(fieldByIndex(v, f.index), f.def); e != nil {
				e.source = "default tag of " + f.goName
			}
		} else if f.typ.Kind() == reflect.Struct {
			e = applyDefaults(fieldByIndex(v, f.index))
		}
		if e != nil {
			e.rel = joinRel(f.name, e.rel)
			return e
		}
	}
	return nil
}

// toInt converts a numeric raw value that is a whole number.
func toInt(raw any) (int64, bool) {
	switch rv := reflect.ValueOf(raw); {
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint():
		return int64(rv.Uint()), rv.Uint() <= math.MaxInt64
	case rv.CanFloat():
		f := rv.Float()
		return int64(f), f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64
	}
	return 0, false
}

// fieldByIndex returns the field at index, replacing the embedded pointers
// on the way with fresh copies (allocated when nil), never written through.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			nv := reflect.New(v.Type().Elem())
			if !v.IsNil() {
				nv.Elem().Set(v.Elem())
			}
			v.Set(nv)
			v = nv.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// structInfo is the bindable fields of a struct type, sorted by name.
type structInfo struct {
	fields []fieldInfo
	names  []string
	byName map[string]*fieldInfo
	err    string // two fields with one name
}

type fieldInfo struct {
	name, goName, def string // key name; Type.Field for messages; default tag
	hasDef            bool
	index             []int
	typ               reflect.Type
}

var structCache sync.Map // reflect.Type -> *structInfo

// fieldsOf lists a struct type's bindable fields, as mapstructure decodes
// them: exported fields named by their koanf tag, else by the lower-cased
// field name; `koanf:"-"` skips a field; embedded structs (and pointers to
// them) have their fields promoted.
func fieldsOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]*fieldInfo{}}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("koanf"), ",")
		ft, unreachable, owner := f.Type, false, t
		for i := 1; i < len(f.Index); i++ { // through an unexported embedded pointer?
			p := t.FieldByIndex(f.Index[:i])
			unreachable, owner = unreachable || !p.IsExported() && p.Type.Kind() == reflect.Pointer, p.Type
		}
		if owner.Kind() == reflect.Pointer {
			owner = owner.Elem()
		}
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "-" || !f.IsExported() || unreachable || f.Anonymous && ft.Kind() == reflect.Struct {
			continue
		} else if name == "" {
			name = strings.ToLower(f.Name)
		}
		def, hasDef := f.Tag.Lookup("default")
		fi := fieldInfo{name: name, goName: owner.String() + "." + f.Name, def: def, hasDef: hasDef, index: f.Index, typ: f.Type}
		if prev := slices.IndexFunc(si.fields, func(p fieldInfo) bool { return p.name == name }); prev >= 0 && si.err == "" {
			si.err = fmt.Sprintf("cannot bind into %s: fields %s and %s both use the config key name %q: rename one with a koanf tag",
				t, si.fields[prev].goName, fi.goName, name)
		}
		si.fields = append(si.fields, fi)
	}
	slices.SortStableFunc(si.fields, func(a, b fieldInfo) int { return strings.Compare(a.name, b.name) })
	for i := range si.fields {
		si.byName[si.fields[i].name], si.names = &si.fields[i], append(si.names, si.fields[i].name)
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}
