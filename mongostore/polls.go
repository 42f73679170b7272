package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

// The polls collections.
const (
	pollsColl   = "polls"
	ballotsColl = "poll_ballots"
)

// PollsStore implements polls.Store. It is safe for concurrent use, also
// from several nodes. Errors other than the polls sentinel errors each
// method documents are driver errors wrapped with a "mongostore:" prefix.
//
// A poll is one document in polls, options inline as an array of
// {id, vi, en, baseline}, with a revision that UpdatePoll checks and raises
// in the same conditional replace.
//
// Every ballot is its own document in poll_ballots, with _id pollID|voter:
// the unique _id is what allows one ballot per voter, so concurrent ballots
// of one voter are decided by the server and never by a read before the
// insert. A batch of ballots is one unordered InsertMany; each duplicate
// comes back as a write error for its own index and does not stop the rest.
//
// No tally is kept: Tally counts the poll's ballots every time. A kept
// counter would be one document updated by every vote, and FerretDB v1 runs
// an update as a query followed by a separate write, so concurrent
// increments of one document lose writes (200 concurrent $inc of one field
// ended at 25 in a test). Counting inserted documents is correct on both
// servers, and on MongoDB it reads the {poll_id, options} index only, but
// its cost grows with the poll's ballots. RebuildTally has nothing to
// replace and is the same count.
type PollsStore struct {
	db *mongo.Database
}

var _ polls.Store = (*PollsStore)(nil)

// Polls returns the polls store, which uses db's connection. It is cheap;
// the store is safe for concurrent use.
func (db *DB) Polls() *PollsStore { return &PollsStore{db: db.db} }

func pollsIndexes() []collectionIndexes {
	return []collectionIndexes{
		// Lists and the scheduler select by status, newest first.
		{pollsColl, []mongo.IndexModel{{Keys: bson.D{{Key: "status", Value: 1}, {Key: "_id", Value: 1}}}}},
		// Counts of a poll's ballots and of each option's selections.
		{ballotsColl, []mongo.IndexModel{{Keys: bson.D{{Key: "poll_id", Value: 1}, {Key: "options", Value: 1}}}}},
	}
}

type optionDoc struct {
	ID       string `bson:"id"`
	VI       string `bson:"vi"`
	EN       string `bson:"en,omitempty"`
	Baseline int64  `bson:"baseline"`
}

type pollDoc struct {
	ID              string      `bson:"_id"`
	Question        i18n.Text   `bson:"question"`
	Options         []optionDoc `bson:"options"`
	Multiple        bool        `bson:"multiple"`
	MaxChoices      int64       `bson:"max_choices"`
	Audience        string      `bson:"audience"`
	Results         string      `bson:"results"`
	Status          string      `bson:"status"`
	OpensAt         *time.Time  `bson:"opens_at"`
	ClosesAt        *time.Time  `bson:"closes_at"`
	AgencyID        string      `bson:"agency_id,omitempty"`
	BaselineBallots int64       `bson:"baseline_ballots"`
	CreatedBy       string      `bson:"created_by"`
	CreatedAt       time.Time   `bson:"created_at"`
	UpdatedAt       time.Time   `bson:"updated_at"`
	Revision        int64       `bson:"revision"`
}

func newPollDoc(p *polls.Poll, revision int64) *pollDoc {
	d := &pollDoc{ID: p.ID, Question: p.Question, Options: make([]optionDoc, len(p.Options)),
		Multiple: p.Multiple, MaxChoices: int64(p.MaxChoices), Audience: string(p.Audience),
		Results: string(p.Results), Status: string(p.Status), OpensAt: p.OpensAt, ClosesAt: p.ClosesAt,
		AgencyID: p.AgencyID, BaselineBallots: p.BaselineBallots, CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Revision: revision}
	for i, o := range p.Options {
		d.Options[i] = optionDoc{ID: o.ID, VI: o.VI, EN: o.EN, Baseline: o.Baseline}
	}
	return d
}

func (d *pollDoc) poll() *polls.Poll {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	p := &polls.Poll{ID: d.ID, Question: d.Question, Options: make([]polls.Option, len(d.Options)),
		Multiple: d.Multiple, MaxChoices: int(d.MaxChoices), Audience: polls.Audience(d.Audience),
		Results: polls.Visibility(d.Results), Status: polls.Status(d.Status),
		OpensAt: utc(d.OpensAt), ClosesAt: utc(d.ClosesAt), AgencyID: d.AgencyID,
		BaselineBallots: d.BaselineBallots, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(),
		UpdatedAt: d.UpdatedAt.UTC(), Revision: d.Revision}
	for i, o := range d.Options {
		p.Options[i] = polls.Option{ID: o.ID, Text: i18n.Text{VI: o.VI, EN: o.EN}, Baseline: o.Baseline}
	}
	return p
}

