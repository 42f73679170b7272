package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/civichub/civichub/internal/redistest"
)

// TestMain lets a test start this test binary as a real civichub process
// (CIVICHUB_TEST_PROCESS=serve), which it can then kill with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("CIVICHUB_TEST_PROCESS") == "serve" {
		err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is civichub running as a child process of the test.
type process struct {
	cmd *exec.Cmd
	URL string
}

// startProcess runs `civichub serve` in a child process with env and waits
// until it listens.
func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "CIVICHUB_TEST_PROCESS=serve")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "civichub listening" {
				addr <- line.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		return &process{cmd: cmd, URL: "http://" + a}
	case <-time.After(30 * time.Second):
		t.Fatal("child civichub did not start within 30 s")
		return nil
	}
}

// TestVotesSurviveSIGKILL kills the server with SIGKILL while guests vote.
// Every vote it answered 201 must be a stored ballot after a restart on the
// same data folder, and the tallies, rebuilt at start, must equal the
// ballots.
func TestVotesSurviveSIGKILL(t *testing.T) {
	env := testEnv(t, map[string]string{"CIVICHUB_RATE_VOTE_IP": "off"})
	proc := startProcess(t, env)
	srv := &testServer{URL: proc.URL}
	p := createPoll(t, loginAdmin(t, env, srv), portalPoll(nil))
	const voters = 400
	guests := make([]*client, voters)
	for i := range guests {
		guests[i] = guest(t, srv)
		guests[i].hc.Timeout = 5 * time.Second
	}
	var acked atomic.Int64
	ok := make([]bool, voters)
	var wg sync.WaitGroup
	for i, g := range guests {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * time.Millisecond) // spread over the kill
			res := g.tryVote(p.ID, p.Options[i%3].ID)
			if res == 201 {
				ok[i] = true
				acked.Add(1)
			}
		})
	}
	for acked.Load() < voters/4 {
		time.Sleep(time.Millisecond)
	}
	if err := proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.cmd.Wait()
	wg.Wait()
	answered := acked.Load()
	if answered == voters {
		t.Fatalf("all %d votes were answered before the kill: the test proved nothing", voters)
	}

	restarted := startServer(t, env)
	var stored int64
	for i, g := range guests {
		g.base = restarted.URL
		got := getPoll(t, g, p.ID)
		if ok[i] && !got.Voted {
			t.Errorf("guest %d was answered 201 but has no ballot after SIGKILL", i)
		}
		if got.Voted {
			stored++
		}
	}
	final := getPoll(t, guests[0], p.ID)
	if final.Total != 1344+stored {
		t.Errorf("total after restart = %d, want 1344 + %d stored ballots", final.Total, stored)
	}
	t.Logf("%d of %d votes answered 201 before SIGKILL; %d ballots stored", answered, voters, stored)
}

// tryVote votes and returns the status, or 0 when the server is gone.
func (c *client) tryVote(pollID, option string) int {
	body := fmt.Sprintf(`{"options":[%q]}`, option)
	req, _ := http.NewRequest("POST", c.base+"/api/v1/polls/"+pollID+"/votes", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.hc.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestVotesAcrossRedisRestart votes while Redis restarts under two nodes:
// no acknowledged vote is lost, and a viewer on the other node converges on
// the stored total.
func TestVotesAcrossRedisRestart(t *testing.T) {
	rds := redistest.Start(t)
	env := testEnv(t, map[string]string{"CIVICHUB_REDIS_URL": rds.URL(), "CIVICHUB_RATE_VOTE_IP": "off"})
	a := startServer(t, env)
	b := startServer(t, env)
	p := createPoll(t, loginAdmin(t, env, a), portalPoll(nil))
	viewer := dialWS(t, b, nil)
	subscribe(t, viewer, "poll:"+p.ID)

	var acked atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if vote(guest(t, a), p.ID, p.Options[(w+i)%3].ID).Status == 201 {
					acked.Add(1)
				}
			}
		})
	}
	eventually(t, "votes before the restart", func() bool { return acked.Load() > 20 })
	rds.Restart(t)
	before := acked.Load()
	eventually(t, "votes after the restart", func() bool { return acked.Load() > before+20 })
	close(stop)
	wg.Wait()
	want := 1344 + acked.Load()
	if got := getPoll(t, guest(t, b), p.ID); got.Total != want {
		t.Errorf("stored total = %d, want %d (every acknowledged vote)", got.Total, want)
	}
	// The viewer on node B ends on the stored total.
	deadline := time.Now().Add(20 * time.Second)
	var last int64
	for last != want && time.Now().Before(deadline) {
		viewer.SetReadDeadline(deadline)
		var f frame
		if err := viewer.ReadJSON(&f); err != nil {
			t.Fatalf("viewer: %v (last total %d, want %d)", err, last, want)
		}
		if f.Op == "snapshot" {
			var r resultsBody
			json.Unmarshal(f.Data, &r)
			last = r.Total
		}
		if f.Op == "reload" { // the client refetches, as the page would
			subscribe(t, viewer, "poll:"+p.ID)
		}
	}
	if last != want {
		t.Errorf("viewer on node B ended at %d, want %d", last, want)
	}
}
