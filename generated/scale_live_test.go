package generated_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

// importTextFiles is MediaWiki's maintenance script that creates pages from
// text files, about 20 ms a page against 70 ms for an API edit.
const importTextFiles = "/usr/share/mediawiki/maintenance/importTextFiles.php"

// importPages makes sure the n pages prefix+"0000" ... exist, with the text
// "Page N of <prefix>", by importing text files with importTextFiles.php
// straight into the wiki's database (as the maintenance user, marked as bot
// edits). Pages that already exist (a wiki kept between runs) are left as
// they are. It returns the titles, sorted.
func importPages(w *testwiki.Wiki, prefix string, n int) ([]string, error) {
	dir, err := os.MkdirTemp("", "mwgen-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	titles := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("%04d", i)
		titles[i] = prefix + name
		text := fmt.Sprintf("Page %d of %s", i, strings.TrimSpace(prefix))
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The script expands the glob itself: no argument list of n files.
	cmd := exec.CommandContext(ctx, "php", importTextFiles, "--prefix", prefix, "--bot",
		"--summary", "mwgen test import", filepath.Join(dir, "*.txt"))
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.DataDir, "LocalSettings.php"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("importTextFiles.php: %v\n%s", err, tailLines(out, 20))
	}
	m := regexp.MustCompile(`Done! (\d+) succeeded, (\d+) skipped`).FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("importTextFiles.php: no summary line:\n%s", tailLines(out, 20))
	}
	done, _ := strconv.Atoi(string(m[1]))
	skipped, _ := strconv.Atoi(string(m[2]))
	if done+skipped != n {
		return nil, fmt.Errorf("importTextFiles.php: %d created and %d skipped, want %d pages:\n%s", done, skipped, n, tailLines(out, 20))
	}
	return titles, nil
}

func tailLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestScaleContinuation lists 200 pages 7 at a time through the generated
// QueryAll: every page exactly once, in ceil(200/7) = 29 batches.
func TestScaleContinuation(t *testing.T) {
	c, w := newClient(t)
	const n, limit = 200, 7
	const prefix = "Mwgen scale continuation "
	start := time.Now()
	want, err := importPages(w, prefix, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("imported %d pages in %s", n, time.Since(start).Round(time.Millisecond))

	seen := map[string]int{}
	var order []string
	batches := 0
	for res, err := range c.QueryAll(context.Background(), &generated.QueryParams{
		List: generated.QueryLists{Allpages: &generated.QueryAllpagesParams{Prefix: prefix, Limit: limit}},
	}) {
		if err != nil {
			t.Fatalf("batch %d: %v", batches+1, err)
		}
		batches++
		if got := len(res.Allpages); got > limit || (got < limit && res.Continue != nil) {
			t.Errorf("batch %d: %d pages, limit %d, continue %v", batches, got, limit, res.Continue)
		}
		for _, p := range res.Allpages {
			seen[p.Title]++
			order = append(order, p.Title)
		}
	}
	for _, title := range want {
		if seen[title] != 1 {
			t.Errorf("%q seen %d times, want once", title, seen[title])
		}
	}
	if len(order) != n {
		t.Errorf("%d titles listed, want %d", len(order), n)
	}
	if !slices.Equal(order, want) {
		t.Errorf("titles not listed in order, or others listed: first %q", order[:min(5, len(order))])
	}
	if wantBatches := (n + limit - 1) / limit; batches != wantBatches {
		t.Errorf("%d batches, want %d", batches, wantBatches)
	}
}

// revision is one revision as readRevisions reads it.
type revision struct {
	RevID   int
	User    string
	Content string
}

// readRevisions returns the revisions of title, oldest first, from
// prop=revisions&rvprop=ids|user|content&rvslots=main through the generated
// client, limit a batch, following continuation.
func readRevisions(t *testing.T, c *generated.Client, title string, limit runtime.Limit) []revision {
	t.Helper()
	var revs []revision
	for res, err := range c.QueryAll(context.Background(), &generated.QueryParams{
		PageSet: generated.PageSet{Titles: []string{title}},
		Prop: generated.QueryProps{Revisions: &generated.QueryRevisionsParams{
			Prop: []generated.QueryRevisionsProp{
				generated.QueryRevisionsPropIDs,
				generated.QueryRevisionsPropUser,
				generated.QueryRevisionsPropContent,
			},
			Slots: []generated.QueryRevisionsSlots{generated.QueryRevisionsSlotsMain},
			Limit: limit,
			Dir:   generated.QueryRevisionsDirNewer,
		}},
	}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Pages {
			if p.Missing {
				t.Fatalf("%s: missing page", title)
			}
			if p.QueryRevisionsPage == nil {
				continue
			}
			for _, r := range p.Revisions {
				revs = append(revs, revision{r.RevID, r.User, r.Slots["main"].Content})
			}
		}
	}
	return revs
}

// editText edits title through the generated client and returns the new
// revision's id.
func editText(t *testing.T, c *generated.Client, title, text string) int {
	t.Helper()
	res, err := c.Edit(context.Background(), &generated.EditParams{
		Title:   title,
		Text:    runtime.Set(text),
		Summary: "mwgen scale test",
		Bot:     true,
	})
	if err != nil {
		t.Fatalf("edit %s: %v", title, err)
	}
	if res.Result != "Success" || res.Newrevid == 0 {
		t.Fatalf("edit %s: %s", title, res.Raw())
	}
	return res.Newrevid
}

// TestScaleEditReadBack edits a page three times through the generated
// client and reads each text back with prop=revisions&rvprop=content&
// rvslots=main.
func TestScaleEditReadBack(t *testing.T) {
	c, w := newClient(t)
	user, _, _ := strings.Cut(w.BotUser, "@")
	title := fmt.Sprintf("Mwgen scale edit %d", time.Now().UnixNano())
	texts := []string{
		"First text: plain.",
		"Second text: ünïcödé ✓ — & = + % ? # |pipes| \"quotes\"\nand a second line\twith a tab",
		strings.Repeat("Third text, long enough to be POSTed in pieces. ", 200),
	}
	var revids []int
	for _, text := range texts {
		revids = append(revids, editText(t, c, title, text))
		revs := readRevisions(t, c, title, runtime.Max)
		last := revs[len(revs)-1]
		if last.Content != strings.TrimRight(text, " ") {
			t.Errorf("read back %.80q..., want %.80q...", last.Content, text)
		}
		if last.RevID != revids[len(revids)-1] || last.User != user {
			t.Errorf("latest revision %d by %q, want %d by %q", last.RevID, last.User, revids[len(revids)-1], user)
		}
	}
	// Three revisions, read back with continuation one at a time.
	revs := readRevisions(t, c, title, 1)
	var got []int
	for _, r := range revs {
		got = append(got, r.RevID)
	}
	if !slices.Equal(got, revids) {
		t.Errorf("history %v, want %v", got, revids)
	}
}

// apiErrorRecorder is an http.RoundTripper that notes every api.php call's
// action, method and MediaWiki-API-Error header.
type apiErrorRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []apiCall
}

