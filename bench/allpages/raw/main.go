// Command raw enumerates the pages whose titles start with -prefix with
// nothing but net/http and encoding/json (list=allpages, aplimit=max,
// following "continue" by hand), -rounds times after one warm-up round, and
// prints the time per page. It is the baseline half of bench/allpages.sh;
// ../generated does the same through mwgen's generated client. The loop is
// that of BenchmarkAllpagesRawHTTP in generated/bench_test.go.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

func main() {
	api := flag.String("api", "", "the wiki's api.php `URL`")
	prefix := flag.String("prefix", "Mwgen bench allpages ", "enumerate the pages whose titles start with `PREFIX`")
	pages := flag.Int("pages", 2000, "the number of pages each round must see")
	rounds := flag.Int("rounds", 5, "timed rounds, after one warm-up round")
	flag.Parse()
	if *api == "" || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	hc := &http.Client{}
	ctx := context.Background()
	var start time.Time
	for round := 0; round <= *rounds; round++ {
		if round == 1 {
			start = time.Now()
		}
		n, err := enumerate(ctx, hc, *api, *prefix)
		if err == nil && n != *pages {
			err = fmt.Errorf("%d pages, want %d", n, *pages)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "raw: round %d: %v\n", round, err)
			os.Exit(1)
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("variant=raw pages=%d rounds=%d ns/page=%.0f\n",
		*pages, *rounds, float64(elapsed.Nanoseconds())/float64(*pages**rounds))
}

// enumerate counts the pages whose titles start with prefix.
func enumerate(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
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
				Allpages []struct {
					Title string `json:"title"`
				} `json:"allpages"`
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
