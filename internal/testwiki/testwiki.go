// Package testwiki provides a real MediaWiki (Debian's mediawiki 1.39
// package on SQLite, all bundled extensions enabled) for integration tests,
// and on request a second one of another LTS release: MediaWiki 1.43.9
// (Debian trixie's package, unpacked privately into a cache by
// `mediawiki.sh install-deps-1.43`, all bundled extensions enabled).
//
// A test binary that wants the wiki declares
//
//	func TestMain(m *testing.M) { testwiki.Main(m) }
//
// and each integration test calls
//
//	w := testwiki.Require(t)
//
// or, for MediaWiki 1.43,
//
//	w := testwiki.RequireVersion(t, testwiki.V143)
//
// The first Require in a test binary starts a private wiki on a free port in
// a temporary directory (about 2-3 s) by running mediawiki.sh next to this
// file; Main stops it and removes the directory after the tests. To share
// one wiki between many runs, start it by hand and point
// MWGEN_TEST_WIKI_DIR at it:
//
//	internal/testwiki/mediawiki.sh start /tmp/wiki 8080
//	MWGEN_TEST_WIKI_DIR=/tmp/wiki go test ./...
//
// (or `source /tmp/wiki/wiki.env`, which sets MWGEN_TEST_WIKI_DIR too). A
// wiki found that way is never stopped by the tests. For 1.43 the same goes
// with `mediawiki.sh start --version 1.43 DIR PORT` and
// MWGEN_TEST_WIKI_DIR_1_43 (which its wiki.env sets). A reused wiki must
// run the version asked for.
//
// The unpacked 1.43 tree (about 330 MB) is kept in
// $MWGEN_CACHE_DIR, else $XDG_CACHE_HOME/mwgen, else ~/.cache/mwgen, and
// fetched from Debian's archive only when it is not there yet.
//
// When no wiki can be had, Require skips the test with instructions, unless
// the environment variable CI is "true" or "1", in which case it fails it
// (and the script may install the Debian packages itself).
package testwiki

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Wiki is a running MediaWiki for tests.
type Wiki struct {
	// API is the URL of api.php, e.g. http://127.0.0.1:PORT/api.php.
	API string
	// Index is the URL of index.php.
	Index string
	// Server is the wiki's $wgServer, e.g. http://127.0.0.1:PORT.
	Server string
	// AdminUser and AdminPassword log in the wiki's administrator (groups
	// sysop, bureaucrat, interface-admin) with its main password.
	AdminUser, AdminPassword string
	// BotUser ("Admin@mwgen") and BotPassword are a bot password of the
	// administrator with every grant the wiki's version offers (1.43 adds
	// echo-read-notifications to 1.39's), for action=login.
	BotUser, BotPassword string
	// Version is the MediaWiki release series the wiki runs: V139 or V143.
	Version string
	// Root is the MediaWiki installation the wiki runs from (the server's
	// document root): /usr/share/mediawiki for 1.39, the unpacked tree's
	// usr/share/mediawiki in the cache for 1.43.
	Root string
	// DataDir holds the wiki's files: LocalSettings.php, the SQLite
	// databases, images/, install.log, server.log, wiki.env.
	DataDir string
}

// Environment variables read by this package.
const (
	// EnvWikiDir names the directory of a wiki started by
	// `mediawiki.sh start`; if its API answers, tests use it and never stop it.
	EnvWikiDir = "MWGEN_TEST_WIKI_DIR"
	// EnvWikiDir143 is EnvWikiDir for the MediaWiki 1.43 wiki (started by
	// `mediawiki.sh start --version 1.43`).
	EnvWikiDir143 = "MWGEN_TEST_WIKI_DIR_1_43"
	// EnvCI makes an unavailable wiki fail tests instead of skipping them when
	// it is "true" or "1".
	EnvCI = "CI"
)

