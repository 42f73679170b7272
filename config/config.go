// Package config reads civichub's settings from environment variables and the
// matching command-line flags (a flag wins over its variable), applies
// defaults, and validates them, naming the bad setting in its error.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/ratelimit"
)

// Config is every setting civichub reads.
type Config struct {
	Addr            string
	DataDir         string
	BaseURL         *url.URL
	AllowedOrigins  []string
	LogFormat       string
	LogLevel        string
	Lang            i18n.Lang
	MongoURI        string
	MongoDatabase   string
	RedisURL        string
	Timezone        *time.Location
	TrustedProxies  []netip.Prefix
	ShutdownTimeout time.Duration

	MaxBodyBytes    int64
	SessionTTL      time.Duration
	HashConcurrency int
	LoginPerIP      ratelimit.Rate
	LoginPerAccount ratelimit.Rate
	RegisterPerIP   ratelimit.Rate
	VotePerIP       ratelimit.Rate
	PostRate        ratelimit.Rate
	PostRateNew     ratelimit.Rate
	FlagThreshold   int
	QuestionRate    ratelimit.Rate
	AnswerDays      int
	Holidays        []string
	MakeupDays      []string

	WSMaxConnections   int
	WSMaxPerIP         int
	WSMaxSubscriptions int
	WSReadLimit        int
	WSMessageRate      int
	WSSendQueue        int
	WSWriters          int
	SnapshotPolls      time.Duration
	SnapshotOnline     time.Duration
	HistorySize        int
	HistoryTTL         time.Duration
	BenchPublish       bool
	DebugAddr          string

	baseURLDefault bool // BaseURL was derived from Addr
}

// Setting describes one setting: its variable, flag, default and meaning. The
// README's configuration table is checked against Settings by a test.
type Setting struct {
	Env, Flag, Default, Help string
	parse                    func(c *Config, v string) error
}

