package hub

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/civichub/civichub/apperr"
)

const pid = "01jd8gt3vz0gp4kka2jbjh4pmy"

func TestParseTopic(t *testing.T) {
	tests := []struct {
		name string
		kind topicKind
		err  error
	}{
		{"site:online", kindState, nil},
		{"poll:" + pid, kindState, nil},
		{"poll:" + pid + ":count", kindState, nil},
		{"thread:" + pid, kindEvent, nil},
		{"question:" + pid, kindEvent, nil},
		{"agency:" + pid, kindEvent, nil},
		{"user:" + pid, kindEvent, nil},
		{"mod:queue", kindEvent, nil},
		{"feed:answers", kindEvent, nil},
		{"", 0, ErrMalformedTopic},
		{"site", 0, ErrMalformedTopic},
		{"site:", 0, ErrMalformedTopic},
		{":online", 0, ErrMalformedTopic},
		{"Site:online", 0, ErrMalformedTopic},
		{"poll:" + strings.ToUpper(pid), 0, ErrMalformedTopic},
		{"poll:123", 0, ErrMalformedTopic},
		{"poll:" + pid + ":", 0, ErrMalformedTopic},
		{"poll:" + pid + ":votes", 0, ErrMalformedTopic},
		{"thread:" + pid + ":count", 0, ErrMalformedTopic},
		{"thread:../../etc/passwd", 0, ErrMalformedTopic},
		{"thread:" + pid + " ", 0, ErrMalformedTopic},
		{strings.Repeat("a", 200) + ":b", 0, ErrMalformedTopic},
		{"$hub:control", 0, ErrMalformedTopic},
		{"site:offline", 0, ErrUnknownTopic},
		{"mod:all", 0, ErrUnknownTopic},
		{"nosuch:thing", 0, ErrUnknownTopic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, err := parseTopic(tc.name)
			if kind != tc.kind || !errors.Is(err, tc.err) {
				t.Errorf("parseTopic(%q) = %v, %v, want %v, %v", tc.name, kind, err, tc.kind, tc.err)
			}
		})
	}
}

func TestDecodeClientFrame(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  apperr.Code // "" for success
		topic string      // the topic the error frame names
	}{
		{"subscribe", `{"op":"subscribe","topic":"site:online"}`, "", ""},
		{"subscribe since", `{"op":"subscribe","topic":"thread:` + pid + `","since":{"epoch":"abc","seq":41}}`, "", ""},
		{"unsubscribe", `{"op":"unsubscribe","topic":"mod:queue"}`, "", ""},
		{"whitespace", " {\"topic\":\"site:online\" , \"op\":\"subscribe\"}\n", "", ""},
		{"not json", `{"op":`, apperr.Invalid, ""},
		{"empty", ``, apperr.Invalid, ""},
		{"array", `[1,2]`, apperr.Invalid, ""},
		{"null", `null`, apperr.Invalid, ""},
		{"trailing", `{"op":"subscribe","topic":"site:online"} {}`, apperr.Invalid, ""},
		{"unknown field", `{"op":"subscribe","topic":"site:online","x":1}`, apperr.Invalid, ""},
		{"wrong type", `{"op":"subscribe","topic":7}`, apperr.Invalid, ""},
		{"unknown op", `{"op":"publish","topic":"site:online"}`, apperr.Invalid, "site:online"},
		{"missing op", `{"topic":"site:online"}`, apperr.Invalid, "site:online"},
		{"malformed topic", `{"op":"subscribe","topic":"poll:nope"}`, apperr.Invalid, ""},
		{"unknown topic", `{"op":"subscribe","topic":"weather:hanoi"}`, apperr.NotFound, "weather:hanoi"},
		{"since on state topic", `{"op":"subscribe","topic":"site:online","since":{"epoch":"a","seq":1}}`, apperr.Invalid, "site:online"},
		{"since without epoch", `{"op":"subscribe","topic":"mod:queue","since":{"seq":1}}`, apperr.Invalid, "mod:queue"},
		{"negative seq", `{"op":"subscribe","topic":"mod:queue","since":{"epoch":"a","seq":-1}}`, apperr.Invalid, ""},
		{"since on unsubscribe", `{"op":"unsubscribe","topic":"mod:queue","since":{"epoch":"a","seq":1}}`, apperr.Invalid, "mod:queue"},
		{"long epoch", `{"op":"subscribe","topic":"mod:queue","since":{"epoch":"` + strings.Repeat("e", 65) + `","seq":1}}`, apperr.Invalid, "mod:queue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeClientFrame([]byte(tc.in))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("decodeClientFrame(%s) = %v, want nil", tc.in, err)
				}
				return
			}
			var fe *errFrame
			if !errors.As(err, &fe) || fe.err.Code != tc.code || fe.topic != tc.topic {
				t.Fatalf("decodeClientFrame(%s) = %v, want code %s topic %q", tc.in, err, tc.code, tc.topic)
			}
		})
	}
}

// TestServerFramesAreJSON checks that the hand-built frames decode to what
// they say, escaping included.
func TestServerFramesAreJSON(t *testing.T) {
	frames := [][]byte{
		subscribedFrame("thread:"+pid, Position{Epoch: "e1", Seq: 41}, true),
		snapshotFrame("site:online", 17, json.RawMessage(`{"total":38}`)),
		eventFrame("thread:"+pid, Position{Epoch: "e1", Seq: 42}, "post.created", json.RawMessage(`{"id":"x"}`)),
		reloadFrame("thread:" + pid),
		errorFrame("", apperr.Forbidden, `quote " and <tag> and tiếng Việt`),
	}
	for _, b := range frames {
		var f frame
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("frame %s does not decode: %v", b, err)
		}
	}
}

func FuzzDecodeClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"op":"subscribe","topic":"site:online"}`,
		`{"op":"subscribe","topic":"thread:` + pid + `","since":{"epoch":"abc","seq":41}}`,
		`{"op":"unsubscribe","topic":"poll:` + pid + `:count"}`,
		`{"op":"subscribe","topic":"thread:x","since":null}`,
		`[]`, `"x"`, `{"op":"\u0073ubscribe","topic":"mod:queue"}`, `{}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := decodeClientFrame(data)
		if err != nil {
			var fe *errFrame
			if !errors.As(err, &fe) {
				t.Fatalf("decodeClientFrame(%q) = %v, not an *errFrame", data, err)
			}
			if c := fe.err.Code; c != apperr.Invalid && c != apperr.NotFound {
				t.Fatalf("decodeClientFrame(%q) code = %s, want invalid or not_found", data, c)
			}
			return
		}
		if cf.Op != opSubscribe && cf.Op != opUnsubscribe {
			t.Fatalf("decodeClientFrame(%q) op = %q", data, cf.Op)
		}
		if !ValidTopic(cf.Topic) {
			t.Fatalf("decodeClientFrame(%q) topic = %q, not valid", data, cf.Topic)
		}
		// What was accepted survives a round trip unchanged.
		again, err := json.Marshal(cf)
		if err != nil {
			t.Fatal(err)
		}
		cf2, err := decodeClientFrame(again)
		if err != nil || cf2.Op != cf.Op || cf2.Topic != cf.Topic || (cf.Since == nil) != (cf2.Since == nil) ||
			(cf.Since != nil && *cf.Since != *cf2.Since) {
			t.Fatalf("round trip of %q = %+v, %v, want %+v", again, cf2, err, cf)
		}
	})
}
