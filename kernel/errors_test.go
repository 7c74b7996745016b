package kernel_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gofly-framework/gofly/kernel"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// allSentinels lists every sentinel with its ancestors, nearest first.
var allSentinels = []struct {
	name      string
	err       error
	ancestors []error
}{
	{"ErrGofly", kernel.ErrGofly, nil},
	{"ErrConfig", kernel.ErrConfig, []error{kernel.ErrGofly}},
	{"ErrPlugin", kernel.ErrPlugin, []error{kernel.ErrGofly}},
	{"ErrPluginLoad", kernel.ErrPluginLoad, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrPluginStart", kernel.ErrPluginStart, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrPluginStop", kernel.ErrPluginStop, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrPluginState", kernel.ErrPluginState, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrPluginResolution", kernel.ErrPluginResolution, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrExtension", kernel.ErrExtension, []error{kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrUnknownPoint", kernel.ErrUnknownPoint, []error{kernel.ErrExtension, kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrNoExtensions", kernel.ErrNoExtensions, []error{kernel.ErrExtension, kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrNotImplemented", kernel.ErrNotImplemented, []error{kernel.ErrExtension, kernel.ErrPlugin, kernel.ErrGofly}},
	{"ErrDuplicatePoint", kernel.ErrDuplicatePoint, []error{kernel.ErrExtension, kernel.ErrPlugin, kernel.ErrGofly}},
}

func TestSentinelAncestry(t *testing.T) {
	for _, tt := range allSentinels {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.err, tt.err)
			assert.True(t, errors.Is(tt.err, kernel.ErrGofly))
			for _, a := range tt.ancestors {
				assert.ErrorIs(t, tt.err, a)
			}
			// No sentinel matches a sentinel that is not its ancestor.
			for _, other := range allSentinels {
				if other.err == tt.err || contains(tt.ancestors, other.err) {
					continue
				}
				assert.NotErrorIs(t, tt.err, other.err, "%s must not match %s", tt.name, other.name)
			}
			// Wrapped by fmt.Errorf, the chain still holds.
			wrapped := fmt.Errorf("context: %w", tt.err)
			assert.ErrorIs(t, wrapped, tt.err)
			for _, a := range tt.ancestors {
				assert.ErrorIs(t, wrapped, a)
			}
			assert.NotEmpty(t, tt.err.Error())
		})
	}
}

func contains(list []error, err error) bool {
	for _, e := range list {
		if e == err {
			return true
		}
	}
	return false
}

func TestTypedErrors(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	tests := []struct {
		name    string
		err     error
		class   error
		msg     string
		checkAs func(t *testing.T, err error)
	}{
		{
			name: "Error", class: kernel.ErrPluginState, msg: "plugin \"a\" is unknown: unexpected EOF",
			err: &kernel.Error{Class: kernel.ErrPluginState, Msg: "plugin \"a\" is unknown", Err: cause},
			checkAs: func(t *testing.T, err error) {
				var e *kernel.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, kernel.ErrPluginState, e.Class)
			},
		},
		{
			name: "ConfigError", class: kernel.ErrConfig, msg: "bad key: unexpected EOF",
			err: &kernel.ConfigError{Key: "a.b", Value: "v", Source: "s.yaml", Line: 3, Msg: "bad key", Err: cause},
			checkAs: func(t *testing.T, err error) {
				var e *kernel.ConfigError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "a.b", e.Key)
				assert.Equal(t, 3, e.Line)
			},
		},
		{
			name: "PluginError", class: kernel.ErrPluginStart, msg: "plugin \"p\" failed to start: unexpected EOF",
			err: &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: "p", Op: "start", Msg: "plugin \"p\" failed to start", Err: cause},
			checkAs: func(t *testing.T, err error) {
				var e *kernel.PluginError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "p", e.PluginID)
			},
		},
		{
			name: "ResolutionError", class: kernel.ErrPluginResolution, msg: "cycle: unexpected EOF",
			err: &kernel.ResolutionError{PluginID: "a", Cycle: []string{"a", "b", "a"}, Msg: "cycle", Err: cause},
			checkAs: func(t *testing.T, err error) {
				var e *kernel.ResolutionError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, []string{"a", "b", "a"}, e.Cycle)
			},
		},
		{
			name: "ExtensionError", class: kernel.ErrUnknownPoint, msg: "point \"x\" is unknown: unexpected EOF",
			err: &kernel.ExtensionError{Class: kernel.ErrUnknownPoint, PointID: "x", Msg: "point \"x\" is unknown", Err: cause},
			checkAs: func(t *testing.T, err error) {
				var e *kernel.ExtensionError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "x", e.PointID)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.msg, tt.err.Error())
			assert.ErrorIs(t, tt.err, tt.class)
			assert.ErrorIs(t, tt.err, kernel.ErrGofly)
			assert.ErrorIs(t, tt.err, cause)
			tt.checkAs(t, fmt.Errorf("wrapped: %w", tt.err))

			u, ok := tt.err.(interface{ Unwrap() []error })
			require.True(t, ok)
			assert.Equal(t, []error{tt.class, cause}, u.Unwrap())
		})
	}
}

