package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/civichub/civichub/forum"
)

// ForumStore implements forum.Store on SQLite. It is safe for concurrent
// use.
//
// Every write that touches more than one row (a thread and its first post,
// a post and its thread's count, a post and its search rows) is one
// transaction on the single write connection, so a post's number is the
// thread's highest plus one without any retry in practice; the unique index
// on (thread_id, number) still guards it.
//
// Thread lists read the index (category_id, pinned, deleted, last_post_at,
// id) backwards from the keyset, so the last page of a category costs what
// the first does; a thread page reads the (thread_id, number) index range.
// Search is an inverted index, forum_search (see forum_search.go).
type ForumStore struct {
	db      *DB
	pending sync.Map // write statements to prepare: see writeTx
}

var _ forum.Store = (*ForumStore)(nil)

// Forum returns the forum store.
func (db *DB) Forum() *ForumStore { return &ForumStore{db: db} }

// tokenSep joins a row's tokens in one column. Tokens are folded words and
// never contain it.
const tokenSep = "\x1f"

func joinTokens(ts []string) string { return strings.Join(ts, tokenSep) }

func splitTokens(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, tokenSep)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// limitArg is a LIMIT value: none (-1) for zero or less.
func limitArg(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// lastID sorts after every ID (IDs are lowercase ULIDs: digits and
// letters), standing for "no cursor" in id < ? conditions.
const lastID = "~"

func before(id string) string {
	if id == "" {
		return lastID
	}
	return id
}

const categoryCols = `id, slug, name_vi, name_en, description_vi, description_en, agency_id, position, created_at`

func scanCategory(row scanner) (*forum.Category, error) {
	var c forum.Category
	var created int64
	if err := row.Scan(&c.ID, &c.Slug, &c.Name.VI, &c.Name.EN, &c.Description.VI, &c.Description.EN,
		&c.AgencyID, &c.Position, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// CreateCategory implements forum.Store.
func (s *ForumStore) CreateCategory(ctx context.Context, c *forum.Category) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO forum_categories (`+categoryCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		c.ID, c.Slug, c.Name.VI, c.Name.EN, c.Description.VI, c.Description.EN, c.AgencyID, c.Position, ms(c.CreatedAt))
	if isUnique(err) {
		return forum.ErrSlugTaken
	} else if err != nil {
		return fmt.Errorf("sqlitestore: insert category: %w", err)
	}
	return nil
}

// Category implements forum.Store.
func (s *ForumStore) Category(ctx context.Context, id string) (*forum.Category, error) {
	return queryOne(ctx, s.db, "select category", forum.ErrCategoryNotFound, scanCategory,
		`SELECT `+categoryCols+` FROM forum_categories WHERE id = ?`, id)
}

// Categories implements forum.Store.
func (s *ForumStore) Categories(ctx context.Context) ([]*forum.Category, error) {
	return query(ctx, s.db, "list categories", scanCategory,
		`SELECT `+categoryCols+` FROM forum_categories ORDER BY position, id`)
}

const threadCols = `id, category_id, title, title_tokens, author_id, pinned, locked, deleted, post_count, last_post_at, created_at`

func scanThread(row scanner) (*forum.Thread, error) {
	var t forum.Thread
	var tokens string
	var last, created int64
	if err := row.Scan(&t.ID, &t.CategoryID, &t.Title, &tokens, &t.AuthorID, &t.Pinned, &t.Locked, &t.Deleted,
		&t.PostCount, &last, &created); err != nil {
		return nil, err
	}
	t.TitleTokens, t.LastPostAt, t.CreatedAt = splitTokens(tokens), fromMS(last), fromMS(created)
	return &t, nil
}

// CreateThread implements forum.Store: the thread, its first post and their
// search rows in one transaction. It sets p's ThreadID, Number (1) and
// Revision (1) and t's PostCount (1) and LastPostAt (p's CreatedAt). It
// returns forum.ErrCategoryNotFound when t's category does not exist.
func (s *ForumStore) CreateThread(ctx context.Context, t *forum.Thread, p *forum.Post) error {
	return s.inTx(ctx, "thread", func(tx writeTx) error { return s.createThread(ctx, tx, t, p) })
}

func (s *ForumStore) createThread(ctx context.Context, tx writeTx, t *forum.Thread, p *forum.Post) error {
	if err := categoryExists(ctx, tx, t.CategoryID); err != nil {
		return err
	}
	p.ThreadID, p.Number, p.Revision = t.ID, 1, 1
	t.PostCount, t.LastPostAt = 1, p.CreatedAt
	_, err := tx.exec(ctx, `INSERT INTO forum_threads (`+threadCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		t.ID, t.CategoryID, t.Title, joinTokens(t.TitleTokens), t.AuthorID, t.Pinned, t.Locked, t.Deleted,
		t.PostCount, ms(t.LastPostAt), ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: insert thread: %w", err)
	}
	if err := insertPost(ctx, tx, p); err != nil {
		return err
	}
	if t.Deleted {
		return nil
	}
	if err := index(ctx, tx, kindTitle, t.ID, t.TitleTokens); err != nil {
		return err
	}
	if searchable(p) {
		return index(ctx, tx, kindPost, p.ID, p.Tokens)
	}
	return nil
}

func categoryExists(ctx context.Context, tx writeTx, id string) error {
	var one int
	err := tx.row(ctx, `SELECT 1 FROM forum_categories WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.ErrCategoryNotFound
	} else if err != nil {
		return fmt.Errorf("sqlitestore: select category: %w", err)
	}
	return nil
}

// Thread implements forum.Store.
func (s *ForumStore) Thread(ctx context.Context, id string) (*forum.Thread, error) {
	return queryOne(ctx, s.db, "select thread", forum.ErrThreadNotFound, scanThread,
		`SELECT `+threadCols+` FROM forum_threads WHERE id = ?`, id)
}

// The four thread list queries: newest or oldest activity first, from the
// start or after a keyset. Each walks forum_threads_list in order, so no
// page sorts or skips rows.
var threadsQueries = func() (q [2][2]string) {
	for oldest, dir := range []string{"DESC", "ASC"} {
		cmp := map[string]string{"DESC": "<", "ASC": ">"}[dir]
		sel := `SELECT ` + threadCols + ` FROM forum_threads WHERE category_id = ? AND pinned = 0 AND deleted = ?`
		order := ` ORDER BY last_post_at ` + dir + `, id ` + dir + ` LIMIT ?`
		q[oldest][0] = sel + order
		q[oldest][1] = sel + ` AND (last_post_at, id) ` + cmp + ` (?, ?)` + order
	}
	return q
}()

// Threads implements forum.Store. With WithDeleted it reads a page of the
// live threads and a page of the deleted ones, each straight off the index,
// and merges them.
func (s *ForumStore) Threads(ctx context.Context, q forum.ThreadPage) ([]*forum.Thread, error) {
	oldest := boolInt(q.Oldest)
	var out []*forum.Thread
	for _, deleted := range []int{0, 1} {
		if deleted == 1 && !q.WithDeleted {
			break
		}
		var page []*forum.Thread
		var err error
		if q.AfterID == "" {
			page, err = query(ctx, s.db, "list threads", scanThread, threadsQueries[oldest][0],
				q.CategoryID, deleted, limitArg(q.Limit))
		} else {
			page, err = query(ctx, s.db, "list threads", scanThread, threadsQueries[oldest][1],
				q.CategoryID, deleted, ms(q.AfterTime), q.AfterID, limitArg(q.Limit))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	if q.WithDeleted {
		slices.SortFunc(out, func(a, b *forum.Thread) int {
			c := a.LastPostAt.Compare(b.LastPostAt)
			if c == 0 {
				c = strings.Compare(a.ID, b.ID)
			}
			if !q.Oldest {
				c = -c
			}
			return c
		})
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
	}
	return out, nil
}

// PinnedThreads implements forum.Store.
func (s *ForumStore) PinnedThreads(ctx context.Context, categoryID string) ([]*forum.Thread, error) {
	return query(ctx, s.db, "list pinned threads", scanThread, `SELECT `+threadCols+` FROM forum_threads
		WHERE category_id = ? AND pinned = 1 AND deleted = 0 ORDER BY last_post_at DESC, id DESC`, categoryID)
}

// UpdateThread implements forum.Store: it stores t's category, title and
// title tokens, and its pinned, locked and deleted flags; PostCount and
// LastPostAt are the store's. Deleting a thread takes its title and its
// posts out of search, and restoring it puts them back, in the same
// transaction. It returns forum.ErrThreadNotFound or, for a move,
// forum.ErrCategoryNotFound.
func (s *ForumStore) UpdateThread(ctx context.Context, t *forum.Thread) error {
	return s.inTx(ctx, "thread update", func(tx writeTx) error {
		var oldCategory, oldTokens string
		var oldDeleted bool
		err := tx.row(ctx, `SELECT category_id, title_tokens, deleted FROM forum_threads WHERE id = ?`, t.ID).
			Scan(&oldCategory, &oldTokens, &oldDeleted)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.ErrThreadNotFound
		} else if err != nil {
			return fmt.Errorf("sqlitestore: select thread: %w", err)
		}
		if t.CategoryID != oldCategory {
			if err := categoryExists(ctx, tx, t.CategoryID); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `UPDATE forum_threads SET category_id = ?, title = ?, title_tokens = ?,
			pinned = ?, locked = ?, deleted = ? WHERE id = ?`,
			t.CategoryID, t.Title, joinTokens(t.TitleTokens), t.Pinned, t.Locked, t.Deleted, t.ID)
		if err != nil {
			return fmt.Errorf("sqlitestore: update thread: %w", err)
		}
		if newTokens := joinTokens(t.TitleTokens); oldDeleted != t.Deleted || oldTokens != newTokens {
			if !oldDeleted {
				if err := unindex(ctx, tx, kindTitle, t.ID, splitTokens(oldTokens)); err != nil {
					return err
				}
			}
			if !t.Deleted {
				if err := index(ctx, tx, kindTitle, t.ID, t.TitleTokens); err != nil {
					return err
				}
			}
		}
		if oldDeleted != t.Deleted {
			return reindexThreadPosts(ctx, tx, t.ID, !t.Deleted)
		}
		return nil
	})
}
