package generated_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

// importDump is MediaWiki's maintenance script that imports an XML dump,
// with link table updates (so categories are filled).
const importDump = "/usr/share/mediawiki/maintenance/importDump.php"

const (
	mergedPrefix = "Mwgen merged "
	mergedPages  = 2000
)

// mergedCategories are the categories seeded on page i: 1 to 4 of them.
func mergedCategories(i int) []string {
	var cats []string
	for k := range i%4 + 1 {
		cats = append(cats, fmt.Sprintf("Category:Mwgen merged cat %c", 'A'+(i+k)%6))
	}
	slices.Sort(cats)
	return cats
}

// seedMerged makes sure the 2,000 pages exist, each with its categories,
// by importing an XML dump with importDump.php (about 50 ms a page with
// its link updates, under load; an API edit is slower).
func seedMerged(t *testing.T, w *testwiki.Wiki) {
	t.Helper()
	body, err := w.Get(context.Background(), map[string][]string{
		"action": {"query"}, "list": {"allpages"}, "apprefix": {mergedPrefix}, "aplimit": {"max"},
		"apfrom": {fmt.Sprintf("%s%04d", mergedPrefix, mergedPages-1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), fmt.Sprintf(`"title":"%s%04d"`, mergedPrefix, mergedPages-1)) {
		return // a kept wiki has them
	}
	var b strings.Builder
	b.WriteString(`<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">` + "\n")
	user, _, _ := strings.Cut(w.BotUser, "@")
	for i := range mergedPages {
		fmt.Fprintf(&b, "<page><title>%s%04d</title><ns>0</ns>", mergedPrefix, i)
		text := fmt.Sprintf("Page %d.", i)
		for _, c := range mergedCategories(i) {
			text += "\n[[" + c + "]]"
		}
		var esc strings.Builder
		if err := xml.EscapeText(&esc, []byte(text)); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "<revision><timestamp>2024-01-01T00:00:%02dZ</timestamp><contributor><username>%s</username></contributor>"+
			"<comment>seed</comment><model>wikitext</model><format>text/x-wiki</format><text xml:space=\"preserve\">%s</text></revision>",
			i%60, user, esc.String())
		b.WriteString("</page>\n")
	}
	b.WriteString("</mediawiki>\n")
	dir := t.TempDir()
	dump := filepath.Join(dir, "merged.xml")
	if err := os.WriteFile(dump, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "php", importDump, "--no-local-users", dump)
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.DataDir, "LocalSettings.php"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("importDump.php: %v\n%s", err, tailLines(out, 20))
	}
	t.Logf("imported %d pages in %s", mergedPages, time.Since(start).Round(time.Millisecond))
}

// countingTransport counts the requests sent.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func mergedQuery(titles []string) *generated.QueryParams {
	q := &generated.QueryParams{
		Prop: generated.QueryProps{
			Revisions: &generated.QueryRevisionsParams{Prop: []generated.QueryRevisionsProp{
				generated.QueryRevisionsPropIDs, generated.QueryRevisionsPropTimestamp, generated.QueryRevisionsPropSize}},
			Info:       &generated.QueryInfoParams{},
			Categories: &generated.QueryCategoriesParams{Limit: runtime.Max},
		},
	}
	if titles != nil {
		q.PageSet.Titles = titles
		return q
	}
	// Small limits, so that a page's categories span batches.
	q.PageSet.Generator.Allpages = &generated.QueryAllpagesParams{Prefix: mergedPrefix, Limit: 40}
	q.Prop.Categories.Limit = 7
	return q
}

