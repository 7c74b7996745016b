// Command extension shows gofly's extension points in an fx app: a typed
// point whose extensions a component receives sorted by priority, extension
// constructors that take their dependencies from the graph, a hook (a point of
// a func type) whose highest-priority function wins, a required point, and a
// view that follows the registry when an extension is removed at runtime.
//
// docs/extension.md quotes this file; a test checks that it still does.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
)

// Record is what the app prints.
type Record struct {
	ID    int
	Title string
}

// Formatter turns a record into text.
type Formatter interface {
	Format(r Record) string
}

// Formatters is the extension point of the formatters. It is required: the
// app does not start while no formatter is registered.
var Formatters = extension.NewPoint[Formatter]("formatters",
	extension.Description("turn a record into text"),
	extension.Required())

// Validate is a hook: a point of a func type whose highest-priority function
// wins.
type Validate func(r Record) error

// OnValidate is the hook's point.
var OnValidate = extension.NewPoint[Validate]("validate")

// JSON formats a record as JSON.
type JSON struct{}

// Format implements Formatter.
func (JSON) Format(r Record) string { return fmt.Sprintf(`{"id":%d,"title":%q}`, r.ID, r.Title) }

// CSV formats a record as one CSV line.
type CSV struct{ Sep string }

// Format implements Formatter.
func (c CSV) Format(r Record) string { return fmt.Sprintf("%d%s%s", r.ID, c.Sep, r.Title) }

// Settings would come from application.yaml in a gofly app.
type Settings struct{ CSVSeparator string }

// NewCSV is an extension constructor: its parameters come from the fx graph.
func NewCSV(s *Settings) (Formatter, error) {
	if s.CSVSeparator == "" {
		return nil, errors.New("csv separator is empty")
	}
	return CSV{Sep: s.CSVSeparator}, nil
}

// requireTitle is the winning validation hook.
func requireTitle(r Record) error {
	if r.Title == "" {
		return fmt.Errorf("record %d has no title", r.ID)
	}
	return nil
}

// Printer receives the point's extensions as ordinary typed parameters.
type Printer struct {
	formatters extension.Extensions[Formatter]
	validate   extension.Extensions[Validate]
	out        io.Writer
}

// NewPrinter is an ordinary fx constructor.
func NewPrinter(fs extension.Extensions[Formatter], vs extension.Extensions[Validate], out io.Writer) *Printer {
	return &Printer{formatters: fs, validate: vs, out: out}
}

// Print validates r with the winning hook, then prints it with every
// formatter, highest priority first.
func (p *Printer) Print(r Record) {
	if validate, err := p.validate.First(); err == nil {
		if err := validate(r); err != nil {
			fmt.Fprintln(p.out, "invalid:", err)
			return
		}
	}
	for _, f := range p.formatters.All() {
		fmt.Fprintln(p.out, f.Format(r))
	}
}

// Options is the app: the extension module, its points, the contributions
// and the components.
func Options(out io.Writer) []fx.Option {
	return []fx.Option{
		extension.Module,
		extension.Provide(Formatters),
		extension.Provide(OnValidate),
		extension.Contribute(Formatters, Formatter(JSON{}), 10),
		extension.ContributeFunc(Formatters, NewCSV, 20),
		extension.Contribute(OnValidate, Validate(func(Record) error { return nil }), 0),
		extension.Contribute(OnValidate, Validate(requireTitle), 100),
		fx.Supply(&Settings{CSVSeparator: ";"}),
		fx.Provide(func() io.Writer { return out }),
		fx.Provide(NewPrinter),
	}
}

// run starts the app, prints a few records, removes an extension at runtime
// and lists the points.
func run(ctx context.Context, out io.Writer, extra ...fx.Option) error {
	var (
		printer *Printer
		reg     *extension.Registry
	)
	opts := append(Options(out), fx.NopLogger, fx.Populate(&printer, &reg))
	app := fx.New(append(opts, extra...)...)
	if err := app.Start(ctx); err != nil {
		return err
	}
	printer.Print(Record{ID: 1, Title: "gofly"})
	printer.Print(Record{ID: 2})

	// Extensions can go at runtime (a plugin being removed): the view follows.
	reg.Unregister("formatters", CSV{Sep: ";"})
	printer.Print(Record{ID: 3, Title: "after"})

	for _, p := range reg.Points() {
		fmt.Fprintf(out, "point %q (%s): %d extension(s), required=%t\n", p.ID, p.Type, p.Extensions, p.Required)
	}
	return app.Stop(ctx)
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
