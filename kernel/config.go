package kernel

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	kmaps "github.com/knadh/koanf/maps"
	"go.yaml.in/yaml/v3"
)

// Source names used by [Config.Source] for the layers that are not files.
const (
	// SourceDefaults names the values given with [WithDefaults].
	SourceDefaults = "defaults"
	// sourceOverrides names the values given with [WithOverrides].
	sourceOverrides = "overrides"
)

// redacted stands in for the value of a secret key in errors and listings.
const redacted = "[redacted]"

// Config is the loaded configuration: every layer merged into one tree of
// dotted keys, with the source of every value remembered. It never changes
// after [LoadConfig] returns and is safe for concurrent reads; the values it
// hands out are copies. A nil *Config reads as an empty configuration.
type Config struct {
	tree     map[string]any            // the merged values, never written
	flat     map[string]any            // leaf key -> value
	keys     []string                  // sorted leaf keys
	sources  map[string]string         // leaf key -> source, "" for env
	lines    map[string]map[string]int // source -> key -> line
	env      map[string]string         // GOFLY_ variables, placeholders resolved
	profiles []string
	files    []string
}

// layer is one source of values, placeholders resolved; source "" is the
// environment's, whose keys name their own variable.
type layer struct {
	source     string
	tree, flat map[string]any
}

// LoadOption configures [LoadConfig]. Options are sealed: only this package
// makes them. Each prints itself as the call that made it (fmt.Stringer).
type LoadOption interface{ apply(*loadOptions) }

type loadOption struct {
	desc string
	f    func(*loadOptions)
}

func (o loadOption) apply(lo *loadOptions) { o.f(lo) }
func (o loadOption) String() string        { return o.desc }

type loadOptions struct {
	dir                 string
	mains               []mainSource
	profiles, environ   []string
	profilesSet         bool
	defaults, overrides []map[string]any
}

type mainSource struct { // a file named with WithFiles (path), or in-memory YAML
	path, name string
	data       []byte
}

// WithDir sets the directory of application.yaml and the profile files
// (default "."). Given several times, the last one wins.
func WithDir(dir string) LoadOption {
	return loadOption{fmt.Sprintf("kernel.WithDir(%q)", dir), func(o *loadOptions) { o.dir = dir }}
}

// WithFiles names the main files, read in order instead of
// application.yaml; a named file that does not exist is an error. Profile
// files sit next to the first one and take its name. Given several times,
// the files add up in order.
func WithFiles(paths ...string) LoadOption {
	paths = slices.Clone(paths)
	return loadOption{fmt.Sprintf("kernel.WithFiles(%q)", paths), func(o *loadOptions) {
		for _, p := range paths {
			o.mains = append(o.mains, mainSource{path: p})
		}
	}}
}

// WithYAML adds an in-memory YAML source (copied) that stands in for the main
// file, layered with WithFiles in option order; name is its source in
// [Config.Source], [Config.Files] and errors.
func WithYAML(name string, data []byte) LoadOption {
	name, data = cmp.Or(name, "yaml"), slices.Clone(data)
	return loadOption{fmt.Sprintf("kernel.WithYAML(%q, ...)", name), func(o *loadOptions) {
		o.mains = append(o.mains, mainSource{name: name, data: data})
	}}
}

// WithProfiles sets the active profiles, in order, over GOFLY_PROFILES_ACTIVE
// and gofly.profiles.active; WithProfiles() makes none active. Given several
// times, the last one wins.
func WithProfiles(profiles ...string) LoadOption {
	profiles = slices.Clone(profiles)
	return loadOption{fmt.Sprintf("kernel.WithProfiles(%q)", profiles), func(o *loadOptions) { o.profiles, o.profilesSet = profiles, true }}
}

// WithEnviron replaces os.Environ() ("KEY=value" entries; the last of a
// repeated KEY wins) for GOFLY_ variables and ${VAR} placeholders;
// WithEnviron(nil) means no environment at all.
func WithEnviron(environ []string) LoadOption {
	environ = slices.Clone(environ)
	return loadOption{"kernel.WithEnviron(...)", func(o *loadOptions) { o.environ = environ }}
}

