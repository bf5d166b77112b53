package generated_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mwgen/mwgen/bench/allpages/loops"
	"github.com/mwgen/mwgen/internal/testwiki"
)

// The allpages benchmarks enumerate the same 2,000 pages with limit=max
// (500 a request for an anonymous client: 4 requests), once through the
// generated client and once through a minimal loop on net/http and
// encoding/json with the same HTTP client settings and parameters,
// against the same wiki in the same run (the loops are in
// bench/allpages/loops). The ratio of their cpu-ns/page is what the
// generated client and its runtime cost on top of the raw floor.
// bench/allpages.sh runs the same loops as programs, interleaved, with
// medians, ratios and peak memory at 2,000 and 20,000 pages; these
// benchmarks are for pprof:
//
//	go test ./generated -run '^$' -bench 'Allpages|Revisions' -benchmem -cpuprofile cpu.out
const (
	benchPrefix = "Mwgen bench allpages "
	benchPages  = 2000
)

var benchSetup struct {
	once sync.Once
	err  error
}

// benchWiki returns the test wiki's API URL, with the 2,000 benchmark
// pages imported once per test binary (and left as they are when a reused
// wiki has them).
func benchWiki(b *testing.B) string {
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
	return w.API
}

// processCPU is the user and system CPU time this process has used, in ns.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// runLoop runs the loop of mode that mk makes b.N times, checks it saw
// every page each time, and reports pages/op, ns/page and cpu-ns/page.
func runLoop(b *testing.B, mk func(api string, mode loops.Mode) (loops.Loop, error), mode loops.Mode) {
	loop, err := mk(benchWiki(b), mode)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// A warm-up outside the timer: connections, the wiki's caches.
	if n, err := loop(ctx, benchPrefix); err != nil || n != benchPages {
		b.Fatalf("warm-up: %d pages, %v; want %d", n, err, benchPages)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	pages := 0
	for i := 0; i < b.N; i++ {
		n, err := loop(ctx, benchPrefix)
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
	runLoop(b, loops.Generated, loops.List)
}

func BenchmarkAllpagesRawHTTP(b *testing.B) {
	runLoop(b, loops.Raw, loops.List)
}

// The revisions benchmarks get the same 2,000 pages as a generator, with
// the latest revision of each (prop=revisions), 500 a request.
func BenchmarkRevisionsGenerated(b *testing.B) {
	runLoop(b, loops.Generated, loops.Revisions)
}

func BenchmarkRevisionsRawHTTP(b *testing.B) {
	runLoop(b, loops.Raw, loops.Revisions)
}
