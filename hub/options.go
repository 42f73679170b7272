package hub

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"
)

// Options are the hub's settings. The zero value of a field means its
// default; Origins has none and must be set.
type Options struct {
	// Origins is the allowlist of browser origins ("https://portal.example")
	// that may open a socket: the base URL's origin plus any allowed others.
	// A request without an Origin header is refused.
	Origins []string

	// MaxConnections bounds the sockets of this node (default 20,000).
	MaxConnections int
	// MaxConnectionsPerIP bounds the sockets of one client address (default 50).
	MaxConnectionsPerIP int
	// MaxSubscriptions bounds the topics of one socket (default 32).
	MaxSubscriptions int
	// ReadLimit is the largest client frame in bytes; a larger one closes the
	// socket with 1009 (default 4 KiB).
	ReadLimit int64
	// MessageRate and MessageBurst limit client frames per socket: a token
	// bucket of MessageBurst refilled at MessageRate per second (defaults 10
	// and 20). Frames over it are answered rate_limited once and dropped;
	// MessageBurst more drops in a row close the socket with 1008.
	MessageRate  float64
	MessageBurst int
	// SendQueue bounds the messages waiting to be written to one socket; a
	// socket whose queue is full is a slow client and is disconnected
	// (default 256).
	SendQueue int
	// Writers is the number of goroutines writing to sockets, shared by all
	// connections (default 64).
	Writers int
	// FanoutWriters is how many of the writers share one broadcast to a
	// topic's subscribers, one per 512 sockets at most (default GOMAXPROCS).
	FanoutWriters int
	// WriteTimeout bounds one write to a socket (default 5 s). Data frames
	// carry no deadline: a watchdog that looks at the writers every
	// min(100 ms, WriteTimeout/10) closes a socket whose write has been
	// blocked for longer, so a stalled write is cut after between
	// WriteTimeout and WriteTimeout plus one tick. Control frames (ping,
	// pong, close) are written with a deadline of WriteTimeout.
	WriteTimeout time.Duration
	// PingInterval is how often each socket is pinged; a socket that sends
	// nothing (not even a pong) for 1.1*PingInterval+PongWait is closed
	// (defaults 25 s and 10 s). A ping goes out up to PingInterval/10
	// after its turn: until then it rides on the socket's next broadcast,
	// if one comes (ping.go).
	PingInterval time.Duration
	PongWait     time.Duration
	// CloseGrace is how long a closing socket waits for the client's close
	// frame (default 1 s).
	CloseGrace time.Duration
	// AuthTimeout bounds one Authorizer or SnapshotFunc call (default 5 s).
	AuthTimeout time.Duration

	// SnapshotIntervals is the coalescing interval per topic prefix: at most
	// one snapshot per interval per topic. Defaults: "poll:" 250 ms,
	// "site:online" 1 s; other prefixes DefaultSnapshotInterval.
	SnapshotIntervals map[string]time.Duration
	// LocalSnapshots lists latest-state topics that every node builds from
	// state the cluster shares, so each node delivers its own snapshot to
	// its own subscribers instead of broadcasting it: refreshed every
	// interval while the node has subscribers, sent only when the data
	// changed. Default: site:online (presence and visit counts live in
	// Redis, or in the one node). Set it to an empty, non-nil slice to
	// broadcast every snapshot.
	LocalSnapshots []string

	// DefaultSnapshotInterval is the interval of prefixes not in
	// SnapshotIntervals (default 250 ms).
	DefaultSnapshotInterval time.Duration

	// History stores event topics' history (default NewMemoryHistory with
	// HistorySize events per topic kept for HistoryTTL: 100 and 15 min).
	History     History
	HistorySize int
	HistoryTTL  time.Duration
	// Versions hands out snapshot versions (default NewMemoryVersions).
	Versions VersionSource
	// Presence counts the distinct visitors online (default
	// NewMemoryPresence; NewRedisPresence in a cluster). The hub owns it:
	// New runs it and Shutdown closes it.
	Presence Presence
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MaxConnections, 20000)
	def(&o.MaxConnectionsPerIP, 50)
	def(&o.MaxSubscriptions, 32)
	def(&o.MessageBurst, 20)
	def(&o.SendQueue, 256)
	def(&o.Writers, 64)
	def(&o.FanoutWriters, 2*runtime.GOMAXPROCS(0))
	def(&o.HistorySize, 100)
	if o.ReadLimit == 0 {
		o.ReadLimit = 4096
	}
	if o.MessageRate == 0 {
		o.MessageRate = 10
	}
	dur(&o.WriteTimeout, 5*time.Second)
	dur(&o.PingInterval, 25*time.Second)
	dur(&o.PongWait, 10*time.Second)
	dur(&o.CloseGrace, time.Second)
	dur(&o.AuthTimeout, 5*time.Second)
	dur(&o.DefaultSnapshotInterval, 250*time.Millisecond)
	dur(&o.HistoryTTL, 15*time.Minute)
	iv := map[string]time.Duration{"poll:": 250 * time.Millisecond, TopicSiteOnline: time.Second}
	for p, d := range o.SnapshotIntervals {
		iv[p] = d
	}
	o.SnapshotIntervals = iv
	if o.LocalSnapshots == nil {
		o.LocalSnapshots = []string{TopicSiteOnline}
	}
	if o.History == nil {
		o.History = NewMemoryHistory(o.HistorySize, o.HistoryTTL)
	}
	if o.Versions == nil {
		o.Versions = NewMemoryVersions()
	}
	if o.Presence == nil {
		o.Presence = NewMemoryPresence()
	}
	return o
}

// validate names the first bad setting.
func (o Options) validate() error {
	if len(o.Origins) == 0 {
		return errors.New("hub: Origins: at least one allowed origin is required")
	}
	for _, s := range o.Origins {
		if _, err := normalizeOrigin(s); err != nil {
			return fmt.Errorf("hub: Origins: %q: %w", s, err)
		}
	}
	for name, v := range map[string]int{
		"MaxConnections": o.MaxConnections, "MaxConnectionsPerIP": o.MaxConnectionsPerIP,
		"MaxSubscriptions": o.MaxSubscriptions, "MessageBurst": o.MessageBurst,
		"SendQueue": o.SendQueue, "Writers": o.Writers, "FanoutWriters": o.FanoutWriters, "HistorySize": o.HistorySize,
	} {
		if v < 1 {
			return fmt.Errorf("hub: %s: must be positive, got %d", name, v)
		}
	}
	if o.ReadLimit < 128 || o.MessageRate <= 0 {
		return errors.New("hub: ReadLimit must be at least 128 and MessageRate positive")
	}
	for p, d := range o.SnapshotIntervals {
		if d <= 0 {
			return fmt.Errorf("hub: SnapshotIntervals[%q]: must be positive", p)
		}
	}
	for _, d := range []time.Duration{o.WriteTimeout, o.PingInterval, o.PongWait, o.CloseGrace, o.AuthTimeout, o.DefaultSnapshotInterval, o.HistoryTTL} {
		if d < 0 {
			return errors.New("hub: durations must not be negative")
		}
	}
	return nil
}

// normalizeOrigin reduces an origin to lowercase "scheme://host[:port]".
func normalizeOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("want scheme://host[:port]")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
