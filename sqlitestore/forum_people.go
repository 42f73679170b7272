package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civichub/civichub/forum"
)

// AddFlag implements forum.Store: the flag and the post's flag count in one
// transaction, so the count is exact. The primary key (post_id, user_id)
// refuses a second flag of one user: forum.ErrAlreadyFlagged. An unknown
// post is forum.ErrPostNotFound.
func (s *ForumStore) AddFlag(ctx context.Context, f *forum.Flag) (int, error) {
	var n int
	err := s.inTx(ctx, "flag", func(tx writeTx) error {
		var one int
		err := tx.row(ctx, `SELECT 1 FROM forum_posts WHERE id = ?`, f.PostID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.ErrPostNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: select post: %w", err)
		}
		_, err = tx.exec(ctx, `INSERT INTO forum_flags (post_id, user_id, reason, note, created_at) VALUES (?,?,?,?,?)`,
			f.PostID, f.UserID, f.Reason, f.Note, ms(f.CreatedAt))
		if isUnique(err) {
			return forum.ErrAlreadyFlagged
		} else if err != nil {
			return fmt.Errorf("sqlitestore: insert flag: %w", err)
		}
		err = tx.row(ctx, `UPDATE forum_posts SET flag_count = flag_count + 1 WHERE id = ? RETURNING flag_count`,
			f.PostID).Scan(&n)
		if err != nil {
			return fmt.Errorf("sqlitestore: count flag: %w", err)
		}
		return nil
	})
	return n, err
}

// Flags implements forum.Store, oldest first.
func (s *ForumStore) Flags(ctx context.Context, postID string) ([]*forum.Flag, error) {
	return query(ctx, s.db, "list flags", func(row scanner) (*forum.Flag, error) {
		var f forum.Flag
		var at int64
		if err := row.Scan(&f.PostID, &f.UserID, &f.Reason, &f.Note, &at); err != nil {
			return nil, err
		}
		f.CreatedAt = fromMS(at)
		return &f, nil
	}, `SELECT post_id, user_id, reason, note, created_at FROM forum_flags WHERE post_id = ? ORDER BY created_at, user_id`, postID)
}

// Follow implements forum.Store; following twice is no error.
func (s *ForumStore) Follow(ctx context.Context, userID, threadID string) error {
	_, err := s.exec(ctx, "follow", `INSERT OR IGNORE INTO forum_follows (thread_id, user_id) VALUES (?,?)`, threadID, userID)
	return err
}

// Unfollow implements forum.Store; unfollowing a thread not followed is no
// error.
func (s *ForumStore) Unfollow(ctx context.Context, userID, threadID string) error {
	_, err := s.exec(ctx, "unfollow", `DELETE FROM forum_follows WHERE thread_id = ? AND user_id = ?`, threadID, userID)
	return err
}

// Following implements forum.Store.
func (s *ForumStore) Following(ctx context.Context, userID, threadID string) (bool, error) {
	st, err := s.db.readStmt(ctx, `SELECT 1 FROM forum_follows WHERE thread_id = ? AND user_id = ?`)
	if err != nil {
		return false, err
	}
	var one int
	err = st.QueryRowContext(ctx, threadID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("sqlitestore: select follow: %w", err)
	}
	return true, nil
}

// Followers implements forum.Store, by user ID.
func (s *ForumStore) Followers(ctx context.Context, threadID string) ([]string, error) {
	ids, err := query(ctx, s.db, "list followers", func(row scanner) (*string, error) {
		var id string
		return &id, row.Scan(&id)
	}, `SELECT user_id FROM forum_follows WHERE thread_id = ? ORDER BY user_id`, threadID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = *id
	}
	return out, nil
}

