// Package status holds the application's phase (starting, started,
// stopping), which only gofly's own packages exchange: the facade puts a
// *Status in every app's graph and moves it along the app's life; the web
// starter reads it for its readiness probe (/readyz).
package status
