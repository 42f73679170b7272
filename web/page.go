package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/civichub/civichub/apperr"
)

// Page is the pagination contract shared by every list: ?limit=&cursor= in,
// {"items":[...],"next_cursor":"..."} out.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// Limits of ?limit=.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// PageParams reads ?limit= and ?cursor= and decodes the cursor into cur (any
// JSON-decodable value). A malformed limit or cursor is an Invalid error.
func PageParams(r *http.Request, cur any) (limit int, err error) {
	limit = DefaultLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return 0, apperr.Field("limit", "invalid_limit")
		}
		limit = n
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		if err := DecodeCursor(s, cur); err != nil {
			return 0, err
		}
	}
	return limit, nil
}

// EncodeCursor makes an opaque cursor from v.
func EncodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reverses EncodeCursor. Anything it cannot read is an Invalid
// error with field "cursor".
func DecodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 512 || json.Unmarshal(b, v) != nil {
		return apperr.Field("cursor", "invalid_cursor")
	}
	return nil
}
