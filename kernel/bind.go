package kernel

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
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
	var out T
	rv := reflect.ValueOf(&out).Elem()
	b, err := newBinder(c, prefix, rv.Type())
	if err != nil {
		return out, err
	}
	if err := b.applyDefaults(rv, prefix); err != nil {
		var zero T
		return zero, err
	}
	if err := b.bindPrefix(rv); err != nil {
		var zero T
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
		return &ConfigError{Key: prefix, Msg: fmt.Sprintf(
			"binding config key %q: BindInto needs a non-nil pointer, got %T", prefix, target)}
	}
	elem := rv.Elem()
	b, err := newBinder(c, prefix, elem.Type())
	if err != nil {
		return err
	}
	// Bind onto a copy; maps, pointers and slices are never written in
	// place, so target stays as it was if binding fails.
	tmp := reflect.New(elem.Type()).Elem()
	tmp.Set(elem)
	if err := b.bindPrefix(tmp); err != nil {
		return err
	}
	elem.Set(tmp)
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
	}
	b := &binder{v: emptyView()}
	return b.applyDefaults(rv.Elem(), "")
}

type binder struct {
	c      *Config
	v      *view
	prefix string
}

func newBinder(c *Config, prefix string, t reflect.Type) (*binder, error) {
	v, err := c.viewFor(prefix, t)
	if err != nil {
		return nil, err
	}
	return &binder{c: c, v: v, prefix: prefix}, nil
}

// viewFor returns the view to bind prefix onto a value of type t. It is the
// Config's own view unless a GOFLY_ variable that matched no known key at
// load time matches a field of t fully (PLUGINS_STARTTIMEOUT and the field
// start-timeout); then the layers are merged again with that variable
// setting the field's key.
func (c *Config) viewFor(prefix string, t reflect.Type) (*view, error) {
	base := c.view()
	if c == nil || len(c.env) == 0 {
		return base, nil
	}
	var trie *keyTrie
	relocate := map[string]string{}
	for _, ev := range c.env {
		if ev.exact {
			continue
		}
		if trie == nil {
			trie = bindTrie(prefix, t)
		}
		path, n := trie.resolve(ev.segs)
		if n != len(ev.segs) {
			continue
		}
		if key := strings.Join(path, "."); key != ev.key {
			relocate[ev.name] = key
		}
	}
	if len(relocate) == 0 {
		return base, nil
	}
	envL, err := envLayer(c.env, relocate)
	if err != nil {
		return nil, err
	}
	layers := make([]*layer, len(c.layers))
	for i, l := range c.layers {
		layers[i] = l
		if l.kind == layerEnv {
			layers[i] = envL
		}
	}
	return mergeLayers(layers), nil
}

// bindTrie is the chain of prefix's segments ending in t's key trie.
func bindTrie(prefix string, t reflect.Type) *keyTrie {
	leaf := typeTrie(t, map[reflect.Type]*keyTrie{})
	if prefix == "" {
		return leaf
	}
	segs := strings.Split(prefix, ".")
	root := newKeyTrie()
	cur := root
	for i, s := range segs {
		if i == len(segs)-1 {
			cur.setChild(s, leaf)
			break
		}
		cur = cur.child(s)
	}
	return root
}

// typeTrie lists the keys a value of type t accepts: struct fields by name,
// a wildcard for map keys, anything below any / map[string]any.
func typeTrie(t reflect.Type, memo map[reflect.Type]*keyTrie) *keyTrie {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n, ok := memo[t]; ok {
		return n
	}
	n := newKeyTrie()
	memo[t] = n
	switch t.Kind() {
	case reflect.Struct:
		for _, f := range fieldsOf(t).fields {
			n.setChild(f.name, typeTrie(f.typ, memo))
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			n.wildcard = typeTrie(t.Elem(), memo)
		}
	case reflect.Interface:
		n.free = true
	}
	return n
}

// origin says where a value being bound sits, for error messages.
type origin struct {
	display string // the key as shown: plugins.exclude[1]
	src     string // the leaf key whose source is reported: plugins.exclude
	inList  bool   // below a list element: src no longer extends
	fixed   string // a fixed source (default tags)
}