// CreatePoll implements polls.Store: it inserts p with Revision 1 and sets
// p.Revision to 1. A poll with the same ID is an error.
func (s *PollsStore) CreatePoll(ctx context.Context, p *polls.Poll) error {
	if _, err := s.db.Collection(pollsColl).InsertOne(ctx, newPollDoc(p, 1)); err != nil {
		return fmt.Errorf("mongostore: insert poll: %w", err)
	}
	p.Revision = 1
	return nil
}

// Poll implements polls.Store: the poll with id, or polls.ErrPollNotFound.
func (s *PollsStore) Poll(ctx context.Context, id string) (*polls.Poll, error) {
	return findOne(ctx, s.db.Collection(pollsColl), bson.D{{Key: "_id", Value: id}},
		polls.ErrPollNotFound, "poll", (*pollDoc).poll)
}

// Polls implements polls.Store: the polls f selects, newest (greatest ID)
// first, at most f.Limit of them (all when f.Limit is zero or less).
func (s *PollsStore) Polls(ctx context.Context, f polls.Filter) ([]*polls.Poll, error) {
	if f.AgencyIDs != nil && len(f.AgencyIDs) == 0 {
		return []*polls.Poll{}, nil // no agency: nothing to ask the server
	}
	filter := bson.D{}
	if len(f.Statuses) == 0 {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: string(polls.Draft)}}})
	} else {
		filter = append(filter, statusIn(f.Statuses))
	}
	if f.AgencyIDs != nil {
		filter = append(filter, bson.E{Key: "agency_id", Value: bson.D{{Key: "$in", Value: f.AgencyIDs}}})
	}
	if f.Before != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: f.Before}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	return s.findPolls(ctx, filter, opts, "list polls")
}

// PollsWithStatus implements polls.Store: every poll whose stored status is
// one of statuses, oldest first; none when statuses is empty.
func (s *PollsStore) PollsWithStatus(ctx context.Context, statuses ...polls.Status) ([]*polls.Poll, error) {
	if len(statuses) == 0 {
		return []*polls.Poll{}, nil
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	return s.findPolls(ctx, bson.D{statusIn(statuses)}, opts, "polls with status")
}

func statusIn(statuses []polls.Status) bson.E {
	in := make([]string, len(statuses))
	for i, st := range statuses {
		in[i] = string(st)
	}
	return bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: in}}}
}

func (s *PollsStore) findPolls(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder, what string) ([]*polls.Poll, error) {
	var docs []pollDoc
	if err := findAll(ctx, s.db.Collection(pollsColl), filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: %s: %w", what, err)
	}
	out := make([]*polls.Poll, len(docs))
	for i := range docs {
		out[i] = docs[i].poll()
	}
	return out, nil
}

// UpdatePoll implements polls.Store: it replaces the poll if its stored
// revision is still p.Revision and sets p.Revision to the next one. It
// returns polls.ErrStale when the revision has moved on and
// polls.ErrPollNotFound when there is no such poll; p is then unchanged.
//
// On MongoDB the conditional replace is atomic, so of two updates from one
// revision exactly one succeeds. FerretDB v1 matches and writes in two
// steps, so there two simultaneous updates from one revision can both
// succeed, the later write winning.
func (s *PollsStore) UpdatePoll(ctx context.Context, p *polls.Poll) error {
	coll := s.db.Collection(pollsColl)
	next := p.Revision + 1
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "revision", Value: p.Revision}},
		newPollDoc(p, next))
	if err != nil {
		return fmt.Errorf("mongostore: update poll: %w", err)
	}
	if res.MatchedCount == 0 {
		n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: p.ID}})
		switch {
		case err != nil:
			return fmt.Errorf("mongostore: update poll: %w", err)
		case n == 0:
			return polls.ErrPollNotFound
		}
		return polls.ErrStale
	}
	p.Revision = next
	return nil
}

type ballotDoc struct {
	ID        string    `bson:"_id"`
	PollID    string    `bson:"poll_id"`
	Voter     string    `bson:"voter"`
	Options   []string  `bson:"options"`
	CreatedAt time.Time `bson:"created_at"`
}

// ballotID is a ballot's _id. Poll IDs have a fixed length and no "|", so
// no two (poll, voter) pairs share one.
func ballotID(pollID, voter string) string { return pollID + "|" + voter }

