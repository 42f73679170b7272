package forum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/ratelimit"
)

// Publisher is what the forum needs of the real-time hub.
type Publisher interface {
	// Publish sends an event to every subscriber of an event topic, on
	// every node, after the store has the change.
	Publish(ctx context.Context, topic, eventType string, data any) error
	// Revalidate re-checks every subscription of topics after the rules
	// for reading them changed (a thread deleted).
	Revalidate(ctx context.Context, topics ...string) error
}

// Directory is what the forum needs of accounts: who users are and for
// which agencies they work. accounts.Store satisfies it.
type Directory interface {
	User(ctx context.Context, id string) (*accounts.User, error)
	UserMemberships(ctx context.Context, userID string) ([]*accounts.Membership, error)
	Agency(ctx context.Context, id string) (*accounts.Agency, error)
}

// Suspender suspends users; *accounts.Service satisfies it.
type Suspender interface {
	Suspend(ctx context.Context, actor *accounts.User, userID string, until *time.Time) (*accounts.User, error)
}

// Options tune the service.
type Options struct {
	// PostRate limits posts (threads and replies) per user;
	// NewAccountPostRate applies instead while the account is younger than
	// NewAccountAge (default 24 h).
	PostRate           ratelimit.Rate
	NewAccountPostRate ratelimit.Rate
	NewAccountAge      time.Duration
	// FlagThreshold is how many users' flags hide a post pending review
	// (default 3).
	FlagThreshold int
	// PageSize is how many posts a thread page holds (default 50).
	PageSize int
	Now      func() time.Time
}

// Service enforces the forum's rules.
type Service struct {
	store   Store
	dir     Directory
	suspend Suspender
	pub     Publisher
	limiter ratelimit.Limiter
	opts    Options
	logger  *slog.Logger
	names   names
	// moreSearch adds the Q&A's questions to search results.
	moreSearch MoreSearch
}

// NewService returns the forum service.
func NewService(store Store, dir Directory, suspend Suspender, pub Publisher, limiter ratelimit.Limiter, opts Options, logger *slog.Logger) *Service {
	if opts.NewAccountAge <= 0 {
		opts.NewAccountAge = 24 * time.Hour
	}
	if opts.FlagThreshold <= 0 {
		opts.FlagThreshold = 3
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, dir: dir, suspend: suspend, pub: pub, limiter: limiter, opts: opts, logger: logger}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// PageSize is how many posts a thread page holds.
func (s *Service) PageSize() int { return s.opts.PageSize }

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// Topics.
const (
	ThreadTopicPrefix = "thread:"
	QueueTopic        = "mod:queue"
)

// ThreadTopic is the event topic of a thread.
func ThreadTopic(threadID string) string { return ThreadTopicPrefix + threadID }

// UserTopic is a user's own event topic (notifications).
func UserTopic(userID string) string { return "user:" + userID }

func isModerator(u *accounts.User) bool {
	return u != nil && (u.Role == accounts.Moderator || u.Role == accounts.Admin)
}

// requireActor checks that actor is logged in and not suspended.
func (s *Service) requireActor(actor *accounts.User) error {
	if actor == nil {
		return ErrUnauthorized
	}
	if actor.SuspendedAt(s.now()) {
		return accounts.ErrSuspended
	}
	return nil
}

func requireModerator(actor *accounts.User) error {
	if actor == nil {
		return ErrUnauthorized
	}
	if !isModerator(actor) {
		return ErrForbidden
	}
	return nil
}

// allowPost applies the posting rate, stricter for new accounts.
func (s *Service) allowPost(ctx context.Context, actor *accounts.User) error {
	rate, key := s.opts.PostRate, "post:user:"
	if s.now().Sub(actor.CreatedAt) < s.opts.NewAccountAge {
		rate, key = s.opts.NewAccountPostRate, "post:new:"
	}
	if rate.N == 0 {
		return nil
	}
	ok, retry, err := s.limiter.Allow(ctx, key+actor.ID, rate)
	if err != nil {
		s.logger.Warn("forum: rate limiter failed", "err", err)
		return nil
	}
	if !ok {
		return &apperr.Error{Code: apperr.RateLimited, Key: "rate_limited", RetryAfter: retry, Err: fmt.Errorf("post limit %s", rate)}
	}
	return nil
}

// Limits of titles and names.
const (
	MaxTitle = 200
	MinTitle = 3
)

func cleanTitle(s string) (string, string) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return s, "required"
	case n < MinTitle:
		return s, "title_too_short"
	case n > MaxTitle || !utf8.ValidString(s):
		return s, "too_long"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, "invalid_text"
		}
	}
	return s, ""
}

