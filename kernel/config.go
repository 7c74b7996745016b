package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/knadh/koanf/v2"
)

// Source names used by [Config.Source] for the layers that are not files.
const (
	// SourceDefaults names the values given with [WithDefaults].
	SourceDefaults = "defaults"
	// SourceOverrides names the values given with [WithOverrides].
	SourceOverrides = "overrides"
)

// Config is the loaded, immutable configuration: every layer (defaults, main
// files, profile files, environment, overrides) merged into one tree of
// dotted keys, with the source of every value remembered.
//
// A Config is safe for concurrent reads; nothing changes it after
// [LoadConfig] returns. Values handed out (Get, All, Keys ...) are copies.
// A nil *Config reads as an empty configuration.
type Config struct {
	v        *view
	lines    map[string]map[string]int // source -> key -> 1-based line
	layers   []*layer                  // lowest first; used to rebuild a view at Bind time
	env      []envVar                  // GOFLY_ variables, sorted by name
	profiles []string
	files    []string
}

// view is one merged state of the layers: the koanf store, its leaves and
// sorted leaf keys, and the source of each leaf.
type view struct {
	k       *koanf.Koanf
	flat    map[string]any    // leaf key -> value
	keys    []string          // sorted leaf keys
	sources map[string]string // leaf key -> source
}

type layerKind int

const (
	layerDefaults layerKind = iota
	layerMain
	layerProfile
	layerEnv
	layerOverrides
)

// layer is one source of values, already normalised (nested
// map[string]any, dotted keys split) and with placeholders resolved.
type layer struct {
	kind   layerKind
	source string            // file path, YAML name, "defaults", "overrides"; "" for env
	tree   map[string]any    // nested values
	flat   map[string]any    // leaf key -> value
	keySrc map[string]string // env only: leaf key -> "env NAME"
}

