package qa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/workdays"
)

// Publisher is what the Q&A section needs of the real-time hub.
type Publisher interface {
	// Publish sends an event to every subscriber of an event topic, on
	// every node, after the store has the change.
	Publish(ctx context.Context, topic, eventType string, data any) error
	// Revalidate re-checks every subscription of topics after the rules
	// for reading them changed (a question forwarded or rejected).
	Revalidate(ctx context.Context, topics ...string) error
}

// Directory is what the Q&A section needs of accounts. accounts.Store
// satisfies it.
type Directory interface {
	User(ctx context.Context, id string) (*accounts.User, error)
	UserMemberships(ctx context.Context, userID string) ([]*accounts.Membership, error)
	AgencyMemberships(ctx context.Context, agencyID string) ([]*accounts.Membership, error)
	Agency(ctx context.Context, id string) (*accounts.Agency, error)
}

// Checker is what the Q&A needs of the forum's moderation; *forum.Service
// satisfies it. CheckText checks and renders a text as the forum does:
// watched words (blocked, sent to review or replaced), then Markdown
// sanitized to HTML; review reports a watched word that wants a
// moderator's look. RecordAudit appends to the moderators' audit log.
type Checker interface {
	CheckText(ctx context.Context, field, body string) (src, html string, review bool, err error)
	RecordAudit(ctx context.Context, actor *accounts.User, action, targetType, targetID, reason, details string)
}

// Options tune the service.
type Options struct {
	// Calendar counts working days for deadlines (required).
	Calendar *workdays.Calendar
	// AnswerDays is the default number of working days an agency has to
	// answer (default 5); an agency's own setting overrides it.
	AnswerDays int
	// QuestionRate limits questions per user; CommentRate comments.
	QuestionRate ratelimit.Rate
	CommentRate  ratelimit.Rate
	Now          func() time.Time
}

// Service enforces the Q&A section's rules.
type Service struct {
	store   Store
	dir     Directory
	check   Checker
	pub     Publisher
	limiter ratelimit.Limiter
	opts    Options
	logger  *slog.Logger
	cards   scorecards
}

// NewService returns the Q&A service.
func NewService(store Store, dir Directory, check Checker, pub Publisher, limiter ratelimit.Limiter, opts Options, logger *slog.Logger) *Service {
	if opts.AnswerDays <= 0 {
		opts.AnswerDays = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Calendar == nil {
		opts.Calendar, _ = workdays.New(time.UTC, nil, nil) // no lists: cannot fail
	}
	return &Service{store: store, dir: dir, check: check, pub: pub, limiter: limiter, opts: opts, logger: logger}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// Topics.
const (
	QuestionTopicPrefix = "question:"
	AgencyTopicPrefix   = "agency:"
	FeedTopic           = "feed:answers"
)

// QuestionTopic is the event topic of a question.
func QuestionTopic(id string) string { return QuestionTopicPrefix + id }

// AgencyTopic is the event topic of an agency's staff.
func AgencyTopic(id string) string { return AgencyTopicPrefix + id }

// Limits.
const (
	MinTitle     = 10
	MaxTitle     = 200
	MaxField     = 80
	MaxReason    = 500
	MinReason    = 5
	MaxContact   = 200
	MaxAnswerDay = 60
)

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

// staffOf returns actor's membership of agencyID, or nil.
func (s *Service) staffOf(ctx context.Context, actor *accounts.User, agencyID string) (*accounts.Membership, error) {
	if actor == nil || agencyID == "" {
		return nil, nil
	}
	ms, err := s.dir.UserMemberships(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.AgencyID == agencyID {
			return m, nil
		}
	}
	return nil, nil
}

// access is what one viewer may do with one question.
type access struct {
	asker     bool
	staff     *accounts.Membership // of the question's current agency
	moderator bool
}

// privileged: the asker, the current agency's staff, moderators and admins
// see the question whatever its status or privacy.
func (a access) privileged() bool { return a.asker || a.staff != nil || a.moderator }

func (s *Service) accessTo(ctx context.Context, viewer *accounts.User, q *Question) (access, error) {
	if viewer == nil {
		return access{}, nil
	}
	m, err := s.staffOf(ctx, viewer, q.AgencyID)
	if err != nil {
		return access{}, err
	}
	return access{asker: viewer.ID == q.AskerID, staff: m, moderator: isModerator(viewer)}, nil
}

// load returns the question and the viewer's access, or
// ErrQuestionNotFound when the viewer may not read it: a private or not
// yet accepted question does not exist for everyone else.
func (s *Service) load(ctx context.Context, viewer *accounts.User, questionID string) (*Question, access, error) {
	if !id.Valid(questionID) {
		return nil, access{}, ErrQuestionNotFound
	}
	q, err := s.store.Question(ctx, questionID)
	if err != nil {
		return nil, access{}, err
	}
	a, err := s.accessTo(ctx, viewer, q)
	if err != nil {
		return nil, access{}, err
	}
	if !q.Listed && !a.privileged() {
		return nil, access{}, ErrQuestionNotFound
	}
	return q, a, nil
}

// listed is whether everyone may read a question in this state.
func listed(q *Question) bool {
	return !q.Private && q.Status != Submitted && q.Status != Rejected
}

func (s *Service) allow(ctx context.Context, key string, rate ratelimit.Rate) error {
	if rate.N == 0 || s.limiter == nil {
		return nil
	}
	ok, retry, err := s.limiter.Allow(ctx, key, rate)
	if err != nil {
		s.logger.Warn("qa: rate limiter failed", "err", err)
		return nil
	}
	if !ok {
		return &apperr.Error{Code: apperr.RateLimited, Key: "rate_limited", RetryAfter: retry, Err: fmt.Errorf("qa limit %s", rate)}
	}
	return nil
}

// cleanLine collapses white space and checks a one-line text's length.
func cleanLine(field, s string, minRunes, maxRunes int, required bool) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", apperr.Field(field, "invalid_text")
	case n == 0 && required:
		return "", apperr.Field(field, "required")
	case n == 0:
		return "", nil
	case n < minRunes:
		switch field {
		case "title":
			return "", apperr.Field(field, "question_title_too_short")
		case "reason":
			return "", apperr.Field(field, "reason_too_short")
		}
		return "", apperr.Field(field, "too_short")
	case n > maxRunes:
		return "", apperr.Field(field, "too_long")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", apperr.Field(field, "invalid_text")
		}
	}
	return s, nil
}

