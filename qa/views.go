package qa

import (
	"context"
	"errors"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
)

// AgencyRef names an agency in both languages.
type AgencyRef struct {
	ID   string    `json:"id"`
	Name i18n.Text `json:"name"`
}

// Person names a user; for agency staff, their title in that agency too.
type Person struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
}

// Summary is a question in a list.
type Summary struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Excerpt    string     `json:"excerpt"`
	Agency     AgencyRef  `json:"agency"`
	Field      string     `json:"field,omitempty"`
	Status     Status     `json:"status"`
	Private    bool       `json:"private"`
	AssigneeID string     `json:"assignee_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	Overdue    bool       `json:"overdue"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	Upvotes    int        `json:"upvotes"`
	Comments   int        `json:"comment_count"`
}

// View is a question as one reader sees it.
type View struct {
	Summary
	Body         string        `json:"body"`
	BodyHTML     string        `json:"body_html"`
	Asker        Person        `json:"asker"`
	Assignee     *Person       `json:"assignee,omitempty"`
	Contact      *Contact      `json:"contact,omitempty"` // the asker and the agency's staff only
	RejectReason string        `json:"reject_reason,omitempty"`
	AcceptedAt   *time.Time    `json:"accepted_at,omitempty"`
	ClosedAt     *time.Time    `json:"closed_at,omitempty"`
	Answer       *AnswerView   `json:"answer"`
	Comments     []CommentView `json:"comments"`
	History      []ChangeView  `json:"history"`
	Viewer       ViewerRights  `json:"viewer"`
}

// ViewerRights says what the reader may do with the question, for pages.
type ViewerRights struct {
	Upvoted     bool     `json:"upvoted"`
	Following   bool     `json:"following"`
	Staff       bool     `json:"staff"` // of the question's agency
	CanAnswer   bool     `json:"can_answer"`
	CanRevise   bool     `json:"can_revise"`
	CanComment  bool     `json:"can_comment"`
	CanForward  bool     `json:"can_forward"`
	CanUpvote   bool     `json:"can_upvote"`
	Transitions []Status `json:"transitions"`
}

// AnswerView is the official answer as readers see it: the current text
// first, then every revision (and the first text) for the record.
type AnswerView struct {
	ID          string         `json:"id"`
	QuestionID  string         `json:"question_id"`
	Agency      AgencyRef      `json:"agency"`
	Author      Person         `json:"author"`
	Body        string         `json:"body"`      // current text
	BodyHTML    string         `json:"body_html"` // current text, sanitized
	PublishedAt time.Time      `json:"published_at"`
	RevisedAt   *time.Time     `json:"revised_at,omitempty"`
	Original    *RevisionView  `json:"original,omitempty"` // the first text, once revised
	Revisions   []RevisionView `json:"revisions"`
}

// RevisionView is one public revision.
type RevisionView struct {
	Number   int       `json:"number"`
	Author   Person    `json:"author"`
	Body     string    `json:"body"`
	BodyHTML string    `json:"body_html"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// CommentView is a comment as readers see it.
type CommentView struct {
	ID        string     `json:"id"`
	Author    Person     `json:"author"`
	Agency    *AgencyRef `json:"agency,omitempty"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	CreatedAt time.Time  `json:"created_at"`
	Hidden    bool       `json:"hidden"`
}

// ChangeView is one step of the question's record.
type ChangeView struct {
	Change
	Actor      Person     `json:"actor"`
	FromAgency *AgencyRef `json:"from_agency,omitempty"`
	ToAgency   *AgencyRef `json:"to_agency,omitempty"`
	Assignee   *Person    `json:"assignee,omitempty"`
}

// names resolves user and agency names for one response.
type names struct {
	s        *Service
	users    map[string]string
	agencies map[string]i18n.Text
}

func (s *Service) names() *names {
	return &names{s: s, users: map[string]string{}, agencies: map[string]i18n.Text{}}
}

