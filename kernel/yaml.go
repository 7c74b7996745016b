package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	kmaps "github.com/knadh/koanf/maps"
	"go.yaml.in/yaml/v3"
)

// parseYAML reads one YAML document whose top level is a mapping (or
// nothing) into a tree and the line of every key.
func parseYAML(source string, data []byte) (map[string]any, map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, yamlSyntaxError(source, data, err)
	} else if err := dec.Decode(&next); err == nil {
		return nil, nil, yamlErrorAt(source, next.Line, "a second document starts here: keep one document per file (use profile files for variants)")
	} else if !errors.Is(err, io.EOF) {
		return nil, nil, yamlSyntaxError(source, data, err)
	}
	if len(doc.Content) == 0 {
		return map[string]any{}, nil, nil
	}
	return nodeTree(source, doc.Content[0])
}

// nodeTree reads a YAML node, from a file or encoded from Go values, into a
// tree: yaml.v3 decodes the values, with its guard against documents that
// expand aliases without bound (billion laughs, chains of merge keys), and
// koanf's maps split dotted keys into levels. Before that, a walk of the
// nodes records the line of every key and finds keys set twice (literally
// or through dotted keys). The walk never follows an alias, so its cost is
// the size of the text: a key reached through an alias or a merge key has
// the line of the alias.
func nodeTree(source string, root *yaml.Node) (map[string]any, map[string]int, error) {
	w := yamlWalker{source: source, lines: map[string]int{}, leaf: map[string]bool{}}
	raw := map[string]any{}
	if root.ShortTag() == "!!null" {
		return raw, nil, nil
	} else if root.Kind != yaml.MappingNode {
		return nil, nil, w.invalid(root.Line, "", "the top level must be a mapping of keys to values, found "+nodeKind(root))
	} else if err := w.walk(root, ""); err != nil {
		return nil, nil, err
	} else if err := root.Decode(&raw); err != nil {
		line, msg := splitYAMLError(err)
		return nil, nil, yamlErrorAt(source, line, msg)
	}
	kmaps.IntfaceKeysToStrings(raw)
	if !w.dotted {
		return raw, w.lines, nil
	}
	flat, _ := kmaps.Flatten(raw, nil, ".")
	tree := map[string]any{}
	for k, v := range flat {
		kmaps.Merge(kmaps.Unflatten(map[string]any{k: v}, "."), tree)
	}
	return tree, w.lines, nil
}

type yamlWalker struct {
	source string
	lines  map[string]int  // key -> line where it is first set (0 for Go values)
	leaf   map[string]bool // key -> set to a value, not a mapping
	dotted bool            // a key has a dot
}

func (w *yamlWalker) walk(n *yaml.Node, key string) error {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, e := range n.Content {
			ek := fmt.Sprintf("%s[%d]", key, i)
			w.lines[ek] = e.Line
			if err := w.walk(e, ek); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if tag := n.ShortTag(); tag == "!!timestamp" || tag == "!!binary" {
			n.Tag = "!!str" // keep them as written
		}
	case yaml.MappingNode:
		return w.mapping(n, key)
	}
	return nil // an alias is not followed
}

func (w *yamlWalker) mapping(n *yaml.Node, key string) error {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		full := joinKey(key, k.Value)
		switch w.dotted = w.dotted || strings.Contains(k.Value, "."); {
		case k.Kind != yaml.ScalarNode:
			return w.invalid(k.Line, key, "a key must be a plain scalar, found "+nodeKind(k))
		case k.ShortTag() == "!!merge" && v.Kind == yaml.SequenceNode:
			merges = append(merges, v.Content...)
			continue
		case k.ShortTag() == "!!merge":
			merges = append(merges, v)
			continue
		case k.Value == "" || strings.HasPrefix(k.Value, ".") || strings.HasSuffix(k.Value, ".") || strings.Contains(k.Value, ".."):
			return w.invalid(k.Line, full, fmt.Sprintf("key %q has an empty part: remove the stray dot", full))
		}
		for p, rest := key, k.Value; rest != ""; {
			part, more, _ := strings.Cut(rest, ".")
			p, rest = joinKey(p, part), more
			leaf := rest == "" && resolved(v).Kind != yaml.MappingNode
			if wasLeaf, seen := w.leaf[p]; seen && (wasLeaf || leaf) {
				also := ""
				if w.lines[p] > 0 {
					also = fmt.Sprintf(" (also at line %d)", w.lines[p])
				}
				return w.invalid(k.Line, p, fmt.Sprintf("key %q is set twice%s: keep one", p, also))
			} else if !seen {
				w.lines[p], w.leaf[p] = k.Line, leaf
			}
		}
		if err := w.walk(v, full); err != nil {
			return err
		}
	}
	for _, m := range merges { // after the mapping's own keys, which win
		src := resolved(m)
		if src.Kind != yaml.MappingNode {
			return w.invalid(m.Line, key, "the merge key << needs a mapping or a list of mappings")
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

func (w *yamlWalker) invalid(line int, key, msg string) *ConfigError {
	where := fmt.Sprintf("config file %s line %d", w.source, line)
	if line == 0 {
		where = "config " + w.source
	}
	return &ConfigError{Key: key, Source: w.source, Line: line, Msg: where + ": invalid configuration: " + msg}
}

func yamlErrorAt(source string, line int, msg string) *ConfigError {
	if line > 0 {
		return &ConfigError{Source: source, Line: line, Msg: fmt.Sprintf("config file %s line %d: invalid YAML: %s", source, line, msg)}
	}
	return &ConfigError{Source: source, Msg: fmt.Sprintf("config file %s: invalid YAML: %s", source, msg)}
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// splitYAMLError splits a yaml.v3 error into the line it names (0 if none)
// and the problem.
func splitYAMLError(err error) (int, string) {
	msg := err.Error()
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	m := yamlLineRE.FindStringSubmatch(msg)
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
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

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// copyValue deep-copies the maps and slices of a tree value, unwrapping
// keyed values.
func copyValue(v any) any {
	switch t := v.(type) {
	case keyed:
		return copyValue(t.v)
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
	case keyed:
		return valueText(t.v)
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
