// Package browser drives Debian's headless Chromium through chromedriver for
// end-to-end tests: a small W3C WebDriver client over HTTP, standard library
// only.
//
//	b := browser.Start(t) // chromedriver + a Chromium session, gone on t.Cleanup
//	if err := b.Navigate(url); err != nil { ... }
//	el, err := b.FindCSS("#login")
//	err = el.Click()
//	el, err = b.WaitCSS("#username", 30*time.Second)
//	png, err := b.Screenshot()
//
// Chromium and chromedriver come from Debian's chromium and chromium-driver
// packages (/usr/bin/chromium, /usr/bin/chromedriver; install.sh next to
// this file installs them). When they are missing, Start fails the test if
// the environment variable CI is "true" or "1", and skips it with the
// install hint otherwise.
//
// Every method returns an error instead of failing the test, so that it can
// be used inside a Wait condition; a WebDriver error is an *Error carrying
// the driver's error JSON.
package browser

import (
	"bytes"
	"context"
	"encoding/base64"
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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Default locations of Debian's binaries. The environment variables
// MWGEN_CHROMIUM and MWGEN_CHROMEDRIVER override them.
const (
	Chromium     = "/usr/bin/chromium"
	ChromeDriver = "/usr/bin/chromedriver"
)

// InstallHint says how to get Chromium and chromedriver.
const InstallHint = "apt-get install chromium chromium-driver"

// ChromiumArgs are the flags Chromium is started with (besides
// --user-data-dir and --window-size). The machines this runs on have no
// internet: without the networking flags Chromium keeps trying to reach
// Google's services.
var ChromiumArgs = []string{
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-quic",
}

// WindowSize is the browser window's size, as --window-size's value.
const WindowSize = "1280,900"

// requestTimeout bounds one WebDriver command (a navigation waits for the
// page to load, bounded by the session's pageLoad timeout below it).
const requestTimeout = 90 * time.Second

// pageLoadTimeout is the session's pageLoad timeout.
const pageLoadTimeout = 60 * time.Second

// elementKey is the W3C web element identifier's JSON key.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// Browser is a WebDriver session of a headless Chromium.
type Browser struct {
	base    string // chromedriver's URL, http://127.0.0.1:PORT
	session string
	client  *http.Client
	cmd     *exec.Cmd
	done    chan struct{}
	logPath string
	output  *syncBuffer
}

// Element is an element found in the current page.
type Element struct {
	b  *Browser
	id string
	// Selector is the CSS selector it was found with, for messages.
	Selector string
}

// Error is a WebDriver error answered by chromedriver.
type Error struct {
	Method, Path string
	Status       int
	// Code is the WebDriver error code, e.g. "no such element".
	Code    string
	Message string
	// JSON is the driver's error object (the "value" of its answer), as
	// received.
	JSON json.RawMessage
}

func (e *Error) Error() string {
	// The stacktrace is chromedriver's native frames: long and of no use in
	// a test log, so it is left out of the message (it stays in JSON).
	var v map[string]any
	brief := string(e.JSON)
	if json.Unmarshal(e.JSON, &v) == nil {
		delete(v, "stacktrace")
		if b, err := json.Marshal(v); err == nil {
			brief = string(b)
		}
	}
	return fmt.Sprintf("webdriver %s %s: %d %s: %s (%s)", e.Method, e.Path, e.Status, e.Code, e.Message, brief)
}

// IsNoSuchElement reports whether err is WebDriver's "no such element".
func IsNoSuchElement(err error) bool {
	var we *Error
	return errors.As(err, &we) && we.Code == "no such element"
}

// IsStaleElement reports whether err is WebDriver's "stale element
// reference" (the element's page was replaced).
func IsStaleElement(err error) bool {
	var we *Error
	return errors.As(err, &we) && we.Code == "stale element reference"
}

// Start starts chromedriver on a free port of 127.0.0.1 and a Chromium
// session with a fresh profile in t.TempDir(). Both are ended on t.Cleanup
// (the session deleted, chromedriver and what it started killed). When
// Chromium or chromedriver is missing the test fails under CI=true (or 1)
// and is skipped otherwise.
func Start(t testing.TB) *Browser {
	t.Helper()
	chromium, driver := binPath("MWGEN_CHROMIUM", Chromium), binPath("MWGEN_CHROMEDRIVER", ChromeDriver)
	for _, p := range []string{chromium, driver} {
		if err := checkExecutable(p); err != nil {
			if isCI() {
				t.Fatalf("browser: %v (CI=%s; install with: %s, or bash internal/browser/install.sh)", err, os.Getenv("CI"), InstallHint)
			}
			t.Skipf("browser: skipping, %v\nTo run the browser tests install Debian's packages:\n\t%s", err, InstallHint)
		}
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		t.Fatalf("browser: %v", err)
	}
	b := &Browser{client: &http.Client{}, logPath: filepath.Join(dir, "chromedriver.log"), output: &syncBuffer{}}

	// A free port can be taken by someone else before chromedriver binds
	// it: try a few.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if lastErr = b.startDriver(driver); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("browser: %v\n%s", lastErr, b.driverLog())
	}
	t.Cleanup(func() {
		if t.Failed() && b.session != "" {
			b.logState(t)
		}
		b.close()
		if t.Failed() {
			t.Logf("chromedriver log (tail):\n%s", b.driverLog())
		}
	})

	args := append([]string{}, ChromiumArgs...)
	args = append(args, "--user-data-dir="+profile, "--window-size="+WindowSize)
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName":      "chrome",
				"pageLoadStrategy": "normal",
				"goog:chromeOptions": map[string]any{
					"binary": chromium,
					"args":   args,
				},
			},
		},
	}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.do(http.MethodPost, "/session", caps, &created); err != nil {
		t.Fatalf("browser: creating a session: %v\n%s", err, b.driverLog())
	}
	if created.SessionID == "" {
		t.Fatalf("browser: chromedriver answered no session id")
	}
	b.session = created.SessionID
	timeouts := map[string]any{"implicit": 0, "pageLoad": pageLoadTimeout.Milliseconds(), "script": 30000}
	if err := b.do(http.MethodPost, b.sp("/timeouts"), timeouts, nil); err != nil {
		t.Fatalf("browser: setting timeouts: %v", err)
	}
	return b
}

