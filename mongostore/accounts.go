package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/accounts"
)

// The accounts collections.
const (
	usersColl       = "users"
	sessionsColl    = "sessions"
	agenciesColl    = "agencies"
	membershipsColl = "memberships"
	secretsColl     = "secrets"
	revocationsColl = "revocations"
)

// AccountsStore keeps users, sessions, agencies, staff memberships and site
// secrets. It is safe for concurrent use. Errors other than the accounts
// sentinel errors each method documents are driver errors wrapped with a
// "mongostore:" prefix.
type AccountsStore struct {
	db *mongo.Database
}

var _ accounts.Store = (*AccountsStore)(nil)

func accountsIndexes() []collectionIndexes {
	asc := func(keys ...string) bson.D {
		d := make(bson.D, len(keys))
		for i, k := range keys {
			d[i] = bson.E{Key: k, Value: 1}
		}
		return d
	}
	unique := options.Index().SetUnique(true)
	return []collectionIndexes{
		{usersColl, []mongo.IndexModel{
			{Keys: asc("email_key"), Options: unique},
			{Keys: asc("role")},
		}},
		{sessionsColl, []mongo.IndexModel{{Keys: asc("user_id")}, {Keys: asc("expires_at")}}},
		{agenciesColl, []mongo.IndexModel{{Keys: asc("slug"), Options: unique}}},
		// A membership's _id is agency_id/user_id, which makes the pair unique.
		{membershipsColl, []mongo.IndexModel{{Keys: asc("user_id", "agency_id")}, {Keys: asc("agency_id", "user_id")}}},
		{revocationsColl, []mongo.IndexModel{{Keys: asc("at")}}},
	}
}

type userDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	EmailKey     string    `bson:"email_key"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	PasswordHash string    `bson:"password_hash"`
	AuthVersion  int64     `bson:"auth_version"`
	CreatedAt    time.Time `bson:"created_at"`
	// SuspendedUntil is null when the user is not suspended.
	SuspendedUntil *time.Time `bson:"suspended_until"`
}

func (d *userDoc) user() *accounts.User {
	u := &accounts.User{ID: d.ID, Email: d.Email, Name: d.Name, Role: accounts.Role(d.Role),
		PasswordHash: d.PasswordHash, AuthVersion: d.AuthVersion, CreatedAt: d.CreatedAt.UTC()}
	if d.SuspendedUntil != nil {
		t := d.SuspendedUntil.UTC()
		u.SuspendedUntil = &t
	}
	return u
}

// CreateUser inserts u. It returns accounts.ErrEmailTaken when a user with
// the same accounts.EmailKey exists; the unique index on email_key decides,
// so of concurrent registrations of one email exactly one succeeds.
func (s *AccountsStore) CreateUser(ctx context.Context, u *accounts.User) error {
	_, err := s.db.Collection(usersColl).InsertOne(ctx, userDoc{ID: u.ID, Email: u.Email,
		EmailKey: accounts.EmailKey(u.Email), Name: u.Name, Role: string(u.Role),
		PasswordHash: u.PasswordHash, AuthVersion: u.AuthVersion, CreatedAt: u.CreatedAt, SuspendedUntil: u.SuspendedUntil})
	switch {
	case mongo.IsDuplicateKeyError(err):
		// IDs are random, so the duplicate is the email.
		return accounts.ErrEmailTaken
	case err != nil:
		return fmt.Errorf("mongostore: insert user: %w", err)
	}
	return nil
}

// User returns the user with id, or accounts.ErrUserNotFound.
func (s *AccountsStore) User(ctx context.Context, id string) (*accounts.User, error) {
	return s.findUser(ctx, bson.D{{Key: "_id", Value: id}})
}

// UserByEmail returns the user whose email has the same accounts.EmailKey as
// email, or accounts.ErrUserNotFound.
func (s *AccountsStore) UserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	return s.findUser(ctx, bson.D{{Key: "email_key", Value: accounts.EmailKey(email)}})
}

func (s *AccountsStore) findUser(ctx context.Context, filter bson.D) (*accounts.User, error) {
	return findOne(ctx, s.db.Collection(usersColl), filter, accounts.ErrUserNotFound, "user", (*userDoc).user)
}

// Users returns at most p.Limit users with IDs after p.After, ordered by ID;
// all of them when p.Limit is zero or less.
func (s *AccountsStore) Users(ctx context.Context, p accounts.ListParams) ([]*accounts.User, error) {
	return listPage(ctx, s.db.Collection(usersColl), p.After, p.Limit, "users", (*userDoc).user)
}

// CountRole returns how many users have role.
func (s *AccountsStore) CountRole(ctx context.Context, role accounts.Role) (int, error) {
	n, err := s.db.Collection(usersColl).CountDocuments(ctx, bson.D{{Key: "role", Value: string(role)}})
	if err != nil {
		return 0, fmt.Errorf("mongostore: count role: %w", err)
	}
	return int(n), nil
}

// SetRole sets the user's role and increments its AuthVersion in one atomic
// update, returning the updated user, or accounts.ErrUserNotFound.
func (s *AccountsStore) SetRole(ctx context.Context, id string, role accounts.Role) (*accounts.User, error) {
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "role", Value: string(role)}}},
		{Key: "$inc", Value: bson.D{{Key: "auth_version", Value: int64(1)}}},
	}
	var d userDoc
	err := s.db.Collection(usersColl).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, accounts.ErrUserNotFound
	case err != nil:
		return nil, fmt.Errorf("mongostore: set role: %w", err)
	}
	return d.user(), nil
}

// SetSuspension sets or lifts the user's suspension and increments its
// AuthVersion in one update, returning the updated user, or
// accounts.ErrUserNotFound.
func (s *AccountsStore) SetSuspension(ctx context.Context, id string, until *time.Time) (*accounts.User, error) {
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "suspended_until", Value: until}}},
		{Key: "$inc", Value: bson.D{{Key: "auth_version", Value: int64(1)}}},
	}
	var d userDoc
	err := s.db.Collection(usersColl).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, accounts.ErrUserNotFound
	case err != nil:
		return nil, fmt.Errorf("mongostore: set suspension: %w", err)
	}
	return d.user(), nil
}

type sessionDoc struct {
	TokenHash   string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	AuthVersion int64     `bson:"auth_version"`
	CreatedAt   time.Time `bson:"created_at"`
	ExpiresAt   time.Time `bson:"expires_at"`
}

// CreateSession inserts sess. A session with the same token hash is an error.
func (s *AccountsStore) CreateSession(ctx context.Context, sess *accounts.Session) error {
	_, err := s.db.Collection(sessionsColl).InsertOne(ctx, sessionDoc{TokenHash: sess.TokenHash, UserID: sess.UserID,
		AuthVersion: sess.AuthVersion, CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt})
	if err != nil {
		return fmt.Errorf("mongostore: insert session: %w", err)
	}
	return nil
}

// Session returns the session with tokenHash, expired or not, or
// accounts.ErrSessionExpired when there is none. The caller checks
// ExpiresAt: sessions are expired by the application, not a TTL index.
func (s *AccountsStore) Session(ctx context.Context, tokenHash string) (*accounts.Session, error) {
	var d sessionDoc
	err := s.db.Collection(sessionsColl).FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash}}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, accounts.ErrSessionExpired
	case err != nil:
		return nil, fmt.Errorf("mongostore: find session: %w", err)
	}
	return &accounts.Session{TokenHash: d.TokenHash, UserID: d.UserID, AuthVersion: d.AuthVersion,
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}, nil
}

// DeleteSession removes the session with tokenHash; removing a missing one
// is not an error.
func (s *AccountsStore) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.Collection(sessionsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash}}); err != nil {
		return fmt.Errorf("mongostore: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of the user; a user without
// sessions is not an error.
func (s *AccountsStore) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.db.Collection(sessionsColl).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("mongostore: delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that expired before now and
// returns how many. It is safe to run on several nodes at once.
func (s *AccountsStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.Collection(sessionsColl).DeleteMany(ctx,
		bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("mongostore: delete expired sessions: %w", err)
	}
	return int(res.DeletedCount), nil
}
