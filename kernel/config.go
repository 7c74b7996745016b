package kernel

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	kmaps "github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/v2"
	"go.yaml.in/yaml/v3"
)

// Source names used by [Config.Source] for the layers that are not files.
const (
	// SourceDefaults names the values given with [WithDefaults].
	SourceDefaults = "defaults"
	// SourceOverrides names the values given with [WithOverrides].
	SourceOverrides = "overrides"
	sourceEnv       = "env" // a key's source is "env " and its variable
)

// Config is the loaded, immutable configuration: every layer (defaults, main
// files, profile files, environment, overrides) merged into one tree of
// dotted keys, with the source of every value remembered.
//
// A Config is safe for concurrent reads; nothing changes it after
// [LoadConfig] returns. Values handed out (Get, All, Keys ...) are copies.
// A nil *Config reads as an empty configuration.
type Config struct {
	k        *koanf.Koanf              // the merged tree: Exists, subtrees, All
	tree     map[string]any            // the same tree, read by Bind without copying
	flat     map[string]any            // leaf key -> value
	keys     []string                  // sorted leaf keys
	sources  map[string]string         // leaf key -> source
	lines    map[string]map[string]int // source -> key -> 1-based line
	env      map[string]string         // GOFLY_ variables, placeholders resolved
	profiles []string
	files    []string
}

// layer is one source of values: a tree (placeholders resolved) and its leaves.
type layer struct {
	source string
	tree   map[string]any
	flat   map[string]any
}

func newLayer(source string, tree map[string]any) *layer {
	flat, _ := kmaps.Flatten(tree, nil, ".")
	return &layer{source: source, tree: tree, flat: flat}
}

// LoadOption configures [LoadConfig]. Options are sealed: only this package
// makes them. Each option prints itself (fmt.Stringer) as the call that made
// it, e.g. kernel.WithDir("conf").
type LoadOption interface{ apply(*loadOptions) }

type loadOption struct {
	desc string
	f    func(*loadOptions)
}

func (o loadOption) apply(lo *loadOptions) { o.f(lo) }
func (o loadOption) String() string        { return o.desc }

type loadOptions struct {
	dir                     string
	mains                   []mainSource // WithFiles (path) and WithYAML (name, data)
	profiles, environ       []string
	profilesSet, environSet bool
	defaults, overrides     []map[string]any
}

type mainSource struct {
	path, name string
	data       []byte
}

// WithDir sets the directory where application.yaml (else application.yml)
// and the profile files application-<profile>.yaml (else .yml) are looked
// up. The default is the working directory ("."). Given several times, the
// last one wins.
func WithDir(dir string) LoadOption {
	return loadOption{fmt.Sprintf("kernel.WithDir(%q)", dir), func(o *loadOptions) { o.dir = dir }}
}

// WithFiles names the main configuration files, read in order (later files
// override earlier ones) instead of the default application.yaml. A named
// file that does not exist is an error of class [ErrConfig]. Profile files
// are looked up next to the first file and named after it: for
// conf/app.yaml, profile "dev" is conf/app-dev.yaml (else conf/app-dev.yml).
// Given several times, the files add up in order.
func WithFiles(paths ...string) LoadOption {
	paths = slices.Clone(paths)
	return loadOption{fmt.Sprintf("kernel.WithFiles(%q)", paths), func(o *loadOptions) {
		for _, p := range paths {
			o.mains = append(o.mains, mainSource{path: p})
		}
	}}
}

// WithYAML adds an in-memory YAML source that stands in for the main file:
// when at least one WithYAML or WithFiles is given, application.yaml is not
// read. name is used as the source in [Config.Source], [Config.Files] and
// errors. Given several times, the sources are layered in the order given
// (interleaved with WithFiles in option order). The data is copied.
func WithYAML(name string, data []byte) LoadOption {
	name, data = cmp.Or(name, "yaml"), slices.Clone(data)
	return loadOption{fmt.Sprintf("kernel.WithYAML(%q, ...)", name), func(o *loadOptions) {
		o.mains = append(o.mains, mainSource{name: name, data: data})
	}}
}

// WithProfiles sets the active profiles, in order, overriding the
// environment variable GOFLY_PROFILES_ACTIVE and the key
// gofly.profiles.active. WithProfiles() with no argument makes no profile
// active. Given several times, the last one wins.
func WithProfiles(profiles ...string) LoadOption {
	profiles = slices.Clone(profiles)
	return loadOption{fmt.Sprintf("kernel.WithProfiles(%q)", profiles), func(o *loadOptions) { o.profiles, o.profilesSet = profiles, true }}
}

