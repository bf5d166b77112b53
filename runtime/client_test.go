package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mwgen/mwgen/internal/version"
)

// seen is one request as the fake server saw it.
type seen struct {
	Method      string
	ContentType string
	UserAgent   string
	Query       url.Values // URL query
	Form        url.Values // POST body (urlencoded or multipart fields)
	Files       map[string]string
	FileNames   map[string]string
	Params      url.Values // Query and Form together
	RawQuery    string
}

// fakeWiki records requests and answers them with handle.
type fakeWiki struct {
	t      *testing.T
	mu     sync.Mutex
	seen   []seen
	handle func(s seen, w http.ResponseWriter)
}

func (f *fakeWiki) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := seen{Method: r.Method, ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"),
		Query: r.URL.Query(), RawQuery: r.URL.RawQuery, Form: url.Values{}, Params: url.Values{}}
	switch {
	case strings.HasPrefix(s.ContentType, "multipart/form-data"):
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			f.t.Errorf("parsing multipart body: %v", err)
		}
		s.Files, s.FileNames = map[string]string{}, map[string]string{}
		for k, v := range r.MultipartForm.Value {
			s.Form[k] = v
		}
		for k, fhs := range r.MultipartForm.File {
			fh := fhs[0]
			file, _ := fh.Open()
			data, _ := io.ReadAll(file)
			file.Close()
			s.Files[k], s.FileNames[k] = string(data), fh.Filename
		}
	case r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		s.Form, _ = url.ParseQuery(string(body))
	}
	for _, vs := range []url.Values{s.Query, s.Form} {
		for k, v := range vs {
			s.Params[k] = append(s.Params[k], v...)
		}
	}
	f.mu.Lock()
	f.seen = append(f.seen, s)
	f.mu.Unlock()
	f.handle(s, w)
}

func (f *fakeWiki) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.seen...)
}

func jsonAnswer(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	io.WriteString(w, body)
}

func apiError(w http.ResponseWriter, code, text, module string) {
	w.Header().Set("MediaWiki-API-Error", code)
	jsonAnswer(w, fmt.Sprintf(`{"errors":[{"code":%q,"text":%q,"module":%q}],"docref":"See api.php.","servedby":"fake"}`, code, text, module))
}

