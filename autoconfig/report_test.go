package autoconfig_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gofly-framework/gofly/autoconfig"
)

// reportFixture evaluates a small set covering every part of the report.
func reportFixture(t *testing.T) *autoconfig.Report {
	t.Helper()
	cands := []*autoconfig.AutoConfig{
		autoconfig.New("plugins", autoconfig.When(autoconfig.OnBooleanProperty("plugins.enabled", false))),
		autoconfig.New("web",
			autoconfig.When(autoconfig.OnProperty("web.enabled", autoconfig.MatchIfMissing()), autoconfig.OnProfile("prod"), autoconfig.OnPlugin("router")),
			autoconfig.After("plugins")),
		autoconfig.New("core"),
		autoconfig.New("legacy", autoconfig.When(autoconfig.OnProperty("legacy"))),
	}
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{Config: load(t, "plugins: {enabled: true}\nautoconfig: {exclude: [legacy]}", "dev")}, cands)
	require.NoError(t, err)
	res.Report.AddSection("Plugin filter decisions", []autoconfig.Entry{
		{ID: "zeta", Enabled: true},
		{ID: "alpha", Enabled: false, Reason: "excluded by plugins.exclude"},
	})
	res.Report.AddSection("Another section", nil)
	return res.Report
}

func TestReportText(t *testing.T) {
	got := reportFixture(t).String()
	want := `

============================
CONDITIONS EVALUATION REPORT
============================


Positive matches:
-----------------

   plugins matched:
      - OnBooleanProperty(plugins.enabled, default false): property "plugins.enabled" (from application.yaml) is true


Negative matches:
-----------------

   web:
      Did not match:
         - OnProfile("prod"): "prod" does not match the active profiles [dev]
      Matched:
         - OnProperty(web.enabled, matchIfMissing): property "web.enabled" is not set; matching because of MatchIfMissing
      Not evaluated:
         - OnPlugin("router")


Exclusions:
-----------

   legacy (excluded by autoconfig.exclude from application.yaml)


Unconditional auto-configurations:
----------------------------------

   core


Evaluation order:
-----------------

   core, legacy, plugins, web


Another section:
----------------

    None


Plugin filter decisions:
------------------------

   alpha: disabled - excluded by plugins.exclude
   zeta: enabled

`
	assert.Equal(t, want, got)
}

func TestReportTextEmpty(t *testing.T) {
	res, err := autoconfig.EvaluateEnv(autoconfig.Env{}, nil)
	require.NoError(t, err)
	got := res.Report.String()
	for _, h := range []string{"Positive matches:", "Negative matches:", "Exclusions:", "Unconditional auto-configurations:", "Evaluation order:"} {
		assert.Contains(t, got, h+"\n")
	}
	assert.Equal(t, 5, strings.Count(got, "    None\n"))
	var nilReport *autoconfig.Report
	assert.Equal(t, "", nilReport.String())
}

func TestReportJSON(t *testing.T) {
	data, err := json.Marshal(reportFixture(t))
	require.NoError(t, err)
	want := `{
  "positiveMatches": [
    {"name": "plugins", "conditions": [
      {"condition": "OnBooleanProperty(plugins.enabled, default false)", "message": "property \"plugins.enabled\" (from application.yaml) is true"}]}],
  "negativeMatches": [
    {"name": "web",
     "notMatched": [{"condition": "OnProfile(\"prod\")", "message": "\"prod\" does not match the active profiles [dev]"}],
     "matched": [{"condition": "OnProperty(web.enabled, matchIfMissing)", "message": "property \"web.enabled\" is not set; matching because of MatchIfMissing"}],
     "notEvaluated": ["OnPlugin(\"router\")"]}],
  "exclusions": [{"name": "legacy", "source": "autoconfig.exclude from application.yaml"}],
  "unconditional": ["core"],
  "order": ["core", "legacy", "plugins", "web"],
  "sections": [
    {"name": "Another section", "entries": []},
    {"name": "Plugin filter decisions", "entries": [
      {"id": "alpha", "enabled": false, "reason": "excluded by plugins.exclude"},
      {"id": "zeta", "enabled": true, "reason": ""}]}]
}`
	assert.JSONEq(t, want, string(data))

	// Deterministic: the same report marshals to the same bytes.
	again, err := json.Marshal(reportFixture(t))
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again))
}

func TestReportJSONEmpty(t *testing.T) {
	var nilReport *autoconfig.Report
	data, err := nilReport.MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"positiveMatches":[],"negativeMatches":[],"exclusions":[],"unconditional":[],"order":[],"sections":[]}`, string(data))
}

func TestReportAccessors(t *testing.T) {
	r := reportFixture(t)
	names := func(os []autoconfig.AutoConfigOutcome) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Name)
		}
		return out
	}
	assert.Equal(t, []string{"core", "plugins"}, names(r.Positive()))
	assert.Equal(t, []string{"web"}, names(r.Negative()))
	assert.Equal(t, []string{"core", "legacy", "plugins", "web"}, names(r.AutoConfigs))
	_, ok := r.Find("nope")
	assert.False(t, ok)

	// AddSection replaces a section of the same name.
	r.AddSection("Plugin filter decisions", []autoconfig.Entry{{ID: "only", Enabled: true}})
	require.Len(t, r.Sections, 2)
	assert.Equal(t, []autoconfig.Entry{{ID: "only", Enabled: true}}, r.Sections[1].Entries)

	var nilReport *autoconfig.Report
	nilReport.AddSection("x", nil)
	assert.Nil(t, nilReport.Positive())
	_, ok = nilReport.Find("x")
	assert.False(t, ok)
}