func (n *names) user(ctx context.Context, userID string) (string, error) {
	if name, ok := n.users[userID]; ok {
		return name, nil
	}
	u, err := n.s.dir.User(ctx, userID)
	name := ""
	switch {
	case err == nil:
		name = u.Name
	case !errors.Is(err, accounts.ErrUserNotFound):
		return "", err
	}
	n.users[userID] = name
	return name, nil
}

func (n *names) person(ctx context.Context, userID, title string) (Person, error) {
	name, err := n.user(ctx, userID)
	return Person{ID: userID, Name: name, Title: title}, err
}

func (n *names) agency(ctx context.Context, agencyID string) (AgencyRef, error) {
	if name, ok := n.agencies[agencyID]; ok {
		return AgencyRef{ID: agencyID, Name: name}, nil
	}
	a, err := n.s.dir.Agency(ctx, agencyID)
	var name i18n.Text
	switch {
	case err == nil:
		name = a.Name
	case !errors.Is(err, accounts.ErrAgencyNotFound):
		return AgencyRef{}, err
	}
	n.agencies[agencyID] = name
	return AgencyRef{ID: agencyID, Name: name}, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Service) summary(ctx context.Context, n *names, q *Question) (Summary, error) {
	ag, err := n.agency(ctx, q.AgencyID)
	if err != nil {
		return Summary{}, err
	}
	sm := Summary{
		ID: q.ID, Title: q.Title, Excerpt: markup.Excerpt(q.BodyHTML, 200), Agency: ag, Field: q.Field,
		Status: q.Status, Private: q.Private, AssigneeID: q.AssigneeID, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
		AnsweredAt: timePtr(q.AnsweredAt), Upvotes: q.Upvotes, Comments: q.Comments,
	}
	if q.Status.Open() {
		sm.Deadline = timePtr(q.Deadline)
		sm.Overdue = !q.Deadline.IsZero() && q.Deadline.Before(s.now())
	}
	return sm, nil
}

// Get returns a question as viewer sees it, or ErrQuestionNotFound when
// viewer may not read it.
func (s *Service) Get(ctx context.Context, viewer *accounts.User, questionID string) (*View, error) {
	q, a, err := s.load(ctx, viewer, questionID)
	if err != nil {
		return nil, err
	}
	n := s.names()
	sm, err := s.summary(ctx, n, q)
	if err != nil {
		return nil, err
	}
	v := &View{Summary: sm, Body: q.Body, BodyHTML: q.BodyHTML, RejectReason: q.RejectReason,
		AcceptedAt: timePtr(q.AcceptedAt), ClosedAt: timePtr(q.ClosedAt), Comments: []CommentView{}, History: []ChangeView{}}
	if v.Asker, err = n.person(ctx, q.AskerID, ""); err != nil {
		return nil, err
	}
	if q.AssigneeID != "" {
		p, err := n.person(ctx, q.AssigneeID, "")
		if err != nil {
			return nil, err
		}
		v.Assignee = &p
	}
	if (a.asker || a.staff != nil) && !q.Contact.Empty() {
		c := q.Contact
		v.Contact = &c
	}
	ans, err := s.store.AnswerFor(ctx, q.ID)
	switch {
	case err == nil:
		if v.Answer, err = s.answerViewWith(ctx, n, ans); err != nil {
			return nil, err
		}
	case !errors.Is(err, ErrAnswerNotFound):
		return nil, err
	}
	cs, err := s.store.Comments(ctx, q.ID, "", MaxCommentsShown)
	if err != nil {
		return nil, err
	}
	if v.Comments, err = s.commentViews(ctx, cs, viewer, n); err != nil {
		return nil, err
	}
	for _, ch := range q.History {
		cv := ChangeView{Change: ch}
		if cv.Actor, err = n.person(ctx, ch.ActorID, ""); err != nil {
			return nil, err
		}
		if ch.FromAgency != "" {
			r, err := n.agency(ctx, ch.FromAgency)
			if err != nil {
				return nil, err
			}
			cv.FromAgency = &r
		}
		if ch.ToAgency != "" {
			r, err := n.agency(ctx, ch.ToAgency)
			if err != nil {
				return nil, err
			}
			cv.ToAgency = &r
		}
		if ch.AssigneeID != "" {
			p, err := n.person(ctx, ch.AssigneeID, "")
			if err != nil {
				return nil, err
			}
			cv.Assignee = &p
		}
		v.History = append(v.History, cv)
	}
	if v.Viewer, err = s.rights(ctx, viewer, q, a, v.Answer != nil); err != nil {
		return nil, err
	}
	return v, nil
}