func TestTypedErrorsWithoutCause(t *testing.T) {
	tests := []struct {
		name  string
		err   interface{ Unwrap() []error }
		class error
	}{
		{"Error", &kernel.Error{Class: kernel.ErrConfig, Msg: "m"}, kernel.ErrConfig},
		{"Error without class", &kernel.Error{Msg: "m"}, kernel.ErrGofly},
		{"ConfigError", &kernel.ConfigError{Msg: "m"}, kernel.ErrConfig},
		{"PluginError without class", &kernel.PluginError{Msg: "m"}, kernel.ErrGofly},
		{"ResolutionError", &kernel.ResolutionError{Msg: "m"}, kernel.ErrPluginResolution},
		{"ExtensionError", &kernel.ExtensionError{Class: kernel.ErrNoExtensions, Msg: "m"}, kernel.ErrNoExtensions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []error{tt.class}, tt.err.Unwrap())
			assert.Equal(t, "m", tt.err.(error).Error())
			assert.True(t, errors.Is(tt.err.(error), kernel.ErrGofly))
		})
	}
	// A cause alone makes the message.
	assert.Equal(t, "boom", (&kernel.ConfigError{Err: errors.New("boom")}).Error())
	assert.False(t, errors.Is(errors.New("other"), kernel.ErrGofly))
}

// TestTypedErrorsWithoutMessage checks that an error with neither Msg nor
// cause still says what it is about, never "".
func TestTypedErrorsWithoutMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Error", &kernel.Error{Class: kernel.ErrPluginState}, "plugin state error"},
		{"Error zero", &kernel.Error{}, "gofly error"},
		{"ConfigError", &kernel.ConfigError{Key: "a.b", Source: "/app/application.yaml", Line: 3},
			`config key "a.b" in /app/application.yaml line 3: configuration error`},
		{"ConfigError with value", &kernel.ConfigError{Key: "a.b", Value: "x", Source: "env GOFLY_A_B"},
			`config key "a.b" in env GOFLY_A_B: configuration error (value "x")`},
		{"ConfigError about a file", &kernel.ConfigError{Source: "/app/application.yaml"}, "config file /app/application.yaml: configuration error"},
		{"ConfigError zero", &kernel.ConfigError{}, "configuration error"},
		{"PluginError", &kernel.PluginError{Class: kernel.ErrPluginStart, PluginID: "p", Op: "start"}, `plugin "p": start: plugin start error`},
		{"PluginError zero", &kernel.PluginError{}, "gofly error"},
		{"ResolutionError missing", &kernel.ResolutionError{PluginID: "b", Dependency: "a"}, `plugin "b": dependency "a": plugin resolution error`},
		{"ResolutionError constraint", &kernel.ResolutionError{PluginID: "b", Dependency: "a", Constraint: ">=2", Found: "1.0.0"},
			`plugin "b": dependency "a": constraint ">=2": found "1.0.0": plugin resolution error`},
		{"ResolutionError cycle", &kernel.ResolutionError{Cycle: []string{"a", "b", "a"}}, "dependency cycle a -> b -> a: plugin resolution error"},
		{"ResolutionError zero", &kernel.ResolutionError{}, "plugin resolution error"},
		{"ExtensionError", &kernel.ExtensionError{Class: kernel.ErrNotImplemented, PointID: "fmt", ExtensionType: "*main.X"},
			`extension point "fmt": extension *main.X: extension does not implement point`},
		{"ExtensionError zero", &kernel.ExtensionError{}, "gofly error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestSecretValuesNeverInErrors(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, prefix, key, value string
	}{
		{desc: "string as int", yaml: "db:\n  password: hunter2XYZ\n", key: "db.password", value: "hunter2XYZ"},
		{desc: "number as bool", yaml: "web:\n  admin:\n    token: 123456789\n", key: "web.admin.token", value: "123456789"},
		{desc: "api key", yaml: "svc:\n  api-key: s3cr3tvalue\n", key: "svc.api-key", value: "s3cr3tvalue"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", []byte(tc.yaml)))
			require.NoError(t, err)
			_, err = cfg.Bool(tc.key, false)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), tc.value)
			assert.Contains(t, err.Error(), "[redacted]")
			assert.Contains(t, err.Error(), tc.key)
			var ce *kernel.ConfigError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, "[redacted]", ce.Value)
		})
	}
	assert.True(t, kernel.IsSecretKey("DB.Password"))
	assert.False(t, kernel.IsSecretKey("passwords.policy.min-length"), "only the last segment counts")
	assert.False(t, kernel.IsSecretKey("plugins.enabled"))

	t.Run("bind", func(t *testing.T) {
		cfg, err := kernel.LoadConfig(kernel.WithEnviron(nil), kernel.WithYAML("app.yaml", []byte("db:\n  password: [a, b]\n  port: x\n")))
		require.NoError(t, err)
		type DB struct {
			Password int `koanf:"password"`
		}
		_, err = kernel.Bind[DB](cfg, "db")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "[a, b]")
	})
}
