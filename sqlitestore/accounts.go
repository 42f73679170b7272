package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civichub/civichub/accounts"
)

// AccountsStore implements accounts.Store on SQLite. It is safe for
// concurrent use.
type AccountsStore struct{ db *DB }

var _ accounts.Store = (*AccountsStore)(nil)

// Accounts returns the accounts store.
func (db *DB) Accounts() *AccountsStore { return &AccountsStore{db: db} }

const userCols = `id, email, name, role, password_hash, auth_version, created_at, suspended_until`

type scanner interface{ Scan(...any) error }

func scanUser(row scanner) (*accounts.User, error) {
	var u accounts.User
	var created int64
	var suspended sql.NullInt64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.AuthVersion, &created, &suspended); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMS(created)
	if suspended.Valid {
		t := fromMS(suspended.Int64)
		u.SuspendedUntil = &t
	}
	return &u, nil
}

// CreateUser implements accounts.Store.
func (s *AccountsStore) CreateUser(ctx context.Context, u *accounts.User) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO users (`+userCols+`, email_key) VALUES (?,?,?,?,?,?,?,?,?)`,
		u.ID, u.Email, u.Name, u.Role, u.PasswordHash, u.AuthVersion, ms(u.CreatedAt), nullMS(u.SuspendedUntil), accounts.EmailKey(u.Email))
	if isUnique(err) {
		return accounts.ErrEmailTaken
	} else if err != nil {
		return fmt.Errorf("sqlitestore: insert user: %w", err)
	}
	return nil
}

func (s *AccountsStore) oneUser(ctx context.Context, where string, arg any) (*accounts.User, error) {
	u, err := scanUser(s.db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accounts.ErrUserNotFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: select user: %w", err)
	}
	return u, nil
}

// User implements accounts.Store.
func (s *AccountsStore) User(ctx context.Context, id string) (*accounts.User, error) {
	return s.oneUser(ctx, "id = ?", id)
}

// UserByEmail implements accounts.Store.
func (s *AccountsStore) UserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	return s.oneUser(ctx, "email_key = ?", accounts.EmailKey(email))
}

// Users implements accounts.Store.
func (s *AccountsStore) Users(ctx context.Context, p accounts.ListParams) ([]*accounts.User, error) {
	rows, err := s.db.query(ctx, `SELECT `+userCols+` FROM users WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list users: %w", err)
	}
	return collect(rows, scanUser)
}

// CountRole implements accounts.Store.
func (s *AccountsStore) CountRole(ctx context.Context, role accounts.Role) (int, error) {
	var n int
	if err := s.db.queryRow(ctx, `SELECT count(*) FROM users WHERE role = ?`, role).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: count role: %w", err)
	}
	return n, nil
}

// SetRole implements accounts.Store.
func (s *AccountsStore) SetRole(ctx context.Context, id string, role accounts.Role) (*accounts.User, error) {
	u, err := scanUser(s.db.write.QueryRowContext(ctx,
		`UPDATE users SET role = ?, auth_version = auth_version + 1 WHERE id = ? RETURNING `+userCols, role, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accounts.ErrUserNotFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: set role: %w", err)
	}
	return u, nil
}

// SetSuspension implements accounts.Store.
func (s *AccountsStore) SetSuspension(ctx context.Context, id string, until *time.Time) (*accounts.User, error) {
	u, err := scanUser(s.db.write.QueryRowContext(ctx,
		`UPDATE users SET suspended_until = ?, auth_version = auth_version + 1 WHERE id = ? RETURNING `+userCols, nullMS(until), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accounts.ErrUserNotFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: set suspension: %w", err)
	}
	return u, nil
}

func nullMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

// CreateSession implements accounts.Store.
func (s *AccountsStore) CreateSession(ctx context.Context, x *accounts.Session) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, auth_version, created_at, expires_at) VALUES (?,?,?,?,?)`,
		x.TokenHash, x.UserID, x.AuthVersion, ms(x.CreatedAt), ms(x.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: insert session: %w", err)
	}
	return nil
}

// Session implements accounts.Store.
func (s *AccountsStore) Session(ctx context.Context, tokenHash string) (*accounts.Session, error) {
	var x accounts.Session
	var created, expires int64
	err := s.db.queryRow(ctx, `SELECT token_hash, user_id, auth_version, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&x.TokenHash, &x.UserID, &x.AuthVersion, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accounts.ErrSessionExpired
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: select session: %w", err)
	}
	x.CreatedAt, x.ExpiresAt = fromMS(created), fromMS(expires)
	return &x, nil
}

func (s *AccountsStore) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := s.db.write.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return res.RowsAffected()
}

// DeleteSession implements accounts.Store.
func (s *AccountsStore) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteUserSessions implements accounts.Store.
func (s *AccountsStore) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// DeleteExpiredSessions implements accounts.Store.
func (s *AccountsStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := s.exec(ctx, "delete expired sessions", `DELETE FROM sessions WHERE expires_at <= ?`, ms(now))
	return int(n), err
}

const agencyCols = `id, slug, name_vi, name_en, created_at`

