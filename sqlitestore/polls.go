package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/civichub/civichub/polls"
)

// PollsStore implements polls.Store on SQLite. A poll is one row whose doc
// column holds the poll as JSON, with the columns lists filter on beside it.
// Ballots are rows keyed by (poll_id, voter): that primary key is what makes
// a vote unique. Tallies are kept in poll_tallies in the same transaction as
// the ballots they count (option_id "" counts ballots), so they always
// equal the ballots; RebuildTally recounts them anyway, at start and on
// demand. It is safe for concurrent use.
type PollsStore struct{ db *DB }

var _ polls.Store = (*PollsStore)(nil)

// Polls returns the polls store.
func (db *DB) Polls() *PollsStore { return &PollsStore{db: db} }

// ballotsRow is the poll_tallies option_id that counts ballots.
const ballotsRow = ""

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func scanPoll(row scanner) (*polls.Poll, error) {
	var doc string
	var rev int64
	if err := row.Scan(&doc, &rev); err != nil {
		return nil, err
	}
	var p polls.Poll
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("decode poll: %w", err)
	}
	p.Revision = rev
	return &p, nil
}

// CreatePoll implements polls.Store.
func (s *PollsStore) CreatePoll(ctx context.Context, p *polls.Poll) error {
	p.Revision = 1
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode poll: %w", err)
	}
	_, err = s.db.write.ExecContext(ctx, `INSERT INTO polls (id, status, agency_id, revision, doc) VALUES (?,?,?,?,?)`,
		p.ID, p.Status, nullable(p.AgencyID), p.Revision, string(doc))
	if err != nil {
		return fmt.Errorf("sqlitestore: insert poll: %w", err)
	}
	return nil
}

// Poll implements polls.Store.
func (s *PollsStore) Poll(ctx context.Context, id string) (*polls.Poll, error) {
	st, err := s.db.readStmt(ctx, `SELECT doc, revision FROM polls WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	p, err := scanPoll(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, polls.ErrPollNotFound
	} else if err != nil {
		return nil, fmt.Errorf("sqlitestore: select poll: %w", err)
	}
	return p, nil
}

// Polls implements polls.Store.
func (s *PollsStore) Polls(ctx context.Context, f polls.Filter) ([]*polls.Poll, error) {
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+marks(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	} else {
		where = append(where, "status <> ?")
		args = append(args, polls.Draft)
	}
	if f.AgencyIDs != nil {
		if len(f.AgencyIDs) == 0 {
			return nil, nil
		}
		where = append(where, "agency_id IN ("+marks(len(f.AgencyIDs))+")")
		for _, a := range f.AgencyIDs {
			args = append(args, a)
		}
	}
	if f.Before != "" {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	rows, err := s.db.read.QueryContext(ctx, `SELECT doc, revision FROM polls WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list polls: %w", err)
	}
	return collect(rows, scanPoll)
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// PollsWithStatus implements polls.Store.
func (s *PollsStore) PollsWithStatus(ctx context.Context, statuses ...polls.Status) ([]*polls.Poll, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	return s.Polls(ctx, polls.Filter{Statuses: statuses})
}

// UpdatePoll implements polls.Store with a compare-and-set on revision.
func (s *PollsStore) UpdatePoll(ctx context.Context, p *polls.Poll) error {
	next := *p
	next.Revision = p.Revision + 1
	doc, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode poll: %w", err)
	}
	res, err := s.db.write.ExecContext(ctx, `UPDATE polls SET status = ?, agency_id = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?`,
		p.Status, nullable(p.AgencyID), next.Revision, string(doc), p.ID, p.Revision)
	if err != nil {
		return fmt.Errorf("sqlitestore: update poll: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Poll(ctx, p.ID); err != nil {
			return err
		}
		return polls.ErrStale
	}
	p.Revision = next.Revision
	return nil
}

