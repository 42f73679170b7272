package sqlitestore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/civichub/civichub/forum"
)

// Search is an inverted index: forum_search has one row (token, kind,
// doc_id) per distinct token of each thread title (kind 0) and each post
// (kind 1) that Search may return, and no others. Rows are written in the
// transaction that changes what they index: a post that is hidden,
// deleted, sent to review or whose thread is deleted loses its rows, and
// gets them back when restored. So a query needs no join to filter.
//
// A query of n tokens walks the postings of one token backwards from the
// cursor (the primary key gives them in doc_id order, newest first) and
// keeps each doc that the other n-1 tokens also index (a primary key
// lookup each), stopping at the page's limit. The walking token is the one
// with the fewest postings, counted up to a cap, so a page costs at most
// about cap × n lookups however common the other tokens are.
const (
	kindTitle = 0
	kindPost  = 1
)

// rarityCap bounds the postings counted per token to choose the one to
// walk: past it, a token is common enough that which one walks matters
// less than the cost of counting further.
const rarityCap = 2000

func tokensJSON(tokens []string) string {
	b, _ := json.Marshal(tokens) // a []string always encodes
	return string(b)
}

// index adds the search rows of one document.
func index(ctx context.Context, tx writeTx, kind int, docID string, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT OR IGNORE INTO forum_search (token, kind, doc_id)
		SELECT value, ?, ? FROM json_each(?)`, kind, docID, tokensJSON(tokens))
	if err != nil {
		return fmt.Errorf("sqlitestore: index: %w", err)
	}
	return nil
}

// unindex removes the search rows of one document, found by its tokens.
func unindex(ctx context.Context, tx writeTx, kind int, docID string, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `DELETE FROM forum_search WHERE kind = ? AND doc_id = ?
		AND token IN (SELECT value FROM json_each(?))`, kind, docID, tokensJSON(tokens))
	if err != nil {
		return fmt.Errorf("sqlitestore: unindex: %w", err)
	}
	return nil
}

// reindexThreadPosts adds (add) or removes the search rows of a thread's
// searchable posts, when the thread is restored or deleted.
func reindexThreadPosts(ctx context.Context, tx writeTx, threadID string, add bool) error {
	rows, err := tx.query(ctx, `SELECT id, tokens FROM forum_posts
		WHERE thread_id = ? AND hidden = 0 AND deleted = 0 AND review <> 'pending' AND tokens <> ''`, threadID)
	if err != nil {
		return fmt.Errorf("sqlitestore: select thread posts: %w", err)
	}
	type doc struct{ id, tokens string }
	var docs []doc
	for rows.Next() {
		var d doc
		if err := rows.Scan(&d.id, &d.tokens); err != nil {
			rows.Close()
			return fmt.Errorf("sqlitestore: scan thread posts: %w", err)
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: thread posts: %w", err)
	}
	for _, d := range docs {
		f := unindex
		if add {
			f = index
		}
		if err := f(ctx, tx, kindPost, d.id, splitTokens(d.tokens)); err != nil {
			return err
		}
	}
	return nil
}

// Search implements forum.Store.
func (s *ForumStore) Search(ctx context.Context, q forum.SearchQuery) ([]*forum.SearchHit, error) {
	tokens := slices.Compact(slices.Sorted(slices.Values(q.Tokens)))
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return t == "" })
	if len(tokens) == 0 {
		return nil, nil
	}
	tokens, err := rarestFirst(ctx, s.db, "forum_search", tokens)
	if err != nil {
		return nil, err
	}
	var hits []*forum.SearchHit
	if q.AfterID == "" || q.AfterTier == kindTitle {
		ids, err := s.match(ctx, kindTitle, tokens, before(q.AfterID), q.Limit)
		if err != nil {
			return nil, err
		}
		if hits, err = s.threadHits(ctx, ids); err != nil {
			return nil, err
		}
	}
	if q.Limit > 0 && len(hits) >= q.Limit {
		return hits, nil
	}
	after := lastID
	if q.AfterTier == kindPost {
		after = before(q.AfterID)
	}
	ids, err := s.match(ctx, kindPost, tokens, after, q.Limit-len(hits))
	if err != nil {
		return nil, err
	}
	posts, err := s.postHits(ctx, ids)
	if err != nil {
		return nil, err
	}
	return append(hits, posts...), nil
}

// rarestFirst orders tokens by how many documents the inverted index
// table (forum_search, qa_search: a token column first in its key) holds
// for each, counted up to rarityCap, fewest first.
func rarestFirst(ctx context.Context, db *DB, table string, tokens []string) ([]string, error) {
	if len(tokens) == 1 {
		return tokens, nil
	}
	st, err := db.readStmt(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` WHERE token = ? LIMIT ?)`)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(tokens))
	for _, tok := range tokens {
		var n int
		if err := st.QueryRowContext(ctx, tok, rarityCap).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlitestore: count postings: %w", err)
		}
		counts[tok] = n
	}
	slices.SortStableFunc(tokens, func(a, b string) int { return counts[a] - counts[b] })
	return tokens, nil
}

// match returns the IDs of the documents of kind that every token indexes,
// below the ID before, greatest first, at most limit (all when limit is
// zero or less).
func (s *ForumStore) match(ctx context.Context, kind int, tokens []string, before string, limit int) ([]string, error) {
	args := []any{tokens[0], kind, before, limitArg(limit)}
	for _, tok := range tokens[1:] {
		args = append(args, tok)
	}
	st, err := s.db.readStmt(ctx, searchSQL(len(tokens)))
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: search: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlitestore: scan search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: search rows: %w", err)
	}
	return ids, nil
}

// searchSQL is the query of match for n tokens: ?1 the walking token, ?2
// the kind, ?3 the cursor, ?4 the limit, ?5... the other tokens.
func searchSQL(n int) string {
	var b strings.Builder
	b.WriteString(`SELECT s0.doc_id FROM forum_search s0 WHERE s0.token = ?1 AND s0.kind = ?2 AND s0.doc_id < ?3`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, ` AND EXISTS (SELECT 1 FROM forum_search s WHERE s.token = ?%d AND s.kind = ?2 AND s.doc_id = s0.doc_id)`, i+4)
	}
	b.WriteString(` ORDER BY s0.doc_id DESC LIMIT ?4`)
	return b.String()
}

// threadHits reads the hits of the thread IDs, in their order.
func (s *ForumStore) threadHits(ctx context.Context, ids []string) ([]*forum.SearchHit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := query(ctx, s.db, "search threads", func(row scanner) (*forum.SearchHit, error) {
		h := forum.SearchHit{Tier: kindTitle, Kind: "thread"}
		var at int64
		if err := row.Scan(&h.ThreadID, &h.Title, &at); err != nil {
			return nil, err
		}
		h.At = fromMS(at)
		return &h, nil
	}, `SELECT id, title, created_at FROM forum_threads WHERE id IN (SELECT value FROM json_each(?))`, tokensJSON(ids))
	if err != nil {
		return nil, err
	}
	return inOrder(ids, found, func(h *forum.SearchHit) string { return h.ThreadID }), nil
}

// postHits reads the hits of the post IDs, with their threads' titles, in
// their order.
func (s *ForumStore) postHits(ctx context.Context, ids []string) ([]*forum.SearchHit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := query(ctx, s.db, "search posts", func(row scanner) (*forum.SearchHit, error) {
		h := forum.SearchHit{Tier: kindPost, Kind: "post"}
		var at int64
		if err := row.Scan(&h.PostID, &h.ThreadID, &h.Excerpt, &at, &h.Title); err != nil {
			return nil, err
		}
		h.At = fromMS(at)
		return &h, nil
	}, `SELECT p.id, p.thread_id, p.body, p.created_at, t.title FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id
		WHERE p.id IN (SELECT value FROM json_each(?))`, tokensJSON(ids))
	if err != nil {
		return nil, err
	}
	return inOrder(ids, found, func(h *forum.SearchHit) string { return h.PostID }), nil
}

func inOrder(ids []string, hits []*forum.SearchHit, key func(*forum.SearchHit) string) []*forum.SearchHit {
	by := make(map[string]*forum.SearchHit, len(hits))
	for _, h := range hits {
		by[key(h)] = h
	}
	out := make([]*forum.SearchHit, 0, len(ids))
	for _, id := range ids {
		if h, ok := by[id]; ok {
			out = append(out, h)
		}
	}
	return out
}
