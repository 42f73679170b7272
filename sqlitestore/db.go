// Package sqlitestore is civichub's embedded store: SQLite in the data folder
// through a pure Go driver, so one binary runs a portal with no database
// server. It implements every domain's Store interface.
//
// Writes go through one connection (SQLite has a single writer; queueing in
// Go is cheaper than busy-waiting in SQLite), reads through a pool. The
// database runs in WAL mode with synchronous=FULL, so an acknowledged write
// survives a power cut. Schema migrations run at Open.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database file inside the data folder.
const FileName = "civichub.db"

// DB is an open SQLite database. It is safe for concurrent use.
type DB struct {
	write  *sql.DB
	read   *sql.DB
	logger *slog.Logger
	path   string
	stmts  sync.Map // query string → *sql.Stmt on read, for hot reads
}

// Open opens (creating if needed) the database in dir and migrates it to the
// current schema. Other processes (civichub admin) may open the same folder
// while a server runs.
func Open(ctx context.Context, dir string, logger *slog.Logger) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlitestore: create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	read.SetMaxIdleConns(max(4, runtime.NumCPU()*2))
	db := &DB{write: write, read: read, logger: logger, path: path}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlitestore: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return errors.Join(db.read.Close(), db.write.Close())
}

// queryRow runs a one-row read through a statement prepared once.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a read through a statement prepared once.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// readStmt returns query prepared on the read pool, prepared once and
// reused: the pure Go SQLite spends more time parsing a small query than
// running it, so hot reads (a poll, its tally, a ballot) skip the parse.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// migrations are applied in order; PRAGMA user_version records how many ran.
// Never edit one that has shipped: append a new one.
var migrations = []string{
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL,
		email_key TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		role TEXT NOT NULL,
		password_hash TEXT NOT NULL,
		auth_version INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX users_role ON users(role);
	CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		auth_version INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX sessions_user ON sessions(user_id);
	CREATE INDEX sessions_expires ON sessions(expires_at);
	CREATE TABLE agencies (
		id TEXT PRIMARY KEY,
		slug TEXT NOT NULL UNIQUE,
		name_vi TEXT NOT NULL,
		name_en TEXT NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE TABLE memberships (
		agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		title TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (agency_id, user_id)
	) STRICT;
	CREATE INDEX memberships_user ON memberships(user_id, agency_id);
	CREATE TABLE secrets (
		name TEXT PRIMARY KEY,
		value BLOB NOT NULL
	) STRICT;`,
	`CREATE TABLE counters (
		name TEXT PRIMARY KEY,
		value INTEGER NOT NULL
	) STRICT;
	CREATE TABLE visitor_days (
		kind TEXT NOT NULL,
		day TEXT NOT NULL,
		sketch BLOB NOT NULL,
		PRIMARY KEY (kind, day)
	) STRICT;`,
	`CREATE TABLE revocations (
		id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL,
		at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX revocations_at ON revocations(at);`,
	`CREATE TABLE polls (
		id TEXT PRIMARY KEY,
		status TEXT NOT NULL,
		agency_id TEXT,
		revision INTEGER NOT NULL,
		doc TEXT NOT NULL
	) STRICT;
	CREATE INDEX polls_status ON polls(status, id);
	CREATE INDEX polls_agency ON polls(agency_id, id);
	CREATE TABLE poll_ballots (
		poll_id TEXT NOT NULL REFERENCES polls(id),
		voter TEXT NOT NULL,
		options TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (poll_id, voter)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE poll_tallies (
		poll_id TEXT NOT NULL,
		option_id TEXT NOT NULL,
		votes INTEGER NOT NULL,
		PRIMARY KEY (poll_id, option_id)
	) STRICT, WITHOUT ROWID;`,
	`ALTER TABLE users ADD COLUMN suspended_until INTEGER;`,
	// The forum (forum.go). Tokens are kept beside each row, joined by
	// U+001F, so that its forum_search rows can be removed without an
	// index on doc_id. forum_search holds only what Search may return.
	`CREATE TABLE forum_categories (
		id TEXT PRIMARY KEY,
		slug TEXT NOT NULL UNIQUE,
		name_vi TEXT NOT NULL,
		name_en TEXT NOT NULL,
		description_vi TEXT NOT NULL,
		description_en TEXT NOT NULL,
		agency_id TEXT NOT NULL,
		position INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE TABLE forum_threads (
		id TEXT PRIMARY KEY,
		category_id TEXT NOT NULL REFERENCES forum_categories(id),
		title TEXT NOT NULL,
		title_tokens TEXT NOT NULL,
		author_id TEXT NOT NULL,
		pinned INTEGER NOT NULL,
		locked INTEGER NOT NULL,
		deleted INTEGER NOT NULL,
		post_count INTEGER NOT NULL,
		last_post_at INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX forum_threads_list ON forum_threads(category_id, pinned, deleted, last_post_at, id);
	CREATE TABLE forum_posts (
		id TEXT PRIMARY KEY,
		thread_id TEXT NOT NULL REFERENCES forum_threads(id),
		number INTEGER NOT NULL,
		author_id TEXT NOT NULL,
		body TEXT NOT NULL,
		body_html TEXT NOT NULL,
		sanitizer INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		edited_at INTEGER NOT NULL,
		agency_id TEXT NOT NULL,
		staff_title TEXT NOT NULL,
		hidden INTEGER NOT NULL,
		hidden_reason TEXT NOT NULL,
		deleted INTEGER NOT NULL,
		review TEXT NOT NULL,
		flag_count INTEGER NOT NULL,
		tokens TEXT NOT NULL,
		revision INTEGER NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX forum_posts_number ON forum_posts(thread_id, number);
	CREATE INDEX forum_posts_sanitizer ON forum_posts(sanitizer);
	CREATE INDEX forum_posts_review ON forum_posts(id) WHERE review = 'pending';
	CREATE TABLE forum_edits (
		id TEXT PRIMARY KEY,
		post_id TEXT NOT NULL REFERENCES forum_posts(id),
		body TEXT NOT NULL,
		editor_id TEXT NOT NULL,
		at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX forum_edits_post ON forum_edits(post_id, id);
	CREATE TABLE forum_flags (
		post_id TEXT NOT NULL REFERENCES forum_posts(id),
		user_id TEXT NOT NULL,
		reason TEXT NOT NULL,
		note TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (post_id, user_id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE forum_follows (
		thread_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		PRIMARY KEY (thread_id, user_id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE forum_notifications (
		id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL,
		thread_id TEXT NOT NULL,
		post_id TEXT NOT NULL,
		actor_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		read INTEGER NOT NULL
	) STRICT;
	CREATE INDEX forum_notifications_user ON forum_notifications(user_id, id);
	CREATE INDEX forum_notifications_unread ON forum_notifications(user_id, id) WHERE read = 0;
	CREATE TABLE forum_words (
		id TEXT PRIMARY KEY,
		word TEXT NOT NULL UNIQUE,
		action TEXT NOT NULL,
		replacement TEXT NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE TABLE forum_audit (
		id TEXT PRIMARY KEY,
		actor_id TEXT NOT NULL,
		action TEXT NOT NULL,
		target_type TEXT NOT NULL,
		target_id TEXT NOT NULL,
		reason TEXT NOT NULL,
		details TEXT NOT NULL,
		at INTEGER NOT NULL
	) STRICT;
	CREATE TRIGGER forum_audit_no_update BEFORE UPDATE ON forum_audit
		BEGIN SELECT RAISE(ABORT, 'forum_audit is append-only'); END;
	CREATE TRIGGER forum_audit_no_delete BEFORE DELETE ON forum_audit
		BEGIN SELECT RAISE(ABORT, 'forum_audit is append-only'); END;
	CREATE TABLE forum_search (
		token TEXT NOT NULL,
		kind INTEGER NOT NULL,
		doc_id TEXT NOT NULL,
		PRIMARY KEY (token, kind, doc_id)
	) STRICT, WITHOUT ROWID;`,
	// The Q&A section (qa.go). A zero time is stored as its UnixMilli (year
	// 1), so a question without a deadline sorts first by deadline; an
	// open leg's ended_at is the largest integer, as it ends after any
	// time. The legs indexes cover every column the scorecard reads.
	// Tokens are kept beside a question only while it is listed, and
	// qa_search holds rows for listed questions only.
	`CREATE TABLE qa_questions (
		id TEXT PRIMARY KEY,
		agency_id TEXT NOT NULL,
		asker_id TEXT NOT NULL,
		field TEXT NOT NULL,
		title TEXT NOT NULL,
		body TEXT NOT NULL,
		body_html TEXT NOT NULL,
		sanitizer INTEGER NOT NULL,
		private INTEGER NOT NULL,
		contact TEXT NOT NULL,
		status TEXT NOT NULL,
		assignee_id TEXT NOT NULL,
		reject_reason TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL,
		accepted_at INTEGER NOT NULL,
		deadline INTEGER NOT NULL,
		answered_at INTEGER NOT NULL,
		closed_at INTEGER NOT NULL,
		overdue_notified INTEGER NOT NULL,
		listed INTEGER NOT NULL,
		upvotes INTEGER NOT NULL,
		comments INTEGER NOT NULL,
		history TEXT NOT NULL,
		tokens TEXT NOT NULL,
		revision INTEGER NOT NULL
	) STRICT;
	CREATE INDEX qa_questions_listed ON qa_questions(id) WHERE listed = 1;
	CREATE INDEX qa_questions_answered ON qa_questions(answered_at, id) WHERE listed = 1;
	CREATE INDEX qa_questions_agency ON qa_questions(agency_id, id);
	CREATE INDEX qa_questions_queue ON qa_questions(agency_id, status, deadline, id);
	CREATE INDEX qa_questions_asker ON qa_questions(asker_id, id);
	CREATE INDEX qa_questions_assignee ON qa_questions(assignee_id, deadline, id);
	CREATE INDEX qa_questions_overdue ON qa_questions(deadline, id)
		WHERE overdue_notified = 0 AND status IN ('submitted', 'accepted', 'assigned');
	CREATE TABLE qa_legs (
		question_id TEXT NOT NULL REFERENCES qa_questions(id),
		seq INTEGER NOT NULL,
		agency_id TEXT NOT NULL,
		started_at INTEGER NOT NULL,
		clock_at INTEGER NOT NULL,
		deadline INTEGER NOT NULL,
		outcome TEXT NOT NULL,
		ended_at INTEGER NOT NULL,
		PRIMARY KEY (question_id, seq)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX qa_legs_started ON qa_legs(agency_id, started_at, clock_at, deadline, outcome, ended_at);
	CREATE INDEX qa_legs_ended ON qa_legs(agency_id, ended_at, started_at, clock_at, deadline, outcome);
	CREATE TABLE qa_answers (
		id TEXT PRIMARY KEY,
		question_id TEXT NOT NULL UNIQUE REFERENCES qa_questions(id),
		agency_id TEXT NOT NULL,
		author_id TEXT NOT NULL,
		staff_title TEXT NOT NULL,
		body TEXT NOT NULL,
		body_html TEXT NOT NULL,
		sanitizer INTEGER NOT NULL,
		published_at INTEGER NOT NULL
	) STRICT;
	CREATE TABLE qa_revisions (
		answer_id TEXT NOT NULL REFERENCES qa_answers(id),
		number INTEGER NOT NULL,
		author_id TEXT NOT NULL,
		staff_title TEXT NOT NULL,
		body TEXT NOT NULL,
		body_html TEXT NOT NULL,
		sanitizer INTEGER NOT NULL,
		reason TEXT NOT NULL,
		at INTEGER NOT NULL,
		PRIMARY KEY (answer_id, number)
	) STRICT;
	CREATE TABLE qa_comments (
		id TEXT PRIMARY KEY,
		question_id TEXT NOT NULL REFERENCES qa_questions(id),
		author_id TEXT NOT NULL,
		body TEXT NOT NULL,
		body_html TEXT NOT NULL,
		sanitizer INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		agency_id TEXT NOT NULL,
		staff_title TEXT NOT NULL,
		hidden INTEGER NOT NULL
	) STRICT;
	CREATE INDEX qa_comments_question ON qa_comments(question_id, id);
	CREATE TABLE qa_upvotes (
		question_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		PRIMARY KEY (question_id, user_id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE qa_follows (
		question_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		PRIMARY KEY (question_id, user_id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE qa_answer_days (
		agency_id TEXT PRIMARY KEY,
		days INTEGER NOT NULL
	) STRICT;
	CREATE TABLE qa_search (
		token TEXT NOT NULL,
		question_id TEXT NOT NULL,
		PRIMARY KEY (token, question_id)
	) STRICT, WITHOUT ROWID;`,
}

func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("sqlitestore: read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("sqlitestore: database schema %d is newer than this civichub (%d): upgrade civichub", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("sqlitestore: migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("sqlitestore: set schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	if version < len(migrations) {
		db.logger.Info("database migrated", "from", version, "to", len(migrations))
	}
	return nil
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func ms(t time.Time) int64     { return t.UnixMilli() }
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
