// Package polls owns polls: a question and its options in Vietnamese and
// English, one vote per person enforced by the durable store's unique key,
// tallies that always equal the baseline plus the stored ballots, live
// coalesced results for the viewers allowed to see them, and exports.
//
// Storage is behind the Store interface (sqlitestore, mongostore), checked by
// the pollstest conformance suite. Votes are written in groups (see
// batcher.go): a vote is answered only after the store has it durably, but
// many votes share one commit.
//
// The package publishes through the Notifier interface it declares; main
// passes the hub. Topics: poll:{id} (full results, for the viewers the
// poll's results visibility allows) and poll:{id}:count (status and total
// only, for everyone who may see the poll).
package polls

import (
	"context"
	"time"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Status is a poll's state. Draft, Open, Closed and Archived are stored;
// Scheduled is what an open poll whose opening time is still ahead shows,
// and an open poll whose closing time has passed shows Closed, so the
// schedule holds without any process having to act on time.
type Status string

// The statuses.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Open      Status = "open"
	Closed    Status = "closed"
	Archived  Status = "archived"
)

// Audience says who may vote.
type Audience string

// The audiences.
const (
	// Everyone: members vote as themselves, guests once per signed
	// visitor cookie (with a per-IP rate limit).
	Everyone Audience = "everyone"
	// Members: only logged-in users.
	Members Audience = "members"
)

// Visibility says who sees the results (votes per option). Everyone who
// may see a poll sees its status and total.
type Visibility string

// The results visibilities.
const (
	Always     Visibility = "always"
	AfterVote  Visibility = "after_vote"
	AfterClose Visibility = "after_close"
	StaffOnly  Visibility = "staff"
)

// Option is one answer of a poll: its label in both languages, encoded
// inline as {"id","vi","en","baseline"}, the shape of the options a poll is
// created with plus its id. Baseline is the count imported from a legacy
// poll.
type Option struct {
	ID        string `json:"id"`
	i18n.Text `bson:",inline"`
	Baseline  int64 `json:"baseline"`
}

