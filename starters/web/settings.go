package web

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/gofly-framework/gofly/kernel"
)

// section is the configuration key of the web starter's section.
const section = "web"

// settings is the web section of the configuration (key "web"), bound
// strictly: an unknown key under web is an error naming it. Every value has a
// default (the `default` tags, which the starter also loads as default
// properties below application.yaml). The keys, their defaults and their
// meaning are documented in the package doc (doc.go), which is the reference
// for users; keep it in step with the tags.
type settings struct {
	// Enabled is read by the starter's condition: false leaves the server
	// out of the app.
	Enabled bool `koanf:"enabled" default:"true"`
	// Address is the host:port the server listens on. Port 0 picks a free
	// port; read it back with Server.Addr.
	Address string `koanf:"address" default:"127.0.0.1:8080"`
	// ReadTimeout bounds reading a whole request, body included (0: none).
	ReadTimeout time.Duration `koanf:"read-timeout" default:"30s"`
	// ReadHeaderTimeout bounds reading a request's headers (0: ReadTimeout).
	ReadHeaderTimeout time.Duration `koanf:"read-header-timeout" default:"10s"`
	// WriteTimeout bounds writing a response, from the end of the request
	// headers (0: none).
	WriteTimeout time.Duration `koanf:"write-timeout" default:"30s"`
	// IdleTimeout bounds how long a keep-alive connection waits for its next
	// request (0: ReadTimeout).
	IdleTimeout time.Duration `koanf:"idle-timeout" default:"2m"`
	// ShutdownTimeout bounds the graceful stop: requests in flight may finish
	// within it (and within the stop context's deadline, whichever comes
	// first); connections still open then are closed. 0 leaves only the stop
	// context's deadline.
	ShutdownTimeout time.Duration `koanf:"shutdown-timeout" default:"15s"`
	// Probes configures the Kubernetes probe endpoints.
	Probes probeSettings `koanf:"probes"`
	// Admin configures the admin endpoints.
	Admin adminSettings `koanf:"admin"`
}

// probeSettings is web.probes: the liveness and readiness endpoints, in the
// shape Kubernetes probes expect. They are on by default: they reveal nothing
// but whether the app is up and ready, and an orchestrator needs them.
type probeSettings struct {
	// Enabled serves LivenessPath and ReadinessPath.
	Enabled bool `koanf:"enabled" default:"true"`
	// LivenessPath answers 200 while the process serves.
	LivenessPath string `koanf:"liveness-path" default:"/livez"`
	// ReadinessPath answers 200 once the app has started and every plugin is
	// STARTED or DISABLED, else 503 with the reasons.
	ReadinessPath string `koanf:"readiness-path" default:"/readyz"`
}

// adminSettings is web.admin: the admin endpoints (plugins, extension points,
// the condition report, health, the plugin dependency graph, and an HTML page
// showing all of it). They are off by default.
type adminSettings struct {
	// Enabled serves the admin endpoints under Path.
	Enabled bool `koanf:"enabled" default:"false"`
	// Path is where the admin endpoints live: an absolute path without a
	// trailing slash, not "/".
	Path string `koanf:"path" default:"/admin"`
	// Token is the bearer token the admin endpoints require
	// ("Authorization: Bearer <token>"). It is required when Address is not a
	// loopback address, and checked whenever it is set. Give it through a
	// placeholder (token: ${ADMIN_TOKEN}) rather than in the file.
	Token secret `koanf:"token"`
}

// secret is a configuration string that does not print itself: String,
// GoString and MarshalText (and so JSON, YAML and zap encoding) render a set
// secret as "[redacted]" and an empty one as "". Call reveal for the value;
// compare with "" to know whether it is set.
type secret string

const redacted = "[redacted]"

