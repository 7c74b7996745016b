// Package evaluation is what the gofly facade hands to autoconfig.Evaluate
// in its assembly step: how to load the configuration and what the
// auto-configurations' conditions look at. Applications do not evaluate
// auto-configurations themselves: gofly.New and gofly.Assemble do (the
// condition report is their Report), so the type lives here, out of their
// reach.
package evaluation
