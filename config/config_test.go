package config

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("Load(defaults) = %v", err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./civichub-data" || c.Lang != "vi" || c.Timezone.String() != "Asia/Ho_Chi_Minh" ||
		c.BaseURL.String() != "http://127.0.0.1:8080" || c.Secure() || c.MongoURI != "" || c.RedisURL != "" || len(c.TrustedProxies) != 0 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestFlagWinsOverEnv(t *testing.T) {
	c, err := load(t, map[string]string{"CIVICHUB_ADDR": "127.0.0.1:1"}, "--addr", "127.0.0.1:2")
	if err != nil || c.Addr != "127.0.0.1:2" {
		t.Errorf("Addr = %v, %v, want the flag's 127.0.0.1:2", c, err)
	}
}

func TestParsedValues(t *testing.T) {
	c, err := load(t, map[string]string{
		"CIVICHUB_BASE_URL":         "https://congdan.example.gov.vn/",
		"CIVICHUB_ALLOWED_ORIGINS":  "https://portal.example.gov.vn, http://localhost:3000",
		"CIVICHUB_TRUSTED_PROXIES":  "10.0.0.0/8, 192.0.2.7",
		"CIVICHUB_RATE_LOGIN_IP":    "off",
		"CIVICHUB_SESSION_TTL":      "2h",
		"CIVICHUB_HASH_CONCURRENCY": "4",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.Origin() != "https://congdan.example.gov.vn" {
		t.Errorf("base URL: Secure %v Origin %q", c.Secure(), c.Origin())
	}
	if len(c.AllowedOrigins) != 2 || c.AllowedOrigins[1] != "http://localhost:3000" {
		t.Errorf("AllowedOrigins = %v", c.AllowedOrigins)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.0.2.7/32" {
		t.Errorf("TrustedProxies = %v", c.TrustedProxies)
	}
	if !c.LoginPerIP.Off() || c.SessionTTL != 2*time.Hour || c.HashConcurrency != 4 {
		t.Errorf("limits = %v %v %v", c.LoginPerIP, c.SessionTTL, c.HashConcurrency)
	}
}

func TestInvalidNamesTheSetting(t *testing.T) {
	bad := map[string]string{
		"CIVICHUB_ADDR": "8080", "CIVICHUB_BASE_URL": "congdan.example.gov.vn", "CIVICHUB_ALLOWED_ORIGINS": "https://x.vn/path",
		"CIVICHUB_LOG_FORMAT": "yaml", "CIVICHUB_LOG_LEVEL": "loud", "CIVICHUB_LANG": "de", "CIVICHUB_MONGO_URI": "http://x",
		"CIVICHUB_MONGO_DATABASE": "a/b", "CIVICHUB_REDIS_URL": "127.0.0.1:6379", "CIVICHUB_TIMEZONE": "Nowhere/City",
		"CIVICHUB_TRUSTED_PROXIES": "proxy.local", "CIVICHUB_SHUTDOWN_TIMEOUT": "-1s", "CIVICHUB_MAX_BODY_BYTES": "10",
		"CIVICHUB_SESSION_TTL": "0s", "CIVICHUB_HASH_CONCURRENCY": "1000", "CIVICHUB_RATE_LOGIN_IP": "10",
		"CIVICHUB_RATE_LOGIN_ACCOUNT": "x/1m", "CIVICHUB_RATE_REGISTER_IP": "5/never", "CIVICHUB_DATA_DIR": " ",
		"CIVICHUB_WS_MAX_CONNECTIONS": "0", "CIVICHUB_WS_MAX_PER_IP": "many", "CIVICHUB_WS_MAX_SUBSCRIPTIONS": "5000",
		"CIVICHUB_WS_READ_LIMIT": "10", "CIVICHUB_WS_MESSAGE_RATE": "-1", "CIVICHUB_WS_SEND_QUEUE": "1", "CIVICHUB_WS_WRITERS": "0",
		"CIVICHUB_SNAPSHOT_INTERVAL_POLLS": "fast", "CIVICHUB_SNAPSHOT_INTERVAL_ONLINE": "0s", "CIVICHUB_HISTORY_SIZE": "0",
		"CIVICHUB_HISTORY_TTL": "1", "CIVICHUB_BENCH_PUBLISH": "yes", "CIVICHUB_RATE_VOTE_IP": "1/0s", "CIVICHUB_DEBUG_ADDR": "6060", "CIVICHUB_RATE_POST": "x", "CIVICHUB_RATE_POST_NEW": "1/", "CIVICHUB_FLAG_THRESHOLD": "0", "CIVICHUB_RATE_QUESTION": "5", "CIVICHUB_ANSWER_DAYS": "0", "CIVICHUB_HOLIDAYS": "2026-13-01", "CIVICHUB_MAKEUP_DAYS": "tomorrow",
	}
	for _, s := range Settings() {
		v, ok := bad[s.Env]
		if !ok {
			t.Errorf("no bad value tested for %s", s.Env)
			continue
		}
		_, err := load(t, map[string]string{s.Env: v})
		if err == nil || !strings.Contains(err.Error(), s.Env) || !strings.Contains(err.Error(), "--"+s.Flag) {
			t.Errorf("Load(%s=%q) = %v, want an error naming %s and --%s", s.Env, v, err, s.Env, s.Flag)
		}
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table true.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range Settings() {
		def := s.Default
		if def == "" {
			def = "(unset)"
		}
		row := "| `" + s.Env + "` | `--" + s.Flag + "` | `" + def + "` |"
		if def == "(unset)" {
			row = "| `" + s.Env + "` | `--" + s.Flag + "` | (unset) |"
		}
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the row starting %q", row)
		}
	}
}
