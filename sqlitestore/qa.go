package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/civichub/civichub/qa"
)

// QAStore implements qa.Store on SQLite. It is safe for concurrent use.
//
// A question is one row of qa_questions, its history a JSON column; its
// legs are rows of qa_legs, indexed by agency and by start and end for the
// scorecards; its search rows are in qa_search while it is listed (see
// qa_search.go). Every write that touches more than one row (a question,
// its legs and its search rows; a comment and its question's count; an
// upvote and the count) is one transaction on the single write connection,
// so concurrent compare-and-sets, answers and revisions are decided by the
// row they read in that transaction, and the unique keys guard them again.
//
// The staff queue (an agency's open questions by deadline) reads one
// keyset range of qa_questions_queue per status and merges them, so a page
// costs the same at the end of a long queue as at its start.
type QAStore struct {
	db *DB
	// w runs write transactions with reused statements: the forum's
	// helper (forum_sql.go), which needs nothing of the forum but its DB.
	w *ForumStore
}

var _ qa.Store = (*QAStore)(nil)

// QA returns the Q&A store.
func (db *DB) QA() *QAStore { return &QAStore{db: db, w: &ForumStore{db: db}} }

// openEnd is the ended_at of an open leg: it has not ended, so it ends
// after any time a scorecard asks about.
const openEnd = math.MaxInt64

// zeroMS is how a zero time is stored: its own UnixMilli, before any real
// time, so that a question without a deadline sorts first by deadline.
var zeroMS = ms(time.Time{})

const questionCols = `id, agency_id, asker_id, field, title, body, body_html, sanitizer, private, contact, status,
	assignee_id, reject_reason, created_at, updated_at, accepted_at, deadline, answered_at, closed_at,
	overdue_notified, listed, upvotes, comments, history, tokens, revision`

// summaryCols reads a question for a list: without its history and tokens.
var summaryCols = strings.Replace(questionCols, "history, tokens,", "'', '',", 1)

func scanQuestion(row scanner) (*qa.Question, error) {
	var q qa.Question
	var contact, history, tokens string
	var created, updated, accepted, deadline, answered, closed int64
	if err := row.Scan(&q.ID, &q.AgencyID, &q.AskerID, &q.Field, &q.Title, &q.Body, &q.BodyHTML, &q.Sanitizer,
		&q.Private, &contact, &q.Status, &q.AssigneeID, &q.RejectReason, &created, &updated, &accepted, &deadline,
		&answered, &closed, &q.OverdueNotified, &q.Listed, &q.Upvotes, &q.Comments, &history, &tokens, &q.Revision); err != nil {
		return nil, err
	}
	q.CreatedAt, q.UpdatedAt, q.AcceptedAt = fromMS(created), fromMS(updated), fromMS(accepted)
	q.Deadline, q.AnsweredAt, q.ClosedAt = fromMS(deadline), fromMS(answered), fromMS(closed)
	q.Tokens = splitTokens(tokens)
	if contact != "" {
		if err := json.Unmarshal([]byte(contact), &q.Contact); err != nil {
			return nil, fmt.Errorf("decode contact: %w", err)
		}
	}
	if history != "" {
		if err := json.Unmarshal([]byte(history), &q.History); err != nil {
			return nil, fmt.Errorf("decode history: %w", err)
		}
	}
	return &q, nil
}

// encodeQuestion returns q's contact ("" when empty) and history as
// stored, JSON.
func encodeQuestion(q *qa.Question) (contact, history string, err error) {
	if !q.Contact.Empty() {
		b, err := json.Marshal(q.Contact)
		if err != nil {
			return "", "", fmt.Errorf("sqlitestore: encode contact: %w", err)
		}
		contact = string(b)
	}
	// History times are kept at the precision of every other time.
	changes := make([]qa.Change, len(q.History))
	for i, c := range q.History {
		c.At = fromMS(ms(c.At))
		changes[i] = c
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return "", "", fmt.Errorf("sqlitestore: encode history: %w", err)
	}
	return contact, string(b), nil
}

// storedTokens is what the tokens column keeps of q: its tokens while it
// is listed, else none.
func storedTokens(q *qa.Question) string {
	if !q.Listed {
		return ""
	}
	return joinTokens(q.Tokens)
}

// CreateQuestion implements qa.Store: the question, its legs and, if it is
// listed, its search rows in one transaction, with Revision 0.
func (s *QAStore) CreateQuestion(ctx context.Context, q *qa.Question) error {
	return s.w.inTx(ctx, "question", func(tx writeTx) error { return createQuestion(ctx, tx, q) })
}

