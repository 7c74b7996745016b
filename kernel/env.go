package kernel

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	kmaps "github.com/knadh/koanf/maps"
)

const (
	envPrefix    = "GOFLY_"
	profilesEnv  = "GOFLY_PROFILES_ACTIVE" // the environment name of profilesKey
	profilesKey  = "gofly.profiles.active"
	strictEnvKey = "gofly.strict-env"
)

var envReplacer = strings.NewReplacer(".", "_", "-", "_")

// envName is the environment variable of a key: GOFLY_ and the key in upper
// case, "." and "-" turned into "_"; GOFLY_PROFILES_ACTIVE for
// gofly.profiles.active.
func envName(key string) string {
	if key == profilesKey {
		return profilesEnv
	}
	return envPrefix + strings.ToUpper(envReplacer.Replace(key))
}

// goflyEnv returns the GOFLY_ variables of env, placeholders resolved.
func goflyEnv(env map[string]string, known []*layer) (map[string]string, error) {
	gofly := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, envPrefix) {
			gofly[k] = v
		}
	}
	for _, name := range slices.Sorted(maps.Keys(gofly)) {
		var perr *placeholderError
		if gofly[name], perr = expandString(gofly[name], env); perr != nil {
			return nil, perr.at(append(envKeys(known)[name], "")[0], "env "+name, 0)
		}
	}
	return gofly, nil
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
func envLayer(names map[string][]string, gofly map[string]string) (*layer, error) {
	flat := map[string]any{}
	for name, v := range gofly {
		for _, key := range names[name] {
			flat[key] = v
		}
	}
	for _, key := range slices.Sorted(maps.Keys(flat)) {
		for p := key; strings.Contains(p, "."); {
			if p = p[:strings.LastIndexByte(p, '.')]; flat[p] != nil {
				return nil, &ConfigError{Key: key, Source: "env " + envName(key), Msg: fmt.Sprintf(
					"environment variables %s and %s conflict: %s sets config key %q and %s sets %q under it: unset one",
					envName(p), envName(key), envName(p), p, envName(key), key)}
			}
		}
	}
	return newLayer("", kmaps.Unflatten(flat, ".")), nil
}

// checkEnv fails when gofly.strict-env is true and a GOFLY_ variable names
// no known key, suggesting the closest known name.
func (c *Config) checkEnv(known map[string][]string) error {
	if strict, err := c.Bool(strictEnvKey, false); err != nil || !strict {
		return err
	}
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
		ce := &ConfigError{Source: "env " + name, Msg: fmt.Sprintf("environment variable %s sets no known config key%s: "+
			"with %s on, a GOFLY_ variable must name a key that the defaults, files or overrides have; fix or unset it", name, hint, strictEnvKey)}
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
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+len(strings.TrimPrefix(a[i-1:i], b[j-1:j])))
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
	for i := strings.Index(s, "${"); i >= 0; i = strings.Index(s, "${") {
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}') + i
		if end < i {
			return "", &placeholderError{s[i:], fmt.Sprintf("placeholder %q is not closed: end it with \"}\", or write $${ for a literal ${", s[i:])}
		}
		ph := s[i : end+1]
		name, def, hasDef := strings.Cut(ph[2:len(ph)-1], ":")
		v, ok := env[name]
		if name == "" {
			return "", &placeholderError{ph, fmt.Sprintf("placeholder %q names no variable: write ${NAME} or ${NAME:default}", ph)}
		} else if !ok && !hasDef {
			return "", &placeholderError{ph, fmt.Sprintf("placeholder %q is not resolved: set environment variable %s or give a default as ${%s:value}", ph, name, name)}
		} else if !ok {
			v = def
		}
		b.WriteString(s[:i] + v)
		s = s[end+1:]
	}
	return b.String() + s, nil
}

// expandTree resolves the placeholders in every string of a tree, in place;
// of several problems it reports the one at the first key in sorted order.
func expandTree(tree map[string]any, source string, lineOf func(string, string) int, env map[string]string) error {
	var first *ConfigError
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch t := v.(type) {
		case string:
			s, perr := expandString(t, env)
			if perr != nil {
				if key := strings.ReplaceAll(strings.Join(path, "."), ".[", "["); first == nil || key < first.Key {
					first = perr.at(key, source, lineOf(source, key))
				}
			}
			return s
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e, append(path, k))
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e, append(path, fmt.Sprintf("[%d]", i)))
			}
		}
		return v
	}
	if walk(tree, nil); first != nil {
		return first
	}
	return nil
}
