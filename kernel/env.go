package kernel

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

const (
	// envPrefix marks the environment variables that set configuration keys.
	envPrefix = "GOFLY_"
	// profilesEnv names the active profiles (comma-separated).
	profilesEnv = "GOFLY_PROFILES_ACTIVE"
	// profilesKey is the configuration key that names the active profiles.
	profilesKey = "gofly.profiles.active"
)

// parseEnviron turns "KEY=value" entries into a map; entries without "=" are
// ignored and the last entry of a repeated KEY wins.
func parseEnviron(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// envVar is one GOFLY_ variable: its name, its lower-cased segments (the
// name after the prefix split at "_"), its value (placeholders resolved) and
// the key it sets. exact reports whether every segment was matched against a
// known key; an inexact variable may be matched again at Bind time against
// the target struct's fields.
type envVar struct {
	name  string
	segs  []string
	value string
	key   string
	exact bool
}

func (v envVar) source() string { return "env " + v.name }

// envVars reads the GOFLY_ variables, sorted by name, and resolves each
// against the known keys. Names with characters other than letters, digits
// and "_", or with an empty segment (GOFLY__X, GOFLY_X_), are ignored.
func envVars(env map[string]string, knownKeys func() *keyTrie) ([]envVar, error) {
	var out []envVar
	var known *keyTrie
	for _, name := range sortedKeys(env) {
		rest, ok := strings.CutPrefix(name, envPrefix)
		if !ok || !validEnvName(rest) {
			continue
		}
		v := envVar{name: name, segs: strings.Split(strings.ToLower(rest), "_")}
		if name == profilesEnv {
			v.key, v.exact = profilesKey, true
		} else {
			if known == nil {
				known = knownKeys()
			}
			path, n := known.resolve(v.segs)
			v.key = strings.Join(append(path, v.segs[n:]...), ".")
			v.exact = n == len(v.segs)
		}
		value, err := expandString(env[name], env)
		if err != nil {
			return nil, err.at(v.key, v.source(), 0)
		}
		v.value = value
		out = append(out, v)
	}
	return out, nil
}

func validEnvName(rest string) bool {
	if rest == "" || rest[0] == '_' || rest[len(rest)-1] == '_' || strings.Contains(rest, "__") {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// envLayer builds the environment layer. relocate maps a variable's name to
// the key it sets instead of its load-time key (used at Bind time). Two
// variables setting the same key, or one setting a key under the other's, is
// an error: the result would depend on an arbitrary choice.
func envLayer(vars []envVar, relocate map[string]string) (*layer, error) {
	if len(vars) == 0 {
		return nil, nil
	}
	byKey := make(map[string]string, len(vars))
	keys := make([]string, len(vars))
	for i, v := range vars {
		key := v.key
		if r, ok := relocate[v.name]; ok {
			key = r
		}
		keys[i] = key
		if other, ok := byKey[key]; ok {
			return nil, &ConfigError{Key: key, Source: v.source(), Msg: fmt.Sprintf(
				"environment variables %s and %s both set config key %q: unset one", other, v.name, key)}
		}
		byKey[key] = v.name
	}
	for i, key := range keys {
		for p := key; ; {
			j := strings.LastIndexByte(p, '.')
			if j < 0 {
				break
			}
			p = p[:j]
			if other, ok := byKey[p]; ok {
				return nil, &ConfigError{Key: key, Source: vars[i].source(), Msg: fmt.Sprintf(
					"environment variables %s and %s conflict: %s sets config key %q and %s sets %q under it: unset one",
					other, vars[i].name, other, p, vars[i].name, key)}
			}
		}
	}
	l := &layer{kind: layerEnv, tree: map[string]any{}, flat: map[string]any{}, keySrc: map[string]string{}}
	for i, v := range vars {
		insertPath(l.tree, strings.Split(keys[i], "."), v.value) // clashes ruled out above
		l.flat[keys[i]] = v.value
		l.keySrc[keys[i]] = v.source()
	}
	return l, nil
}

// keyTrie is a tree of key names used to resolve environment variables:
// known keys from the loaded layers, or the fields of a struct type. A
// wildcard child stands for the keys of a map; a free node accepts any
// remaining segments (a field of type any or map[string]any).
type keyTrie struct {
	children map[string]*keyTrie
	norm     map[string][]string // normalised name -> names, sorted
	wildcard *keyTrie
	free     bool
}

func newKeyTrie() *keyTrie {
	return &keyTrie{children: map[string]*keyTrie{}, norm: map[string][]string{}}
}

// normSeg normalises a key name for matching against environment segments:
// lower case, without "-" and "_". Both start-timeout and startTimeout
// become starttimeout.
func normSeg(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r != '-' && r != '_' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func (t *keyTrie) child(name string) *keyTrie {
	if c, ok := t.children[name]; ok {
		return c
	}
	c := newKeyTrie()
	t.setChild(name, c)
	return c
}

func (t *keyTrie) setChild(name string, c *keyTrie) {
	t.children[name] = c
	n := normSeg(name)
	names := append(t.norm[n], name)
	sort.Strings(names)
	t.norm[n] = names
}

func (t *keyTrie) addTree(tree map[string]any) {
	for k, v := range tree {
		c := t.child(k)
		if m, ok := v.(map[string]any); ok {
			c.addTree(m)
		}
	}
}

// maxEnvSegments bounds the search below (2^(n-1) groupings at worst).
const maxEnvSegments = 16

// resolve matches environment segments against the trie. One key name may
// take several consecutive segments: PLUGINS_START_TIMEOUT and
// PLUGINS_STARTTIMEOUT both match plugins.start-timeout, because the
// segments are compared with the key name lower-cased and stripped of "-"
// and "_". A map's key (wildcard) takes one or more segments joined with
// "-". It returns the matched key names and how many segments they took;
// the match that takes the most segments wins, and among those the first in
// this order: fewer segments for the earlier names (so "_" as "." first),
// then names in sorted order.
func (t *keyTrie) resolve(segs []string) ([]string, int) {
	if len(segs) > maxEnvSegments {
		return nil, 0
	}
	return t.best(segs)
}

func (t *keyTrie) best(segs []string) ([]string, int) {
	if t == nil || len(segs) == 0 {
		return nil, 0
	}
	if t.free {
		return append([]string(nil), segs...), len(segs)
	}
	var bestPath []string
	bestN := 0
	try := func(name string, next *keyTrie, j int) {
		sub, n := next.best(segs[j:])
		if j+n > bestN {
			bestN = j + n
			bestPath = append([]string{name}, sub...)
		}
	}
	for j := 1; j <= len(segs) && bestN < len(segs); j++ {
		for _, name := range t.norm[strings.Join(segs[:j], "")] {
			if try(name, t.children[name], j); bestN == len(segs) {
				break
			}
		}
		if t.wildcard != nil && bestN < len(segs) {
			try(strings.Join(segs[:j], "-"), t.wildcard, j)
		}
	}
	return bestPath, bestN
}

// placeholderError is a placeholder problem, before the key is known.
type placeholderError struct {
	placeholder string
	detail      string
}

func (e *placeholderError) at(key, source string, line int) *ConfigError {
	return newKeyError(key, e.placeholder, source, line, e.detail)
}

// expandString resolves ${VAR} and ${VAR:default} from env. $${ is written
// as a literal ${. The default runs to the first "}" and may contain ":";
// an unset VAR takes the default, a VAR set to "" stays "". Resolved text is
// not scanned again.
func expandString(s string, env map[string]string) (string, *placeholderError) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", &placeholderError{placeholder: s[i:], detail: fmt.Sprintf(
					"placeholder %q is not closed: end it with \"}\", or write $${ for a literal ${", s[i:])}
			}
			ph := s[i : i+3+end]
			name, def, hasDef := strings.Cut(s[i+2:i+2+end], ":")
			switch v, ok := env[name]; {
			case name == "":
				return "", &placeholderError{placeholder: ph, detail: fmt.Sprintf(
					"placeholder %q names no variable: write ${NAME} or ${NAME:default}", ph)}
			case ok:
				b.WriteString(v)
			case hasDef:
				b.WriteString(def)
			default:
				return "", &placeholderError{placeholder: ph, detail: fmt.Sprintf(
					"placeholder %q is not resolved: set environment variable %s or give a default as ${%s:value}", ph, name, name)}
			}
			i += 3 + end
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// expandTree resolves placeholders in every string of a tree, in place.
func expandTree(tree map[string]any, prefix string, sourceOf func(string) string,
	lineOf func(source, key string) int, env map[string]string,
) error {
	for _, k := range sortedKeys(tree) {
		key := joinKey(prefix, k)
		v, err := expandValue(tree[k], key, key, sourceOf, lineOf, env)
		if err != nil {
			return err
		}
		tree[k] = v
	}
	return nil
}

func expandValue(v any, key, display string, sourceOf func(string) string,
	lineOf func(source, key string) int, env map[string]string,
) (any, error) {
	switch t := v.(type) {
	case string:
		s, perr := expandString(t, env)
		if perr != nil {
			src := sourceOf(key)
			line := lineOf(src, display)
			if line == 0 {
				line = lineOf(src, key)
			}
			return nil, perr.at(display, src, line)
		}
		return s, nil
	case map[string]any:
		// Inside a list, key stays the list's key; display names the element.
		return t, expandTree(t, display, sourceOf, lineOf, env)
	case []any:
		for i, e := range t {
			ev, err := expandValue(e, key, fmt.Sprintf("%s[%d]", display, i), sourceOf, lineOf, env)
			if err != nil {
				return nil, err
			}
			t[i] = ev
		}
		return t, nil
	default:
		return v, nil
	}
}
