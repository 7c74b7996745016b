// Package lifecycle holds what gofly adds to an application's life beyond
// starting and stopping its plugins: health checks and the readiness they
// decide ([Health], [Check], the [Checks] extension point) and the startup
// timeline ([Timeline]). The gofly facade puts a *Health and a *Timeline in
// every app's graph; the web starter serves them (/livez, /readyz, /startupz
// and the admin endpoints). docs/lifecycle.md tells the whole story.
package lifecycle
