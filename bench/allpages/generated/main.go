// Command generated enumerates the pages whose titles start with -prefix
// through mwgen's generated client (QueryAll, list=allpages, limit=max),
// -rounds times after one warm-up round, and prints the time per page. It
// is one half of bench/allpages.sh, which runs it under /usr/bin/time for
// its peak memory; the other half, ../raw, does the same on raw net/http.
// The loop is that of BenchmarkAllpagesGenerated in generated/bench_test.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
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
	rt, err := runtime.NewClient(*api, runtime.Options{UserAgent: "mwgen-bench/1 (https://github.com/mwgen/mwgen)"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	c := generated.New(rt)
	ctx := context.Background()
	var start time.Time
	for round := 0; round <= *rounds; round++ {
		if round == 1 {
			start = time.Now()
		}
		n, err := enumerate(ctx, c, *prefix)
		if err == nil && n != *pages {
			err = fmt.Errorf("%d pages, want %d", n, *pages)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "generated: round %d: %v\n", round, err)
			os.Exit(1)
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("variant=generated pages=%d rounds=%d ns/page=%.0f\n",
		*pages, *rounds, float64(elapsed.Nanoseconds())/float64(*pages**rounds))
}

// enumerate counts the pages whose titles start with prefix.
func enumerate(ctx context.Context, c *generated.Client, prefix string) (int, error) {
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
