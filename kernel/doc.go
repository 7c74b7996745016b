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
// value replaces a lower one's, and mappings merge key by key (koanf's rule):
//
//  1. defaults given with [WithDefaults] (starters put theirs here);
//  2. the main sources: application.yaml (else application.yml) in the
//     directory of [WithDir] (default "."), or instead the files of
//     [WithFiles] and the in-memory sources of [WithYAML] in option order;
//  3. the profile files, one per active profile in order:
//     application-<profile>.yaml (else .yml) next to the main file, or, with
//     WithFiles("conf/app.yaml"), conf/app-<profile>.yaml;
//  4. the environment: GOFLY_ variables (see "Environment");
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
// Dots in keys mean nesting ("a.b: 1" is a: {b: 1}); setting one key twice
// in one source (a: {b: 1} and a.b: 2) is an error. Keys are case
// sensitive; kebab case (start-timeout) is the canonical form. Go values
// given to WithDefaults and WithOverrides are encoded like YAML by yaml.v3
// (a time.Duration becomes "15s", a []byte a list of numbers).
//
// YAML is decoded by yaml.v3, whose guard rejects documents that expand
// aliases without bound (billion laughs, chains of merge keys) in
// milliseconds. A key reached through an alias reports the line of the
// alias; one brought in by a merge key (<<) the line of the mapping that
// merges it. YAML timestamps stay the strings written.
//
// # Environment
//
// The environment name of a key is GOFLY_ and the key in upper case, with
// "." and "-" turned into "_": plugins.start-timeout is
// GOFLY_PLUGINS_START_TIMEOUT. The name goes from the key to the variable,
// as in Spring and Viper, never back:
//
//   - every key that a layer has (defaults, files, profiles, overrides) takes
//     the value of its variable, if set, in the environment layer;
//   - a key that no layer has but that code asks for — with [Config.Get] and
//     the other accessors, or as a field of the struct given to [Bind] — also
//     takes the value of its variable, so GOFLY_MYAPP_PORT works for
//     Get("myapp.port") and for a Port field bound at myapp alike. A map
//     entry that no layer has is never made up from the environment.
//
// So Get, Bind and every accessor agree on what the environment gives. One
// variable may serve several keys with the same name (a.b-c and a.b.c);
// two variables that set a key and a key under it (GOFLY_A and GOFLY_A_B,
// where one layer has a and another a.b) are an error. GOFLY_PROFILES_ACTIVE
// is the name of gofly.profiles.active and selects the profiles. Values are
// strings, with placeholders resolved; binding converts them.
//
// A GOFLY_ variable that names no key of a layer is ignored — Keys and All
// do not list it — unless gofly.strict-env is true (in any layer, or as
// GOFLY_GOFLY_STRICT_ENV): then LoadConfig fails with a *ConfigError naming
// the variable (and its value, unless [IsSecretKey] says the name looks
// secret). With strict-env on, give every key that you set from the
// environment a value in some layer (a default will do).
//
// # Placeholders
//
// String values of every layer may contain ${VAR} or ${VAR:default}, resolved
// from the whole environment ([WithEnviron] or os.Environ), not only GOFLY_
// variables. The default runs to the first "}" and may contain ":"; it is
// used only when VAR is unset (a VAR set to "" gives ""). $${ writes a
// literal ${. Resolved text is not scanned again. An unresolved ${VAR}
// without default, an unclosed ${ or an empty name is an error naming the
// key, the placeholder, the source and the line; of several in one file, the
// first in the file is reported.
//
// # Binding
//
// [Bind] copies a subtree onto a new Go value with mapstructure and
// one strict decode hook:
//
//   - a struct field is named by its `koanf:"name"` tag, else by its name
//     lower-cased (StartTimeout is starttimeout); `koanf:"-"` skips it;
//     embedded structs and pointers to structs have their fields promoted;
//   - `default:"..."` tags are parsed like environment values: true/false,
//     numbers, durations ("15s"), comma-separated lists ("a,b"); a tag gives
//     its value to a field that no layer or variable sets (or sets to null)
//     in a struct that binding creates: Bind's value, a new map entry, list
//     element or pointer;
//   - supported types: string, bool, integers and floats (range-checked,
//     never truncated), time.Duration (a bare number other than 0 has no
//     unit: an error), encoding.TextUnmarshaler types, structs, pointers,
//     slices (a YAML list or a comma-separated string), maps with string
//     keys, and any or map[string]any for free-form subtrees (not checked
//     inside);
//   - booleans are true or false in any case, nothing else: 1, yes and yse
//     are errors, never a silent false; a number is not silently turned into
//     text when it would lose its form (version: 1.10 is an error: quote it);
//   - keys are strict: a key under the prefix that no field takes is an
//     error naming the full key, its source, its line and the known keys;
//   - a null value leaves the field as it is; an absent prefix binds the
//     defaults only;
//   - of several problems, an unknown key of a mapping is reported before
//     the values in it, otherwise the first in sorted key order.
//
// A nil *Config is empty: Bind[T](nil, "") gives a T with its defaults only.
//
// # Secrets
//
// [IsSecretKey] is gofly's one secret policy: errors about a secret key
// never show its value (ConfigError.Value and the message say "[redacted]"),
// and every part of gofly that prints configuration hides it. Only the last
// segment of a key counts, cut into lower-case words at "-", "_" and camel
// case (apiKey and APIKey are api, key). The key is secret when a word
//
//   - contains password, passwd, passphrase, secret, token, credential,
//     apikey or privatekey (db.password, dbPassword, DB_PASSWORD,
//     client-secret, accessToken, aws.credentials);
//   - is pwd, auth or authorization (smtp.pwd, basic-auth);
//   - is key after api, private or access (api-key, private_key, accessKey);
//
// or when the segment before the last is secrets, credentials, passwords or
// tokens (secrets.db, credentials.user). passwords.policy.min-length and
// cache.key are not secret. The policy errs on the side of hiding:
// token-ttl is secret too.
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
// are safe for concurrent use.
//
// # Caveats
//
//   - application.yml is ignored when application.yaml exists.
//   - Source reports, for a subtree, the source of its first leaf in sorted
//     order; leaves of one subtree may come from different layers.
//   - Dotted keys inside a mapping that is an element of a list are not
//     split into levels.
//   - A YAML syntax error carries the line yaml.v3 names: near the problem,
//     sometimes a line or a block above it (or the end of the file, for an
//     unclosed quote); for a few errors on the first line and for an unknown
//     anchor it names none, and the error names the file only.
//   - Two struct fields with the same key name both take its value.
package kernel