// startDriver runs chromedriver on a free port and waits until its /status
// says it is ready.
func (b *Browser) startDriver(driver string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(driver, "--port="+strconv.Itoa(port), "--log-path="+b.logPath)
	cmd.Stdout, cmd.Stderr = b.output, b.output
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", driver, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	b.cmd, b.done = cmd, done
	b.base = "http://127.0.0.1:" + strconv.Itoa(port)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lastErr error
	for {
		var status struct {
			Ready   bool   `json:"ready"`
			Message string `json:"message"`
		}
		lastErr = b.doCtx(ctx, http.MethodGet, "/status", nil, &status)
		if lastErr == nil && status.Ready {
			return nil
		}
		if lastErr == nil {
			lastErr = fmt.Errorf("not ready: %s", status.Message)
		}
		select {
		case <-done:
			b.cmd, b.done = nil, nil
			return fmt.Errorf("%s exited before it was ready: %v", driver, cmd.ProcessState)
		case <-ctx.Done():
			b.kill()
			return fmt.Errorf("%s not ready after 30s: %v", driver, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close deletes the session (Chromium quits) and kills chromedriver and
// anything it left.
func (b *Browser) close() {
	if b.session != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_ = b.doCtx(ctx, http.MethodDelete, b.sp(""), nil, nil)
		cancel()
		b.session = ""
	}
	b.kill()
}

func (b *Browser) kill() {
	if b.cmd == nil {
		return
	}
	killProcessGroup(b.cmd)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
	}
	b.cmd = nil
}

// logState logs the current URL and page source, for a failed test.
func (b *Browser) logState(t testing.TB) {
	u, err := b.CurrentURL()
	if err != nil {
		t.Logf("browser: current URL: %v", err)
		return
	}
	src, err := b.PageSource()
	if err != nil {
		t.Logf("browser: page source: %v", err)
		return
	}
	const max = 8000
	if len(src) > max {
		src = src[:max] + "\n[... cut]"
	}
	t.Logf("browser: at %s, page source:\n%s", u, src)
}

// driverLog returns the tail of chromedriver's log and output.
func (b *Browser) driverLog() string {
	data, _ := os.ReadFile(b.logPath)
	const max = 6000
	if len(data) > max {
		data = append([]byte("[...]\n"), data[len(data)-max:]...)
	}
	out := b.output.String()
	if out != "" {
		return string(data) + "\n-- chromedriver output:\n" + out
	}
	return string(data)
}

// Navigate loads url in the current window and waits for it to load.
func (b *Browser) Navigate(u string) error {
	return b.do(http.MethodPost, b.sp("/url"), map[string]any{"url": u}, nil)
}

// CurrentURL returns the URL of the current page.
func (b *Browser) CurrentURL() (string, error) {
	var u string
	err := b.do(http.MethodGet, b.sp("/url"), nil, &u)
	return u, err
}

// Title returns the current page's title.
func (b *Browser) Title() (string, error) {
	var s string
	err := b.do(http.MethodGet, b.sp("/title"), nil, &s)
	return s, err
}

// PageSource returns the current page's DOM serialized as HTML.
func (b *Browser) PageSource() (string, error) {
	var s string
	err := b.do(http.MethodGet, b.sp("/source"), nil, &s)
	return s, err
}

// Screenshot returns a PNG of the current window.
func (b *Browser) Screenshot() ([]byte, error) {
	var s string
	if err := b.do(http.MethodGet, b.sp("/screenshot"), nil, &s); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("webdriver screenshot: %w", err)
	}
	return png, nil
}

// FindCSS returns the first element matching the CSS selector; when there
// is none the error is an *Error with Code "no such element" (see
// IsNoSuchElement).
func (b *Browser) FindCSS(selector string) (*Element, error) {
	var ref map[string]string
	if err := b.do(http.MethodPost, b.sp("/element"), map[string]any{"using": "css selector", "value": selector}, &ref); err != nil {
		return nil, err
	}
	id := ref[elementKey]
	if id == "" {
		return nil, fmt.Errorf("webdriver find %q: no element reference in %v", selector, ref)
	}
	return &Element{b: b, id: id, Selector: selector}, nil
}

// FindAllCSS returns the elements matching the CSS selector, in document
// order (none is not an error).
func (b *Browser) FindAllCSS(selector string) ([]*Element, error) {
	var refs []map[string]string
	if err := b.do(http.MethodPost, b.sp("/elements"), map[string]any{"using": "css selector", "value": selector}, &refs); err != nil {
		return nil, err
	}
	els := make([]*Element, 0, len(refs))
	for _, ref := range refs {
		id := ref[elementKey]
		if id == "" {
			return nil, fmt.Errorf("webdriver find all %q: no element reference in %v", selector, ref)
		}
		els = append(els, &Element{b: b, id: id, Selector: selector})
	}
	return els, nil
}

// Wait calls cond every 100ms until it answers true (Wait returns nil), an
// error (Wait returns it) or timeout passes (Wait returns an error naming
// the current URL). It waits for a page to get somewhere, it is not a timed
// assertion: give it a generous timeout.
func (b *Browser) Wait(cond func() (bool, error), timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			u, uerr := b.CurrentURL()
			if uerr != nil {
				u = "(unknown: " + uerr.Error() + ")"
			}
			return fmt.Errorf("browser: condition not met within %v (page %s): %w", timeout, u, ctx.Err())
		case <-tick.C:
		}
	}
}

