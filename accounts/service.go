package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/ratelimit"
)

// Limits are the rate limits the service enforces.
type Limits struct {
	LoginPerIP      ratelimit.Rate
	LoginPerAccount ratelimit.Rate
	RegisterPerIP   ratelimit.Rate
}

// Options configure a Service.
type Options struct {
	SessionTTL time.Duration
	Limits     Limits
	Now        func() time.Time // nil means time.Now
}

// Service is the accounts domain: registration, login, sessions, roles,
// agencies and staff. Every method that changes something takes the acting
// user and checks its rights. It is safe for concurrent use.
type Service struct {
	store   Store
	hasher  *Hasher
	limiter ratelimit.Limiter
	opts    Options
	logger  *slog.Logger
}

// NewService returns a Service.
func NewService(store Store, hasher *Hasher, limiter ratelimit.Limiter, opts Options, logger *slog.Logger) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	return &Service{store: store, hasher: hasher, limiter: limiter, opts: opts, logger: logger}
}

// System is the actor for administrative commands run by the operator
// (civichub admin, demo loading): it has every right.
var System = &User{ID: "system", Name: "system", Role: Admin}

// Store returns the service's store, for read-only use by pages.
func (s *Service) Store() Store { return s.store }

// NewUser is the input of Register and CreateUser.
type NewUser struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Role     Role   `json:"role,omitempty"`
}

func (s *Service) validateNewUser(in *NewUser) error {
	fields := map[string]string{}
	in.Email = EmailKey(in.Email)
	if !validEmail(in.Email) {
		fields["email"] = "email_invalid"
	}
	if err := checkPassword(in.Password); err != nil {
		fields["password"] = apperr.As(err).Fields["password"]
	}
	var ok bool
	if in.Name, ok = cleanLine(in.Name, 100); !ok {
		fields["name"] = "name_invalid"
	}
	if in.Role == "" {
		in.Role = Resident
	} else if !in.Role.Valid() {
		fields["role"] = "role_invalid"
	}
	if len(fields) > 0 {
		return &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: fields}
	}
	return nil
}