func (o origin) child(name string) origin {
	n := o
	n.display = joinKey(o.display, name)
	if !o.inList {
		n.src = joinKey(o.src, name)
	}
	return n
}

func (o origin) elem(i int) origin {
	n := o
	n.display = fmt.Sprintf("%s[%d]", o.display, i)
	n.inList = true
	return n
}

func (b *binder) fail(o origin, raw any, detail string) *ConfigError {
	source, line := o.fixed, 0
	if source == "" {
		source = b.v.sourceOf(o.src)
		if line = b.c.lineOf(source, o.display); line == 0 {
			line = b.c.lineOf(source, o.src)
		}
	}
	return newKeyError(o.display, valueText(raw), source, line, detail)
}

func (b *binder) bindPrefix(v reflect.Value) error {
	var raw any
	if b.prefix == "" {
		raw = b.v.k.Raw()
	} else {
		raw = b.v.k.Get(b.prefix)
	}
	return b.bindValue(origin{display: b.prefix, src: b.prefix}, raw, v)
}

// applyDefaults sets v's fields from their default tags, recursing into
// nested structs; display is v's key.
func (b *binder) applyDefaults(v reflect.Value, display string) error {
	if v.Kind() != reflect.Struct {
		return nil
	}
	info := fieldsOf(v.Type())
	if info.err != "" {
		return &ConfigError{Key: display, Msg: info.err}
	}
	for i := range info.fields {
		f := &info.fields[i]
		key := joinKey(display, f.name)
		if !f.hasDef && deref(f.typ).Kind() != reflect.Struct {
			continue
		}
		fv := fieldByIndex(v, f.index)
		if f.hasDef {
			o := origin{display: key, src: key, fixed: "default tag of " + f.goName}
			if err := b.bindValue(o, f.def, fv); err != nil {
				return err
			}
			continue
		}
		if err := b.applyDefaults(fv, key); err != nil {
			return err
		}
	}
	return nil
}

var (
	durationType        = reflect.TypeOf(time.Duration(0))
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// bindValue converts raw onto v. A null raw value leaves v as it is.
func (b *binder) bindValue(o origin, raw any, v reflect.Value) error {
	if raw == nil {
		return nil
	}
	t := v.Type()
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if s, ok := scalarText(raw); ok {
			nv := reflect.New(t)
			if err := nv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: %v", describe(raw), t, err))
			}
			v.Set(nv.Elem())
			return nil
		}
	}
	if t == durationType {
		return b.bindDuration(o, raw, v)
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return b.unsupported(o, raw, t)
		}
		v.Set(reflect.ValueOf(copyValue(raw)))
	case reflect.Pointer:
		nv := reflect.New(t.Elem())
		if !v.IsNil() {
			nv.Elem().Set(v.Elem())
		} else if err := b.applyDefaults(nv.Elem(), o.display); err != nil {
			return err
		}
		if err := b.bindValue(o, raw, nv.Elem()); err != nil {
			return err
		}
		v.Set(nv)
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a mapping", describe(raw), t))
		}
		return b.bindStruct(o, m, v)
	case reflect.Map:
		return b.bindMap(o, raw, v)
	case reflect.Slice:
		return b.bindSlice(o, raw, v)
	case reflect.String:
		return b.bindString(o, raw, v)
	case reflect.Bool:
		bv, ok := parseBool(raw)
		if !ok {
			return b.fail(o, raw, fmt.Sprintf("cannot use %s as bool: want true or false", describe(raw)))
		}
		v.SetBool(bv)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return b.bindInt(o, raw, v)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return b.bindUint(o, raw, v)
	case reflect.Float32, reflect.Float64:
		return b.bindFloat(o, raw, v)
	default:
		return b.unsupported(o, raw, t)
	}
	return nil
}

func (b *binder) unsupported(o origin, raw any, t reflect.Type) *ConfigError {
	return b.fail(o, raw, fmt.Sprintf(
		"cannot bind into type %s: use a string, bool, number, time.Duration, slice, map with string keys, struct, pointer or any", t))
}

// scalarText renders a scalar for encoding.TextUnmarshaler; lists and
// mappings are not scalars.
func scalarText(raw any) (string, bool) {
	switch r := raw.(type) {
	case string:
		return r, true
	case map[string]any, []any:
		return "", false
	case float64:
		return strconv.FormatFloat(r, 'g', -1, 64), true
	default:
		rv := reflect.ValueOf(raw)
		switch rv.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return fmt.Sprint(raw), true
		}
		return "", false
	}
}

