package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYAML reads one YAML document whose top level is a mapping into a
// normalised tree and the line of every key. An empty document is an empty
// tree.
//
// yaml.v3 decodes the values, with its guard against documents that expand
// aliases without bound (billion laughs, chains of merge keys). Before that,
// a walk of the parsed nodes records the line of every key and finds keys
// set twice (literally or through dotted keys). The walk never follows an
// alias, so its cost is the size of the text: a key reached through an alias
// or a merge key has the line of the alias.
func parseYAML(source string, data []byte) (map[string]any, map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) || err == nil && len(doc.Content) == 0 {
		return map[string]any{}, nil, nil
	} else if err != nil {
		return nil, nil, yamlSyntaxError(source, data, err)
	}
	if err := dec.Decode(&next); err == nil {
		return nil, nil, yamlErrorAt(source, next.Line, "a second document starts here: keep one document per file (use profile files for variants)")
	} else if !errors.Is(err, io.EOF) {
		return nil, nil, yamlSyntaxError(source, data, err)
	}
	root := doc.Content[0]
	if root.ShortTag() == "!!null" {
		return map[string]any{}, nil, nil
	} else if root.Kind != yaml.MappingNode {
		return nil, nil, invalidAt(source, root.Line, "", "the top level must be a mapping of keys to values, found "+nodeKind(root))
	}
	w := yamlWalker{source: source, lines: map[string]int{}, leaf: map[string]bool{}}
	var raw map[string]any
	if err := w.mapping(root, ""); err != nil {
		return nil, nil, err
	} else if err := root.Decode(&raw); err != nil {
		line, msg := splitYAMLError(err)
		return nil, nil, yamlErrorAt(source, line, msg)
	}
	tree, err := normalize(source, "", raw)
	return tree.(map[string]any), w.lines, err
}

type yamlWalker struct {
	source string
	lines  map[string]int  // key -> line where it is first set
	leaf   map[string]bool // key -> set to a value, not a mapping
}

func (w *yamlWalker) node(n *yaml.Node, key string) error {
	switch n.Kind {
	case yaml.MappingNode:
		return w.mapping(n, key)
	case yaml.SequenceNode:
		for i, e := range n.Content {
			ek := fmt.Sprintf("%s[%d]", key, i)
			w.lines[ek] = e.Line
			if err := w.node(e, ek); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if tag := n.ShortTag(); tag == "!!timestamp" || tag == "!!binary" {
			n.Tag = "!!str" // keep them as written
		}
	}
	return nil // an alias is not followed
}

func (w *yamlWalker) mapping(n *yaml.Node, key string) error {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		full := joinKey(key, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			return invalidAt(w.source, k.Line, key, "a key must be a plain scalar, found "+nodeKind(k))
		case k.ShortTag() == "!!merge" && v.Kind == yaml.SequenceNode:
			merges = append(merges, v.Content...)
			continue
		case k.ShortTag() == "!!merge":
			merges = append(merges, v)
			continue
		case slices.Contains(strings.Split(k.Value, "."), ""):
			return invalidAt(w.source, k.Line, full, fmt.Sprintf("key %q has an empty part: remove the stray dot", full))
		}
		for p, rest := key, k.Value; rest != ""; {
			part, more, _ := strings.Cut(rest, ".")
			p, rest = joinKey(p, part), more
			leaf := rest == "" && resolved(v).Kind != yaml.MappingNode
			if wasLeaf, seen := w.leaf[p]; seen && (wasLeaf || leaf) {
				return invalidAt(w.source, k.Line, p, fmt.Sprintf("key %q is set twice (also at line %d): keep one", p, w.lines[p]))
			} else if !seen {
				w.lines[p], w.leaf[p] = k.Line, leaf
			}
		}
		if err := w.node(v, full); err != nil {
			return err
		}
	}
	for _, m := range merges { // after the mapping's own keys, which win
		src := resolved(m)
		if src.Kind != yaml.MappingNode {
			return invalidAt(w.source, m.Line, key, "the merge key << needs a mapping or a list of mappings")
		}
		for i := 0; i < len(src.Content); i += 2 {
			if k := joinKey(key, src.Content[i].Value); w.lines[k] == 0 {
				w.lines[k] = m.Line
			}
		}
	}
	return nil
}

// resolved returns the node an alias stands for.
func resolved(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a mapping"
}

func invalidAt(source string, line int, key, msg string) *ConfigError {
	return &ConfigError{Key: key, Source: source, Line: line, Msg: fmt.Sprintf("config file %s line %d: invalid configuration: %s", source, line, msg)}
}

