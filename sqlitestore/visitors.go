package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civichub/civichub/visitors"
)

// VisitorsStore implements visitors.Store on SQLite: named counters in the
// counters table, day sketches in visitor_days. Each method is one
// statement, so it is atomic also against other processes (civichub admin)
// writing the same database. It is safe for concurrent use; errors are
// wrapped driver errors.
type VisitorsStore struct{ db *DB }

var _ visitors.Store = (*VisitorsStore)(nil)

// Visitors returns the visit counters store.
func (db *DB) Visitors() *VisitorsStore { return &VisitorsStore{db: db} }

// Counter implements visitors.Store.
func (s *VisitorsStore) Counter(ctx context.Context, name string) (int64, error) {
	var v int64
	err := s.db.read.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlitestore: select counter: %w", err)
	}
	return v, nil
}

// RaiseCounter implements visitors.Store with one upsert that keeps the
// greater value.
func (s *VisitorsStore) RaiseCounter(ctx context.Context, name string, v int64) (int64, error) {
	var got int64
	err := s.db.write.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)
		RETURNING value`, name, v).Scan(&got)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: raise counter: %w", err)
	}
	return got, nil
}

// SetCounter implements visitors.Store.
func (s *VisitorsStore) SetCounter(ctx context.Context, name string, v int64) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, v)
	if err != nil {
		return fmt.Errorf("sqlitestore: set counter: %w", err)
	}
	return nil
}

// DaySketch implements visitors.Store.
func (s *VisitorsStore) DaySketch(ctx context.Context, kind, day string) ([]byte, error) {
	var b []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT sketch FROM visitor_days WHERE kind = ? AND day = ?`,
		kind, day).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: select day sketch: %w", err)
	}
	return b, nil
}

// PutDaySketch implements visitors.Store.
func (s *VisitorsStore) PutDaySketch(ctx context.Context, kind, day string, sketch []byte) error {
	if sketch == nil {
		sketch = []byte{} // the column is NOT NULL
	}
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO visitor_days (kind, day, sketch) VALUES (?, ?, ?)
		ON CONFLICT (kind, day) DO UPDATE SET sketch = excluded.sketch`, kind, day, sketch)
	if err != nil {
		return fmt.Errorf("sqlitestore: put day sketch: %w", err)
	}
	return nil
}

// DeleteDaySketches implements visitors.Store.
func (s *VisitorsStore) DeleteDaySketches(ctx context.Context, before string) error {
	if _, err := s.db.write.ExecContext(ctx, `DELETE FROM visitor_days WHERE day < ?`, before); err != nil {
		return fmt.Errorf("sqlitestore: delete day sketches: %w", err)
	}
	return nil
}
