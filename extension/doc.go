// Package extension provides typed extension points, the registry that holds
// their extensions sorted by priority, and the typed views that components
// receive in an fx app.
//
// It unites pyfly's ExtensionRegistry (points declared by id and type,
// priority-sorted extensions), opa-stack's hooks (a named definition, possibly
// required, whose highest-priority implementation wins) and plux's function
// plugins (an extension that is just a function).
//
// # Points
//
// An extension point is a typed, named slot, made once with [NewPoint] and
// kept in a package-level variable next to the type it names:
//
//	type Formatter interface{ Format(r Record) string }
//
//	var Formatters = extension.NewPoint[Formatter]("formatters",
//		extension.Description("turn a record into text"))
//
// Its type is an interface, which an extension must implement, or a func
// type, of which an extension must be a function of exactly that type.
// NewPoint panics on any other type; [Registry.RegisterPoint] declares a
// point from a reflect.Type and returns an error instead.
//
// # Priorities and order
//
// [Add] (or [Registry.Register]) registers an extension with an int priority.
// Reads return extensions highest priority first; equal priorities keep
// registration order. Nothing depends on map order, and in an fx app the
// order of equal priorities is the order in which the options were created,
// whatever order fx's value groups deliver them in.
//
// # Hooks as points
//
// A point of a func type is a hook: [First] returns the winner, the
// highest-priority function, which the caller calls; [All] returns every
// implementation in order for hooks that run them all. A [Required] point
// makes the start of an fx app with [Module] fail while it has no
// implementation ([Registry.Points] reports which points are required).
//
//	var OnRequest = extension.NewPoint[func(*http.Request) error]("on-request", extension.Required())
//
//	hook, err := extension.First(reg, OnRequest)
//
// # Reading on hot paths
//
// [All] and the [Extensions] view's All return the registry's current
// snapshot: a []T built when the point last changed and shared by every
// reader. Reading it takes no lock and allocates nothing; the slice is
// read-only. Writers serialize on a mutex and mark the point's snapshot stale,
// and the first read after a change rebuilds it once, so registering many
// extensions one by one is linear, not quadratic. [First] and the view's
// First read the winner, which every write keeps current: they never lock,
// never allocate on success, and the view's First is inlined into its caller.
// [Registry.Get] (untyped, pyfly parity) returns a copy.
//
// # Undeclared points
//
// A Registry is lenient by default: [Registry.Register] accepts extensions for
// a point nobody declared, untyped, and declaring the point later checks them
// all (failing without change if one does not fit). [Strict] rejects them.
// The typed accessors only see declared points.
//
// # Identity and removal
//
// [Registry.Unregister] removes one registration of a value by identity
// (pointers by address, functions by closure object, other values field by
// field, comparable parts by ==), the most recent first.
// [Registry.UnregisterPoint] removes a declaration. Together they let the
// plugin manager restore the registry as it was before a plugin was added.
//
// One case is left open by Go itself: a func literal that captures nothing
// is one static value, so every evaluation of it yields the same func and
// unregistering "another" one removes the one registered (the compiler may
// copy such a literal where it inlines the function holding it, so pass the
// value you registered).
//
// # fx
//
// [Module] provides the app's *Registry. [Provide] declares a point and
// provides its [Extensions] view, so a component takes it as an ordinary
// typed parameter:
//
//	fx.New(
//		extension.Module,
//		extension.Provide(Formatters),
//		extension.Contribute(Formatters, Formatter(JSON{}), 10),
//		extension.ContributeFunc(Formatters, NewCSV, 5), // NewCSV's parameters come from the graph
//		fx.Provide(NewPrinter),                         // func NewPrinter(fs extension.Extensions[Formatter]) *Printer
//	)
//
// The view is live: it follows every later change of the registry. For a
// second point of the same type, [Declare] it in an fx.Invoke and read it
// with [View]. On start, Module fails when a contribution targets an
// undeclared point (with a "did you mean" hint) or when required points have
// no extension (one error listing them all). The package works without fx;
// the glue is in fx.go.
//
// # Errors
//
// Every error is a *kernel.ExtensionError that matches kernel.ErrGofly,
// kernel.ErrPlugin, kernel.ErrExtension and its class: kernel.ErrUnknownPoint
// (the point is not declared), kernel.ErrNoExtensions (declared, but without
// extensions), kernel.ErrNotImplemented (an extension does not fit the point's
// type) or kernel.ErrDuplicatePoint (an id declared with two types).
//
// # Concurrency
//
// Every function and method of this package is safe for concurrent use, and
// every read sees one consistent snapshot of a point: never a half-sorted
// list.
package extension