func cleanContact(c Contact) (Contact, error) {
	var err error
	if c.Name, err = cleanLine("contact.name", c.Name, 1, MaxContact, false); err != nil {
		return c, err
	}
	if c.Address, err = cleanLine("contact.address", c.Address, 1, MaxContact, false); err != nil {
		return c, err
	}
	if c.Email, err = cleanLine("contact.email", c.Email, 3, MaxContact, false); err != nil {
		return c, err
	}
	if c.Email != "" {
		if a, perr := mail.ParseAddress(c.Email); perr != nil || a.Address != c.Email || a.Name != "" {
			return c, apperr.Field("contact.email", "invalid_email")
		}
	}
	if c.Phone, err = cleanLine("contact.phone", c.Phone, 1, 32, false); err != nil {
		return c, err
	}
	if c.Phone != "" {
		digits := 0
		for _, r := range c.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune("+ .-()", r):
			default:
				return c, apperr.Field("contact.phone", "invalid_phone")
			}
		}
		if digits < 6 || digits > 15 {
			return c, apperr.Field("contact.phone", "invalid_phone")
		}
	}
	return c, nil
}

// questionTokens folds what search finds a question by: its title, its
// text and its answer's current text.
func questionTokens(q *Question, answer string) []string {
	ts := fold.Tokens(q.Title + "\n" + q.Body + "\n" + answer)
	slices.Sort(ts)
	return slices.Compact(ts)
}

// tokens folds a listed question's words, its answer's included.
func (s *Service) tokens(ctx context.Context, q *Question) ([]string, error) {
	answer := ""
	if q.Status == Answered || q.Status == Closed {
		a, err := s.store.AnswerFor(ctx, q.ID)
		switch {
		case err == nil:
			answer = a.Current().Body
		case !errors.Is(err, ErrAnswerNotFound):
			return nil, err
		}
	}
	return questionTokens(q, answer), nil
}

// agencyDays is the agency's answer time in working days.
func (s *Service) agencyDays(ctx context.Context, agencyID string) (int, error) {
	n, err := s.store.AnswerDays(ctx, agencyID)
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		n = s.opts.AnswerDays
	}
	return n, nil
}

