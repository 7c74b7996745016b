package autoconfig_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly"
	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/plugins"
)

// Store is what the cache auto-configuration provides by default.
type Store interface{ Name() string }

type memoryStore struct{}

func (memoryStore) Name() string { return "memory" }

type redisStore struct{}

func (redisStore) Name() string { return "redis" }

// cacheAC provides a memory Store unless cache.enabled is false or the
// application provides its own Store.
var cacheAC = autoconfig.New("cache",
	autoconfig.When(
		autoconfig.OnProperty("cache.enabled", autoconfig.MatchIfMissing()),
		autoconfig.OnMissingType[Store](),
	),
	autoconfig.Provide(fx.Provide(func() Store { return memoryStore{} })),
)

// run builds and runs an app of cacheAC and the user options through the
// gofly facade, which evaluates the auto-configurations: user options first
// in the app, matched auto-configurations after.
func run(yaml string, user ...gofly.Option) {
	opts := []gofly.Option{gofly.Environ(nil), gofly.ConfigYAML(yaml), gofly.LogOutput(io.Discard), cacheAC}
	opts = append(opts, user...)
	opts = append(opts, fx.Invoke(func(s Store) { fmt.Println("store:", s.Name()) }))
	a, err := gofly.Assemble(opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	app := fx.New(a.Options...)
	if err := app.Err(); err != nil {
		an, _ := autoconfig.Analyze(err, a.Report)
		fmt.Println(an.Action)
		return
	}
	_ = app.Start(context.Background())
	_ = app.Stop(context.Background())
}

// The replaceable default: the auto-configuration provides a Store only when
// the user does not, and application.yaml can switch it off.
func Example() {
	run("app: demo")
	run("app: demo", fx.Provide(func() Store { return redisStore{} }))
	run("cache: {enabled: false}")
	// Output:
	// store: memory
	// store: redis
	// Auto-configuration "cache" provides autoconfig_test.Store but did not match: OnProperty(cache.enabled, matchIfMissing): property "cache.enabled" (from inline.yaml) is false. Make its conditions hold (see the condition report: --debug), or provide autoconfig_test.Store yourself.
}

// The condition report of an app: gofly.Assemble (or the app's graph, or
// --debug) gives it. The built-in auto-configurations are evaluated first.
func ExampleReport() {
	a, err := gofly.Assemble(gofly.Environ(nil), gofly.LogOutput(io.Discard),
		gofly.ConfigYAML("web: {enabled: true}\nautoconfig: {exclude: [legacy]}"), gofly.Profiles("prod"),
		autoconfig.New("admin", autoconfig.When(autoconfig.OnAutoConfig("web"), autoconfig.OnProfile("!prod"))),
		autoconfig.New("web", autoconfig.When(autoconfig.OnBooleanProperty("web.enabled", false))),
		autoconfig.New("legacy"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("order:", a.Report.Order)
	for _, o := range a.Report.AutoConfigs {
		fmt.Printf("%s: %s\n", o.Name, o.State)
		for _, c := range o.Conditions {
			fmt.Printf("  %s: %s\n", c.Condition, c.Message)
		}
	}
	// Output:
	// order: [extension legacy plugins web admin]
	// admin: not matched
	//   OnAutoConfig("web"): auto-configuration "web" matched
	//   OnProfile("!prod"): "!prod" does not match the active profiles [prod]
	// extension: not matched
	//   Any(OnBooleanProperty(plugins.enabled, default false), OnBooleanProperty(extension.enabled, default false)): OnBooleanProperty(plugins.enabled, default false): property "plugins.enabled" is not set; default false; OnBooleanProperty(extension.enabled, default false): property "extension.enabled" is not set; default false
	// legacy: excluded
	// plugins: not matched
	//   OnBooleanProperty(plugins.enabled, default false): property "plugins.enabled" is not set; default false
	// web: matched
	//   OnBooleanProperty(web.enabled, default false): property "web.enabled" (from inline.yaml) is true
}

func ExampleReport_MarshalJSON() {
	var report *autoconfig.Report
	app := gofly.New(gofly.Environ(nil), gofly.LogOutput(io.Discard), gofly.ConfigYAML("plugins: {enabled: true}"),
		autoconfig.New("web", autoconfig.When(autoconfig.OnProperty("web.enabled"))),
		plugins.New("json"),
		fx.Populate(&report),
	)
	if err := app.Err(); err != nil {
		fmt.Println(err)
		return
	}
	data, _ := json.MarshalIndent(report, "", "  ")
	fmt.Println(string(data))
	// Output:
	// {
	//   "positiveMatches": [
	//     {
	//       "name": "extension",
	//       "conditions": [
	//         {
	//           "condition": "Any(OnBooleanProperty(plugins.enabled, default false), OnBooleanProperty(extension.enabled, default false))",
	//           "message": "OnBooleanProperty(plugins.enabled, default false): property \"plugins.enabled\" (from inline.yaml) is true"
	//         }
	//       ]
	//     },
	//     {
	//       "name": "plugins",
	//       "conditions": [
	//         {
	//           "condition": "OnBooleanProperty(plugins.enabled, default false)",
	//           "message": "property \"plugins.enabled\" (from inline.yaml) is true"
	//         }
	//       ]
	//     }
	//   ],
	//   "negativeMatches": [
	//     {
	//       "name": "web",
	//       "notMatched": [
	//         {
	//           "condition": "OnProperty(web.enabled)",
	//           "message": "did not find property \"web.enabled\""
	//         }
	//       ],
	//       "matched": [],
	//       "notEvaluated": []
	//     }
	//   ],
	//   "exclusions": [],
	//   "unconditional": [],
	//   "order": [
	//     "extension",
	//     "plugins",
	//     "web"
	//   ],
	//   "sections": [
	//     {
	//       "name": "plugins",
	//       "entries": [
	//         {
	//           "id": "json",
	//           "enabled": true,
	//           "reason": "no filter or condition applies"
	//         }
	//       ]
	//     }
	//   ]
	// }
}

func ExampleOnProfile() {
	for _, expr := range []string{"prod", "prod & !eu", "(prod | staging) & eu", "a & b | c"} {
		a, err := gofly.Assemble(gofly.Environ(nil), gofly.LogOutput(io.Discard), gofly.ConfigYAML("x: 1"), gofly.Profiles("prod", "eu"),
			autoconfig.New("x", autoconfig.When(autoconfig.OnProfile(expr))),
		)
		if err != nil {
			fmt.Println(err)
			continue
		}
		o, _ := a.Report.Find("x")
		fmt.Println(expr, "->", o.State == autoconfig.StateMatched)
	}
	// Output:
	// prod -> true
	// prod & !eu -> false
	// (prod | staging) & eu -> true
	// evaluating auto-configuration "x", condition OnProfile("a & b | c"): invalid profile expression "a & b | c": & and | are mixed without parentheses: group them, e.g. "(a & b) | c"
}

// A starter explains its own failures with an analyzer attached to its
// auto-configuration; Analyze also takes analyzers of the caller's.
func ExampleAnalyzer() {
	type quotaError struct{ error }
	quota := func(err error, _ *autoconfig.Report) (autoconfig.Analysis, bool) {
		if _, ok := err.(quotaError); !ok {
			return autoconfig.Analysis{}, false
		}
		return autoconfig.Analysis{Analyzer: "quota", Description: "The storage quota is exhausted.", Action: "Raise storage.quota."}, true
	}
	_ = autoconfig.New("storage", autoconfig.WithAnalyzer(quota))

	an, _ := autoconfig.Analyze(quotaError{fmt.Errorf("no space")}, nil, quota)
	fmt.Print(an)
	// Output:
	// ***************************
	// APPLICATION FAILED TO START
	// ***************************
	//
	// Description:
	//
	// The storage quota is exhausted.
	//
	// Action:
	//
	// Raise storage.quota.
}
