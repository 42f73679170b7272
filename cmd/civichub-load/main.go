// Command civichub-load measures a civichub server from the outside, on this
// machine: it starts the server binary as a separate process, drives it over
// loopback, and reads the server's own memory and CPU from /proc.
//
//	civichub-load startup --bin ./civichub [--demo] [--runs 7]
//	civichub-load login   --bin ./civichub [--clients 200] [--hash-concurrency 2]
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
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
