// Package forum owns the public discussions between agencies and residents:
// categories, threads and posts, their Markdown sanitized on write, search
// that ignores case and Vietnamese diacritics, follows and notifications,
// flags, and the moderation that keeps it clean, with an append-only audit
// log.
//
// Storage is behind the Store interface (sqlitestore, mongostore), checked
// by the forumtest conformance suite. The package publishes through the
// Publisher interface it declares; main passes the hub. Event topics:
// thread:{id} (posts created, edited, hidden, restored; thread locked,
// pinned, moved), mod:queue (moderators: items entering and leaving the
// review queue) and user:{id} (that user's notifications).
package forum

import (
	"context"
	"time"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Category groups threads; admins manage them. A category may belong to an
// agency, whose staff then answer there.
type Category struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Name        i18n.Text `json:"name"`
	Description i18n.Text `json:"description"`
	AgencyID    string    `json:"agency_id,omitempty"`
	Position    int       `json:"position"`
	CreatedAt   time.Time `json:"created_at"`
}

// Thread is a discussion in a category. Its first post holds the opening
// text.
type Thread struct {
	ID         string    `json:"id"`
	CategoryID string    `json:"category_id"`
	Title      string    `json:"title"`
	AuthorID   string    `json:"author_id"`
	Pinned     bool      `json:"pinned"`
	Locked     bool      `json:"locked"`
	Deleted    bool      `json:"deleted"`
	PostCount  int       `json:"post_count"` // posts numbered so far, hidden ones included
	LastPostAt time.Time `json:"last_post_at"`
	CreatedAt  time.Time `json:"created_at"`
	// TitleTokens are the folded tokens of the title, for search.
	TitleTokens []string `json:"-"`
}