type apiCall struct {
	method, action, errorCode string
}

func (r *apiErrorRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	call := apiCall{method: req.Method, action: req.URL.Query().Get("action")}
	if req.Method == http.MethodPost && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(body)
			body.Close()
			if form, err := url.ParseQuery(string(data)); err == nil {
				call.action = form.Get("action")
			} else if m := regexp.MustCompile(`name="action"\r\n\r\n(\w+)`).FindSubmatch(data); m != nil {
				call.action = string(m[1])
			}
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		call.errorCode = resp.Header.Get("MediaWiki-API-Error")
	}
	r.mu.Lock()
	r.log = append(r.log, call)
	r.mu.Unlock()
	return resp, err
}

// calls returns the calls recorded since the call numbered from.
func (r *apiErrorRecorder) calls(from int) []apiCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log[from:])
}

func (r *apiErrorRecorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

// login logs c in with the wiki's bot password through the generated
// client, as newClient does.
func login(t *testing.T, c *generated.Client, w *testwiki.Wiki) {
	t.Helper()
	ctx := context.Background()
	res, err := c.Query(ctx, &generated.QueryParams{Meta: generated.QueryMetas{Tokens: &generated.QueryTokensParams{
		Type: []generated.QueryTokensType{generated.QueryTokensTypeLogin},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tokens == nil || res.Tokens.Logintoken == "" {
		t.Fatalf("login token: %s", res.Raw())
	}
	login, err := c.Login(ctx, &generated.LoginParams{Name: w.BotUser, Password: w.BotPassword, Token: res.Tokens.Logintoken})
	if err != nil {
		t.Fatal(err)
	}
	if login.Result != generated.LoginStatusSuccess {
		t.Fatalf("login: %s", login.Raw())
	}
}

// TestScaleBadTokenRecovery: the session token is invalidated mid-run; the
// edit still succeeds, exactly once.
//
// Client A edits once, so that it holds a csrf token. Client B, sharing A's
// http.Client and so its cookie jar, then logs out and in again: the wiki
// ends the session A's token belongs to and opens a new one in the shared
// jar. (A bot-password session cannot log in again without logging out
// first: the wiki answers Aborted, api-login-fail-badsessionprovider.) A's
// next edit is refused with badtoken, and A must fetch a new token and make
// the edit, once.
func TestScaleBadTokenRecovery(t *testing.T) {
	w := testwiki.Require(t)
	jar, _ := cookiejar.New(nil)
	rec := &apiErrorRecorder{next: http.DefaultTransport}
	hc := &http.Client{Jar: jar, Transport: rec, Timeout: time.Minute}
	newGenerated := func() *generated.Client {
		rt, err := runtime.NewClient(w.API, runtime.Options{HTTPClient: hc, UserAgent: "mwgen-tests/1 (https://github.com/mwgen/mwgen)"})
		if err != nil {
			t.Fatal(err)
		}
		return generated.New(rt)
	}
	a, b := newGenerated(), newGenerated()
	login(t, a, w)
	user, _, _ := strings.Cut(w.BotUser, "@")

	title := fmt.Sprintf("Mwgen scale badtoken %d", time.Now().UnixNano())
	before := editText(t, a, title, "Before the session changed.")

	// B renews the session under A's feet.
	if _, err := b.Logout(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	login(t, b, w)

	from := rec.len()
	const text = "After the session changed: written exactly once."
	after := editText(t, a, title, text)

	calls := rec.calls(from)
	var edits []apiCall
	for _, c := range calls {
		if c.action == "edit" {
			edits = append(edits, c)
		}
	}
	if len(edits) == 0 || edits[0].errorCode != "badtoken" {
		t.Fatalf("the first edit after the new login should have met badtoken; calls: %+v", calls)
	}
	if len(edits) != 2 || edits[1].errorCode != "" {
		t.Errorf("want one refused and one successful edit request, got %+v", edits)
	}

	revs := readRevisions(t, a, title, runtime.Max)
	var newer []revision
	for _, r := range revs {
		if r.RevID > before {
			newer = append(newer, r)
		}
	}
	if len(newer) != 1 || newer[0].RevID != after || newer[0].Content != text || newer[0].User != user {
		t.Errorf("revisions after %d: %+v; want exactly revision %d with the new text by %s", before, newer, after, user)
	}
}