// WithEnviron replaces os.Environ() as the environment: a list of "KEY=value"
// entries (entries without "=" are ignored; for a repeated KEY the last entry
// wins). It feeds both the GOFLY_ variables and ${VAR} placeholders.
// WithEnviron(nil) means no environment at all, which tests want.
func WithEnviron(environ []string) LoadOption {
	environ = slices.Clone(environ)
	return loadOption{"kernel.WithEnviron(...)", func(o *loadOptions) { o.environ, o.environSet = environ, true }}
}

// WithDefaults adds values to the lowest layer, below the main files:
// starters put their defaults there. values may use nested maps, dotted keys
// ("plugins.start-timeout") or both. Given several times, later values
// override earlier ones. The map is read when LoadConfig runs.
func WithDefaults(values map[string]any) LoadOption {
	return loadOption{"kernel.WithDefaults(...)", func(o *loadOptions) { o.defaults = append(o.defaults, values) }}
}

// WithOverrides adds values to the highest layer, above the environment
// (for example a --debug flag setting debug: true). values may use nested
// maps, dotted keys or both. Given several times, later values override
// earlier ones. The map is read when LoadConfig runs.
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

// or returns c, or an empty configuration for a nil c.
func (c *Config) or() *Config {
	if c == nil {
		return emptyConfig
	}
	return c
}

// LoadConfig reads the configuration. Layers, lowest to highest:
//
//  1. defaults ([WithDefaults]);
//  2. the main sources: [WithFiles] and [WithYAML] in option order, else
//     application.yaml (else application.yml) in [WithDir] — a missing
//     default file is fine;
//  3. each active profile's file, in profile order;
//  4. the environment: for each key of the other layers, the GOFLY_
//     variable named after it (see the package doc, "Environment");
//  5. overrides ([WithOverrides]).
//
// ${VAR} and ${VAR:default} placeholders in string values of every layer are
// resolved from the environment. Every error is a *[ConfigError] (class
// [ErrConfig]) naming the file, key, value and line involved where known.
func LoadConfig(opts ...LoadOption) (*Config, error) {
	lo := loadOptions{dir: ".", environ: os.Environ()}
	for _, o := range opts {
		if o != nil {
			o.apply(&lo)
		}
	}
	env := map[string]string{}
	for _, kv := range lo.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	c, layers := &Config{lines: map[string]map[string]int{}}, []*layer(nil)
	read := func(path, name string, data []byte) error {
		var err error
		if name = cmp.Or(path, name); path != "" {
			if data, err = os.ReadFile(path); errors.Is(err, fs.ErrNotExist) {
				return &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s does not exist: it was named explicitly (WithFiles), so create it or stop naming it", path)}
			} else if err != nil {
				return &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s cannot be read", path), Err: err}
			}
		}
		tree, lines, err := parseYAML(name, data)
		if err == nil {
			c.lines[name], c.files, layers = lines, append(c.files, name), append(layers, newLayer(name, tree))
			err = expandTree(tree, name, c.lineOf, env)
		}
		return err
	}
	defaults, err := goLayer(SourceDefaults, lo.defaults, env)
	if layers = defaults; err == nil && len(lo.mains) == 0 {
		path, ok, ferr := findYAML(lo.dir, "application")
		if err = ferr; ok {
			lo.mains = []mainSource{{path: path}}
		}
	}
	profileDir, profileStem := lo.dir, "application"
	for i, m := range lo.mains {
		if err != nil {
			break
		} else if err = read(absPath(m.path), m.name, m.data); m.path != "" && !slices.ContainsFunc(lo.mains[:i], func(m mainSource) bool { return m.path != "" }) {
			profileDir, profileStem = filepath.Dir(m.path), strings.TrimSuffix(filepath.Base(m.path), filepath.Ext(m.path))
		}
	}
	if err == nil {
		c.profiles, err = activeProfiles(&lo, layers, env, c.lineOf)
	}
	for _, p := range c.profiles {
		if path, ok, ferr := findYAML(profileDir, profileStem+"-"+p); err == nil && ferr != nil {
			err = ferr
		} else if err == nil && ok {
			err = read(path, "", nil)
		}
	}
	overrides, oerr := goLayer(SourceOverrides, lo.overrides, env)
	if err = cmp.Or(err, oerr); err != nil {
		return nil, err
	}
	known, names := append(slices.Clip(layers), overrides...), map[string][]string(nil)
	namesOf := func() map[string][]string {
		if names == nil {
			names = envKeys(known)
		}
		return names
	}
	if c.env, err = goflyEnv(env, namesOf); err == nil && len(c.env) > 0 {
		var envL *layer
		envL, err = envLayer(namesOf(), c.env)
		layers = append(layers, envL)
	}
	if err != nil {
		return nil, err
	}
	c.merge(append(layers, overrides...))
	return c, c.checkEnv(namesOf)
}

