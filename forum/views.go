package forum

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/web"
)

// Author is who wrote a post, as readers see it: for agency staff, the
// agency and their title too.
type Author struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	AgencyID   string     `json:"agency_id,omitempty"`
	AgencyName *i18n.Text `json:"agency_name,omitempty"`
	Title      string     `json:"title,omitempty"`
}

// PostView is a post as one reader sees it. A hidden post shows its public
// reason instead of its text, except to moderators; a deleted one shows
// nothing. Body is the Markdown source, BodyHTML the sanitized HTML: only
// BodyHTML may be put into a page as HTML.
type PostView struct {
	ID           string      `json:"id"`
	ThreadID     string      `json:"thread_id"`
	Number       int         `json:"number"`
	Author       Author      `json:"author"`
	Body         string      `json:"body"`
	BodyHTML     string      `json:"body_html"`
	CreatedAt    time.Time   `json:"created_at"`
	Edited       bool        `json:"edited"`
	EditedAt     *time.Time  `json:"edited_at,omitempty"`
	Hidden       bool        `json:"hidden"`
	HiddenReason ReasonCode  `json:"hidden_reason,omitempty"`
	Deleted      bool        `json:"deleted"`
	Review       ReviewState `json:"review,omitempty"`
	// FlagCount is shown to moderators only.
	FlagCount int  `json:"flag_count,omitempty"`
	CanEdit   bool `json:"can_edit"`
}

// authorCache resolves the names of authors and agencies for views. It
// keeps them for nameTTL across requests: a thread page names up to 50
// authors, and a renamed user or agency shows its new name within a
// minute.
type authorCache struct {
	s *Service
}

func (s *Service) authors(context.Context) *authorCache { return &authorCache{s: s} }

const (
	nameTTL  = time.Minute
	maxNames = 50_000
)

// names is the shared cache: "u"+id → user name, "a"+id → agency name.
type names struct {
	mu sync.Mutex
	m  map[string]cachedName
}

type cachedName struct {
	text i18n.Text
	ok   bool
	at   time.Time
}

func (n *names) get(key string, now time.Time, load func() (i18n.Text, bool)) (i18n.Text, bool) {
	n.mu.Lock()
	c, hit := n.m[key]
	n.mu.Unlock()
	if hit && now.Sub(c.at) < nameTTL {
		return c.text, c.ok
	}
	text, ok := load()
	n.mu.Lock()
	if n.m == nil || len(n.m) >= maxNames {
		n.m = map[string]cachedName{}
	}
	n.m[key] = cachedName{text: text, ok: ok, at: now}
	n.mu.Unlock()
	return text, ok
}

func (a *authorCache) author(ctx context.Context, p *Post) Author {
	au := Author{ID: p.AuthorID, AgencyID: p.AgencyID, Title: p.StaffTitle}
	now := time.Now()
	name, _ := a.s.names.get("u"+p.AuthorID, now, func() (i18n.Text, bool) {
		u, err := a.s.dir.User(ctx, p.AuthorID)
		if err != nil {
			return i18n.Text{}, false
		}
		return i18n.Text{VI: u.Name}, true
	})
	au.Name = name.VI
	if p.AgencyID != "" {
		if ag, ok := a.s.names.get("a"+p.AgencyID, now, func() (i18n.Text, bool) {
			ag, err := a.s.dir.Agency(ctx, p.AgencyID)
			if err != nil {
				return i18n.Text{}, false
			}
			return ag.Name, true
		}); ok {
			au.AgencyName = &ag
		}
	}
	return au
}

// view renders p for viewer; a nil viewer gets the public form, the same
// for every reader, which is what live events carry.
func (a *authorCache) view(ctx context.Context, p *Post, viewer *accounts.User) *PostView {
	v := &PostView{ID: p.ID, ThreadID: p.ThreadID, Number: p.Number, Author: a.author(ctx, p), Body: p.Body, BodyHTML: p.BodyHTML,
		CreatedAt: p.CreatedAt, Hidden: p.Hidden, HiddenReason: p.HiddenReason, Deleted: p.Deleted, Review: p.Review}
	if !p.EditedAt.IsZero() {
		v.Edited, v.EditedAt = true, &p.EditedAt
	}
	mod := isModerator(viewer)
	if mod {
		v.FlagCount = p.FlagCount
	}
	if (p.Hidden || p.Deleted) && !mod {
		v.Body, v.BodyHTML = "", ""
	}
	if p.Deleted && !mod {
		v.Author = Author{}
	}
	v.CanEdit = viewer != nil && (mod || viewer.ID == p.AuthorID && !p.Deleted)
	return v
}

