package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civichub/civichub/qa"
)

// An answer is a row of qa_answers, unique by question_id: that key, not a
// check before the insert, makes the answer the question's one. Its
// revisions are rows of qa_revisions keyed by (answer_id, number), so a
// revision number is taken once.

const answerCols = `id, question_id, agency_id, author_id, staff_title, body, body_html, sanitizer, published_at`

func scanAnswer(row scanner) (*qa.Answer, error) {
	var a qa.Answer
	var published int64
	if err := row.Scan(&a.ID, &a.QuestionID, &a.AgencyID, &a.AuthorID, &a.StaffTitle, &a.Body, &a.BodyHTML,
		&a.Sanitizer, &published); err != nil {
		return nil, err
	}
	a.PublishedAt = fromMS(published)
	return &a, nil
}

const revisionCols = `number, author_id, staff_title, body, body_html, sanitizer, reason, at`

func scanRevision(row scanner) (*qa.Revision, error) {
	var r qa.Revision
	var at int64
	if err := row.Scan(&r.Number, &r.AuthorID, &r.StaffTitle, &r.Body, &r.BodyHTML, &r.Sanitizer, &r.Reason, &at); err != nil {
		return nil, err
	}
	r.At = fromMS(at)
	return &r, nil
}

// questionExists returns qa.ErrQuestionNotFound unless the question is
// stored.
func questionExists(ctx context.Context, tx writeTx, id string) error {
	var one int
	err := tx.row(ctx, `SELECT 1 FROM qa_questions WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return qa.ErrQuestionNotFound
	} else if err != nil {
		return fmt.Errorf("sqlitestore: select question: %w", err)
	}
	return nil
}

func insertRevision(ctx context.Context, tx writeTx, answerID string, r *qa.Revision) error {
	_, err := tx.exec(ctx, `INSERT INTO qa_revisions (answer_id, `+revisionCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		answerID, r.Number, r.AuthorID, r.StaffTitle, r.Body, r.BodyHTML, r.Sanitizer, r.Reason, ms(r.At))
	return err
}

// AddAnswer implements qa.Store: the answer, with any revisions it already
// has, in one transaction. The unique question_id refuses a second answer
// with qa.ErrAlreadyAnswered; an unknown question is qa.ErrQuestionNotFound.
func (s *QAStore) AddAnswer(ctx context.Context, a *qa.Answer) error {
	return s.w.inTx(ctx, "answer", func(tx writeTx) error {
		if err := questionExists(ctx, tx, a.QuestionID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO qa_answers (`+answerCols+`) VALUES (?,?,?,?,?,?,?,?,?)
			ON CONFLICT (question_id) DO NOTHING`,
			a.ID, a.QuestionID, a.AgencyID, a.AuthorID, a.StaffTitle, a.Body, a.BodyHTML, a.Sanitizer, ms(a.PublishedAt))
		if err != nil {
			return fmt.Errorf("sqlitestore: insert answer: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlitestore: insert answer: %w", err)
		} else if n == 0 {
			return qa.ErrAlreadyAnswered
		}
		for i := range a.Revisions {
			if err := insertRevision(ctx, tx, a.ID, &a.Revisions[i]); err != nil {
				return fmt.Errorf("sqlitestore: insert revision: %w", err)
			}
		}
		return nil
	})
}

// AnswerFor implements qa.Store.
func (s *QAStore) AnswerFor(ctx context.Context, questionID string) (*qa.Answer, error) {
	return s.answer(ctx, `SELECT `+answerCols+` FROM qa_answers WHERE question_id = ?`, questionID)
}

// Answer implements qa.Store.
func (s *QAStore) Answer(ctx context.Context, id string) (*qa.Answer, error) {
	return s.answer(ctx, `SELECT `+answerCols+` FROM qa_answers WHERE id = ?`, id)
}

// answer reads the answer that text selects and its revisions. Revisions
// are only added, so reading them after the answer, outside a
// transaction, can only find more of them, never a mix.
func (s *QAStore) answer(ctx context.Context, text, arg string) (*qa.Answer, error) {
	a, err := queryOne(ctx, s.db, "select answer", qa.ErrAnswerNotFound, scanAnswer, text, arg)
	if err != nil {
		return nil, err
	}
	revs, err := query(ctx, s.db, "select revisions", scanRevision,
		`SELECT `+revisionCols+` FROM qa_revisions WHERE answer_id = ? ORDER BY number`, a.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		a.Revisions = append(a.Revisions, *r)
	}
	return a, nil
}

// AddRevision implements qa.Store: it counts the answer's revisions and
// adds r in one transaction, so of two revisions with the same number the
// second finds the first and gets qa.ErrStale. An unknown answer is
// qa.ErrAnswerNotFound.
func (s *QAStore) AddRevision(ctx context.Context, answerID string, r *qa.Revision) error {
	return s.w.inTx(ctx, "revision", func(tx writeTx) error {
		var n int
		err := tx.row(ctx, `SELECT (SELECT count(*) FROM qa_revisions WHERE answer_id = ?1) FROM qa_answers WHERE id = ?1`,
			answerID).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return qa.ErrAnswerNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: count revisions: %w", err)
		}
		if n != r.Number-1 {
			return qa.ErrStale
		}
		if err := insertRevision(ctx, tx, answerID, r); isUnique(err) {
			return qa.ErrStale
		} else if err != nil {
			return fmt.Errorf("sqlitestore: insert revision: %w", err)
		}
		return nil
	})
}
