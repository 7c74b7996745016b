// Package plugins defines gofly plugins and runs them: a plugin is a named,
// versioned unit with dependencies, the extension points it declares, the
// extensions it contributes and lifecycle hooks; a [Manager] resolves the
// plugins' dependency order and runs their hooks in it, per plugin or all at
// once. The package works without fx; [New] and [Module] wire it into an fx
// app.
//
// # Definitions
//
// [Define] builds a definition from options; it never fails, problems (an
// invalid id, version, constraint or hook signature) are reported by
// [Plugin.Err] and by [Manager.Add]:
//
//	var JSON = plugins.Define("json-formatter",
//		plugins.Version("1.2.0"),
//		plugins.DependsOn("core-formatting", ">=1.0.0 <2.0.0"),
//		plugins.Tags("formatters"),
//		plugins.Extend(Formatters, Formatter(&JSONFormatter{}), 10),
//		plugins.OnStart(func(ctx context.Context) error { ... }),
//	)
//
// Ids are dot-separated segments of lower-case letters, digits, '-' and '_'
// ("json-formatter", "acme.billing"). Versions are semantic versions
// (github.com/Masterminds/semver/v3), constraints are semver constraints.
// Options print themselves (Option.String) as Go-like source.
//
// # Lifecycle and states
//
// A plugin added to a manager is LOADED (or DISABLED, see Filters). Starting
// runs OnInit once, before the first start, then OnStart, and makes it
// STARTED; stopping runs OnStop and makes it STOPPED; a hook that fails,
// panics or passes its deadline makes it FAILED, with the cause's text in
// [Descriptor.FailedReason]. Removing a plugin runs OnStop (if STARTED) and
// OnUnload (if OnInit ran) and withdraws its contributions; listeners then see
// it go to UNLOADED.
//
// [Manager.StartPlugin] starts a plugin after its transitive dependencies and
// rolls back what it started if a hook fails; [Manager.StopPlugin] stops its
// dependents first. [Manager.StartAll] and [Manager.StopAll] do it for every
// plugin, in dependency order and in reverse.
//
// # Dependencies and order
//
// [DependsOn] and [OptionalDependsOn] declare dependencies, with optional
// version constraints. A plugin may be added before its dependencies. The
// order ([Manager.Order]) is a stable topological sort, computed iteratively
// in O((V+E) log V) and cached until plugins are added or removed: whenever
// several plugins are ready, the one added first comes next. A missing
// dependency, an unmet constraint or a cycle is a *kernel.ResolutionError
// naming the plugins, the constraint and version, or the whole cycle path.
//
// # Parallelism
//
// Settings.Parallelism (plugins.parallelism, or [WithParallelism]) is the
// most hooks in flight at once. 1, the default, runs them one at a time in
// the order above. n > 1 (at most n) or 0 (no limit) start a plugin as soon
// as its dependencies have started, concurrently with independent plugins,
// and stop it as soon as its dependents have stopped. Dependency order,
// rollback, failure policies, deadlines and states hold either way;
// listeners are still called one at a time. docs/lifecycle.md says what
// stays deterministic.
//
// # Hooks and timeouts
//
// Hooks are func(context.Context) error; in an fx app they may take further
// parameters from the graph. Each runs with a deadline (StartTimeout for
// OnInit and OnStart, StopTimeout for OnStop and OnUnload; 15s by default;
// plugins.start-timeout and plugins.stop-timeout in the configuration). The
// hook's context is cancelled at the deadline and the plugin fails with a
// timeout cause. A hook runs on its own goroutine so that the deadline holds
// even if the hook ignores its context; such a hook keeps running in the
// background until it returns, and until then no other hook of that plugin
// runs, nor a start of a plugin depending on it nor a stop of one it depends
// on (they wait, with an error saying so); an OnStart that succeeds late gets
// its OnStop. Hooks should honour their context. A stop with a context that
// has already ended still calls OnStop (with that context). A panicking hook
// is recovered and fails its plugin, the error naming where it panicked.
// Errors returned for a failed hook wrap the hook's own error.
//
// # Failure policy
//
// By default StartAll is fail-fast: it rolls back what it started and returns
// the error. With the [Continue] policy (plugins.failure-policy: continue) a
// failed plugin and the plugins requiring it are FAILED with their reasons,
// and the others start.
//
// # Filters and conditions
//
// The manager's [Settings] (the plugins section of the configuration:
// include, exclude, tags.include, tags.exclude) filter plugins by id
// and by tag with path.Match globs; every filter that is set must pass. A
// plugin's conditions ([When]) are functions of the configuration returning
// yes or no and why. A plugin kept out is DISABLED with its reason, contributes
// nothing, and the plugins requiring it are DISABLED too, with a reason naming
// it. [Manager.Decisions] lists why each plugin is enabled or not.
//
// # Listeners
//
// A listener ([WithListener], [Manager.AddListener]) is told of every state
// change (plugin, old and new state, error, reason, how long the hooks ran),
// synchronously, one at a time, a plugin's STARTED before its dependents'
// events; a panicking listener is recovered. See [WithListener] for what a listener may call.
//
// # Per-plugin configuration
//
// A plugin's own settings live under plugins.config.<id>; [BindConfig] binds
// them strictly into a typed struct.
//
// # Catalog
//
// A plugin package can register its plugin in the default [Catalog] from
// init() with [Register] (a duplicate id panics); passing the catalog to
// gofly.New ([DefaultCatalog]) brings every catalogued plugin into the app,
// subject to the filters. Tests use [NewCatalog] or reset the default one.
//
// # fx
//
// A *[Plugin] is an fx option ([New] returns [Define]'s result); [FxOptions]
// attaches fx options (providers, invokes) to a plugin, which sit in an
// fx.Module named "plugin.<id>". gofly.New adds the app's plugins to its
// manager before fx.New, so a plugin that the filters or conditions disable
// never reaches fx, and wires the manager in with [Manager.Module]. In a plain
// fx app, [Module] provides a *Manager built from the graph's configuration
// with the app's plugins, in definition order. Either way the manager's
// registry is the app's *extension.Registry (through extension.Module), and
// one fx OnStart hook runs StartAll and one OnStop hook StopAll. See [Module]
// for how plugin hooks interleave with ordinary fx hooks.
//
// # Deadlines
//
// Each hook runs within its deadline (plugins.start-timeout,
// plugins.stop-timeout); in a gofly app those must fit in the app's budgets
// for the whole start and stop (gofly.start-timeout, gofly.stop-timeout).
//
// # Concurrency
//
// A Manager is safe for concurrent use and behaves as if its operations ran
// one at a time; hooks and listeners must not call its operations (reads are
// fine). Definitions and catalogs are safe for concurrent use.
package plugins