// ThreadView is a thread page: the thread, its category, one page of its
// posts and the pagination.
type ThreadView struct {
	*Thread
	Category  *Category   `json:"category"`
	Posts     []*PostView `json:"posts"`
	Page      int         `json:"page"`
	Pages     int         `json:"pages"`
	Following bool        `json:"following"`
}

// Thread returns page (from 1; 0 or less for the last page) of a thread.
// Any page costs the same: it is a range of post numbers.
func (s *Service) Thread(ctx context.Context, viewer *accounts.User, threadID string, page int) (*ThreadView, error) {
	t, err := s.thread(ctx, viewer, threadID)
	if err != nil {
		return nil, err
	}
	return s.threadView(ctx, viewer, t, page)
}

func (s *Service) threadView(ctx context.Context, viewer *accounts.User, t *Thread, page int) (*ThreadView, error) {
	c, err := s.store.Category(ctx, t.CategoryID)
	if err != nil {
		return nil, err
	}
	size := s.opts.PageSize
	pages := max(1, (t.PostCount+size-1)/size)
	if page <= 0 || page > pages {
		page = pages
	}
	ps, err := s.store.Posts(ctx, t.ID, (page-1)*size+1, page*size)
	if err != nil {
		return nil, err
	}
	v := &ThreadView{Thread: t, Category: c, Posts: make([]*PostView, 0, len(ps)), Page: page, Pages: pages}
	authors := s.authors(ctx)
	for _, p := range ps {
		v.Posts = append(v.Posts, authors.view(ctx, p, viewer))
	}
	if viewer != nil {
		if v.Following, err = s.store.Following(ctx, viewer.ID, t.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// ThreadList is one page of a category's threads, pinned ones first on
// the first page.
type ThreadList struct {
	Category *Category `json:"category"`
	Pinned   []*Thread `json:"pinned"`
	Items    []*Thread `json:"items"`
	// NextCursor continues to older activity; "" at the end.
	NextCursor string `json:"next_cursor"`
}

// ThreadCursor is the keyset of a thread list page.
type ThreadCursor struct {
	Time time.Time `json:"t"`
	ID   string    `json:"i"`
}

// Threads returns a page of a category's threads, newest activity first,
// after cur (nil for the first page). With last, it returns the oldest
// page instead, still newest first, as cheaply as the first.
func (s *Service) Threads(ctx context.Context, viewer *accounts.User, categoryID string, cur *ThreadCursor, last bool, limit int) (*ThreadList, error) {
	c, err := s.Category(ctx, categoryID)
	if err != nil {
		return nil, err
	}
	out := &ThreadList{Category: c, Pinned: []*Thread{}}
	if cur == nil && !last {
		if out.Pinned, err = s.store.PinnedThreads(ctx, c.ID); err != nil {
			return nil, err
		}
		out.Pinned = visible(out.Pinned, viewer)
	}
	q := ThreadPage{CategoryID: c.ID, Limit: limit, Oldest: last, WithDeleted: isModerator(viewer)}
	if cur != nil {
		q.AfterTime, q.AfterID = cur.Time, cur.ID
	}
	if out.Items, err = s.store.Threads(ctx, q); err != nil {
		return nil, err
	}
	if last {
		for i, j := 0, len(out.Items)-1; i < j; i, j = i+1, j-1 {
			out.Items[i], out.Items[j] = out.Items[j], out.Items[i]
		}
	} else if len(out.Items) == limit {
		t := out.Items[len(out.Items)-1]
		out.NextCursor = web.EncodeCursor(ThreadCursor{Time: t.LastPostAt, ID: t.ID})
	}
	if out.Items == nil {
		out.Items = []*Thread{}
	}
	return out, nil
}

func visible(ts []*Thread, viewer *accounts.User) []*Thread {
	out := []*Thread{}
	if isModerator(viewer) {
		return append(out, ts...)
	}
	for _, t := range ts {
		if !t.Deleted {
			out = append(out, t)
		}
	}
	return out
}

// MoreSearch finds what another domain adds to the forum's search (the
// Q&A's public questions, tier 2, after the forum's own hits): up to limit
// hits for tokens, newest first, after the ID after.
type MoreSearch func(ctx context.Context, tokens []string, after string, limit int) ([]*SearchHit, error)

// SetMoreSearch adds another domain's hits to Search. Call it before
// serving.
func (s *Service) SetMoreSearch(f MoreSearch) { s.moreSearch = f }

// SearchCursor continues a search.
type SearchCursor struct {
	Tier int    `json:"t"`
	ID   string `json:"i"`
}

// Search finds threads and posts containing every word of q, ignoring case
// and Vietnamese diacritics: thread titles first, then posts, newest first
// within each.
func (s *Service) Search(ctx context.Context, q string, cur *SearchCursor, limit int) ([]*SearchHit, *SearchCursor, error) {
	tokens, err := fold.QueryTokens(q)
	switch {
	case errors.Is(err, fold.ErrEmptyQuery):
		return nil, nil, apperr.Field("q", "query_empty")
	case errors.Is(err, fold.ErrQueryTooLong):
		return nil, nil, apperr.Field("q", "query_too_long")
	case err != nil:
		return nil, nil, err
	}
	sq := SearchQuery{Tokens: tokens, Limit: limit}
	if cur != nil {
		if cur.Tier < 0 || cur.Tier > 2 || (cur.ID != "" && !id.Valid(cur.ID)) {
			return nil, nil, apperr.Field("cursor", "invalid_cursor")
		}
		sq.AfterTier, sq.AfterID = cur.Tier, cur.ID
	}
	var hits []*SearchHit
	if sq.AfterTier < 2 {
		if hits, err = s.store.Search(ctx, sq); err != nil {
			return nil, nil, err
		}
	}
	if more := s.moreSearch; more != nil && len(hits) < limit {
		after := ""
		if sq.AfterTier == 2 {
			after = sq.AfterID
		}
		qs, err := more(ctx, tokens, after, limit-len(hits))
		if err != nil {
			return nil, nil, err
		}
		hits = append(hits, qs...)
	}
	for _, h := range hits {
		if h.Tier == 2 {
			continue // the Q&A gives its excerpt
		}
		// The store gives the Markdown source; the excerpt is the text a
		// reader sees, without Markdown's marks.
		if html, err := markup.Render(h.Excerpt); err == nil {
			h.Excerpt = markup.Excerpt(html, 240)
		} else {
			h.Excerpt = ""
		}
	}
	var next *SearchCursor
	if len(hits) == limit {
		h := hits[len(hits)-1]
		id := h.ThreadID
		switch h.Kind {
		case "post":
			id = h.PostID
		case "question":
			id = h.QuestionID
		}
		next = &SearchCursor{Tier: h.Tier, ID: id}
	}
	if hits == nil {
		hits = []*SearchHit{}
	}
	return hits, next, nil
}

// Edits returns a post's earlier versions, for moderators.
func (s *Service) Edits(ctx context.Context, actor *accounts.User, postID string) ([]*Edit, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	p, _, err := s.post(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	es, err := s.store.Edits(ctx, p.ID)
	if es == nil {
		es = []*Edit{}
	}
	return es, err
}

// AuthorizeThread decides whether a socket may read thread:{id}: every
// thread readers can see is public.
func (s *Service) AuthorizeThread(ctx context.Context, userID string, role accounts.Role, topic string) error {
	threadID := topic[len(ThreadTopicPrefix):]
	var viewer *accounts.User
	if userID != "" {
		viewer = &accounts.User{ID: userID, Role: role}
	}
	_, err := s.thread(ctx, viewer, threadID)
	return err
}

// AuthorizeQueue lets moderators and admins read mod:queue.
func AuthorizeQueue(role accounts.Role, guest bool) error {
	if guest {
		return ErrUnauthorized
	}
	if role != accounts.Moderator && role != accounts.Admin {
		return ErrForbidden
	}
	return nil
}