// WaitCSS waits until an element matches the CSS selector and returns it.
func (b *Browser) WaitCSS(selector string, timeout time.Duration) (*Element, error) {
	var el *Element
	err := b.Wait(func() (bool, error) {
		var err error
		el, err = b.FindCSS(selector)
		if IsNoSuchElement(err) {
			return false, nil
		}
		return err == nil, err
	}, timeout)
	if err != nil {
		return nil, fmt.Errorf("waiting for %q: %w", selector, err)
	}
	return el, nil
}

// Click clicks the element (scrolling it into view first).
func (e *Element) Click() error {
	return e.b.do(http.MethodPost, e.ep("/click"), map[string]any{}, nil)
}

// SendKeys types text into the element.
func (e *Element) SendKeys(text string) error {
	return e.b.do(http.MethodPost, e.ep("/value"), map[string]any{"text": text}, nil)
}

// Clear empties an input or textarea.
func (e *Element) Clear() error {
	return e.b.do(http.MethodPost, e.ep("/clear"), map[string]any{}, nil)
}

// Text returns the element's rendered text.
func (e *Element) Text() (string, error) {
	var s string
	err := e.b.do(http.MethodGet, e.ep("/text"), nil, &s)
	return s, err
}

// Attribute returns the element's attribute name ("" when absent).
func (e *Element) Attribute(name string) (string, error) {
	var s *string
	if err := e.b.do(http.MethodGet, e.ep("/attribute/"+url.PathEscape(name)), nil, &s); err != nil {
		return "", err
	}
	if s == nil {
		return "", nil
	}
	return *s, nil
}

// Property returns the element's DOM property name (e.g. "value") as JSON
// decoded into a Go value.
func (e *Element) Property(name string) (any, error) {
	var v any
	err := e.b.do(http.MethodGet, e.ep("/property/"+url.PathEscape(name)), nil, &v)
	return v, err
}

func (b *Browser) sp(p string) string { return "/session/" + b.session + p }

func (e *Element) ep(p string) string { return e.b.sp("/element/" + e.id + p) }

// do sends a WebDriver command and decodes its answer's "value" into out.
func (b *Browser) do(method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return b.doCtx(ctx, method, path, in, out)
}

func (b *Browser) doCtx(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	var envelope struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &envelope); err != nil {
		return fmt.Errorf("webdriver %s %s: %s: not a WebDriver answer: %q", method, path, resp.Status, excerpt(data, 500))
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(envelope.Value, &e)
		return &Error{Method: method, Path: path, Status: resp.StatusCode, Code: e.Error, Message: e.Message, JSON: envelope.Value}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(envelope.Value, out); err != nil {
		return fmt.Errorf("webdriver %s %s: decoding %q: %w", method, path, excerpt(envelope.Value, 500), err)
	}
	return nil
}

func binPath(env, def string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	return def
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s not found", p)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", p)
	}
	return nil
}

func isCI() bool {
	v := strings.TrimSpace(os.Getenv("CI"))
	return strings.EqualFold(v, "true") || v == "1"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func excerpt(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// syncBuffer collects chromedriver's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