const (
	// startTimeout bounds one run of `mediawiki.sh start`, which may have to
	// install Debian packages first (in CI).
	startTimeout = 10 * time.Minute
	// startAttempts is how often a start is tried with a new port when the
	// chosen one turned out to be taken.
	startAttempts = 5
	// exitPortInUse is mediawiki.sh's exit status when the port is taken.
	exitPortInUse = 3
	// mwRoot is where Debian's mediawiki package lives.
	mwRoot = "/usr/share/mediawiki"
)

// The MediaWiki versions this package can start.
const (
	// V139 is MediaWiki 1.39 LTS, Debian bookworm's mediawiki package.
	V139 = "1.39"
	// V143 is MediaWiki 1.43 LTS (1.43.9), Debian trixie's package.
	V143 = "1.43"
)

// versions lists the startable versions and the variable naming a wiki of
// each to reuse.
var versions = map[string]string{V139: EnvWikiDir, V143: EnvWikiDir143}

// wikiState is the once-per-test-binary start result of one version.
type wikiState struct {
	once sync.Once
	wiki *Wiki
	err  error
	// script and ownDir are set when this binary started the wiki itself;
	// Main then stops it and removes ownDir.
	script string
	ownDir string
}

// states holds one wikiState per version (fixed at init, never changed).
var states = map[string]*wikiState{V139: {}, V143: {}}

// Main wraps testing.M: runs the tests, then stops a wiki this binary started.
// Use from TestMain: func TestMain(m *testing.M) { testwiki.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintf(os.Stderr, "testwiki: %v\n", err)
	}
	os.Exit(code)
}

// Require returns the shared wiki, starting it on first use (once per test
// binary). If it cannot start: t.Fatal when CI=true (env CI is "true" or
// "1"), else t.Skip with a message saying how to run integration tests
// (install the Debian packages via `internal/testwiki/mediawiki.sh
// install-deps`, or point MWGEN_TEST_WIKI_DIR at a wiki started by
// `mediawiki.sh start`).
func Require(t testing.TB) *Wiki {
	t.Helper()
	return RequireVersion(t, V139)
}

// RequireVersion is Require for a given MediaWiki version, V139 or V143;
// each version's wiki is started once per test binary, on first use, and
// both can run side by side. An unknown version fails the test.
func RequireVersion(t testing.TB, version string) *Wiki {
	t.Helper()
	st, ok := states[version]
	if !ok {
		t.Fatalf("testwiki: no MediaWiki %q to start (have %s and %s)", version, V139, V143)
		return nil
	}
	st.once.Do(func() {
		st.wiki, st.err = start(st, version)
	})
	if st.err == nil {
		return st.wiki
	}
	if isCI() {
		t.Fatalf("testwiki: no MediaWiki %s for integration tests (CI=%s): %v", version, os.Getenv(EnvCI), st.err)
	}
	envDir := versions[version]
	install, startArgs := "install-deps", ""
	if version != V139 {
		install, startArgs = "install-deps-"+version, "--version "+version+" "
	}
	t.Skipf("testwiki: skipping integration test, no MediaWiki %s: %v\n"+
		"To run integration tests, either install the Debian packages with\n"+
		"\tinternal/testwiki/mediawiki.sh %s   (uses apt-get, needs root or sudo)\n"+
		"or start a wiki and point %s at it:\n"+
		"\tinternal/testwiki/mediawiki.sh start %s/tmp/wiki 8080 && export %s=/tmp/wiki\n"+
		"With CI=true an unavailable wiki fails the tests instead.",
		version, st.err, install, envDir, startArgs, envDir)
	return nil
}

// Get does a plain GET of api.php with params plus format=json and
// formatversion=2 and returns the response body. It fails on transport
// errors, on an HTTP status other than 200, and on an API error (the
// MediaWiki-API-Error header), in which case the body is returned as well.
func (w *Wiki) Get(ctx context.Context, params url.Values) ([]byte, error) {
	q := url.Values{}
	for k, v := range params {
		q[k] = append([]string(nil), v...)
	}
	q.Set("format", "json")
	q.Set("formatversion", "2")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.API+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "mwgen-testwiki/1.0")
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %w", req.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("GET %s: %s: %s", req.URL, resp.Status, excerpt(body, 500))
	}
	if code := resp.Header.Get("MediaWiki-API-Error"); code != "" {
		return body, fmt.Errorf("GET %s: API error %q: %s", req.URL, code, excerpt(body, 500))
	}
	return body, nil
}

