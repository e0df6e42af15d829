package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/parleychat/parley/internal/app"
)

const usage = `usage:
  parley [serve] [flags]           run the server; 'parley serve -h' lists the flags
  parley admin COMMAND [flags]     manage accounts, with the server running or not;
                                   'parley admin help' lists the commands
  parley files migrate --to KIND   move every stored file into one storage
                                   (GridFS, AmazonS3 or FileSystem); resumable
  parley backup [flags] FILE       copy the SQLite database, also while the server runs
  parley restore [flags] FILE      put a backup in place as the SQLite database
  parley version                   print the version
`

// Exit statuses of the commands.
const (
	exitOK    = 0
	exitFail  = 1 // the command failed; stderr says why
	exitUsage = 2 // the command line was wrong
)

// cli runs one command line and returns the exit status.
func cli(ctx context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-h" || args[0] == "--help") {
		cmd, args = args[0], args[1:]
	}
	getenv := envLookup(environ)
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "parley", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "admin":
		return adminCommand(ctx, args, getenv, stdin, stdout, stderr)
	case "files":
		return filesCommand(ctx, args, environ, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, getenv, stdout, stderr)
	case "restore":
		return restoreCommand(ctx, args, getenv, stdout, stderr)
	case "serve":
		if getenv("GOGC") == "" {
			// The live heap is small (tens of MB), so collecting at twice
			// its size instead of once halves the collector's CPU under
			// load for a few MB more; GOGC overrides it.
			debug.SetGCPercent(200)
		}
		err := serve(ctx, args, environ, stderr, nil)
		if errors.Is(err, flag.ErrHelp) {
			return exitOK // the flag package printed the flags
		}
		if err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return exitFail
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "parley: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// envLookup reads variables from an environment list; the last of
// repeated names wins, as in a shell.
func envLookup(environ []string) func(string) string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// parseArgs parses fs over args, letting flags and positional arguments
// come in any order (`parley admin deactivate alice --data /srv`), and
// returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// usageErr prints a command-line mistake and returns its status; -h is no
// mistake.
func usageErr(stderr io.Writer, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "parley:", err)
	return exitUsage
}

// failed prints why a command failed and returns its status. App errors
// print their reason alone, without the HTTP status they carry.
func failed(stderr io.Writer, err error) int {
	if e, ok := app.AsError(err); ok {
		fmt.Fprintln(stderr, "parley:", e.Message())
	} else {
		fmt.Fprintln(stderr, "parley:", err)
	}
	return exitFail
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
