package autoconfig_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
)

func TestConditions(t *testing.T) {
	tests := []struct {
		desc     string
		yaml     string
		profiles []string
		plugins  []string
		cond     autoconfig.Condition
		str      string // the condition's String
		match    bool
		message  string
	}{
		// OnProperty: Spring's rule.
		{
			desc: "property set to true matches", yaml: "a: {b: true}",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: true,
			message: `found property "a.b" (from application.yaml) and it is not false`,
		},
		{
			desc: "property set to any text but false matches", yaml: "a: {b: whatever}",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: true,
			message: `found property "a.b" (from application.yaml) and it is not false`,
		},
		{
			desc: "empty property matches", yaml: `a: {b: ""}`,
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: true,
			message: `found property "a.b" (from application.yaml) and it is not false`,
		},
		{
			desc: "property false in any case does not match", yaml: "a: {b: FaLsE}",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: false,
			message: `property "a.b" (from application.yaml) is false`,
		},
		{
			desc: "YAML boolean false does not match", yaml: "a: {b: false}",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: false,
			message: `property "a.b" (from application.yaml) is false`,
		},
		{
			desc: "missing property does not match", yaml: "x: 1",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: false,
			message: `did not find property "a.b"`,
		},
		{
			desc: "missing property matches with MatchIfMissing", yaml: "x: 1",
			cond: autoconfig.OnProperty("a.b", autoconfig.MatchIfMissing()), str: "OnProperty(a.b, matchIfMissing)", match: true,
			message: `property "a.b" is not set; matching because of MatchIfMissing`,
		},
		{
			desc: "MatchIfMissing does not rescue a false property", yaml: "a: {b: false}",
			cond: autoconfig.OnProperty("a.b", autoconfig.MatchIfMissing()), str: "OnProperty(a.b, matchIfMissing)", match: false,
			message: `property "a.b" (from application.yaml) is false`,
		},
		{
			desc: "a section is not a property", yaml: "a: {b: {c: 1}}",
			cond: autoconfig.OnProperty("a.b"), str: "OnProperty(a.b)", match: false,
			message: `did not find property "a.b"`,
		},
		{
			desc: "having value equal in another case matches", yaml: "cache: {type: Redis}",
			cond: autoconfig.OnProperty("cache.type", autoconfig.HavingValue("redis")), str: "OnProperty(cache.type=redis)", match: true,
			message: `property "cache.type" (from application.yaml) has the expected value "redis"`,
		},
		{
			desc: "having value different does not match, and the value is not shown", yaml: "cache: {type: s3cr3t}",
			cond: autoconfig.OnProperty("cache.type", autoconfig.HavingValue("redis")), str: "OnProperty(cache.type=redis)", match: false,
			message: `property "cache.type" (from application.yaml) does not have the expected value "redis"`,
		},
		{
			desc: "having value false matches a false property", yaml: "a: {b: false}",
			cond: autoconfig.OnProperty("a.b", autoconfig.HavingValue("false")), str: "OnProperty(a.b=false)", match: true,
			message: `property "a.b" (from application.yaml) has the expected value "false"`,
		},
		{
			desc: "having value on a missing property with MatchIfMissing matches", yaml: "x: 1",
			cond: autoconfig.OnProperty("a.b", autoconfig.HavingValue("on"), autoconfig.MatchIfMissing()), str: "OnProperty(a.b=on, matchIfMissing)", match: true,
			message: `property "a.b" is not set; matching because of MatchIfMissing`,
		},
		{
			desc: "a list compares in its text form", yaml: "a: {b: [x, y]}",
			cond: autoconfig.OnProperty("a.b", autoconfig.HavingValue("x,y")), str: "OnProperty(a.b=x,y)", match: true,
			message: `property "a.b" (from application.yaml) has the expected value "x,y"`,
		},

		// OnBooleanProperty: strict booleans.
		{
			desc: "boolean true matches", yaml: "plugins: {enabled: true}",
			cond: autoconfig.OnBooleanProperty("plugins.enabled", false), str: "OnBooleanProperty(plugins.enabled, default false)", match: true,
			message: `property "plugins.enabled" (from application.yaml) is true`,
		},
		{
			desc: "string TRUE matches", yaml: `plugins: {enabled: "TRUE"}`,
			cond: autoconfig.OnBooleanProperty("plugins.enabled", false), str: "OnBooleanProperty(plugins.enabled, default false)", match: true,
			message: `property "plugins.enabled" (from application.yaml) is true`,
		},
		{
			desc: "boolean false does not match even with default true", yaml: "plugins: {enabled: false}",
			cond: autoconfig.OnBooleanProperty("plugins.enabled", true), str: "OnBooleanProperty(plugins.enabled, default true)", match: false,
			message: `property "plugins.enabled" (from application.yaml) is false`,
		},
		{
			desc: "missing takes default true", yaml: "x: 1",
			cond: autoconfig.OnBooleanProperty("plugins.enabled", true), str: "OnBooleanProperty(plugins.enabled, default true)", match: true,
			message: `property "plugins.enabled" is not set; default true`,
		},
		{
			desc: "missing takes default false", yaml: "x: 1",
			cond: autoconfig.OnBooleanProperty("plugins.enabled", false), str: "OnBooleanProperty(plugins.enabled, default false)", match: false,
			message: `property "plugins.enabled" is not set; default false`,
		},

		// OnProfile: Spring profile expressions.
		{
			desc: "single profile active", yaml: "x: 1", profiles: []string{"prod"},
			cond: autoconfig.OnProfile("prod"), str: `OnProfile("prod")`, match: true,
			message: `"prod" matches the active profiles [prod]`,
		},
		{
			desc: "single profile not active", yaml: "x: 1", profiles: []string{"dev"},
			cond: autoconfig.OnProfile("prod"), str: `OnProfile("prod")`, match: false,
			message: `"prod" does not match the active profiles [dev]`,
		},
		{
			desc: "negation with no active profile", yaml: "x: 1",
			cond: autoconfig.OnProfile("!prod"), str: `OnProfile("!prod")`, match: true,
			message: `"!prod" matches the active profiles (none)`,
		},
		{
			desc: "and needs all", yaml: "x: 1", profiles: []string{"prod"},
			cond: autoconfig.OnProfile("prod & eu"), str: `OnProfile("prod & eu")`, match: false,
			message: `"prod & eu" does not match the active profiles [prod]`,
		},
		{
			desc: "or needs one", yaml: "x: 1", profiles: []string{"eu"},
			cond: autoconfig.OnProfile("prod|eu"), str: `OnProfile("prod|eu")`, match: true,
			message: `"prod|eu" matches the active profiles [eu]`,
		},
		{
			desc: "parentheses and negation", yaml: "x: 1", profiles: []string{"b", "d"},
			cond: autoconfig.OnProfile("(a | b) & !(c | e) & d"), str: `OnProfile("(a | b) & !(c | e) & d")`, match: true,
			message: `"(a | b) & !(c | e) & d" matches the active profiles [b, d]`,
		},
		{
			desc: "double negation", yaml: "x: 1", profiles: []string{"a"},
			cond: autoconfig.OnProfile("!!a"), str: `OnProfile("!!a")`, match: true,
			message: `"!!a" matches the active profiles [a]`,
		},

		// OnPlugin.
		{
			desc: "plugin present", yaml: "x: 1", plugins: []string{"json", "csv"},
			cond: autoconfig.OnPlugin("csv"), str: `OnPlugin("csv")`, match: true,
			message: `plugin "csv" is present`,
		},
		{
			desc: "plugin absent lists the present ones sorted", yaml: "x: 1", plugins: []string{"json", "csv"},
			cond: autoconfig.OnPlugin("xml"), str: `OnPlugin("xml")`, match: false,
			message: `plugin "xml" is not present (present: csv, json)`,
		},
		{
			desc: "plugin absent with no plugins", yaml: "x: 1",
			cond: autoconfig.OnPlugin("xml"), str: `OnPlugin("xml")`, match: false,
			message: `plugin "xml" is not present (no plugins)`,
		},

		// OnCondition.
		{
			desc: "custom condition with its own message", yaml: "port: 8080",
			cond: autoconfig.OnCondition("port above 1024", func(c *kernel.Config) (bool, string) {
				return c.String("port") > "1024", "port is " + c.String("port")
			}),
			str: `OnCondition("port above 1024")`, match: true, message: "port is 8080",
		},
		{
			desc: "custom condition without a message", yaml: "x: 1",
			cond: autoconfig.OnCondition("never", func(*kernel.Config) (bool, string) { return false, "" }),
			str:  `OnCondition("never")`, match: false, message: "did not match",
		},

		// Not, Any.
		{
			desc: "Not inverts and keeps the message", yaml: "x: 1",
			cond: autoconfig.Not(autoconfig.OnProperty("a.b")), str: "Not(OnProperty(a.b))", match: true,
			message: `did not find property "a.b"`,
		},
		{
			desc: "Any stops at the first match", yaml: "b: true",
			cond: autoconfig.Any(autoconfig.OnProperty("a"), autoconfig.OnProperty("b"), autoconfig.OnProperty("c")),
			str:  "Any(OnProperty(a), OnProperty(b), OnProperty(c))", match: true,
			message: `OnProperty(a): did not find property "a"; OnProperty(b): found property "b" (from application.yaml) and it is not false`,
		},
		{
			desc: "Any with none matching", yaml: "x: 1",
			cond: autoconfig.Any(autoconfig.OnProperty("a"), autoconfig.OnProfile("p")),
			str:  `Any(OnProperty(a), OnProfile("p"))`, match: false,
			message: `OnProperty(a): did not find property "a"; OnProfile("p"): "p" does not match the active profiles (none)`,
		},
		{
			desc: "Any of nothing does not match", yaml: "x: 1",
			cond: autoconfig.Any(), str: "Any()", match: false, message: "no condition given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			env := autoconfig.Env{Config: load(t, tt.yaml, tt.profiles...), Plugins: tt.plugins}
			assert.Equal(t, tt.str, tt.cond.String())
			out := evalOne(t, env, tt.cond)
			require.Len(t, out.Conditions, 1)
			c := out.Conditions[0]
			assert.True(t, c.Evaluated)
			assert.Equal(t, tt.match, c.Match)
			assert.Equal(t, tt.message, c.Message)
			assert.Equal(t, tt.str, c.Condition)
			want := autoconfig.StateNotMatched
			if tt.match {
				want = autoconfig.StateMatched
			}
			assert.Equal(t, want, out.State)
		})
	}
}

