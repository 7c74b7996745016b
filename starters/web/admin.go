package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gofly-framework/gofly/autoconfig"
	"github.com/gofly-framework/gofly/plugins"
)

// The admin endpoints, under web.admin.path (default /admin). Every one
// answers GET (and HEAD); what they show is described in the package
// documentation. Nothing they show comes from configuration values: the
// condition report names keys and sources only, and the admin token is never
// echoed.
const (
	adminPlugins    = "/plugins"
	adminExtensions = "/extensions"
	adminConditions = "/conditions"
	adminHealth     = "/health"
	adminDOT        = "/graph.dot"
	adminMermaid    = "/graph.mmd"
)

//go:embed admin.html
var adminHTML string

var adminPage = template.Must(template.New("admin").Parse(adminHTML))

type admin struct {
	s        *Server
	path     string
	hasToken bool
	token    [sha256.Size]byte // the token's hash, compared in constant time
	mux      *http.ServeMux
}

func newAdmin(s *Server) *admin {
	a := &admin{s: s, path: s.settings.Admin.Path}
	if t := s.settings.Admin.Token; t != "" {
		a.hasToken = true
		a.token = sha256.Sum256([]byte(t.reveal()))
	}
	p := a.path
	a.mux = http.NewServeMux()
	a.mux.HandleFunc("GET "+p, a.index)
	a.mux.HandleFunc("GET "+p+"/{$}", a.index)
	a.mux.HandleFunc("GET "+p+adminPlugins, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, a.plugins(s.descriptors()))
	})
	a.mux.HandleFunc("GET "+p+adminExtensions, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, a.extensions())
	})
	a.mux.HandleFunc("GET "+p+adminConditions, a.conditions)
	a.mux.HandleFunc("GET "+p+adminHealth, func(w http.ResponseWriter, _ *http.Request) {
		h := a.health(s.descriptors())
		code := http.StatusOK
		if !h.Ready {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, h)
	})
	a.mux.HandleFunc("GET "+p+adminDOT, func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, "text/vnd.graphviz; charset=utf-8", pluginGraphDOT(s.descriptors()))
	})
	a.mux.HandleFunc("GET "+p+adminMermaid, func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, "text/plain; charset=utf-8", pluginGraphMermaid(s.descriptors()))
	})
	return a
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if a.hasToken && !a.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gofly admin"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"error": "missing or invalid bearer token: send Authorization: Bearer <web.admin.token>",
		})
		return
	}
	a.mux.ServeHTTP(w, r)
}

// authorized compares the request's bearer token with the configured one in
// constant time (both hashed first, so their lengths leak nothing either).
func (a *admin) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(sum[:], a.token[:]) == 1
}

// --- the views the endpoints serve ---------------------------------------------

// pluginsView is the body of /plugins.
type pluginsView struct {
	// Enabled is false when the app has no plugin manager (plugins.enabled is off).
	Enabled    bool           `json:"enabled"`
	Order      []string       `json:"order"`
	OrderError string         `json:"orderError,omitempty"`
	Plugins    []pluginView   `json:"plugins"`
	Decisions  []decisionView `json:"decisions"`
}

type pluginView struct {
	ID              string           `json:"id"`
	Version         string           `json:"version"`
	Name            string           `json:"name"`
	Author          string           `json:"author,omitempty"`
	Description     string           `json:"description,omitempty"`
	Tags            []string         `json:"tags"`
	State           string           `json:"state"`
	DependsOn       []dependencyView `json:"dependsOn"`
	FailedReason    string           `json:"failedReason,omitempty"`
	LoadedAt        time.Time        `json:"loadedAt"`
	LastStateChange time.Time        `json:"lastStateChange"`
}

type dependencyView struct {
	ID         string `json:"id"`
	Constraint string `json:"constraint,omitempty"`
	Optional   bool   `json:"optional"`
}

type decisionView struct {
	Plugin  string   `json:"plugin"`
	Enabled bool     `json:"enabled"`
	Reason  string   `json:"reason"`
	Reasons []string `json:"reasons"`
}

// plugins is the /plugins view of descs, the manager's plugins.
func (a *admin) plugins(descs []plugins.Descriptor) pluginsView {
	v := pluginsView{Order: []string{}, Plugins: []pluginView{}, Decisions: []decisionView{}}
	m := a.s.manager
	if m == nil {
		return v
	}
	v.Enabled = true
	if order, err := m.Order(); err != nil {
		v.OrderError = err.Error()
	} else if order != nil {
		v.Order = order
	}
	for _, d := range descs {
		pv := pluginView{
			ID: d.ID, Version: d.Version, Name: d.Name, Author: d.Author, Description: d.Description,
			Tags: nonNil(d.Tags), State: d.State.String(), DependsOn: []dependencyView{}, FailedReason: d.FailedReason,
			LoadedAt: d.LoadedAt.UTC(), LastStateChange: d.LastStateChange.UTC(),
		}
		for _, dep := range d.DependsOn {
			pv.DependsOn = append(pv.DependsOn, dependencyView{ID: dep.ID, Constraint: dep.Constraint, Optional: dep.Optional})
		}
		v.Plugins = append(v.Plugins, pv)
	}
	for _, d := range m.Decisions() {
		v.Decisions = append(v.Decisions, decisionView{Plugin: d.Plugin, Enabled: d.Enabled, Reason: d.Reason, Reasons: nonNil(d.Reasons)})
	}
	return v
}