// goLayer builds the defaults or overrides layer from Go maps, later maps
// over earlier ones; yaml.v3 encodes each, which is then read like a file.
func goLayer(source string, values []map[string]any, env map[string]string) ([]*layer, error) {
	tree := map[string]any{}
	for _, m := range values {
		var n yaml.Node
		if err := n.Encode(m); err != nil {
			return nil, &ConfigError{Source: source, Msg: fmt.Sprintf("config %s cannot be read", source), Err: err}
		}
		t, _, err := nodeTree(source, &n)
		if err != nil {
			return nil, err
		}
		kmaps.Merge(t, tree)
	}
	if len(values) == 0 {
		return nil, nil
	}
	return []*layer{newLayer(source, tree)}, expandTree(tree, source, func(string, string) int { return 0 }, env)
}

// findYAML returns dir/stem.yaml, else dir/stem.yml, if one exists.
func findYAML(dir, stem string) (string, bool, error) {
	for _, ext := range []string{".yaml", ".yml"} {
		path := absPath(filepath.Join(dir, stem+ext))
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return "", false, &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s is a directory: remove it or move it away", path)}
		} else if err == nil {
			return path, true, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", false, &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s cannot be read", path), Err: err}
		}
	}
	return "", false, nil
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil && p != "" {
		return abs
	}
	return p
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// activeProfiles picks the active profiles: WithProfiles, else
// GOFLY_PROFILES_ACTIVE, else gofly.profiles.active from the defaults and
// main sources. Names are validated; repeated names keep their first place.
func activeProfiles(lo *loadOptions, layers []*layer, env map[string]string, lineOf func(string, string) int) ([]string, error) {
	names, source := lo.profiles, "WithProfiles"
	if !lo.profilesSet && strings.TrimSpace(env[profilesEnv]) != "" {
		names, source = splitList(env[profilesEnv]), "env "+profilesEnv
	} else if !lo.profilesSet {
		var raw any
		for i := len(layers) - 1; i >= 0 && raw == nil; i-- {
			raw, source = kmaps.Search(layers[i].tree, strings.Split(profilesKey, ".")), layers[i].source
		}
		list, isList := raw.([]any)
		if s, isStr := raw.(string); isStr && strings.TrimSpace(s) != "" {
			names = splitList(s)
		} else if raw != nil && !isStr && !isList {
			list = []any{raw}
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, newKeyError(profilesKey, valueText(e), source, lineOf(source, profilesKey),
					fmt.Sprintf("cannot use %s as profiles: want a list of names or a comma-separated string", describe(e)))
			}
			names = append(names, strings.TrimSpace(s))
		}
	}
	var out []string
	for _, n := range names {
		if !profileName.MatchString(n) || strings.Contains(n, "..") {
			return nil, &ConfigError{Key: profilesKey, Value: n, Source: source, Msg: fmt.Sprintf("invalid profile name %q from %s: "+
				"use letters, digits, '-', '_' and '.', not starting with '.', with no path separator and no \"..\"", n, source)}
		} else if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// splitList splits a comma-separated list and trims each element.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// treeProvider hands koanf a tree that is already merged.
type treeProvider map[string]any

func (p treeProvider) ReadBytes() ([]byte, error)    { return nil, errors.ErrUnsupported }
func (p treeProvider) Read() (map[string]any, error) { return p, nil }

// merge merges the layers, lowest first, with koanf's rule: mappings merge
// key by key, anything else replaces. The layers' trees are consumed.
func (c *Config) merge(layers []*layer) {
	c.tree, c.k = map[string]any{}, koanf.New(".")
	for _, l := range layers {
		kmaps.Merge(l.tree, c.tree)
	}
	_ = c.k.Load(treeProvider(c.tree), nil) // never fails
	c.flat, _ = kmaps.Flatten(c.tree, nil, ".")
	c.keys, c.sources = make([]string, 0, len(c.flat)), make(map[string]string, len(c.flat))
	for key := range c.flat {
		c.keys = append(c.keys, key)
		for i := len(layers) - 1; i >= 0; i-- {
			if _, ok := layers[i].flat[key]; ok && layers[i].source == sourceEnv {
				c.sources[key] = "env " + envName(key)
				break
			} else if ok {
				c.sources[key] = layers[i].source
				break
			}
		}
	}
	sort.Strings(c.keys)
}

// lineOf returns the 1-based line where key, else its nearest parent, is set
// in source; 0 if unknown.
func (c *Config) lineOf(source, key string) int {
	for lines := c.or().lines[source]; len(lines) > 0; key = key[:strings.LastIndexAny(key, ".[")] {
		if l, ok := lines[key]; ok || strings.LastIndexAny(key, ".[") <= 0 {
			return l
		}
	}
	return 0
}

// Get returns the value at key: a string, bool, int, float64, []any,
// map[string]any (a subtree) or nil when the key is absent. Maps and slices
// are copies. Get("") returns the whole tree. For a key that no layer has,
// Get returns the GOFLY_ variable named after it, if set.
func (c *Config) Get(key string) any {
	c = c.or()
	if v, ok := c.flat[key]; ok {
		return copyValue(v)
	} else if key == "" || c.k.Exists(key) {
		return c.k.Get(key)
	}
	v, _ := c.lookupEnv(key)
	return v
}

// lookupEnv returns the GOFLY_ variable named after key.
func (c *Config) lookupEnv(key string) (any, bool) {
	if v, ok := c.env[envName(key)]; ok && key != "" {
		return v, true
	}
	return nil, false
}

// Exists reports whether key is set, as a value or as a subtree, by a layer
// or by the GOFLY_ variable named after it.
func (c *Config) Exists(key string) bool {
	_, ok := c.or().lookupEnv(key)
	return ok || c.or().k.Exists(key)
}

// String returns the value at key as text: strings as they are, other
// scalars formatted with fmt, lists of scalars joined with ","; "" when the
// key is absent or a subtree.
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

// Bool returns the boolean at key, or def when the key is absent. It is
// strict: a YAML boolean or the string true or false in any case; any other
// value (1, "yes", "yse" ...) is a *[ConfigError] naming the key, the value
// and its source, never a silent false.
func (c *Config) Bool(key string, def bool) (bool, error) {
	raw := c.Get(key)
	if b, ok := parseBool(raw); ok || raw == nil {
		return b || raw == nil && def, nil
	}
	return def, c.keyError(key, valueText(raw), c.Source(key), fmt.Sprintf("cannot use %s as bool: want true or false", describe(raw)))
}

// Keys returns every leaf key (dotted), sorted. An empty mapping counts as a
// leaf; a list is one leaf. A GOFLY_ variable that no layer's key names is
// not listed.
func (c *Config) Keys() []string { return slices.Clone(c.or().keys) }

// Source returns where the value at key came from: a file's absolute path,
// a [WithYAML] name, "env GOFLY_X_Y", [SourceDefaults] or [SourceOverrides];
// "" if the key is absent. For a subtree it is the source of its first leaf
// in sorted order.
func (c *Config) Source(key string) string {
	c = c.or()
	i := sort.SearchStrings(c.keys, key+".")
	if _, env := c.lookupEnv(key); c.sources[key] != "" || key == "" {
		return c.sources[key]
	} else if i < len(c.keys) && strings.HasPrefix(c.keys[i], key+".") {
		return c.sources[c.keys[i]]
	} else if env {
		return "env " + envName(key)
	}
	return ""
}

// Profiles returns the active profiles in order (whether or not each had a
// file).
func (c *Config) Profiles() []string { return slices.Clone(c.or().profiles) }

// Files returns the sources actually read, in layer order: main files (as
// absolute paths) and [WithYAML] names, then the profile files found.
func (c *Config) Files() []string { return slices.Clone(c.or().files) }

// All returns a copy of the configuration flattened to dotted leaf keys.
func (c *Config) All() map[string]any { return c.or().k.All() }

// keyError builds the *ConfigError for a bad value at key.
func (c *Config) keyError(key, value, source, detail string) *ConfigError {
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
		detail = strings.ReplaceAll(strings.ReplaceAll(detail, strconv.Quote(value), strconv.Quote(Redacted)), value, Redacted)
		value = Redacted
	}
	return &ConfigError{Key: key, Value: value, Source: source, Line: line, Msg: what + ": " + detail}
}

// Redacted stands in for the value of a secret key in errors and listings.
const Redacted = "[redacted]"

var (
	camelRE  = regexp.MustCompile(`([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])`)
	secretRE = regexp.MustCompile(`password|passwd|passphrase|secret|token|credential|apikey|privatekey|^(pwd|auth|authorization)$`)
)

// IsSecretKey reports whether a configuration key (or an environment
// variable name) holds a secret; it is the one secret policy of gofly (see
// the package doc, "Secrets"). Errors about such a key never show its
// value: ConfigError.Value and the message say [Redacted].
//
// The last segment of the key is cut into lower-case words at "-", "_" and
// camel case (apiKey and APIKey are api, key). The key is secret when a word
// contains password, passwd, passphrase, secret, token, credential, apikey
// or privatekey, or is pwd, auth or authorization, or is key after api,
// private or access; or when the segment before the last is secrets,
// credentials, passwords or tokens.
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

func parseBool(raw any) (bool, bool) {
	if b, ok := raw.(bool); ok {
		return b, true
	}
	s, _ := raw.(string)
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "true", s == "true" || s == "false"
}
