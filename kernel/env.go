package kernel

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
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

// envName is the environment variable of a key (see the package doc,
// "Environment").
func envName(key string) string {
	if key == profilesKey {
		return profilesEnv
	}
	return envPrefix + strings.ToUpper(envReplacer.Replace(key))
}

// environment keeps the GOFLY_ variables, placeholders resolved, and inserts
// the environment layer at index base: every key of the layers whose
// environment name is set takes that variable's value.
func (l *loader) environment(base int) {
	l.c.env = maps.Clone(l.env)
	maps.DeleteFunc(l.c.env, func(name, _ string) bool { return !strings.HasPrefix(name, envPrefix) })
	if l.err != nil || len(l.c.env) == 0 {
		return
	}
	known, names, flat := map[string]any{}, map[string][]string{}, map[string]any{}
	for _, ly := range l.layers {
		maps.Copy(known, ly.flat)
	}
	for _, key := range slices.Sorted(maps.Keys(known)) {
		names[envName(key)] = append(names[envName(key)], key)
	}
	for _, name := range slices.Sorted(maps.Keys(l.c.env)) {
		v, perr := expandString(l.c.env[name], l.env)
		if perr != nil {
			l.err = newKeyError(append(names[name], "")[0], perr.Value, "env "+name, 0, perr.Msg)
			return
		} else if len(names[name]) == 0 && name != profilesEnv && name != envName(strictEnvKey) && l.unknown == "" {
			l.unknown = name
		}
		for _, key := range names[name] {
			flat[key] = v
		}
		l.c.env[name] = v
	}
	for _, key := range slices.Sorted(maps.Keys(flat)) {
		for p := key; strings.Contains(p, "."); { // a and a.b both set cannot merge
			if p = p[:strings.LastIndexByte(p, '.')]; flat[p] != nil {
				l.err = &ConfigError{Key: key, Source: "env " + envName(key), Msg: fmt.Sprintf(
					"environment variables %s and %s conflict: %s sets config key %q and %s sets %q under it: unset one",
					envName(p), envName(key), envName(p), p, envName(key), key)}
				return
			}
		}
	}
	l.layers = slices.Insert(l.layers, base, &layer{"", kmaps.Unflatten(flat, "."), flat})
}

// checkEnv fails when gofly.strict-env is true and unknown, a GOFLY_
// variable, names no key of a layer.
func (c *Config) checkEnv(unknown string) error {
	if strict, err := c.Bool(strictEnvKey, false); err != nil || !strict || unknown == "" {
		return err
	}
	ce := &ConfigError{Source: "env " + unknown, Msg: fmt.Sprintf("environment variable %s sets no known config key: with %s on, "+
		"a GOFLY_ variable must name a key that the defaults, files or overrides have; fix or unset it", unknown, strictEnvKey)}
	if !IsSecretKey(unknown) {
		ce.Value = c.env[unknown]
	}
	return ce
}

var placeholderRE = regexp.MustCompile(`\$\$\{|\$\{[^}]*\}?`)

// expandString resolves the placeholders of s from env (see the package
// doc, "Placeholders"). A problem is a *ConfigError with the placeholder as
// Value and the detail as Msg, which the caller puts at its key.
func expandString(s string, env map[string]string) (string, *ConfigError) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var perr *ConfigError
	s = placeholderRE.ReplaceAllStringFunc(s, func(ph string) string {
		name, def, hasDef := strings.Cut(strings.TrimSuffix(ph[2:], "}"), ":")
		v, ok := env[name]
		switch {
		case ph[1] == '$': // $${ is a literal ${
			return ph[1:]
		case !strings.HasSuffix(ph, "}"):
			perr = cmp.Or(perr, &ConfigError{Value: ph, Msg: fmt.Sprintf("placeholder %q is not closed: end it with \"}\", or write $${ for a literal ${", ph)})
		case name == "":
			perr = cmp.Or(perr, &ConfigError{Value: ph, Msg: fmt.Sprintf("placeholder %q names no variable: write ${NAME} or ${NAME:default}", ph)})
		case !ok && !hasDef:
			perr = cmp.Or(perr, &ConfigError{Value: ph, Msg: fmt.Sprintf("placeholder %q is not resolved: set environment variable %s or give a default as ${%s:value}", ph, name, name)})
		case !ok:
			return def
		}
		return v
	})
	return s, perr
}