// Poll is a poll as stored.
type Poll struct {
	ID         string     `json:"id"`
	Question   i18n.Text  `json:"question"`
	Options    []Option   `json:"options"`
	Multiple   bool       `json:"multiple"`
	MaxChoices int        `json:"max_choices"`
	Audience   Audience   `json:"audience"`
	Results    Visibility `json:"results"`
	// Status is the stored status: Draft, Open, Closed or Archived. Use
	// StatusAt for what the poll is at a given time.
	Status   Status     `json:"status"`
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
	AgencyID string     `json:"agency_id,omitempty"`
	// BaselineBallots is how many ballots the imported baseline stands
	// for: the sum of the baselines for a single-choice poll.
	BaselineBallots int64     `json:"baseline_ballots"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	// Revision rises with every stored change; UpdatePoll succeeds only
	// when the stored revision is still the one the caller read.
	Revision int64 `json:"revision"`
}

// StatusAt returns the poll's status at now: an open poll is Scheduled
// before OpensAt and Closed from ClosesAt on.
func (p *Poll) StatusAt(now time.Time) Status {
	if p.Status != Open {
		return p.Status
	}
	if p.OpensAt != nil && now.Before(*p.OpensAt) {
		return Scheduled
	}
	if p.ClosesAt != nil && !now.Before(*p.ClosesAt) {
		return Closed
	}
	return Open
}

// option returns the option with id.
func (p *Poll) option(id string) (Option, bool) {
	for _, o := range p.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Ballot is one voter's vote in one poll. Voter is the voter's key ("u:" and
// a user id for members, "v:" and a visitor id for guests); the store keeps
// at most one ballot per (PollID, Voter).
type Ballot struct {
	PollID    string
	Voter     string
	Options   []string
	CreatedAt time.Time
}

// Tally is what the stored ballots of one poll add up to, without the
// baseline: how many ballots, and how many selections each option got.
type Tally struct {
	Ballots int64
	Votes   map[string]int64
}

// CastResult is the outcome of one ballot of a CastBallots call: Err is nil
// when the ballot is stored (and durable), ErrAlreadyVoted when the voter
// already has a ballot in the poll. Ballots is the poll's stored ballot count
// once this ballot was in: a snapshot whose total reaches Ballots plus the
// baseline includes this vote.
type CastResult struct {
	Err     error
	Ballots int64
	// Tally, when the store can give it cheaply, is the poll's tally once
	// the commit that stored this ballot was in (it may include ballots
	// stored after this one in the same commit). Nil otherwise; results
	// shared by the ballots of one poll in a call must not be modified.
	Tally *Tally
}

// Filter selects polls for a list, newest first.
type Filter struct {
	// Statuses are stored statuses to include; empty means all but
	// drafts.
	Statuses []Status
	// AgencyIDs, when not nil, keeps polls of these agencies only.
	AgencyIDs []string
	// Before is the ID of the last poll of the previous page.
	Before string
	Limit  int
}

// Errors. Compare with errors.Is.
var (
	ErrPollNotFound = apperr.New(apperr.NotFound, "poll_not_found")
	ErrAlreadyVoted = apperr.New(apperr.Conflict, "already_voted")
	ErrStale        = apperr.New(apperr.Conflict, "poll_changed")
	ErrNotOpen      = apperr.New(apperr.Forbidden, "poll_not_open")
	ErrClosed       = apperr.New(apperr.Forbidden, "poll_closed")
	ErrMembersOnly  = apperr.New(apperr.Unauthorized, "poll_members_only")
	ErrNoVisitor    = apperr.New(apperr.Forbidden, "visitor_cookie_required")
	ErrForbidden    = apperr.New(apperr.Forbidden, "forbidden")
	ErrUnauthorized = apperr.New(apperr.Unauthorized, "unauthorized")
	ErrTransition   = apperr.New(apperr.Conflict, "poll_transition")
	ErrHasVotes     = apperr.New(apperr.Conflict, "poll_has_votes")
	ErrRateLimited  = apperr.New(apperr.RateLimited, "rate_limited")
	ErrUnavailable  = apperr.New(apperr.Unavailable, "unavailable")
)

// Store keeps polls and ballots. Implementations are safe for concurrent
// use and are checked by the pollstest conformance suite.
type Store interface {
	// CreatePoll inserts p with Revision 1.
	CreatePoll(ctx context.Context, p *Poll) error
	// Poll returns the poll with id, or ErrPollNotFound.
	Poll(ctx context.Context, id string) (*Poll, error)
	// Polls returns the polls f selects, newest (greatest ID) first.
	Polls(ctx context.Context, f Filter) ([]*Poll, error)
	// UpdatePoll stores p if the stored revision is still p.Revision, and
	// sets p.Revision to the new revision; otherwise it returns ErrStale (or
	// ErrPollNotFound).
	UpdatePoll(ctx context.Context, p *Poll) error
	// PollsWithStatus returns every poll whose stored status is one of
	// statuses (the scheduler's working set: open polls).
	PollsWithStatus(ctx context.Context, statuses ...Status) ([]*Poll, error)

	// CastBallots stores ballots in one durable commit where the store
	// allows and returns one result per ballot, in order. A ballot whose
	// voter already has one in the poll (stored before, or earlier in the
	// same call) gets ErrAlreadyVoted and does not fail the others. The
	// uniqueness is the store's unique key, never a check before the
	// insert. The error is for the call as a whole (the store is down):
	// then no result is valid and the caller must not report success.
	CastBallots(ctx context.Context, ballots []*Ballot) ([]CastResult, error)
	// HasVoted reports whether voter has a ballot in the poll.
	HasVoted(ctx context.Context, pollID, voter string) (bool, error)
	// Tally returns the poll's tally of stored ballots.
	Tally(ctx context.Context, pollID string) (*Tally, error)
	// RebuildTally recounts the poll's tally from its ballots, replaces
	// any kept tally with it and returns it.
	RebuildTally(ctx context.Context, pollID string) (*Tally, error)
}

// VoterKey returns the ballot key of a member (userID set) or a guest.
func VoterKey(userID, visitorID string) string {
	if userID != "" {
		return "u:" + userID
	}
	if visitorID != "" {
		return "v:" + visitorID
	}
	return ""
}
