package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
)

// The integration tests run against a real MediaWiki 1.39, and those that
// matter across versions also against 1.43 (see
// internal/testwiki); without one they are skipped, or fail when CI=true.
func TestMain(m *testing.M) { testwiki.Main(m) }

// onEveryVersion runs an integration test against each MediaWiki version
// the test wikis offer (1.39 and 1.43), as subtests named by version: the
// runtime's conventions (errors, tokens, continuation, login, uploads)
// must hold on both LTS releases.
func onEveryVersion(t *testing.T, test func(t *testing.T, w *testwiki.Wiki)) {
	for _, v := range []string{testwiki.V139, testwiki.V143} {
		t.Run(v, func(t *testing.T) { test(t, testwiki.RequireVersion(t, v)) })
	}
}

func wikiClient(t *testing.T, w *testwiki.Wiki, assertUser bool, logger ...*slog.Logger) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(w.API, Options{
		HTTPClient: &http.Client{Jar: jar, Timeout: time.Minute},
		UserAgent:  "mwgen-runtime-test/1.0 (https://github.com/mwgen/mwgen)",
		AssertUser: assertUser,
	})
	if len(logger) > 0 {
		c.log = logger[0]
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func login(t *testing.T, c *Client, w *testwiki.Wiki) {
	t.Helper()
	p := new(Params)
	p.Text("lgname", w.BotUser)
	p.Sensitive("lgpassword")
	p.Text("lgpassword", w.BotPassword)
	resp, err := c.Do(ctx(t), &Request{Action: "login", Params: p, Post: true, TokenType: "login", TokenParam: "lgtoken"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	var out struct {
		Login struct{ Result, Reason, LgUserName string } `json:"login"`
	}
	if err := resp.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Login.Result != "Success" {
		t.Fatalf("login as %s: %s (%s)", w.BotUser, out.Login.Result, out.Login.Reason)
	}
}

func TestWikiSiteinfo(t *testing.T) { onEveryVersion(t, testWikiSiteinfo) }

func testWikiSiteinfo(t *testing.T, w *testwiki.Wiki) {
	c := wikiClient(t, w, false)
	p := new(Params)
	p.Text("meta", "siteinfo")
	p.Strings("siprop", []string{"general", "namespaces"})
	resp, err := c.Do(ctx(t), &Request{Action: "query", Params: p})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Query struct {
			General    struct{ Generator string } `json:"general"`
			Namespaces map[string]struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"namespaces"`
		} `json:"query"`
	}
	if err := resp.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if g := out.Query.General.Generator; !strings.HasPrefix(g, "MediaWiki "+w.Version+".") {
		t.Errorf("generator %q, want MediaWiki %s", g, w.Version)
	}
	if ns := out.Query.Namespaces["14"]; ns.ID != int(NamespaceCategory) || ns.Name != "Category" {
		t.Errorf("namespace 14 = %+v", ns)
	}
	if len(resp.Warnings) != 0 {
		t.Errorf("warnings: %v", resp.Warnings)
	}
}

func TestWikiErrors(t *testing.T) { onEveryVersion(t, testWikiErrors) }

func testWikiErrors(t *testing.T, w *testwiki.Wiki) {

	// Not logged in: assert=user fails.
	c := wikiClient(t, w, true)
	_, err := c.Do(ctx(t), &Request{Action: "query", Params: new(Params)})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrAssertFailed) || apiErr.Code != "assertuserfailed" {
		t.Errorf("assert=user without login: %v, want assertuserfailed", err)
	}

	// A token the wiki does not know.
	c = wikiClient(t, w, false)
	p := new(Params)
	p.Text("title", "Whatever")
	p.Text("text", "x")
	p.Text("token", "bogus+\\")
	_, err = c.Do(ctx(t), &Request{Action: "edit", Params: p, Post: true})
	if !errors.Is(err, ErrBadToken) {
		t.Errorf("bogus token: %v, want ErrBadToken", err)
	}

	// An unknown module: a plain API error, no sentinel.
	_, err = c.Do(ctx(t), &Request{Action: "nosuchmodule"})
	if !errors.As(err, &apiErr) || apiErr.Code != "badvalue" || errors.Is(err, ErrPermissionDenied) {
		t.Errorf("unknown action: %v", err)
	}
}

func TestWikiEditAndContinue(t *testing.T) { onEveryVersion(t, testWikiEditAndContinue) }

func testWikiEditAndContinue(t *testing.T, w *testwiki.Wiki) {
	var logs syncBuffer
	c := wikiClient(t, w, true, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	login(t, c, w)

	// Poison the csrf token: the first edit must recover by itself.
	c.tokenMu.Lock()
	c.tokens["csrf"] = "0123456789abcdef+\\"
	c.tokenMu.Unlock()

	prefix := fmt.Sprintf("Mwgen runtime %d ", time.Now().UnixNano())
	var want []string
	for i := 0; i < 5; i++ {
		title := fmt.Sprintf("%s%c", prefix, 'A'+i)
		want = append(want, title)
		p := new(Params)
		p.Text("title", title)
		p.OptText("text", Set(fmt.Sprintf("Page %d | with a pipe, created by the runtime test.", i)))
		p.Text("summary", "mwgen runtime integration test")
		p.Bool("createonly", true)
		p.Bool("bot", true)
		resp, err := c.Do(ctx(t), &Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
		if err != nil {
			t.Fatalf("edit %s: %v", title, err)
		}
		var out struct {
			Edit struct{ Result, Title string } `json:"edit"`
		}
		if err := resp.Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out.Edit.Result != "Success" || out.Edit.Title != title {
			t.Fatalf("edit %s: %s", title, resp.Raw)
		}
	}

	if n := strings.Count(logs.String(), "bad token, refetching"); n != 1 {
		t.Errorf("%d bad-token retries, want 1", n)
	}
	if strings.Contains(logs.String(), w.BotPassword) {
		t.Error("the bot password is in the logs")
	}

	p := new(Params)
	p.Text("list", "allpages")
	p.Text("apprefix", prefix)
	p.Namespace("apnamespace", Set(NamespaceMain))
	p.Limit("aplimit", 2)
	var got []string
	batches := 0
	for resp, err := range c.Continue(ctx(t), &Request{Action: "query", Params: p}) {
		if err != nil {
			t.Fatal(err)
		}
		batches++
		var out struct {
			Query struct {
				AllPages []struct {
					NS    int    `json:"ns"`
					Title string `json:"title"`
				} `json:"allpages"`
			} `json:"query"`
		}
		if err := resp.Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(out.Query.AllPages) > 2 {
			t.Errorf("batch %d has %d pages, aplimit is 2", batches, len(out.Query.AllPages))
		}
		for _, pg := range out.Query.AllPages {
			got = append(got, pg.Title)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("allpages saw\n%q\nwant each of\n%q once", got, want)
	}
	if batches != 3 {
		t.Errorf("%d batches, want 3", batches)
	}
}

func TestWikiUpload(t *testing.T) { onEveryVersion(t, testWikiUpload) }

func testWikiUpload(t *testing.T, w *testwiki.Wiki) {
	c := wikiClient(t, w, true)
	login(t, c, w)
	name := fmt.Sprintf("Mwgen runtime %d.txt", time.Now().UnixNano())
	content := "uploaded by the mwgen runtime test at " + time.Now().String()
	p := new(Params)
	p.Text("filename", name)
	p.Text("comment", "mwgen runtime integration test")
	p.Bool("ignorewarnings", true)
	p.File("file", &File{Name: "local.txt", Content: strings.NewReader(content)})
	resp, err := c.Do(ctx(t), &Request{Action: "upload", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Upload struct {
			Result    string `json:"result"`
			Filename  string `json:"filename"`
			ImageInfo struct {
				Size int `json:"size"`
			} `json:"imageinfo"`
		} `json:"upload"`
	}
	if err := resp.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Upload.Result != "Success" || out.Upload.ImageInfo.Size != len(content) {
		t.Errorf("upload: %s", resp.Raw)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