func (b *binder) bindStruct(o origin, m map[string]any, v reflect.Value) error {
	info := fieldsOf(v.Type())
	if info.err != "" {
		return &ConfigError{Key: o.display, Msg: info.err}
	}
	for _, k := range sortedKeys(m) {
		f, ok := info.byName[k]
		if !ok {
			co := o.child(k)
			where := "known"
			if o.display != "" {
				where = fmt.Sprintf("known under %q", o.display)
			}
			known := "none"
			if len(info.fields) > 0 {
				names := make([]string, len(info.fields))
				for i, f := range info.fields {
					names[i] = f.name
				}
				known = strings.Join(names, ", ")
			}
			return b.fail(co, m[k], fmt.Sprintf("unknown key: check its spelling or remove it (%s: %s)", where, known))
		}
		if err := b.bindValue(o.child(k), m[k], fieldByIndex(v, f.index)); err != nil {
			return err
		}
	}
	return nil
}

func (b *binder) bindMap(o origin, raw any, v reflect.Value) error {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		return b.unsupported(o, raw, t)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a mapping", describe(raw), t))
	}
	nm := reflect.MakeMapWithSize(t, len(m)+v.Len())
	for it := v.MapRange(); it.Next(); {
		nm.SetMapIndex(it.Key(), it.Value())
	}
	for _, k := range sortedKeys(m) {
		kv := reflect.ValueOf(k).Convert(t.Key())
		ev := reflect.New(t.Elem()).Elem()
		if old := nm.MapIndex(kv); old.IsValid() {
			ev.Set(old)
		} else if err := b.applyDefaults(ev, o.child(k).display); err != nil {
			return err
		}
		if err := b.bindValue(o.child(k), m[k], ev); err != nil {
			return err
		}
		nm.SetMapIndex(kv, ev)
	}
	v.Set(nm)
	return nil
}

func (b *binder) bindSlice(o origin, raw any, v reflect.Value) error {
	var items []any
	switch r := raw.(type) {
	case []any:
		items = r
	case string:
		items = []any{}
		if strings.TrimSpace(r) != "" {
			for _, p := range splitList(r) {
				items = append(items, p)
			}
		}
	default:
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a list or a comma-separated string", describe(raw), v.Type()))
	}
	ns := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, it := range items {
		eo := o.elem(i)
		if err := b.applyDefaults(ns.Index(i), eo.display); err != nil {
			return err
		}
		if err := b.bindValue(eo, it, ns.Index(i)); err != nil {
			return err
		}
	}
	v.Set(ns)
	return nil
}

func (b *binder) bindString(o origin, raw any, v reflect.Value) error {
	if s, ok := raw.(string); ok {
		v.SetString(s)
		return nil
	}
	rv := reflect.ValueOf(raw)
	switch rv.Kind() {
	case reflect.String:
		v.SetString(rv.String())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetString(fmt.Sprint(raw))
	case reflect.Float32, reflect.Float64:
		return b.fail(o, raw, fmt.Sprintf(
			"cannot use the number %s as string: put it in quotes so that it stays text as written", describe(raw)))
	default:
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as string: want a single value", describe(raw)))
	}
	return nil
}

func (b *binder) bindDuration(o origin, raw any, v reflect.Value) error {
	want := `want a duration such as "15s", "1m30s" or "250ms"`
	switch r := raw.(type) {
	case time.Duration:
		v.SetInt(int64(r))
		return nil
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(r))
		if err != nil {
			return b.fail(o, raw, fmt.Sprintf("cannot use %s as duration: %s", describe(raw), want))
		}
		v.SetInt(int64(d))
		return nil
	}
	if n, ok := toInt(raw); ok && n == 0 {
		v.SetInt(0)
		return nil
	}
	return b.fail(o, raw, fmt.Sprintf("cannot use %s as duration: %s (a bare number has no unit)", describe(raw), want))
}

// toInt converts a numeric raw value that is a whole number.
func toInt(raw any) (int64, bool) {
	rv := reflect.ValueOf(raw)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), true
		}
	case reflect.Float32, reflect.Float64:
		if f := rv.Float(); f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), true
		}
	}
	return 0, false
}

