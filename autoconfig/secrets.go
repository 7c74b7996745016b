package autoconfig

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofly-framework/gofly/kernel"
)

// hidden stands in for a secret value in the report and the analysis.
const hidden = "(hidden)"

// minBareSecret is the shortest secret value hidden wherever it appears;
// a shorter one is hidden only where it is quoted, so that hiding it does
// not garble the numbers and words around it.
const minBareSecret = 4

// secrets are the values that the report and the analysis must not show:
// those of the configuration keys that kernel.IsSecretKey calls secret (the
// one secret policy), longest first.
type secrets []string

// secretsOf collects the secret values of cfg (nil: none).
func secretsOf(cfg *kernel.Config) secrets {
	if cfg == nil {
		return nil
	}
	var s secrets
	for _, k := range cfg.Keys() {
		if kernel.IsSecretKey(k) {
			s = s.add(cfg.Get(k))
		}
	}
	return s
}

// add adds the text of v, or of each element of a list. Booleans are not
// secrets: hiding every "true" would garble the report.
func (s secrets) add(v any) secrets {
	switch v := v.(type) {
	case nil, bool:
		return s
	case []any:
		for _, e := range v {
			s = s.add(e)
		}
		return s
	case string:
		t := strings.TrimSpace(v)
		if t == "" || t == "[redacted]" || strings.Contains(hidden, t) ||
			strings.EqualFold(t, "true") || strings.EqualFold(t, "false") || slices.Contains(s, t) {
			return s
		}
		s = append(s, t)
		slices.SortStableFunc(s, func(a, b string) int { return len(b) - len(a) })
		return s
	default:
		return s.add(fmt.Sprint(v))
	}
}

// ofErrors adds the values of the *kernel.ConfigErrors in err's tree whose
// keys are secret.
func (s secrets) ofErrors(err error) secrets {
	for _, e := range errorTree(err) {
		if ce, ok := e.(*kernel.ConfigError); ok && kernel.IsSecretKey(ce.Key) {
			s = s.add(ce.Value)
		}
	}
	return s
}

// errorTree lists err and every error it wraps, depth first.
func errorTree(err error) []error {
	var out []error
	stack := []error{err}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			stack = append(stack, u.Unwrap())
		case interface{ Unwrap() []error }:
			causes := u.Unwrap()
			for i := len(causes) - 1; i >= 0; i-- {
				stack = append(stack, causes[i])
			}
		}
	}
	return out
}

// hide replaces the secret values in text: quoted ones always, bare ones
// when at least minBareSecret bytes long.
func (s secrets) hide(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, strconv.Quote(v), strconv.Quote(hidden))
		if len(v) >= minBareSecret {
			text = strings.ReplaceAll(text, v, hidden)
		}
	}
	return text
}