func (l *layer) sourceOf(key string) string {
	if l.keySrc != nil {
		return l.keySrc[key]
	}
	return l.source
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

type mainSource struct {
	path string // a file named with WithFiles
	name string // an in-memory YAML source
	data []byte
}

type loadOptions struct {
	dir         string
	mains       []mainSource
	hasFiles    bool
	profiles    []string
	profilesSet bool
	environ     []string
	environSet  bool
	defaults    []map[string]any
	overrides   []map[string]any
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
		o.hasFiles = true
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
	if name == "" {
		name = "yaml"
	}
	data = slices.Clone(data)
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
	return loadOption{fmt.Sprintf("kernel.WithProfiles(%q)", profiles), func(o *loadOptions) {
		o.profiles, o.profilesSet = profiles, true
	}}
}

// WithEnviron replaces os.Environ() as the environment: a list of "KEY=value"
// entries (entries without "=" are ignored; for a repeated KEY the last entry
// wins). It feeds both the GOFLY_ layer and ${VAR} placeholders.
// WithEnviron(nil) means no environment at all, which tests want.
func WithEnviron(environ []string) LoadOption {
	environ = slices.Clone(environ)
	return loadOption{"kernel.WithEnviron(...)", func(o *loadOptions) {
		o.environ, o.environSet = environ, true
	}}
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
	return &Config{v: emptyView()}
}

func emptyView() *view {
	return &view{k: koanf.New("."), flat: map[string]any{}, sources: map[string]string{}}
}

// treeProvider hands koanf a tree that is already normalised and private to
// the view, without the deep copy confmap makes.
type treeProvider map[string]any

func (p treeProvider) ReadBytes() ([]byte, error) {
	// Never called: Load is given no parser, so it calls Read.
	return nil, &ConfigError{Msg: "kernel: the configuration tree has no bytes form"}
}

func (p treeProvider) Read() (map[string]any, error) { return p, nil }

// LoadConfig reads the configuration. Layers, lowest to highest:
//
//  1. defaults ([WithDefaults]);
//  2. the main sources: [WithFiles] and [WithYAML] in option order, else
//     application.yaml (else application.yml) in [WithDir] — a missing
//     default file is fine;
//  3. each active profile's file, in profile order;
//  4. the environment: GOFLY_ variables (see the package doc for the rule);
//  5. overrides ([WithOverrides]).
//
// ${VAR} and ${VAR:default} placeholders in string values of every layer are
// resolved from the environment. Every error is a *[ConfigError] (class
// [ErrConfig]) naming the file, key, value and line involved where known.
func LoadConfig(opts ...LoadOption) (*Config, error) {
	var lo loadOptions
	for _, o := range opts {
		if o != nil {
			o.apply(&lo)
		}
	}
	environ := lo.environ
	if !lo.environSet {
		environ = os.Environ()
	}
	env := parseEnviron(environ)

	c := &Config{lines: map[string]map[string]int{}}

	// 1. defaults.
	if len(lo.defaults) > 0 {
		l, err := goLayer(layerDefaults, SourceDefaults, lo.defaults, env)
		if err != nil {
			return nil, err
		}
		c.layers = append(c.layers, l)
	}

	// 2. main sources.
	dir := lo.dir
	if dir == "" {
		dir = "."
	}
	profileDir, profileStem := dir, "application"
	if len(lo.mains) == 0 {
		path, ok, err := findYAML(dir, "application")
		if err != nil {
			return nil, err
		}
		if ok {
			if err := c.addFile(layerMain, path, env); err != nil {
				return nil, err
			}
		}
	}
	firstFile := true
	for _, m := range lo.mains {
		if m.path == "" {
			if err := c.addYAML(layerMain, m.name, m.data, env); err != nil {
				return nil, err
			}
			continue
		}
		path := absPath(m.path)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &ConfigError{Source: path, Msg: fmt.Sprintf(
				"config file %s does not exist: it was named explicitly (WithFiles), so create it or stop naming it", path)}
		}
		if err := c.addFile(layerMain, path, env); err != nil {
			return nil, err
		}
		if firstFile {
			firstFile = false
			profileDir = filepath.Dir(path)
			base := filepath.Base(path)
			profileStem = strings.TrimSuffix(base, filepath.Ext(base))
		}
	}

	// 3. profiles.
	profiles, err := c.activeProfiles(&lo, env)
	if err != nil {
		return nil, err
	}
	c.profiles = profiles
	for _, p := range profiles {
		path, ok, err := findYAML(profileDir, profileStem+"-"+p)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := c.addFile(layerProfile, path, env); err != nil {
				return nil, err
			}
		}
	}

	// 5. overrides (loaded before the environment so that their keys are
	// known to the environment rule; layered above it).
	var over *layer
	if len(lo.overrides) > 0 {
		if over, err = goLayer(layerOverrides, SourceOverrides, lo.overrides, env); err != nil {
			return nil, err
		}
	}

	// 4. environment.
	known := func() *keyTrie {
		t := newKeyTrie()
		for _, l := range c.layers {
			t.addTree(l.tree)
		}
		if over != nil {
			t.addTree(over.tree)
		}
		return t
	}
	vars, err := envVars(env, known)
	if err != nil {
		return nil, err
	}
	c.env = vars
	envL, err := envLayer(vars, nil)
	if err != nil {
		return nil, err
	}
	if envL != nil {
		c.layers = append(c.layers, envL)
	}
	if over != nil {
		c.layers = append(c.layers, over)
	}

	c.v = mergeLayers(c.layers)
	return c, nil
}

// findYAML returns dir/stem.yaml, else dir/stem.yml, if one exists.
func findYAML(dir, stem string) (string, bool, error) {
	for _, ext := range []string{".yaml", ".yml"} {
		path := absPath(filepath.Join(dir, stem+ext))
		fi, err := os.Stat(path)
		switch {
		case err == nil && fi.IsDir():
			return "", false, &ConfigError{Source: path, Msg: fmt.Sprintf(
				"config file %s is a directory: remove it or move it away", path)}
		case err == nil:
			return path, true, nil
		case errors.Is(err, fs.ErrNotExist):
			continue
		default:
			return "", false, &ConfigError{Source: path, Msg: fmt.Sprintf(
				"config file %s cannot be read", path), Err: err}
		}
	}
	return "", false, nil
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

func (c *Config) addFile(kind layerKind, path string, env map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &ConfigError{Source: path, Msg: fmt.Sprintf("config file %s cannot be read", path), Err: err}
	}
	return c.addYAML(kind, path, data, env)
}

func (c *Config) addYAML(kind layerKind, source string, data []byte, env map[string]string) error {
	tree, lines, err := parseYAML(source, data)
	if err != nil {
		return err
	}
	c.lines[source] = lines
	l := &layer{kind: kind, source: source, tree: tree}
	if err := expandTree(tree, "", l.sourceOf, c.lineOf, env); err != nil {
		return err
	}
	l.flat = flatten(tree)
	c.layers = append(c.layers, l)
	c.files = append(c.files, source)
	return nil
}

