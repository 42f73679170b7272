package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// login starts a server, registers N users, then logs all N in at once while
// sampling the server's RSS, and reports peak RSS and login latency.
func login(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "./civichub", "civichub binary")
	clients := fs.Int("clients", 200, "concurrent logins")
	hashes := fs.Int("hash-concurrency", 2, "CIVICHUB_HASH_CONCURRENCY for the server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "civichub-login-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := startServer(*bin, dir, []string{
		fmt.Sprintf("CIVICHUB_HASH_CONCURRENCY=%d", *hashes),
		"CIVICHUB_RATE_LOGIN_IP=off", "CIVICHUB_RATE_LOGIN_ACCOUNT=off", "CIVICHUB_RATE_REGISTER_IP=off",
	})
	if err != nil {
		return err
	}
	defer srv.stop()
	if _, err := srv.waitReady(ctx, 10*time.Millisecond, 30*time.Second); err != nil {
		return err
	}
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	post := func(path string, body any) (int, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	const password = "load test password"
	for i := range *clients {
		if st, err := post("/api/v1/auth/register", map[string]string{"email": fmt.Sprintf("load%d@example.vn", i), "password": password, "name": "Load"}); err != nil || st != 201 {
			return fmt.Errorf("register user %d: status %d, %v", i, st, err)
		}
	}
	_, before, _ := srv.memory()

	var peak atomic.Int64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if rss, _, err := srv.memory(); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	latencies := make([]time.Duration, *clients)
	failures := atomic.Int64{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			st, err := post("/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("load%d@example.vn", i), "password": password})
			latencies[i] = time.Since(t0)
			if err != nil || st != 200 {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	close(stopSampling)
	sampler.Wait()
	_, hwm, _ := srv.memory()
	fmt.Fprintf(stdout, "%d concurrent logins (hash concurrency %d): %d failed, all done in %s, latency p50 %s p99 %s; server RSS peak %.1f MiB (sampled), VmHWM %.1f MiB (was %.1f MiB before the logins)\n",
		*clients, *hashes, failures.Load(), total.Round(time.Millisecond),
		percentile(latencies, 50).Round(time.Millisecond), percentile(latencies, 99).Round(time.Millisecond),
		float64(peak.Load())/(1<<20), float64(hwm)/(1<<20), float64(before)/(1<<20))
	if failures.Load() > 0 {
		return fmt.Errorf("%d logins failed", failures.Load())
	}
	return nil
}
