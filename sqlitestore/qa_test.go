package sqlitestore_test

import (
	"testing"

	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/qa/qatest"
)

func TestQAConformance(t *testing.T) {
	qatest.Run(t, func(t *testing.T) qa.Store { return MustOpen(t).QA() })
}