// Settings lists every setting in the order the README shows them.
func Settings() []Setting {
	return []Setting{
		{"CIVICHUB_ADDR", "addr", "127.0.0.1:8080", "Address the HTTP server listens on.", func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return errors.New("want host:port, for example 127.0.0.1:8080")
			}
			c.Addr = v
			return nil
		}},
		{"CIVICHUB_DATA_DIR", "data-dir", "./civichub-data", "Folder for the embedded SQLite database and other local data.", func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		}},
		{"CIVICHUB_BASE_URL", "base-url", "", "Public origin of the site, such as https://congdan.example.gov.vn. Used for links, the WebSocket Origin allowlist and secure cookies (https). Default: http:// plus CIVICHUB_ADDR.", parseBaseURL},
		{"CIVICHUB_ALLOWED_ORIGINS", "allowed-origins", "", "Further origins (comma-separated) allowed to open WebSockets and embed widgets, such as the portal that frames them.", parseOrigins},
		{"CIVICHUB_LOG_FORMAT", "log-format", "text", "Log format: text or json.", oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{"CIVICHUB_LOG_LEVEL", "log-level", "info", "Log level: debug, info, warn or error.", oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
		{"CIVICHUB_LANG", "lang", "vi", "Default language of pages and messages: vi or en.", func(c *Config, v string) error {
			l, ok := i18n.Parse(v)
			if !ok {
				return errors.New("want vi or en")
			}
			c.Lang = l
			return nil
		}},
		{"CIVICHUB_MONGO_URI", "mongo-uri", "", "MongoDB connection string. Unset: the embedded SQLite store in the data folder.", func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "mongodb://") && !strings.HasPrefix(v, "mongodb+srv://") {
				return errors.New("want a mongodb:// or mongodb+srv:// URI")
			}
			c.MongoURI = v
			return nil
		}},
		{"CIVICHUB_MONGO_DATABASE", "mongo-database", "civichub", "MongoDB database name.", func(c *Config, v string) error {
			if v == "" || strings.ContainsAny(v, `/\. "$`) {
				return errors.New("want a plain database name")
			}
			c.MongoDatabase = v
			return nil
		}},
		{"CIVICHUB_REDIS_URL", "redis-url", "", "Redis URL (redis://host:port/0). Unset: in-process broker, presence and counters (one node only).", func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "redis://") && !strings.HasPrefix(v, "rediss://") && !strings.HasPrefix(v, "unix://") {
				return errors.New("want a redis://, rediss:// or unix:// URL")
			}
			c.RedisURL = v
			return nil
		}},
		{"CIVICHUB_TIMEZONE", "timezone", "Asia/Ho_Chi_Minh", "Time zone for days, deadlines and schedules.", func(c *Config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil {
				return errors.New("unknown time zone")
			}
			c.Timezone = loc
			return nil
		}},
		{"CIVICHUB_TRUSTED_PROXIES", "trusted-proxies", "", "Comma-separated addresses or CIDR ranges of load balancers whose X-Forwarded-For is believed. None by default.", parseProxies},
		{"CIVICHUB_SHUTDOWN_TIMEOUT", "shutdown-timeout", "15s", "How long a graceful shutdown waits for requests to finish.", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{"CIVICHUB_MAX_BODY_BYTES", "max-body-bytes", "1048576", "Largest request body accepted, in bytes.", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return errors.New("want a whole number of bytes, at least 1024")
			}
			c.MaxBodyBytes = n
			return nil
		}},
		{"CIVICHUB_SESSION_TTL", "session-ttl", "720h", "How long a login session lasts.", duration(func(c *Config) *time.Duration { return &c.SessionTTL })},
		{"CIVICHUB_HASH_CONCURRENCY", "hash-concurrency", "2", "Most password hashes computed at once (each holds 19 MiB); bounds memory under a login storm.", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 256 {
				return errors.New("want a whole number from 1 to 256")
			}
			c.HashConcurrency = n
			return nil
		}},
		{"CIVICHUB_RATE_LOGIN_IP", "rate-login-ip", "30/1m", "Login attempts allowed per client IP (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.LoginPerIP })},
		{"CIVICHUB_RATE_LOGIN_ACCOUNT", "rate-login-account", "10/15m", "Login attempts allowed per account (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.LoginPerAccount })},
		{"CIVICHUB_RATE_REGISTER_IP", "rate-register-ip", "10/1h", "Registrations allowed per client IP (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.RegisterPerIP })},
		{"CIVICHUB_RATE_POST", "rate-post", "6/1m", "Forum posts (threads and replies) allowed per user (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.PostRate })},
		{"CIVICHUB_RATE_POST_NEW", "rate-post-new", "2/1m", "Forum posts allowed per user during an account's first day (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.PostRateNew })},
		{"CIVICHUB_FLAG_THRESHOLD", "flag-threshold", "3", "Flags from different users that hide a post until a moderator reviews it.", count(func(c *Config) *int { return &c.FlagThreshold }, 1, 1000)},
		{"CIVICHUB_RATE_QUESTION", "rate-question", "5/1h", "Q&A questions allowed per user (N/duration, or off).", rate(func(c *Config) *ratelimit.Rate { return &c.QuestionRate })},
		{"CIVICHUB_ANSWER_DAYS", "answer-days", "5", "Working days an agency has to answer a question, counted from its acceptance, unless the agency has its own setting.", count(func(c *Config) *int { return &c.AnswerDays }, 1, 60)},
		{"CIVICHUB_HOLIDAYS", "holidays", "", "Comma-separated public holidays (YYYY-MM-DD, in CIVICHUB_TIMEZONE) skipped by answer deadlines, such as 2026-04-30,2026-05-01. None by default.", dates(func(c *Config) *[]string { return &c.Holidays })},
		{"CIVICHUB_MAKEUP_DAYS", "makeup-days", "", "Comma-separated make-up working days (YYYY-MM-DD), such as a working Saturday, counted by answer deadlines. None by default.", dates(func(c *Config) *[]string { return &c.MakeupDays })},
		{"CIVICHUB_RATE_VOTE_IP", "rate-vote-ip", "120/1m", "Guests' poll votes allowed per client IP (N/duration, or off); an office or school behind one address needs room.", rate(func(c *Config) *ratelimit.Rate { return &c.VotePerIP })},
		{"CIVICHUB_WS_MAX_CONNECTIONS", "ws-max-connections", "20000", "Most WebSocket connections one node holds.", count(func(c *Config) *int { return &c.WSMaxConnections }, 1, 1_000_000)},
		{"CIVICHUB_WS_MAX_PER_IP", "ws-max-per-ip", "50", "Most WebSocket connections from one client IP.", count(func(c *Config) *int { return &c.WSMaxPerIP }, 1, 1_000_000)},
		{"CIVICHUB_WS_MAX_SUBSCRIPTIONS", "ws-max-subscriptions", "32", "Most topics one WebSocket connection may subscribe to.", count(func(c *Config) *int { return &c.WSMaxSubscriptions }, 1, 1000)},
		{"CIVICHUB_WS_READ_LIMIT", "ws-read-limit", "4096", "Largest frame a client may send, in bytes; a larger one closes the socket (1009).", count(func(c *Config) *int { return &c.WSReadLimit }, 256, 1<<20)},
		{"CIVICHUB_WS_MESSAGE_RATE", "ws-message-rate", "10", "Frames per second a client may send on one socket (bursts of twice that).", count(func(c *Config) *int { return &c.WSMessageRate }, 1, 10_000)},
		{"CIVICHUB_WS_SEND_QUEUE", "ws-send-queue", "256", "Messages queued for one socket; a client that falls this far behind is disconnected.", count(func(c *Config) *int { return &c.WSSendQueue }, 8, 65_536)},
		{"CIVICHUB_WS_WRITERS", "ws-writers", "64", "Goroutines writing to sockets, shared by all connections.", count(func(c *Config) *int { return &c.WSWriters }, 1, 4096)},
		{"CIVICHUB_SNAPSHOT_INTERVAL_POLLS", "snapshot-interval-polls", "250ms", "At most one poll results snapshot per poll per interval.", duration(func(c *Config) *time.Duration { return &c.SnapshotPolls })},
		{"CIVICHUB_SNAPSHOT_INTERVAL_ONLINE", "snapshot-interval-online", "1s", "At most one site:online snapshot per interval.", duration(func(c *Config) *time.Duration { return &c.SnapshotOnline })},
		{"CIVICHUB_HISTORY_SIZE", "history-size", "100", "Events kept per event topic for clients that reconnect.", count(func(c *Config) *int { return &c.HistorySize }, 1, 100_000)},
		{"CIVICHUB_HISTORY_TTL", "history-ttl", "15m", "How long an event topic's history is kept after its last event.", duration(func(c *Config) *time.Duration { return &c.HistoryTTL })},
		{"CIVICHUB_DEBUG_ADDR", "debug-addr", "", "Address of a separate listener serving Go's profiler at /debug/pprof/, such as 127.0.0.1:6060. Empty: off. Never expose it publicly.", func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if _, _, err := net.SplitHostPort(v); err != nil {
				return errors.New("want host:port")
			}
			c.DebugAddr = v
			return nil
		}},
		{"CIVICHUB_BENCH_PUBLISH", "bench-publish", "off", "on: enable POST /debug/publish for the load tool, answered only to loopback clients. Never on in production.", func(c *Config, v string) error {
			switch v {
			case "on":
				c.BenchPublish = true
			case "off":
			default:
				return errors.New("want on or off")
			}
			return nil
		}},
	}
}

// Load registers a flag for every setting on fs (the caller may have added its
// own flags), parses args, and returns the validated settings. A flag wins over
// its variable, a variable over the default. An error names the bad setting by
// its variable and flag.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	settings := Settings()
	values := make([]string, len(settings))
	for i, s := range settings {
		v := getenv(s.Env)
		if v == "" {
			v = s.Default
		}
		fs.StringVar(&values[i], s.Flag, v, s.Help+" ("+s.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c := &Config{}
	for i, s := range settings {
		if err := s.parse(c, strings.TrimSpace(values[i])); err != nil {
			return nil, fmt.Errorf("invalid setting %s (--%s=%q): %w", s.Env, s.Flag, values[i], err)
		}
	}
	if c.BaseURL == nil {
		c.BaseURL = &url.URL{Scheme: "http", Host: c.Addr}
		c.baseURLDefault = true
	}
	return c, nil
}

// Listening tells the configuration the address the server really listens
// on (CIVICHUB_ADDR may have port 0). Without CIVICHUB_BASE_URL the site's
// origin is that address.
func (c *Config) Listening(addr string) {
	if c.baseURLDefault {
		c.BaseURL = &url.URL{Scheme: "http", Host: addr}
	}
}

// Secure reports whether the site is served over https, which makes cookies
// Secure and __Host- prefixed.
func (c *Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// Origin returns the site's own origin, scheme://host[:port].
func (c *Config) Origin() string { return c.BaseURL.Scheme + "://" + c.BaseURL.Host }

func parseBaseURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("want an origin such as https://congdan.example.gov.vn")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.BaseURL = u
	return nil
}

func parseOrigins(c *Config, v string) error {
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("%q is not an origin such as https://portal.example.gov.vn", o)
		}
		c.AllowedOrigins = append(c.AllowedOrigins, u.Scheme+"://"+u.Host)
	}
	return nil
}

func parseProxies(c *Config, v string) error {
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return fmt.Errorf("%q is not an IP address or CIDR range", p)
			}
			c.TrustedProxies = append(c.TrustedProxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("%q is not an IP address or CIDR range", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, pr.Masked())
	}
	return nil
}

func oneOf(field func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*field(c) = v
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
	}
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration such as 30s, 5m or 720h")
		}
		*field(c) = d
		return nil
	}
}

func count(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

func rate(field func(*Config) *ratelimit.Rate) func(*Config, string) error {
	return func(c *Config, v string) error {
		r, err := ratelimit.ParseRate(v)
		if err != nil {
			return err
		}
		*field(c) = r
		return nil
	}
}

func dates(field func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []string
		for _, d := range strings.Split(v, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return fmt.Errorf("%q is not a date such as 2026-09-02", d)
			}
			out = append(out, d)
		}
		*field(c) = out
		return nil
	}
}
