package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// it is 100 on every Linux this runs on.
const clockTicks = 100

// cpuSeconds returns the user plus system CPU time pid has used.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 { // f[0] is field 3 (state); utime is field 14, stime 15
		return 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return float64(ut+st) / clockTicks, nil
}

// memoryOf returns pid's resident set size and its peak (VmRSS, VmHWM).
func memoryOf(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// scrapeMetrics reads a Prometheus text page and returns each metric name
// with the sum of its samples over all label sets. ok is false when the
// server has no /metrics.
func scrapeMetrics(ctx context.Context, url string) (map[string]float64, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, false
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		name := line[:sp]
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		if v, err := strconv.ParseFloat(line[sp+1:], 64); err == nil {
			out[name] += v
		}
	}
	return out, true
}

// worker is one ws-worker child process.
type worker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan []byte // its stdout, a line at a time; closed at EOF
}

// startWorker re-executes this binary as a ws-worker with cfg.
func startWorker(cfg workerConfig) (*worker, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "ws-worker")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	w := &worker{cmd: cmd, stdin: stdin, lines: make(chan []byte, 4)}
	go func() {
		defer close(w.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			w.lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	b, _ := json.Marshal(cfg)
	if _, err := stdin.Write(append(b, '\n')); err != nil {
		w.kill()
		return nil, fmt.Errorf("configure worker: %w", err)
	}
	return w, nil
}

// next decodes the worker's next line into v, waiting at most until deadline.
func (w *worker) next(ctx context.Context, deadline time.Time, v any) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case line, ok := <-w.lines:
		if !ok {
			return fmt.Errorf("worker %d exited early", w.cmd.Process.Pid)
		}
		return json.Unmarshal(line, v)
	case <-t.C:
		return fmt.Errorf("worker %d: no answer in time", w.cmd.Process.Pid)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *worker) finish() { _, _ = io.WriteString(w.stdin, "finish\n") }

// wait closes the worker's stdin and waits for it to exit, killing it after
// timeout.
func (w *worker) wait(timeout time.Duration) error {
	w.stdin.Close()
	done := make(chan error, 1)
	go func() {
		for range w.lines { // drain, so the worker never blocks writing
		}
		done <- w.cmd.Wait()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		w.kill()
		return fmt.Errorf("worker %d did not exit within %s; killed", w.cmd.Process.Pid, timeout)
	}
}

func (w *worker) kill() { _ = w.cmd.Process.Kill() }

// netipFrom parses a loopback IPv4 address.
func netipFrom(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() || !a.IsLoopback() {
		return netip.Addr{}, fmt.Errorf("source address %q: want an IPv4 address in 127.0.0.0/8", s)
	}
	return a, nil
}

// sourceAddr returns the k-th address after first, refusing to leave
// 127.0.0.0/8 (or to use its broadcast address).
func sourceAddr(first netip.Addr, k int) (net.IP, error) {
	b := first.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(k)
	if v>>24 != 127 || v&0x00ffffff == 0x00ffffff {
		return nil, fmt.Errorf("source address %d after %s leaves 127.0.0.0/8", k, first)
	}
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)), nil
}