// rendered is a post body checked against watched words and rendered.
type rendered struct {
	body, html string
	tokens     []string
	review     bool
}

// render applies the watched words to body (block, review, replace),
// renders it, and folds its tokens (with extra, the thread's title, for a
// first post) for search.
func (s *Service) render(ctx context.Context, field, body string, extra string) (*rendered, error) {
	if strings.TrimSpace(body) == "" {
		return nil, apperr.Field(field, "required")
	}
	if !utf8.ValidString(body) {
		return nil, apperr.Field(field, "invalid_text")
	}
	words, err := s.store.Words(ctx)
	if err != nil {
		return nil, err
	}
	r := &rendered{body: body}
	folded := " " + fold.Fold(body+" "+extra) + " "
	for _, w := range words {
		fw := fold.Fold(w.Word)
		if fw == "" || !strings.Contains(folded, " "+fw+" ") {
			continue
		}
		switch w.Action {
		case WordBlock:
			return nil, apperr.Field(field, "blocked_word")
		case WordReview:
			r.review = true
		case WordReplace:
			r.body = replaceWord(r.body, w.Word, w.Replacement)
		}
	}
	html, err := markup.Render(r.body)
	switch {
	case errors.Is(err, markup.ErrTooLong):
		return nil, apperr.Field(field, "too_long")
	case errors.Is(err, markup.ErrTooDeep), errors.Is(err, markup.ErrTooComplex):
		return nil, apperr.Field(field, "too_deep")
	case err != nil:
		return nil, err
	}
	if strings.TrimSpace(html) == "" {
		// Only raw HTML (dropped) or nothing visible: there is no post.
		return nil, apperr.Field(field, "required")
	}
	r.html = html
	r.tokens = fold.Tokens(r.body)
	return r, nil
}

// CheckText applies the forum's watched words to a text from another
// domain (Q&A) and renders it, as for a post: src is the text as stored
// (replacements applied), html its sanitized rendering, review whether a
// watched word asks for a moderator's look. Errors name field.
func (s *Service) CheckText(ctx context.Context, field, body string) (src, html string, review bool, err error) {
	r, err := s.render(ctx, field, body, "")
	if err != nil {
		return "", "", false, err
	}
	return r.body, r.html, r.review, nil
}

// wordRE finds words, marks included so that decomposed Vietnamese stays
// whole.
var wordRE = regexp.MustCompile(`[\p{L}\p{M}\p{N}]+`)

