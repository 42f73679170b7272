// Package qa owns the online Q&A section ("chuyên mục hỏi đáp trực tuyến"):
// residents ask one agency a question, the agency's staff publish one
// official answer, every step is recorded on the question, deadlines are
// counted in working days (package workdays), and each agency gets a
// public scorecard of how fast it answers.
//
// A question passes through the statuses
//
//	submitted ─▶ accepted ─▶ assigned ─▶ answered ─▶ closed
//	    │            └──────────────────────▲
//	    └▶ rejected
//
// and may be forwarded to another agency while it is not yet answered; the
// new agency's clock starts at the forward. Each stretch a question spends
// with one agency is a Leg; scorecards are computed from legs.
//
// Storage is behind the Store interface (sqlitestore, mongostore), checked
// by the qatest conformance suite. The package publishes through the
// Publisher interface it declares; main passes the hub. Event topics:
// question:{id} (answer published or revised, status changes, forwards,
// comments), agency:{id} (that agency's staff: new, forwarded-in and
// overdue questions) and feed:answers (newly answered public questions).
package qa

import (
	"context"
	"time"

	"github.com/civichub/civichub/apperr"
)

// Status is where a question is in its flow.
type Status string

// The statuses. Clients depend on these strings.
const (
	Submitted Status = "submitted"
	Accepted  Status = "accepted"
	Rejected  Status = "rejected"
	Assigned  Status = "assigned"
	Answered  Status = "answered"
	Closed    Status = "closed"
)

// Statuses lists every status in flow order.
var Statuses = []Status{Submitted, Accepted, Assigned, Answered, Closed, Rejected}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Submitted, Accepted, Rejected, Assigned, Answered, Closed:
		return true
	}
	return false
}

// Open reports whether a question in status s still waits for its answer
// (its deadline runs).
func (s Status) Open() bool { return s == Submitted || s == Accepted || s == Assigned }

// Contact is how the asker can be reached; only the asker and the
// addressed agency's staff ever see it.
type Contact struct {
	Name    string `json:"name,omitempty" bson:"name,omitempty"`
	Phone   string `json:"phone,omitempty" bson:"phone,omitempty"`
	Email   string `json:"email,omitempty" bson:"email,omitempty"`
	Address string `json:"address,omitempty" bson:"address,omitempty"`
}

// Empty reports whether no contact detail is given.
func (c Contact) Empty() bool { return c == Contact{} }