// goLayer builds the defaults or overrides layer from Go maps.
func goLayer(kind layerKind, source string, maps []map[string]any, env map[string]string) (*layer, error) {
	tree := map[string]any{}
	for _, m := range maps {
		t, err := normalizeGo(source, m)
		if err != nil {
			return nil, err
		}
		mergeInto(tree, t)
	}
	l := &layer{kind: kind, source: source, tree: tree}
	if err := expandTree(tree, "", l.sourceOf, func(string, string) int { return 0 }, env); err != nil {
		return nil, err
	}
	l.flat = flatten(tree)
	return l, nil
}

// activeProfiles picks the active profiles: WithProfiles, else
// GOFLY_PROFILES_ACTIVE, else gofly.profiles.active from the defaults and
// main sources. Names are validated; repeated names keep their first place.
func (c *Config) activeProfiles(lo *loadOptions, env map[string]string) ([]string, error) {
	var names []string
	var source string
	switch {
	case lo.profilesSet:
		names, source = lo.profiles, "WithProfiles"
	case strings.TrimSpace(env[profilesEnv]) != "":
		names, source = splitList(env[profilesEnv]), "env "+profilesEnv
	default:
		raw, src := lookupLayers(c.layers, profilesKey)
		if raw == nil {
			return nil, nil
		}
		source = src
		switch r := raw.(type) {
		case string:
			if strings.TrimSpace(r) == "" {
				return nil, nil
			}
			names = splitList(r)
		case []any:
			for _, e := range r {
				s, ok := e.(string)
				if !ok {
					return nil, c.keyError(profilesKey, fmt.Sprint(e), source,
						fmt.Sprintf("cannot use %s as a profile name: want a list of names or a comma-separated string", describe(e)))
				}
				names = append(names, strings.TrimSpace(s))
			}
		default:
			return nil, c.keyError(profilesKey, fmt.Sprint(raw), source,
				fmt.Sprintf("cannot use %s as profiles: want a list of names or a comma-separated string", describe(raw)))
		}
	}
	var out []string
	for _, n := range names {
		if !validProfile(n) {
			return nil, &ConfigError{Key: profilesKey, Value: n, Source: source, Msg: fmt.Sprintf(
				"invalid profile name %q from %s: use letters, digits, '-', '_' and '.', not starting with '.', with no path separator and no \"..\"",
				n, source)}
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// lookupLayers returns the value at key in the highest layer that has it,
// and that layer's source.
func lookupLayers(layers []*layer, key string) (any, string) {
	parts := strings.Split(key, ".")
	for i := len(layers) - 1; i >= 0; i-- {
		var cur any = layers[i].tree
		for _, p := range parts {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[p]
		}
		if cur != nil {
			return cur, layers[i].sourceOf(key)
		}
	}
	return nil, ""
}

func validProfile(name string) bool {
	if name == "" || name[0] == '.' || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// splitList splits a comma-separated list and trims each element.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// mergeLayers merges the layers, lowest first, into a new view, with
// koanf's rule: mappings merge key by key, anything else replaces. The
// layers' trees are copied, never shared, so they can be merged again at
// Bind time.
func mergeLayers(layers []*layer) *view {
	tree := map[string]any{}
	for _, l := range layers {
		mergeInto(tree, l.tree)
	}
	v := emptyView()
	_ = v.k.Load(treeProvider(tree), nil) // treeProvider.Read never fails
	v.flat = flatten(tree)
	v.keys = v.k.Keys()
	for _, key := range v.keys {
		for i := len(layers) - 1; i >= 0; i-- {
			if _, ok := layers[i].flat[key]; ok {
				v.sources[key] = layers[i].sourceOf(key)
				break
			}
		}
	}
	return v
}

// sourceOf returns the source of a leaf key, or of the first leaf (in sorted
// order) under a subtree key; "" if the key is absent.
func (v *view) sourceOf(key string) string {
	if s, ok := v.sources[key]; ok {
		return s
	}
	prefix := key + "."
	if key == "" {
		prefix = ""
	}
	i := sort.SearchStrings(v.keys, prefix)
	if i < len(v.keys) && strings.HasPrefix(v.keys[i], prefix) {
		return v.sources[v.keys[i]]
	}
	return ""
}

// lineOf returns the 1-based line where key is set in source, or 0.
func (c *Config) lineOf(source, key string) int {
	if c == nil {
		return 0
	}
	return c.lines[source][key]
}

func (c *Config) view() *view {
	if c == nil || c.v == nil {
		return emptyView()
	}
	return c.v
}

// Get returns the value at key: a string, bool, int, float64, []any,
// map[string]any (a subtree) or nil when the key is absent. Maps and slices
// are copies. Get("") returns the whole tree.
func (c *Config) Get(key string) any {
	v := c.view()
	if val, ok := v.flat[key]; ok {
		return copyValue(val)
	}
	return v.k.Get(key)
}

// Exists reports whether key is set, as a value or as a subtree.
func (c *Config) Exists(key string) bool { return c.view().k.Exists(key) }

// String returns the value at key as text: strings as they are, other
// scalars formatted with fmt, lists of scalars joined with ","; "" when the
// key is absent or a subtree.
func (c *Config) String(key string) string {
	switch v := c.Get(key).(type) {
	case nil, map[string]any:
		return ""
	case string:
		return v
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
	if raw == nil {
		return def, nil
	}
	b, ok := parseBool(raw)
	if !ok {
		return def, c.keyError(key, valueText(raw), c.Source(key),
			fmt.Sprintf("cannot use %s as bool: want true or false", describe(raw)))
	}
	return b, nil
}

// Keys returns every leaf key (dotted), sorted. An empty mapping counts as a
// leaf; a list is one leaf.
func (c *Config) Keys() []string { return slices.Clone(c.view().keys) }

// Source returns where the value at key came from: a file's absolute path,
// a [WithYAML] name, "env GOFLY_X_Y", [SourceDefaults] or [SourceOverrides];
// "" if the key is absent. For a subtree it is the source of its first leaf
// in sorted order.
func (c *Config) Source(key string) string { return c.view().sourceOf(key) }

// Profiles returns the active profiles in order (whether or not each had a
// file).
func (c *Config) Profiles() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.profiles)
}

// Files returns the sources actually read, in layer order: main files (as
// absolute paths) and [WithYAML] names, then the profile files found.
func (c *Config) Files() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.files)
}

// All returns a copy of the configuration flattened to dotted leaf keys.
func (c *Config) All() map[string]any { return c.view().k.All() }

// keyError builds the *ConfigError for a bad value at key:
// `config key "k" in source: detail`.
func (c *Config) keyError(key, value, source, detail string) *ConfigError {
	return newKeyError(key, value, source, c.lineOf(source, key), detail)
}

func newKeyError(key, value, source string, line int, detail string) *ConfigError {
	where := ""
	if source != "" {
		where = " in " + source
	}
	if value != "" && IsSecretKey(key) {
		detail = strings.ReplaceAll(detail, strconv.Quote(value), strconv.Quote(Redacted))
		detail = strings.ReplaceAll(detail, value, Redacted)
		value = Redacted
	}
	return &ConfigError{Key: key, Value: value, Source: source, Line: line,
		Msg: fmt.Sprintf("config key %q%s: %s", key, where, detail)}
}

// Redacted stands in for the value of a secret key in errors and listings.
const Redacted = "[redacted]"

// secretWords are the words that make a key secret (see IsSecretKey).
var secretWords = []string{"password", "passwd", "secret", "token", "credential", "apikey", "api-key", "api_key", "private-key", "privatekey"}

// IsSecretKey reports whether a configuration key holds a secret: whether
// its last segment contains password, passwd, secret, token, credential,
// apikey (or api-key, api_key) or private-key, in any case. Errors about such
// a key never show its value: ConfigError.Value and the message say
// [redacted] instead.
func IsSecretKey(key string) bool {
	last := strings.ToLower(key[strings.LastIndexByte(key, '.')+1:])
	for _, w := range secretWords {
		if strings.Contains(last, w) {
			return true
		}
	}
	return false
}

func parseBool(raw any) (bool, bool) {
	switch v := raw.(type) {
	case bool:
		return v, true
	case string:
		switch s := strings.TrimSpace(v); {
		case strings.EqualFold(s, "true"):
			return true, true
		case strings.EqualFold(s, "false"):
			return false, true
		}
	}
	return false, false
}
