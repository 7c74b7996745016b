package status_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gofly-framework/gofly/internal/status"
)

func TestStatusPhases(t *testing.T) {
	var s status.Status
	assert.Equal(t, status.PhaseStarting, s.Phase())
	assert.False(t, s.Started())
	s.SetPhase(status.PhaseStarted)
	assert.True(t, s.Started())
	assert.Equal(t, "started", s.Phase().String())
	s.SetPhase(status.PhaseStopping)
	assert.False(t, s.Started())
	assert.Equal(t, "stopping", s.Phase().String())
	assert.Equal(t, "starting", status.PhaseStarting.String())
	assert.Equal(t, "unknown", status.Phase(9).String())
}