// Question is a resident's question to one agency. Body is the asker's
// Markdown source, BodyHTML its sanitized rendering (the only form put into
// a page as HTML).
type Question struct {
	ID       string `json:"id"`
	AgencyID string `json:"agency_id"` // the agency it is addressed to now
	AskerID  string `json:"asker_id"`
	// Field is the optional subject area ("lĩnh vực") the asker chose.
	Field     string  `json:"field,omitempty"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	BodyHTML  string  `json:"body_html"`
	Sanitizer int     `json:"-"`
	Private   bool    `json:"private"`
	Contact   Contact `json:"-"`
	Status    Status  `json:"status"`
	// AssigneeID is the staff member assigned, while Assigned.
	AssigneeID string `json:"assignee_id,omitempty"`
	// RejectReason is the public reason of a rejection.
	RejectReason string    `json:"reject_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// AcceptedAt is when the current agency's clock started: the
	// acceptance, or the forward that brought the question to it.
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	// Deadline is the end of the last working day for the answer, set
	// while the clock runs.
	Deadline   time.Time `json:"deadline,omitzero"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	// OverdueNotified is set once the agency was told the deadline passed.
	OverdueNotified bool `json:"-"`
	// Listed is true while everyone may read the question: public and
	// accepted (or further along, not rejected). Lists and search for the
	// public show listed questions only.
	Listed bool `json:"-"`
	// Upvotes counts users who have this question too; Comments the
	// follow-up comments. Both are kept by the store.
	Upvotes  int `json:"upvotes"`
	Comments int `json:"comments"`
	// History records every change, oldest first.
	History []Change `json:"history"`
	// Legs records the agencies the question was with, oldest first; the
	// last one is the current agency's.
	Legs []Leg `json:"-"`
	// Tokens are the folded words of title, body and the answer, for
	// search; a store keeps them only while the question is Listed.
	Tokens []string `json:"-"`
	// Revision rises with every UpdateQuestion, for compare-and-set.
	Revision int64 `json:"-"`
}

// Change is one recorded step of a question: its creation, a status change,
// a forward, an answer or a revision.
type Change struct {
	At      time.Time `json:"at" bson:"at"`
	ActorID string    `json:"actor_id" bson:"actor_id"`
	// Action is "submitted", a status name, "forwarded" or "revised".
	Action     string `json:"action" bson:"action"`
	FromStatus Status `json:"from_status,omitempty" bson:"from_status,omitempty"`
	ToStatus   Status `json:"to_status,omitempty" bson:"to_status,omitempty"`
	// FromAgency and ToAgency are set on a forward.
	FromAgency string `json:"from_agency_id,omitempty" bson:"from_agency,omitempty"`
	ToAgency   string `json:"to_agency_id,omitempty" bson:"to_agency,omitempty"`
	AssigneeID string `json:"assignee_id,omitempty" bson:"assignee_id,omitempty"`
	Reason     string `json:"reason,omitempty" bson:"reason,omitempty"`
}

// Outcome is how a leg ended.
type Outcome string

// The outcomes.
const (
	LegOpen      Outcome = ""          // still with the agency
	LegAnswered  Outcome = "answered"  // the agency answered
	LegForwarded Outcome = "forwarded" // the agency passed it on
	LegRejected  Outcome = "rejected"  // rejected while with the agency
)

// Leg is the stretch a question spent with one agency: from its arrival
// (submission or forward) to its answer, forward or rejection. Scorecards
// count legs: a question counts for the agency that answered it, and as
// forwarded for the one that passed it on.
type Leg struct {
	QuestionID string    `json:"question_id" bson:"-"`
	AgencyID   string    `json:"agency_id" bson:"agency_id"`
	StartedAt  time.Time `json:"started_at" bson:"started_at"`
	// ClockAt is when the agency's clock started (acceptance or forward),
	// Deadline when it runs out; both zero until accepted.
	ClockAt  time.Time `json:"clock_at,omitzero" bson:"clock_at,omitempty"`
	Deadline time.Time `json:"deadline,omitzero" bson:"deadline,omitempty"`
	Outcome  Outcome   `json:"outcome,omitempty" bson:"outcome,omitempty"`
	EndedAt  time.Time `json:"ended_at,omitzero" bson:"ended_at,omitempty"`
}

// Answer is a question's one official answer, by staff of the agency it was
// addressed to. Its text never changes in place: Body and BodyHTML stay the
// text as first published, and each Revision supersedes the text before it
// (the current text is the last revision's, if any), so every earlier text
// stays visible.
type Answer struct {
	ID         string `json:"id"`
	QuestionID string `json:"question_id"`
	AgencyID   string `json:"agency_id"`
	AuthorID   string `json:"author_id"`
	// StaffTitle is the author's title in their staff membership when the
	// answer was published.
	StaffTitle  string     `json:"staff_title,omitempty"`
	Body        string     `json:"body"`
	BodyHTML    string     `json:"body_html"`
	Sanitizer   int        `json:"-"`
	PublishedAt time.Time  `json:"published_at"`
	Revisions   []Revision `json:"revisions"` // oldest first
}

// Revision is a public correction of a published answer: the text that
// replaced the one before, why, by whom and when. The answer's first text
// is revision 0 and is not in Revisions.
type Revision struct {
	Number     int       `json:"number" bson:"number"` // 1, 2, ...
	AuthorID   string    `json:"author_id" bson:"author_id"`
	StaffTitle string    `json:"staff_title,omitempty" bson:"staff_title,omitempty"`
	Body       string    `json:"body" bson:"body"`
	BodyHTML   string    `json:"body_html" bson:"body_html"`
	Sanitizer  int       `json:"-" bson:"sanitizer"`
	Reason     string    `json:"reason" bson:"reason"`
	At         time.Time `json:"at" bson:"at"`
}

// Comment is a follow-up comment on a question.
type Comment struct {
	ID         string    `json:"id"`
	QuestionID string    `json:"question_id"`
	AuthorID   string    `json:"author_id"`
	Body       string    `json:"body"`
	BodyHTML   string    `json:"body_html"`
	Sanitizer  int       `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	// AgencyID and StaffTitle are set for a comment by the addressed
	// agency's staff.
	AgencyID   string `json:"agency_id,omitempty"`
	StaffTitle string `json:"staff_title,omitempty"`
	Hidden     bool   `json:"hidden"`
}

// Sort orders a question list.
type Sort string

// The sorts.
const (
	// Newest: greatest ID first, after AfterID.
	Newest Sort = "newest"
	// ByDeadline: earliest deadline first, then by ID, after (AfterTime,
	// AfterID). Questions without a deadline (submitted: they wait for
	// triage) have the zero time and come first.
	ByDeadline Sort = "deadline"
	// RecentlyAnswered: questions with an AnsweredAt only, latest answer
	// first, then greatest ID, after (AfterTime, AfterID): the answers
	// feed.
	RecentlyAnswered Sort = "answered"
)

