package runtime

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waits records the waits a client asks for instead of sleeping them, so
// that retry tests count attempts and check waits without taking time.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// testPolicy is the policy of the retry tests: the waits are recorded, not
// slept, so their size does not matter.
var testPolicy = RetryPolicy{MaxAttempts: 4, MinDelay: time.Second, MaxDelay: 10 * time.Second}

// retryFake is a fake wiki whose answers to the request under test (not
// to token fetches) come from fault for the first attempts and are a
// success afterwards. It returns the client, the number of attempts of the
// request under test, and the recorded waits.
func retryFake(t *testing.T, opts Options, faults int, fault func(s seen, w http.ResponseWriter)) (*Client, *atomic.Int32, *waits) {
	t.Helper()
	var n atomic.Int32
	if opts.Retry == (RetryPolicy{}) {
		opts.Retry = testPolicy
	}
	c, _ := newFake(t, opts, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("meta") == "tokens" {
			jsonAnswer(w, `{"batchcomplete":true,"query":{"tokens":{"csrftoken":"tok+\\"}}}`)
			return
		}
		if int(n.Add(1)) <= faults {
			fault(s, w)
			return
		}
		jsonAnswer(w, `{"batchcomplete":true,"edit":{"result":"Success"}}`)
	})
	ws := new(waits)
	c.sleep = ws.sleep
	return c, &n, ws
}

func readRequest() *Request {
	p := new(Params)
	p.Text("meta", "siteinfo")
	return &Request{Action: "query", Params: p}
}

func writeRequest() *Request {
	p := new(Params)
	p.Text("title", "Sandbox")
	p.OptText("appendtext", Set("x"))
	return &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"}
}

func htmlAnswer(w http.ResponseWriter, status int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>",
		status, http.StatusText(status), http.StatusText(status))
}

// dropConnection closes the connection without an answer, after the
// request was read.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// The outcomes a retry test expects.
const (
	retried = "retried"         // success on the second attempt, after one wait
	failed  = "error"           // the first attempt's error, no retry, not ErrMaybeApplied
	maybe   = "ErrMaybeApplied" // no retry, an error matching ErrMaybeApplied
)