// AddNotifications implements forum.Store: all of them in one transaction.
func (s *ForumStore) AddNotifications(ctx context.Context, ns []*forum.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	return s.inTx(ctx, "notifications", func(tx writeTx) error {
		ins, err := tx.stmt(ctx, `INSERT INTO forum_notifications (id, user_id, thread_id, post_id, actor_id, created_at, read)
			VALUES (?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if _, err := ins.ExecContext(ctx, n.ID, n.UserID, n.ThreadID, n.PostID, n.ActorID, ms(n.CreatedAt), n.Read); err != nil {
				return fmt.Errorf("sqlitestore: insert notification: %w", err)
			}
		}
		return nil
	})
}

// Notifications implements forum.Store.
func (s *ForumStore) Notifications(ctx context.Context, userID, beforeID string, limit int) ([]*forum.Notification, error) {
	return query(ctx, s.db, "list notifications", func(row scanner) (*forum.Notification, error) {
		var n forum.Notification
		var at int64
		if err := row.Scan(&n.ID, &n.UserID, &n.ThreadID, &n.PostID, &n.ActorID, &at, &n.Read); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMS(at)
		return &n, nil
	}, `SELECT id, user_id, thread_id, post_id, actor_id, created_at, read FROM forum_notifications
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, before(beforeID), limitArg(limit))
}

// UnreadCount implements forum.Store; it counts in the partial index of
// unread notifications.
func (s *ForumStore) UnreadCount(ctx context.Context, userID string) (int, error) {
	st, err := s.db.readStmt(ctx, `SELECT count(*) FROM forum_notifications WHERE user_id = ? AND read = 0`)
	if err != nil {
		return 0, err
	}
	var n int
	if err := st.QueryRowContext(ctx, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: count unread: %w", err)
	}
	return n, nil
}

// MarkRead implements forum.Store.
func (s *ForumStore) MarkRead(ctx context.Context, userID, upTo string) error {
	if upTo == "" {
		upTo = lastID
	}
	_, err := s.exec(ctx, "mark read", `UPDATE forum_notifications SET read = 1 WHERE user_id = ? AND read = 0 AND id <= ?`, userID, upTo)
	return err
}

// PutWord implements forum.Store: a word already watched takes w's ID,
// action, replacement and time.
func (s *ForumStore) PutWord(ctx context.Context, w *forum.WatchedWord) error {
	_, err := s.exec(ctx, "put word", `INSERT INTO forum_words (id, word, action, replacement, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (word) DO UPDATE SET id = excluded.id, action = excluded.action, replacement = excluded.replacement,
		created_at = excluded.created_at`, w.ID, w.Word, w.Action, w.Replacement, ms(w.CreatedAt))
	return err
}

// DeleteWord implements forum.Store.
func (s *ForumStore) DeleteWord(ctx context.Context, id string) error {
	n, err := s.exec(ctx, "delete word", `DELETE FROM forum_words WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return forum.ErrWordNotFound
	}
	return nil
}

// Words implements forum.Store, by word.
func (s *ForumStore) Words(ctx context.Context) ([]*forum.WatchedWord, error) {
	return query(ctx, s.db, "list words", func(row scanner) (*forum.WatchedWord, error) {
		var w forum.WatchedWord
		var at int64
		if err := row.Scan(&w.ID, &w.Word, &w.Action, &w.Replacement, &at); err != nil {
			return nil, err
		}
		w.CreatedAt = fromMS(at)
		return &w, nil
	}, `SELECT id, word, action, replacement, created_at FROM forum_words ORDER BY word`)
}

// AddAudit implements forum.Store. Triggers on forum_audit refuse any
// UPDATE or DELETE, so the log stays append-only below the store too.
func (s *ForumStore) AddAudit(ctx context.Context, e *forum.AuditEntry) error {
	_, err := s.exec(ctx, "insert audit entry", `INSERT INTO forum_audit (id, actor_id, action, target_type, target_id, reason, details, at)
		VALUES (?,?,?,?,?,?,?,?)`, e.ID, e.ActorID, e.Action, e.TargetType, e.TargetID, e.Reason, e.Details, ms(e.At))
	return err
}

// Audit implements forum.Store.
func (s *ForumStore) Audit(ctx context.Context, beforeID string, limit int) ([]*forum.AuditEntry, error) {
	return query(ctx, s.db, "list audit", func(row scanner) (*forum.AuditEntry, error) {
		var e forum.AuditEntry
		var at int64
		if err := row.Scan(&e.ID, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.Reason, &e.Details, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		return &e, nil
	}, `SELECT id, actor_id, action, target_type, target_id, reason, details, at FROM forum_audit
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before(beforeID), limitArg(limit))
}
