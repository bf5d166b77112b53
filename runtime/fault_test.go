package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
)

// The fault tests put a fault-injecting reverse proxy between a Client and
// the real MediaWiki of internal/testwiki, break chosen attempts of edits
// in the ways a real deployment breaks, and then ask the wiki itself how
// often each edit was applied.

// fault is what the proxy does to one attempt.
type fault int

const (
	faultNone         fault = iota
	fault503                // answer 503 HTML without forwarding
	fault429                // answer 429 with Retry-After: 1 without forwarding
	faultMaxlag             // forward with maxlag=-2: the wiki answers a real maxlag error
	faultReadonly           // forward while the wiki's read-only lock file exists: a real readonly error
	faultReadonlyFake       // answer MediaWiki's readonly JSON without forwarding
	fault502Before          // answer a 502 HTML page without forwarding
	fault502After           // forward (the wiki applies the edit), then answer a 502 HTML page
	faultTruncated          // forward, then cut the wiki's JSON in half
	faultHang               // forward, then hold the answer until the client gives up
	faultDropBefore         // close the connection without forwarding
	faultDropAfter          // forward, then close the connection without an answer
)

// forwards reports whether the wiki sees the attempt.
func (f fault) forwards() bool {
	switch f {
	case fault503, fault429, faultReadonlyFake, fault502Before, faultDropBefore:
		return false
	}
	return true
}

// errDrop makes the proxy's error handler close the client's connection;
// errGone ends a held answer after the client left.
var (
	errDrop = errors.New("fault proxy: drop the connection")
	errGone = errors.New("fault proxy: the client is gone")
)

// plan is the faults for the requests of one action on one page.
type plan struct {
	action string
	faults []fault // of attempts 1, 2, ...; none after

	mu       sync.Mutex
	attempts int
	// answers are the wiki's answers to forwarded attempts: status, the
	// MediaWiki-API-Error and Retry-After headers.
	answers []string
	// answered gets a value each time the wiki answered.
	answered chan struct{}
}

func (pl *plan) record(resp *http.Response) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.answers = append(pl.answers, fmt.Sprintf("%d error=%q retry-after=%q",
		resp.StatusCode, resp.Header.Get("MediaWiki-API-Error"), resp.Header.Get("Retry-After")))
}

func (pl *plan) seen() (attempts int, answers []string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.attempts, append([]string(nil), pl.answers...)
}

// injection travels with a request from ServeHTTP to Rewrite and
// ModifyResponse.
type injection struct {
	fault fault
	plan  *plan
	in    context.Context // the client's request: done when the client left
}

type injectionKey struct{}

// faultProxy is the reverse proxy.
type faultProxy struct {
	t        *testing.T
	lockFile string // the wiki's $wgReadOnlyFile
	rp       *httputil.ReverseProxy
	srv      *httptest.Server

	mu    sync.Mutex
	plans map[string]*plan // by action and page title
}

