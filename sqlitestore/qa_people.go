package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civichub/civichub/qa"
)

// Comments, upvotes, follows and the agencies' answer days. A comment or an
// upvote and the count on its question change in one transaction, so the
// counts always equal the rows; neither touches the question's revision.

const commentCols = `id, question_id, author_id, body, body_html, sanitizer, created_at, agency_id, staff_title, hidden`

func scanComment(row scanner) (*qa.Comment, error) {
	var c qa.Comment
	var created int64
	if err := row.Scan(&c.ID, &c.QuestionID, &c.AuthorID, &c.Body, &c.BodyHTML, &c.Sanitizer, &created,
		&c.AgencyID, &c.StaffTitle, &c.Hidden); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// AddComment implements qa.Store: it raises the question's Comments and
// inserts c in one transaction; an unknown question is
// qa.ErrQuestionNotFound.
func (s *QAStore) AddComment(ctx context.Context, c *qa.Comment) error {
	return s.w.inTx(ctx, "comment", func(tx writeTx) error {
		res, err := tx.exec(ctx, `UPDATE qa_questions SET comments = comments + 1 WHERE id = ?`, c.QuestionID)
		if err != nil {
			return fmt.Errorf("sqlitestore: count comment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return qa.ErrQuestionNotFound
		}
		_, err = tx.exec(ctx, `INSERT INTO qa_comments (`+commentCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			c.ID, c.QuestionID, c.AuthorID, c.Body, c.BodyHTML, c.Sanitizer, ms(c.CreatedAt), c.AgencyID, c.StaffTitle, c.Hidden)
		if err != nil {
			return fmt.Errorf("sqlitestore: insert comment: %w", err)
		}
		return nil
	})
}

// Comments implements qa.Store: hidden comments included, by ID.
func (s *QAStore) Comments(ctx context.Context, questionID, after string, limit int) ([]*qa.Comment, error) {
	return query(ctx, s.db, "list comments", scanComment, `SELECT `+commentCols+` FROM qa_comments
		WHERE question_id = ? AND id > ? ORDER BY id LIMIT ?`, questionID, after, limitArg(limit))
}

// Comment implements qa.Store.
func (s *QAStore) Comment(ctx context.Context, id string) (*qa.Comment, error) {
	return queryOne(ctx, s.db, "select comment", qa.ErrCommentNotFound, scanComment,
		`SELECT `+commentCols+` FROM qa_comments WHERE id = ?`, id)
}

// SetCommentHidden implements qa.Store.
func (s *QAStore) SetCommentHidden(ctx context.Context, id string, hidden bool) error {
	n, err := s.w.exec(ctx, "hide comment", `UPDATE qa_comments SET hidden = ? WHERE id = ?`, hidden, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return qa.ErrCommentNotFound
	}
	return nil
}

// Upvote implements qa.Store.
func (s *QAStore) Upvote(ctx context.Context, questionID, userID string) (int, error) {
	return s.vote(ctx, questionID, userID, `INSERT OR IGNORE INTO qa_upvotes (question_id, user_id) VALUES (?, ?)`, 1)
}

// Unvote implements qa.Store.
func (s *QAStore) Unvote(ctx context.Context, questionID, userID string) (int, error) {
	return s.vote(ctx, questionID, userID, `DELETE FROM qa_upvotes WHERE question_id = ? AND user_id = ?`, -1)
}

// vote runs change (an insert or a delete of the user's upvote) and, if it
// changed a row, adds delta to the question's count, in one transaction.
func (s *QAStore) vote(ctx context.Context, questionID, userID, change string, delta int) (int, error) {
	var n int
	err := s.w.inTx(ctx, "upvote", func(tx writeTx) error {
		err := tx.row(ctx, `SELECT upvotes FROM qa_questions WHERE id = ?`, questionID).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return qa.ErrQuestionNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: select question: %w", err)
		}
		res, err := tx.exec(ctx, change, questionID, userID)
		if err != nil {
			return fmt.Errorf("sqlitestore: upvote: %w", err)
		}
		if changed, _ := res.RowsAffected(); changed == 0 {
			return nil
		}
		err = tx.row(ctx, `UPDATE qa_questions SET upvotes = upvotes + ? WHERE id = ? RETURNING upvotes`,
			delta, questionID).Scan(&n)
		if err != nil {
			return fmt.Errorf("sqlitestore: count upvote: %w", err)
		}
		return nil
	})
	return n, err
}

// Upvoted implements qa.Store.
func (s *QAStore) Upvoted(ctx context.Context, questionID, userID string) (bool, error) {
	return s.exists(ctx, "select upvote", `SELECT 1 FROM qa_upvotes WHERE question_id = ? AND user_id = ?`, questionID, userID)
}

func (s *QAStore) exists(ctx context.Context, what, text string, args ...any) (bool, error) {
	var one int
	err := s.db.queryRow(ctx, text, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return true, nil
}

// Follow implements qa.Store; following twice is no error, an unknown
// question is qa.ErrQuestionNotFound.
func (s *QAStore) Follow(ctx context.Context, questionID, userID string) error {
	return s.w.inTx(ctx, "follow", func(tx writeTx) error {
		if err := questionExists(ctx, tx, questionID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT OR IGNORE INTO qa_follows (question_id, user_id) VALUES (?, ?)`,
			questionID, userID); err != nil {
			return fmt.Errorf("sqlitestore: follow: %w", err)
		}
		return nil
	})
}

// Unfollow implements qa.Store; unfollowing a question not followed, or
// unknown, is no error.
func (s *QAStore) Unfollow(ctx context.Context, questionID, userID string) error {
	_, err := s.w.exec(ctx, "unfollow", `DELETE FROM qa_follows WHERE question_id = ? AND user_id = ?`, questionID, userID)
	return err
}

// Following implements qa.Store.
func (s *QAStore) Following(ctx context.Context, questionID, userID string) (bool, error) {
	return s.exists(ctx, "select follow", `SELECT 1 FROM qa_follows WHERE question_id = ? AND user_id = ?`, questionID, userID)
}

// Followers implements qa.Store, by user ID.
func (s *QAStore) Followers(ctx context.Context, questionID string) ([]string, error) {
	users, err := query(ctx, s.db, "list followers", func(row scanner) (*string, error) {
		var u string
		return &u, row.Scan(&u)
	}, `SELECT user_id FROM qa_follows WHERE question_id = ? ORDER BY user_id`, questionID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = *u
	}
	return out, nil
}

// AnswerDays implements qa.Store.
func (s *QAStore) AnswerDays(ctx context.Context, agencyID string) (int, error) {
	var days int
	err := s.db.queryRow(ctx, `SELECT days FROM qa_answer_days WHERE agency_id = ?`, agencyID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlitestore: select answer days: %w", err)
	}
	return days, nil
}

// SetAnswerDays implements qa.Store.
func (s *QAStore) SetAnswerDays(ctx context.Context, agencyID string, days int) error {
	_, err := s.w.exec(ctx, "set answer days", `INSERT INTO qa_answer_days (agency_id, days) VALUES (?, ?)
		ON CONFLICT (agency_id) DO UPDATE SET days = excluded.days`, agencyID, days)
	return err
}
