// Package web is civichub's HTTP plumbing shared by every domain's handlers:
// JSON decoding and encoding, the one place where errors become responses,
// pagination, and the middleware every request passes through.
package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Decode reads one JSON object from r's body into dst. Unknown fields, a wrong
// type, trailing data, a non-JSON content type and a body over the limit set by
// the BodyLimit middleware all become *apperr.Error values.
func Decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.New(apperr.Invalid, "unsupported_media")
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Wrap(apperr.TooLarge, "body_too_large", err)
		}
		return apperr.New(apperr.Invalid, "invalid_json")
	}
	return nil
}

func decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return apperr.Wrap(apperr.TooLarge, "body_too_large", err)
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return apperr.Wrap(apperr.Invalid, "invalid_json", err)
		}
		return &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: map[string]string{field: "wrong_type"}, Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: map[string]string{name: "unknown_field"}, Err: err}
	default:
		return apperr.Wrap(apperr.Invalid, "invalid_json", err)
	}
}

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code apperr.Code `json:"code"`
	// Reason is the stable key of the specific error within Code (for
	// example poll_closed or already_voted under forbidden and conflict),
	// for clients that must tell them apart.
	Reason  string            `json:"reason,omitempty"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Status maps an error code to its HTTP status.
func Status(c apperr.Code) int {
	switch c {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Detail renders err for a user in lang. Internal errors get the generic
// message; their text never leaves the server.
func Detail(err error, lang i18n.Lang) ErrorDetail {
	e := apperr.As(err)
	d := ErrorDetail{Code: e.Code, Reason: e.Key, Message: i18n.T(lang, e.Key)}
	if e.Code == apperr.Internal {
		d.Reason = ""
		d.Message = i18n.T(lang, "internal")
		return d
	}
	if len(e.Fields) > 0 {
		d.Fields = make(map[string]string, len(e.Fields))
		for f, k := range e.Fields {
			d.Fields[f] = i18n.T(lang, k)
		}
	}
	return d
}

// RetryAfter returns the Retry-After header value for a rate-limited error:
// whole seconds, rounded up, at least 1; 60 when the error does not say.
func RetryAfter(err error) string {
	d := apperr.As(err).RetryAfter
	if d <= 0 {
		return "60"
	}
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// Error writes err as a JSON error response in the request's language. An
// internal error is logged with its cause; coded errors are the client's and
// are not logged above debug level.
func Error(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	d := Detail(err, i18n.FromContext(r.Context()))
	if d.Code == apperr.Internal {
		logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		logger.Debug("request refused", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if d.Code == apperr.RateLimited && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", RetryAfter(err))
	}
	JSON(w, Status(d.Code), ErrorBody{Error: d})
}

// Respond writes v as JSON with status, or err as Error when it is not nil:
// the last line of most API handlers.
func Respond(w http.ResponseWriter, r *http.Request, logger *slog.Logger, status int, v any, err error) {
	if err != nil {
		Error(w, r, logger, err)
		return
	}
	JSON(w, status, v)
}