func newFaultProxy(t *testing.T, w *testwiki.Wiki) *faultProxy {
	t.Helper()
	api, err := url.Parse(w.API)
	if err != nil {
		t.Fatal(err)
	}
	target := &url.URL{Scheme: api.Scheme, Host: api.Host}
	p := &faultProxy{
		t: t,
		// MediaWiki's default $wgReadOnlyFile is $wgUploadDirectory/lock_yBgMBwiR;
		// mediawiki.sh puts the uploads in DataDir/images.
		lockFile: filepath.Join(w.DataDir, "images", "lock_yBgMBwiR"),
		plans:    make(map[string]*plan),
	}
	t.Cleanup(func() { os.Remove(p.lockFile) })
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Let the proxy's transport negotiate (and undo) compression,
			// so that ModifyResponse sees the JSON.
			pr.Out.Header.Del("Accept-Encoding")
			inj, _ := pr.In.Context().Value(injectionKey{}).(*injection)
			if inj == nil {
				return
			}
			switch inj.fault {
			case faultHang:
				// The wiki must finish the edit even after the client
				// gave up.
				pr.Out = pr.Out.WithContext(context.WithoutCancel(pr.Out.Context()))
			case faultReadonly:
				if err := os.WriteFile(p.lockFile, []byte("fault test"), 0o644); err != nil {
					t.Errorf("creating the read-only lock: %v", err)
				}
			}
		},
		ModifyResponse: p.modify,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			switch {
			case errors.Is(err, errDrop):
				dropConnection(t, w)
				return
			case !errors.Is(err, errGone):
				t.Logf("fault proxy: %v", err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

// API returns the proxy's api.php URL.
func (p *faultProxy) API() string { return p.srv.URL + "/api.php" }

// inject makes the requests of action on page title fail as faults says,
// attempt by attempt. title is the title parameter of an edit, the titles
// parameter of a query.
func (p *faultProxy) inject(action, title string, faults ...fault) *plan {
	pl := &plan{action: action, faults: faults, answered: make(chan struct{}, 16)}
	p.mu.Lock()
	p.plans[action+"\x00"+title] = pl
	p.mu.Unlock()
	return pl
}

// next returns the fault of a request with parameters params.
func (p *faultProxy) next(params url.Values) (fault, *plan) {
	title := params.Get("title")
	if params.Get("action") == "query" {
		title = params.Get("titles")
	}
	p.mu.Lock()
	pl := p.plans[params.Get("action")+"\x00"+title]
	p.mu.Unlock()
	if pl == nil {
		return faultNone, nil
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.attempts++
	if pl.attempts <= len(pl.faults) {
		return pl.faults[pl.attempts-1], pl
	}
	return faultNone, pl
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		p.t.Errorf("fault proxy: reading the request: %v", err)
		return
	}
	query := r.URL.Query()
	form := url.Values{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ = url.ParseQuery(string(body))
	}
	params := url.Values{}
	for _, vs := range []url.Values{query, form} {
		for k, v := range vs {
			params[k] = append(params[k], v...)
		}
	}
	f, pl := p.next(params)
	if f == faultMaxlag {
		// No replica, so this wiki's lag is -1: a maxlag below it fails.
		if form.Has("maxlag") {
			form.Set("maxlag", "-2")
			body = []byte(form.Encode())
		} else {
			query.Set("maxlag", "-2")
			r.URL.RawQuery = query.Encode()
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	switch f {
	case fault503:
		htmlAnswer(w, http.StatusServiceUnavailable, "")
		return
	case fault429:
		htmlAnswer(w, http.StatusTooManyRequests, "1")
		return
	case faultReadonlyFake:
		// MediaWiki 1.39's answer with $wgReadOnly = "test".
		w.Header().Set("MediaWiki-API-Error", "readonly")
		jsonAnswer(w, `{"errors":[{"code":"readonly","text":"The wiki is currently in read-only mode.","data":{"readonlyreason":"test"},"module":"main"}],"docref":"See `+
			p.srv.URL+`/api.php for API usage.","servedby":"fault-proxy"}`)
		return
	case fault502Before:
		htmlAnswer(w, http.StatusBadGateway, "")
		return
	case faultDropBefore:
		dropConnection(p.t, w)
		return
	}
	if pl != nil {
		r = r.WithContext(context.WithValue(r.Context(), injectionKey{}, &injection{fault: f, plan: pl, in: r.Context()}))
	}
	p.rp.ServeHTTP(w, r)
}

// modify applies the faults that need the wiki's answer.
func (p *faultProxy) modify(resp *http.Response) error {
	inj, _ := resp.Request.Context().Value(injectionKey{}).(*injection)
	if inj == nil {
		return nil
	}
	if inj.fault == faultReadonly {
		if err := os.Remove(p.lockFile); err != nil {
			p.t.Errorf("removing the read-only lock: %v", err)
		}
	}
	inj.plan.record(resp)
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	select {
	case inj.plan.answered <- struct{}{}:
	default:
	}
	replace := func(b []byte) {
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	}
	switch inj.fault {
	case fault502After:
		rec := httptest.NewRecorder()
		htmlAnswer(rec, http.StatusBadGateway, "")
		resp.StatusCode, resp.Status = http.StatusBadGateway, "502 Bad Gateway"
		resp.Header = rec.Header()
		replace(rec.Body.Bytes())
	case faultTruncated:
		replace(data[:len(data)/2])
	case faultHang:
		select {
		case <-inj.in.Done():
		case <-time.After(time.Minute):
			p.t.Error("fault proxy: the client did not give up")
		}
		return errGone
	case faultDropAfter:
		return errDrop
	default:
		replace(data)
	}
	return nil
}

// faultClient returns a client of the proxy with the session of jar,
// retrying with short waits, that really sleeps them and records them in
// *waits.
func faultClient(t *testing.T, p *faultProxy, jar http.CookieJar, timeout time.Duration, logs io.Writer) (*Client, *waits) {
	t.Helper()
	c, err := NewClient(p.API(), Options{
		HTTPClient: &http.Client{Jar: jar, Timeout: timeout},
		UserAgent:  "mwgen-runtime-test/1.0 (https://github.com/mwgen/mwgen)",
		AssertUser: true,
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry:      RetryPolicy{MaxAttempts: 8, MinDelay: 20 * time.Millisecond, MaxDelay: 1500 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ws := new(waits)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		ws.sleep(ctx, d)
		return sleepCtx(ctx, d)
	}
	return c, ws
}

// pageHistory asks the wiki itself (not through the proxy) how many
// revisions title has and how often marker is in its current text.
func pageHistory(t *testing.T, w *testwiki.Wiki, title, marker string) (revisions, markers int) {
	t.Helper()
	body, err := w.Get(ctx(t), url.Values{
		"action": {"query"}, "prop": {"revisions"}, "titles": {title},
		"rvprop": {"ids|content"}, "rvslots": {"main"}, "rvlimit": {"max"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Query struct {
			Pages []struct {
				Missing   bool `json:"missing"`
				Revisions []struct {
					RevID int `json:"revid"`
					Slots struct {
						Main struct {
							Content string `json:"content"`
						} `json:"main"`
					} `json:"slots"`
				} `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Query.Pages) != 1 {
		t.Fatalf("revisions of %s: %v: %s", title, err, body)
	}
	pg := out.Query.Pages[0]
	if pg.Missing {
		return 0, 0
	}
	// rvlimit=max with content lists the newest first.
	return len(pg.Revisions), strings.Count(pg.Revisions[0].Slots.Main.Content, marker)
}

// appendEdit is an edit that appends marker to title: never a null edit,
// so that each time the wiki applies it shows as one more revision and one
// more marker, even though every retry sends the same text.
func appendEdit(title, marker string) *Request {
	p := new(Params)
	p.Text("title", title)
	p.OptText("appendtext", Set(marker))
	p.Text("summary", "mwgen runtime fault test")
	p.Bool("bot", true)
	return &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"}
}

func TestWikiFaults(t *testing.T) {
	w := testwiki.Require(t)
	proxy := newFaultProxy(t, w)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	c, ws := faultClient(t, proxy, jar, time.Minute, &logs)
	login(t, c, w) // through the proxy: the session is in jar
	// The client for the time-outs shares the session.
	short, shortWaits := faultClient(t, proxy, jar, 3*time.Second, &logs)

	run := time.Now().UnixNano()
	const (
		retriedOK = "success after retries"
		maybeErr  = "ErrMaybeApplied"
	)
	scenarios := []struct {
		name   string
		faults []fault
		short  bool // use the client with a 3 s time-out
		want   string
		// applied is how often the wiki must have applied the edit.
		applied int
		// wikiSaid is what the wiki must have answered to the first
		// attempt, when it saw it.
		wikiSaid string
		// waits are the waits before the retries, when exact.
		waits []time.Duration
	}{
		{"503 before forwarding", []fault{fault503}, false, maybeErr, 0, "", nil},
		{"429 with Retry-After 1", []fault{fault429}, false, retriedOK, 1, "", []time.Duration{time.Second}},
		{"maxlag from the wiki", []fault{faultMaxlag}, false, retriedOK, 1,
			`200 error="maxlag" retry-after="5"`, []time.Duration{1500 * time.Millisecond}}, // 5 s capped at MaxDelay
		{"readonly from the wiki", []fault{faultReadonly}, false, retriedOK, 1, `200 error="readonly" retry-after=""`, nil},
		{"readonly synthesized", []fault{faultReadonlyFake}, false, retriedOK, 1, "", nil},
		{"refused three times", []fault{faultReadonlyFake, faultMaxlag, fault429}, false, retriedOK, 1, "", nil},
		{"502 before forwarding", []fault{fault502Before}, false, maybeErr, 0, "", nil},
		{"502 after forwarding", []fault{fault502After}, false, maybeErr, 1, `200 error="" retry-after=""`, nil},
		{"truncated body", []fault{faultTruncated}, false, maybeErr, 1, `200 error="" retry-after=""`, nil},
		{"timeout after sending", []fault{faultHang}, true, maybeErr, 1, `200 error="" retry-after=""`, nil},
		{"connection dropped before forwarding", []fault{faultDropBefore}, false, maybeErr, 0, "", nil},
		{"connection dropped after forwarding", []fault{faultDropAfter}, false, maybeErr, 1, `200 error="" retry-after=""`, nil},
	}
	for i, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			title := fmt.Sprintf("Mwgen fault %d %02d", run, i)
			marker := fmt.Sprintf("\n* fault test %d: %s", run, sc.name) // one per scenario, the same for its retries
			pl := proxy.inject("edit", title, sc.faults...)
			cl, cw := c, ws
			if sc.short {
				cl, cw = short, shortWaits
			}
			before := len(cw.all())
			start := time.Now()
			resp, err := cl.Do(ctx(t), appendEdit(title, marker))
			elapsed := time.Since(start)
			attempts, answers := pl.seen()
			waits := cw.all()[before:]

			switch sc.want {
			case retriedOK:
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				var out struct {
					Edit struct{ Result string } `json:"edit"`
				}
				if err := resp.Decode(&out); err != nil || out.Edit.Result != "Success" {
					t.Errorf("answer %s", resp.Raw)
				}
				if attempts != len(sc.faults)+1 || len(waits) != len(sc.faults) {
					t.Errorf("%d attempts, waits %v; want %d attempts", attempts, waits, len(sc.faults)+1)
				}
				if sc.waits != nil && fmt.Sprint(waits) != fmt.Sprint(sc.waits) {
					t.Errorf("waits %v, want %v", waits, sc.waits)
				}
			case maybeErr:
				if !errors.Is(err, ErrMaybeApplied) {
					t.Fatalf("err = %v, want ErrMaybeApplied", err)
				}
				if !strings.Contains(err.Error(), "the edit may or may not have been applied; check before retrying") {
					t.Errorf("error %q does not say so", err)
				}
				if attempts != 1 || len(waits) != 0 {
					t.Errorf("%d attempts, waits %v; want 1 attempt, no retry", attempts, waits)
				}
			}
			if sc.wikiSaid != "" && (len(answers) == 0 || answers[0] != sc.wikiSaid) {
				t.Errorf("the wiki answered %q, want first %q", answers, sc.wikiSaid)
			}
			if sc.faults[0].forwards() && sc.applied == 1 {
				// Wait until the wiki answered the proxy (the time-out
				// case returns before).
				select {
				case <-pl.answered:
				case <-time.After(time.Minute):
					t.Fatal("the wiki never answered the forwarded edit")
				}
			}
			revs, markers := pageHistory(t, w, title, marker)
			if revs != sc.applied || markers != sc.applied {
				t.Errorf("the wiki has %d revisions of %q and the text %d times; want the edit applied %d times",
					revs, title, markers, sc.applied)
			}
			t.Logf("%s: %d attempt(s), waits %v, %v; wiki answers %q; %d revision(s); err: %v",
				sc.name, attempts, waits, elapsed.Round(time.Millisecond), answers, revs, err)
		})
	}

	// A read goes through every fault, one per attempt, and succeeds.
	t.Run("read through every fault", func(t *testing.T) {
		title := fmt.Sprintf("Mwgen fault %d 00", run) // created by no scenario: missing
		faults := []fault{fault503, faultMaxlag, fault502After, faultTruncated, faultDropBefore, faultHang}
		pl := proxy.inject("query", title, faults...)
		short.retry.MaxAttempts = len(faults) + 1
		p := new(Params)
		p.Text("prop", "revisions")
		p.Text("titles", title)
		resp, err := short.Do(ctx(t), &Request{Action: "query", Params: p})
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Query struct {
				Pages []struct {
					Title   string `json:"title"`
					Missing bool   `json:"missing"`
				} `json:"pages"`
			} `json:"query"`
		}
		if err := resp.Decode(&out); err != nil || len(out.Query.Pages) != 1 || !out.Query.Pages[0].Missing {
			t.Errorf("answer %s", resp.Raw)
		}
		if attempts, answers := pl.seen(); attempts != len(faults)+1 {
			t.Errorf("%d attempts, want %d; the wiki answered %q", attempts, len(faults)+1, answers)
		}
	})

	if strings.Contains(logs.String(), w.BotPassword) {
		t.Error("the bot password is in the logs")
	}
	if n := strings.Count(logs.String(), `msg="mediawiki: retrying"`); n == 0 {
		t.Error("no retry logged")
	}
}

// TestWikiConcurrentClient sends 16×200 requests through one Client at
// once, reads and a few edits; run it with -race.
func TestWikiConcurrentClient(t *testing.T) {
	w := testwiki.Require(t)
	var logs syncBuffer
	c := wikiClient(t, w, true, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	login(t, c, w)
	const goroutines, editEvery = 16, 50
	calls := 200
	if testing.Short() {
		calls = 2 * editEvery
	}
	run := time.Now().UnixNano()
	var wg sync.WaitGroup
	var reads, edits atomic.Int32
	var readTime, editTime atomic.Int64
	start := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := fmt.Sprintf("Mwgen concurrency %d %02d", run, g)
			for i := 0; i < calls; i++ {
				var req *Request
				p := new(Params)
				switch {
				case i%editEvery == editEvery-1:
					req = appendEdit(title, fmt.Sprintf("\n* edit %d of goroutine %d", i, g))
				case i%2 == 0:
					p.Text("meta", "siteinfo")
					req = &Request{Action: "query", Params: p}
				default:
					p.Text("list", "allpages")
					p.Limit("aplimit", 5)
					req = &Request{Action: "query", Params: p}
				}
				callStart := time.Now()
				resp, err := c.Do(ctx(t), req)
				if err != nil {
					t.Errorf("goroutine %d call %d (%s): %v", g, i, req.Action, err)
					return
				}
				if req.Action == "edit" {
					editTime.Add(int64(time.Since(callStart)))
					edits.Add(1)
					if !bytes.Contains(resp.Raw, []byte(`"result":"Success"`)) {
						t.Errorf("goroutine %d edit %d: %s", g, i, resp.Raw)
					}
				} else {
					readTime.Add(int64(time.Since(callStart)))
					reads.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d reads, %d edits through one client in %v; %d retries; mean latency: read %v, edit %v",
		reads.Load(), edits.Load(), time.Since(start).Round(time.Millisecond), strings.Count(logs.String(), "mediawiki: retrying"),
		time.Duration(readTime.Load()/int64(max(reads.Load(), 1))).Round(time.Millisecond),
		time.Duration(editTime.Load()/int64(max(edits.Load(), 1))).Round(time.Millisecond))
	if t.Failed() {
		return
	}
	for g := 0; g < goroutines; g++ {
		title := fmt.Sprintf("Mwgen concurrency %d %02d", run, g)
		if revs, _ := pageHistory(t, w, title, "\n* edit "); revs != calls/editEvery {
			t.Errorf("%s has %d revisions, want %d", title, revs, calls/editEvery)
		}
	}
}
