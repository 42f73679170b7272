package hub

import (
	"context"
	"testing"
	"time"
)

func TestMemoryHistorySince(t *testing.T) {
	ctx := context.Background()
	h := NewMemoryHistory(3, time.Hour)
	var pos Position
	for range 5 {
		var err error
		if pos, err = h.Append(ctx, "thread:"+pid, "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	if pos.Seq != 5 || pos.Epoch == "" {
		t.Fatalf("Append position = %+v, want seq 5 in an epoch", pos)
	}
	e := pos.Epoch
	tests := []struct {
		name  string
		since Position
		ok    bool
		seqs  []uint64
	}{
		{"no since", Position{}, true, nil},
		{"up to date", Position{e, 5}, true, nil},
		{"one missed", Position{e, 4}, true, []uint64{5}},
		{"oldest held", Position{e, 2}, true, []uint64{3, 4, 5}},
		{"older than held", Position{e, 1}, false, nil},
		{"ahead", Position{e, 6}, false, nil},
		{"other epoch", Position{"other", 4}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur, events, ok, err := h.Since(ctx, "thread:"+pid, tc.since)
			if err != nil || cur != pos || ok != tc.ok || len(events) != len(tc.seqs) {
				t.Fatalf("Since(%+v) = %+v, %d events, %v, %v; want %+v, %d events, %v", tc.since, cur, len(events), ok, err, pos, len(tc.seqs), tc.ok)
			}
			for i, ev := range events {
				if ev.Seq != tc.seqs[i] {
					t.Errorf("Since(%+v) event %d seq = %d, want %d", tc.since, i, ev.Seq, tc.seqs[i])
				}
			}
		})
	}
}

func TestMemoryHistoryExpiryStartsNewEpoch(t *testing.T) {
	ctx := context.Background()
	h := NewMemoryHistory(10, time.Minute)
	now := time.Unix(1000, 0)
	h.now = func() time.Time { return now }
	first, _ := h.Append(ctx, "mod:queue", "x", nil)
	now = now.Add(2 * time.Minute)
	second, _ := h.Append(ctx, "mod:queue", "x", nil)
	if second.Epoch == first.Epoch || second.Seq != 1 {
		t.Fatalf("Append after expiry = %+v, want a new epoch at seq 1 (was %+v)", second, first)
	}
	if _, _, ok, _ := h.Since(ctx, "mod:queue", first); ok {
		t.Fatalf("Since(old epoch) ok = true, want false")
	}
}

func TestMemoryVersionsRise(t *testing.T) {
	v := NewMemoryVersions()
	now := time.Unix(2000, 0)
	v.now = func() time.Time { return now }
	a, _ := v.Next(context.Background(), "poll:"+pid)
	now = now.Add(-time.Hour) // the clock steps back
	b, _ := v.Next(context.Background(), "site:online")
	if b <= a {
		t.Fatalf("Next after Next = %d, %d; want rising", a, b)
	}
}

func TestMemoryBrokerRefCounts(t *testing.T) {
	ctx := context.Background()
	b := NewMemoryBroker()
	var got []string
	if err := b.Run(recorder{&got}); err != nil {
		t.Fatal(err)
	}
	other := b.Join()
	_ = b.Subscribe(ctx, "t")
	_ = b.Subscribe(ctx, "t")
	_ = b.Unsubscribe(ctx, "t")
	_ = other.Publish(ctx, Message{Topic: "t", Frame: []byte("1")})
	_ = b.Unsubscribe(ctx, "t")
	_ = other.Publish(ctx, Message{Topic: "t", Frame: []byte("2")})
	if len(got) != 1 || got[0] != "1" {
		t.Fatalf("delivered %v, want [1]: the topic stays subscribed until its last reference goes", got)
	}
	_ = b.Close(ctx)
	if err := b.Publish(ctx, Message{Topic: "t"}); err == nil {
		t.Fatalf("Publish after Close = nil, want ErrBrokerClosed")
	}
}

type recorder struct{ got *[]string }

func (r recorder) HandleMessage(m Message) { *r.got = append(*r.got, string(m.Frame)) }
func (r recorder) HandleResubscribed()     {}