// MaxCommentsShown is how many comments a question's view carries; the
// rest are read page by page.
const MaxCommentsShown = 100

func (s *Service) rights(ctx context.Context, viewer *accounts.User, q *Question, a access, answered bool) (ViewerRights, error) {
	r := ViewerRights{Transitions: []Status{}}
	if viewer == nil || viewer.SuspendedAt(s.now()) {
		return r, nil
	}
	var err error
	if r.Upvoted, err = s.store.Upvoted(ctx, q.ID, viewer.ID); err != nil {
		return r, err
	}
	if r.Following, err = s.store.Following(ctx, q.ID, viewer.ID); err != nil {
		return r, err
	}
	r.Staff = a.staff != nil
	r.CanAnswer = a.staff != nil && answerable(q.Status) == nil && !answered
	r.CanComment = q.Status != Closed && q.Status != Rejected
	r.CanForward = (a.staff != nil || a.moderator) && q.Status.Open()
	r.CanUpvote = !a.asker
	if answered {
		ans, err := s.store.AnswerFor(ctx, q.ID)
		if err != nil {
			return r, err
		}
		m, err := s.staffOf(ctx, viewer, ans.AgencyID)
		if err != nil {
			return r, err
		}
		r.CanRevise = m != nil
	}
	for _, to := range []Status{Accepted, Rejected, Assigned, Closed} {
		if !allowedTransition(q.Status, to) {
			continue
		}
		switch to {
		case Accepted, Rejected:
			if a.staff != nil || a.moderator {
				r.Transitions = append(r.Transitions, to)
			}
		case Assigned:
			if a.staff != nil || viewer.Role == accounts.Admin {
				r.Transitions = append(r.Transitions, to)
			}
		case Closed:
			if a.privileged() {
				r.Transitions = append(r.Transitions, to)
			}
		}
	}
	return r, nil
}

func (s *Service) answerView(ctx context.Context, a *Answer) (*AnswerView, error) {
	return s.answerViewWith(ctx, s.names(), a)
}

func (s *Service) answerViewWith(ctx context.Context, n *names, a *Answer) (*AnswerView, error) {
	ag, err := n.agency(ctx, a.AgencyID)
	if err != nil {
		return nil, err
	}
	cur := a.Current()
	v := &AnswerView{ID: a.ID, QuestionID: a.QuestionID, Agency: ag, Body: cur.Body, BodyHTML: cur.BodyHTML,
		PublishedAt: a.PublishedAt, Revisions: []RevisionView{}}
	if v.Author, err = n.person(ctx, a.AuthorID, a.StaffTitle); err != nil {
		return nil, err
	}
	if len(a.Revisions) > 0 {
		v.RevisedAt = timePtr(cur.At)
		v.Original = &RevisionView{Number: 0, Author: v.Author, Body: a.Body, BodyHTML: a.BodyHTML, At: a.PublishedAt}
	}
	for _, r := range a.Revisions {
		p, err := n.person(ctx, r.AuthorID, r.StaffTitle)
		if err != nil {
			return nil, err
		}
		v.Revisions = append(v.Revisions, RevisionView{Number: r.Number, Author: p, Body: r.Body, BodyHTML: r.BodyHTML, Reason: r.Reason, At: r.At})
	}
	return v, nil
}

