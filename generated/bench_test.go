package generated_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

// The allpages benchmarks enumerate the same 2,000 pages with limit=max
// (500 a request for an anonymous client: 4 requests), once through the
// generated client and once through a minimal loop on net/http and
// encoding/json, against the same wiki in the same run. The ratio of their
// ns/page is what the generated client and its runtime cost on top of the
// wiki's own time. bench/allpages.sh runs the same loops as programs, for
// their peak memory.
const (
	benchPrefix = "Mwgen bench allpages "
	benchPages  = 2000
)

var benchSetup struct {
	once sync.Once
	err  error
}

// benchWiki returns the test wiki with the 2,000 benchmark pages, imported
// once per test binary.
func benchWiki(b *testing.B) *testwiki.Wiki {
	b.Helper()
	w := testwiki.Require(b)
	benchSetup.once.Do(func() {
		start := time.Now()
		_, benchSetup.err = importPages(w, benchPrefix, benchPages)
		b.Logf("imported %d pages in %s", benchPages, time.Since(start).Round(time.Millisecond))
	})
	if benchSetup.err != nil {
		b.Fatal(benchSetup.err)
	}
	return w
}

// processCPU is the user and system CPU time this process has used, in ns.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// runAllpages runs enumerate b.N times, checks it saw every page each
// time, and reports pages/op and ns/page.
func runAllpages(b *testing.B, enumerate func(ctx context.Context) (int, error)) {
	ctx := context.Background()
	// A warm-up outside the timer: connections, the wiki's caches.
	if n, err := enumerate(ctx); err != nil || n != benchPages {
		b.Fatalf("warm-up: %d pages, %v; want %d", n, err, benchPages)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	pages := 0
	for i := 0; i < b.N; i++ {
		n, err := enumerate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n != benchPages {
			b.Fatalf("%d pages, want %d", n, benchPages)
		}
		pages += n
	}
	b.StopTimer()
	// The client's own CPU (this process: the wiki is another), which is
	// what the generated client costs, beside the wall time.
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(pages), "cpu-ns/page")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
}

func BenchmarkAllpagesGenerated(b *testing.B) {
	w := benchWiki(b)
	rt, err := runtime.NewClient(w.API, runtime.Options{UserAgent: "mwgen-bench/1 (https://github.com/mwgen/mwgen)"})
	if err != nil {
		b.Fatal(err)
	}
	c := generated.New(rt)
	runAllpages(b, func(ctx context.Context) (int, error) {
		return allpagesGenerated(ctx, c, benchPrefix)
	})
}

func BenchmarkAllpagesRawHTTP(b *testing.B) {
	w := benchWiki(b)
	hc := &http.Client{}
	runAllpages(b, func(ctx context.Context) (int, error) {
		return allpagesRaw(ctx, hc, w.API, benchPrefix)
	})
}

// allpagesGenerated counts the pages whose titles start with prefix through
// the generated client (the loop of bench/allpages/generated/main.go).
func allpagesGenerated(ctx context.Context, c *generated.Client, prefix string) (int, error) {
	n := 0
	for res, err := range c.QueryAll(ctx, &generated.QueryParams{
		List: generated.QueryLists{Allpages: &generated.QueryAllpagesParams{Prefix: prefix, Limit: runtime.Max}},
	}) {
		if err != nil {
			return n, err
		}
		for _, p := range res.Allpages {
			if p.Title != "" {
				n++
			}
		}
	}
	return n, nil
}

// allpagesRaw counts the same pages with nothing but net/http and
// encoding/json (the loop of bench/allpages/raw/main.go).
func allpagesRaw(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
	q := url.Values{
		"action": {"query"}, "list": {"allpages"}, "apprefix": {prefix}, "aplimit": {"max"},
		"format": {"json"}, "formatversion": {"2"},
	}
	n := 0
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"?"+q.Encode(), nil)
		if err != nil {
			return n, err
		}
		req.Header.Set("User-Agent", "mwgen-bench-raw/1 (https://github.com/mwgen/mwgen)")
		resp, err := hc.Do(req)
		if err != nil {
			return n, err
		}
		var batch struct {
			Error *struct {
				Code string `json:"code"`
				Info string `json:"info"`
			} `json:"error"`
			Continue map[string]string `json:"continue"`
			Query    struct {
				Allpages []rawPage `json:"allpages"`
			} `json:"query"`
		}
		err = json.NewDecoder(resp.Body).Decode(&batch)
		io.Copy(io.Discard, resp.Body) // so that the connection is reused
		resp.Body.Close()
		switch {
		case err != nil:
			return n, fmt.Errorf("%s: %w", resp.Status, err)
		case batch.Error != nil:
			return n, fmt.Errorf("API error %s: %s", batch.Error.Code, batch.Error.Info)
		}
		for _, p := range batch.Query.Allpages {
			if p.Title != "" {
				n++
			}
		}
		if batch.Continue == nil {
			return n, nil
		}
		for k, v := range batch.Continue {
			q.Set(k, v)
		}
	}
}

