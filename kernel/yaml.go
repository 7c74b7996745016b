package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYAML reads one YAML document whose top level is a mapping into a
// normalised tree (nested map[string]any, dotted keys split into levels) and
// the line of every key path. An empty document is an empty tree.
//
// It walks yaml.Node itself rather than decoding into map[string]any so that
// it knows the line of every key, keeps timestamps as the strings written,
// and reports keys set twice (literally or through dotted keys) with both
// lines.
func parseYAML(source string, data []byte) (map[string]any, map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]any{}, map[string]int{}, nil
		}
		return nil, nil, yamlSyntaxError(source, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, nil, &ConfigError{Source: source, Line: next.Line, Msg: fmt.Sprintf(
			"config file %s line %d: invalid YAML: a second document starts here: keep one document per file (use profile files for variants)",
			source, next.Line)}
	case !errors.Is(err, io.EOF):
		return nil, nil, yamlSyntaxError(source, data, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return map[string]any{}, map[string]int{}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil, &ConfigError{Source: source, Line: root.Line, Msg: fmt.Sprintf(
			"config file %s line %d: invalid configuration: the top level must be a mapping of keys to values, found %s",
			source, root.Line, nodeKind(root))}
	}
	w := yamlWalker{source: source, lines: map[string]int{}}
	tree, err := w.mapping(root, "", 0)
	if err != nil {
		return nil, nil, err
	}
	return tree, w.lines, nil
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into a *ConfigError with the line.
func yamlError(source string, err error) *ConfigError {
	line, msg := splitYAMLError(err)
	return yamlErrorAt(source, line, msg)
}

// splitYAMLError splits a yaml.v3 error into the line it names (0 if none)
// and the problem.
func splitYAMLError(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}

// yamlSyntaxError turns an error of yaml.v3's parser on data into a
// *ConfigError naming the line where the problem is.
//
// yaml.v3's own line cannot be trusted: parser errors ("did not find expected
// key") carry the 0-based line of the enclosing block, scanner errors the
// 1-based line, and an error on the first line carries none. So the line
// reported is that of the shortest prefix of data, in whole lines, that fails
// with the same problem. The search starts a line before the one yaml.v3 names
// when data is parsed shifted down by one line (so that the first line is
// never line 0 and always named), which never lies after the problem; it tries
// the next yamlLineWindow prefixes one by one, then bisects the rest, which
// fail with the same problem from the problem's line on.
func yamlSyntaxError(source string, data []byte, err error) *ConfigError {
	_, problem := splitYAMLError(err)
	bom := 0
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		bom = len("\ufeff")
	}
	shifted := make([]byte, 0, len(data)+1)
	shifted = append(append(append(shifted, data[:bom]...), '\n'), data[bom:]...)
	start := 1
	if serr := firstYAMLError(shifted); serr != nil {
		if l, p := splitYAMLError(serr); p == problem && l > 1 {
			start = l - 1
		}
	}
	// ends[i] is the offset just past line start+i.
	end := 0
	for n := 1; n < start && end < len(data); n++ {
		end = nextLineEnd(data, end)
	}
	var ends []int
	for end < len(data) {
		end = nextLineEnd(data, end)
		ends = append(ends, end)
	}
	if len(ends) == 0 {
		return yamlErrorAt(source, start, problem)
	}
	same := func(i int) bool {
		perr := firstYAMLError(data[:ends[i]])
		if perr == nil {
			return false
		}
		_, p := splitYAMLError(perr)
		return p == problem
	}
	lo, hi := 0, len(ends)-1 // the whole of data fails: same(hi)
	for ; lo < hi && lo < yamlLineWindow; lo++ {
		if same(lo) {
			return yamlErrorAt(source, start+lo, problem)
		}
	}
	for lo < hi {
		if mid := lo + (hi-lo)/2; same(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return yamlErrorAt(source, start+lo, problem)
}

// yamlLineWindow is how many lines yamlSyntaxError tries one by one before it
// bisects.
const yamlLineWindow = 32

// nextLineEnd returns the offset just past the end of the line starting at
// offset start: past its newline, or len(data).
func nextLineEnd(data []byte, start int) int {
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		return start + i + 1
	}
	return len(data)
}

// firstYAMLError returns yaml.v3's error for data, if any: in its first
// document or in a second one.
func firstYAMLError(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 2; i++ {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

func yamlErrorAt(source string, line int, msg string) *ConfigError {
	if line > 0 {
		return &ConfigError{Source: source, Line: line, Msg: fmt.Sprintf(
			"config file %s line %d: invalid YAML: %s", source, line, msg)}
	}
	return &ConfigError{Source: source, Msg: fmt.Sprintf("config file %s: invalid YAML: %s", source, msg)}
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	default:
		return "something else"
	}
}

type yamlWalker struct {
	source string
	lines  map[string]int
}

// maxAliasDepth bounds alias expansion (a guard against alias bombs).
const maxAliasDepth = 64

func (w *yamlWalker) value(n *yaml.Node, key string, depth int) (any, error) {
	if depth > maxAliasDepth {
		return nil, &ConfigError{Key: key, Source: w.source, Line: n.Line, Msg: fmt.Sprintf(
			"config file %s line %d: invalid YAML: aliases nested deeper than %d", w.source, n.Line, maxAliasDepth)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return w.value(n.Alias, key, depth+1)
	case yaml.MappingNode:
		return w.mapping(n, key, depth)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			ek := fmt.Sprintf("%s[%d]", key, i)
			if _, ok := w.lines[ek]; !ok {
				w.lines[ek] = e.Line
			}
			v, err := w.value(e, ek, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	default: // scalar
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!timestamp", "!!binary", "!!str":
			return n.Value, nil
		case "!!bool":
			switch n.Value {
			case "true", "True", "TRUE":
				return true, nil
			case "false", "False", "FALSE":
				return false, nil
			}
		case "!!int":
			// Plain decimals; other forms (0x, 0o, 1_000 ...) go to yaml below.
			if i, err := strconv.Atoi(n.Value); err == nil {
				return i, nil
			}
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, yamlError(w.source, err)
		}
		return v, nil
	}
}

// mapping converts a mapping node. Merge keys (<<) are applied first, so the
// mapping's own keys override merged ones, as YAML specifies.
func (w *yamlWalker) mapping(n *yaml.Node, key string, depth int) (map[string]any, error) {
	merged := map[string]any{}
	own := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, &ConfigError{Key: key, Source: w.source, Line: k.Line, Msg: fmt.Sprintf(
				"config file %s line %d: invalid configuration: a key must be a plain scalar, found %s", w.source, k.Line, nodeKind(k))}
		}
		if k.ShortTag() == "!!merge" {
			if err := w.merge(merged, v, key, depth); err != nil {
				return nil, err
			}
			continue
		}
		parts := strings.Split(k.Value, ".")
		full := joinKey(key, k.Value)
		for _, p := range parts {
			if p == "" {
				return nil, &ConfigError{Key: full, Source: w.source, Line: k.Line, Msg: fmt.Sprintf(
					"config file %s line %d: invalid configuration: key %q has an empty part: remove the stray dot", w.source, k.Line, full)}
			}
		}
		for j := range parts {
			p := joinKey(key, strings.Join(parts[:j+1], "."))
			if _, ok := w.lines[p]; !ok {
				w.lines[p] = k.Line
			}
		}
		val, err := w.value(v, full, depth)
		if err != nil {
			return nil, err
		}
		if clash, ok := insertPath(own, parts, val); !ok {
			first := w.lines[joinKey(key, clash)]
			return nil, &ConfigError{Key: joinKey(key, clash), Source: w.source, Line: k.Line, Msg: fmt.Sprintf(
				"config file %s line %d: invalid configuration: key %q is set twice (also at line %d): keep one",
				w.source, k.Line, joinKey(key, clash), first)}
		}
	}
	mergeInto(merged, own)
	return merged, nil
}

// merge applies the value of a << key: a mapping, an alias of one, or a list
// of them (earlier ones win).
func (w *yamlWalker) merge(dst map[string]any, v *yaml.Node, key string, depth int) error {
	var srcs []*yaml.Node
	if v.Kind == yaml.SequenceNode {
		srcs = v.Content
	} else {
		srcs = []*yaml.Node{v}
	}
	for i := len(srcs) - 1; i >= 0; i-- {
		val, err := w.value(srcs[i], key, depth+1)
		if err != nil {
			return err
		}
		m, ok := val.(map[string]any)
		if !ok {
			return &ConfigError{Key: key, Source: w.source, Line: v.Line, Msg: fmt.Sprintf(
				"config file %s line %d: invalid YAML: the merge key << needs a mapping", w.source, v.Line)}
		}
		mergeInto(dst, m)
	}
	return nil
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// insertPath sets val at path in m, creating levels and merging mappings.
// It returns the dotted path of the first clash (a key set twice, or set
// both as a value and as a mapping) and false on a clash.
func insertPath(m map[string]any, path []string, val any) (string, bool) {
	cur := m
	for i, p := range path[:len(path)-1] {
		switch next := cur[p].(type) {
		case nil:
			if _, ok := cur[p]; ok {
				return strings.Join(path[:i+1], "."), false
			}
			nm := map[string]any{}
			cur[p] = nm
			cur = nm
		case map[string]any:
			cur = next
		default:
			return strings.Join(path[:i+1], "."), false
		}
	}
	last := path[len(path)-1]
	old, exists := cur[last]
	if !exists {
		cur[last] = val
		return "", true
	}
	om, ok1 := old.(map[string]any)
	nm, ok2 := val.(map[string]any)
	if !ok1 || !ok2 {
		return strings.Join(path, "."), false
	}
	for _, k := range sortedKeys(nm) {
		if clash, ok := insertPath(om, []string{k}, nm[k]); !ok {
			return strings.Join(path, ".") + "." + clash, false
		}
	}
	return "", true
}

// mergeInto merges src into dst: mappings merge recursively, anything else in
// src replaces what dst has (koanf's merge rule). src's values are copied.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = copyValue(v)
	}
}