// ping checks that the wiki's API answers a siteinfo query and, if
// w.Version is set, that it runs that MediaWiki version.
func (w *Wiki) ping(ctx context.Context) error {
	body, err := w.Get(ctx, url.Values{"action": {"query"}, "meta": {"siteinfo"}})
	if err != nil {
		return err
	}
	var r struct {
		Query struct {
			General struct {
				Generator string `json:"generator"`
			} `json:"general"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Query.General.Generator == "" {
		return fmt.Errorf("%s does not look like MediaWiki's api.php: %s", w.API, excerpt(body, 300))
	}
	if g := r.Query.General.Generator; w.Version != "" && !strings.HasPrefix(g, "MediaWiki "+w.Version+".") {
		return fmt.Errorf("%s runs %s, not MediaWiki %s", w.API, g, w.Version)
	}
	return nil
}

func isCI() bool {
	v := strings.TrimSpace(os.Getenv(EnvCI))
	return strings.EqualFold(v, "true") || v == "1"
}

// start finds or starts the wiki of a version.
func start(st *wikiState, version string) (*Wiki, error) {
	var reuseNote string
	envDir := versions[version]
	if dir := os.Getenv(envDir); dir != "" {
		w, err := reuse(dir, version)
		if err == nil {
			return w, nil
		}
		reuseNote = fmt.Sprintf("%s=%s is not usable (%v); ", envDir, dir, err)
		fmt.Fprintf(os.Stderr, "testwiki: %sstarting a private wiki instead\n", reuseNote)
	}
	w, err := startOwn(st, version)
	if err != nil {
		return nil, fmt.Errorf("%s%w", reuseNote, err)
	}
	return w, nil
}

// reuse returns the running wiki of version described by dir/wiki.env.
func reuse(dir, version string) (*Wiki, error) {
	w, err := readEnvFile(filepath.Join(dir, "wiki.env"))
	if err != nil {
		return nil, err
	}
	w.Version = version
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.ping(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// startOwn runs `mediawiki.sh start` in a fresh temporary directory, retrying
// with another port when the chosen one was taken meanwhile.
func startOwn(st *wikiState, version string) (*Wiki, error) {
	script, err := findScript()
	if err != nil {
		return nil, err
	}
	if !isCI() {
		// Outside CI never let the script run apt-get behind the
		// developer's back; say what is missing instead.
		if err := checkInstalled(); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		prefix := "mwgen-testwiki-"
		if version != V139 {
			prefix += version + "-"
		}
		dir, err := os.MkdirTemp("", prefix)
		if err != nil {
			return nil, err
		}
		portTaken, err := runStart(script, dir, port, version)
		if err == nil {
			var w *Wiki
			if w, err = readEnvFile(filepath.Join(dir, "wiki.env")); err == nil {
				w.Version = version
				st.script, st.ownDir = script, dir
				return w, nil
			}
		}
		// The script stops its server on its own failures; make sure anyway.
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, _ = runScript(stopCtx, script, "stop", dir)
		cancel()
		_ = os.RemoveAll(dir)
		lastErr = err
		if !portTaken {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no free port after %d attempts: %w", startAttempts, lastErr)
}

// runStart runs `mediawiki.sh start [--version V] dir port`; portTaken
// reports the script's "port in use" exit status.
func runStart(script, dir string, port int, version string) (portTaken bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	args := []string{"start"}
	if version != V139 {
		args = append(args, "--version", version)
	}
	args = append(args, dir, strconv.Itoa(port))
	out, err := runScript(ctx, script, args...)
	if err == nil {
		return false, nil
	}
	var exitErr *exec.ExitError
	portTaken = errors.As(err, &exitErr) && exitErr.ExitCode() == exitPortInUse
	return portTaken, fmt.Errorf("%s %s: %v\n%s", script, strings.Join(args, " "), err, tail(out, 40))
}

// runScript runs mediawiki.sh with args and returns its combined output.
func runScript(ctx context.Context, script string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(),
		// The server stops itself if this test binary dies without Main.
		"MWGEN_TESTWIKI_WATCH_PID="+strconv.Itoa(os.Getpid()),
		// Never wait for a sudo password.
		"MWGEN_TESTWIKI_NONINTERACTIVE=1",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// The server runs detached with its own log, but do not hang should a
	// descendant keep the output pipe open anyway.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

// shutdown stops the wikis this binary started, if any, and removes their
// directories.
func shutdown() error {
	var errs []error
	for _, v := range []string{V139, V143} {
		if err := states[v].shutdown(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// shutdown stops the wiki st started, if any, and removes its directory.
func (st *wikiState) shutdown() error {
	if st.ownDir == "" {
		return nil
	}
	dir := st.ownDir
	st.ownDir = ""
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := runScript(ctx, st.script, "stop", dir); err != nil {
		return fmt.Errorf("stopping the wiki in %s: %v\n%s", dir, err, tail(out, 20))
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}

// findScript locates mediawiki.sh next to this source file, or else below
// the module root found upwards from the working directory (a test's
// working directory is its package directory).
func findScript() (string, error) {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		p := filepath.Join(filepath.Dir(file), "mediawiki.sh")
		if fileExists(p) {
			return p, nil
		}
		tried = append(tried, p)
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if fileExists(filepath.Join(dir, "go.mod")) {
				p := filepath.Join(dir, "internal", "testwiki", "mediawiki.sh")
				if fileExists(p) {
					return p, nil
				}
				tried = append(tried, p)
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return "", fmt.Errorf("cannot find internal/testwiki/mediawiki.sh (tried %s)", strings.Join(tried, ", "))
}

// checkInstalled reports what of the Debian setup is missing.
func checkInstalled() error {
	var missing []string
	if _, err := exec.LookPath("php"); err != nil {
		missing = append(missing, "php (php-cli)")
	}
	if !fileExists(filepath.Join(mwRoot, "maintenance", "install.php")) {
		missing = append(missing, mwRoot+" (mediawiki)")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		missing = append(missing, "bash")
	}
	if len(missing) > 0 {
		return fmt.Errorf("not installed: %s", strings.Join(missing, ", "))
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readEnvFile reads the wiki.env written by `mediawiki.sh start`.
func readEnvFile(path string) (*Wiki, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env, err := parseEnv(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := &Wiki{
		API:           env["MWGEN_TEST_API"],
		Index:         env["MWGEN_TEST_INDEX"],
		Server:        env["MWGEN_TEST_SERVER"],
		AdminUser:     env["MWGEN_TEST_ADMIN_USER"],
		AdminPassword: env["MWGEN_TEST_ADMIN_PASSWORD"],
		BotUser:       env["MWGEN_TEST_BOT_USER"],
		BotPassword:   env["MWGEN_TEST_BOT_PASSWORD"],
		DataDir:       env["MWGEN_TEST_DATADIR"],
		Root:          env["MWGEN_TEST_MW_ROOT"],
	}
	if w.Root == "" {
		w.Root = mwRoot
	}
	if w.DataDir == "" {
		w.DataDir = filepath.Dir(path)
	}
	if w.API == "" {
		return nil, fmt.Errorf("%s: no MWGEN_TEST_API", path)
	}
	return w, nil
}

// parseEnv parses the shell-sourceable KEY=VALUE lines of a wiki.env
// (optionally prefixed by "export", values bare or in single or double
// quotes without escapes).
func parseEnv(data []byte) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("line %d: not KEY=VALUE: %q", n, line)
		}
		if len(val) >= 2 && (val[0] == '\'' || val[0] == '"') {
			if val[len(val)-1] != val[0] {
				return nil, fmt.Errorf("line %d: unterminated quote: %q", n, line)
			}
			val = val[1 : len(val)-1]
		}
		env[key] = val
	}
	return env, sc.Err()
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// tail returns the last n lines of out, indented.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return "\t" + strings.Join(lines, "\n\t")
}

func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