// rawPage is what the raw loops decode of a page: the fields the typed
// answer has, so both decode the same.
type rawPage struct {
	PageID int    `json:"pageid"`
	Ns     int    `json:"ns"`
	Title  string `json:"title"`
}

// The revisions benchmarks get the same 2,000 pages as a generator, with
// the latest revision of each (prop=revisions), 500 a request.
func BenchmarkRevisionsGenerated(b *testing.B) {
	w := benchWiki(b)
	rt, err := runtime.NewClient(w.API, runtime.Options{UserAgent: "mwgen-bench/1 (https://github.com/mwgen/mwgen)"})
	if err != nil {
		b.Fatal(err)
	}
	c := generated.New(rt)
	runAllpages(b, func(ctx context.Context) (int, error) {
		n := 0
		for res, err := range c.QueryAll(ctx, &generated.QueryParams{
			Prop: generated.QueryProps{Revisions: &generated.QueryRevisionsParams{
				Prop: []generated.QueryRevisionsProp{generated.QueryRevisionsPropIDs, generated.QueryRevisionsPropTimestamp,
					generated.QueryRevisionsPropSize, generated.QueryRevisionsPropUser, generated.QueryRevisionsPropComment},
			}},
			PageSet: generated.PageSet{Generator: generated.Generator{Allpages: &generated.QueryAllpagesParams{Prefix: benchPrefix, Limit: runtime.Max}}},
		}) {
			if err != nil {
				return n, err
			}
			for _, p := range res.Pages {
				if p.QueryRevisionsPage != nil && len(p.Revisions) == 1 && p.Revisions[0].Size > 0 {
					n++
				}
			}
		}
		return n, nil
	})
}

type rawRevision struct {
	RevID     int       `json:"revid"`
	ParentID  int       `json:"parentid"`
	Timestamp time.Time `json:"timestamp"`
	Size      int       `json:"size"`
	User      string    `json:"user"`
	Comment   string    `json:"comment"`
}

func BenchmarkRevisionsRawHTTP(b *testing.B) {
	w := benchWiki(b)
	hc := &http.Client{}
	runAllpages(b, func(ctx context.Context) (int, error) {
		q := url.Values{
			"action": {"query"}, "generator": {"allpages"}, "gapprefix": {benchPrefix}, "gaplimit": {"max"},
			"prop": {"revisions"}, "rvprop": {"ids|timestamp|size|user|comment"},
			"format": {"json"}, "formatversion": {"2"},
		}
		n := 0
		for {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.API+"?"+q.Encode(), nil)
			if err != nil {
				return n, err
			}
			req.Header.Set("User-Agent", "mwgen-bench-raw/1 (https://github.com/mwgen/mwgen)")
			resp, err := hc.Do(req)
			if err != nil {
				return n, err
			}
			var batch struct {
				Error *struct {
					Code string `json:"code"`
					Info string `json:"info"`
				} `json:"error"`
				Continue map[string]string `json:"continue"`
				Query    struct {
					Pages []struct {
						rawPage
						Revisions []rawRevision `json:"revisions"`
					} `json:"pages"`
				} `json:"query"`
			}
			err = json.NewDecoder(resp.Body).Decode(&batch)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case err != nil:
				return n, fmt.Errorf("%s: %w", resp.Status, err)
			case batch.Error != nil:
				return n, fmt.Errorf("API error %s: %s", batch.Error.Code, batch.Error.Info)
			}
			for _, p := range batch.Query.Pages {
				if len(p.Revisions) == 1 && p.Revisions[0].Size > 0 {
					n++
				}
			}
			if batch.Continue == nil {
				return n, nil
			}
			for k, v := range batch.Continue {
				q.Set(k, v)
			}
		}
	})
}
