// Package apperr is civichub's one coded error type. Every error that reaches a
// user is an *Error with a stable Code and a message key that is rendered in the
// user's language; anything else is reported as "internal" with a generic
// message, and its text goes only to the log.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, machine-readable error code that clients may switch on.
type Code string

// The codes. Clients depend on these strings; never rename one.
const (
	Invalid          Code = "invalid"
	Unauthorized     Code = "unauthorized"
	Forbidden        Code = "forbidden"
	NotFound         Code = "not_found"
	MethodNotAllowed Code = "method_not_allowed"
	Conflict         Code = "conflict"
	RateLimited      Code = "rate_limited"
	TooLarge         Code = "too_large"
	Unavailable      Code = "unavailable"
	Internal         Code = "internal"
)

// Error is an error that is safe to show. Key names a message in the i18n
// catalog; Fields maps request field names to message keys for form errors.
// Err is the cause, for the log only.
type Error struct {
	Code   Code
	Key    string
	Fields map[string]string
	Err    error
	// RetryAfter, on a RateLimited error, says when the client may try
	// again.
	RetryAfter time.Duration
}

// New returns an error with code and message key.
func New(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Wrap returns an error with code and message key that wraps cause for the log.
func Wrap(code Code, key string, cause error) *Error {
	return &Error{Code: code, Key: key, Err: cause}
}

// Field returns an Invalid error about one request field.
func Field(field, key string) *Error {
	return &Error{Code: Invalid, Key: "invalid_input", Fields: map[string]string{field: key}}
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrX) match any *Error with the same code and key,
// so sentinel errors survive being copied with fields added.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Key == e.Key
}

// As returns the *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "internal", Err: err}
}

// CodeOf returns the code of err, Internal for an uncoded error and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}
