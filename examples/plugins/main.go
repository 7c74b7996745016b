// Command plugins shows gofly plugins in an fx app: plugins that declare an
// extension point and contribute to it, dependencies with version
// constraints, hooks that take parameters from the fx graph, a plugin
// registered in the catalog from init(), per-plugin configuration, filters
// from application.yaml, and a listener told of every state change.
//
//	go run .
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/fx"

	"github.com/gofly-framework/gofly/extension"
	"github.com/gofly-framework/gofly/kernel"
	"github.com/gofly-framework/gofly/plugins"
)

// --- an extension point ------------------------------------------------------

// Formatter turns a line of text into another.
type Formatter interface {
	Format(line string) string
}

// Formatters is the point the formatting plugins contribute to.
var Formatters = extension.NewPoint[Formatter]("formatters",
	extension.Description("turn a line into another"))

type upperFormatter struct{}

func (upperFormatter) Format(line string) string { return strings.ToUpper(line) }

type bracketFormatter struct{}

func (bracketFormatter) Format(line string) string { return "[" + line + "]" }

type shoutFormatter struct{}

func (shoutFormatter) Format(line string) string { return line + "!!!" }

// --- plugins -----------------------------------------------------------------

// Core declares the point. The others depend on it.
var Core = plugins.Define("core",
	plugins.Version("1.4.0"),
	plugins.Description("declares the formatters point"),
	plugins.Declares(Formatters),
)

// Upper contributes a formatter, and needs core 1.x.
var Upper = plugins.Define("upper",
	plugins.Version("1.0.0"),
	plugins.DependsOn("core", ">=1.0.0 <2.0.0"),
	plugins.Tags("formatting", "stable"),
	plugins.Extend[Formatter](Formatters, upperFormatter{}, 20),
)

// Brackets contributes a formatter with a lower priority: it runs second. It
// has a condition.
var Brackets = plugins.Define("brackets",
	plugins.Version("1.1.0"),
	plugins.DependsOn("core", ">=1.2.0"),
	plugins.Tags("formatting"),
	plugins.Extend[Formatter](Formatters, bracketFormatter{}, 10),
	plugins.When(notPlain),
)

// notPlain enables a plugin unless formatting.plain is true.
func notPlain(cfg *kernel.Config) (bool, string) {
	plain, err := cfg.Bool("formatting.plain", false)
	switch {
	case err != nil:
		return false, err.Error()
	case plain:
		return false, "formatting.plain is true"
	}
	return true, "formatting.plain is not true"
}

// Shout is experimental: application.yaml filters it out by tag.
var Shout = plugins.Define("shout",
	plugins.DependsOn("upper"),
	plugins.Tags("experimental"),
	plugins.Extend[Formatter](Formatters, shoutFormatter{}, 30),
)

// LegacyXML is excluded by id (plugins.exclude: ["legacy-*"]).
var LegacyXML = plugins.Define("legacy-xml", plugins.DependsOn("core"))

// --- a plugin with graph parameters, configuration, from the catalog ---------

// Journal is an ordinary component of the app.
type Journal struct{ out io.Writer }

// Write writes a line.
func (j *Journal) Write(line string) { fmt.Fprintln(j.out, line) }

// AuditConfig is the audit plugin's own configuration: plugins.config.audit.
type AuditConfig struct {
	Prefix string `koanf:"prefix" default:"audit:"`
}

// Audit takes the Journal and the configuration from the fx graph.
var Audit = plugins.Define("audit",
	plugins.Version("0.3.0"),
	plugins.OptionalDependsOn("core"),
	plugins.OnStart(func(ctx context.Context, j *Journal, cfg *kernel.Config) error {
		c, err := plugins.BindConfig[AuditConfig](cfg, "audit") // strict: unknown keys are errors
		if err != nil {
			return err
		}
		j.Write(c.Prefix + " started")
		return nil
	}),
	plugins.OnStop(func(ctx context.Context, j *Journal) error {
		j.Write("audit> stopped")
		return nil
	}),
)

func init() {
	// A plugin package registers itself in the default catalog; the app
	// brings in every catalogued plugin (see catalogued).
	plugins.Register(Audit)
}

// --- a component that uses the extensions --------------------------------------

// Printer formats lines with every formatter, highest priority first.
type Printer struct {
	formatters extension.Extensions[Formatter]
	journal    *Journal
}

// NewPrinter takes the point's live view from the graph.
func NewPrinter(fs extension.Extensions[Formatter], j *Journal) *Printer {
	return &Printer{formatters: fs, journal: j}
}

// Print formats and writes one line.
func (p *Printer) Print(line string) {
	for _, f := range p.formatters.All() {
		line = f.Format(line)
	}
	p.journal.Write(line)
}

// --- the app -------------------------------------------------------------------

// app builds the fx app: the extension and plugins modules, the plugins, the
// catalogued plugins, and the components.
func app(cfg *kernel.Config, out io.Writer, m **plugins.Manager) *fx.App {
	return fx.New(
		fx.NopLogger,
		fx.Supply(cfg, &Journal{out: out}),
		extension.Module,
		extension.Provide(Formatters),
		plugins.Module,
		plugins.WithListener(func(ch plugins.StateChange) {
			fmt.Fprintf(out, "  %-10s %s -> %s\n", ch.Plugin, ch.Old, ch.New)
		}),
		Core, Upper, Brackets, Shout, LegacyXML,
		catalogued(),
		fx.Provide(NewPrinter),
		fx.Invoke(func(lc fx.Lifecycle, p *Printer) {
			lc.Append(fx.StartHook(func() { p.Print("hello, plugins") }))
		}),
		fx.Populate(m),
	)
}

// catalogued returns the plugins of the default catalog (a plugin is an fx
// option), in id order. gofly.New takes the catalog itself:
// gofly.New(plugins.DefaultCatalog()).
func catalogued() fx.Option {
	var opts []fx.Option
	for _, p := range plugins.DefaultCatalog().Plugins() {
		opts = append(opts, p)
	}
	return fx.Options(opts...)
}

// run loads the configuration, starts and stops the app, and prints the
// plugins' descriptors and filter decisions.
func run(out io.Writer, loadOpts ...kernel.LoadOption) error {
	cfg, err := kernel.LoadConfig(loadOpts...)
	if err != nil {
		return err
	}
	var m *plugins.Manager
	a := app(cfg, out, &m)
	if err := a.Err(); err != nil {
		return err
	}
	ctx := context.Background()
	fmt.Fprintln(out, "starting")
	if err := a.Start(ctx); err != nil {
		return err
	}
	order, _ := m.Order()
	fmt.Fprintln(out, "order:", strings.Join(order, ", "))
	fmt.Fprintln(out, "stopping")
	if err := a.Stop(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "plugins:")
	for _, d := range m.Plugins() {
		line := fmt.Sprintf("  %-10s %-6s %-8s %s", d.ID, d.Version, d.State, d.FailedReason)
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
	fmt.Fprintln(out, "decisions:")
	for _, d := range m.Decisions() {
		fmt.Fprintln(out, " ", d)
	}
	return nil
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
