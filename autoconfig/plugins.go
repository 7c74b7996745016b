package autoconfig

import (
	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/plugins"
)

// Names of the built-in auto-configurations the gofly facade always
// evaluates.
const (
	// ExtensionName provides an *extension.Registry (extension.Module) when
	// plugins are enabled and the user options provide none.
	ExtensionName = "extension"
	// PluginsName provides the *plugins.Manager (plugins.Module, holding the
	// app's *extension.Registry) when plugins are enabled; the plugins start
	// and stop with the app.
	PluginsName = "plugins"
	// PluginsEnabledKey is the property that switches plugins on.
	PluginsEnabledKey = "plugins.enabled"
	// ExtensionEnabledKey is the property with which a starter asks for an
	// *extension.Registry even when plugins are off: a starter whose
	// extension points live in the registry (the web starter's routes and
	// middleware) sets it to true among its default properties.
	ExtensionEnabledKey = "extension.enabled"
)

// Extension returns the auto-configuration that provides the app's
// *extension.Registry (extension.Module; with plugins on, the plugin
// manager's registry) when plugins.enabled or extension.enabled is true. With
// neither property set, the app has no registry. An app that provides its
// own *extension.Registry excludes this auto-configuration
// (autoconfig.exclude: [extension]).
func Extension() *AutoConfig {
	return New(ExtensionName,
		When(Any(OnBooleanProperty(PluginsEnabledKey, false), OnBooleanProperty(ExtensionEnabledKey, false))),
		Provide(extension.Module),
	)
}

// Plugins returns pyfly's PluginsAutoConfiguration in gofly form: when
// plugins.enabled is true (a YAML boolean or the strings true/false in any
// case; any other value is a kernel.ErrConfig error naming key and source),
// the gofly facade builds the app's *plugins.Manager, adds the plugins given
// to the app to it before fx.New (so a disabled plugin's fx options are left
// out of the app) and wires it in (plugins.Manager.Module): the plugins start
// with the app (one fx OnStart hook runs StartAll) and stop with it
// (StopAll). The plugin filter decisions join the condition report as the
// section "plugins".
func Plugins() *AutoConfig {
	return New(PluginsName,
		When(OnBooleanProperty(PluginsEnabledKey, false)),
		After(ExtensionName),
		Provide(fx.Invoke(reportDecisions)),
	)
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
	in.Report.AddSection(PluginsName, entries)
}

// Builtins returns the auto-configurations the gofly facade evaluates in
// every app, before those passed to it: [Extension] and [Plugins].
func Builtins() []*AutoConfig { return []*AutoConfig{Extension(), Plugins()} }