func createQuestion(ctx context.Context, tx writeTx, q *qa.Question) error {
	contact, history, err := encodeQuestion(q)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO qa_questions (`+questionCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)`,
		q.ID, q.AgencyID, q.AskerID, q.Field, q.Title, q.Body, q.BodyHTML, q.Sanitizer, q.Private, contact,
		string(q.Status), q.AssigneeID, q.RejectReason, ms(q.CreatedAt), ms(q.UpdatedAt), ms(q.AcceptedAt),
		ms(q.Deadline), ms(q.AnsweredAt), ms(q.ClosedAt), q.OverdueNotified, q.Listed, q.Upvotes, q.Comments,
		history, storedTokens(q)); err != nil {
		return fmt.Errorf("sqlitestore: insert question: %w", err)
	}
	q.Revision = 0
	if err := insertLegs(ctx, tx, q.ID, q.Legs); err != nil {
		return err
	}
	return qaIndex(ctx, tx, q.ID, splitTokens(storedTokens(q)))
}

// Import stores questions as CreateQuestion does, all in one transaction:
// the load tool's and the benchmarks' tens of thousands of questions arrive
// in seconds instead of one durable commit each. Nothing is published.
func (s *QAStore) Import(ctx context.Context, qs []*qa.Question) error {
	// A larger page cache on the write connection only, as the forum's
	// Import: the search and legs indexes are written far from insertion
	// order.
	if _, err := s.db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("sqlitestore: import: %w", err)
	}
	return s.w.inTx(ctx, "question import", func(tx writeTx) error {
		for _, q := range qs {
			if err := createQuestion(ctx, tx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// Question implements qa.Store. The legs are read after the row, outside a
// transaction, so a concurrent update may give a question whose legs are a
// revision newer than its other fields; UpdateQuestion refuses to store
// such a mix, as the revision it carries is then stale.
func (s *QAStore) Question(ctx context.Context, id string) (*qa.Question, error) {
	q, err := queryOne(ctx, s.db, "select question", qa.ErrQuestionNotFound, scanQuestion,
		`SELECT `+questionCols+` FROM qa_questions WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	legs, err := query(ctx, s.db, "select legs", scanLeg,
		`SELECT `+legCols+` FROM qa_legs WHERE question_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	q.Legs = derefLegs(legs)
	return q, nil
}

// QuestionsByID implements qa.Store.
func (s *QAStore) QuestionsByID(ctx context.Context, ids []string) ([]*qa.Question, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return query(ctx, s.db, "select questions", scanQuestion,
		`SELECT `+summaryCols+` FROM qa_questions WHERE id IN (SELECT value FROM json_each(?))`, tokensJSON(ids))
}

// UpdateQuestion implements qa.Store: in one transaction it checks the
// stored revision, stores q with the next one, replaces its legs if they
// changed and brings its search rows in line with its listing and tokens.
// On success it raises q.Revision.
func (s *QAStore) UpdateQuestion(ctx context.Context, q *qa.Question) error {
	err := s.w.inTx(ctx, "question update", func(tx writeTx) error {
		var revision int64
		var oldTokens string
		err := tx.row(ctx, `SELECT revision, tokens FROM qa_questions WHERE id = ?`, q.ID).Scan(&revision, &oldTokens)
		if errors.Is(err, sql.ErrNoRows) {
			return qa.ErrQuestionNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: select question: %w", err)
		}
		if revision != q.Revision {
			return qa.ErrStale
		}
		contact, history, err := encodeQuestion(q)
		if err != nil {
			return err
		}
		// The asker, the creation time and the counts stay as stored.
		_, err = tx.exec(ctx, `UPDATE qa_questions SET agency_id = ?, field = ?, title = ?, body = ?, body_html = ?,
			sanitizer = ?, private = ?, contact = ?, status = ?, assignee_id = ?, reject_reason = ?, updated_at = ?,
			accepted_at = ?, deadline = ?, answered_at = ?, closed_at = ?, overdue_notified = ?, listed = ?,
			history = ?, tokens = ?, revision = ? WHERE id = ?`,
			q.AgencyID, q.Field, q.Title, q.Body, q.BodyHTML, q.Sanitizer, q.Private, contact, string(q.Status),
			q.AssigneeID, q.RejectReason, ms(q.UpdatedAt), ms(q.AcceptedAt), ms(q.Deadline), ms(q.AnsweredAt),
			ms(q.ClosedAt), q.OverdueNotified, q.Listed, history, storedTokens(q), q.Revision+1, q.ID)
		if err != nil {
			return fmt.Errorf("sqlitestore: update question: %w", err)
		}
		if err := replaceLegs(ctx, tx, q.ID, q.Legs); err != nil {
			return err
		}
		if newTokens := storedTokens(q); newTokens != oldTokens {
			if err := qaUnindex(ctx, tx, q.ID, splitTokens(oldTokens)); err != nil {
				return err
			}
			return qaIndex(ctx, tx, q.ID, splitTokens(newTokens))
		}
		return nil
	})
	if err == nil {
		q.Revision++
	}
	return err
}
