// Package accounts owns people and their rights: users and their roles,
// sessions, agencies, and agency staff memberships. It validates input, hashes
// passwords, enforces who may do what, and serves the /api/v1 routes for them.
// Storage is behind the Store interface, implemented by sqlitestore and
// mongostore.
package accounts

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Role is a user's site-wide role. Being agency staff is a Membership, not a
// role, so a moderator can also be staff of an agency.
type Role string

// The roles.
const (
	Resident  Role = "resident"
	Moderator Role = "moderator"
	Admin     Role = "admin"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == Resident || r == Moderator || r == Admin }

// User is a registered member.
type User struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	PasswordHash string `json:"-"`
	// AuthVersion rises whenever the user's rights change; sessions made
	// under an older version are rotated on their next use.
	AuthVersion int64     `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	// SuspendedUntil, while in the future, keeps the user from logging in
	// and from acting; a ban is a suspension until BanEnd.
	SuspendedUntil *time.Time `json:"suspended_until,omitempty"`
}

// BanEnd is the end of a ban: a suspension with no end in sight.
var BanEnd = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// SuspendedAt reports whether u is suspended at now.
func (u *User) SuspendedAt(now time.Time) bool {
	return u.SuspendedUntil != nil && now.Before(*u.SuspendedUntil)
}

// Agency is a state agency (a department, a district people's committee).
type Agency struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      i18n.Text `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Membership makes a user staff of an agency with a job title.
type Membership struct {
	AgencyID  string    `json:"agency_id"`
	UserID    string    `json:"user_id"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is a server-side login session. Only the SHA-256 of its token is
// stored, so a copy of the store does not let anyone in.
type Session struct {
	TokenHash   string
	UserID      string
	AuthVersion int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Revocation is an entry of the revocation log: at At, the sessions of
// UserID changed, and sockets opened under them must close. Every node reads
// the log, so a change made on any node or by civichub admin reaches all.
type Revocation struct {
	ID     string
	UserID string
	At     time.Time
}

// Errors returned by stores and the service. Compare with errors.Is.
var (
	ErrUserNotFound   = apperr.New(apperr.NotFound, "user_not_found")
	ErrAgencyNotFound = apperr.New(apperr.NotFound, "agency_not_found")
	ErrStaffNotFound  = apperr.New(apperr.NotFound, "staff_not_found")
	ErrSessionExpired = apperr.New(apperr.Unauthorized, "session_expired")
	ErrEmailTaken     = apperr.New(apperr.Conflict, "email_taken")
	ErrSlugTaken      = apperr.New(apperr.Conflict, "slug_taken")
	ErrBadCredentials = apperr.New(apperr.Unauthorized, "bad_credentials")
	ErrUnauthorized   = apperr.New(apperr.Unauthorized, "unauthorized")
	ErrForbidden      = apperr.New(apperr.Forbidden, "forbidden")
	ErrRateLimited    = apperr.New(apperr.RateLimited, "rate_limited")
	ErrLastAdmin      = apperr.New(apperr.Conflict, "last_admin")
	ErrSuspended      = apperr.New(apperr.Forbidden, "account_suspended")
)

// ListParams selects one page of a list ordered by ID: the items after After.
type ListParams struct {
	After string
	Limit int
}

// Store keeps accounts. Implementations are safe for concurrent use and are
// checked by the accountstest conformance suite.
type Store interface {
	// CreateUser inserts u. It returns ErrEmailTaken when a user with the
	// same email, compared with EmailKey, exists; the store enforces this
	// with a unique index, so concurrent registrations make one user.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with id, or ErrUserNotFound.
	User(ctx context.Context, id string) (*User, error)
	// UserByEmail returns the user whose EmailKey equals EmailKey(email), or
	// ErrUserNotFound.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// Users returns users ordered by ID.
	Users(ctx context.Context, p ListParams) ([]*User, error)
	// CountRole returns how many users have role.
	CountRole(ctx context.Context, role Role) (int, error)
	// SetRole sets the user's role and increments its AuthVersion, returning
	// the updated user, or ErrUserNotFound.
	SetRole(ctx context.Context, id string, role Role) (*User, error)

	// SetSuspension sets or (with nil) lifts the user's suspension and
	// increments its AuthVersion, returning the updated user, or
	// ErrUserNotFound.
	SetSuspension(ctx context.Context, id string, until *time.Time) (*User, error)

	// CreateSession inserts s.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with tokenHash, or ErrSessionExpired when
	// there is none.
	Session(ctx context.Context, tokenHash string) (*Session, error)
	// DeleteSession removes a session; removing a missing one is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions removes every session of a user.
	DeleteUserSessions(ctx context.Context, userID string) error
	// DeleteExpiredSessions removes sessions that expired before now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateAgency inserts a. It returns ErrSlugTaken for a duplicate slug.
	CreateAgency(ctx context.Context, a *Agency) error
	// Agency returns the agency with id, or ErrAgencyNotFound.
	Agency(ctx context.Context, id string) (*Agency, error)
	// AgencyBySlug returns the agency with slug, or ErrAgencyNotFound.
	AgencyBySlug(ctx context.Context, slug string) (*Agency, error)
	// Agencies returns agencies ordered by ID.
	Agencies(ctx context.Context, p ListParams) ([]*Agency, error)

	// PutMembership adds the user to the agency's staff, or changes the
	// title of an existing membership.
	PutMembership(ctx context.Context, m *Membership) error
	// DeleteMembership removes a membership, or returns ErrStaffNotFound.
	DeleteMembership(ctx context.Context, agencyID, userID string) error
	// UserMemberships returns the user's memberships ordered by agency ID.
	UserMemberships(ctx context.Context, userID string) ([]*Membership, error)
	// AgencyMemberships returns the agency's staff ordered by user ID.
	AgencyMemberships(ctx context.Context, agencyID string) ([]*Membership, error)

	// AddRevocation records that a user's sessions changed (a logout, a
	// role change), so that every node closes the user's sockets.
	AddRevocation(ctx context.Context, r *Revocation) error
	// Revocations returns the revocations recorded at or after since,
	// oldest first.
	Revocations(ctx context.Context, since time.Time) ([]*Revocation, error)
	// DeleteRevocations removes revocations recorded before before.
	DeleteRevocations(ctx context.Context, before time.Time) error

	// Secret returns the named site secret, creating it from gen the first
	// time; every node and every later start gets the same bytes.
	Secret(ctx context.Context, name string, gen func() []byte) ([]byte, error)
}

// EmailKey is the form in which emails are compared: trimmed and lowercased,
// so that emails are unique without regard to case.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])$`)

// ValidSlug reports whether s is a slug as URLs carry them: 2 to 64
// lowercase letters, digits and inner hyphens. Agencies and forum
// categories use it.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// cleanLine trims s and reports whether it is between 1 and max characters
// with no control characters.
func cleanLine(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 || n > max || !utf8.ValidString(s) {
		return s, false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, false
		}
	}
	return s, true
}

func checkPassword(p string) error {
	switch n := utf8.RuneCountInString(p); {
	case n < 8:
		return apperr.Field("password", "password_too_short")
	case n > 128:
		return apperr.Field("password", "password_too_long")
	}
	return nil
}
