// Command allpages enumerates the pages whose titles start with -prefix,
// through mwgen's generated client (-variant generated) or through a
// minimal loop on raw net/http + encoding/json (-variant raw, or rawtyped to
// decode into the generated package's types), as a list
// (-mode list) or a generator with prop=revisions (-mode revisions); see
// package loops. It runs one warm-up round, then -rounds timed rounds, and
// prints one line of figures for bench/allpages.sh:
//
//	variant=generated mode=list pages=2000 rounds=5 ns/page=… cpu-ns/page=… allocs/page=… bytes/page=… maxrss-kb=…
//
// cpu-ns/page is the process's user+system CPU time over the timed rounds
// (the wiki is another process), allocs/page and bytes/page are heap
// allocations (runtime.MemStats), and maxrss-kb is the process's peak
// resident set size over its whole life (getrusage).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mwgen/mwgen/bench/allpages/loops"
)

func main() {
	api := flag.String("api", "", "the wiki's api.php `URL`")
	variant := flag.String("variant", "generated", "`generated` (mwgen's client), raw (net/http + encoding/json) or rawtyped (raw, decoding into the generated types)")
	mode := flag.String("mode", "list", "`list` (list=allpages) or revisions (generator=allpages&prop=revisions)")
	prefix := flag.String("prefix", "Mwgen bench allpages ", "enumerate the pages whose titles start with `PREFIX`")
	pages := flag.Int("pages", 2000, "the number of pages each round must see")
	rounds := flag.Int("rounds", 5, "timed rounds, after one warm-up round")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed rounds to `FILE`")
	memProfile := flag.String("memprofile", "", "write an allocation profile (every allocation) of the timed rounds to `FILE`")
	flag.Parse()
	if *api == "" || *rounds < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*api, *variant, loops.Mode(*mode), *prefix, *pages, *rounds, *cpuProfile, *memProfile); err != nil {
		fmt.Fprintf(os.Stderr, "allpages: %s %s: %v\n", *variant, *mode, err)
		os.Exit(1)
	}
}

func run(api, variant string, mode loops.Mode, prefix string, pages, rounds int, cpuProfile, memProfile string) error {
	var loop loops.Loop
	var err error
	switch variant {
	case "generated":
		loop, err = loops.Generated(api, mode)
	case "raw":
		loop, err = loops.Raw(api, mode)
	case "rawtyped":
		loop, err = loops.RawTyped(api, mode)
	default:
		err = fmt.Errorf("unknown variant %q", variant)
	}
	if err != nil {
		return err
	}
	ctx := context.Background()
	var start time.Time
	var cpu0 int64
	var ms0, ms1 runtime.MemStats
	for round := 0; round <= rounds; round++ {
		if round == 1 {
			if err := startProfiles(cpuProfile, memProfile); err != nil {
				return err
			}
			runtime.ReadMemStats(&ms0)
			cpu0 = processCPU()
			start = time.Now()
		}
		n, err := loop(ctx, prefix)
		if err == nil && n != pages {
			err = fmt.Errorf("%d pages, want %d", n, pages)
		}
		if err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
	}
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&ms1)
	if err := stopProfiles(cpuProfile, memProfile); err != nil {
		return err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	total := float64(pages * rounds)
	fmt.Printf("variant=%s mode=%s pages=%d rounds=%d ns/page=%.0f cpu-ns/page=%.0f allocs/page=%.2f bytes/page=%.0f maxrss-kb=%d\n",
		variant, mode, pages, rounds, float64(elapsed.Nanoseconds())/total, float64(cpu)/total,
		float64(ms1.Mallocs-ms0.Mallocs)/total, float64(ms1.TotalAlloc-ms0.TotalAlloc)/total, ru.Maxrss)
	return nil
}

// startProfiles starts the CPU profile and records every allocation, as
// asked.
func startProfiles(cpuProfile, memProfile string) error {
	if memProfile != "" {
		runtime.MemProfileRate = 1
	}
	if cpuProfile == "" {
		return nil
	}
	f, err := os.Create(cpuProfile)
	if err != nil {
		return err
	}
	return pprof.StartCPUProfile(f)
}

// stopProfiles stops the CPU profile and writes the allocation profile.
func stopProfiles(cpuProfile, memProfile string) error {
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if memProfile == "" {
		return nil
	}
	f, err := os.Create(memProfile)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// processCPU is the user and system CPU time this process has used, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
