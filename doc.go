// Package gofly is the facade of the gofly framework: it builds an fx
// application from configuration plus options.
//
// # The assembly step
//
// fx cannot add options from inside the graph, so gofly loads the
// configuration before it calls fx.New. [New] and [Run] first collect the
// settings among their options (where the configuration comes from, the
// logger), load the configuration (application.yaml, profiles, environment),
// build the logger, and only then build the fx app from the remaining fx
// options. The loaded *kernel.Config and the *zap.Logger are in the graph, and
// fx's own events are logged through zap at debug level.
//
// # Options
//
// Every argument of New and Run is an [Option]: an fx.Option (fx.Provide,
// fx.Invoke, a plugin from plugins.New, a module ...), a *plugins.Plugin
// (plugins.Define; the auto-configurations then see its id), an
// *autoconfig.AutoConfig (a starter such as web.Starter()), or a gofly
// setting such as [ConfigDir], [ConfigFiles], [ConfigYAML], [Profiles],
// [Environ], [Defaults], [Overrides], [WithConfig], [WithLogger],
// [LogOutput], [Args], [ReportOutput] or [ExcludeAutoConfig]. Settings may
// appear anywhere among the fx options; a later setting of the same kind
// wins, except ConfigFiles, ConfigYAML, Defaults, Overrides and
// ExcludeAutoConfig, which add up (ConfigFiles and ConfigYAML sources are
// layered in option order).
//
// # Auto-configuration
//
// After loading the configuration (with the auto-configurations' default
// properties below every other layer), the assembly step evaluates the
// auto-configurations: the built-in ones (autoconfig.ExtensionName, the
// extension registry, and autoconfig.PluginsName, the plugin manager, when
// plugins.enabled is true) and those given among the options. The user's fx
// options come first in the app, the matched auto-configurations' after
// them. The condition report says which matched and why; it is in the graph
// (*autoconfig.Report) and in [Assembly], and printed at startup with
// debug: true or --debug. A failure is printed by [Run] with its analysis
// (autoconfig.Analyze). When plugins.enabled is not true, an app given
// plugins fails to build with an error saying so.
//
// # Status
//
// gofly keeps the app's phase (starting, started, stopping) in the graph, in
// a type of its own that applications do not use: it turns started after the
// last OnStart hook and stopping before the first OnStop hook. The web
// starter's readiness probe (/readyz) reads it.
//
// # Testing
//
// Package goflytest builds an app from in-memory YAML on top of fxtest.
package gofly
