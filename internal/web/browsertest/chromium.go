// Package browsertest drives headless Chromium for the web client's
// browser tests, its benchmarks and the screenshot command: it finds the
// browser, starts it once, gives each simulated person an isolated browser
// context (own cookies and localStorage, as an incognito window has), and
// records what a page must never do: open a JavaScript dialog or write an
// error to the console.
package browsertest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// EnvChromium names the browser binary to use instead of the one found on
// the PATH or at /usr/bin/chromium.
const EnvChromium = "PARLEY_CHROMIUM"

// TB is the part of testing.TB the package uses, so that a command can
// drive a browser with the same helpers as a test.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Cleanup(func())
}

// ChromiumPath returns the Chromium binary: $PARLEY_CHROMIUM when set,
// otherwise /usr/bin/chromium or the first chromium on the PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvChromium, p, err)
		}
		return p, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if executable(p) == nil {
			return p, nil
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium is missing (no /usr/bin/chromium, none on the PATH)")
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}

// RequireChromium returns the browser binary, or skips the test when there
// is none. In CI (the variable CI set) a missing browser fails the test
// instead: a CI run must not pass with the browser tests skipped.
func RequireChromium(t TB) string {
	t.Helper()
	p, err := ChromiumPath()
	if err == nil {
		return p
	}
	const howTo = "install Debian's chromium package (.ci/chromium.sh does) or set " + EnvChromium
	if os.Getenv("CI") != "" {
		t.Fatalf("%v; CI must run the browser tests (%s)", err, howTo)
	}
	t.Skipf("%v: Chromium is needed for the browser tests (%s)", err, howTo)
	return ""
}