func TestConditionErrors(t *testing.T) {
	tests := []struct {
		desc     string
		yaml     string
		cond     autoconfig.Condition
		contains []string
		key      string // when set, a *kernel.ConfigError with this key and source application.yaml is expected
	}{
		{
			desc: "boolean property that is not a boolean", yaml: "plugins: {enabled: yes-please}",
			cond:     autoconfig.OnBooleanProperty("plugins.enabled", false),
			contains: []string{`auto-configuration "subject"`, "OnBooleanProperty(plugins.enabled, default false)", `"plugins.enabled"`, "application.yaml"},
			key:      "plugins.enabled",
		},
		{
			desc: "boolean property that is a number", yaml: "plugins: {enabled: 1}",
			cond: autoconfig.OnBooleanProperty("plugins.enabled", true), key: "plugins.enabled",
			contains: []string{`"plugins.enabled"`},
		},
		{desc: "empty profile expression", yaml: "x: 1", cond: autoconfig.OnProfile("  "),
			contains: []string{`invalid profile expression "  "`, "empty"}},
		{desc: "mixed operators", yaml: "x: 1", cond: autoconfig.OnProfile("a & b | c"),
			contains: []string{`invalid profile expression "a & b | c"`, "mixed without parentheses", `"(a & b) | c"`}},
		{desc: "unclosed parenthesis", yaml: "x: 1", cond: autoconfig.OnProfile("(a | b"),
			contains: []string{"not closed"}},
		{desc: "two names without operator", yaml: "x: 1", cond: autoconfig.OnProfile("a b"),
			contains: []string{`unexpected "b"`}},
		{desc: "operator first", yaml: "x: 1", cond: autoconfig.OnProfile("& a"),
			contains: []string{`unexpected "&"`}},
		{desc: "dangling not", yaml: "x: 1", cond: autoconfig.OnProfile("a & !"),
			contains: []string{"ends where a profile name is expected"}},
		{desc: "empty parentheses", yaml: "x: 1", cond: autoconfig.OnProfile("()"),
			contains: []string{`unexpected ")"`}},
		{desc: "nil custom function", yaml: "x: 1", cond: autoconfig.OnCondition("nil", nil),
			contains: []string{`condition "nil" has a nil function`}},
		{desc: "Not of nil", yaml: "x: 1", cond: autoconfig.Not(nil),
			contains: []string{"nil condition"}},
		{desc: "an error inside Any", yaml: "x: 1", cond: autoconfig.Any(autoconfig.OnProfile("a |")),
			contains: []string{`invalid profile expression "a |"`}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			env := autoconfig.Env{Config: load(t, tt.yaml)}
			_, err := autoconfig.EvaluateEnv(env, []*autoconfig.AutoConfig{autoconfig.New("subject", autoconfig.When(tt.cond))})
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrConfig)
			assert.ErrorIs(t, err, kernel.ErrGofly)
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), c)
			}
			if tt.key != "" {
				var ce *kernel.ConfigError
				require.True(t, errors.As(err, &ce), "want a *kernel.ConfigError in %v", err)
				assert.Equal(t, tt.key, ce.Key)
				assert.Equal(t, "application.yaml", ce.Source)
			}
		})
	}
}

func TestNilConfigIsEmpty(t *testing.T) {
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, []*autoconfig.AutoConfig{
		autoconfig.New("on", autoconfig.When(autoconfig.OnProperty("a", autoconfig.MatchIfMissing()))),
		autoconfig.New("off", autoconfig.When(autoconfig.OnBooleanProperty("a", false))),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"on"}, res.Matched)
}

func TestStatePrintsItsName(t *testing.T) {
	for st, want := range map[autoconfig.State]string{
		autoconfig.StateExcluded: "excluded", autoconfig.StateMatched: "matched", autoconfig.StateNotMatched: "not matched",
	} {
		assert.Equal(t, want, string(st))
		assert.Equal(t, want, fmt.Sprint(st))
	}
}
