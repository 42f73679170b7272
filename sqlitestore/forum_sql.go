package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The forum store's plumbing: write transactions with reused statements,
// and hot reads through readStmt.

// inTx runs fn in a write transaction and commits it.
func (s *ForumStore) inTx(ctx context.Context, what string, fn func(tx writeTx) error) error {
	if err := s.preparePending(ctx); err != nil {
		return err
	}
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(writeTx{tx: tx, s: s, local: map[string]*sql.Stmt{}}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: commit %s: %w", what, err)
	}
	return nil
}

// writeTx is a write transaction whose statements are prepared once on the
// write connection and reused, like readStmt's: a post's transaction runs
// five or six small statements, and parsing them would cost more than
// running them.
//
// A statement cannot be prepared on the write pool while a transaction
// holds its only connection, so the first transaction that runs a
// statement prepares it for itself and leaves its text in s.pending; the
// next inTx prepares it on the pool, before it begins.
type writeTx struct {
	tx    *sql.Tx
	s     *ForumStore
	local map[string]*sql.Stmt // this transaction's own statements
}

// writeKey prefixes the write connection's statements in db.stmts, which
// DB.Close closes.
const writeKey = "write\x00"

func (s *ForumStore) preparePending(ctx context.Context) error {
	var err error
	s.pending.Range(func(k, _ any) bool {
		q := k.(string)
		var st *sql.Stmt
		if st, err = s.db.write.PrepareContext(ctx, q); err != nil {
			err = fmt.Errorf("sqlitestore: prepare: %w", err)
			return false
		}
		if _, loaded := s.db.stmts.LoadOrStore(writeKey+q, st); loaded {
			st.Close()
		}
		s.pending.Delete(q)
		return true
	})
	return err
}

func (w writeTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.s.db.stmts.Load(writeKey + query); ok {
		return w.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	if st, ok := w.local[query]; ok {
		return st, nil
	}
	w.s.pending.Store(query, true)
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	w.local[query] = st
	return st, nil
}

func (w writeTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w writeTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (w writeTx) row(ctx context.Context, query string, args ...any) scanner {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (s *ForumStore) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := s.db.write.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return res.RowsAffected()
}

// query runs a hot read through a prepared statement and collects its rows.
func query[T any](ctx context.Context, db *DB, what string, scan func(scanner) (*T, error), q string, args ...any) ([]*T, error) {
	st, err := db.readStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return collect(rows, scan)
}

// queryOne reads one row through a prepared statement; no row is notFound.
func queryOne[T any](ctx context.Context, db *DB, what string, notFound error, scan func(scanner) (*T, error), q string, args ...any) (*T, error) {
	st, err := db.readStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	v, err := scan(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return v, nil
}