func newFake(t *testing.T, opts Options, handle func(s seen, w http.ResponseWriter)) (*Client, *fakeWiki) {
	t.Helper()
	f := &fakeWiki{t: t, handle: handle}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if opts.UserAgent == "" {
		opts.UserAgent = "runtime-test/1.0 (test@example.org)"
	}
	c, err := NewClient(srv.URL+"/w/api.php", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestNewClientValidates(t *testing.T) {
	for _, bad := range []string{"", "api.php", "/w/api.php", "ftp://x/api.php", "http://", "https://x/api.php?action=query", "https://x/api.php#f", "://x"} {
		if _, err := NewClient(bad, Options{}); err == nil {
			t.Errorf("NewClient(%q): no error", bad)
		}
	}
	if _, err := NewClient("https://x/w/api.php", Options{UserAgent: "a\nb"}); err == nil {
		t.Error("UserAgent with a line break: no error")
	}
	c, err := NewClient("https://x/w/api.php", Options{UserAgent: "t/1"})
	if err != nil || c.API() != "https://x/w/api.php" {
		t.Errorf("NewClient: %v, %v", c, err)
	}

	var logs bytes.Buffer
	if _, err := NewClient("https://x/w/api.php", Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "UserAgent") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("no warning about the missing UserAgent: %q", logs.String())
	}
}

func TestDoGET(t *testing.T) {
	c, f := newFake(t, Options{UserAgent: "MyTool/1.0 (me@example.org)"}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"batchcomplete":true,"query":{"general":{"sitename":"Fake"}}}`)
	})
	p := new(Params)
	p.Text("meta", "siteinfo")
	p.Strings("siprop", []string{"general", "namespaces"})
	p.Set("format", "xml") // reserved: the client's value wins
	before := p.Form()
	resp, err := c.Do(ctx(t), &Request{Action: "query", Params: p})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Get("query")) != `{"general":{"sitename":"Fake"}}` || !resp.BatchComplete {
		t.Errorf("response: %s", resp.Raw)
	}
	if p.Form() != before {
		t.Errorf("Do changed the request's params: %q", p.Form())
	}
	s := f.requests()[0]
	if s.Method != http.MethodGet {
		t.Errorf("method %s, want GET", s.Method)
	}
	wantQuery := "action=query&meta=siteinfo&siprop=general%7Cnamespaces&format=json&formatversion=2&errorformat=plaintext&maxlag=5"
	if s.RawQuery != wantQuery {
		t.Errorf("query\n%s, want\n%s", s.RawQuery, wantQuery)
	}
	if want := "MyTool/1.0 (me@example.org) " + version.UserAgent; s.UserAgent != want {
		t.Errorf("User-Agent %q, want %q", s.UserAgent, want)
	}
}

func TestDoOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		set  func(p *Params)
		want url.Values // expected subset; "" value = must be absent
	}{
		{"maxlag default", Options{}, nil, url.Values{"maxlag": {"5"}, "assert": {""}}},
		{"maxlag custom", Options{MaxLag: 2}, nil, url.Values{"maxlag": {"2"}}},
		{"maxlag disabled", Options{MaxLag: -1}, nil, url.Values{"maxlag": {""}}},
		{"maxlag per request", Options{}, func(p *Params) { p.Merge(url.Values{"maxlag": {"9"}}) }, url.Values{"maxlag": {"9"}}},
		{"assert user", Options{AssertUser: true}, nil, url.Values{"assert": {"user"}}},
		{"assert per request", Options{AssertUser: true}, func(p *Params) { p.Set("assert", "bot") }, url.Values{"assert": {"bot"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, tt.opts, func(s seen, w http.ResponseWriter) { jsonAnswer(w, `{}`) })
			p := new(Params)
			if tt.set != nil {
				tt.set(p)
			}
			if _, err := c.Do(ctx(t), &Request{Action: "query", Params: p}); err != nil {
				t.Fatal(err)
			}
			got := f.requests()[0].Params
			for k, v := range tt.want {
				if v[0] == "" {
					if got.Has(k) {
						t.Errorf("%s = %q, want absent", k, got.Get(k))
					}
				} else if got.Get(k) != v[0] {
					t.Errorf("%s = %q, want %q", k, got.Get(k), v[0])
				}
			}
		})
	}
}

func TestDoPOST(t *testing.T) {
	c, f := newFake(t, Options{}, func(s seen, w http.ResponseWriter) { jsonAnswer(w, `{"ok":true}`) })
	long := new(Params)
	long.Strings("titles", []string{strings.Repeat("A", 1200), strings.Repeat("B", 1200)})
	secret := new(Params)
	secret.Sensitive("password")
	secret.Text("password", "hunter2")
	tests := []struct {
		name string
		req  *Request
	}{
		{"mustbeposted", &Request{Action: "purge", Params: new(Params), Post: true}},
		{"long URL", &Request{Action: "query", Params: long}},
		{"sensitive parameter", &Request{Action: "query", Params: secret}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Do(ctx(t), tt.req); err != nil {
				t.Fatal(err)
			}
			s := f.requests()[i]
			if s.Method != http.MethodPost {
				t.Fatalf("method %s, want POST", s.Method)
			}
			if s.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type %q, want application/x-www-form-urlencoded without charset", s.ContentType)
			}
			if s.RawQuery != "" {
				t.Errorf("parameters in the URL: %q", s.RawQuery)
			}
			if s.Form.Get("action") != tt.req.Action || s.Form.Get("format") != "json" || s.Form.Get("formatversion") != "2" {
				t.Errorf("body %v lacks action/format", s.Form)
			}
			for name, v := range tt.req.Params.All() {
				if got := s.Form.Get(name); got != v {
					t.Errorf("body %s = %.40q, want %.40q", name, got, v)
				}
			}
		})
	}
}

func TestDoMultipart(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	tokens := atomic.Int32{}
	c, f := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("meta") == "tokens" {
			jsonAnswer(w, fmt.Sprintf(`{"query":{"tokens":{"csrftoken":"tok%d+\\"}}}`, tokens.Add(1)))
			return
		}
		if fail.Swap(false) {
			apiError(w, "badtoken", "Invalid CSRF token.", "upload")
			return
		}
		jsonAnswer(w, `{"upload":{"result":"Success"}}`)
	})
	p := new(Params)
	p.Text("filename", "Test file.txt")
	p.Text("comment", "a|b \x1f")
	p.File("file", &File{Name: "local name.txt", Content: strings.NewReader("file content\x00\xff")})
	if _, err := c.Do(ctx(t), &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 4 { // token, badtoken, token, upload
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for _, s := range []seen{reqs[1], reqs[3]} {
		if s.Method != http.MethodPost || !strings.HasPrefix(s.ContentType, "multipart/form-data; boundary=") {
			t.Errorf("%s %s, want multipart POST", s.Method, s.ContentType)
		}
		if s.Files["file"] != "file content\x00\xff" || s.FileNames["file"] != "local name.txt" {
			t.Errorf("file %q named %q", s.Files["file"], s.FileNames["file"])
		}
		if s.Form.Get("filename") != "Test file.txt" || s.Form.Get("comment") != "a|b \x1f" || s.Form.Get("action") != "upload" {
			t.Errorf("fields %v", s.Form)
		}
	}
	if got := reqs[3].Form.Get("token"); got != `tok2+\` {
		t.Errorf("retry token %q, want the refetched one", got)
	}
}

func TestDoTokens(t *testing.T) {
	var fetches, edits atomic.Int32
	var badTokens sync.Map // tokens the server rejects
	c, f := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		switch {
		case s.Params.Get("meta") == "tokens":
			if s.Method != http.MethodGet {
				t.Errorf("token fetch by %s", s.Method)
			}
			jsonAnswer(w, fmt.Sprintf(`{"batchcomplete":true,"query":{"tokens":{"%stoken":"t%d"}}}`, s.Params.Get("type"), fetches.Add(1)))
		case s.Params.Get("action") == "edit":
			edits.Add(1)
			if s.Query.Has("token") {
				t.Errorf("token in the URL: %s", s.RawQuery)
			}
			if _, bad := badTokens.Load(s.Form.Get("token")); bad || s.Form.Get("token") == "" {
				apiError(w, "badtoken", "Invalid CSRF token.", "edit")
				return
			}
			jsonAnswer(w, `{"edit":{"result":"Success","token":"`+s.Form.Get("token")+`"}}`)
		case s.Params.Get("action") == "login":
			jsonAnswer(w, `{"login":{"result":"Success"}}`)
		default:
			t.Errorf("unexpected request %v", s.Params)
		}
	})
	edit := func() (string, error) {
		p := new(Params)
		p.Text("title", "Sandbox")
		p.OptText("text", Set(""))
		resp, err := c.Do(ctx(t), &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
		if err != nil {
			return "", err
		}
		var out struct{ Edit struct{ Token string } }
		return out.Edit.Token, resp.Decode(&out)
	}
	counts := func() string { return fmt.Sprintf("%d fetches, %d edits", fetches.Load(), edits.Load()) }

	// First edit fetches, second uses the cache.
	for i := 0; i < 2; i++ {
		if _, err := edit(); err != nil {
			t.Fatal(err)
		}
	}
	if got := counts(); got != "1 fetches, 2 edits" {
		t.Errorf("after two edits: %s", got)
	}
	// The cached token goes bad: one refetch, one retry.
	badTokens.Store("t1", true)
	if _, err := edit(); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != "2 fetches, 4 edits" {
		t.Errorf("after a bad token: %s", got)
	}
	// Every token is bad: retried once only, then ErrBadToken.
	badTokens.Store("t2", true)
	badTokens.Store("t3", true)
	_, err := edit()
	if !errors.Is(err, ErrBadToken) {
		t.Fatalf("err = %v, want ErrBadToken", err)
	}
	if got := counts(); got != "3 fetches, 6 edits" {
		t.Errorf("after bad tokens only: %s", got)
	}

	// Concurrent callers that find the cached bad token t3 fail, and all
	// share one refetch; late starters find the new token right away. So:
	// exactly one fetch, 8 to 16 edits.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := edit(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if f, e := fetches.Load(), edits.Load(); f != 4 || e < 6+8 || e > 6+16 {
		t.Errorf("after 8 concurrent edits: %s, want 4 fetches, 14 to 22 edits", counts())
	}
	editsBefore := edits.Load()

	// A login (token param lgtoken, login tokens never cached) clears the
	// csrf token.
	p := new(Params)
	p.Text("lgname", "U")
	p.Sensitive("lgpassword")
	p.Text("lgpassword", "pw")
	for i := 0; i < 2; i++ {
		if _, err := c.Do(ctx(t), &Request{Action: "login", Params: p, Post: true, TokenType: "login", TokenParam: "lgtoken"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if last.Form.Get("lgtoken") == "" || last.Form.Has("token") || last.Form.Get("lgpassword") != "pw" {
		t.Errorf("login body %v", last.Form)
	}
	if f, e := fetches.Load(), edits.Load(); f != 6 || e != editsBefore {
		t.Errorf("after two logins: %s, want 6 fetches, no edit", counts())
	}
	if _, ok := c.cachedToken("csrf"); ok {
		t.Error("csrf token still cached after login")
	}
}

func TestDoTokenFetchFails(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"warnings":[{"code":"unrecognizedvalues","text":"Unrecognized value for parameter \"type\": nope.","module":"query+tokens"}],"query":{"tokens":{}}}`)
	})
	_, err := c.Do(ctx(t), &Request{Action: "edit", Params: new(Params), TokenType: "nope"})
	if err == nil || !strings.Contains(err.Error(), "no nopetoken") || !strings.Contains(err.Error(), "Unrecognized value") {
		t.Errorf("err = %v", err)
	}
}

