package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

const filesUsage = `usage: parley files migrate --to GridFS|AmazonS3|FileSystem [--data DIR] [--db URL]

Moves every stored file (uploads, thumbnails, avatars, room exports) into
one storage, and makes it the storage of new files (FileUpload_Storage_Type).
It works on the database the server uses, found with the same --data and
--db flags (PARLEY_DATA_DIR, PARLEY_DATABASE_URL), with the server running
or not. Each file is copied, read back and checked, its record switched,
and only then deleted where it was; run it again after an interruption and
it goes on where it stopped. AmazonS3 uses the FileUpload_S3_* settings
(OVERWRITE_SETTING_FileUpload_S3_* in the environment win, as for serve).
`

// filesCommand runs `parley files …`.
func filesCommand(ctx context.Context, args []string, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			fmt.Fprint(stderr, filesUsage)
			return exitUsage
		}
		fmt.Fprint(stdout, filesUsage)
		return exitOK
	}
	if args[0] != "migrate" {
		fmt.Fprintf(stderr, "parley files: unknown command %q\n\n%s", args[0], filesUsage)
		return exitUsage
	}
	getenv := envLookup(environ)
	fs := flag.NewFlagSet("parley files migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dataDir, dbURL, to string
	config.DatabaseFlags(fs, getenv, &dataDir, &dbURL)
	fs.StringVar(&to, "to", "", "the storage to move every file into: "+strings.Join(files.Kinds, ", "))
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return usageErr(stderr, err)
	}
	if len(pos) != 0 || to == "" {
		fmt.Fprint(stderr, filesUsage)
		return exitUsage
	}
	path, isSQLite, err := sqlstore.SQLitePath(dbURL, dataDir)
	if err != nil {
		return failed(stderr, err)
	}
	if isSQLite && !fileExists(path) {
		return failed(stderr, fmt.Errorf("no database at %s; pass the --data or --db the server runs with", path))
	}
	st, err := sqlstore.Open(ctx, dbURL, dataDir, sqlstore.Options{MaxConns: 2})
	if err != nil {
		return failed(stderr, err)
	}
	defer st.Close()
	stores, err := fileStorages(st, dataDir)
	if err != nil {
		return failed(stderr, err)
	}
	reg := settings.NewDefault()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a := app.New(app.Config{Store: st, Settings: reg, Logger: log, Files: stores})
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Close(cctx)
	}()
	if err := a.StartTool(ctx); err != nil {
		return failed(stderr, err)
	}
	overrides, err := reg.EnvOverrides(environ)
	if err != nil {
		return failed(stderr, err)
	}
	if err := a.ApplySettingOverrides(ctx, overrides); err != nil {
		return failed(stderr, err)
	}
	start := time.Now()
	last, failures := time.Time{}, 0
	report := func(p app.MoveProgress) {
		fmt.Fprintf(stdout, "%d/%d files: %d moved (%s), %d left-over copies removed, %d skipped, %d failed\n",
			p.Done, p.Total, p.Moved, byteSize(p.Bytes), p.Cleaned, p.Skipped, p.Failed)
	}
	p, err := a.MoveFiles(ctx, to, func(p app.MoveProgress) {
		if p.Failed > failures {
			failures = p.Failed
			fmt.Fprintf(stderr, "parley: %s not moved: %v\n", p.Key, p.Err)
		}
		if time.Since(last) >= time.Second || p.Done == p.Total {
			last = time.Now()
			report(p)
		}
	})
	if p.Total == 0 && err == nil {
		fmt.Fprintf(stdout, "every file is in %s already; new files go there\n", to)
		return exitOK
	}
	if err != nil {
		return failed(stderr, err)
	}
	fmt.Fprintf(stdout, "done in %s: every file is in %s, and new files go there\n", time.Since(start).Round(time.Millisecond), to)
	return exitOK
}

// byteSize writes n bytes for a person.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