func scanAgency(row scanner) (*accounts.Agency, error) {
	var a accounts.Agency
	var created int64
	if err := row.Scan(&a.ID, &a.Slug, &a.Name.VI, &a.Name.EN, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// CreateAgency implements accounts.Store.
func (s *AccountsStore) CreateAgency(ctx context.Context, a *accounts.Agency) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO agencies (`+agencyCols+`) VALUES (?,?,?,?,?)`,
		a.ID, a.Slug, a.Name.VI, a.Name.EN, ms(a.CreatedAt))
	if isUnique(err) {
		return accounts.ErrSlugTaken
	} else if err != nil {
		return fmt.Errorf("sqlitestore: insert agency: %w", err)
	}
	return nil
}

func (s *AccountsStore) oneAgency(ctx context.Context, where string, arg any) (*accounts.Agency, error) {
	a, err := scanAgency(s.db.queryRow(ctx, `SELECT `+agencyCols+` FROM agencies WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accounts.ErrAgencyNotFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: select agency: %w", err)
	}
	return a, nil
}

// Agency implements accounts.Store.
func (s *AccountsStore) Agency(ctx context.Context, id string) (*accounts.Agency, error) {
	return s.oneAgency(ctx, "id = ?", id)
}

// AgencyBySlug implements accounts.Store.
func (s *AccountsStore) AgencyBySlug(ctx context.Context, slug string) (*accounts.Agency, error) {
	return s.oneAgency(ctx, "slug = ?", slug)
}

// Agencies implements accounts.Store.
func (s *AccountsStore) Agencies(ctx context.Context, p accounts.ListParams) ([]*accounts.Agency, error) {
	rows, err := s.db.query(ctx, `SELECT `+agencyCols+` FROM agencies WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list agencies: %w", err)
	}
	return collect(rows, scanAgency)
}

// PutMembership implements accounts.Store.
func (s *AccountsStore) PutMembership(ctx context.Context, m *accounts.Membership) error {
	_, err := s.exec(ctx, "put membership", `INSERT INTO memberships (agency_id, user_id, title, created_at) VALUES (?,?,?,?)
		ON CONFLICT (agency_id, user_id) DO UPDATE SET title = excluded.title`,
		m.AgencyID, m.UserID, m.Title, ms(m.CreatedAt))
	return err
}

// DeleteMembership implements accounts.Store.
func (s *AccountsStore) DeleteMembership(ctx context.Context, agencyID, userID string) error {
	n, err := s.exec(ctx, "delete membership", `DELETE FROM memberships WHERE agency_id = ? AND user_id = ?`, agencyID, userID)
	if err == nil && n == 0 {
		return accounts.ErrStaffNotFound
	}
	return err
}

func scanMembership(row scanner) (*accounts.Membership, error) {
	var m accounts.Membership
	var created int64
	if err := row.Scan(&m.AgencyID, &m.UserID, &m.Title, &created); err != nil {
		return nil, err
	}
	m.CreatedAt = fromMS(created)
	return &m, nil
}

// UserMemberships implements accounts.Store.
func (s *AccountsStore) UserMemberships(ctx context.Context, userID string) ([]*accounts.Membership, error) {
	rows, err := s.db.query(ctx, `SELECT agency_id, user_id, title, created_at FROM memberships WHERE user_id = ? ORDER BY agency_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: user memberships: %w", err)
	}
	return collect(rows, scanMembership)
}

// AgencyMemberships implements accounts.Store.
func (s *AccountsStore) AgencyMemberships(ctx context.Context, agencyID string) ([]*accounts.Membership, error) {
	rows, err := s.db.query(ctx, `SELECT agency_id, user_id, title, created_at FROM memberships WHERE agency_id = ? ORDER BY user_id`, agencyID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: agency memberships: %w", err)
	}
	return collect(rows, scanMembership)
}

// AddRevocation implements accounts.Store.
func (s *AccountsStore) AddRevocation(ctx context.Context, r *accounts.Revocation) error {
	_, err := s.exec(ctx, "insert revocation", `INSERT INTO revocations (id, user_id, at) VALUES (?,?,?)`, r.ID, r.UserID, ms(r.At))
	return err
}

// Revocations implements accounts.Store.
func (s *AccountsStore) Revocations(ctx context.Context, since time.Time) ([]*accounts.Revocation, error) {
	rows, err := s.db.query(ctx, `SELECT id, user_id, at FROM revocations WHERE at >= ? ORDER BY at, id`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list revocations: %w", err)
	}
	return collect(rows, func(row scanner) (*accounts.Revocation, error) {
		var r accounts.Revocation
		var at int64
		if err := row.Scan(&r.ID, &r.UserID, &at); err != nil {
			return nil, err
		}
		r.At = fromMS(at)
		return &r, nil
	})
}

// DeleteRevocations implements accounts.Store.
func (s *AccountsStore) DeleteRevocations(ctx context.Context, before time.Time) error {
	_, err := s.exec(ctx, "delete revocations", `DELETE FROM revocations WHERE at < ?`, ms(before))
	return err
}

// Secret implements accounts.Store.
func (s *AccountsStore) Secret(ctx context.Context, name string, gen func() []byte) ([]byte, error) {
	var v []byte
	err := s.db.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlitestore: select secret: %w", err)
	}
	err = s.db.write.QueryRowContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET name = name RETURNING value`, name, gen()).Scan(&v)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: insert secret: %w", err)
	}
	return v, nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: rows: %w", err)
	}
	return out, nil
}
