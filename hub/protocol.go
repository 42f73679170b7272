package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// Protocol v1: JSON text frames, documented in docs/protocol.md.

// Client operations.
const (
	opSubscribe   = "subscribe"
	opUnsubscribe = "unsubscribe"
)

// Server operations.
const (
	opSubscribed = "subscribed"
	opSnapshot   = "snapshot"
	opEvent      = "event"
	opReload     = "reload"
	opError      = "error"
)

// ReasonHistoryGap is the reason of a reload frame: the events a client missed
// cannot be replayed, so it must refetch what it shows.
const ReasonHistoryGap = "history_gap"

// Position is a place in an event topic's stream: the epoch names one
// unbroken history of the topic and Seq counts its events from 1. Positions
// of different epochs are not comparable.
type Position struct {
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// clientFrame is a decoded client frame.
type clientFrame struct {
	Op    string    `json:"op"`
	Topic string    `json:"topic"`
	Since *Position `json:"since,omitempty"`
}

// maxEpochLen bounds the epoch a client may send back.
const maxEpochLen = 64

// errFrame is a frame the decoder refused. Topic is the frame's topic when it
// was readable, so the error frame can name it.
type errFrame struct {
	topic string
	err   *apperr.Error
}

func (e *errFrame) Error() string { return e.err.Error() }

func frameErr(topic string, code apperr.Code, key string, cause error) *errFrame {
	return &errFrame{topic: topic, err: apperr.Wrap(code, key, cause)}
}

// decodeClientFrame decodes one client frame strictly: one JSON object,
// known fields only, a known op, a topic that follows the grammar and a since
// only on subscribe. Every refusal is an *errFrame with code invalid, or
// not_found for a well-formed topic of no known family.
func decodeClientFrame(data []byte) (clientFrame, error) {
	var f clientFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, frameErr("", apperr.Invalid, "invalid_json", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return f, frameErr("", apperr.Invalid, "invalid_json", errors.New("trailing data"))
	}
	kind, terr := parseTopic(f.Topic)
	switch {
	case errors.Is(terr, ErrUnknownTopic):
		return f, frameErr(f.Topic, apperr.NotFound, "topic_not_found", terr)
	case terr != nil:
		return f, frameErr("", apperr.Invalid, "topic_invalid", terr)
	}
	switch f.Op {
	case opSubscribe:
		if f.Since != nil && (kind != kindEvent || f.Since.Epoch == "" || len(f.Since.Epoch) > maxEpochLen) {
			return f, frameErr(f.Topic, apperr.Invalid, "invalid_input", errors.New("bad since"))
		}
	case opUnsubscribe:
		if f.Since != nil {
			return f, frameErr(f.Topic, apperr.Invalid, "invalid_input", errors.New("since on unsubscribe"))
		}
	default:
		return f, frameErr(f.Topic, apperr.Invalid, "op_unknown", errors.New("unknown op"))
	}
	return f, nil
}

// Server frames are built by hand in field order: they are encoded on every
// publish and every subscription, and their strings are either validated
// topic names and epochs (no escaping needed) or go through json.Marshal.

func appendString(b []byte, s string) []byte {
	out, _ := json.Marshal(s)
	return append(b, out...)
}

func subscribedFrame(topic string, pos Position, recovered bool) []byte {
	b := make([]byte, 0, 96+len(topic))
	b = append(b, `{"op":"subscribed","topic":`...)
	b = appendString(b, topic)
	b = append(b, `,"epoch":`...)
	b = appendString(b, pos.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, pos.Seq, 10)
	b = append(b, `,"recovered":`...)
	b = strconv.AppendBool(b, recovered)
	return append(b, '}')
}

func snapshotFrame(topic string, version uint64, data json.RawMessage) []byte {
	b := make([]byte, 0, 64+len(topic)+len(data))
	b = append(b, `{"op":"snapshot","topic":`...)
	b = appendString(b, topic)
	b = append(b, `,"version":`...)
	b = strconv.AppendUint(b, version, 10)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}')
}

func eventFrame(topic string, pos Position, eventType string, data json.RawMessage) []byte {
	b := make([]byte, 0, 96+len(topic)+len(eventType)+len(data))
	b = append(b, `{"op":"event","topic":`...)
	b = appendString(b, topic)
	b = append(b, `,"epoch":`...)
	b = appendString(b, pos.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, pos.Seq, 10)
	b = append(b, `,"type":`...)
	b = appendString(b, eventType)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}')
}

func reloadFrame(topic string) []byte {
	b := make([]byte, 0, 64+len(topic))
	b = append(b, `{"op":"reload","topic":`...)
	b = appendString(b, topic)
	b = append(b, `,"reason":"`+ReasonHistoryGap+`"}`...)
	return b
}

func errorFrame(topic string, code apperr.Code, message string) []byte {
	b := make([]byte, 0, 64+len(topic)+len(message))
	b = append(b, `{"op":"error","topic":`...)
	b = appendString(b, topic)
	b = append(b, `,"code":`...)
	b = appendString(b, string(code))
	b = append(b, `,"message":`...)
	b = appendString(b, message)
	return append(b, '}')
}

// marshalData encodes a payload once for every subscriber. It must be a JSON
// value; json.RawMessage is taken as it is after validation.
func marshalData(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return nil, errors.New("invalid JSON payload")
		}
		return compact(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func compact(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errorFrameFor renders err as an error frame about topic. Internal errors
// get the generic text; their cause stays in the server's log.
func errorFrameFor(lang i18n.Lang, topic string, err error) []byte {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		return errorFrame(topic, apperr.Internal, i18n.T(lang, "internal"))
	}
	return errorFrame(topic, e.Code, i18n.T(lang, e.Key))
}
