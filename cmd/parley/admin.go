package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

const adminUsage = `usage: parley admin COMMAND [flags] [USER]

Commands work on the database the server uses, found with the same --data
and --db flags (PARLEY_DATA_DIR, PARLEY_DATABASE_URL), with the server
running or not. USER is a username, an e-mail address or a user id.

  create-user --username NAME [--email ADDRESS] [--name NAME] [--admin] [--roles ROLES] PASSWORD
                          create an active account that joins the default channels
  set-password USER PASSWORD
                          set a password and end the user's login sessions
  set-role USER ROLE[,ROLE...]
                          replace the user's roles, e.g. admin, or user to demote
  list-users              list every account
  deactivate USER         refuse the user's logins and end their sessions
  activate USER           allow a deactivated user to log in again
  logout USER [--personal-tokens]
                          end the user's login sessions (and remove their
                          personal access tokens)

PASSWORD is one of: --password-stdin (the first line of standard input),
the variable PARLEY_PASSWORD, --random-password (printed once), or
--password VALUE (visible to other users of the machine while it runs).

Each command takes -h for its flags.
`

// adminCommand runs `parley admin …`.
func adminCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		out := stdout
		if len(args) == 0 {
			out = stderr
		}
		fmt.Fprint(out, adminUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name, args := args[0], args[1:]
	c := &adminCmd{name: name, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet("parley admin "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	config.DatabaseFlags(c.fs, getenv, &c.dataDir, &c.dbURL)
	switch name {
	case "create-user":
		return c.createUser(ctx, args)
	case "set-password":
		return c.setPassword(ctx, args)
	case "set-role":
		return c.setRole(ctx, args)
	case "list-users":
		return c.listUsers(ctx, args)
	case "deactivate":
		return c.setActive(ctx, args, false)
	case "activate":
		return c.setActive(ctx, args, true)
	case "logout":
		return c.logout(ctx, args)
	}
	fmt.Fprintf(stderr, "parley admin: unknown command %q\n\n%s", name, adminUsage)
	return exitUsage
}

// adminCmd is one `parley admin` command being run.
type adminCmd struct {
	name           string
	fs             *flag.FlagSet
	dataDir, dbURL string
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	// password flags, for the commands that take them
	pwValue             string
	pwStdin, pwGenerate bool
}

// passwordFlags adds the ways of giving a password.
func (c *adminCmd) passwordFlags() {
	c.fs.BoolVar(&c.pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	c.fs.BoolVar(&c.pwGenerate, "random-password", false, "make up a password and print it")
	c.fs.StringVar(&c.pwValue, "password", "", "the password (visible in the process list; prefer --password-stdin or PARLEY_PASSWORD)")
}

// password returns the password given in exactly one way, and whether it
// was made up here and must be shown.
func (c *adminCmd) password() (string, bool, error) {
	env := c.getenv("PARLEY_PASSWORD")
	n := 0
	for _, given := range []bool{c.pwStdin, c.pwGenerate, c.pwValue != "", env != ""} {
		if given {
			n++
		}
	}
	switch {
	case n == 0:
		return "", false, errors.New("give the password with --password-stdin, PARLEY_PASSWORD, --random-password or --password")
	case n > 1:
		return "", false, errors.New("give the password in one way only (--password-stdin, PARLEY_PASSWORD, --random-password or --password)")
	case c.pwStdin:
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", false, errors.New("standard input held no password")
		}
		return line, false, nil
	case c.pwGenerate:
		return rand.Text(), true, nil
	case c.pwValue != "":
		return c.pwValue, false, nil
	}
	return env, false, nil
}

// parse parses the command line and checks the number of positional
// arguments.
func (c *adminCmd) parse(args []string, want int, what string) ([]string, int, bool) {
	pos, err := parseArgs(c.fs, args)
	if err != nil {
		return nil, usageErr(c.stderr, err), false
	}
	if len(pos) != want {
		fmt.Fprintf(c.stderr, "usage: parley admin %s [flags] %s\n", c.name, what)
		return nil, exitUsage, false
	}
	return pos, 0, true
}

// open opens the database and an App on it. Only create-user may create
// a SQLite database that does not exist yet: for the others a missing
// file means the flags point at the wrong place.
func (c *adminCmd) open(ctx context.Context, create bool) (*app.App, func(), error) {
	path, isSQLite, err := sqlstore.SQLitePath(c.dbURL, c.dataDir)
	if err != nil {
		return nil, nil, err
	}
	if isSQLite && !create && !fileExists(path) {
		return nil, nil, fmt.Errorf("no database at %s; pass the --data or --db the server runs with", path)
	}
	st, err := sqlstore.Open(ctx, c.dbURL, c.dataDir, sqlstore.Options{MaxConns: 2})
	if err != nil {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a := app.New(app.Config{Store: st, Settings: settings.NewDefault(), Logger: log})
	closeAll := func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Close(cctx)
		st.Close()
	}
	if err := a.StartTool(ctx); err != nil {
		closeAll()
		return nil, nil, err
	}
	return a, closeAll, nil
}

// withApp opens the App (see open), runs fn on it and closes it again. An
// error from either is the command's failure.
func (c *adminCmd) withApp(ctx context.Context, create bool, fn func(a *app.App) error) int {
	a, closeAll, err := c.open(ctx, create)
	if err != nil {
		return failed(c.stderr, err)
	}
	defer closeAll()
	if err := fn(a); err != nil {
		return failed(c.stderr, err)
	}
	return exitOK
}

// withUser opens the App and finds the user the command names.
func (c *adminCmd) withUser(ctx context.Context, ref string, fn func(a *app.App, id, username string) error) int {
	return c.withApp(ctx, false, func(a *app.App) error {
		u, err := a.FindUser(ctx, ref)
		if err != nil {
			return err
		}
		return fn(a, u.ID, u.Username)
	})
}

func (c *adminCmd) createUser(ctx context.Context, args []string) int {
	var (
		in    app.NewUser
		admin bool
		roles string
	)
	c.fs.StringVar(&in.Username, "username", "", "username (required)")
	c.fs.StringVar(&in.Email, "email", "", "e-mail address")
	c.fs.StringVar(&in.Name, "name", "", "full name; the username if empty")
	c.fs.BoolVar(&admin, "admin", false, "make the user an administrator")
	c.fs.StringVar(&roles, "roles", "user", "comma-separated roles, when not --admin")
	c.passwordFlags()
	if _, code, ok := c.parse(args, 0, "--username NAME"); !ok {
		return code
	}
	if in.Username == "" {
		fmt.Fprintln(c.stderr, "parley admin create-user: --username is required")
		return exitUsage
	}
	in.Roles = strings.Split(roles, ",")
	if admin {
		in.Roles = []string{"admin"}
	}
	pw, shown, err := c.password()
	if err != nil {
		return usageErr(c.stderr, err)
	}
	in.Password = pw
	return c.withApp(ctx, true, func(a *app.App) error {
		u, err := a.OperatorCreateUser(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created %s (id %s, roles %s)\n", u.Username, u.ID, strings.Join(u.Roles, ","))
		if shown {
			fmt.Fprintf(c.stdout, "password: %s\n", pw)
		}
		return nil
	})
}

func (c *adminCmd) setPassword(ctx context.Context, args []string) int {
	c.passwordFlags()
	pos, code, ok := c.parse(args, 1, "USER")
	if !ok {
		return code
	}
	pw, shown, err := c.password()
	if err != nil {
		return usageErr(c.stderr, err)
	}
	return c.withUser(ctx, pos[0], func(a *app.App, id, username string) error {
		n, err := a.OperatorSetPassword(ctx, id, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "set the password of %s and ended %d login sessions\n", username, n)
		if shown {
			fmt.Fprintf(c.stdout, "password: %s\n", pw)
		}
		return nil
	})
}

func (c *adminCmd) setRole(ctx context.Context, args []string) int {
	pos, code, ok := c.parse(args, 2, "USER ROLE[,ROLE...]")
	if !ok {
		return code
	}
	return c.withUser(ctx, pos[0], func(a *app.App, id, username string) error {
		u, err := a.OperatorSetRoles(ctx, id, strings.Split(pos[1], ","))
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s now has the roles %s\n", username, strings.Join(u.Roles, ","))
		return c.warnNoAdmin(ctx, a)
	})
}

func (c *adminCmd) setActive(ctx context.Context, args []string, active bool) int {
	pos, code, ok := c.parse(args, 1, "USER")
	if !ok {
		return code
	}
	return c.withUser(ctx, pos[0], func(a *app.App, id, username string) error {
		if err := a.OperatorSetActive(ctx, id, active); err != nil {
			return err
		}
		if active {
			fmt.Fprintf(c.stdout, "activated %s\n", username)
			return nil
		}
		fmt.Fprintf(c.stdout, "deactivated %s and ended their sessions\n", username)
		return c.warnNoAdmin(ctx, a)
	})
}

func (c *adminCmd) logout(ctx context.Context, args []string) int {
	var personal bool
	c.fs.BoolVar(&personal, "personal-tokens", false, "remove the user's personal access tokens too")
	pos, code, ok := c.parse(args, 1, "USER")
	if !ok {
		return code
	}
	return c.withUser(ctx, pos[0], func(a *app.App, id, username string) error {
		n, err := a.OperatorLogout(ctx, id, personal)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "removed %d tokens of %s\n", n, username)
		return nil
	})
}

func (c *adminCmd) listUsers(ctx context.Context, args []string) int {
	if _, code, ok := c.parse(args, 0, ""); !ok {
		return code
	}
	return c.withApp(ctx, false, func(a *app.App) error {
		list, _, err := a.ListUsers(ctx, "", store.ListOptions{})
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "USERNAME\tID\tROLES\tSTATUS\tEMAIL\tNAME")
		for _, u := range list {
			status := "active"
			if !u.Active {
				status = "deactivated"
			}
			email := "-"
			if len(u.Emails) > 0 {
				email = u.Emails[0].Address
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.ID, strings.Join(u.Roles, ","), status, email, u.Name)
		}
		return w.Flush()
	})
}

// warnNoAdmin says so when the change left no active administrator.
func (c *adminCmd) warnNoAdmin(ctx context.Context, a *app.App) error {
	n, err := a.AdminCount(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(c.stderr, "parley: warning: no active administrator is left; make one with 'parley admin set-role USER admin'")
	}
	return nil
}
