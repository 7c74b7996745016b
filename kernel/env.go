package kernel

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

const (
	envPrefix    = "GOFLY_"                // marks the variables that set keys
	profilesEnv  = "GOFLY_PROFILES_ACTIVE" // the environment name of profilesKey
	profilesKey  = "gofly.profiles.active" // names the active profiles
	strictEnvKey = "gofly.strict-env"      // makes unknown GOFLY_ variables errors
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

// envName is the environment variable of a key: GOFLY_ and the key in upper
// case, "." and "-" turned into "_" (plugins.start-timeout is
// GOFLY_PLUGINS_START_TIMEOUT). gofly.profiles.active is GOFLY_PROFILES_ACTIVE.
func envName(key string) string {
	if key == profilesKey {
		return profilesEnv
	}
	return envPrefix + strings.ToUpper(envReplacer.Replace(key))
}

var envReplacer = strings.NewReplacer(".", "_", "-", "_")

// goflyEnv returns the GOFLY_ variables of env with their placeholders
// resolved; names gives the known keys of an environment name.
func goflyEnv(env map[string]string, names func() map[string][]string) (map[string]string, error) {
	out := map[string]string{}
	for name, v := range env {
		if strings.HasPrefix(name, envPrefix) {
			out[name] = v
		}
	}
	for _, name := range slices.Sorted(maps.Keys(out)) {
		v, perr := expandString(out[name], env)
		if perr != nil {
			return nil, perr.at(append(names()[name], "")[0], "env "+name, 0)
		}
		out[name] = v
	}
	return out, nil
}

// envKeys maps the environment name of every key of the layers to those
// keys, sorted.
func envKeys(layers []*layer) map[string][]string {
	out := map[string][]string{}
	for _, l := range layers {
		for key := range l.flat {
			if name := envName(key); !slices.Contains(out[name], key) {
				out[name] = append(out[name], key)
			}
		}
	}
	for _, keys := range out {
		slices.Sort(keys)
	}
	return out
}

// envLayer is the environment layer: each known key whose environment name
// is set takes that variable's value. One variable may set several keys
// (a.b-c and a.b.c); a key and a key under it both set is an error.
func envLayer(names map[string][]string, env map[string]string) (*layer, error) {
	var keys []string
	for name := range env {
		keys = append(keys, names[name]...)
	}
	slices.Sort(keys)
	l := &layer{tree: map[string]any{}, flat: map[string]any{}, keySrc: map[string]string{}}
	for _, key := range keys {
		name := envName(key)
		if clash, ok := insertPath(l.tree, strings.Split(key, "."), env[name]); !ok {
			return nil, &ConfigError{Key: key, Source: "env " + name, Msg: fmt.Sprintf(
				"environment variables %s and %s conflict: %s sets config key %q and %s sets %q under it: unset one",
				envName(clash), name, envName(clash), clash, name, key)}
		}
		l.flat[key], l.keySrc[key] = env[name], "env "+name
	}
	return l, nil
}

// checkEnv fails when gofly.strict-env is true and a GOFLY_ variable names
// no known key, suggesting the closest known name.
func (c *Config) checkEnv(names func() map[string][]string) error {
	if strict, err := c.Bool(strictEnvKey, false); err != nil || !strict || len(c.env) == 0 {
		return err
	}
	known := names()
	for _, name := range slices.Sorted(maps.Keys(c.env)) {
		if _, ok := known[name]; ok || name == profilesEnv || name == envName(strictEnvKey) {
			continue
		}
		hint, best := "", max(2, len(name)/8)+1
		for _, other := range slices.Sorted(maps.Keys(known)) {
			if d := distance(name, other); d < best {
				hint, best = fmt.Sprintf(" (did you mean %s, for config key %q?)", other, known[other][0]), d
			}
		}
		ce := &ConfigError{Source: "env " + name, Msg: fmt.Sprintf(
			"environment variable %s sets no known config key%s: with %s on, a GOFLY_ variable must name a key that the defaults, files or overrides have; fix or unset it",
			name, hint, strictEnvKey)}
		if !IsSecretKey(name) {
			ce.Value = c.env[name]
		}
		return ce
	}
	return nil
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+btoi(a[i-1] != b[j-1]))
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholderError is a placeholder problem, before the key is known.
type placeholderError struct{ placeholder, detail string }

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
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		} else if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &placeholderError{s[i:], fmt.Sprintf(
				"placeholder %q is not closed: end it with \"}\", or write $${ for a literal ${", s[i:])}
		}
		ph := s[i : i+end+1]
		name, def, hasDef := strings.Cut(ph[2:len(ph)-1], ":")
		switch v, ok := env[name]; {
		case name == "":
			return "", &placeholderError{ph, fmt.Sprintf("placeholder %q names no variable: write ${NAME} or ${NAME:default}", ph)}
		case !ok && !hasDef:
			return "", &placeholderError{ph, fmt.Sprintf(
				"placeholder %q is not resolved: set environment variable %s or give a default as ${%s:value}", ph, name, name)}
		case ok:
			b.WriteString(v)
		default:
			b.WriteString(def)
		}
		i += end + 1
	}
	return b.String(), nil
}

// expandTree resolves the placeholders in every string of a tree, in place.
// Of several problems it reports the one at the first key in sorted order.
func expandTree(tree map[string]any, source string, lineOf func(string, string) int, env map[string]string) error {
	var first *ConfigError
	var walk func(v any, key string) any
	walk = func(v any, key string) any {
		switch t := v.(type) {
		case string:
			s, perr := expandString(t, env)
			if perr != nil && (first == nil || keyLess(key, first.Key)) {
				first = perr.at(key, source, lineOf(source, key))
			}
			return s
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e, joinKey(key, k))
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e, fmt.Sprintf("%s[%d]", key, i))
			}
		}
		return v
	}
	if walk(tree, ""); first != nil {
		return first
	}
	return nil
}

// keyLess orders keys level by level: a.b before a-c.
func keyLess(a, b string) bool {
	return strings.ReplaceAll(a, ".", "\x00") < strings.ReplaceAll(b, ".", "\x00")
}