// WithDefaults adds values to the lowest layer (starters put their defaults
// there): nested maps, dotted keys or both, encoded like YAML by yaml.v3.
// Given several times, later values win. The map is read by LoadConfig.
func WithDefaults(values map[string]any) LoadOption {
	return loadOption{"kernel.WithDefaults(...)", func(o *loadOptions) { o.defaults = append(o.defaults, values) }}
}

// WithOverrides adds values to the highest layer, above the environment (a
// --debug flag setting debug: true), like [WithDefaults].
func WithOverrides(values map[string]any) LoadOption {
	return loadOption{"kernel.WithOverrides(...)", func(o *loadOptions) { o.overrides = append(o.overrides, values) }}
}

// EmptyConfig returns a configuration with no key, no profile and no file.
func EmptyConfig() *Config {
	c := &Config{}
	c.merge(nil)
	return c
}

var emptyConfig = EmptyConfig()

func (c *Config) or() *Config { return cmp.Or(c, emptyConfig) }

// LoadConfig reads and merges the layers of the package doc ("Layers"):
// defaults, main files, profile files, GOFLY_ variables and overrides, with
// ${VAR} placeholders resolved. Every error is a *[ConfigError] (class
// [ErrConfig]) naming the file, key, value and line involved where known.
func LoadConfig(opts ...LoadOption) (*Config, error) {
	lo := loadOptions{dir: ".", environ: os.Environ()}
	for _, o := range opts {
		if o != nil {
			o.apply(&lo)
		}
	}
	l := &loader{c: &Config{lines: map[string]map[string]int{}}, env: map[string]string{}}
	for _, kv := range lo.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			l.env[k] = v
		}
	}
	l.values(SourceDefaults, lo.defaults)
	stem := filepath.Join(lo.dir, "application") // profile files are stem-<profile>.yaml
	if i := slices.IndexFunc(lo.mains, func(m mainSource) bool { return m.path != "" }); i >= 0 {
		stem = strings.TrimSuffix(lo.mains[i].path, filepath.Ext(lo.mains[i].path))
	} else if len(lo.mains) == 0 {
		if path := l.find(stem); path != "" {
			lo.mains = []mainSource{{path: path}}
		}
	}
	for _, m := range lo.mains {
		l.yaml(m.path, m.name, m.data)
	}
	for _, p := range l.profiles(&lo) {
		if path := l.find(stem + "-" + p); path != "" {
			l.yaml(path, "", nil)
		}
	}
	base := len(l.layers)
	l.values(sourceOverrides, lo.overrides)
	l.environment(base)
	if l.err == nil {
		l.c.merge(l.layers)
		l.err = l.c.checkEnv(l.unknown)
	}
	if l.err != nil {
		return nil, l.err
	}
	return l.c, nil
}

// loader reads the layers; after its first error it does nothing.
type loader struct {
	c       *Config
	env     map[string]string // the whole environment
	unknown string            // the first GOFLY_ variable that names no key of a layer
	layers  []*layer
	err     error
}

// find returns stem.yaml, else stem.yml, or "" if neither exists.
func (l *loader) find(stem string) string {
	for _, ext := range []string{".yaml", ".yml"} {
		if _, err := os.Stat(stem + ext); l.err == nil && !errors.Is(err, fs.ErrNotExist) {
			return stem + ext // read, or reported, by yaml
		}
	}
	return ""
}

// yaml adds the layer of a YAML source: the file at path, else data.
func (l *loader) yaml(path, name string, data []byte) {
	if l.err != nil {
		return
	} else if path != "" {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		name = path
		var err error
		if data, err = os.ReadFile(path); errors.Is(err, fs.ErrNotExist) {
			l.err = &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s does not exist: it was named explicitly (WithFiles), so create it or stop naming it", path)}
			return
		} else if err != nil {
			l.err = &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s cannot be read", path), Err: err}
			return
		}
	}
	tree, lines, err := parseYAML(name, data, l.env)
	l.c.files = append(l.c.files, name)
	l.add(name, tree, lines, err)
}