// Post is one message of a thread. Body is the author's Markdown source;
// BodyHTML is its sanitized rendering, the only form ever put into a page or
// a live event as HTML; Sanitizer is the markup version that rendered it.
type Post struct {
	ID       string `json:"id"`
	ThreadID string `json:"thread_id"`
	// Number is the post's position in its thread, from 1, so that any
	// page of a thread is a range of numbers.
	Number    int       `json:"number"`
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	Sanitizer int       `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	EditedAt  time.Time `json:"edited_at,omitzero"`
	// AgencyID and StaffTitle say, for a post by agency staff, for which
	// agency and in which function they wrote.
	AgencyID   string `json:"agency_id,omitempty"`
	StaffTitle string `json:"staff_title,omitempty"`
	// Hidden posts show HiddenReason in place of their content.
	Hidden       bool       `json:"hidden"`
	HiddenReason ReasonCode `json:"hidden_reason,omitempty"`
	Deleted      bool       `json:"deleted"`
	// Review is "pending" while the post waits in the moderation queue.
	Review    ReviewState `json:"review,omitempty"`
	FlagCount int         `json:"flag_count"`
	Tokens    []string    `json:"-"`
	// Revision rises with every change, for compare-and-set updates.
	Revision int64 `json:"-"`
}

// ReviewState is a post's place in the moderation queue.
type ReviewState string

// The review states.
const (
	NoReview      ReviewState = ""
	ReviewPending ReviewState = "pending"
)

// ReasonCode is a public reason for hiding a post or flagging it, shown in
// place of the content in the reader's language.
type ReasonCode string

// The reason codes.
const (
	ReasonSpam     ReasonCode = "spam"
	ReasonAbuse    ReasonCode = "abuse"
	ReasonOffTopic ReasonCode = "off_topic"
	ReasonPersonal ReasonCode = "personal_data"
	ReasonIllegal  ReasonCode = "illegal"
	ReasonPending  ReasonCode = "pending_review"
	ReasonOther    ReasonCode = "other"
)

// Reasons lists the codes a person may choose (pending_review is set by the
// system).
var Reasons = []ReasonCode{ReasonSpam, ReasonAbuse, ReasonOffTopic, ReasonPersonal, ReasonIllegal, ReasonOther}

// Edit is an earlier version of a post, kept when it is edited.
type Edit struct {
	ID       string    `json:"id"`
	PostID   string    `json:"post_id"`
	Body     string    `json:"body"`
	EditorID string    `json:"editor_id"`
	At       time.Time `json:"at"`
}

// Flag is a resident's report of a post. One per user per post.
type Flag struct {
	PostID    string     `json:"post_id"`
	UserID    string     `json:"user_id"`
	Reason    ReasonCode `json:"reason"`
	Note      string     `json:"note,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Notification tells a user about a new post in a thread they follow.
type Notification struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	ThreadID  string    `json:"thread_id"`
	PostID    string    `json:"post_id"`
	ActorID   string    `json:"actor_id"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// WordAction is what a watched word does to a post containing it.
type WordAction string

// The watched word actions.
const (
	WordBlock   WordAction = "block"
	WordReview  WordAction = "review"
	WordReplace WordAction = "replace"
)

// WatchedWord is a word (compared folded) that blocks a post, sends it to
// review, or is replaced.
type WatchedWord struct {
	ID          string     `json:"id"`
	Word        string     `json:"word"`
	Action      WordAction `json:"action"`
	Replacement string     `json:"replacement,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// AuditEntry records one moderator or admin action. The log is
// append-only: the store has no way to change or remove an entry.
type AuditEntry struct {
	ID         string    `json:"id"`
	ActorID    string    `json:"actor_id"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Reason     string    `json:"reason,omitempty"`
	Details    string    `json:"details,omitempty"`
	At         time.Time `json:"at"`
}

// ThreadPage selects threads of a category: pinned ones are listed apart;
// the others newest activity first, after the keyset (LastPostAt, ID) of
// the previous page's last thread, or, with Oldest, the oldest ones first.
type ThreadPage struct {
	CategoryID  string
	AfterTime   time.Time
	AfterID     string
	Oldest      bool
	Limit       int
	WithDeleted bool
}

// SearchHit is a search result: a thread (its title matched) or a post.
type SearchHit struct {
	Tier     int    `json:"-"`    // 0: a thread's title matched; 1: a post's body; 2: a Q&A question
	Kind     string `json:"kind"` // "thread", "post" or "question"
	ThreadID string `json:"thread_id,omitempty"`
	PostID   string `json:"post_id,omitempty"`
	// QuestionID is set on a Q&A question's hit (Kind "question").
	QuestionID string `json:"question_id,omitempty"`
	Title      string `json:"title"` // the thread's title
	// Excerpt is the post's Markdown source as stored (the store need not
	// shorten it); the service makes the excerpt shown.
	Excerpt string    `json:"excerpt"`
	At      time.Time `json:"at"` // when the thread or post was created
}

// SearchQuery selects a page of search results: every token must match.
// Thread titles rank before post bodies; within each, newest first.
type SearchQuery struct {
	Tokens []string
	// After is the cursor: the tier (0 titles, 1 posts) and ID of the last
	// hit of the previous page.
	AfterTier int
	AfterID   string
	Limit     int
}

// Errors. Compare with errors.Is.
var (
	ErrCategoryNotFound = apperr.New(apperr.NotFound, "category_not_found")
	ErrThreadNotFound   = apperr.New(apperr.NotFound, "thread_not_found")
	ErrPostNotFound     = apperr.New(apperr.NotFound, "post_not_found")
	ErrSlugTaken        = apperr.New(apperr.Conflict, "category_slug_taken")
	ErrAlreadyFlagged   = apperr.New(apperr.Conflict, "already_flagged")
	ErrStale            = apperr.New(apperr.Conflict, "post_changed")
	ErrLocked           = apperr.New(apperr.Forbidden, "thread_locked")
	ErrForbidden        = apperr.New(apperr.Forbidden, "forbidden")
	ErrUnauthorized     = apperr.New(apperr.Unauthorized, "unauthorized")
	ErrNumberTaken      = apperr.New(apperr.Conflict, "post_number_taken")
	ErrWordNotFound     = apperr.New(apperr.NotFound, "word_not_found")
)

// Store keeps the forum. Implementations are safe for concurrent use and are
// checked by the forumtest conformance suite.
type Store interface {
	CreateCategory(ctx context.Context, c *Category) error // ErrSlugTaken
	Category(ctx context.Context, id string) (*Category, error)
	Categories(ctx context.Context) ([]*Category, error) // by Position, then ID

	// CreateThread inserts t and its first post p (Number 1) together.
	CreateThread(ctx context.Context, t *Thread, p *Post) error
	Thread(ctx context.Context, id string) (*Thread, error)
	// Threads returns a page of a category's unpinned threads (see
	// ThreadPage); PinnedThreads its pinned ones, newest activity first.
	Threads(ctx context.Context, q ThreadPage) ([]*Thread, error)
	PinnedThreads(ctx context.Context, categoryID string) ([]*Thread, error)
	// UpdateThread stores the thread's flags, title and category.
	UpdateThread(ctx context.Context, t *Thread) error

	// AddPost stores p as the next post of its thread: it sets p.Number to
	// one more than the thread's highest, made unique by the store's key
	// on (thread, number) and retried on a collision, and raises the
	// thread's PostCount and LastPostAt.
	AddPost(ctx context.Context, p *Post) error
	Post(ctx context.Context, id string) (*Post, error)
	// Posts returns the posts of a thread numbered from, to (inclusive),
	// for reading: a store may leave their Tokens nil.
	Posts(ctx context.Context, threadID string, from, to int) ([]*Post, error)
	// UpdatePost stores p if its stored revision is still p.Revision (then
	// raises it), else ErrStale. Nil Tokens keep the stored ones. edit, when not nil, is appended to the
	// post's history in the same step.
	UpdatePost(ctx context.Context, p *Post, edit *Edit) error
	Edits(ctx context.Context, postID string) ([]*Edit, error) // oldest first
	// PostsToRender returns up to limit posts rendered by a markup version
	// older than version, to be rendered again.
	PostsToRender(ctx context.Context, version, limit int) ([]*Post, error)
	// ReviewQueue returns posts pending review, oldest first, after ID.
	ReviewQueue(ctx context.Context, after string, limit int) ([]*Post, error)

	// AddFlag stores f, or returns ErrAlreadyFlagged when the user flagged
	// the post before; on success it returns the post's new flag count.
	AddFlag(ctx context.Context, f *Flag) (int, error)
	Flags(ctx context.Context, postID string) ([]*Flag, error)

	Follow(ctx context.Context, userID, threadID string) error
	Unfollow(ctx context.Context, userID, threadID string) error
	Following(ctx context.Context, userID, threadID string) (bool, error)
	Followers(ctx context.Context, threadID string) ([]string, error)
	AddNotifications(ctx context.Context, ns []*Notification) error
	// Notifications returns a user's notifications, newest first, before
	// the ID before ("" for the newest).
	Notifications(ctx context.Context, userID, before string, limit int) ([]*Notification, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	// MarkRead marks the user's notifications up to and including upTo
	// read ("" marks all).
	MarkRead(ctx context.Context, userID, upTo string) error

	PutWord(ctx context.Context, w *WatchedWord) error // replaces the same word
	DeleteWord(ctx context.Context, id string) error   // ErrWordNotFound
	Words(ctx context.Context) ([]*WatchedWord, error)

	// AddAudit appends an entry; there is no way to change one.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit returns entries newest first, before the ID before.
	Audit(ctx context.Context, before string, limit int) ([]*AuditEntry, error)

	// Search returns threads whose title tokens include every query
	// token (tier 0), then posts whose tokens do (tier 1), each newest
	// (greatest ID) first, after the cursor (AfterTier, AfterID). Deleted
	// threads, and posts that are hidden, deleted, pending review or in a
	// deleted thread, are never returned.
	Search(ctx context.Context, q SearchQuery) ([]*SearchHit, error)
}
