package oauth

import (
	"strings"
	"sync"
	"testing"
)

// TestRandomNonceConcurrent draws default nonces from 8 goroutines at
// once (they come from pooled blocks of crypto/rand bytes, 32 nonces a
// block): every one is 32 hex characters and none repeats, across many
// refills. CI may run it with -race.
func TestRandomNonceConcurrent(t *testing.T) {
	const goroutines, each = 8, 200
	got := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				got[g] = append(got[g], string(appendRandomNonce(nil)))
			}
		}()
	}
	wg.Wait()
	seen := make(map[string]bool, goroutines*each)
	for _, ns := range got {
		for _, n := range ns {
			if len(n) != 2*nonceSize || strings.Trim(n, "0123456789abcdef") != "" {
				t.Fatalf("nonce %q is not %d hex characters", n, 2*nonceSize)
			}
			if seen[n] {
				t.Fatalf("nonce %q repeated", n)
			}
			seen[n] = true
		}
	}
}
