package hub

import (
	"errors"
	"strings"

	"github.com/civichub/civichub/id"
)

// maxTopicLen bounds a topic name. The longest valid name is
// "question:" plus an id (35 bytes); the bound leaves room for new families.
const maxTopicLen = 96

// Topic families. A latest-state topic carries versioned snapshots; an event
// topic carries sequenced events with a replayable history.
const (
	TopicSiteOnline  = "site:online"
	TopicModQueue    = "mod:queue"
	TopicFeedAnswers = "feed:answers"
)

var (
	// ErrMalformedTopic means a name that does not follow the topic grammar:
	// bad characters, a bad id or a missing part. Clients get code invalid.
	ErrMalformedTopic = errors.New("hub: malformed topic")
	// ErrUnknownTopic means a well-formed name of no known family. Clients get
	// code not_found.
	ErrUnknownTopic = errors.New("hub: unknown topic")
)

// topicKind says which of the two kinds of topic a name is.
type topicKind uint8

const (
	kindEvent topicKind = iota + 1
	kindState
)

// parseTopic checks name against the grammar
//
//	site:online | poll:{id} | poll:{id}:count | thread:{id} | question:{id}
//	agency:{id} | mod:queue | feed:answers | user:{id}
//
// where {id} is a 26-character lowercase ULID, and returns its kind.
func parseTopic(name string) (topicKind, error) {
	if name == "" || len(name) > maxTopicLen {
		return 0, ErrMalformedTopic
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-') {
			return 0, ErrMalformedTopic
		}
	}
	family, rest, ok := strings.Cut(name, ":")
	if !ok || family == "" || rest == "" {
		return 0, ErrMalformedTopic
	}
	switch family {
	case "site":
		if rest == "online" {
			return kindState, nil
		}
		return 0, ErrUnknownTopic
	case "mod":
		if rest == "queue" {
			return kindEvent, nil
		}
		return 0, ErrUnknownTopic
	case "feed":
		if rest == "answers" {
			return kindEvent, nil
		}
		return 0, ErrUnknownTopic
	case "poll":
		pid, suffix, _ := strings.Cut(rest, ":")
		if !id.Valid(pid) {
			return 0, ErrMalformedTopic
		}
		if suffix == "" && len(rest) == len(pid) || suffix == "count" {
			return kindState, nil
		}
		return 0, ErrMalformedTopic
	case "thread", "question", "agency", "user":
		if !id.Valid(rest) {
			return 0, ErrMalformedTopic
		}
		return kindEvent, nil
	}
	return 0, ErrUnknownTopic
}

// ValidTopic reports whether name follows the topic grammar. Domains may use
// it to check the names they build.
func ValidTopic(name string) bool {
	_, err := parseTopic(name)
	return err == nil
}

// IsStateTopic reports whether name is a valid latest-state topic (one that
// carries snapshots through Changed rather than events through Publish).
func IsStateTopic(name string) bool {
	k, err := parseTopic(name)
	return err == nil && k == kindState
}

// prefixTable maps topic prefixes to values; the longest matching prefix wins.
// It is written during setup and read on every subscription, so it is
// copy-on-write behind the owner's lock.
type prefixTable[V any] []prefixEntry[V]

type prefixEntry[V any] struct {
	prefix string
	value  V
}

// with returns a copy of t with prefix set to v, longest prefixes first.
func (t prefixTable[V]) with(prefix string, v V) prefixTable[V] {
	out := make(prefixTable[V], 0, len(t)+1)
	for _, e := range t {
		if e.prefix != prefix {
			out = append(out, e)
		}
	}
	out = append(out, prefixEntry[V]{prefix, v})
	for i := len(out) - 1; i > 0 && len(out[i].prefix) > len(out[i-1].prefix); i-- {
		out[i], out[i-1] = out[i-1], out[i]
	}
	return out
}

// lookup returns the value of the longest prefix of topic in t.
func (t prefixTable[V]) lookup(topic string) (V, bool) {
	for _, e := range t {
		if strings.HasPrefix(topic, e.prefix) {
			return e.value, true
		}
	}
	var zero V
	return zero, false
}
