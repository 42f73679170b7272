package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civichub/civichub/forum"
)

const postCols = `id, thread_id, number, author_id, body, body_html, sanitizer, created_at, edited_at,
	agency_id, staff_title, hidden, hidden_reason, deleted, review, flag_count, tokens, revision`

// postColsNoTokens reads a post without its search tokens.
var postColsNoTokens = strings.Replace(postCols, "flag_count, tokens,", "flag_count, '',", 1)

func scanPost(row scanner) (*forum.Post, error) {
	var p forum.Post
	var created, edited int64
	var tokens string
	if err := row.Scan(&p.ID, &p.ThreadID, &p.Number, &p.AuthorID, &p.Body, &p.BodyHTML, &p.Sanitizer, &created, &edited,
		&p.AgencyID, &p.StaffTitle, &p.Hidden, &p.HiddenReason, &p.Deleted, &p.Review, &p.FlagCount, &tokens, &p.Revision); err != nil {
		return nil, err
	}
	p.CreatedAt, p.Tokens = fromMS(created), splitTokens(tokens)
	if edited != 0 {
		p.EditedAt = fromMS(edited)
	}
	return &p, nil
}

// editedMS stores a zero EditedAt (never edited) as 0.
func editedMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// searchable reports whether Search may return p, its thread aside.
func searchable(p *forum.Post) bool {
	return !p.Hidden && !p.Deleted && p.Review != forum.ReviewPending
}