// commentViews shows comments to viewer: a hidden comment's text only to
// moderators.
func (s *Service) commentViews(ctx context.Context, cs []*Comment, viewer *accounts.User, ns ...*names) ([]CommentView, error) {
	n := s.names()
	if len(ns) > 0 {
		n = ns[0]
	}
	out := make([]CommentView, 0, len(cs))
	for _, c := range cs {
		p, err := n.person(ctx, c.AuthorID, c.StaffTitle)
		if err != nil {
			return nil, err
		}
		cv := CommentView{ID: c.ID, Author: p, Body: c.Body, BodyHTML: c.BodyHTML, CreatedAt: c.CreatedAt, Hidden: c.Hidden}
		if c.AgencyID != "" {
			r, err := n.agency(ctx, c.AgencyID)
			if err != nil {
				return nil, err
			}
			cv.Agency = &r
		}
		if c.Hidden && !isModerator(viewer) {
			cv.Body, cv.BodyHTML = "", ""
		}
		out = append(out, cv)
	}
	return out, nil
}

// CommentsPage returns a page of a question's comments after the ID after.
func (s *Service) CommentsPage(ctx context.Context, viewer *accounts.User, questionID, after string, limit int) ([]CommentView, error) {
	q, _, err := s.load(ctx, viewer, questionID)
	if err != nil {
		return nil, err
	}
	if after != "" && !id.Valid(after) {
		return nil, apperr.Field("cursor", "invalid_cursor")
	}
	cs, err := s.store.Comments(ctx, q.ID, after, limit)
	if err != nil {
		return nil, err
	}
	return s.commentViews(ctx, cs, viewer)
}

// ListParams selects questions for a list.
type ListParams struct {
	AgencyID string
	Status   Status
	// Mine lists the viewer's own questions.
	Mine bool
	// Assignee lists questions assigned to this staff member ("me" for
	// the viewer).
	Assignee string
	Overdue  bool
	Sort     Sort
	Cursor   *ListCursor
	Limit    int
}

// ListCursor continues a list.
type ListCursor struct {
	Time time.Time `json:"t,omitzero"`
	ID   string    `json:"i"`
}

// List returns a page of questions. Everyone sees listed questions
// (public and accepted); the asker also sees their own (Mine); an agency's
// staff, moderators and admins see every question of an agency (with
// AgencyID) or, moderators and admins, of all agencies.
func (s *Service) List(ctx context.Context, viewer *accounts.User, p ListParams) ([]Summary, *ListCursor, error) {
	q := Query{Sort: p.Sort, Limit: p.Limit, ListedOnly: true}
	if q.Sort == "" {
		q.Sort = Newest
	}
	if q.Sort != Newest && q.Sort != ByDeadline {
		return nil, nil, apperr.Field("sort", "invalid_sort")
	}
	if p.Status != "" {
		if !p.Status.Valid() {
			return nil, nil, apperr.Field("status", "invalid_status")
		}
		q.Statuses = []Status{p.Status}
	}
	if p.AgencyID != "" {
		if _, err := s.agencyOrNotFound(ctx, p.AgencyID); err != nil {
			return nil, nil, apperr.Field("agency", "unknown_agency")
		}
		q.AgencyID = p.AgencyID
		m, err := s.staffOf(ctx, viewer, p.AgencyID)
		if err != nil {
			return nil, nil, err
		}
		if m != nil || isModerator(viewer) {
			q.ListedOnly = false
		}
	} else if isModerator(viewer) {
		q.ListedOnly = false
	}
	if p.Mine || p.Assignee != "" || p.Overdue {
		if viewer == nil {
			return nil, nil, ErrUnauthorized
		}
	}
	if p.Mine {
		q.AskerID, q.ListedOnly = viewer.ID, false
	}
	if p.Assignee != "" {
		if p.Assignee == "me" {
			p.Assignee = viewer.ID
		}
		if !id.Valid(p.Assignee) {
			return nil, nil, apperr.Field("assignee", "invalid_id")
		}
		q.AssigneeID = p.Assignee
	}
	if p.Overdue {
		q.DueBefore = s.now()
		if len(q.Statuses) == 0 {
			q.Statuses = []Status{Accepted, Assigned}
		}
	}
	if p.Cursor != nil {
		if !id.Valid(p.Cursor.ID) {
			return nil, nil, apperr.Field("cursor", "invalid_cursor")
		}
		q.AfterTime, q.AfterID = p.Cursor.Time, p.Cursor.ID
	}
	qs, err := s.store.Questions(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	n := s.names()
	out := make([]Summary, 0, len(qs))
	for _, x := range qs {
		sm, err := s.summary(ctx, n, x)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, sm)
	}
	var next *ListCursor
	if p.Limit > 0 && len(qs) == p.Limit {
		last := qs[len(qs)-1]
		next = &ListCursor{ID: last.ID}
		if q.Sort == ByDeadline {
			next.Time = last.Deadline
		}
	}
	return out, next, nil
}