// replaceWord replaces whole-word occurrences of word in text, ignoring
// case and diacritics, with repl.
func replaceWord(text, word, repl string) string {
	target := fold.Tokens(word)
	if len(target) == 0 {
		return text
	}
	locs := wordRE.FindAllStringIndex(text, -1)
	var b strings.Builder
	last := 0
	for i := 0; i+len(target) <= len(locs); i++ {
		match := true
		for k, t := range target {
			lo := locs[i+k]
			if f := fold.Tokens(text[lo[0]:lo[1]]); len(f) != 1 || f[0] != t {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		start, end := locs[i][0], locs[i+len(target)-1][1]
		if start < last {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(repl)
		last = end
		i += len(target) - 1
	}
	b.WriteString(text[last:])
	return b.String()
}

// attribution returns the agency and title a staff member writes with in
// a category: the category's agency when they are its staff, else their
// first membership; none for others.
func (s *Service) attribution(ctx context.Context, actor *accounts.User, c *Category) (string, string, error) {
	ms, err := s.dir.UserMemberships(ctx, actor.ID)
	if err != nil || len(ms) == 0 {
		return "", "", err
	}
	for _, m := range ms {
		if m.AgencyID == c.AgencyID {
			return m.AgencyID, m.Title, nil
		}
	}
	return ms[0].AgencyID, ms[0].Title, nil
}

// NewCategory is the input of CreateCategory.
type NewCategory struct {
	Name        i18n.Text `json:"name"`
	Description i18n.Text `json:"description"`
	Slug        string    `json:"slug"`
	AgencyID    *string   `json:"agency_id"`
	Position    int       `json:"position"`
}

// CreateCategory makes a category. Only admins may.
func (s *Service) CreateCategory(ctx context.Context, actor *accounts.User, in NewCategory) (*Category, error) {
	if actor == nil {
		return nil, ErrUnauthorized
	}
	if actor.Role != accounts.Admin {
		return nil, ErrForbidden
	}
	fe := map[string]string{}
	c := &Category{ID: id.New(), Slug: strings.TrimSpace(in.Slug), Position: in.Position, CreatedAt: s.now()}
	c.Name.VI, c.Name.EN = strings.TrimSpace(in.Name.VI), strings.TrimSpace(in.Name.EN)
	c.Description.VI, c.Description.EN = strings.TrimSpace(in.Description.VI), strings.TrimSpace(in.Description.EN)
	if c.Name.VI == "" {
		fe["name"] = "required"
	} else if utf8.RuneCountInString(c.Name.VI) > 100 || utf8.RuneCountInString(c.Name.EN) > 100 {
		fe["name"] = "too_long"
	}
	if utf8.RuneCountInString(c.Description.VI) > 500 || utf8.RuneCountInString(c.Description.EN) > 500 {
		fe["description"] = "too_long"
	}
	if !accounts.ValidSlug(c.Slug) {
		fe["slug"] = "slug_invalid"
	}
	if in.AgencyID != nil && *in.AgencyID != "" {
		c.AgencyID = *in.AgencyID
		if _, err := s.dir.Agency(ctx, c.AgencyID); errors.Is(err, accounts.ErrAgencyNotFound) || !id.Valid(c.AgencyID) {
			fe["agency_id"] = "agency_not_found"
		} else if err != nil {
			return nil, err
		}
	}
	if len(fe) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: fe}
	}
	if err := s.store.CreateCategory(ctx, c); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "category.create", "category", c.ID, "", c.Slug)
	return c, nil
}

// Categories lists the categories.
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	return s.store.Categories(ctx)
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, categoryID string) (*Category, error) {
	if !id.Valid(categoryID) {
		return nil, ErrCategoryNotFound
	}
	return s.store.Category(ctx, categoryID)
}

// NewThread is the input of CreateThread.
type NewThread struct {
	CategoryID string `json:"category_id"`
	Title      string `json:"title"`
	Body       string `json:"body"`
}

// CreateThread starts a thread with its first post. Its author follows it.
func (s *Service) CreateThread(ctx context.Context, actor *accounts.User, in NewThread) (*ThreadView, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	fe := map[string]string{}
	title, key := cleanTitle(in.Title)
	if key != "" {
		fe["title"] = key
	}
	var c *Category
	if !id.Valid(in.CategoryID) {
		fe["category_id"] = "category_not_found"
	} else {
		var err error
		c, err = s.store.Category(ctx, in.CategoryID)
		if errors.Is(err, ErrCategoryNotFound) {
			fe["category_id"] = "category_not_found"
		} else if err != nil {
			return nil, err
		}
	}
	r, err := s.render(ctx, "body", in.Body, title)
	if e := apperr.As(err); err != nil && e.Code == apperr.Invalid {
		for k, v := range e.Fields {
			fe[k] = v
		}
	} else if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "invalid_input", Fields: fe}
	}
	if err := s.allowPost(ctx, actor); err != nil {
		return nil, err
	}
	now := s.now()
	t := &Thread{ID: id.New(), CategoryID: c.ID, Title: title, AuthorID: actor.ID, PostCount: 1, LastPostAt: now, CreatedAt: now,
		TitleTokens: fold.Tokens(title)}
	p := s.newPost(t.ID, actor, r, now)
	if p.AgencyID, p.StaffTitle, err = s.attribution(ctx, actor, c); err != nil {
		return nil, err
	}
	if err := s.store.CreateThread(ctx, t, p); err != nil {
		return nil, err
	}
	if err := s.store.Follow(ctx, actor.ID, t.ID); err != nil {
		s.logger.Warn("forum: author follows thread", "err", err)
	}
	if p.Review == ReviewPending {
		s.queued(ctx, p)
	}
	s.logger.Info("thread created", "thread", t.ID, "by", actor.ID)
	return s.threadView(ctx, actor, t, 1)
}