// insertPost inserts p as it is, with no flags.
func insertPost(ctx context.Context, tx writeTx, p *forum.Post) error {
	_, err := tx.exec(ctx, `INSERT INTO forum_posts (`+postCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)`,
		p.ID, p.ThreadID, p.Number, p.AuthorID, p.Body, p.BodyHTML, p.Sanitizer, ms(p.CreatedAt), editedMS(p.EditedAt),
		p.AgencyID, p.StaffTitle, p.Hidden, p.HiddenReason, p.Deleted, p.Review, joinTokens(p.Tokens), p.Revision)
	return err
}

// AddPost implements forum.Store: in one transaction it numbers p one
// more than the thread's highest, inserts it with its search rows, and
// raises the thread's PostCount and LastPostAt (a post dated earlier than
// the thread's last activity does not lower it). It sets p.Number and
// p.Revision (1), and returns forum.ErrThreadNotFound when there is no
// such thread.
func (s *ForumStore) AddPost(ctx context.Context, p *forum.Post) error {
	return s.inTx(ctx, "post", func(tx writeTx) error { return s.addPost(ctx, tx, p) })
}

func (s *ForumStore) addPost(ctx context.Context, tx writeTx, p *forum.Post) error {
	var threadDeleted bool
	err := tx.row(ctx, `SELECT deleted FROM forum_threads WHERE id = ?`, p.ThreadID).Scan(&threadDeleted)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.ErrThreadNotFound
	} else if err != nil {
		return fmt.Errorf("sqlitestore: select thread: %w", err)
	}
	// The transaction holds the write lock, so the highest number cannot
	// move before the insert; the unique index would refuse it if it did.
	var highest int
	if err := tx.row(ctx, `SELECT coalesce(max(number), 0) FROM forum_posts WHERE thread_id = ?`, p.ThreadID).
		Scan(&highest); err != nil {
		return fmt.Errorf("sqlitestore: select post number: %w", err)
	}
	p.Number, p.Revision = highest+1, 1
	if err := insertPost(ctx, tx, p); isUnique(err) {
		return fmt.Errorf("sqlitestore: insert post: %w: %w", forum.ErrNumberTaken, err)
	} else if err != nil {
		return fmt.Errorf("sqlitestore: insert post: %w", err)
	}
	_, err = tx.exec(ctx, `UPDATE forum_threads SET post_count = max(post_count, ?1),
		last_post_at = max(last_post_at, ?2) WHERE id = ?3`, p.Number, ms(p.CreatedAt), p.ThreadID)
	if err != nil {
		return fmt.Errorf("sqlitestore: update thread activity: %w", err)
	}
	if !threadDeleted && searchable(p) {
		return index(ctx, tx, kindPost, p.ID, p.Tokens)
	}
	return nil
}

// Post implements forum.Store.
func (s *ForumStore) Post(ctx context.Context, id string) (*forum.Post, error) {
	return queryOne(ctx, s.db, "select post", forum.ErrPostNotFound, scanPost,
		`SELECT `+postCols+` FROM forum_posts WHERE id = ?`, id)
}

// Posts implements forum.Store: one range of the (thread_id, number)
// index, so the last page of a thread costs what the first does. Hidden
// and deleted posts are included; the service shows what stands in for
// them.
func (s *ForumStore) Posts(ctx context.Context, threadID string, from, to int) ([]*forum.Post, error) {
	// A page of posts is for reading: it leaves out the search tokens
	// (UpdatePost keeps the stored ones when Tokens is nil), which are a
	// good share of a thread page's cost.
	return query(ctx, s.db, "list posts", scanPost,
		`SELECT `+postColsNoTokens+` FROM forum_posts WHERE thread_id = ? AND number BETWEEN ? AND ? ORDER BY number`,
		threadID, from, to)
}

// UpdatePost implements forum.Store: in one transaction it checks the
// stored revision, stores p's content, markup, staff signature, moderation
// state and tokens with the next revision, appends edit (its PostID set to
// p.ID), and brings the post's search rows in line. The thread, number,
// author, creation time and flag count are never changed. It returns
// forum.ErrPostNotFound or forum.ErrStale, changing nothing; on success it
// sets p.Revision.
func (s *ForumStore) UpdatePost(ctx context.Context, p *forum.Post, edit *forum.Edit) error {
	err := s.inTx(ctx, "post update", func(tx writeTx) error {
		var old forum.Post
		var oldTokens string
		var threadDeleted bool
		err := tx.row(ctx, `SELECT p.revision, p.hidden, p.deleted, p.review, p.tokens, t.deleted
			FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id WHERE p.id = ?`, p.ID).
			Scan(&old.Revision, &old.Hidden, &old.Deleted, &old.Review, &oldTokens, &threadDeleted)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.ErrPostNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: select post: %w", err)
		}
		if old.Revision != p.Revision {
			return forum.ErrStale
		}
		if p.Tokens == nil { // read without them (Posts): keep the stored ones
			p.Tokens = splitTokens(oldTokens)
		}
		_, err = tx.exec(ctx, `UPDATE forum_posts SET body = ?, body_html = ?, sanitizer = ?, edited_at = ?,
			agency_id = ?, staff_title = ?, hidden = ?, hidden_reason = ?, deleted = ?, review = ?, tokens = ?,
			revision = ? WHERE id = ?`,
			p.Body, p.BodyHTML, p.Sanitizer, editedMS(p.EditedAt), p.AgencyID, p.StaffTitle, p.Hidden, p.HiddenReason,
			p.Deleted, p.Review, joinTokens(p.Tokens), p.Revision+1, p.ID)
		if err != nil {
			return fmt.Errorf("sqlitestore: update post: %w", err)
		}
		if edit != nil {
			edit.PostID = p.ID
			_, err := tx.exec(ctx, `INSERT INTO forum_edits (id, post_id, body, editor_id, at) VALUES (?,?,?,?,?)`,
				edit.ID, edit.PostID, edit.Body, edit.EditorID, ms(edit.At))
			if err != nil {
				return fmt.Errorf("sqlitestore: insert edit: %w", err)
			}
		}
		if threadDeleted {
			return nil
		}
		was, is := searchable(&old), searchable(p)
		if was && is && oldTokens == joinTokens(p.Tokens) {
			return nil
		}
		if was {
			if err := unindex(ctx, tx, kindPost, p.ID, splitTokens(oldTokens)); err != nil {
				return err
			}
		}
		if is {
			return index(ctx, tx, kindPost, p.ID, p.Tokens)
		}
		return nil
	})
	if err == nil {
		p.Revision++
	}
	return err
}

// Edits implements forum.Store.
func (s *ForumStore) Edits(ctx context.Context, postID string) ([]*forum.Edit, error) {
	return query(ctx, s.db, "list edits", func(row scanner) (*forum.Edit, error) {
		var e forum.Edit
		var at int64
		if err := row.Scan(&e.ID, &e.PostID, &e.Body, &e.EditorID, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		return &e, nil
	}, `SELECT id, post_id, body, editor_id, at FROM forum_edits WHERE post_id = ? ORDER BY id`, postID)
}

// PostsToRender implements forum.Store, oldest markup version first.
func (s *ForumStore) PostsToRender(ctx context.Context, version, limit int) ([]*forum.Post, error) {
	return query(ctx, s.db, "list posts to render", scanPost,
		`SELECT `+postCols+` FROM forum_posts WHERE sanitizer < ? ORDER BY sanitizer LIMIT ?`, version, limitArg(limit))
}

// ReviewQueue implements forum.Store. The literal 'pending' lets SQLite
// use the partial index that holds only pending posts.
func (s *ForumStore) ReviewQueue(ctx context.Context, after string, limit int) ([]*forum.Post, error) {
	return query(ctx, s.db, "list review queue", scanPost,
		`SELECT `+postCols+` FROM forum_posts WHERE review = 'pending' AND id > ? ORDER BY id LIMIT ?`, after, limitArg(limit))
}
