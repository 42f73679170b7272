package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/civichub/civichub/config"
)

const usage = `civichub: the real-time citizen engagement hub.

Usage:
  civichub [serve] [--demo] [flags]   run the server (default)
  civichub admin <command> [flags]     manage users, roles and agencies
                                       (civichub admin help lists the commands)

Every flag has an environment variable (civichub serve --help lists them).
`

// run is the whole program: it parses args, builds what the command needs,
// and returns when the command is done or ctx is cancelled (or SIGINT/SIGTERM
// arrives).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// loadConfig parses settings and any extra flags on fs.
func loadConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.Load(fs, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil, err
	}
	return cfg, err
}

// newLogger builds the one logger of the process.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