func TestRetryClassification(t *testing.T) {
	readonlyJSON := `{"errors":[{"code":"readonly","text":"The wiki is currently in read-only mode.","data":{"readonlyreason":"test"},"module":"main"}],"docref":"See api.php.","servedby":"fake"}`
	soon := time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name        string
		fault       func(t *testing.T, w http.ResponseWriter)
		read, write string
		// wait is the wait before the retry: exact when > 0, the first
		// backoff (MinDelay plus jitter) when 0.
		wait    time.Duration
		waitMax time.Duration // when set, wait is a lower bound
	}{
		{"maxlag with Retry-After", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.Header().Set("X-Database-Lag", "12")
			apiError(w, "maxlag", "Waiting for a database server: 12 seconds lagged.", "main")
		}, retried, retried, 7 * time.Second, 0},
		{"maxlag without Retry-After", func(t *testing.T, w http.ResponseWriter) {
			apiError(w, "maxlag", "Waiting for a database server: 12 seconds lagged.", "main")
		}, retried, retried, DefaultMaxLagWait, 0},
		{"maxlag Retry-After above MaxDelay", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "3600")
			apiError(w, "maxlag", "Waiting for a database server: 4000 seconds lagged.", "main")
		}, retried, retried, testPolicy.MaxDelay, 0},
		{"ratelimited", func(t *testing.T, w http.ResponseWriter) {
			apiError(w, "ratelimited", "As an anti-abuse measure, you are limited from performing this action too many times in a short space of time.", "edit")
		}, retried, retried, 0, 0},
		{"readonly", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("MediaWiki-API-Error", "readonly")
			jsonAnswer(w, readonlyJSON)
		}, retried, retried, 0, 0},
		{"HTTP 429 with Retry-After seconds", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusTooManyRequests, "1")
		}, retried, retried, time.Second, 0},
		{"HTTP 429 with Retry-After date", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusTooManyRequests, soon)
		}, retried, retried, time.Second, 5 * time.Second},
		{"HTTP 429 without Retry-After", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusTooManyRequests, "")
		}, retried, retried, 0, 0},
		{"HTTP 503 with Retry-After", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusServiceUnavailable, "3")
		}, retried, maybe, 3 * time.Second, 0},
		{"HTTP 502 HTML", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusBadGateway, "")
		}, retried, maybe, 0, 0},
		{"HTTP 500 API error", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("MediaWiki-API-Error", "internal_api_error_DBQueryError")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			io.WriteString(w, `{"errors":[{"code":"internal_api_error_DBQueryError","text":"[abc] Database query error.","module":"main"}]}`)
		}, retried, failed, 0, 0},
		{"truncated JSON", func(t *testing.T, w http.ResponseWriter) {
			jsonAnswer(w, `{"batchcomplete":true,"edit":{"result":"Succ`)
		}, retried, maybe, 0, 0},
		{"connection cut mid-body", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"edit":`)
		}, retried, maybe, 0, 0},
		{"connection dropped without an answer", func(t *testing.T, w http.ResponseWriter) {
			dropConnection(t, w)
		}, retried, maybe, 0, 0},
		{"HTML with status 200", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusOK, "")
		}, failed, maybe, 0, 0},
		{"HTTP 404", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusNotFound, "")
		}, failed, failed, 0, 0},
		{"HTTP 403", func(t *testing.T, w http.ResponseWriter) {
			htmlAnswer(w, http.StatusForbidden, "")
		}, failed, failed, 0, 0},
		{"permissiondenied", func(t *testing.T, w http.ResponseWriter) {
			apiError(w, "permissiondenied", "You don't have permission to edit this page.", "edit")
		}, failed, failed, 0, 0},
		{"assertuserfailed", func(t *testing.T, w http.ResponseWriter) {
			apiError(w, "assertuserfailed", "You are no longer logged in.", "main")
		}, failed, failed, 0, 0},
	}
	for _, tt := range tests {
		for _, kind := range []string{"read", "write"} {
			want, req := tt.read, readRequest()
			if kind == "write" {
				want, req = tt.write, writeRequest()
			}
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				c, n, ws := retryFake(t, Options{}, 1, func(s seen, w http.ResponseWriter) { tt.fault(t, w) })
				resp, err := c.Do(ctx(t), req)
				got := ws.all()
				switch want {
				case retried:
					if err != nil {
						t.Fatalf("err = %v, want success after a retry", err)
					}
					if resp == nil || resp.Get("batchcomplete") == nil {
						t.Errorf("response %v", resp)
					}
					if n.Load() != 2 || len(got) != 1 {
						t.Fatalf("%d attempts, waits %v; want 2 attempts, 1 wait", n.Load(), got)
					}
					switch {
					case tt.waitMax > 0:
						if got[0] < tt.wait || got[0] > tt.waitMax {
							t.Errorf("wait %v, want %v to %v", got[0], tt.wait, tt.waitMax)
						}
					case tt.wait > 0:
						if got[0] != tt.wait {
							t.Errorf("wait %v, want %v", got[0], tt.wait)
						}
					default:
						if lo, hi := testPolicy.MinDelay, testPolicy.MinDelay*3/2; got[0] < lo || got[0] > hi {
							t.Errorf("wait %v, want the first backoff, %v to %v", got[0], lo, hi)
						}
					}
				case failed, maybe:
					if err == nil {
						t.Fatalf("no error, want %s", want)
					}
					if n.Load() != 1 || len(got) != 0 {
						t.Errorf("%d attempts, waits %v; want 1 attempt, no retry", n.Load(), got)
					}
					if errors.Is(err, ErrMaybeApplied) != (want == maybe) {
						t.Errorf("errors.Is(%q, ErrMaybeApplied) = %v, want %v", err, errors.Is(err, ErrMaybeApplied), want == maybe)
					}
					if want == maybe && !strings.Contains(err.Error(), "the edit may or may not have been applied; check before retrying") {
						t.Errorf("error %q does not say the edit may have been applied", err)
					}
				}
			})
		}
	}
}

func TestRetryMaybeAppliedWraps(t *testing.T) {
	c, _, _ := retryFake(t, Options{}, 1, func(s seen, w http.ResponseWriter) {
		htmlAnswer(w, http.StatusBadGateway, "")
	})
	_, err := c.Do(ctx(t), writeRequest())
	var re *ResponseError
	if !errors.Is(err, ErrMaybeApplied) || !errors.As(err, &re) || re.StatusCode != 502 {
		t.Fatalf("err = %v; want ErrMaybeApplied wrapping a *ResponseError of status 502", err)
	}
	const want = "mediawiki: action=edit: the request was sent but the answer (HTTP 502 Bad Gateway) is not an API response: " +
		"the edit may or may not have been applied; check before retrying (HTTP 502 Bad Gateway: not an API response (text/html; charset=utf-8): " +
		"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>)"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
}

// TestRetryWhatIsAWrite checks which requests count as writes: a token,
// Post (mustbeposted) or a file make one; a POST for a long URL does not.
func TestRetryWhatIsAWrite(t *testing.T) {
	longTitles := strings.Repeat("Some long title|", 200)
	tests := []struct {
		name   string
		req    func() *Request
		write  bool
		method string
	}{
		{"GET read", readRequest, false, http.MethodGet},
		{"read POSTed for its long URL", func() *Request {
			p := new(Params)
			p.Text("titles", longTitles)
			return &Request{Action: "query", Params: p}
		}, false, http.MethodPost},
		{"read with a sensitive parameter", func() *Request {
			p := new(Params)
			p.Sensitive("secret")
			p.Text("secret", "x")
			return &Request{Action: "query", Params: p}
		}, false, http.MethodPost},
		{"token", writeRequest, true, http.MethodPost},
		{"Post without a token", func() *Request {
			p := new(Params)
			p.Text("token", "given+\\")
			return &Request{Action: "purge", Params: p, Post: true}
		}, true, http.MethodPost},
		{"file", func() *Request {
			p := new(Params)
			p.File("file", &File{Name: "a.txt", Content: strings.NewReader("x")})
			return &Request{Action: "upload", Params: p}
		}, true, http.MethodPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var methods []string
			var mu sync.Mutex
			c, n, _ := retryFake(t, Options{}, 1, func(s seen, w http.ResponseWriter) {
				mu.Lock()
				methods = append(methods, s.Method)
				mu.Unlock()
				htmlAnswer(w, http.StatusServiceUnavailable, "")
			})
			_, err := c.Do(ctx(t), tt.req())
			if tt.write {
				if !errors.Is(err, ErrMaybeApplied) || n.Load() != 1 {
					t.Errorf("%d attempts, err %v; want a write: 1 attempt, ErrMaybeApplied", n.Load(), err)
				}
			} else if err != nil || n.Load() != 2 {
				t.Errorf("%d attempts, err %v; want a read: retried, success", n.Load(), err)
			}
			if len(methods) == 0 || methods[0] != tt.method {
				t.Errorf("methods %v, want %s", methods, tt.method)
			}
		})
	}
}

func TestRetryBounded(t *testing.T) {
	ratelimited := func(s seen, w http.ResponseWriter) {
		apiError(w, "ratelimited", "You've exceeded your rate limit. Please wait some time and try again.", "edit")
	}
	t.Run("MaxAttempts 3", func(t *testing.T) {
		c, n, ws := retryFake(t, Options{Retry: RetryPolicy{MaxAttempts: 3, MinDelay: time.Second, MaxDelay: time.Hour}}, 100, ratelimited)
		_, err := c.Do(ctx(t), writeRequest())
		if !errors.Is(err, ErrRateLimited) || !strings.HasSuffix(err.Error(), "(gave up after 3 attempts)") {
			t.Errorf("err = %v", err)
		}
		if n.Load() != 3 || len(ws.all()) != 2 {
			t.Errorf("%d attempts, waits %v; want 3 attempts, 2 waits", n.Load(), ws.all())
		}
	})
	t.Run("defaults", func(t *testing.T) {
		c, n, ws := retryFake(t, Options{Retry: RetryPolicy{}}, 100, ratelimited)
		c.retry = RetryPolicy{}.withDefaults() // retryFake sets testPolicy for a zero policy
		_, err := c.Do(ctx(t), readRequest())
		if !errors.Is(err, ErrRateLimited) {
			t.Errorf("err = %v", err)
		}
		got := ws.all()
		if n.Load() != DefaultMaxAttempts || len(got) != DefaultMaxAttempts-1 {
			t.Fatalf("%d attempts, waits %v; want %d attempts", n.Load(), got, DefaultMaxAttempts)
		}
		// 1 s doubling, each with up to 50 % jitter.
		for i, d := range got {
			lo := DefaultMinDelay << i
			if d < lo || d > lo*3/2 {
				t.Errorf("wait %d is %v, want %v to %v", i+1, d, lo, lo*3/2)
			}
		}
	})
	t.Run("disabled", func(t *testing.T) {
		for _, max := range []int{1, -1} {
			c, n, ws := retryFake(t, Options{Retry: RetryPolicy{MaxAttempts: max}}, 100, ratelimited)
			_, err := c.Do(ctx(t), readRequest())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || err.Error() != apiErr.Error() {
				t.Errorf("MaxAttempts %d: err = %v, want the bare API error", max, err)
			}
			if n.Load() != 1 || len(ws.all()) != 0 {
				t.Errorf("MaxAttempts %d: %d attempts, waits %v", max, n.Load(), ws.all())
			}
		}
	})
	t.Run("badtoken even when disabled", func(t *testing.T) {
		c, n, _ := retryFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, 1, func(s seen, w http.ResponseWriter) {
			apiError(w, "badtoken", "Invalid CSRF token.", "edit")
		})
		if _, err := c.Do(ctx(t), writeRequest()); err != nil || n.Load() != 2 {
			t.Errorf("%d attempts, err %v; want the badtoken refetch", n.Load(), err)
		}
	})
	t.Run("backoff is capped", func(t *testing.T) {
		p := RetryPolicy{MinDelay: time.Second, MaxDelay: 5 * time.Second}.withDefaults()
		for n := 1; n < 70; n++ {
			if d := p.delay(n, 0); d < time.Second || d > 5*time.Second {
				t.Errorf("delay(%d) = %v", n, d)
			}
		}
	})
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-3":                            0,
		"5":                             5 * time.Second,
		" 120 ":                         2 * time.Minute,
		"soon":                          0,
		"Fri, 01 May 2026 12:00:30 GMT": 30 * time.Second,
		"Fri, 01 May 2026 11:00:00 GMT": 0,
		"99999999999999":                24 * time.Hour,
	} {
		h := http.Header{}
		if v != "" {
			h.Set("Retry-After", v)
		}
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
	if got := retryAfter(nil, now); got != 0 {
		t.Errorf("no header: %v", got)
	}
}

// cancelOn is a slog.Handler that calls f when a record's message is msg.
type cancelOn struct {
	msg string
	f   func()
}

func (h cancelOn) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOn) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.f()
	}
	return nil
}
func (h cancelOn) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cancelOn) WithGroup(string) slog.Handler      { return h }

func TestRetryContext(t *testing.T) {
	ratelimited := func(s seen, w http.ResponseWriter) {
		apiError(w, "ratelimited", "Rate limited.", "main")
	}
	t.Run("canceled during the backoff", func(t *testing.T) {
		cctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The real sleep, with an hour to wait: the cancel, made when the
		// retry is logged, must end it.
		c, n, _ := retryFake(t, Options{
			Retry:  RetryPolicy{MinDelay: time.Hour, MaxDelay: time.Hour},
			Logger: slog.New(cancelOn{"mediawiki: retrying", cancel}),
		}, 100, ratelimited)
		c.sleep = sleepCtx
		done := make(chan error, 1)
		go func() {
			_, err := c.Do(cctx, writeRequest())
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrRateLimited) || errors.Is(err, ErrMaybeApplied) {
				t.Errorf("err = %v; want context.Canceled and the last error, ErrRateLimited", err)
			}
			if n.Load() != 1 {
				t.Errorf("%d attempts, want 1", n.Load())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Do did not return after its context was canceled")
		}
	})
	t.Run("wait beyond the deadline", func(t *testing.T) {
		c, n, _ := retryFake(t, Options{Retry: RetryPolicy{MinDelay: time.Hour, MaxDelay: time.Hour}}, 100, ratelimited)
		c.sleep = sleepCtx
		dctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := c.Do(dctx, readRequest())
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrRateLimited) ||
			!strings.Contains(err.Error(), "would pass the context's deadline") {
			t.Errorf("err = %v", err)
		}
		if n.Load() != 1 {
			t.Errorf("%d attempts, want 1", n.Load())
		}
	})
	t.Run("canceled before sending", func(t *testing.T) {
		c, n, _ := retryFake(t, Options{}, 0, nil)
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Do(cctx, &Request{Action: "edit", Post: true})
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrMaybeApplied) || n.Load() != 0 {
			t.Errorf("%d attempts, err %v; want context.Canceled, nothing sent", n.Load(), err)
		}
	})
	t.Run("sleep", func(t *testing.T) {
		if err := sleepCtx(context.Background(), time.Millisecond); err != nil {
			t.Error(err)
		}
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := sleepCtx(cctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	})
}

// hangingServer is a wiki whose answers to the request under test hang,
// after the request was read in full, until the client goes away; that
// for the first hangs attempts, later ones succeed. It counts the attempts.
func hangingServer(t *testing.T, opts Options, hangs int) (*Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("reading the request: %v", err)
		}
		if r.Form.Get("meta") == "tokens" {
			jsonAnswer(w, `{"batchcomplete":true,"query":{"tokens":{"csrftoken":"tok+\\"}}}`)
			return
		}
		if int(n.Add(1)) <= hangs {
			<-r.Context().Done()
			return
		}
		jsonAnswer(w, `{"batchcomplete":true,"edit":{"result":"Success"}}`)
	}))
	t.Cleanup(srv.Close)
	if opts.Retry == (RetryPolicy{}) {
		opts.Retry = testPolicy
	}
	opts.UserAgent = "runtime-test/1.0 (test@example.org)"
	c, err := NewClient(srv.URL+"/w/api.php", opts)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = new(waits).sleep
	return c, &n
}

func TestRetryTimeouts(t *testing.T) {
	timeoutClient := func() *http.Client { return &http.Client{Timeout: 300 * time.Millisecond} }
	t.Run("write, client timeout", func(t *testing.T) {
		c, n := hangingServer(t, Options{HTTPClient: timeoutClient()}, 1)
		_, err := c.Do(ctx(t), writeRequest())
		if !errors.Is(err, ErrMaybeApplied) || n.Load() != 1 {
			t.Fatalf("%d attempts, err %v; want 1 attempt, ErrMaybeApplied", n.Load(), err)
		}
		const want = "mediawiki: action=edit: the request was sent but no answer came back (timeout): the edit may or may not have been applied; check before retrying (Post "
		if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "Client.Timeout exceeded") {
			t.Errorf("error\n%s\nwant it to start\n%s", err, want)
		}
	})
	t.Run("read, client timeout", func(t *testing.T) {
		c, n := hangingServer(t, Options{HTTPClient: timeoutClient()}, 2)
		if _, err := c.Do(ctx(t), readRequest()); err != nil || n.Load() != 3 {
			t.Errorf("%d attempts, err %v; want success on the third", n.Load(), err)
		}
	})
	t.Run("write, context deadline", func(t *testing.T) {
		c, n := hangingServer(t, Options{}, 1)
		dctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := c.Do(dctx, writeRequest())
		if !errors.Is(err, ErrMaybeApplied) || !errors.Is(err, context.DeadlineExceeded) || n.Load() != 1 {
			t.Errorf("%d attempts, err %v; want ErrMaybeApplied and DeadlineExceeded", n.Load(), err)
		}
	})
	t.Run("write, context canceled", func(t *testing.T) {
		c, n := hangingServer(t, Options{}, 1)
		cctx, cancel := context.WithCancel(context.Background())
		go func() {
			for n.Load() == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
		}()
		_, err := c.Do(cctx, writeRequest())
		if !errors.Is(err, ErrMaybeApplied) || !errors.Is(err, context.Canceled) ||
			!strings.Contains(err.Error(), "no answer came back (canceled)") {
			t.Errorf("err %v; want ErrMaybeApplied and Canceled", err)
		}
	})
	t.Run("read, context deadline", func(t *testing.T) {
		c, _ := hangingServer(t, Options{}, 100)
		dctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := c.Do(dctx, readRequest())
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrMaybeApplied) {
			t.Errorf("err %v; want DeadlineExceeded", err)
		}
	})
}

// TestRetryNotSent checks that a write is retried when its connection
// failed before the request was written: here the first dials go to a
// closed port and are refused.
func TestRetryNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	var dials atomic.Int32
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) <= 2 {
				addr = closed
			}
			return new(net.Dialer).DialContext(ctx, network, addr)
		},
	}
	defer transport.CloseIdleConnections()
	var logs syncBuffer
	c, n, ws := retryFake(t, Options{
		HTTPClient: &http.Client{Transport: transport},
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
	}, 0, nil)
	c.tokens["csrf"] = "tok+\\" // no token fetch: every dial is the edit's
	if _, err := c.Do(ctx(t), writeRequest()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 || dials.Load() != 3 || len(ws.all()) != 2 {
		t.Errorf("%d edits, %d dials, waits %v; want 1 edit after 2 refused dials", n.Load(), dials.Load(), ws.all())
	}
	if !strings.Contains(logs.String(), `reason="request not sent: connection failed"`) ||
		!strings.Contains(logs.String(), "action=edit write=true attempt=2") {
		t.Errorf("logs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "tok+") {
		t.Errorf("the token is in the logs:\n%s", logs.String())
	}
}

func TestRetryTokenFetch(t *testing.T) {
	var fetches, edits atomic.Int32
	c, _ := newFake(t, Options{Retry: testPolicy}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("meta") == "tokens" {
			if fetches.Add(1) == 1 {
				htmlAnswer(w, http.StatusServiceUnavailable, "")
				return
			}
			jsonAnswer(w, `{"batchcomplete":true,"query":{"tokens":{"csrftoken":"tok+\\"}}}`)
			return
		}
		edits.Add(1)
		jsonAnswer(w, `{"edit":{"result":"Success"}}`)
	})
	c.sleep = new(waits).sleep
	if _, err := c.Do(ctx(t), writeRequest()); err != nil {
		t.Fatal(err)
	}
	if fetches.Load() != 2 || edits.Load() != 1 {
		t.Errorf("%d token fetches, %d edits; want 2, 1", fetches.Load(), edits.Load())
	}
}

func TestClassifyCertificateError(t *testing.T) {
	out := outcome{err: fmt.Errorf("mediawiki: %w", &tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")})}
	if d := classify(context.Background(), out, false, time.Now()); d.verdict != giveUp {
		t.Errorf("certificate error: verdict %v, want giveUp", d.verdict)
	}
}
