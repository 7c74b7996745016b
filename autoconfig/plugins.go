package autoconfig

import (
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

// Names of the built-in auto-configurations, which the gofly facade
// evaluates in every app before those it is given. Exclude one with
// autoconfig.exclude (or gofly.ExcludeAutoConfig) to leave it out.
const (
	// ExtensionName names the auto-configuration that provides the app's
	// *extension.Registry (extension.Module; with plugins on, the plugin
	// manager's registry) when plugins.enabled or extension.enabled is true.
	// A starter whose extension points live in the registry (the web
	// starter's routes and middleware) sets extension.enabled: true among its
	// default properties. An app that provides its own *extension.Registry
	// excludes this auto-configuration.
	ExtensionName = "extension"
	// PluginsName names pyfly's PluginsAutoConfiguration in gofly form: when
	// plugins.enabled is true (a YAML boolean or the strings true/false in
	// any case; any other value is a kernel.ErrConfig error naming key and
	// source), the gofly facade builds the app's *plugins.Manager, adds the
	// plugins given to the app to it before fx.New (so a disabled plugin's
	// fx options are left out of the app) and wires it in
	// (plugins.Manager.Module): the plugins start with the app (one fx
	// OnStart hook runs StartAll) and stop with it (StopAll). The plugin
	// filter decisions join the condition report as the section "plugins".
	PluginsName = "plugins"
)

// The properties the built-in auto-configurations look at.
const (
	pluginsEnabledKey   = "plugins.enabled"
	extensionEnabledKey = "extension.enabled"
)

// builtins returns the built-in auto-configurations, [ExtensionName] and
// [PluginsName]: new values on each call.
func builtins() []*AutoConfig {
	return []*AutoConfig{
		New(ExtensionName,
			When(Any(OnBooleanProperty(pluginsEnabledKey, false), OnBooleanProperty(extensionEnabledKey, false))),
			Provide(extension.Module),
		),
		New(PluginsName,
			When(OnBooleanProperty(pluginsEnabledKey, false)),
			After(ExtensionName),
			Provide(fx.Invoke(reportDecisions)),
		),
	}
}

type decisionsIn struct {
	fx.In
	Report  *Report `optional:"true"`
	Manager *plugins.Manager
}

// reportDecisions adds the manager's filter decisions to the report, when
// the app has one (the facade supplies it).
func reportDecisions(in decisionsIn) {
	if in.Report == nil {
		return
	}
	ds := in.Manager.Decisions()
	entries := make([]Entry, len(ds))
	for i, d := range ds {
		entries[i] = Entry{ID: d.Plugin, Enabled: d.Enabled, Reason: d.Reason}
	}
	in.Report.addSection(PluginsName, entries)
}