// copyValue deep-copies the maps and slices of a normalised value.
func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = copyValue(e)
		}
		return out
	default:
		return v
	}
}

// flatten returns the leaf keys of a tree with their values. An empty
// mapping is a leaf, as in koanf.
func flatten(tree map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := joinKey(prefix, k)
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				walk(key, sub)
				continue
			}
			out[key] = v
		}
	}
	walk("", tree)
	return out
}

// normalizeGo converts Go values given to WithDefaults / WithOverrides into a
// normalised tree: maps with string keys become map[string]any (dotted keys
// split into levels), slices and arrays become []any. Keys are processed in
// sorted order so that a clash is reported deterministically.
func normalizeGo(source string, in map[string]any) (map[string]any, error) {
	out, err := normalizeGoMap(source, "", reflect.ValueOf(in))
	if err != nil {
		return nil, err
	}
	return out, nil
}

func normalizeGoMap(source, prefix string, rv reflect.Value) (map[string]any, error) {
	out := map[string]any{}
	keys := rv.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		ks := k.String()
		full := joinKey(prefix, ks)
		parts := strings.Split(ks, ".")
		for _, p := range parts {
			if p == "" {
				return nil, &ConfigError{Key: full, Source: source, Msg: fmt.Sprintf(
					"config key %q in %s has an empty part: remove the stray dot", full, source)}
			}
		}
		val, err := normalizeGoValue(source, full, rv.MapIndex(k))
		if err != nil {
			return nil, err
		}
		if clash, ok := insertPath(out, parts, val); !ok {
			key := joinKey(prefix, clash)
			return nil, &ConfigError{Key: key, Source: source, Msg: fmt.Sprintf(
				"config key %q in %s is set twice (as a dotted key and in a nested map, or as a value and a mapping): keep one",
				key, source)}
		}
	}
	return out, nil
}

func normalizeGoValue(source, key string, rv reflect.Value) (any, error) {
	for rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Kind() == reflect.Pointer && rv.Elem().Kind() != reflect.Map && rv.Elem().Kind() != reflect.Slice {
			break // a pointer to a scalar or struct is kept as given
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			return normalizeGoMap(source, key, rv)
		}
		m := make(map[string]any, rv.Len())
		for _, k := range rv.MapKeys() {
			m[fmt.Sprint(k.Interface())] = rv.MapIndex(k).Interface()
		}
		return normalizeGoMap(source, key, reflect.ValueOf(m))
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return string(rv.Bytes()), nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			v, err := normalizeGoValue(source, fmt.Sprintf("%s[%d]", key, i), rv.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return rv.Interface(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// describe renders a raw value for a message: strings quoted, lists and
// mappings by their kind, other scalars as fmt prints them.
func describe(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "null"
	default:
		return fmt.Sprint(t)
	}
}

// valueText renders a raw value for ConfigError.Value.
func valueText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case map[string]any:
		return "<mapping>"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = valueText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		return fmt.Sprint(t)
	}
}
