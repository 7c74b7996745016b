// Package autoconfig decides, from the loaded configuration, what an
// application contains: Spring Boot's auto-configuration for fx.
//
// fx cannot add options from inside its graph, and a type provided twice is
// an error, so "provide a default unless the user gave one" cannot be
// written in plain fx. gofly's facade therefore runs an assembly step after
// the configuration is loaded and before fx.New: it evaluates the
// auto-configurations given among its options (and two built-in ones,
// [ExtensionName] and [PluginsName]) and appends the options of those that
// match after the user's own options. An *[AutoConfig] is a gofly.New
// option, like a starter (web.Starter() is one).
//
// # Auto-configurations
//
// An [AutoConfig] is a named set of fx options guarded by conditions, all of
// which must match:
//
//	var Cache = autoconfig.New("cache",
//		autoconfig.When(
//			autoconfig.OnProperty("cache.enabled", autoconfig.MatchIfMissing()),
//			autoconfig.OnMissingType[Store](),
//		),
//		autoconfig.Provide(fx.Provide(NewMemoryStore)),
//		autoconfig.After("plugins"),
//		autoconfig.DefaultProperties(map[string]any{"cache.size": 1024}),
//	)
//
// Conditions: [OnProperty] (Spring's rule), [OnBooleanProperty] (strict
// boolean with a default), [OnProfile] (profile expressions with !, &, |
// and parentheses), [OnMissingType] (the replaceable default),
// [OnAutoConfig], [OnPlugin], [OnCondition] (a function of the
// configuration: the one way to write a custom condition), and the
// combinators [Not] and [Any]. [Condition] is sealed, as fx.Option is.
//
// # Ordering
//
// Candidates are evaluated, and their options applied, in a resolved order:
// a topological sort by [Before] and [After] (and [OnAutoConfig], which
// implies After). Among the candidates free to go next, the smallest name
// goes first, so the order does not depend on the order the candidates are
// given in. Before or After naming an absent auto-configuration is ignored.
// A cycle is an error of class kernel.ErrConfig naming it: "a -> b -> a".
// The conditions of an auto-configuration see the outcome of those before
// it, so [OnAutoConfig] and [OnMissingType] account for them.
//
// # Exclusions
//
// The configuration key autoconfig.exclude (a YAML list of names or a
// comma-separated string) and the facade's gofly.ExcludeAutoConfig option
// exclude auto-configurations by name: they are not evaluated and the report
// lists them as excluded. Excluding a name that is not a candidate is an
// error of class kernel.ErrConfig, as in Spring Boot: a typo would otherwise
// go unnoticed.
//
// # The condition report
//
// The assembly step produces a [Report]: for every auto-configuration,
// whether it matched and the message of each condition; the exclusions; the
// evaluation order; and the plugin filter decisions as the section "plugins".
// [Report.String] renders Spring Boot's CONDITIONS EVALUATION REPORT;
// [Report.MarshalJSON] serves it to tools. The facade puts it in the app's
// graph and in gofly.Assembly.Report, and prints it at startup with
// debug: true or --debug.
//
// # Failure analysis
//
// When the application fails to build or start, [Analyze] turns the error
// into what failed, why, and what to do ([Analysis.String] is the block
// gofly.Run prints), for missing types (naming the auto-configuration that
// would provide the type and why it did not match), dependency cycles,
// cycles among auto-configurations, plugin resolution errors, configuration
// errors, start timeouts, plugins given to an app with plugins.enabled off,
// plugin and extension errors. A starter adds its own [Analyzer] with
// [WithAnalyzer]; a caller passes more to Analyze.
//
// # Errors
//
// Every error of this package belongs to the kernel error hierarchy, class
// kernel.ErrConfig: the auto-configurations are part of the application's
// configuration. A condition's own *kernel.ConfigError (an invalid boolean,
// say) stays reachable with errors.As.
//
// # Caveats
//
// [OnMissingType] asks fx whether a type is provided by running the user
// options up to the end of fx's provide phase; see its documentation for
// what it sees and what it costs. Defaults given with [DefaultProperties] must be loaded before
// the configuration, so they apply whether or not their auto-configuration
// matches or is excluded.
package autoconfig