// TestMergedPages enumerates 2,000 pages through QueryPages with
// generator=allpages and prop=revisions|info|categories, 40 pages and 7
// categories a request, so most pages' categories come in several
// batches. Every page must come exactly once, with its latest revision,
// its info and all its categories, the same as the wiki answers for the
// page alone; and the client runs in strict drift mode, so any key the
// types do not know fails the test.
func TestMergedPages(t *testing.T) {
	w := testwiki.Require(t)
	seedMerged(t, w)
	ct := &countingTransport{}
	rt, err := runtime.NewClient(w.API, runtime.Options{
		HTTPClient: &http.Client{Transport: ct, Timeout: time.Minute},
		UserAgent:  "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:      runtime.DriftStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := generated.New(rt)
	ctx := context.Background()

	seen := map[string]int{}
	var pages []*generated.QueryPage
	var firstAt int64
	for p, err := range c.QueryPages(ctx, mergedQuery(nil)) {
		if err != nil {
			t.Fatal(err)
		}
		if firstAt == 0 {
			firstAt = ct.n.Load()
		}
		seen[p.Title]++
		pages = append(pages, p)
	}
	total := ct.n.Load()
	t.Logf("%d pages in %d requests; the first page came after %d", len(pages), total, firstAt)
	if len(pages) != mergedPages {
		t.Fatalf("%d pages, want %d", len(pages), mergedPages)
	}
	if firstAt >= total {
		t.Errorf("the first page came after %d of %d requests: pages must be yielded batch by batch", firstAt, total)
	}
	if total < 2*mergedPages/40 {
		t.Errorf("%d requests: the categories did not span batches (limits too large?)", total)
	}
	spanned := 0
	for i, p := range pages {
		want := fmt.Sprintf("%s%04d", mergedPrefix, i)
		if p.Title != want || seen[p.Title] != 1 {
			t.Fatalf("page %d is %q (seen %d times), want %q once", i, p.Title, seen[p.Title], want)
		}
		if p.QueryRevisionsPage == nil || len(p.Revisions) != 1 || p.QueryInfoPage == nil || p.Revisions[0].RevID != p.Lastrevid {
			t.Fatalf("%s: revisions %+v, info %+v", p.Title, p.QueryRevisionsPage, p.QueryInfoPage)
		}
		var cats []string
		if p.QueryCategoriesPage != nil {
			for _, c := range p.Categories {
				cats = append(cats, c.Title)
			}
		}
		if !slices.Equal(cats, mergedCategories(i)) {
			t.Errorf("%s: categories %q, want %q", p.Title, cats, mergedCategories(i))
		}
		if len(cats) > 1 {
			spanned++
		}
	}
	t.Logf("%d pages with more than one category", spanned)

	// The same pages asked for alone (every 40th, each in its own request).
	for i := 0; i < mergedPages; i += 40 {
		got := pages[i]
		res, err := c.Query(ctx, mergedQuery([]string{got.Title}))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pages) != 1 {
			t.Fatalf("%s alone: %s", got.Title, res.Raw())
		}
		alone := res.Pages[0]
		if alone.PageID != got.PageID || alone.Lastrevid != got.Lastrevid || alone.Length != got.Length ||
			!slices.EqualFunc(alone.Revisions, got.Revisions, func(a, b generated.QueryRevisionsPageRevisionsItem) bool {
				return a.RevID == b.RevID && a.ParentID == b.ParentID && a.Size == b.Size && a.Timestamp.Equal(b.Timestamp)
			}) || !slices.EqualFunc(alone.Categories, got.Categories,
			func(a, b generated.QueryCategoriesPageCategoriesItem) bool { return a.Title == b.Title && a.Ns == b.Ns }) {
			t.Errorf("%s merged differs from the page alone:\nmerged %+v %+v %+v\nalone  %+v %+v %+v", got.Title,
				got.QueryInfoPage, got.Revisions, got.Categories, alone.QueryInfoPage, alone.Revisions, alone.Categories)
		}
	}

	// Breaking out of the loop stops the requests.
	before := ct.n.Load()
	for _, err := range c.QueryPages(ctx, mergedQuery(nil)) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if sent := ct.n.Load() - before; sent >= total {
		t.Errorf("breaking after the first page still sent %d requests", sent)
	}
}

// TestAllpagesItems lists the 2,000 pages with the list item iterator, 300
// a request, in strict drift mode.
func TestAllpagesItems(t *testing.T) {
	w := testwiki.Require(t)
	seedMerged(t, w)
	rt, err := runtime.NewClient(w.API, runtime.Options{
		UserAgent: "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:     runtime.DriftStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := generated.New(rt)
	i := 0
	for p, err := range c.AllpagesItems(context.Background(), &generated.QueryAllpagesParams{Prefix: mergedPrefix, Limit: 300}) {
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s%04d", mergedPrefix, i); p.Title != want || p.PageID == 0 || p.Ns != runtime.NamespaceMain {
			t.Fatalf("item %d: %+v, want %q", i, p, want)
		}
		i++
	}
	if i != mergedPages {
		t.Errorf("%d items, want %d", i, mergedPages)
	}
}