// CastBallots implements polls.Store: one unordered InsertMany, acknowledged
// with the connection's write concern (unless the URI says otherwise,
// MongoDB 5.0 and later on a replica set wait for a journaled majority).
// A ballot whose _id exists, stored
// before or earlier in ballots, gets polls.ErrAlreadyVoted. Any other write
// error, or a write concern error, fails the whole call: a ballot the store
// may not keep is never reported stored.
//
// The Ballots of each stored ballot is its poll's ballot count taken after
// the insert, once per poll of the call. Ballots are never removed, so it
// is at least the ballot's position among its poll's ballots: a tally that
// reaches it includes the ballot.
func (s *PollsStore) CastBallots(ctx context.Context, ballots []*polls.Ballot) ([]polls.CastResult, error) {
	res := make([]polls.CastResult, len(ballots))
	if len(ballots) == 0 {
		return res, nil
	}
	docs := make([]ballotDoc, len(ballots))
	for i, b := range ballots {
		opts := b.Options
		if opts == nil {
			opts = []string{}
		}
		docs[i] = ballotDoc{ID: ballotID(b.PollID, b.Voter), PollID: b.PollID, Voter: b.Voter,
			Options: opts, CreatedAt: b.CreatedAt}
	}
	coll := s.db.Collection(ballotsColl)
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return nil, fmt.Errorf("mongostore: insert ballots: %w", err)
		}
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we.WriteError) || we.Index < 0 || we.Index >= len(res) {
				return nil, fmt.Errorf("mongostore: insert ballots: %w", err)
			}
			res[we.Index].Err = polls.ErrAlreadyVoted
		}
	}
	counts := make(map[string]int64)
	for i, b := range ballots {
		if res[i].Err != nil {
			continue
		}
		n, ok := counts[b.PollID]
		if !ok {
			if n, err = s.countBallots(ctx, b.PollID); err != nil {
				return nil, err
			}
			counts[b.PollID] = n
		}
		res[i].Ballots = n
	}
	return res, nil
}

func (s *PollsStore) countBallots(ctx context.Context, pollID string) (int64, error) {
	n, err := s.db.Collection(ballotsColl).CountDocuments(ctx, bson.D{{Key: "poll_id", Value: pollID}})
	if err != nil {
		return 0, fmt.Errorf("mongostore: count ballots: %w", err)
	}
	return n, nil
}

// HasVoted implements polls.Store: whether voter has a ballot in the poll.
func (s *PollsStore) HasVoted(ctx context.Context, pollID, voter string) (bool, error) {
	err := s.db.Collection(ballotsColl).FindOne(ctx, bson.D{{Key: "_id", Value: ballotID(pollID, voter)}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("mongostore: find ballot: %w", err)
	}
	return true, nil
}

// Tally implements polls.Store: it counts the poll's ballots, then the
// ballots that select each of the poll's options. Ballots are counted first
// because they are only ever added: the option counts then cover at least
// every ballot in the count (and maybe a few stored in between), so a total
// that reaches a CastResult's Ballots always comes with that ballot's
// selections. A poll without ballots, or no poll at all, has an empty tally.
//
// Each count is an equality match on the {poll_id, options} index, which
// MongoDB answers from the index alone; an $unwind and $group of the
// options would have to fetch every ballot document.
func (s *PollsStore) Tally(ctx context.Context, pollID string) (*polls.Tally, error) {
	n, err := s.countBallots(ctx, pollID)
	if err != nil {
		return nil, err
	}
	t := &polls.Tally{Ballots: n, Votes: make(map[string]int64)}
	if n == 0 {
		return t, nil
	}
	var p struct {
		Options []struct {
			ID string `bson:"id"`
		} `bson:"options"`
	}
	err = s.db.Collection(pollsColl).FindOne(ctx, bson.D{{Key: "_id", Value: pollID}},
		options.FindOne().SetProjection(bson.D{{Key: "options.id", Value: 1}})).Decode(&p)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return t, nil
	case err != nil:
		return nil, fmt.Errorf("mongostore: tally: %w", err)
	}
	for _, o := range p.Options {
		v, err := s.db.Collection(ballotsColl).CountDocuments(ctx,
			bson.D{{Key: "poll_id", Value: pollID}, {Key: "options", Value: o.ID}})
		if err != nil {
			return nil, fmt.Errorf("mongostore: tally: %w", err)
		}
		if v > 0 {
			t.Votes[o.ID] = v
		}
	}
	return t, nil
}

// RebuildTally implements polls.Store. No tally is kept (see PollsStore), so
// there is nothing to replace: it is Tally.
func (s *PollsStore) RebuildTally(ctx context.Context, pollID string) (*polls.Tally, error) {
	return s.Tally(ctx, pollID)
}