// startClock starts the current agency's clock at now.
func (s *Service) startClock(ctx context.Context, q *Question, now time.Time) error {
	days, err := s.agencyDays(ctx, q.AgencyID)
	if err != nil {
		return err
	}
	q.AcceptedAt = now
	q.Deadline = s.opts.Calendar.Deadline(now, days).UTC()
	q.OverdueNotified = false
	leg := &q.Legs[len(q.Legs)-1]
	leg.ClockAt, leg.Deadline = q.AcceptedAt, q.Deadline
	return nil
}

// endLeg ends the current agency's leg.
func endLeg(q *Question, o Outcome, now time.Time) {
	if len(q.Legs) == 0 {
		return
	}
	leg := &q.Legs[len(q.Legs)-1]
	if leg.Outcome == LegOpen {
		leg.Outcome, leg.EndedAt = o, now
	}
}

// update applies change to the stored question, reloading and applying it
// again when another change came first. change may refuse (its error is
// returned). After success, q is the stored question.
func (s *Service) update(ctx context.Context, questionID string, change func(q *Question) error) (*Question, error) {
	for range 8 {
		q, err := s.store.Question(ctx, questionID)
		if err != nil {
			return nil, err
		}
		if err := change(q); err != nil {
			return nil, err
		}
		q.Listed = listed(q)
		q.Tokens = nil
		if q.Listed {
			if q.Tokens, err = s.tokens(ctx, q); err != nil {
				return nil, err
			}
		}
		q.UpdatedAt = s.now()
		err = s.store.UpdateQuestion(ctx, q)
		if errors.Is(err, ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.cards.forget(q)
		return q, nil
	}
	return nil, ErrStale
}

func (s *Service) publish(ctx context.Context, topic, typ string, data any) {
	if s.pub == nil {
		return
	}
	if err := s.pub.Publish(ctx, topic, typ, data); err != nil {
		s.logger.Warn("qa: publish failed", "topic", topic, "type", typ, "err", err)
	}
}

func (s *Service) revalidate(ctx context.Context, topics ...string) {
	if s.pub == nil {
		return
	}
	if err := s.pub.Revalidate(ctx, topics...); err != nil {
		s.logger.Warn("qa: revalidate failed", "topics", topics, "err", err)
	}
}

// NewQuestion is a resident's question as submitted.
type NewQuestion struct {
	AgencyID string   `json:"agency_id"`
	Field    string   `json:"field"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Private  bool     `json:"private"`
	Contact  *Contact `json:"contact"`
}

// Ask submits a question to an agency.
func (s *Service) Ask(ctx context.Context, actor *accounts.User, in NewQuestion) (*Question, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	if in.AgencyID == "" {
		return nil, apperr.Field("agency_id", "required")
	}
	ag, err := s.agency(ctx, in.AgencyID)
	if err != nil {
		return nil, err
	}
	title, err := cleanLine("title", in.Title, MinTitle, MaxTitle, true)
	if err != nil {
		return nil, err
	}
	field, err := cleanLine("field", in.Field, 1, MaxField, false)
	if err != nil {
		return nil, err
	}
	var contact Contact
	if in.Contact != nil {
		if contact, err = cleanContact(*in.Contact); err != nil {
			return nil, err
		}
	}
	// The title passes the watched words too (blocked, replaced); it
	// stays plain text.
	if title, _, _, err = s.check.CheckText(ctx, "title", title); err != nil {
		return nil, err
	}
	src, html, _, err := s.check.CheckText(ctx, "body", in.Body)
	if err != nil {
		return nil, err
	}
	// A question needs an agency's acceptance before anyone else reads
	// it, so a watched word that asks for review changes nothing here.
	if err := s.allow(ctx, "qa:question:"+actor.ID, s.opts.QuestionRate); err != nil {
		return nil, err
	}
	now := s.now()
	q := &Question{
		ID: id.New(), AgencyID: ag.ID, AskerID: actor.ID, Field: field,
		Title: title, Body: src, BodyHTML: html, Sanitizer: markup.Version,
		Private: in.Private, Contact: contact, Status: Submitted,
		CreatedAt: now, UpdatedAt: now,
		History: []Change{{At: now, ActorID: actor.ID, Action: "submitted", ToStatus: Submitted, ToAgency: ag.ID}},
		Legs:    []Leg{{AgencyID: ag.ID, StartedAt: now}},
	}
	q.Tokens = questionTokens(q, "")
	if err := s.store.CreateQuestion(ctx, q); err != nil {
		return nil, err
	}
	s.cards.forget(q)
	_ = s.store.Follow(ctx, q.ID, actor.ID)
	s.publish(ctx, AgencyTopic(ag.ID), "question.created", agencyEvent(q))
	return q, nil
}

func (s *Service) agency(ctx context.Context, agencyID string) (*accounts.Agency, error) {
	if !id.Valid(agencyID) {
		return nil, apperr.Field("agency_id", "unknown_agency")
	}
	ag, err := s.dir.Agency(ctx, agencyID)
	if errors.Is(err, accounts.ErrAgencyNotFound) {
		return nil, apperr.Field("agency_id", "unknown_agency")
	}
	return ag, err
}

// StatusChange is a request to move a question along its flow.
type StatusChange struct {
	Status     Status `json:"status"`
	Reason     string `json:"reason"`
	AssigneeID string `json:"assignee_id"`
}

// ChangeStatus moves a question along its flow:
//   - accepted, from submitted (the agency's staff or a moderator): the
//     agency's clock starts;
//   - rejected, from submitted, with a reason (the same people);
//   - assigned, from accepted or assigned, to a staff member of the agency
//     (the agency's staff, or an admin; default: the actor);
//   - closed, from answered (the asker, the agency's staff or a
//     moderator).
//
// Answered is reached by publishing the answer; anything else skips the
// flow and is refused with ErrBadTransition.
func (s *Service) ChangeStatus(ctx context.Context, actor *accounts.User, questionID string, in StatusChange) (*Question, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	if !in.Status.Valid() {
		return nil, apperr.Field("status", "invalid_status")
	}
	q, a, err := s.load(ctx, actor, questionID)
	if err != nil {
		return nil, err
	}
	// A reason is required to reject, and kept in the record for any
	// change.
	reason, err := cleanLine("reason", in.Reason, MinReason, MaxReason, in.Status == Rejected)
	if err != nil {
		return nil, err
	}
	var assignee string
	switch in.Status {
	case Accepted, Rejected:
		if a.staff == nil && !a.moderator {
			return nil, ErrForbidden
		}
	case Assigned:
		if a.staff == nil && actor.Role != accounts.Admin {
			return nil, ErrNotStaff
		}
		assignee = in.AssigneeID
		if assignee == "" {
			if a.staff == nil {
				return nil, apperr.Field("assignee_id", "required")
			}
			assignee = actor.ID
		}
		if !id.Valid(assignee) {
			return nil, apperr.Field("assignee_id", "not_agency_staff")
		}
		u, err := s.dir.User(ctx, assignee)
		if errors.Is(err, accounts.ErrUserNotFound) {
			return nil, apperr.Field("assignee_id", "not_agency_staff")
		} else if err != nil {
			return nil, err
		}
		if m, err := s.staffOf(ctx, u, q.AgencyID); err != nil {
			return nil, err
		} else if m == nil {
			return nil, apperr.Field("assignee_id", "not_agency_staff")
		}
	case Closed:
		if !a.privileged() {
			return nil, ErrForbidden
		}
	default:
		return nil, ErrBadTransition
	}
	before := q.Status
	agencyID := q.AgencyID
	q, err = s.update(ctx, q.ID, func(q *Question) error {
		if q.AgencyID != agencyID {
			return ErrStale // forwarded meanwhile: the actor's rights were for the other agency
		}
		if !allowedTransition(q.Status, in.Status) {
			if q.Status == Closed {
				return ErrClosed
			}
			return ErrBadTransition
		}
		now := s.now()
		ch := Change{At: now, ActorID: actor.ID, Action: string(in.Status), FromStatus: q.Status, ToStatus: in.Status, Reason: reason}
		switch in.Status {
		case Accepted:
			if err := s.startClock(ctx, q, now); err != nil {
				return err
			}
		case Rejected:
			q.RejectReason = reason
			q.Deadline = time.Time{}
			endLeg(q, LegRejected, now)
		case Assigned:
			q.AssigneeID = assignee
			ch.AssigneeID = assignee
		case Closed:
			q.ClosedAt = now
		}
		q.Status = in.Status
		q.History = append(q.History, ch)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.moderator && a.staff == nil && !a.asker {
		// A moderator acting for an agency answers for it in the log.
		s.check.RecordAudit(ctx, actor, "question."+string(in.Status), "qa_question", q.ID, reason, "agency "+q.AgencyID)
	}
	ev := statusEvent(q)
	s.publish(ctx, QuestionTopic(q.ID), "question.status", ev)
	s.publish(ctx, AgencyTopic(q.AgencyID), "question.status", ev)
	if before == Submitted || in.Status == Rejected {
		// Who may read it changed (accepted: everyone, for a public one;
		// rejected: no one else).
		s.revalidate(ctx, QuestionTopic(q.ID))
	}
	if in.Status == Closed || in.Status == Rejected {
		s.notifyFollowers(ctx, q, actor.ID, "question.status", ev)
	}
	return q, nil
}

// allowedTransition is the status flow (without answering, which has its
// own action).
func allowedTransition(from, to Status) bool {
	switch to {
	case Accepted, Rejected:
		return from == Submitted
	case Assigned:
		return from == Accepted || from == Assigned
	case Closed:
		return from == Answered
	}
	return false
}

// Forward is a request to pass a question to another agency.
type Forward struct {
	AgencyID string `json:"agency_id"`
	Reason   string `json:"reason"`
}

// ForwardQuestion passes a question that is not yet answered to another
// agency, with a reason (the current agency's staff or a moderator). An
// accepted question arrives accepted and the new agency's clock starts
// now; a submitted one arrives for the new agency's triage.
func (s *Service) ForwardQuestion(ctx context.Context, actor *accounts.User, questionID string, in Forward) (*Question, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	q, a, err := s.load(ctx, actor, questionID)
	if err != nil {
		return nil, err
	}
	if a.staff == nil && !a.moderator {
		return nil, ErrForbidden
	}
	if in.AgencyID == "" {
		return nil, apperr.Field("agency_id", "required")
	}
	to, err := s.agency(ctx, in.AgencyID)
	if err != nil {
		return nil, err
	}
	if to.ID == q.AgencyID {
		return nil, ErrSameAgency
	}
	reason, err := cleanLine("reason", in.Reason, MinReason, MaxReason, true)
	if err != nil {
		return nil, err
	}
	from := q.AgencyID
	q, err = s.update(ctx, q.ID, func(q *Question) error {
		if q.AgencyID != from {
			return ErrStale
		}
		if !q.Status.Open() {
			if q.Status == Closed {
				return ErrClosed
			}
			return ErrBadTransition
		}
		now := s.now()
		endLeg(q, LegForwarded, now)
		q.Legs = append(q.Legs, Leg{AgencyID: to.ID, StartedAt: now})
		q.History = append(q.History, Change{At: now, ActorID: actor.ID, Action: "forwarded", FromStatus: q.Status,
			FromAgency: from, ToAgency: to.ID, Reason: reason})
		q.AgencyID = to.ID
		q.AssigneeID = ""
		q.Deadline, q.AcceptedAt = time.Time{}, time.Time{}
		if q.Status != Submitted {
			q.Status = Accepted
			q.History[len(q.History)-1].ToStatus = Accepted
			return s.startClock(ctx, q, now)
		}
		q.History[len(q.History)-1].ToStatus = Submitted
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.moderator && a.staff == nil {
		s.check.RecordAudit(ctx, actor, "question.forwarded", "qa_question", q.ID, reason, "from agency "+from+" to "+to.ID)
	}
	ev := statusEvent(q)
	ev.FromAgencyID = from
	s.publish(ctx, QuestionTopic(q.ID), "question.forwarded", ev)
	s.publish(ctx, AgencyTopic(from), "question.forwarded", ev)
	s.publish(ctx, AgencyTopic(to.ID), "question.created", agencyEvent(q))
	// The old agency's staff lose a private question.
	s.revalidate(ctx, QuestionTopic(q.ID))
	return q, nil
}

// Answer publishes the official answer (staff of the question's agency
// only), once.
func (s *Service) Answer(ctx context.Context, actor *accounts.User, questionID, body string) (*Answer, *Question, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, nil, err
	}
	q, a, err := s.load(ctx, actor, questionID)
	if err != nil {
		return nil, nil, err
	}
	if a.staff == nil {
		return nil, nil, ErrNotStaff
	}
	if err := answerable(q.Status); err != nil {
		return nil, nil, err
	}
	src, html, _, err := s.check.CheckText(ctx, "body", body)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	ans := &Answer{ID: id.New(), QuestionID: q.ID, AgencyID: q.AgencyID, AuthorID: actor.ID, StaffTitle: a.staff.Title,
		Body: src, BodyHTML: html, Sanitizer: markup.Version, PublishedAt: now, Revisions: []Revision{}}
	// The store's unique key on the question decides which answer is the
	// one; the question follows.
	if err := s.store.AddAnswer(ctx, ans); err != nil {
		if errors.Is(err, ErrAlreadyAnswered) {
			// An earlier answer whose question was not updated (the
			// process stopped in between) is finished now.
			s.repair(ctx, q.ID)
		}
		return nil, nil, err
	}
	q, err = s.finishAnswer(ctx, ans)
	if err != nil {
		// The answer is stored; the question catches up on the next
		// attempt to answer or the next overdue check (repair).
		s.logger.Error("qa: answer stored, question not updated", "question", questionID, "err", err)
		return nil, nil, err
	}
	return ans, q, nil
}

// finishAnswer moves the question of a stored answer to answered, ends its
// agency's leg, and tells everyone watching.
func (s *Service) finishAnswer(ctx context.Context, ans *Answer) (*Question, error) {
	now := ans.PublishedAt
	done := false
	q, err := s.update(ctx, ans.QuestionID, func(q *Question) error {
		if !q.Status.Open() {
			done = true
			return errSkip // a retry after the change was stored
		}
		endLeg(q, LegAnswered, now)
		q.History = append(q.History, Change{At: now, ActorID: ans.AuthorID, Action: string(Answered), FromStatus: q.Status, ToStatus: Answered})
		q.Status = Answered
		q.AnsweredAt = now
		if q.AssigneeID == "" {
			q.AssigneeID = ans.AuthorID
		}
		return nil
	})
	if done {
		return s.store.Question(ctx, ans.QuestionID)
	}
	if err != nil {
		return nil, err
	}
	av, err := s.answerView(ctx, ans)
	if err != nil {
		return nil, err
	}
	s.publish(ctx, QuestionTopic(q.ID), "answer.published", map[string]any{
		"question_id": q.ID, "status": q.Status, "answer": av, "at": now,
	})
	s.publish(ctx, AgencyTopic(q.AgencyID), "question.status", statusEvent(q))
	if q.Listed {
		s.publish(ctx, FeedTopic, "answer.published", s.feedItem(ctx, q, ans))
	}
	s.notifyFollowers(ctx, q, ans.AuthorID, "question.answered", statusEvent(q))
	return q, nil
}

// repair finishes the answer of a question that has one but is still
// open; it reports whether it did.
func (s *Service) repair(ctx context.Context, questionID string) bool {
	ans, err := s.store.AnswerFor(ctx, questionID)
	if err != nil {
		return false
	}
	q, err := s.finishAnswer(ctx, ans)
	if err != nil {
		s.logger.Warn("qa: repair answered question", "question", questionID, "err", err)
		return false
	}
	return q != nil
}

func answerable(st Status) error {
	switch st {
	case Accepted, Assigned:
		return nil
	case Answered:
		return ErrAlreadyAnswered
	case Closed:
		return ErrClosed
	}
	return ErrBadTransition
}

// NewRevision is a correction of a published answer.
type NewRevision struct {
	Body   string `json:"body"`
	Reason string `json:"reason"`
}

// Revise publishes a revision of an answer (staff of the agency that
// answered), with a reason; the earlier text stays visible.
func (s *Service) Revise(ctx context.Context, actor *accounts.User, answerID string, in NewRevision) (*Answer, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	if !id.Valid(answerID) {
		return nil, ErrAnswerNotFound
	}
	ans, err := s.store.Answer(ctx, answerID)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.load(ctx, actor, ans.QuestionID); err != nil {
		if errors.Is(err, ErrQuestionNotFound) {
			return nil, ErrAnswerNotFound
		}
		return nil, err
	}
	m, err := s.staffOf(ctx, actor, ans.AgencyID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrNotStaff
	}
	reason, err := cleanLine("reason", in.Reason, MinReason, MaxReason, true)
	if err != nil {
		return nil, err
	}
	src, html, _, err := s.check.CheckText(ctx, "body", in.Body)
	if err != nil {
		return nil, err
	}
	if src == ans.Current().Body {
		return nil, apperr.Field("body", "unchanged")
	}
	now := s.now()
	rev := &Revision{Number: len(ans.Revisions) + 1, AuthorID: actor.ID, StaffTitle: m.Title, Body: src, BodyHTML: html,
		Sanitizer: markup.Version, Reason: reason, At: now}
	if err := s.store.AddRevision(ctx, ans.ID, rev); err != nil {
		return nil, err
	}
	ans.Revisions = append(ans.Revisions, *rev)
	q, err := s.update(ctx, ans.QuestionID, func(q *Question) error {
		q.History = append(q.History, Change{At: now, ActorID: actor.ID, Action: "revised", Reason: reason})
		return nil
	})
	if err != nil {
		s.logger.Error("qa: revision stored, question not updated", "answer", answerID, "err", err)
		return nil, err
	}
	av, err := s.answerView(ctx, ans)
	if err != nil {
		return nil, err
	}
	s.publish(ctx, QuestionTopic(q.ID), "answer.revised", map[string]any{
		"question_id": q.ID, "answer": av, "reason": reason, "at": now,
	})
	return ans, nil
}

// AddComment adds a follow-up comment to a question that is not closed.
func (s *Service) AddComment(ctx context.Context, actor *accounts.User, questionID, body string) (*Comment, error) {
	if err := s.requireActor(actor); err != nil {
		return nil, err
	}
	q, a, err := s.load(ctx, actor, questionID)
	if err != nil {
		return nil, err
	}
	switch q.Status {
	case Closed:
		return nil, ErrClosed
	case Rejected:
		return nil, ErrBadTransition
	}
	src, html, review, err := s.check.CheckText(ctx, "body", body)
	if err != nil {
		return nil, err
	}
	if err := s.allow(ctx, "qa:comment:"+actor.ID, s.opts.CommentRate); err != nil {
		return nil, err
	}
	c := &Comment{ID: id.New(), QuestionID: q.ID, AuthorID: actor.ID, Body: src, BodyHTML: html, Sanitizer: markup.Version,
		CreatedAt: s.now(), Hidden: review}
	if a.staff != nil {
		c.AgencyID, c.StaffTitle = q.AgencyID, a.staff.Title
	}
	if err := s.store.AddComment(ctx, c); err != nil {
		return nil, err
	}
	if !c.Hidden {
		cv, err := s.commentViews(ctx, []*Comment{c}, nil)
		if err == nil {
			s.publish(ctx, QuestionTopic(q.ID), "comment.created", map[string]any{"question_id": q.ID, "comment": cv[0]})
		}
	}
	return c, nil
}

// SetCommentHidden hides or restores a comment (moderators), with an
// optional reason; the audit log records it.
func (s *Service) SetCommentHidden(ctx context.Context, actor *accounts.User, commentID string, hidden bool, reason string) (*Comment, error) {
	if actor == nil {
		return nil, ErrUnauthorized
	}
	if !isModerator(actor) {
		return nil, ErrForbidden
	}
	if !id.Valid(commentID) {
		return nil, ErrCommentNotFound
	}
	reason, err := cleanLine("reason", reason, MinReason, MaxReason, false)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Comment(ctx, commentID)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetCommentHidden(ctx, c.ID, hidden); err != nil {
		return nil, err
	}
	c.Hidden = hidden
	typ := "comment.hidden"
	if !hidden {
		typ = "comment.restored"
	}
	s.check.RecordAudit(ctx, actor, typ, "qa_comment", c.ID, reason, "question "+c.QuestionID)
	s.publish(ctx, QuestionTopic(c.QuestionID), typ, map[string]any{"question_id": c.QuestionID, "comment_id": c.ID})
	return c, nil
}

// Upvote records that actor has the question too (on) or no longer (off),
// and returns the new count. Askers do not upvote their own question.
func (s *Service) Upvote(ctx context.Context, actor *accounts.User, questionID string, on bool) (int, error) {
	if err := s.requireActor(actor); err != nil {
		return 0, err
	}
	q, a, err := s.load(ctx, actor, questionID)
	if err != nil {
		return 0, err
	}
	if a.asker {
		return 0, apperr.New(apperr.Forbidden, "own_question")
	}
	var n int
	if on {
		n, err = s.store.Upvote(ctx, q.ID, actor.ID)
	} else {
		n, err = s.store.Unvote(ctx, q.ID, actor.ID)
	}
	if err != nil {
		return 0, err
	}
	s.publish(ctx, QuestionTopic(q.ID), "question.upvoted", map[string]any{"question_id": q.ID, "upvotes": n})
	return n, nil
}

// Follow starts (on) or stops following a question.
func (s *Service) Follow(ctx context.Context, actor *accounts.User, questionID string, on bool) error {
	if err := s.requireActor(actor); err != nil {
		return err
	}
	q, _, err := s.load(ctx, actor, questionID)
	if err != nil {
		return err
	}
	if on {
		return s.store.Follow(ctx, q.ID, actor.ID)
	}
	return s.store.Unfollow(ctx, q.ID, actor.ID)
}

// notifyFollowers tells the question's followers (the asker follows from
// the start) on their own topics, except the actor.
func (s *Service) notifyFollowers(ctx context.Context, q *Question, actorID, typ string, data any) {
	ids, err := s.store.Followers(ctx, q.ID)
	if err != nil {
		s.logger.Warn("qa: followers", "question", q.ID, "err", err)
		return
	}
	for _, u := range ids {
		if u == actorID {
			continue
		}
		if !q.Listed && u != q.AskerID {
			continue // a follower who may no longer read it
		}
		s.publish(ctx, "user:"+u, typ, data)
	}
}

// SetAnswerDays sets an agency's working days to answer (admins).
func (s *Service) SetAnswerDays(ctx context.Context, actor *accounts.User, agencyID string, days int) error {
	if actor == nil {
		return ErrUnauthorized
	}
	if actor.Role != accounts.Admin {
		return ErrForbidden
	}
	if _, err := s.agencyOrNotFound(ctx, agencyID); err != nil {
		return err
	}
	if days < 1 || days > MaxAnswerDay {
		return apperr.Field("answer_days", "out_of_range")
	}
	return s.store.SetAnswerDays(ctx, agencyID, days)
}

// AnswerDays is an agency's working days to answer.
func (s *Service) AnswerDays(ctx context.Context, agencyID string) (int, error) {
	if _, err := s.agencyOrNotFound(ctx, agencyID); err != nil {
		return 0, err
	}
	return s.agencyDays(ctx, agencyID)
}

func (s *Service) agencyOrNotFound(ctx context.Context, agencyID string) (*accounts.Agency, error) {
	if !id.Valid(agencyID) {
		return nil, ErrAgencyNotFound
	}
	ag, err := s.dir.Agency(ctx, agencyID)
	if errors.Is(err, accounts.ErrAgencyNotFound) {
		return nil, ErrAgencyNotFound
	}
	return ag, err
}

// Run tells agencies about questions whose deadline passed, once each,
// every interval until ctx ends. Several nodes may run it: the
// compare-and-set on the question lets one of them tell.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.NotifyOverdue(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("qa: overdue check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var errSkip = errors.New("qa: nothing to do")

// NotifyOverdue publishes question.overdue on agency:{id} for each open
// question whose deadline passed and that was not announced yet.
func (s *Service) NotifyOverdue(ctx context.Context) error {
	for {
		qs, err := s.store.OverdueUnnotified(ctx, s.now(), 100)
		if err != nil {
			return err
		}
		told := 0
		for _, q := range qs {
			if q.Status.Open() {
				if _, err := s.store.AnswerFor(ctx, q.ID); err == nil {
					// Answered, but the question was not updated.
					if s.repair(ctx, q.ID) {
						told++
					}
					continue
				}
			}
			q, err := s.update(ctx, q.ID, func(q *Question) error {
				if q.OverdueNotified || !q.Status.Open() || q.Deadline.IsZero() || !q.Deadline.Before(s.now()) {
					return errSkip
				}
				q.OverdueNotified = true
				return nil
			})
			if errors.Is(err, errSkip) {
				continue
			}
			if err != nil {
				return err
			}
			told++
			ev := statusEvent(q)
			ev.Reason, ev.At = "", s.now()
			s.publish(ctx, AgencyTopic(q.AgencyID), "question.overdue", ev)
		}
		if len(qs) < 100 || told == 0 {
			return nil
		}
	}
}