// statusEvent is the payload of status events: ids and facts only, the
// same for every subscriber.
type StatusEvent struct {
	QuestionID   string     `json:"question_id"`
	AgencyID     string     `json:"agency_id"`
	FromAgencyID string     `json:"from_agency_id,omitempty"`
	Status       Status     `json:"status"`
	AssigneeID   string     `json:"assignee_id,omitempty"`
	Deadline     *time.Time `json:"deadline,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	At           time.Time  `json:"at"`
}

func statusEvent(q *Question) StatusEvent {
	ev := StatusEvent{QuestionID: q.ID, AgencyID: q.AgencyID, Status: q.Status, AssigneeID: q.AssigneeID, At: q.UpdatedAt}
	if q.Status.Open() {
		ev.Deadline = timePtr(q.Deadline)
	}
	if n := len(q.History); n > 0 {
		ev.Reason = q.History[n-1].Reason
		ev.At = q.History[n-1].At
	}
	return ev
}

// agencyEvent tells an agency's staff about a question that reached them.
func agencyEvent(q *Question) map[string]any {
	return map[string]any{"question_id": q.ID, "agency_id": q.AgencyID, "title": q.Title, "status": q.Status,
		"private": q.Private, "deadline": timePtr(q.Deadline), "at": q.UpdatedAt}
}

// FeedItem is a newly answered public question, on feed:answers.
type FeedItem struct {
	QuestionID string    `json:"question_id"`
	Title      string    `json:"title"`
	Agency     AgencyRef `json:"agency"`
	Excerpt    string    `json:"excerpt"`
	AnsweredAt time.Time `json:"answered_at"`
}

func (s *Service) feedItem(ctx context.Context, q *Question, a *Answer) FeedItem {
	ag, _ := s.names().agency(ctx, q.AgencyID)
	return FeedItem{QuestionID: q.ID, Title: q.Title, Agency: ag, Excerpt: markup.Excerpt(a.Current().BodyHTML, 200), AnsweredAt: q.AnsweredAt}
}

// RecentAnswers returns the latest answered public questions, newest
// answer first, for the home page and the feed widget.
func (s *Service) RecentAnswers(ctx context.Context, limit int) ([]FeedItem, error) {
	qs, err := s.store.Questions(ctx, Query{ListedOnly: true, Statuses: []Status{Answered, Closed}, Sort: RecentlyAnswered, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]FeedItem, 0, len(qs))
	for _, q := range qs {
		a, err := s.store.AnswerFor(ctx, q.ID)
		if err != nil {
			if errors.Is(err, ErrAnswerNotFound) {
				continue
			}
			return nil, err
		}
		out = append(out, s.feedItem(ctx, q, a))
	}
	return out, nil
}

// AuthorizeTopic decides whether a socket may read question:{id} (whoever
// may read the question) or agency:{id} (that agency's staff).
func (s *Service) AuthorizeTopic(ctx context.Context, userID string, role accounts.Role, topic string) error {
	var viewer *accounts.User
	if userID != "" {
		viewer = &accounts.User{ID: userID, Role: role}
	}
	switch {
	case len(topic) > len(QuestionTopicPrefix) && topic[:len(QuestionTopicPrefix)] == QuestionTopicPrefix:
		// The question without its history and legs: a thousand readers
		// opening one question subscribe at once.
		questionID := topic[len(QuestionTopicPrefix):]
		if !id.Valid(questionID) {
			return ErrQuestionNotFound
		}
		qs, err := s.store.QuestionsByID(ctx, []string{questionID})
		if err != nil {
			return err
		}
		if len(qs) == 0 {
			return ErrQuestionNotFound
		}
		a, err := s.accessTo(ctx, viewer, qs[0])
		if err != nil {
			return err
		}
		if !qs[0].Listed && !a.privileged() {
			return ErrQuestionNotFound
		}
		return nil
	case len(topic) > len(AgencyTopicPrefix) && topic[:len(AgencyTopicPrefix)] == AgencyTopicPrefix:
		if viewer == nil {
			return ErrUnauthorized
		}
		agencyID := topic[len(AgencyTopicPrefix):]
		if !id.Valid(agencyID) {
			return ErrForbidden
		}
		m, err := s.staffOf(ctx, viewer, agencyID)
		if err != nil {
			return err
		}
		if m == nil {
			return ErrForbidden
		}
		return nil
	}
	return ErrQuestionNotFound
}

// SearchHit is a listed question found by search.
type SearchHit struct {
	QuestionID string    `json:"question_id"`
	Title      string    `json:"title"`
	Excerpt    string    `json:"excerpt"`
	Status     Status    `json:"status"`
	At         time.Time `json:"at"`
}

// Search returns listed questions (title, text and answer) containing
// every token, newest first, after the question ID after.
func (s *Service) Search(ctx context.Context, tokens []string, after string, limit int) ([]SearchHit, error) {
	if after != "" && !id.Valid(after) {
		return nil, apperr.Field("cursor", "invalid_cursor")
	}
	qs, err := s.store.Search(ctx, SearchQuery{Tokens: tokens, AfterID: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]SearchHit, 0, len(qs))
	for _, q := range qs {
		if !q.Listed {
			continue
		}
		out = append(out, SearchHit{QuestionID: q.ID, Title: q.Title, Excerpt: markup.Excerpt(q.BodyHTML, 240), Status: q.Status, At: q.CreatedAt})
	}
	return out, nil
}

// SearchText is Search for a query as typed.
func (s *Service) SearchText(ctx context.Context, text, after string, limit int) ([]SearchHit, error) {
	tokens, err := fold.QueryTokens(text)
	if err != nil {
		return nil, apperr.Field("q", "query_empty")
	}
	return s.Search(ctx, tokens, after, limit)
}

// QueueCounts counts an agency's questions per tab of its staff's queue:
// each open status, answered, and overdue (accepted or assigned past their
// deadline). The agency's staff, moderators and admins only.
func (s *Service) QueueCounts(ctx context.Context, viewer *accounts.User, agencyID string) (map[string]int, error) {
	if viewer == nil {
		return nil, ErrUnauthorized
	}
	ag, err := s.agencyOrNotFound(ctx, agencyID)
	if err != nil {
		return nil, err
	}
	if m, err := s.staffOf(ctx, viewer, ag.ID); err != nil {
		return nil, err
	} else if m == nil && !isModerator(viewer) {
		return nil, ErrForbidden
	}
	counts := map[string]int{}
	for _, st := range []Status{Submitted, Accepted, Assigned, Answered} {
		if counts[string(st)], err = s.store.CountQuestions(ctx, Query{AgencyID: ag.ID, Statuses: []Status{st}}, maxCounted); err != nil {
			return nil, err
		}
	}
	counts["overdue"], err = s.store.CountQuestions(ctx, Query{AgencyID: ag.ID, Statuses: []Status{Accepted, Assigned}, DueBefore: s.now()}, maxCounted)
	return counts, err
}

// maxCounted bounds the count of a queue tab.
const maxCounted = 10_000
