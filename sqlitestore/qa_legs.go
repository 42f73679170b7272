package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civichub/civichub/qa"
)

// A question's legs are rows of qa_legs numbered by seq, oldest first. The
// scorecard reads an agency's legs by start and by end through
// qa_legs_started and qa_legs_ended, which hold every column of a leg so
// that a year of an agency's legs is read from them alone (3 ms for 1,000
// legs instead of 10); an open leg's ended_at is openEnd, so the second
// range holds every open leg of the agency.

const legCols = `question_id, agency_id, started_at, clock_at, deadline, outcome, ended_at`

func scanLeg(row scanner) (*qa.Leg, error) {
	var l qa.Leg
	var started, clock, deadline, ended int64
	if err := row.Scan(&l.QuestionID, &l.AgencyID, &started, &clock, &deadline, &l.Outcome, &ended); err != nil {
		return nil, err
	}
	l.StartedAt, l.ClockAt, l.Deadline = fromMS(started), fromMS(clock), fromMS(deadline)
	if ended != openEnd {
		l.EndedAt = fromMS(ended)
	}
	return &l, nil
}

func derefLegs(ls []*qa.Leg) []qa.Leg {
	if len(ls) == 0 {
		return nil
	}
	out := make([]qa.Leg, len(ls))
	for i, l := range ls {
		out[i] = *l
	}
	return out
}

func endedMS(t time.Time) int64 {
	if t.IsZero() {
		return openEnd
	}
	return ms(t)
}

func insertLegs(ctx context.Context, tx writeTx, questionID string, legs []qa.Leg) error {
	for i, l := range legs {
		_, err := tx.exec(ctx, `INSERT INTO qa_legs (question_id, seq, agency_id, started_at, clock_at, deadline, outcome, ended_at)
			VALUES (?,?,?,?,?,?,?,?)`, questionID, i, l.AgencyID, ms(l.StartedAt), ms(l.ClockAt), ms(l.Deadline),
			string(l.Outcome), endedMS(l.EndedAt))
		if err != nil {
			return fmt.Errorf("sqlitestore: insert leg: %w", err)
		}
	}
	return nil
}

// replaceLegs stores legs as the question's, unless they are the stored
// ones: most updates (an assignment, a comment's count) leave the legs as
// they were, and reading them costs less than rewriting three indexes.
func replaceLegs(ctx context.Context, tx writeTx, questionID string, legs []qa.Leg) error {
	rows, err := tx.query(ctx, `SELECT `+legCols+` FROM qa_legs WHERE question_id = ? ORDER BY seq`, questionID)
	if err != nil {
		return fmt.Errorf("sqlitestore: select legs: %w", err)
	}
	old, err := collect(rows, scanLeg)
	if err != nil {
		return err
	}
	if slices.EqualFunc(old, legs, func(a *qa.Leg, b qa.Leg) bool {
		return a.AgencyID == b.AgencyID && ms(a.StartedAt) == ms(b.StartedAt) && ms(a.ClockAt) == ms(b.ClockAt) &&
			ms(a.Deadline) == ms(b.Deadline) && a.Outcome == b.Outcome && endedMS(a.EndedAt) == endedMS(b.EndedAt)
	}) {
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM qa_legs WHERE question_id = ?`, questionID); err != nil {
		return fmt.Errorf("sqlitestore: delete legs: %w", err)
	}
	return insertLegs(ctx, tx, questionID, legs)
}

// legsQuery reads an agency's legs that started at or after ?2, and those
// that started before it and ended (or are still open) at or after it:
// two disjoint ranges, one of each index.
const legsQuery = `SELECT ` + legCols + ` FROM qa_legs WHERE agency_id = ?1 AND started_at >= ?2
	UNION ALL
	SELECT ` + legCols + ` FROM qa_legs WHERE agency_id = ?1 AND ended_at >= ?2 AND started_at < ?2`

// Legs implements qa.Store. An open leg is returned whenever it started,
// as it has not ended.
func (s *QAStore) Legs(ctx context.Context, agencyID string, since time.Time) ([]qa.Leg, error) {
	legs, err := query(ctx, s.db, "select agency legs", scanLeg, legsQuery, agencyID, ms(since))
	if err != nil {
		return nil, err
	}
	return derefLegs(legs), nil
}
