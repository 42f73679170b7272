package hub

import (
	"bytes"
	"errors"
	"strconv"
	"time"
)

// Messages cross Redis as a small text envelope: six header lines and the
// body.
//
//	kind \n published (Unix µs) \n topic \n epoch \n seq or version \n event type \n body
//
// kind is 'e' (event, body is its frame), 'd' (event, body is its data: the
// frame is built by each receiving node; RedisHistory's append script
// publishes this form because it assigns the sequence number itself), 's'
// (snapshot, body is its frame) or 'c' (control, body is the instruction).
// Topics, epochs and event types never contain a newline; the body may.

// Redis key and channel names. The topic is a hash tag, so a topic's history
// keys and its channel share one Redis Cluster slot, as the append script
// and sharded pub/sub require.
const redisPrefix = "civichub:"

func topicChannel(topic string) string { return redisPrefix + "t:{" + topic + "}" }

var errBadEnvelope = errors.New("hub: malformed broker envelope")

const envelopeFields = 6

func encodeEnvelope(m Message) []byte {
	var kind byte
	var n uint64
	switch m.Kind {
	case KindEvent:
		kind, n = 'e', m.Position.Seq
	case KindSnapshot:
		kind, n = 's', m.Version
	default:
		kind = 'c'
	}
	b := make([]byte, 0, 48+len(m.Topic)+len(m.Position.Epoch)+len(m.Frame))
	b = append(b, kind, '\n')
	b = strconv.AppendInt(b, m.Published.UnixMicro(), 10)
	b = append(b, '\n')
	b = append(b, m.Topic...)
	b = append(b, '\n')
	b = append(b, m.Position.Epoch...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, n, 10)
	b = append(b, '\n', '\n')
	return append(b, m.Frame...)
}

func decodeEnvelope(p []byte) (Message, error) {
	var f [envelopeFields][]byte
	for i := range f {
		j := bytes.IndexByte(p, '\n')
		if j < 0 {
			return Message{}, errBadEnvelope
		}
		f[i], p = p[:j], p[j+1:]
	}
	if len(f[0]) != 1 || len(f[2]) == 0 {
		return Message{}, errBadEnvelope
	}
	us, err1 := strconv.ParseInt(string(f[1]), 10, 64)
	n, err2 := strconv.ParseUint(string(f[4]), 10, 64)
	if err1 != nil || err2 != nil {
		return Message{}, errBadEnvelope
	}
	m := Message{Topic: string(f[2]), Published: time.UnixMicro(us), Frame: p}
	switch f[0][0] {
	case 'e':
		m.Kind, m.Position = KindEvent, Position{Epoch: string(f[3]), Seq: n}
	case 'd':
		m.Kind, m.Position = KindEvent, Position{Epoch: string(f[3]), Seq: n}
		m.Frame = eventFrame(m.Topic, m.Position, string(f[5]), p)
	case 's':
		m.Kind, m.Version = KindSnapshot, n
	case 'c':
		m.Kind = KindControl
	default:
		return Message{}, errBadEnvelope
	}
	return m, nil
}