// values adds the layer of the defaults or overrides: yaml.v3 encodes each
// map, read then like a file, later maps over earlier ones.
func (l *loader) values(source string, values []map[string]any) {
	tree := map[string]any{}
	for _, m := range values {
		var n yaml.Node
		if l.err != nil {
			return
		} else if err := n.Encode(m); err != nil {
			l.err = &ConfigError{Source: source, Msg: fmt.Sprintf("config %s cannot be read", source), Err: err}
		} else if t, _, err := nodeTree(source, &n, l.env); err != nil {
			l.err = err
		} else {
			kmaps.Merge(t, tree)
		}
	}
	if len(values) > 0 {
		l.add(source, tree, nil, l.err)
	}
}

// add adds the layer of source, unless err.
func (l *loader) add(source string, tree map[string]any, lines map[string]int, err error) {
	if l.err = err; err == nil {
		flat, _ := kmaps.Flatten(tree, nil, ".")
		l.c.lines[source], l.layers = lines, append(l.layers, &layer{source, tree, flat})
	}
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// profiles picks the active profiles (see the package doc, "Layers") from
// the defaults and main sources read so far. A repeated name keeps its
// first place.
func (l *loader) profiles(lo *loadOptions) []string {
	if l.err != nil {
		return nil
	}
	names, source := lo.profiles, "WithProfiles"
	if !lo.profilesSet {
		var raw any
		if v := l.env[profilesEnv]; strings.TrimSpace(v) != "" {
			raw, source = v, "env "+profilesEnv
		}
		for i := len(l.layers) - 1; i >= 0 && raw == nil; i-- {
			raw, source = kmaps.Search(l.layers[i].tree, strings.Split(profilesKey, ".")), l.layers[i].source
		}
		if err := (&binder{c: l.c, source: map[string]string{profilesKey: source}}).decode(reflect.ValueOf(&names).Elem(), keyed{profilesKey, raw}); err != nil {
			l.err = err
			return nil
		}
	}
	for _, n := range names {
		if !profileName.MatchString(n) || strings.Contains(n, "..") {
			l.err = &ConfigError{Key: profilesKey, Value: n, Source: source, Msg: fmt.Sprintf("invalid profile name %q from %s: "+
				"use letters, digits, '-', '_' and '.', not starting with '.', with no path separator and no \"..\"", n, source)}
			return nil
		} else if !slices.Contains(l.c.profiles, n) {
			l.c.profiles = append(l.c.profiles, n)
		}
	}
	return l.c.profiles
}

// merge merges the layers, lowest first, with koanf's rule: mappings merge
// key by key, anything else replaces. The layers' trees are consumed. The
// source of a leaf is the highest layer that has it.
func (c *Config) merge(layers []*layer) {
	c.tree, c.sources = map[string]any{}, map[string]string{}
	for _, l := range layers {
		kmaps.Merge(l.tree, c.tree)
		for key := range l.flat {
			c.sources[key] = l.source // "" for the environment: see Source
		}
	}
	c.flat, _ = kmaps.Flatten(c.tree, nil, ".")
	c.keys = slices.Sorted(maps.Keys(c.flat))
}

// lineOf returns the line where key, else its nearest parent, is set in
// source; 0 if unknown.
func (c *Config) lineOf(source, key string) int {
	for lines := c.or().lines[source]; len(lines) > 0; key = key[:strings.LastIndexAny(key, ".[")] {
		if l, ok := lines[key]; ok || strings.LastIndexAny(key, ".[") <= 0 {
			return l
		}
	}
	return 0
}

// Get returns a copy of the value at key: a string, bool, int, float64,
// []any, map[string]any (a subtree) or nil if absent; Get("") returns the
// whole tree. A key that no layer has reads the GOFLY_ variable named after
// it (see the package doc, "Environment").
func (c *Config) Get(key string) any {
	c = c.or()
	if v, ok := c.flat[key]; ok {
		return copyValue(v)
	} else if key == "" {
		return copyValue(c.tree)
	} else if v := kmaps.Search(c.tree, strings.Split(key, ".")); v != nil {
		return copyValue(v)
	} else if v, ok := c.env[envName(key)]; ok {
		return v
	}
	return nil
}

// Exists reports whether key is set, as a value or a subtree, by a layer or
// by the GOFLY_ variable named after it.
func (c *Config) Exists(key string) bool {
	_, leaf := c.or().flat[key]
	return leaf || key != "" && c.Get(key) != nil
}

// String returns the value at key as text: scalars formatted with fmt, lists
// joined with ","; "" for a subtree or an absent key.
func (c *Config) String(key string) string {
	switch v := c.Get(key).(type) {
	case nil, map[string]any:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(v)
	}
}

// Bool returns the boolean at key, or def if absent. It is strict: a YAML
// boolean or true or false in any case; anything else (1, yes, yse ...) is a
// *[ConfigError] naming the key, the value and its source.
func (c *Config) Bool(key string, def bool) (bool, error) {
	err := c.or().bind(key, reflect.ValueOf(&def).Elem(), false)
	return def, err
}

// Keys returns the leaf keys, sorted: an empty mapping and a list are leaves.
// GOFLY_ variables that no layer's key names are not listed.
func (c *Config) Keys() []string { return slices.Clone(c.or().keys) }

// Source returns where the value at key came from: a file's absolute path, a
// [WithYAML] name, "env GOFLY_X_Y", [SourceDefaults] or "overrides"; ""
// if absent. For a subtree it is the source of its first leaf in sorted order.
func (c *Config) Source(key string) string {
	c = c.or()
	if i := sort.SearchStrings(c.keys, key+"."); i < len(c.keys) && strings.HasPrefix(c.keys[i], key+".") {
		key = c.keys[i]
	}
	if _, leaf := c.flat[key]; leaf && c.sources[key] != "" {
		return c.sources[key]
	} else if _, env := c.env[envName(key)]; env && key != "" {
		return "env " + envName(key)
	}
	return ""
}

// Profiles returns the active profiles in order, with a file or not.
func (c *Config) Profiles() []string { return slices.Clone(c.or().profiles) }

// Files returns the sources read, in layer order: main files (absolute
// paths) and [WithYAML] names, then the profile files found.
func (c *Config) Files() []string { return slices.Clone(c.or().files) }

// All returns a copy of the configuration flattened to dotted leaf keys.
func (c *Config) All() map[string]any { return copyValue(c.or().flat).(map[string]any) }

// keyError is newKeyError about the value at key, at its source and line.
func (c *Config) keyError(key, value, detail string) *ConfigError {
	source := c.Source(key)
	return newKeyError(key, value, source, c.lineOf(source, key), detail)
}

// newKeyError builds `config key "k" in source: detail`, hiding the value of
// a secret key.
func newKeyError(key, value, source string, line int, detail string) *ConfigError {
	what := fmt.Sprintf("config key %q in %s", key, source)
	if key == "" {
		what = source
	} else if source == "" {
		what = fmt.Sprintf("config key %q", key)
	}
	if value != "" && IsSecretKey(key) {
		detail = strings.ReplaceAll(strings.ReplaceAll(detail, strconv.Quote(value), strconv.Quote(redacted)), value, redacted)
		value = redacted
	}
	return &ConfigError{Key: key, Value: value, Source: source, Line: line, Msg: what + ": " + detail}
}

var (
	camelRE  = regexp.MustCompile(`([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])`)
	secretRE = regexp.MustCompile(`password|passwd|passphrase|secret|token|credential|apikey|privatekey|^(pwd|auth|authorization)$`)
)

// IsSecretKey reports whether a key (or an environment variable name) holds
// a secret by gofly's one secret policy, which the package doc states
// ("Secrets"). Errors never show the value of such a key.
func IsSecretKey(key string) bool {
	segs := strings.Split(strings.ToLower(key), ".")
	if n := len(segs); n > 1 && slices.Contains([]string{"secrets", "credentials", "passwords", "tokens"}, segs[n-2]) {
		return true
	}
	last := camelRE.ReplaceAllString(key[strings.LastIndexByte(key, '.')+1:], "${1}${3}_${2}${4}")
	words := strings.FieldsFunc(strings.ToLower(last), func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') })
	for i, w := range words {
		if secretRE.MatchString(w) || w == "key" && i > 0 && slices.Contains([]string{"api", "private", "access"}, words[i-1]) {
			return true
		}
	}
	return false
}