func (s *Service) newPost(threadID string, actor *accounts.User, r *rendered, now time.Time) *Post {
	p := &Post{ID: id.New(), ThreadID: threadID, AuthorID: actor.ID, Body: r.body, BodyHTML: r.html,
		Sanitizer: markup.Version, CreatedAt: now, Tokens: r.tokens}
	if r.review {
		p.Hidden, p.HiddenReason, p.Review = true, ReasonPending, ReviewPending
	}
	return p
}

// thread returns a thread readers may see: deleted ones exist only for
// moderators.
func (s *Service) thread(ctx context.Context, viewer *accounts.User, threadID string) (*Thread, error) {
	if !id.Valid(threadID) {
		return nil, ErrThreadNotFound
	}
	t, err := s.store.Thread(ctx, threadID)
	if err != nil {
		return nil, err
	}
	if t.Deleted && !isModerator(viewer) {
		return nil, ErrThreadNotFound
	}
	return t, nil
}

// Reply adds a post to a thread. Locked threads take posts from
// moderators only. The author follows the thread; its other followers are
// notified.
func (s *Service) Reply(ctx context.Context, actor *accounts.User, threadID, body string) (*PostView, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	t, err := s.thread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	if (t.Locked || t.Deleted) && !isModerator(actor) {
		return nil, ErrLocked
	}
	r, err := s.render(ctx, "body", body, "")
	if err != nil {
		return nil, err
	}
	if err := s.allowPost(ctx, actor); err != nil {
		return nil, err
	}
	c, err := s.store.Category(ctx, t.CategoryID)
	if err != nil {
		return nil, err
	}
	p := s.newPost(t.ID, actor, r, s.now())
	if p.AgencyID, p.StaffTitle, err = s.attribution(ctx, actor, c); err != nil {
		return nil, err
	}
	if err := s.store.AddPost(ctx, p); err != nil {
		return nil, err
	}
	if err := s.store.Follow(ctx, actor.ID, t.ID); err != nil {
		s.logger.Warn("forum: author follows thread", "err", err)
	}
	authors := s.authors(ctx)
	view := authors.view(ctx, p, nil)
	if p.Review == ReviewPending {
		s.queued(ctx, p)
	} else {
		s.publish(ctx, ThreadTopic(t.ID), "post.created", map[string]any{"post": view})
		s.notifyFollowers(ctx, t, p)
	}
	return authors.view(ctx, p, actor), nil
}

// notifyFollowers tells a thread's followers, but the author, about p.
func (s *Service) notifyFollowers(ctx context.Context, t *Thread, p *Post) {
	followers, err := s.store.Followers(ctx, t.ID)
	if err != nil {
		s.logger.Warn("forum: followers", "thread", t.ID, "err", err)
		return
	}
	var ns []*Notification
	for _, u := range followers {
		if u != p.AuthorID {
			ns = append(ns, &Notification{ID: id.New(), UserID: u, ThreadID: t.ID, PostID: p.ID, ActorID: p.AuthorID, CreatedAt: p.CreatedAt})
		}
	}
	if len(ns) == 0 {
		return
	}
	if err := s.store.AddNotifications(ctx, ns); err != nil {
		s.logger.Warn("forum: notifications", "thread", t.ID, "err", err)
		return
	}
	for _, n := range ns {
		unread, err := s.store.UnreadCount(ctx, n.UserID)
		if err != nil {
			continue
		}
		s.publish(ctx, UserTopic(n.UserID), "notification.created", map[string]any{
			"notification_id": n.ID, "thread_id": t.ID, "post_id": p.ID, "unread": unread})
	}
}

