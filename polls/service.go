package polls

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/web"
)

// Notifier is what polls needs of the real-time hub.
type Notifier interface {
	// Changed marks a latest-state topic changed; the hub coalesces.
	Changed(topic string)
	// Revalidate re-checks every subscription of topics, on every node,
	// after the rules for reading them changed.
	Revalidate(ctx context.Context, topics ...string) error
}

// Directory is what polls needs of accounts: agencies and who is their
// staff. accounts.Store satisfies it.
type Directory interface {
	Agency(ctx context.Context, id string) (*accounts.Agency, error)
	UserMemberships(ctx context.Context, userID string) ([]*accounts.Membership, error)
}

// Options tune the service.
type Options struct {
	// VotePerIP limits guests' votes per client IP (zero: no limit).
	VotePerIP ratelimit.Rate
	// MaxBatch is the most ballots written in one commit (default 512).
	MaxBatch int
	// Writers is how many batches may be written at once (default 1, right
	// for SQLite's single writer).
	Writers int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service enforces the rules of polls and votes.
type Service struct {
	store   Store
	dir     Directory
	notify  Notifier
	limiter ratelimit.Limiter
	opts    Options
	logger  *slog.Logger
	batch   *batcher
	poke    chan struct{} // wakes the scheduler
	cache   pollCache
}

// NewService returns the polls service. Call Run to start its vote writer
// and scheduler; votes wait for Run.
func NewService(store Store, dir Directory, notify Notifier, limiter ratelimit.Limiter, opts Options, logger *slog.Logger) *Service {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Writers <= 0 {
		opts.Writers = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, dir: dir, notify: notify, limiter: limiter, opts: opts, logger: logger,
		batch: newBatcher(store, opts.MaxBatch, logger), poke: make(chan struct{}, 1)}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// Viewer is who asks: a member (User) or a guest, with the visitor cookie
// the request carried.
type Viewer struct {
	User    *accounts.User
	Visitor visitors.Visitor
	IP      netip.Addr
}

// ViewerFrom reads the viewer the middleware put on r.
func ViewerFrom(r *http.Request) Viewer {
	return Viewer{User: accounts.UserFrom(r.Context()), Visitor: visitors.From(r.Context()), IP: web.ClientIP(r)}
}

func (v Viewer) userID() string {
	if v.User == nil {
		return ""
	}
	return v.User.ID
}

// voter returns v's ballot key. A guest's visitor cookie counts only when
// the request presented a valid one: a cookie issued with this very response
// (a first request, cookies off, a forged one replaced) identifies nobody.
func (v Viewer) voter() string {
	if v.User != nil {
		return VoterKey(v.User.ID, "")
	}
	if v.Visitor.ID == "" || v.Visitor.New || v.Visitor.Forged {
		return ""
	}
	return VoterKey("", v.Visitor.ID)
}

// staffOf reports whether the viewer is staff of agencyID.
func (s *Service) staffOf(ctx context.Context, v Viewer, agencyID string) (bool, error) {
	if v.User == nil || agencyID == "" {
		return false, nil
	}
	ms, err := s.dir.UserMemberships(ctx, v.User.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ms, func(m *accounts.Membership) bool { return m.AgencyID == agencyID }), nil
}

// canManage reports whether v may edit, close and export p and always see
// its results: admins, and staff of the poll's agency.
func (s *Service) canManage(ctx context.Context, v Viewer, p *Poll) (bool, error) {
	if v.User == nil {
		return false, nil
	}
	if v.User.Role == accounts.Admin {
		return true, nil
	}
	return s.staffOf(ctx, v, p.AgencyID)
}

// canSeeResults applies the poll's results visibility to v.
func (s *Service) canSeeResults(ctx context.Context, v Viewer, p *Poll, manager bool, now time.Time) (bool, error) {
	if manager {
		return true, nil
	}
	switch p.Results {
	case Always:
		return true, nil
	case AfterVote:
		key := v.voter()
		if key == "" {
			return false, nil
		}
		return s.store.HasVoted(ctx, p.ID, key)
	case AfterClose:
		st := p.StatusAt(now)
		return st == Closed || st == Archived, nil
	}
	return false, nil
}

// View is a poll as one viewer sees it: the stored poll with its status at
// this moment, its total, and its results when the viewer may see them.
type View struct {
	*Poll
	Status Status `json:"status"`
	Total  int64  `json:"total"`
	// Results are the numbers when the viewer may see them, else nil. In
	// JSON they are "tally": "results" is the poll's results visibility.
	Results   *Results `json:"tally"`
	Voted     bool     `json:"voted"`
	CanVote   bool     `json:"can_vote"`
	CanManage bool     `json:"can_manage"`
}

// find returns the poll with id as v may see it: drafts exist only for
// those who manage them. The poll may come from the cache and is shared:
// it must not be modified.
func (s *Service) find(ctx context.Context, v Viewer, pollID string) (*Poll, bool, error) {
	return s.findIn(ctx, v, pollID, func(ctx context.Context, id string) (*Poll, error) {
		return s.cache.get(ctx, s.store, id)
	})
}

func (s *Service) findIn(ctx context.Context, v Viewer, pollID string, read func(context.Context, string) (*Poll, error)) (*Poll, bool, error) {
	if !id.Valid(pollID) {
		return nil, false, ErrPollNotFound
	}
	p, err := read(ctx, pollID)
	if err != nil {
		return nil, false, err
	}
	manager, err := s.canManage(ctx, v, p)
	if err != nil {
		return nil, false, err
	}
	if p.Status == Draft && !manager {
		return nil, false, ErrPollNotFound
	}
	return p, manager, nil
}

func (s *Service) view(ctx context.Context, v Viewer, p *Poll, manager bool) (*View, error) {
	now := s.now()
	t, err := s.store.Tally(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := &View{Poll: p, Status: p.StatusAt(now), CanManage: manager}
	out.Total = p.BaselineBallots + t.Ballots
	if key := v.voter(); key != "" {
		if out.Voted, err = s.store.HasVoted(ctx, p.ID, key); err != nil {
			return nil, err
		}
	}
	out.CanVote = out.Status == Open && !out.Voted && (p.Audience == Everyone || v.User != nil)
	see, err := s.canSeeResults(ctx, v, p, manager, now)
	if err != nil {
		return nil, err
	}
	if see {
		out.Results = computeResults(p, t, now)
	}
	return out, nil
}

// Get returns the poll with id as v sees it.
func (s *Service) Get(ctx context.Context, v Viewer, pollID string) (*View, error) {
	p, manager, err := s.find(ctx, v, pollID)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, v, p, manager)
}

// ListQuery selects a page of polls.
type ListQuery struct {
	// Status is a stored status; "" lists open and closed polls.
	Status   Status
	AgencyID string
	Before   string
	Limit    int
}

// List returns a page of polls as v sees them. Drafts are listed only to
// those who manage them (?status=draft).
func (s *Service) List(ctx context.Context, v Viewer, q ListQuery) ([]*View, error) {
	f := Filter{Before: q.Before, Limit: q.Limit}
	switch q.Status {
	case "":
		f.Statuses = []Status{Open, Closed}
	case Open, Closed, Archived:
		f.Statuses = []Status{q.Status}
	case Draft:
		f.Statuses = []Status{Draft}
		if v.User == nil {
			return nil, ErrUnauthorized
		}
		if v.User.Role != accounts.Admin {
			ms, err := s.dir.UserMemberships(ctx, v.User.ID)
			if err != nil {
				return nil, err
			}
			f.AgencyIDs = []string{}
			for _, m := range ms {
				f.AgencyIDs = append(f.AgencyIDs, m.AgencyID)
			}
		}
	default:
		return nil, apperr.Field("status", "invalid_choice")
	}
	if q.AgencyID != "" {
		if f.AgencyIDs != nil && !slices.Contains(f.AgencyIDs, q.AgencyID) {
			return []*View{}, nil
		}
		f.AgencyIDs = []string{q.AgencyID}
	}
	ps, err := s.store.Polls(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(ps))
	for _, p := range ps {
		manager, err := s.canManage(ctx, v, p)
		if err != nil {
			return nil, err
		}
		pv, err := s.view(ctx, v, p, manager)
		if err != nil {
			return nil, err
		}
		out = append(out, pv)
	}
	return out, nil
}

// Create makes a poll. Admins create polls for any agency or none; agency
// staff for their own agencies.
func (s *Service) Create(ctx context.Context, v Viewer, in NewPoll) (*View, error) {
	if v.User == nil {
		return nil, ErrUnauthorized
	}
	p := &Poll{ID: id.New(), Question: in.Question, Multiple: in.Multiple, MaxChoices: in.MaxChoices,
		Audience: in.Audience, Results: in.Results, Status: in.Status, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt,
		CreatedBy: v.User.ID}
	if in.AgencyID != nil {
		p.AgencyID = *in.AgencyID
	}
	if err := s.mayCreate(ctx, v, p); err != nil {
		return nil, err
	}
	fe := fieldErr{}
	switch p.Status {
	case "":
		p.Status = Draft
	case Draft, Open:
	default:
		fe.add("status", "invalid_choice")
	}
	labels := in.Options
	if labels == nil {
		labels = []i18n.Text{}
	}
	now := s.now()
	checkShape(p, labels, in.Baseline, in.BaselineBallots, now, id.New, fe)
	if err := fe.err(); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = now, now
	if err := s.store.CreatePoll(ctx, p); err != nil {
		return nil, err
	}
	s.logger.Info("poll created", "poll", p.ID, "by", v.User.ID, "status", p.Status)
	s.rescheduled()
	return s.view(ctx, v, p, true)
}

// mayCreate checks that v may create p; a staff member of exactly one
// agency who names none creates it for that agency.
func (s *Service) mayCreate(ctx context.Context, v Viewer, p *Poll) error {
	if p.AgencyID != "" {
		if !id.Valid(p.AgencyID) {
			return apperr.Field("agency_id", "agency_not_found")
		}
		if _, err := s.dir.Agency(ctx, p.AgencyID); errors.Is(err, accounts.ErrAgencyNotFound) {
			return apperr.Field("agency_id", "agency_not_found")
		} else if err != nil {
			return err
		}
	}
	if v.User.Role == accounts.Admin {
		return nil
	}
	ms, err := s.dir.UserMemberships(ctx, v.User.ID)
	if err != nil {
		return err
	}
	switch {
	case len(ms) == 0:
		return ErrForbidden
	case p.AgencyID == "" && len(ms) == 1:
		p.AgencyID = ms[0].AgencyID
		return nil
	case p.AgencyID == "":
		return apperr.Field("agency_id", "required")
	case !slices.ContainsFunc(ms, func(m *accounts.Membership) bool { return m.AgencyID == p.AgencyID }):
		return ErrForbidden
	}
	return nil
}

// transitions lists the status changes a manager may make.
var transitions = map[Status][]Status{
	Draft:  {Open, Archived},
	Open:   {Closed},
	Closed: {Archived},
}

// Update changes a poll. Only its managers may. Question, options, choices,
// audience and baseline change only in a draft (poll_has_votes after that,
// as votes may exist); the schedule until the poll is closed; the results
// visibility at any time.
//
// A change stored meanwhile (the scheduler storing that the poll opened,
// another manager's edit) makes the patch apply again to the poll as it
// now is, its rules checked again, rather than fail.
func (s *Service) Update(ctx context.Context, v Viewer, pollID string, in Patch) (*View, error) {
	for range 4 {
		view, err := s.update(ctx, v, pollID, in)
		if !errors.Is(err, ErrStale) {
			return view, err
		}
	}
	return nil, ErrStale
}

func (s *Service) update(ctx context.Context, v Viewer, pollID string, in Patch) (*View, error) {
	p, manager, err := s.findIn(ctx, v, pollID, s.store.Poll)
	if err != nil {
		return nil, err
	}
	if !manager {
		return nil, s.refuse(v)
	}
	before := *p
	now := s.now()
	fe := fieldErr{}
	shape := in.Question != nil || in.Options != nil || in.Multiple != nil || in.MaxChoices != nil ||
		in.Audience != nil || in.Baseline != nil || in.BaselineBallots != nil
	if shape && p.Status != Draft {
		// Options, choices and audience are fixed once votes can exist.
		return nil, ErrHasVotes
	}
	if in.Status != nil && *in.Status != p.Status {
		if !slices.Contains(transitions[p.Status], *in.Status) {
			return nil, ErrTransition
		}
		p.Status = *in.Status
	}
	if p.Status == Closed || p.Status == Archived {
		if (in.OpensAt.Set || in.ClosesAt.Set) && before.Status != Open {
			return nil, ErrTransition
		}
	}
	if in.OpensAt.Set {
		p.OpensAt = in.OpensAt.ptr()
	}
	if in.ClosesAt.Set {
		p.ClosesAt = in.ClosesAt.ptr()
	}
	if in.Results != nil {
		p.Results = *in.Results
	}
	if p.Status == Closed && before.Status == Open && (p.ClosesAt == nil || p.ClosesAt.After(now)) {
		p.ClosesAt = &now
		if p.OpensAt != nil && p.OpensAt.After(now) {
			p.OpensAt = nil // closed before it ever opened
		}
	}
	if before.Status == Draft {
		if in.Question != nil {
			p.Question = *in.Question
		}
		if in.Multiple != nil {
			p.Multiple = *in.Multiple
			if in.MaxChoices == nil {
				p.MaxChoices = 0
			}
		}
		if in.MaxChoices != nil {
			p.MaxChoices = *in.MaxChoices
		}
		if in.Audience != nil {
			p.Audience = *in.Audience
		}
		var labels []i18n.Text
		if in.Options != nil {
			labels = *in.Options
		}
		var baseline []int64
		if in.Baseline != nil {
			baseline = *in.Baseline
		}
		checkShape(p, labels, baseline, in.BaselineBallots, now, id.New, fe)
	} else if p.Status == Open || p.Status == Closed && before.Status == Open {
		checkSchedule(p, now, fe)
	} else {
		checkSchedule(p, time.Time{}, fe)
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	p.UpdatedAt = now
	err = s.store.UpdatePoll(ctx, p)
	s.cache.forget(p.ID)
	if err != nil {
		return nil, err
	}
	s.logger.Info("poll updated", "poll", p.ID, "by", v.User.ID, "status", p.Status)
	s.rescheduled()
	s.published(ctx, p, before.Status != p.Status || before.Results != p.Results ||
		!sameTime(before.OpensAt, p.OpensAt) || !sameTime(before.ClosesAt, p.ClosesAt))
	return s.view(ctx, v, p, true)
}

// Close closes an open poll now.
func (s *Service) Close(ctx context.Context, v Viewer, pollID string) (*View, error) {
	st := Closed
	return s.Update(ctx, v, pollID, Patch{Status: &st})
}

// published tells viewers that p changed; when who may read its results
// may have changed, every subscription to them is checked again.
func (s *Service) published(ctx context.Context, p *Poll, rules bool) {
	s.notify.Changed(Topic(p.ID))
	s.notify.Changed(CountTopic(p.ID))
	if rules {
		if err := s.notify.Revalidate(ctx, Topic(p.ID), CountTopic(p.ID)); err != nil {
			s.logger.Warn("polls: revalidate subscriptions", "poll", p.ID, "err", err)
		}
	}
}

func (s *Service) refuse(v Viewer) error {
	if v.User == nil {
		return ErrUnauthorized
	}
	return ErrForbidden
}

// Receipt answers a vote.
type Receipt struct {
	PollID  string   `json:"poll_id"`
	Options []string `json:"options"`
	// Total is the poll's total once this vote was in: every snapshot
	// whose total reaches it includes the vote.
	Total   int64    `json:"total"`
	Results *Results `json:"results"`
}

// Vote casts v's ballot. It returns only once the ballot is durable, or
// ErrAlreadyVoted when v already voted, decided by the store's unique key.
func (s *Service) Vote(ctx context.Context, v Viewer, pollID string, options []string) (*Receipt, error) {
	p, manager, err := s.find(ctx, v, pollID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch p.StatusAt(now) {
	case Draft, Scheduled:
		return nil, ErrNotOpen
	case Closed, Archived:
		return nil, ErrClosed
	}
	if p.Audience == Members && v.User == nil {
		return nil, ErrMembersOnly
	}
	key := v.voter()
	if key == "" {
		return nil, ErrNoVisitor
	}
	if err := checkChoice(p, options); err != nil {
		return nil, err
	}
	if v.User == nil && s.opts.VotePerIP.N > 0 {
		ok, retry, err := s.limiter.Allow(ctx, "vote:ip:"+v.IP.String(), s.opts.VotePerIP)
		if err != nil {
			s.logger.Warn("polls: rate limiter failed", "err", err)
		} else if !ok {
			return nil, &apperr.Error{Code: apperr.RateLimited, Key: "rate_limited", RetryAfter: retry,
				Err: fmt.Errorf("vote limit %s on %s", s.opts.VotePerIP, v.IP)}
		}
	}
	res, err := s.batch.cast(ctx, &Ballot{PollID: p.ID, Voter: key, Options: slices.Clone(options), CreatedAt: now})
	if err != nil {
		return nil, err
	}
	s.notify.Changed(Topic(p.ID))
	s.notify.Changed(CountTopic(p.ID))
	r := &Receipt{PollID: p.ID, Options: options, Total: p.BaselineBallots + res.Ballots}
	// The voter has voted and the poll is open: of the visibility rules
	// only "after close" and "staff" still hide the results from them.
	if manager || p.Results == Always || p.Results == AfterVote {
		t := res.Tally
		if t == nil {
			t, err = s.store.Tally(ctx, p.ID)
		}
		if err == nil {
			r.Results = computeResults(p, t, now)
		}
	}
	return r, nil
}

// Results returns the poll's results for export, if v may see them.
func (s *Service) Results(ctx context.Context, v Viewer, pollID string) (*Poll, *Results, error) {
	p, manager, err := s.find(ctx, v, pollID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	see, err := s.canSeeResults(ctx, v, p, manager, now)
	if err != nil {
		return nil, nil, err
	}
	if !see {
		return nil, nil, apperr.New(apperr.Forbidden, "results_hidden")
	}
	t, err := s.store.Tally(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	return p, computeResults(p, t, now), nil
}

// RebuildTallies recounts the tallies of every poll that is not a draft
// from its ballots: at start, and on demand (civichub admin
// rebuild-tallies).
func (s *Service) RebuildTallies(ctx context.Context) (int, error) {
	return RebuildAll(ctx, s.store)
}

// RebuildAll recounts the tallies of every poll in store that is not a
// draft from its ballots, and returns how many polls it recounted.
func RebuildAll(ctx context.Context, store Store) (int, error) {
	ps, err := store.PollsWithStatus(ctx, Open, Closed, Archived)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if _, err := store.RebuildTally(ctx, p.ID); err != nil {
			return 0, fmt.Errorf("polls: rebuild tally of %s: %w", p.ID, err)
		}
	}
	return len(ps), nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func (n *OptTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}