// Register creates a resident account and logs it in, returning the user and
// a session token. Registrations are rate limited per IP.
func (s *Service) Register(ctx context.Context, in NewUser, ip netip.Addr) (*User, string, error) {
	in.Role = Resident
	if err := s.validateNewUser(&in); err != nil {
		return nil, "", err
	}
	if err := s.allow(ctx, "register:ip:"+ip.String(), s.opts.Limits.RegisterPerIP); err != nil {
		return nil, "", err
	}
	u, err := s.createUser(ctx, in)
	if err != nil {
		return nil, "", err
	}
	token, err := s.newSession(ctx, u)
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// CreateUser creates a user with any role. Only admins may.
func (s *Service) CreateUser(ctx context.Context, actor *User, in NewUser) (*User, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	if err := s.validateNewUser(&in); err != nil {
		return nil, err
	}
	return s.createUser(ctx, in)
}

func (s *Service) createUser(ctx context.Context, in NewUser) (*User, error) {
	// Hashing is the expensive step; look for the email first so that a
	// duplicate costs no hash. The store's unique index still decides races.
	if _, err := s.store.UserByEmail(ctx, in.Email); err == nil {
		return nil, ErrEmailTaken
	} else if !errors.Is(err, ErrUserNotFound) {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{ID: id.New(), Email: in.Email, Name: in.Name, Role: in.Role, PasswordHash: hash, AuthVersion: 1, CreatedAt: s.now()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	s.logger.Info("user created", "user", u.ID, "role", u.Role)
	return u, nil
}

// Login checks credentials and starts a session, returning the user and the
// session token. Every failure is the same ErrBadCredentials; attempts are
// limited per IP and per account.
func (s *Service) Login(ctx context.Context, email, password string, ip netip.Addr) (*User, string, error) {
	key := EmailKey(email)
	if err := s.allow(ctx, "login:ip:"+ip.String(), s.opts.Limits.LoginPerIP); err != nil {
		return nil, "", err
	}
	if err := s.allow(ctx, "login:acct:"+key, s.opts.Limits.LoginPerAccount); err != nil {
		return nil, "", err
	}
	if len(password) > 4*128 { // a password longer than any accepted one
		return nil, "", ErrBadCredentials
	}
	u, err := s.store.UserByEmail(ctx, key)
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return nil, "", err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Check(ctx, password, hash)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", ErrBadCredentials
	}
	if u.SuspendedAt(s.now()) {
		// Said only to someone who knows the password.
		return nil, "", ErrSuspended
	}
	token, err := s.newSession(ctx, u)
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// Logout ends the session with token, and has the sockets opened under the
// user's sessions closed on every node (they reconnect with what the browser
// holds now).
func (s *Service) Logout(ctx context.Context, token string) error {
	sess, err := s.store.Session(ctx, hashToken(token))
	if errors.Is(err, ErrSessionExpired) {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.store.DeleteSession(ctx, sess.TokenHash); err != nil {
		return err
	}
	return s.revoke(ctx, sess.UserID)
}

func (s *Service) revoke(ctx context.Context, userID string) error {
	return s.store.AddRevocation(ctx, &Revocation{ID: id.New(), UserID: userID, At: s.now()})
}

// Authenticate returns the user of the session with token. When the user's
// rights changed since the session began, the session is rotated: the old
// token stops working and the new one is returned as rotated.
func (s *Service) Authenticate(ctx context.Context, token string) (u *User, rotated string, err error) {
	if token == "" || len(token) > 64 {
		return nil, "", ErrSessionExpired
	}
	sess, err := s.store.Session(ctx, hashToken(token))
	if err != nil {
		return nil, "", err
	}
	if !s.now().Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, sess.TokenHash)
		return nil, "", ErrSessionExpired
	}
	u, err = s.store.User(ctx, sess.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return nil, "", ErrSessionExpired
	} else if err != nil {
		return nil, "", err
	}
	if u.SuspendedAt(s.now()) {
		_ = s.store.DeleteSession(ctx, sess.TokenHash)
		return nil, "", ErrSessionExpired
	}
	if sess.AuthVersion != u.AuthVersion {
		if rotated, err = s.newSession(ctx, u); err != nil {
			return nil, "", err
		}
		if err := s.store.DeleteSession(ctx, sess.TokenHash); err != nil {
			return nil, "", err
		}
	}
	return u, rotated, nil
}

// Suspend suspends a user until until (accounts.BanEnd for a ban), or lifts
// the suspension when until is nil. Moderators may suspend residents;
// admins anyone but themselves. The user's sessions end at once, and their
// sockets close on every node.
func (s *Service) Suspend(ctx context.Context, actor *User, userID string, until *time.Time) (*User, error) {
	if err := requireRole(actor, Moderator); err != nil {
		return nil, err
	}
	target, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if target.ID == actor.ID || (actor.Role != Admin && target.Role != Resident) {
		return nil, ErrForbidden
	}
	if until != nil {
		t := until.UTC().Truncate(time.Millisecond)
		if !t.After(s.now()) {
			return nil, apperr.Field("until", "until_in_past")
		}
		until = &t
	}
	u, err := s.store.SetSuspension(ctx, userID, until)
	if err != nil {
		return nil, err
	}
	if until != nil {
		if err := s.store.DeleteUserSessions(ctx, userID); err != nil {
			return nil, err
		}
		if err := s.revoke(ctx, userID); err != nil {
			return nil, err
		}
	}
	s.logger.Info("suspension changed", "user", userID, "by", actor.ID, "until", until)
	return u, nil
}

// SetRole changes a user's role. Only admins may, and the last admin keeps the
// role. The user's sessions are rotated on their next use.
func (s *Service) SetRole(ctx context.Context, actor *User, userID string, role Role) (*User, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, apperr.Field("role", "role_invalid")
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Role == role {
		return u, nil
	}
	if u.Role == Admin {
		n, err := s.store.CountRole(ctx, Admin)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, ErrLastAdmin
		}
	}
	u, err = s.store.SetRole(ctx, userID, role)
	if err != nil {
		return nil, err
	}
	if err := s.revoke(ctx, userID); err != nil {
		return nil, err
	}
	s.logger.Info("role changed", "user", userID, "role", role, "by", actor.ID)
	return u, nil
}

// User returns a user. Admins may read anyone; others only themselves.
func (s *Service) User(ctx context.Context, actor *User, userID string) (*User, error) {
	if actor == nil {
		return nil, ErrUnauthorized
	}
	if actor.ID != userID && actor.Role != Admin {
		return nil, ErrForbidden
	}
	return s.store.User(ctx, userID)
}

// Users lists users for admins.
func (s *Service) Users(ctx context.Context, actor *User, p ListParams) ([]*User, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	return s.store.Users(ctx, p)
}

// UserByEmail finds a user by email for admin commands.
func (s *Service) UserByEmail(ctx context.Context, actor *User, email string) (*User, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	return s.store.UserByEmail(ctx, email)
}

// StaffMembership is a membership with its agency, as shown to its user.
type StaffMembership struct {
	Agency *Agency `json:"agency"`
	Title  string  `json:"title"`
}

// Memberships returns a user's staff memberships with their agencies.
func (s *Service) Memberships(ctx context.Context, userID string) ([]StaffMembership, error) {
	ms, err := s.store.UserMemberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMembership, 0, len(ms))
	for _, m := range ms {
		a, err := s.store.Agency(ctx, m.AgencyID)
		if errors.Is(err, ErrAgencyNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, StaffMembership{Agency: a, Title: m.Title})
	}
	return out, nil
}

// NewAgency is the input of CreateAgency.
type NewAgency struct {
	Name i18n.Text `json:"name"`
	Slug string    `json:"slug"`
}