// EditPost changes a post's text: its author (while the thread is open
// and they are not suspended) or a moderator. The earlier text is kept in
// the post's history and the post is marked edited.
func (s *Service) EditPost(ctx context.Context, actor *accounts.User, postID, body string) (*PostView, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	p, t, err := s.post(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	if p.Deleted && !isModerator(actor) {
		return nil, ErrPostNotFound
	}
	if p.AuthorID != actor.ID && !isModerator(actor) {
		return nil, ErrForbidden
	}
	if t.Locked && !isModerator(actor) {
		return nil, ErrLocked
	}
	extra := ""
	if p.Number == 1 {
		extra = t.Title
	}
	r, err := s.render(ctx, "body", body, extra)
	if err != nil {
		return nil, err
	}
	if r.body == p.Body {
		return s.authors(ctx).view(ctx, p, actor), nil
	}
	now := s.now()
	edit := &Edit{ID: id.New(), PostID: p.ID, Body: p.Body, EditorID: actor.ID, At: now}
	p.Body, p.BodyHTML, p.Sanitizer, p.Tokens, p.EditedAt = r.body, r.html, markup.Version, r.tokens, now
	if r.review && !p.Hidden {
		p.Hidden, p.HiddenReason, p.Review = true, ReasonPending, ReviewPending
	}
	if err := s.store.UpdatePost(ctx, p, edit); err != nil {
		return nil, err
	}
	if actor.ID != p.AuthorID {
		s.audit(ctx, actor, "post.edit", "post", p.ID, "", "")
	}
	authors := s.authors(ctx)
	if p.Hidden {
		s.publish(ctx, ThreadTopic(t.ID), "post.hidden", hiddenEvent(p))
		if p.Review == ReviewPending {
			s.queued(ctx, p)
		}
	} else {
		s.publish(ctx, ThreadTopic(t.ID), "post.edited", map[string]any{"post": authors.view(ctx, p, nil)})
	}
	return authors.view(ctx, p, actor), nil
}

// post returns a post and its thread as viewer may see them.
func (s *Service) post(ctx context.Context, viewer *accounts.User, postID string) (*Post, *Thread, error) {
	if !id.Valid(postID) {
		return nil, nil, ErrPostNotFound
	}
	p, err := s.store.Post(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.thread(ctx, viewer, p.ThreadID)
	if errors.Is(err, ErrThreadNotFound) {
		return nil, nil, ErrPostNotFound
	} else if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// hiddenEvent is what readers are told of a hidden post: its id and the
// public reason, never its text.
func hiddenEvent(p *Post) map[string]any {
	return map[string]any{"post_id": p.ID, "number": p.Number, "reason": p.HiddenReason}
}

// publish sends an event, logging a failure: the change is stored, and
// readers who miss the event catch up on reload.
func (s *Service) publish(ctx context.Context, topic, typ string, data any) {
	if err := s.pub.Publish(ctx, topic, typ, data); err != nil {
		s.logger.Warn("forum: publish", "topic", topic, "type", typ, "err", err)
	}
}

// Flag reports a post. A user flags a post once; when FlagThreshold users
// have, the post is hidden pending review and enters the moderation queue.
func (s *Service) Flag(ctx context.Context, actor *accounts.User, postID string, reason ReasonCode, note string) (int, error) {
	if err := s.requireActor(actor); err != nil {
		return 0, err
	}
	if !slices.Contains(Reasons, reason) {
		return 0, apperr.Field("reason", "invalid_choice")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 || !utf8.ValidString(note) {
		return 0, apperr.Field("note", "too_long")
	}
	p, t, err := s.post(ctx, actor, postID)
	if err != nil {
		return 0, err
	}
	if p.AuthorID == actor.ID {
		return 0, apperr.New(apperr.Invalid, "flag_own_post")
	}
	n, err := s.store.AddFlag(ctx, &Flag{PostID: p.ID, UserID: actor.ID, Reason: reason, Note: note, CreatedAt: s.now()})
	if err != nil {
		return 0, err
	}
	p.FlagCount = n
	// The flag that reaches the threshold sends the post to review, once:
	// a post a moderator restored is not queued again by later flags.
	if n == s.opts.FlagThreshold && !p.Hidden && p.Review != ReviewPending {
		for range 3 { // the post may change under us; try again on a stale write
			p.Hidden, p.HiddenReason, p.Review = true, ReasonPending, ReviewPending
			err = s.store.UpdatePost(ctx, p, nil)
			if !errors.Is(err, ErrStale) {
				break
			}
			if p, err = s.store.Post(ctx, p.ID); err != nil || p.Hidden {
				break
			}
		}
		if err != nil {
			return n, err
		}
		if p.Review == ReviewPending {
			s.publish(ctx, ThreadTopic(t.ID), "post.hidden", hiddenEvent(p))
			s.queued(ctx, p)
		}
	}
	return n, nil
}

// queued tells moderators that p waits for review.
func (s *Service) queued(ctx context.Context, p *Post) {
	s.publish(ctx, QueueTopic, "queue.added", map[string]any{"post_id": p.ID, "thread_id": p.ThreadID, "flags": p.FlagCount})
}

// Follow makes actor follow a thread; Unfollow stops it.
func (s *Service) Follow(ctx context.Context, actor *accounts.User, threadID string, on bool) error {
	if actor == nil {
		return ErrUnauthorized
	}
	t, err := s.thread(ctx, actor, threadID)
	if err != nil {
		return err
	}
	if on {
		return s.store.Follow(ctx, actor.ID, t.ID)
	}
	return s.store.Unfollow(ctx, actor.ID, t.ID)
}

// Notifications returns a page of actor's notifications and the unread
// count.
func (s *Service) Notifications(ctx context.Context, actor *accounts.User, before string, limit int) ([]*Notification, int, error) {
	if actor == nil {
		return nil, 0, ErrUnauthorized
	}
	ns, err := s.store.Notifications(ctx, actor.ID, before, limit)
	if err != nil {
		return nil, 0, err
	}
	unread, err := s.store.UnreadCount(ctx, actor.ID)
	return ns, unread, err
}

// MarkRead marks actor's notifications read up to upTo ("" for all) and
// tells their other pages the new unread count.
func (s *Service) MarkRead(ctx context.Context, actor *accounts.User, upTo string) (int, error) {
	if actor == nil {
		return 0, ErrUnauthorized
	}
	if upTo != "" && !id.Valid(upTo) {
		return 0, apperr.Field("up_to", "invalid_input")
	}
	if err := s.store.MarkRead(ctx, actor.ID, upTo); err != nil {
		return 0, err
	}
	unread, err := s.store.UnreadCount(ctx, actor.ID)
	if err == nil {
		s.publish(ctx, UserTopic(actor.ID), "notification.read", map[string]any{"unread": unread})
	}
	return unread, err
}

// RenderStale renders again every post that an older markup version
// rendered, so a sanitizer change reaches stored HTML. It returns how many
// posts it rendered.
func (s *Service) RenderStale(ctx context.Context) (int, error) {
	n := 0
	for {
		ps, err := s.store.PostsToRender(ctx, markup.Version, 200)
		if err != nil || len(ps) == 0 {
			return n, err
		}
		for _, p := range ps {
			html, err := markup.Render(p.Body)
			if err != nil {
				// Kept as an empty rendering rather than unsafe HTML.
				s.logger.Warn("forum: post no longer renders", "post", p.ID, "err", err)
				html = ""
			}
			p.BodyHTML, p.Sanitizer = html, markup.Version
			if err := s.store.UpdatePost(ctx, p, nil); err != nil && !errors.Is(err, ErrStale) {
				return n, err
			}
			n++
		}
	}
}
