package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	kmaps "github.com/knadh/koanf/maps"
	"go.yaml.in/yaml/v3"
)

// parseYAML reads one YAML document whose top level is a mapping (or
// nothing) into a tree and the line of every key.
func parseYAML(source string, data []byte, env map[string]string) (map[string]any, map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, yamlError(source, err)
	} else if err := dec.Decode(&next); err == nil {
		return nil, nil, sourceError(source, next.Line, "", "invalid YAML: a second document starts here: keep one document per file (use profile files for variants)")
	} else if !errors.Is(err, io.EOF) {
		return nil, nil, yamlError(source, err)
	} else if len(doc.Content) == 0 {
		return map[string]any{}, nil, nil
	}
	return nodeTree(source, doc.Content[0], env)
}

// nodeTree reads a YAML node, from a file or encoded from Go values, into a
// tree: yaml.v3 decodes the values, with its guard against aliases that
// expand without bound, and koanf's maps split dotted keys into levels. A
// walk of the nodes first records the line of every key, finds keys set
// twice and resolves placeholders from env; it never follows an alias, so
// it costs the size of the text.
func nodeTree(source string, root *yaml.Node, env map[string]string) (map[string]any, map[string]int, error) {
	w := yamlWalker{source: source, env: env, lines: map[string]int{}, leaf: map[string]bool{}}
	raw := map[string]any{}
	if root.ShortTag() == "!!null" {
		return raw, nil, nil
	} else if root.Kind != yaml.MappingNode {
		return nil, nil, w.invalid(root.Line, "", "the top level must be a mapping of keys to values, not a list or a single value")
	} else if err := w.walk(root, ""); err != nil {
		return nil, nil, err
	} else if err := root.Decode(&raw); err != nil {
		return nil, nil, yamlError(source, err)
	}
	kmaps.IntfaceKeysToStrings(raw)
	if !w.dotted {
		return raw, w.lines, nil
	}
	flat, _ := kmaps.Flatten(raw, nil, ".")
	tree := map[string]any{}
	for k, v := range flat { // one key at a time: a: {} and a.b: 1 may both be set
		kmaps.Merge(kmaps.Unflatten(map[string]any{k: v}, "."), tree)
	}
	return tree, w.lines, nil
}

type yamlWalker struct {
	source string
	env    map[string]string
	lines  map[string]int  // key -> line where it is first set (0 for Go values)
	leaf   map[string]bool // key -> set to a value, not a mapping
	dotted bool            // a key has a dot
}

// walk checks the keys under n, at key (a key set twice, also through
// dotted keys, is an error), records their lines and resolves placeholders.
// Keys under an alias have the line of the alias.
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
		v, perr := expandString(n.Value, w.env)
		if perr != nil {
			return newKeyError(key, perr.Value, w.source, n.Line, perr.Msg)
		}
		n.Value = v
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v, r := n.Content[i], n.Content[i+1], n.Content[i+1] // r: the node v stands for
			if v.Kind == yaml.AliasNode {
				r = v.Alias
			}
			full := joinKey(key, k.Value)
			switch w.dotted = w.dotted || strings.Contains(k.Value, "."); {
			case k.Kind != yaml.ScalarNode:
				return w.invalid(k.Line, key, "a key must be a plain scalar, not a list or a mapping")
			case k.ShortTag() == "!!merge" && r.Kind != yaml.MappingNode && r.Kind != yaml.SequenceNode:
				return w.invalid(k.Line, key, "the merge key << needs a mapping or a list of mappings")
			case k.ShortTag() == "!!merge": // yaml.v3 merges; merged keys have the line of the mapping's key
				if err := (&yamlWalker{source: w.source, env: w.env, lines: map[string]int{}, leaf: map[string]bool{}}).walk(v, key); err != nil {
					return err // a placeholder in an inline mapping
				}
				continue
			case k.Value == "" || strings.HasPrefix(k.Value, ".") || strings.HasSuffix(k.Value, ".") || strings.Contains(k.Value, ".."):
				return w.invalid(k.Line, full, fmt.Sprintf("key %q has an empty part: remove the stray dot", full))
			}
			for p, rest := key, k.Value; rest != ""; {
				part, more, _ := strings.Cut(rest, ".")
				p, rest = joinKey(p, part), more
				leaf := rest == "" && r.Kind != yaml.MappingNode
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
	}
	return nil // an alias is not followed
}

func (w *yamlWalker) invalid(line int, key, msg string) *ConfigError {
	return sourceError(w.source, line, key, "invalid configuration: "+msg)
}

// sourceError is a problem with the text of source, at line if known.
func sourceError(source string, line int, key, msg string) *ConfigError {
	where := "config " + source
	if line > 0 {
		where = fmt.Sprintf("config file %s line %d", source, line)
	} else if key == "" {
		where = "config file " + source
	}
	return &ConfigError{Key: key, Source: source, Line: line, Msg: where + ": " + msg}
}

var yamlLineRE = regexp.MustCompile(`(?s)^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// yamlError turns an error of yaml.v3 into a *ConfigError at the line it
// names, if any (see the package doc, "Caveats").
func yamlError(source string, err error) *ConfigError {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	line, _ := strconv.Atoi(m[1])
	return sourceError(source, line, "", "invalid YAML: "+m[2])
}

func joinKey(prefix, key string) string { return strings.TrimPrefix(prefix+"."+key, ".") }

// copyValue deep-copies the maps and lists of a tree value with koanf's
// maps.Copy.
func copyValue(v any) any {
	switch v.(type) {
	case map[string]any, []any:
		return kmaps.Copy(map[string]any{"": v})[""]
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
