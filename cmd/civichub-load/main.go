// Command civichub-load measures a civichub server from the outside, on this
// machine: it starts the server binary as a separate process, drives it over
// loopback, and reads the server's own memory and CPU from /proc.
//
//	civichub-load startup --bin ./civichub [--demo] [--runs 7]
//	civichub-load login   --bin ./civichub [--clients 200] [--hash-concurrency 2]
//	civichub-load ws      --bin ./civichub [--conns 19000] [--messages 20] [--runs 3]
//	civichub-load votes   --bin ./civichub [--voters 20000] [--concurrency 64] [--runs 3]
//	civichub-load votes   --bin ./civichub --viewers 10000 --rate 1000 [--duration 20s]
//	civichub-load forum   --bin ./civichub [--threads 10000] [--posts 100000] [--runs 3]
//	civichub-load qa      --bin ./civichub [--questions 50000] [--agencies 30] [--subscribers 1000] [--answers 20] [--runs 3]
//
// Results go to standard output as one line per run and a summary of medians,
// in the form docs/BENCHMARKS.md quotes them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "civichub-load:", err)
		os.Exit(1)
	}
}

const usage = `Usage:
  civichub-load startup --bin PATH [--demo] [--runs N]
      time from starting the server to its first /readyz 200
  civichub-load login --bin PATH [--clients N] [--hash-concurrency N]
      N concurrent logins; peak server RSS and login latency
  civichub-load ws (--bin PATH | --url URL [--pid PID] [--publish-url URL]) [--conns N]
      [--messages M] [--interval 1s] [--runs R] [--topics site:online,poll:*] [--topic feed:answers]
      N WebSocket clients from several 127.0.0.x addresses and worker processes;
      server RSS per connection, publish-to-last-delivery latency, deliveries per
      second and per server CPU-second (run "civichub-load ws -h" for every flag)
  civichub-load votes --bin PATH [--voters N] [--concurrency C] [--runs R]
      one vote per guest through the HTTP API (SQLite); acknowledged votes per second,
      then checks that every 201 is exactly one stored ballot
  civichub-load votes --bin PATH --viewers N [--rate 1000] [--duration 20s]
      N WebSocket viewers of the results while votes arrive at --rate; time from
      each vote's 201 to the first snapshot including it, at every viewer
  civichub-load forum --bin PATH [--threads N] [--posts M] [--runs R] [--wrk 10s]
      seeds a large forum in the embedded store; thread page latency and wrk -t1 -c32
      pages/s for anonymous readers, a category's first and last page, search
  civichub-load qa --bin PATH [--questions N] [--agencies A] [--subscribers S] [--answers M] [--runs R]
      seeds a year of Q&A in the embedded store; the busiest agency's queue (as its
      staff) and scorecard, API and pages, as medians of sequential requests; time
      from an answer's POST to its answer.published frame at each of S subscribers
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command")
	}
	switch args[0] {
	case "startup":
		return startup(ctx, args[1:], stdout, stderr)
	case "login":
		return login(ctx, args[1:], stdout, stderr)
	case "ws":
		return wsBench(ctx, args[1:], stdout, stderr)
	case "votes":
		return votes(ctx, args[1:], stdout, stderr)
	case "forum":
		return forumBench(ctx, args[1:], stdout, stderr)
	case "qa":
		return qaBench(ctx, args[1:], stdout, stderr)
	case "ws-worker": // started by ws, not by hand
		return wsWorker(ctx, os.Stdin, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