// Query selects a page of questions. Empty fields do not filter.
type Query struct {
	AgencyID   string
	Statuses   []Status
	AskerID    string
	AssigneeID string
	// ListedOnly keeps listed questions only (the public's lists).
	ListedOnly bool
	// DueBefore keeps questions whose deadline is before it (overdue
	// ones, with now).
	DueBefore time.Time
	Sort      Sort
	// AfterTime is the ByDeadline cursor's deadline, or the
	// RecentlyAnswered cursor's AnsweredAt, of the previous page's last
	// question.
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// SearchQuery selects a page of listed questions whose tokens include every
// one of Tokens, newest first, after AfterID.
type SearchQuery struct {
	Tokens  []string
	AfterID string
	Limit   int
}

// Errors. Compare with errors.Is.
var (
	ErrQuestionNotFound = apperr.New(apperr.NotFound, "question_not_found")
	ErrAnswerNotFound   = apperr.New(apperr.NotFound, "answer_not_found")
	ErrCommentNotFound  = apperr.New(apperr.NotFound, "comment_not_found")
	ErrAgencyNotFound   = apperr.New(apperr.NotFound, "agency_not_found")
	ErrAlreadyAnswered  = apperr.New(apperr.Conflict, "already_answered")
	ErrStale            = apperr.New(apperr.Conflict, "question_changed")
	ErrBadTransition    = apperr.New(apperr.Conflict, "invalid_transition")
	ErrClosed           = apperr.New(apperr.Conflict, "question_closed")
	ErrSameAgency       = apperr.New(apperr.Invalid, "same_agency")
	ErrNotStaff         = apperr.New(apperr.Forbidden, "not_agency_staff")
	ErrForbidden        = apperr.New(apperr.Forbidden, "forbidden")
	ErrUnauthorized     = apperr.New(apperr.Unauthorized, "unauthorized")
)

// Store keeps the Q&A section. Implementations are safe for concurrent use
// and are checked by the qatest conformance suite.
type Store interface {
	// CreateQuestion inserts q (Revision 0; History and Legs as given).
	CreateQuestion(ctx context.Context, q *Question) error
	// Question returns the question with its History and Legs, or
	// ErrQuestionNotFound.
	Question(ctx context.Context, id string) (*Question, error)
	// QuestionsByID returns the questions with the given IDs that exist,
	// in no particular order, without History, Legs and Tokens.
	QuestionsByID(ctx context.Context, ids []string) ([]*Question, error)
	// UpdateQuestion stores q (every field but ID, AskerID, CreatedAt,
	// Upvotes and Comments) if its stored Revision is still q.Revision,
	// then raises q.Revision; else ErrStale.
	UpdateQuestion(ctx context.Context, q *Question) error
	// Questions returns a page of questions (see Query), without History,
	// Legs and Tokens.
	Questions(ctx context.Context, q Query) ([]*Question, error)
	// CountQuestions counts what Questions would return without a limit or
	// cursor (for the dashboard's tabs), up to max.
	CountQuestions(ctx context.Context, q Query, max int) (int, error)
	// OverdueUnnotified returns up to limit open questions whose deadline
	// is before now and whose OverdueNotified is false, earliest first.
	OverdueUnnotified(ctx context.Context, now time.Time, limit int) ([]*Question, error)

	// AddAnswer stores a, the question's one answer: a second answer for
	// the same question gets ErrAlreadyAnswered (the store's unique key on
	// the question decides, never a check before).
	AddAnswer(ctx context.Context, a *Answer) error
	// AnswerFor returns the question's answer, or ErrAnswerNotFound.
	AnswerFor(ctx context.Context, questionID string) (*Answer, error)
	Answer(ctx context.Context, id string) (*Answer, error)
	// AddRevision appends r to the answer if it has exactly r.Number-1
	// revisions, else ErrStale. The answer's Body and BodyHTML (the text
	// as first published) never change.
	AddRevision(ctx context.Context, answerID string, r *Revision) error

	// AddComment stores c and raises its question's Comments.
	AddComment(ctx context.Context, c *Comment) error
	// Comments returns a question's comments, oldest first, after the ID
	// after, up to limit.
	Comments(ctx context.Context, questionID, after string, limit int) ([]*Comment, error)
	Comment(ctx context.Context, id string) (*Comment, error)
	SetCommentHidden(ctx context.Context, id string, hidden bool) error

	// Upvote records that user has the question too and returns the new
	// count; a repeated upvote changes nothing (no error). Unvote undoes
	// it.
	Upvote(ctx context.Context, questionID, userID string) (int, error)
	Unvote(ctx context.Context, questionID, userID string) (int, error)
	Upvoted(ctx context.Context, questionID, userID string) (bool, error)

	Follow(ctx context.Context, questionID, userID string) error
	Unfollow(ctx context.Context, questionID, userID string) error
	Following(ctx context.Context, questionID, userID string) (bool, error)
	Followers(ctx context.Context, questionID string) ([]string, error)

	// AnswerDays returns the agency's working days to answer, 0 when not
	// set; SetAnswerDays sets it.
	AnswerDays(ctx context.Context, agencyID string) (int, error)
	SetAnswerDays(ctx context.Context, agencyID string, days int) error

	// Legs returns the legs of agencyID that started, or ended, at or
	// after since, each with its QuestionID.
	Legs(ctx context.Context, agencyID string, since time.Time) ([]Leg, error)

	// Search returns listed questions whose Tokens include every token,
	// newest (greatest ID) first, after q.AfterID.
	Search(ctx context.Context, q SearchQuery) ([]*Question, error)
}

// Current is the answer's text as it reads now: the last revision's, or the
// first published text.
func (a *Answer) Current() Revision {
	if n := len(a.Revisions); n > 0 {
		return a.Revisions[n-1]
	}
	return Revision{AuthorID: a.AuthorID, StaffTitle: a.StaffTitle, Body: a.Body, BodyHTML: a.BodyHTML, Sanitizer: a.Sanitizer, At: a.PublishedAt}
}
