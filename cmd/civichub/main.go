// Command civichub runs the civichub server and its administrative commands.
//
//	civichub [serve] [--demo] [flags]   run the server (the default command)
//	civichub admin <command> [flags]     manage users, roles and agencies
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "civichub:", err)
		os.Exit(1)
	}
}