// reveal returns the secret's value.
func (s secret) reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty secret.
func (s secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is String, so %#v does not print the value either.
func (s secret) GoString() string { return fmt.Sprintf("web.secret(%q)", s.String()) }

// MarshalText returns the String form, so encoders (JSON, YAML, zap) never
// see the value.
func (s secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// defaultProperties are the starter's defaults as the facade loads them:
// the same values as the `default` tags of settings (a test checks both agree).
func defaultProperties() map[string]any {
	return map[string]any{
		section: map[string]any{
			"enabled":             true,
			"address":             "127.0.0.1:8080",
			"read-timeout":        "30s",
			"read-header-timeout": "10s",
			"write-timeout":       "30s",
			"idle-timeout":        "2m",
			"shutdown-timeout":    "15s",
			"probes": map[string]any{
				"enabled":        true,
				"liveness-path":  "/livez",
				"readiness-path": "/readyz",
			},
			"admin": map[string]any{
				"enabled": false,
				"path":    "/admin",
			},
		},
		// The facade's "extension" auto-configuration provides an
		// *extension.Registry when plugins are off and this is true: the web
		// starter's route and middleware points live in it.
		extensionEnabledKey: true,
	}
}

// loadSettings binds the web section of cfg strictly into settings (the
// defaults for what is absent; a nil cfg gives the defaults) and validates
// it. Errors are *kernel.ConfigError values (class kernel.ErrConfig) naming
// the key, its source and what to do; a token's value never appears in them.
func loadSettings(cfg *kernel.Config) (settings, error) {
	s, err := kernel.Bind[settings](cfg, section)
	if err != nil {
		return settings{}, err
	}
	if err := s.validate(cfg); err != nil {
		return settings{}, err
	}
	return s, nil
}

func (s *settings) validate(cfg *kernel.Config) error {
	bad := func(key, value, msg string) error {
		full := section + "." + key
		return &kernel.ConfigError{Key: full, Value: value, Source: sourceOf(cfg, full), Msg: msg}
	}
	if _, _, err := net.SplitHostPort(s.Address); err != nil {
		return bad("address", s.Address, fmt.Sprintf(
			"config key \"web.address\"%s: %q is not a host:port address (%v): write it as 127.0.0.1:8080, :8080 or [::1]:8080",
			from(cfg, "web.address"), s.Address, unwrapAddrErr(err)))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"read-timeout", s.ReadTimeout}, {"read-header-timeout", s.ReadHeaderTimeout},
		{"write-timeout", s.WriteTimeout}, {"idle-timeout", s.IdleTimeout},
		{"shutdown-timeout", s.ShutdownTimeout},
	} {
		if d.v < 0 {
			return bad(d.key, d.v.String(), fmt.Sprintf("config key %q%s: %s is negative: use 0 for no timeout or a positive duration",
				section+"."+d.key, from(cfg, section+"."+d.key), d.v))
		}
	}
	var err error
	if s.Admin.Path, err = cleanPath(cfg, "admin.path", s.Admin.Path); err != nil {
		return err
	}
	if s.Probes.LivenessPath, err = cleanPath(cfg, "probes.liveness-path", s.Probes.LivenessPath); err != nil {
		return err
	}
	if s.Probes.ReadinessPath, err = cleanPath(cfg, "probes.readiness-path", s.Probes.ReadinessPath); err != nil {
		return err
	}
	if s.Probes.Enabled && s.Probes.LivenessPath == s.Probes.ReadinessPath {
		return bad("probes.readiness-path", s.Probes.ReadinessPath, fmt.Sprintf(
			"config key \"web.probes.readiness-path\"%s: %q is also the liveness path: give the probes different paths",
			from(cfg, "web.probes.readiness-path"), s.Probes.ReadinessPath))
	}
	if s.Admin.Enabled && s.Probes.Enabled {
		for _, p := range []struct{ key, path string }{
			{"probes.liveness-path", s.Probes.LivenessPath}, {"probes.readiness-path", s.Probes.ReadinessPath},
		} {
			if under(p.path, s.Admin.Path) {
				return bad(p.key, p.path, fmt.Sprintf(
					"config key %q%s: %q lies under the admin path %q, where the bearer token would be required: move the probe or the admin endpoints",
					section+"."+p.key, from(cfg, section+"."+p.key), p.path, s.Admin.Path))
			}
		}
	}
	if s.Admin.Enabled && s.Admin.Token == "" && !isLoopback(s.Address) {
		return &kernel.ConfigError{
			// The token has no default: when it is not set at all, name the
			// source that enabled the admin endpoints, where it belongs.
			Key: section + ".admin.token", Source: tokenSource(cfg),
			Msg: fmt.Sprintf("config key \"web.admin.token\" is not set, but the admin endpoints are enabled on %q, which is not a loopback address: "+
				"set web.admin.token (for example token: ${ADMIN_TOKEN} with the token in the environment), "+
				"listen on 127.0.0.1, or disable the admin endpoints", s.Address),
		}
	}
	return nil
}

// cleanPath checks an endpoint path: absolute, no trailing slash, no
// pattern syntax, not the root.
func cleanPath(cfg *kernel.Config, key, p string) (string, error) {
	full := section + "." + key
	fail := func(why string) (string, error) {
		return "", &kernel.ConfigError{Key: full, Value: p, Source: sourceOf(cfg, full),
			Msg: fmt.Sprintf("config key %q%s: %q %s", full, from(cfg, full), p, why)}
	}
	if !strings.HasPrefix(p, "/") {
		return fail("must be an absolute path such as /admin")
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-_.~", r)) {
			return fail("must be a plain path of letters, digits and - _ . ~ / (no wildcards, spaces, escapes, query or fragment)")
		}
	}
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		return fail("cannot be the root: every request would go to it; use a path such as /admin")
	}
	for _, seg := range strings.Split(trimmed[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fail("is not a clean path (empty, . or .. segment)")
		}
	}
	return trimmed, nil
}

// under reports whether path is prefix or lies below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// isLoopback reports whether the host of address (host:port) is a loopback
// address: 127.0.0.0/8, ::1 or "localhost". An empty host (":8080"), 0.0.0.0,
// ::, any other address and any other host name are not: the server then
// listens where others can reach it.
func isLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func sourceOf(cfg *kernel.Config, key string) string {
	if src := cfg.Source(key); src != "" {
		return src
	}
	return kernel.SourceDefaults
}

// tokenSource is where web.admin.token comes from, or, when it is not set,
// where web.admin.enabled does: the file (or variable) to add the token to.
func tokenSource(cfg *kernel.Config) string {
	if src := cfg.Source(section + ".admin.token"); src != "" {
		return src
	}
	return sourceOf(cfg, section+".admin.enabled")
}

func from(cfg *kernel.Config, key string) string {
	if src := cfg.Source(key); src != "" {
		return " in " + src
	}
	return ""
}

func unwrapAddrErr(err error) string {
	if ae, ok := err.(*net.AddrError); ok {
		return ae.Err
	}
	return err.Error()
}
