package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gofly-framework/gofly/internal/status"
	"github.com/gofly-framework/gofly/plugins"
)

// probes serves the liveness and readiness endpoints.
type probes struct{ s *Server }

// probeBody is the JSON body of both probes.
type probeBody struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
}

func (p *probes) serve(w http.ResponseWriter, r *http.Request, live bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if live {
		writeJSON(w, http.StatusOK, probeBody{Status: "live"})
		return
	}
	if ok, reasons := p.s.readiness(p.s.descriptors()); !ok {
		writeJSON(w, http.StatusServiceUnavailable, probeBody{Status: "not ready", Reasons: reasons})
		return
	}
	writeJSON(w, http.StatusOK, probeBody{Status: "ready"})
}

// readiness reports whether the app is ready to receive traffic, as /readyz
// says, and if not, why: the app's phase (kept by the gofly facade, see
// newFxServer) must be started — or, without one, the server must be started
// and not stopping — and, with a plugin manager (see [WithManager]), every
// plugin in descs (a snapshot of the manager's plugins) must be STARTED or
// DISABLED. The reasons come in that order, plugins sorted by id, and name
// phases, plugin ids and states only: /readyz serves them to anyone, so they
// hold no error text.
func (s *Server) readiness(descs []plugins.Descriptor) (bool, []string) {
	var reasons []string
	if s.status != nil {
		if ph := s.status.Phase(); ph != status.PhaseStarted {
			reasons = append(reasons, "the app is "+ph.String())
		}
	} else if !s.running.Load() {
		reasons = append(reasons, "the web server is not serving")
	}
	for _, d := range descs {
		if d.State != plugins.StateStarted && d.State != plugins.StateDisabled {
			reasons = append(reasons, fmt.Sprintf("plugin %q is %s", d.ID, d.State))
		}
	}
	return len(reasons) == 0, reasons
}

// descriptors returns a snapshot of the manager's plugins, sorted by id; nil
// without a manager.
func (s *Server) descriptors() []plugins.Descriptor {
	if s.manager == nil {
		return nil
	}
	return s.manager.Plugins()
}

// writeJSON writes v as indented JSON with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "encoding the response failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
