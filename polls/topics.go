package polls

import (
	"context"
	"strings"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/visitors"
)

// TopicPrefix is the prefix of every poll topic.
const TopicPrefix = "poll:"

// Topic is the latest-state topic of a poll's full results.
func Topic(pollID string) string { return TopicPrefix + pollID }

// CountTopic is the latest-state topic of a poll's status and total.
func CountTopic(pollID string) string { return TopicPrefix + pollID + ":count" }

// ParseTopic reads a poll topic: the poll id, and whether it is the count
// topic.
func ParseTopic(topic string) (pollID string, count, ok bool) {
	rest, found := strings.CutPrefix(topic, TopicPrefix)
	if !found {
		return "", false, false
	}
	if r, c := strings.CutSuffix(rest, ":count"); c {
		rest, count = r, true
	}
	if !id.Valid(rest) {
		return "", false, false
	}
	return rest, count, true
}

var errTopicNotFound = apperr.New(apperr.NotFound, "topic_not_found")

// Snapshot builds the data of a poll topic: Results for poll:{id}, Count
// for poll:{id}:count. The hub calls it when the topic changed.
func (s *Service) Snapshot(ctx context.Context, topic string) (any, error) {
	pollID, count, ok := ParseTopic(topic)
	if !ok {
		return nil, errTopicNotFound
	}
	p, err := s.cache.get(ctx, s.store, pollID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Tally(ctx, pollID)
	if err != nil {
		return nil, err
	}
	if count {
		return computeCount(p, t, s.now()), nil
	}
	return computeResults(p, t, s.now()), nil
}

// AuthorizeTopic decides whether a socket's holder may read a poll topic:
// the count topic is for everyone who may see the poll, the results topic
// for those its results visibility allows. role is "" for a guest.
func (s *Service) AuthorizeTopic(ctx context.Context, userID string, role accounts.Role, visitorID, topic string) error {
	pollID, count, ok := ParseTopic(topic)
	if !ok {
		return errTopicNotFound
	}
	v := Viewer{Visitor: visitors.Visitor{ID: visitorID}}
	if userID != "" {
		v.User = &accounts.User{ID: userID, Role: role}
	}
	p, manager, err := s.find(ctx, v, pollID)
	if err != nil {
		return err
	}
	if count {
		return nil
	}
	see, err := s.canSeeResults(ctx, v, p, manager, s.now())
	if err != nil {
		return err
	}
	if !see {
		return apperr.New(apperr.Forbidden, "results_hidden")
	}
	return nil
}

// nextChange returns the first time after now at which p's status changes
// by the clock alone, or the zero time.
func nextChange(p *Poll, now time.Time) time.Time {
	if p.Status != Open {
		return time.Time{}
	}
	if p.OpensAt != nil && now.Before(*p.OpensAt) {
		return *p.OpensAt
	}
	if p.ClosesAt != nil && now.Before(*p.ClosesAt) {
		return *p.ClosesAt
	}
	return time.Time{}
}
