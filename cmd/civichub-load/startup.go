package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// startup measures how long the server takes from exec to its first /readyz
// 200, on an empty data folder or (with --demo) on demo data already loaded.
func startup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("startup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "./civichub", "civichub binary")
	runs := fs.Int("runs", 7, "how many starts")
	demo := fs.Bool("demo", false, "start on a data folder with the demo content loaded (by a first, unmeasured start)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var times []time.Duration
	for i := range *runs {
		dir, err := os.MkdirTemp("", "civichub-startup-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		var extra []string
		if *demo {
			if err := prepareDemo(ctx, *bin, dir); err != nil {
				return err
			}
			extra = []string{"--demo"}
		}
		start := time.Now()
		srv, err := startServer(*bin, dir, nil, extra...)
		if err != nil {
			return err
		}
		ready, err := srv.waitReady(ctx, 2*time.Millisecond, 30*time.Second)
		stopErr := srv.stop()
		if err != nil {
			return err
		}
		if stopErr != nil {
			return fmt.Errorf("stop: %w", stopErr)
		}
		d := ready.Sub(start)
		times = append(times, d)
		fmt.Fprintf(stdout, "run %d: ready in %s\n", i+1, d.Round(100*time.Microsecond))
	}
	fmt.Fprintf(stdout, "startup to /readyz 200 (demo=%v): median %s, min %s, max %s over %d runs\n",
		*demo, median(times).Round(100*time.Microsecond), percentile(times, 0).Round(100*time.Microsecond),
		percentile(times, 100).Round(100*time.Microsecond), len(times))
	return nil
}

// prepareDemo loads the demo content into dir with one unmeasured start.
func prepareDemo(ctx context.Context, bin, dir string) error {
	srv, err := startServer(bin, dir, nil, "--demo")
	if err != nil {
		return err
	}
	if _, err := srv.waitReady(ctx, 10*time.Millisecond, 30*time.Second); err != nil {
		srv.stop()
		return err
	}
	return srv.stop()
}
