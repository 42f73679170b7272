package sqlitestore_test

import (
	"testing"

	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/polls/pollstest"
)

func TestPollsConformance(t *testing.T) {
	pollstest.Run(t, func(t *testing.T) polls.Store { return MustOpen(t).Polls() })
}
