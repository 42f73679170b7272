package frontend

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFailAbandonedRequest checks that a page whose client went away is
// logged at debug level, not as a failed page.
func TestFailAbandonedRequest(t *testing.T) {
	var logs bytes.Buffer
	f := &Frontend{opts: Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/forum/t/x", nil).WithContext(ctx)
	f.fail(httptest.NewRecorder(), r, fmt.Errorf("sqlitestore: list posts: %w", context.Canceled))
	if got := logs.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, "level=DEBUG") {
		t.Errorf("fail(canceled request) logged %q, want one debug record", got)
	}
}