// CreateAgency creates an agency. Only admins may.
func (s *Service) CreateAgency(ctx context.Context, actor *User, in NewAgency) (*Agency, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	var ok bool
	if in.Name.VI, ok = cleanLine(in.Name.VI, 200); !ok {
		fields["name"] = "agency_name_invalid"
	}
	if in.Name.EN != "" {
		if in.Name.EN, ok = cleanLine(in.Name.EN, 200); !ok {
			fields["name.en"] = "agency_name_en_invalid"
		}
	}
	if !slugRE.MatchString(in.Slug) {
		fields["slug"] = "slug_invalid"
	}
	if len(fields) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: fields}
	}
	a := &Agency{ID: id.New(), Slug: in.Slug, Name: in.Name, CreatedAt: s.now()}
	if err := s.store.CreateAgency(ctx, a); err != nil {
		return nil, err
	}
	s.logger.Info("agency created", "agency", a.ID, "slug", a.Slug, "by", actor.ID)
	return a, nil
}

// Agency returns an agency by ID.
func (s *Service) Agency(ctx context.Context, agencyID string) (*Agency, error) {
	if !id.Valid(agencyID) {
		return nil, ErrAgencyNotFound
	}
	return s.store.Agency(ctx, agencyID)
}

// Agencies lists agencies; they are public.
func (s *Service) Agencies(ctx context.Context, p ListParams) ([]*Agency, error) {
	return s.store.Agencies(ctx, p)
}

// StaffMember is one of an agency's staff as shown publicly.
type StaffMember struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Title  string `json:"title"`
}

// Staff returns an agency's staff with their names.
func (s *Service) Staff(ctx context.Context, agencyID string) ([]StaffMember, error) {
	ms, err := s.store.AgencyMemberships(ctx, agencyID)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMember, 0, len(ms))
	for _, m := range ms {
		u, err := s.store.User(ctx, m.UserID)
		if errors.Is(err, ErrUserNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, StaffMember{UserID: u.ID, Name: u.Name, Title: m.Title})
	}
	return out, nil
}

// AddStaff makes a user staff of an agency with a title, or changes the title.
// Only admins may.
func (s *Service) AddStaff(ctx context.Context, actor *User, agencyID, userID, title string) (*Membership, error) {
	if err := requireRole(actor, Admin); err != nil {
		return nil, err
	}
	title, ok := cleanLine(title, 200)
	if !ok {
		return nil, apperr.Field("title", "title_invalid")
	}
	if _, err := s.Agency(ctx, agencyID); err != nil {
		return nil, err
	}
	if userID == "" {
		return nil, apperr.Field("user_id", "required")
	}
	if !id.Valid(userID) {
		return nil, apperr.Field("user_id", "user_not_found")
	}
	if _, err := s.store.User(ctx, userID); errors.Is(err, ErrUserNotFound) {
		return nil, apperr.Field("user_id", "user_not_found")
	} else if err != nil {
		return nil, err
	}
	m := &Membership{AgencyID: agencyID, UserID: userID, Title: title, CreatedAt: s.now()}
	if err := s.store.PutMembership(ctx, m); err != nil {
		return nil, err
	}
	s.logger.Info("staff added", "agency", agencyID, "user", userID, "by", actor.ID)
	return m, nil
}

// RemoveStaff ends a staff membership. Only admins may.
func (s *Service) RemoveStaff(ctx context.Context, actor *User, agencyID, userID string) error {
	if err := requireRole(actor, Admin); err != nil {
		return err
	}
	if _, err := s.Agency(ctx, agencyID); err != nil {
		return err
	}
	if err := s.store.DeleteMembership(ctx, agencyID, userID); err != nil {
		return err
	}
	s.logger.Info("staff removed", "agency", agencyID, "user", userID, "by", actor.ID)
	// Every node closes the user's sockets: what they subscribed to as
	// staff (agency:{id}, private questions) is checked again when the
	// browser reconnects.
	return s.revoke(ctx, userID)
}

// SweepSessions deletes expired sessions.
func (s *Service) SweepSessions(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.now())
}

func (s *Service) newSession(ctx context.Context, u *User) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("accounts: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	sess := &Session{TokenHash: hashToken(token), UserID: u.ID, AuthVersion: u.AuthVersion, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

func (s *Service) allow(ctx context.Context, key string, rate ratelimit.Rate) error {
	ok, retry, err := s.limiter.Allow(ctx, key, rate)
	if err != nil {
		// A broken limiter must not lock everyone out; it is logged.
		s.logger.Warn("rate limiter failed", "key", key, "err", err)
		return nil
	}
	if !ok {
		return &apperr.Error{Code: apperr.RateLimited, Key: "rate_limited", Err: fmt.Errorf("limit %s on %s", rate, key), RetryAfter: retry}
	}
	return nil
}

// now is truncated to milliseconds, the precision both stores keep, so that a
// value returned at creation equals the value read back later.
func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func requireRole(actor *User, role Role) error {
	if actor == nil {
		return ErrUnauthorized
	}
	if actor.Role != role && actor.Role != Admin {
		return ErrForbidden
	}
	return nil
}