func yamlErrorAt(source string, line int, msg string) *ConfigError {
	if line > 0 {
		return &ConfigError{Source: source, Line: line, Msg: fmt.Sprintf("config file %s line %d: invalid YAML: %s", source, line, msg)}
	}
	return &ConfigError{Source: source, Msg: fmt.Sprintf("config file %s: invalid YAML: %s", source, msg)}
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

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
// with the same problem. The search starts a line before the one yaml.v3
// names when data is parsed shifted down by one line (so that no line is line
// 0), which never lies after the problem; it tries the next 32 prefixes one by
// one, then bisects the rest, which fail with the same problem from the
// problem's line on. Parsing builds nodes only: no alias is expanded.
func yamlSyntaxError(source string, data []byte, err error) *ConfigError {
	_, problem := splitYAMLError(err)
	bom := len(data) - len(bytes.TrimPrefix(data, []byte("\ufeff")))
	start := 1
	if l, p := splitYAMLError(firstYAMLError(slices.Concat(data[:bom], []byte("\n"), data[bom:]))); p == problem && l > 1 {
		start = l - 1
	}
	var ends []int // ends[i] is the offset just past line start+i
	for end, n := 0, 1; end < len(data); n++ {
		if i := bytes.IndexByte(data[end:], '\n'); i >= 0 {
			end += i + 1
		} else {
			end = len(data)
		}
		if n >= start {
			ends = append(ends, end)
		}
	}
	same := func(i int) bool { _, p := splitYAMLError(firstYAMLError(data[:ends[i]])); return p == problem }
	lo, hi := 0, len(ends)-1 // the whole of data fails: same(hi)
	for ; lo < hi && lo < 32 && !same(lo); lo++ {
	}
	for lo < hi && lo >= 32 {
		if mid := lo + (hi-lo)/2; same(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return yamlErrorAt(source, start+max(lo, 0), problem)
}

// firstYAMLError returns yaml.v3's error for data, in its first document or
// a second one; an error with no text when there is none.
func firstYAMLError(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	for i := 0; i < 2; i++ {
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return errors.New("")
}

// normalize converts a value read from YAML or given to WithDefaults or
// WithOverrides into a tree: maps become map[string]any with dotted keys
// split into levels, slices and arrays []any, []byte a string, nil pointers
// nil. Keys are read in sorted order, so that a key set twice is reported
// deterministically.
func normalize(source, key string, v any) (any, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer && (rv.IsNil() || rv.Elem().Kind() == reflect.Map || rv.Elem().Kind() == reflect.Slice) {
		if rv.IsNil() {
			return nil, nil
		}
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.Map:
		names, ok := v.(map[string]any)
		if !ok {
			names = map[string]any{}
			for it := rv.MapRange(); it.Next(); {
				names[fmt.Sprint(it.Key().Interface())] = it.Value().Interface()
			}
		}
		out := make(map[string]any, len(names))
		for _, name := range slices.Sorted(maps.Keys(names)) {
			full := joinKey(key, name)
			val, err := normalize(source, full, names[name])
			if err != nil {
				return nil, err
			}
			if slices.Contains(strings.Split(name, "."), "") {
				return nil, &ConfigError{Key: full, Source: source, Msg: fmt.Sprintf(
					"config key %q in %s has an empty part: remove the stray dot", full, source)}
			} else if clash, ok := insertPath(out, strings.Split(name, "."), val); !ok {
				return nil, &ConfigError{Key: joinKey(key, clash), Source: source, Msg: fmt.Sprintf(
					"config key %q in %s is set twice (as a dotted key and in a nested map, or as a value and a mapping): keep one",
					joinKey(key, clash), source)}
			}
		}
		return out, nil
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return string(rv.Bytes()), nil
	case rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			var err error
			if out[i], err = normalize(source, fmt.Sprintf("%s[%d]", key, i), rv.Index(i).Interface()); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// insertPath sets val at path in m, creating levels and merging mappings.
// On a clash (a key set twice, or both as a value and as a mapping) it
// returns the dotted path of the clash and false.
func insertPath(m map[string]any, path []string, val any) (string, bool) {
	for i, p := range path[:len(path)-1] {
		next, exists := m[p]
		if nm, isMap := next.(map[string]any); isMap {
			m = nm
		} else if exists {
			return strings.Join(path[:i+1], "."), false
		} else {
			nm = map[string]any{}
			m[p], m = nm, nm
		}
	}
	last := path[len(path)-1]
	old, exists := m[last]
	om, ok1 := old.(map[string]any)
	nm, ok2 := val.(map[string]any)
	if !exists {
		m[last] = val
		return "", true
	} else if !ok1 || !ok2 {
		return strings.Join(path, "."), false
	}
	for _, k := range slices.Sorted(maps.Keys(nm)) {
		if clash, ok := insertPath(om, []string{k}, nm[k]); !ok {
			return strings.Join(path, ".") + "." + clash, false
		}
	}
	return "", true
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// copyValue deep-copies the maps and slices of a tree value.
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
	}
	return v
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
	}
	return fmt.Sprint(v)
}

// valueText renders a raw value for ConfigError.Value.
func valueText(v any) string {
	switch t := v.(type) {
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
	}
	return fmt.Sprint(v)
}
