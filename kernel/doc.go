// Package kernel is the base of gofly: the error hierarchy, the
// configuration (on koanf v2) and the logger (on zap). It imports no other
// gofly package.
//
// # Errors
//
// Every error gofly returns belongs to one hierarchy rooted at [ErrGofly];
// match a class with errors.Is and reach the facts with errors.As and the
// typed errors ([*ConfigError], [*PluginError], [*ResolutionError],
// [*ExtensionError], [*Error]). Configuration errors are always a
// *ConfigError of class [ErrConfig] whose Key, Value, Source and Line are
// filled where known, with messages of the form
//
//	config key "plugins.enabled" in /app/application.yaml: cannot use "yse" as bool: want true or false
//	config file /app/application.yaml line 4: invalid YAML: mapping values are not allowed in this context
//
// # Layers
//
// [LoadConfig] merges these layers, lowest to highest; a higher layer's
// value replaces a lower one's, and mappings merge key by key:
//
//  1. defaults given with [WithDefaults] (starters put theirs here);
//  2. the main sources: application.yaml (else application.yml) in the
//     directory of [WithDir] (default "."), or instead the files of
//     [WithFiles] and the in-memory sources of [WithYAML] in option order;
//  3. the profile files, one per active profile in order:
//     application-<profile>.yaml (else .yml) next to the main file;
//  4. the environment: GOFLY_ variables;
//  5. overrides given with [WithOverrides] (command-line flags).
//
// A missing application.yaml is fine (the configuration is then empty); a
// file named with WithFiles that is missing is an error. The active profiles
// come from [WithProfiles], else GOFLY_PROFILES_ACTIVE (comma-separated),
// else the key gofly.profiles.active (a list, or a comma-separated string) of
// the defaults and main sources. A profile without a file is fine. A profile
// name is letters, digits, '-', '_' and '.', not starting with '.' and
// without "..": anything else is an error.
//
// Dots in YAML keys mean nesting ("a.b: 1" is a: {b: 1}). Keys are case
// sensitive. Kebab case (start-timeout) is the canonical form.
//
// # Environment
//
// A variable GOFLY_<NAME>=<value> sets a key: the name after the prefix is
// lower-cased and split at "_". Each key name may take one or more of those
// segments: the segments are compared with the key name lower-cased and
// without "-" and "_", so both GOFLY_PLUGINS_START_TIMEOUT and
// GOFLY_PLUGINS_STARTTIMEOUT set plugins.start-timeout. Keys are matched
//
//   - at load time, against the keys of the other layers (defaults, files,
//     overrides); the longest match wins, segments left over become one key
//     level each (GOFLY_NEW_THING sets new.thing when nothing is known);
//   - again at Bind time, for variables that did not match fully at load
//     time, against the fields of the target struct (map keys take one or
//     more segments joined with "-"; fields of type any take the rest).
//
// Ties go to the match whose earlier names take fewer segments, then to
// names in sorted order. Two variables that set the same key, or one key and
// a key under it, are an error. GOFLY_PROFILES_ACTIVE appears as
// gofly.profiles.active. Names with characters other than letters, digits
// and "_", or with an empty segment (GOFLY__X, GOFLY_X_), are ignored. Values
// are strings; binding converts them.
//
// # Placeholders
//
// String values of every layer may contain ${VAR} or ${VAR:default}, resolved
// from the whole environment ([WithEnviron] or os.Environ), not only GOFLY_
// variables. The default runs to the first "}" and may contain ":"; it is
// used only when VAR is unset (a VAR set to "" gives ""). $${ writes a
// literal ${. Resolved text is not scanned again. An unresolved ${VAR}
// without default, an unclosed ${ or an empty name is an error naming the
// key, the placeholder and the source.
//
// # Binding
//
// [Bind] and [BindInto] copy a subtree onto a Go value:
//
//   - a struct field is named by its `koanf:"name"` tag, else by its name
//     lower-cased (StartTimeout is starttimeout); `koanf:"-"` skips it;
//     embedded structs without a tag have their fields promoted;
//   - `default:"..."` tags are parsed like environment values: true/false,
//     numbers, durations ("15s"), comma-separated lists ("a,b");
//   - supported types: string, bool, integers, floats, time.Duration,
//     encoding.TextUnmarshaler types, structs, pointers, slices (a YAML list
//     or a comma-separated string), maps with string keys, and any or
//     map[string]any for free-form subtrees (not checked inside);
//   - booleans are true or false in any case, nothing else: 1, yes and yse
//     are errors, never a silent false;
//   - keys are strict: a key under the prefix that no field takes is an
//     error naming the full key, its source and the known keys;
//   - a null value leaves the field as it is; an absent prefix binds the
//     defaults only.
//
// # Logging
//
// [NewLogger] builds a zap logger from logging.level (debug, info, warn,
// error, dpanic, panic, fatal) and logging.format (console or json); see
// [LoggingConfig]. [FxEventLogger] routes fx's events through it at debug
// level, so an app that logs at info shows only fx's failures.
//
// # Concurrency
//
// A [*Config] never changes after LoadConfig returns; all its methods, Bind
// and BindInto (on distinct targets) are safe for concurrent use.
//
// # Caveats
//
//   - application.yml is ignored when application.yaml exists.
//   - Source reports, for a subtree, the source of its first leaf in sorted
//     order; leaves of one subtree may come from different layers.
//   - A variable matched only at Bind time (its key is in no loaded layer) is
//     seen by Bind under the field's key, but Get, Keys and Source keep its
//     load-time key (GOFLY_X_START_TIMEOUT as x.start.timeout).
//   - Map keys cannot be spelled with "_" from the environment (segments of a
//     map key are joined with "-"); put such keys in a file.
//   - Binding reports the first problem found, in sorted key order.
package kernel