// extensionsView is the body of /extensions.
type extensionsView struct {
	Points []pointView `json:"points"`
}

type pointView struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Description string          `json:"description,omitempty"`
	Required    bool            `json:"required"`
	Extensions  []extensionView `json:"extensions"`
}

type extensionView struct {
	// Name is a route's pattern, a function's name, or the value's type.
	Name string `json:"name"`
	// Handler is a route's handler (its function's name or type).
	Handler  string `json:"handler,omitempty"`
	Type     string `json:"type"`
	Priority int    `json:"priority"`
}

func (a *admin) extensions() extensionsView {
	v := extensionsView{Points: []pointView{}}
	for _, p := range a.s.reg.Points() {
		pv := pointView{ID: p.ID, Type: p.Type.String(), Description: p.Description, Required: p.Required, Extensions: []extensionView{}}
		for _, e := range a.s.reg.Entries(p.ID) {
			pv.Extensions = append(pv.Extensions, viewExtension(e.Value, e.Priority))
		}
		v.Points = append(v.Points, pv)
	}
	return v
}

func viewExtension(v any, priority int) extensionView {
	ev := extensionView{Type: typeName(v), Priority: priority}
	if ep, ok := v.(Endpoint); ok {
		ev.Name = ep.Pattern()
		if r, ok := v.(route); ok && r.mounted != nil {
			ev.Handler = describeHandler(r.mounted)
		} else {
			ev.Handler = describeHandler(ep.Handler())
		}
		return ev
	}
	ev.Name = describeValue(v)
	return ev
}

func (a *admin) conditions(w http.ResponseWriter, _ *http.Request) {
	if a.s.report == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "this app has no condition report (it was not built by the gofly facade)"})
		return
	}
	writeJSON(w, http.StatusOK, a.s.report) // *autoconfig.Report marshals itself
}

// healthView is the body of /health.
type healthView struct {
	Live    bool          `json:"live"`
	Ready   bool          `json:"ready"`
	Phase   string        `json:"phase"`
	Reasons []string      `json:"reasons"`
	Plugins []pluginState `json:"plugins"`
	Server  serverView    `json:"server"`
}

type pluginState struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

type serverView struct {
	Address       string `json:"address"`
	Listening     string `json:"listening"`
	Probes        bool   `json:"probes"`
	AdminPath     string `json:"adminPath"`
	TokenRequired bool   `json:"tokenRequired"`
}

// health is the /health view, with descs the manager's plugins.
func (a *admin) health(descs []plugins.Descriptor) healthView {
	ready, reasons := a.s.readiness(descs)
	h := healthView{
		Live: true, Ready: ready, Reasons: nonNil(reasons), Plugins: []pluginState{},
		Server: serverView{
			Address: a.s.settings.Address, Listening: a.s.Addr(), Probes: a.s.settings.Probes.Enabled,
			AdminPath: a.path, TokenRequired: a.hasToken,
		},
	}
	switch {
	case a.s.status != nil:
		h.Phase = a.s.status.Phase().String()
	case a.s.running.Load():
		h.Phase = "started"
	default:
		h.Phase = "stopping"
	}
	for _, d := range descs {
		h.Plugins = append(h.Plugins, pluginState{ID: d.ID, State: d.State.String()})
	}
	return h
}

// --- the HTML page ---------------------------------------------------------------

type pageData struct {
	Path       string
	Health     healthView
	Plugins    pluginsView
	Extensions extensionsView
	Report     *reportView // nil without a condition report
	Mermaid    string
	DOT        string
	Links      []pageLink
}

type pageLink struct{ Href, Text string }

// reportView is the condition report as the page shows it: the matched
// auto-configurations, then those that did not match, then the exclusions.
type reportView struct {
	Positive, Negative []autoconfig.AutoConfigOutcome
	Exclusions         []autoconfig.Exclusion
}

func newReportView(r *autoconfig.Report) *reportView {
	if r == nil {
		return nil
	}
	v := &reportView{Exclusions: r.Exclusions}
	for _, o := range r.AutoConfigs {
		switch o.State {
		case autoconfig.StateMatched:
			v.Positive = append(v.Positive, o)
		case autoconfig.StateNotMatched:
			v.Negative = append(v.Negative, o)
		}
	}
	return v
}

func (a *admin) index(w http.ResponseWriter, _ *http.Request) {
	descs := a.s.descriptors() // one snapshot for the whole page
	data := pageData{
		Path: a.path, Health: a.health(descs), Plugins: a.plugins(descs), Extensions: a.extensions(), Report: newReportView(a.s.report),
		Mermaid: pluginGraphMermaid(descs), DOT: pluginGraphDOT(descs),
	}
	for _, l := range []string{adminHealth, adminPlugins, adminExtensions, adminConditions, adminDOT, adminMermaid} {
		data.Links = append(data.Links, pageLink{Href: a.path + l, Text: strings.TrimPrefix(l, "/")})
	}
	var buf bytes.Buffer
	if err := adminPage.Execute(&buf, data); err != nil {
		http.Error(w, "rendering the admin page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes())
}

func writeText(w http.ResponseWriter, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(body))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
