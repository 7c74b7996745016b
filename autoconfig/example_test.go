package autoconfig_test

import (
	"context"
	"encoding/json"
	"fmt"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/kernel"
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

// run evaluates cacheAC against yaml and the user options, then builds and
// runs the app: user options first, auto-configurations after.
func run(yaml string, user ...fx.Option) {
	cfg, err := kernel.LoadConfig(kernel.WithYAML("application.yaml", []byte(yaml)), kernel.WithEnviron(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := autoconfig.Evaluate(autoconfig.Env{Config: cfg, UserOptions: user}, []*autoconfig.AutoConfig{cacheAC})
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := append([]fx.Option{fx.NopLogger}, user...)
	opts = append(opts, res.Options...)
	opts = append(opts, fx.Invoke(func(s Store) { fmt.Println("store:", s.Name()) }))
	app := fx.New(opts...)
	if err := app.Err(); err != nil {
		an, _ := autoconfig.Analyze(err, res.Report)
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
	// Auto-configuration "cache" provides autoconfig_test.Store but did not match: OnProperty(cache.enabled, matchIfMissing): property "cache.enabled" (from application.yaml) is false. Make its conditions hold (see the condition report: --debug), or provide autoconfig_test.Store yourself.
}

func ExampleEvaluate() {
	cfg, _ := kernel.LoadConfig(
		kernel.WithYAML("application.yaml", []byte("web: {enabled: true}\nautoconfig: {exclude: [legacy]}")),
		kernel.WithEnviron(nil), kernel.WithProfiles("prod"))
	candidates := []*autoconfig.AutoConfig{
		autoconfig.New("admin", autoconfig.When(autoconfig.OnAutoConfig("web"), autoconfig.OnProfile("!prod"))),
		autoconfig.New("web", autoconfig.When(autoconfig.OnBooleanProperty("web.enabled", false))),
		autoconfig.New("legacy"),
	}
	res, err := autoconfig.Evaluate(autoconfig.Env{Config: cfg}, candidates)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("order:", res.Report.Order)
	fmt.Println("matched:", res.Matched)
	for _, a := range res.Report.AutoConfigs {
		fmt.Printf("%s: %s\n", a.Name, a.State)
		for _, c := range a.Conditions {
			fmt.Printf("  %s: %s\n", c.Condition, c.Message)
		}
	}
	// Output:
	// order: [legacy web admin]
	// matched: [web]
	// admin: not matched
	//   OnAutoConfig("web"): auto-configuration "web" matched
	//   OnProfile("!prod"): "!prod" does not match the active profiles [prod]
	// legacy: excluded
	// web: matched
	//   OnBooleanProperty(web.enabled, default false): property "web.enabled" (from application.yaml) is true
}

func ExampleReport_MarshalJSON() {
	res, _ := autoconfig.Evaluate(autoconfig.Env{}, []*autoconfig.AutoConfig{
		autoconfig.New("web", autoconfig.When(autoconfig.OnProperty("web.enabled"))),
	})
	res.Report.AddSection("Plugin filter decisions", []autoconfig.Entry{{ID: "json", Enabled: true, Reason: "no filter"}})
	data, _ := json.MarshalIndent(res.Report, "", "  ")
	fmt.Println(string(data))
	// Output:
	// {
	//   "positiveMatches": [],
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
	//     "web"
	//   ],
	//   "sections": [
	//     {
	//       "name": "Plugin filter decisions",
	//       "entries": [
	//         {
	//           "id": "json",
	//           "enabled": true,
	//           "reason": "no filter"
	//         }
	//       ]
	//     }
	//   ]
	// }
}

func ExampleOnProfile() {
	cfg, _ := kernel.LoadConfig(kernel.WithYAML("application.yaml", []byte("x: 1")), kernel.WithEnviron(nil), kernel.WithProfiles("prod", "eu"))
	for _, expr := range []string{"prod", "prod & !eu", "(prod | staging) & eu", "a & b | c"} {
		res, err := autoconfig.Evaluate(autoconfig.Env{Config: cfg}, []*autoconfig.AutoConfig{
			autoconfig.New("x", autoconfig.When(autoconfig.OnProfile(expr))),
		})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(expr, "->", len(res.Matched) == 1)
	}
	// Output:
	// prod -> true
	// prod & !eu -> false
	// (prod | staging) & eu -> true
	// evaluating auto-configuration "x", condition OnProfile("a & b | c"): invalid profile expression "a & b | c": & and | are mixed without parentheses: group them, e.g. "(a & b) | c"
}

func ExampleDebugEnabled() {
	cfg, _ := kernel.LoadConfig(kernel.WithYAML("application.yaml", []byte("debug: true")), kernel.WithEnviron(nil))
	on, _ := autoconfig.DebugEnabled(cfg, nil)
	off, _ := autoconfig.DebugEnabled(cfg, []string{"--debug=false"})
	fmt.Println(on, off)
	// Output: true false
}

func ExampleNewAnalyzer() {
	type quotaError struct{ error }
	quota := autoconfig.NewAnalyzer("quota", func(err error, _ *autoconfig.Report) (autoconfig.Analysis, bool) {
		if _, ok := err.(quotaError); !ok {
			return autoconfig.Analysis{}, false
		}
		return autoconfig.Analysis{Description: "The storage quota is exhausted.", Action: "Raise storage.quota."}, true
	})
	fmt.Print(autoconfig.Explain(quotaError{fmt.Errorf("no space")}, nil, quota))
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