func (b *binder) bindInt(o origin, raw any, v reflect.Value) error {
	n, ok := toInt(raw)
	if s, isStr := raw.(string); isStr {
		var err error
		n, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		ok = err == nil
	}
	if !ok {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a whole number", describe(raw), v.Type()))
	}
	if v.OverflowInt(n) {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: out of range", describe(raw), v.Type()))
	}
	v.SetInt(n)
	return nil
}

func (b *binder) bindUint(o origin, raw any, v reflect.Value) error {
	var u uint64
	ok := false
	rv := reflect.ValueOf(raw)
	switch {
	case rv.Kind() >= reflect.Uint && rv.Kind() <= reflect.Uint64:
		u, ok = rv.Uint(), true
	case rv.Kind() == reflect.String:
		var err error
		u, err = strconv.ParseUint(strings.TrimSpace(rv.String()), 10, 64)
		ok = err == nil
	default:
		if n, isInt := toInt(raw); isInt && n >= 0 {
			u, ok = uint64(n), true
		}
	}
	if !ok {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a whole number, zero or more", describe(raw), v.Type()))
	}
	if v.OverflowUint(u) {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: out of range", describe(raw), v.Type()))
	}
	v.SetUint(u)
	return nil
}

func (b *binder) bindFloat(o origin, raw any, v reflect.Value) error {
	var f float64
	ok := false
	rv := reflect.ValueOf(raw)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		f, ok = rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok = float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok = float64(rv.Uint()), true
	case reflect.String:
		var err error
		f, err = strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
		ok = err == nil
	}
	if !ok {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: want a number", describe(raw), v.Type()))
	}
	if v.OverflowFloat(f) {
		return b.fail(o, raw, fmt.Sprintf("cannot use %s as %s: out of range", describe(raw), v.Type()))
	}
	v.SetFloat(f)
	return nil
}

// fieldByIndex returns the field at index, allocating embedded pointers on
// the way. An embedded pointer is replaced by a fresh copy, never written
// through, so BindInto can leave its target untouched on error.
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

// fieldInfo describes one bindable struct field.
type fieldInfo struct {
	name   string // config key name
	goName string // Type.Field, for messages
	index  []int
	typ    reflect.Type
	def    string
	hasDef bool
}

// structInfo is the bindable fields of a struct type, sorted by name.
type structInfo struct {
	fields []fieldInfo
	byName map[string]*fieldInfo
	err    string // two fields with one name
}

var structCache sync.Map // reflect.Type -> *structInfo

// fieldsOf lists a struct type's bindable fields: exported fields named by
// their koanf tag, else by the lower-cased field name; `koanf:"-"` skips a
// field; embedded structs without a tag (or tagged ",squash") have their
// fields promoted.
func fieldsOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]*fieldInfo{}}
	seen := map[string]string{} // name -> Type.Field
	var walk func(st reflect.Type, index []int)
	walk = func(st reflect.Type, index []int) {
		for i := 0; i < st.NumField(); i++ {
			f := st.Field(i)
			name, opt, _ := strings.Cut(f.Tag.Get("koanf"), ",")
			if name == "-" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if f.Anonymous && (name == "" || opt == "squash") {
				et := f.Type
				if et.Kind() == reflect.Pointer {
					if !f.IsExported() {
						continue // cannot allocate an unexported embedded pointer
					}
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, idx)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			def, hasDef := f.Tag.Lookup("default")
			fi := fieldInfo{name: name, goName: st.String() + "." + f.Name, index: idx, typ: f.Type, def: def, hasDef: hasDef}
			if prev, dup := seen[name]; dup && si.err == "" {
				si.err = fmt.Sprintf("cannot bind into %s: fields %s and %s both use the config key name %q: rename one with a koanf tag",
					t, prev, fi.goName, name)
			}
			seen[name] = fi.goName
			si.fields = append(si.fields, fi)
		}
	}
	walk(t, nil)
	sort.SliceStable(si.fields, func(i, j int) bool { return si.fields[i].name < si.fields[j].name })
	for i := range si.fields {
		si.byName[si.fields[i].name] = &si.fields[i]
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}