// CastBallots implements polls.Store: every ballot of the call in one
// transaction, so one fsync makes the whole group durable. A voter who
// already has a ballot is told so by the primary key (ON CONFLICT DO
// NOTHING changes no row) and does not fail the others.
func (s *PollsStore) CastBallots(ctx context.Context, ballots []*polls.Ballot) ([]polls.CastResult, error) {
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: begin ballots: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO poll_ballots (poll_id, voter, options, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: prepare ballot: %w", err)
	}
	defer ins.Close()
	type key struct{ poll, option string }
	delta := map[key]int64{}
	tallies := map[string]*polls.Tally{} // each poll's tally as the batch goes
	out := make([]polls.CastResult, len(ballots))
	for i, b := range ballots {
		t, ok := tallies[b.PollID]
		if !ok {
			if t, err = scanTally(tx.QueryContext(ctx, tallyQuery, b.PollID)); err != nil {
				return nil, err
			}
			tallies[b.PollID] = t
		}
		opts, err := json.Marshal(b.Options)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: encode ballot: %w", err)
		}
		res, err := ins.ExecContext(ctx, b.PollID, b.Voter, string(opts), ms(b.CreatedAt))
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: insert ballot: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out[i] = polls.CastResult{Err: polls.ErrAlreadyVoted, Ballots: t.Ballots}
			continue
		}
		t.Ballots++
		delta[key{b.PollID, ballotsRow}]++
		for _, o := range b.Options {
			t.Votes[o]++
			delta[key{b.PollID, o}]++
		}
		out[i] = polls.CastResult{Ballots: t.Ballots, Tally: t}
	}
	for k, n := range delta {
		_, err := tx.ExecContext(ctx, `INSERT INTO poll_tallies (poll_id, option_id, votes) VALUES (?,?,?)
			ON CONFLICT (poll_id, option_id) DO UPDATE SET votes = votes + excluded.votes`, k.poll, k.option, n)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: update tally: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlitestore: commit ballots: %w", err)
	}
	return out, nil
}

// HasVoted implements polls.Store.
func (s *PollsStore) HasVoted(ctx context.Context, pollID, voter string) (bool, error) {
	st, err := s.db.readStmt(ctx, `SELECT 1 FROM poll_ballots WHERE poll_id = ? AND voter = ?`)
	if err != nil {
		return false, err
	}
	var one int
	err = st.QueryRowContext(ctx, pollID, voter).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("sqlitestore: select ballot: %w", err)
	}
	return true, nil
}

// Tally implements polls.Store.
func (s *PollsStore) Tally(ctx context.Context, pollID string) (*polls.Tally, error) {
	st, err := s.db.readStmt(ctx, tallyQuery)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, pollID)
	return scanTally(rows, err)
}

const tallyQuery = `SELECT option_id, votes FROM poll_tallies WHERE poll_id = ?`

func scanTally(rows *sql.Rows, err error) (*polls.Tally, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: select tally: %w", err)
	}
	defer rows.Close()
	t := &polls.Tally{Votes: map[string]int64{}}
	for rows.Next() {
		var opt string
		var n int64
		if err := rows.Scan(&opt, &n); err != nil {
			return nil, fmt.Errorf("sqlitestore: scan tally: %w", err)
		}
		if opt == ballotsRow {
			t.Ballots = n
		} else {
			t.Votes[opt] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: tally rows: %w", err)
	}
	return t, nil
}

// RebuildTally implements polls.Store: it recounts the poll's ballots and
// replaces its tally in one transaction.
func (s *PollsStore) RebuildTally(ctx context.Context, pollID string) (*polls.Tally, error) {
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: begin rebuild: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM poll_tallies WHERE poll_id = ?1`,
		`INSERT INTO poll_tallies (poll_id, option_id, votes)
			SELECT ?1, j.value, count(*) FROM poll_ballots b, json_each(b.options) j WHERE b.poll_id = ?1 GROUP BY j.value`,
		`INSERT INTO poll_tallies (poll_id, option_id, votes) SELECT ?1, '', count(*) FROM poll_ballots WHERE poll_id = ?1`,
	} {
		if _, err := tx.ExecContext(ctx, q, pollID); err != nil {
			return nil, fmt.Errorf("sqlitestore: rebuild tally: %w", err)
		}
	}
	t, err := scanTally(tx.QueryContext(ctx, tallyQuery, pollID))
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlitestore: commit rebuild: %w", err)
	}
	return t, nil
}
