package versioned_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated/versioned"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// recorder keeps the URL and body of every request the client sends: the
// request log of the client's side.
type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	entry := req.Method + " " + req.URL.RawQuery
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			var b bytes.Buffer
			b.ReadFrom(body)
			entry += " " + b.String()
		}
	}
	r.mu.Lock()
	r.sent = append(r.sent, entry)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

func newClient(t *testing.T, w *testwiki.Wiki, logs *bytes.Buffer) (*versioned.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	rt, err := runtime.NewClient(w.API, runtime.Options{
		HTTPClient: &http.Client{Transport: rec},
		UserAgent:  "mwgen-versions-test/1.0 (https://github.com/mwgen/mwgen)",
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return versioned.New(rt), rec
}

// serverLogSince returns what the wiki's server (php -S, which logs every
// request line) logged after offset, and the new offset.
func serverLogSince(t *testing.T, w *testwiki.Wiki, offset int) (string, int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.DataDir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b[min(offset, len(b)):]), len(b)
}

// TestVersionsOnTwoWikis runs the package generated for MediaWiki 1.39 and
// 1.43 against a real wiki of each version: a call common to both works on
// both; meta=linterstats (1.43 only) works on 1.43 and is refused before
// sending on 1.39; a parameter and an enum value removed in 1.43 are
// refused on 1.43 before sending, with no token fetched.
func TestVersionsOnTwoWikis(t *testing.T) {
	for _, version := range []string{testwiki.V139, testwiki.V143} {
		t.Run(version, func(t *testing.T) {
			w := testwiki.RequireVersion(t, version)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var logs bytes.Buffer
			c, rec := newClient(t, w, &logs)

			// Common to both.
			res, err := c.Query(ctx, &versioned.QueryParams{List: versioned.QueryLists{Allpages: &versioned.QueryAllpagesParams{Limit: 2}}})
			if err != nil {
				t.Fatalf("list=allpages on %s: %v", version, err)
			}
			if !strings.Contains(string(res.Raw()), `"allpages"`) {
				t.Errorf("list=allpages on %s: no allpages in %.300s", version, res.Raw())
			}
			wiki, err := c.Runtime().MediaWikiVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(wiki, version+".") {
				t.Fatalf("the %s wiki says it runs %q", version, wiki)
			}

			_, offset := serverLogSince(t, w, 0)
			before := len(rec.log())
			lint := &versioned.QueryParams{Meta: versioned.QueryMetas{Linterstats: &versioned.QueryLinterstatsParams{}}}
			res, err = c.Query(ctx, lint)
			switch version {
			case testwiki.V143:
				if err != nil {
					t.Fatalf("meta=linterstats on 1.43: %v", err)
				}
				if !strings.Contains(string(res.Raw()), `"linterstats"`) {
					t.Errorf("meta=linterstats on 1.43: no linterstats in %.300s", res.Raw())
				}
			case testwiki.V139:
				var ve *runtime.VersionError
				if !errors.As(err, &ve) {
					t.Fatalf("meta=linterstats on 1.39: got %v, want a *runtime.VersionError", err)
				}
				want := "query+linterstats: module exists from MediaWiki 1.43; this wiki runs " + wiki
				if err.Error() != want {
					t.Errorf("meta=linterstats on 1.39:\n got %q\nwant %q", err, want)
				}
				if sent := rec.log()[before:]; len(sent) != 0 {
					t.Errorf("meta=linterstats on 1.39 sent %d requests: %q", len(sent), sent)
				}
				if logged, _ := serverLogSince(t, w, offset); strings.Contains(logged, "linterstats") {
					t.Errorf("the 1.39 wiki's server log shows linterstats:\n%s", logged)
				}
			}

			// Removed in 1.43: a parameter (oathvalidate's totp, a
			// token-taking module: no token is fetched either) and an
			// enum value (visualeditor's paction=parsedoc).
			if version == testwiki.V143 {
				before = len(rec.log())
				_, err = c.Oathvalidate(ctx, &versioned.OathvalidateParams{Totp: "123456", Data: "{}"})
				if want := `oathvalidate: parameter "totp" was removed in MediaWiki 1.43 (present in 1.39); this wiki runs ` + wiki; err == nil || err.Error() != want {
					t.Errorf("oathvalidate totp on 1.43:\n got %v\nwant %s", err, want)
				}
				_, err = c.Visualeditor(ctx, &versioned.VisualeditorParams{Page: "Main Page", Paction: versioned.VisualeditorPactionParsedoc})
				if want := `visualeditor: value "parsedoc" of parameter "paction" was removed in MediaWiki 1.43 (present in 1.39); this wiki runs ` + wiki; err == nil || err.Error() != want {
					t.Errorf("visualeditor paction=parsedoc on 1.43:\n got %v\nwant %s", err, want)
				}
				if sent := rec.log()[before:]; len(sent) != 0 {
					t.Errorf("the refused calls sent %d requests: %q", len(sent), sent)
				}
			}
			if strings.Contains(logs.String(), "newer than every") {
				t.Errorf("a %s wiki is not newer than the package's versions, yet: %s", version, logs.String())
			}
		})
	}
}

// TestVersionLearntOnce starts 16 calls at once on a fresh client: the
// wiki's version is fetched once (one siteinfo request), and every call
// is judged by it.
func TestVersionLearntOnce(t *testing.T) {
	w := testwiki.RequireVersion(t, testwiki.V139)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs bytes.Buffer
	c, rec := newClient(t, w, &logs)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Query(ctx, &versioned.QueryParams{Meta: versioned.QueryMetas{Linterstats: &versioned.QueryLinterstatsParams{}}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var ve *runtime.VersionError
		if !errors.As(err, &ve) {
			t.Errorf("call %d: got %v, want a *runtime.VersionError", i, err)
		}
	}
	sent := rec.log()
	if len(sent) != 1 || !strings.Contains(sent[0], "meta=siteinfo") {
		t.Errorf("want one siteinfo request, sent %d: %q", len(sent), sent)
	}
}