func TestDoBadAnswers(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(w http.ResponseWriter)
		check   func(err error) bool
		wantMsg string
	}{
		{"HTML 500", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			io.WriteString(w, "<html><body><h1>Internal Server Error</h1></body></html>")
		}, func(err error) bool { var re *ResponseError; return errors.As(err, &re) && re.StatusCode == 500 },
			"HTTP 500 Internal Server Error: not an API response (text/html): <html><body><h1>Internal Server Error</h1></body></html>"},
		{"truncated", func(w http.ResponseWriter) {
			jsonAnswer(w, `{"query":{"pages":[{"title":"A"`)
		}, func(err error) bool { var re *ResponseError; return errors.As(err, &re) && re.Err != nil },
			"unexpected end of JSON input"},
		{"connection cut mid-body", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"query":`)
		}, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) },
			"reading the answer (HTTP 200 OK)"},
		{"API error", func(w http.ResponseWriter) {
			apiError(w, "readonly", "The wiki is in read-only mode.", "main")
		}, func(err error) bool { return errors.Is(err, ErrReadOnly) },
			"mediawiki: readonly (main): The wiki is in read-only mode."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Retries disabled: these are the errors of one attempt.
			c, _ := newFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, func(s seen, w http.ResponseWriter) { tt.handle(w) })
			resp, err := c.Do(ctx(t), &Request{Action: "query", Params: new(Params)})
			if err == nil || resp != nil {
				t.Fatalf("Do = %v, %v; want an error", resp, err)
			}
			if !tt.check(err) {
				t.Errorf("error %T %v fails the check", err, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q\nlacks %q", err, tt.wantMsg)
			}
		})
	}

	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) { time.Sleep(time.Second) })
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(cctx, &Request{Action: "query"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
	if _, err := c.Do(ctx(t), &Request{}); err == nil {
		t.Error("request without action: no error")
	}
}

func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newFake(t, Options{Logger: logger}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("meta") == "tokens" {
			jsonAnswer(w, `{"query":{"tokens":{"logintoken":"SECRETTOKEN+\\"}}}`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, "<html>gateway</html>")
	})
	p := new(Params)
	p.Text("lgname", "Bot")
	p.Sensitive("lgpassword")
	p.Text("lgpassword", "SECRETPASSWORD")
	_, err := c.Do(ctx(t), &Request{Action: "login", Params: p, TokenType: "login", TokenParam: "lgtoken"})
	if err == nil {
		t.Fatal("no error")
	}
	out := logs.String()
	if !strings.Contains(out, "lgpassword=***") || !strings.Contains(out, "lgtoken=***") {
		t.Errorf("logs lack the redacted parameters:\n%s", out)
	}
	for _, secret := range []string{"SECRETPASSWORD", "SECRETTOKEN"} {
		if strings.Contains(out, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s leaked:\nlogs: %s\nerror: %v", secret, out, err)
		}
	}
}

func TestWarningsLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	c, _ := newFake(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"warnings":[{"code":"deprecation","text":"Old stuff.","module":"query+x"}]}`)
	})
	for i := 0; i < 3; i++ {
		resp, err := c.Do(ctx(t), &Request{Action: "query"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Warning{{"deprecation", "Old stuff.", "query+x"}}, resp.Warnings); diff != "" {
			t.Errorf("Warnings (-want +got):\n%s", diff)
		}
	}
	if n := strings.Count(logs.String(), "Old stuff."); n != 1 {
		t.Errorf("warning logged %d times, want once:\n%s", n, logs.String())
	}
}
