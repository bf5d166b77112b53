package oauth

import (
	"strings"
	"sync"
	"testing"

	"github.com/dghubble/oauth1"
)

// hmacCases are secrets and messages for the HMAC differential tests:
// empty, short, exactly a block, longer than a block (hashed first), and
// with bytes that percent-encoding escapes.
var hmacCases = [][3]string{
	{"", "", ""},
	{"secret", "", "GET&https%3A%2F%2Fexample.org&a%3Db"},
	{"kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg"},
	{strings.Repeat("a", 31), strings.Repeat("b", 32), "exactly 64 key bytes"},
	{strings.Repeat("a", 32), strings.Repeat("b", 32), "65 key bytes: hashed first"},
	{"sec ret&+/=%é", "tök€n\x00\xff", strings.Repeat("long message ", 500)},
	{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210fedcba98", "POST&x&y"},
}

func dghubbleHMAC(t testing.TB, consumerSecret, tokenSecret, msg string) string {
	s := &oauth1.HMACSigner{ConsumerSecret: consumerSecret}
	sig, err := s.Sign(tokenSecret, msg)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestHMACMatchesDghubble holds our HMAC-SHA1 signer byte for byte to
// dghubble/oauth1's HMACSigner, which it replaces.
func TestHMACMatchesDghubble(t *testing.T) {
	for _, c := range hmacCases {
		want := dghubbleHMAC(t, c[0], c[1], c[2])
		if got := string(appendHMACSHA1(nil, c[0], c[1], []byte(c[2]))); got != want {
			t.Errorf("appendHMACSHA1(%q, %q, %.20q) = %s, want %s", c[0], c[1], c[2], got, want)
		}
		if got := string(appendHMACSHA1([]byte("prefix"), c[0], c[1], []byte(c[2]))); got != "prefix"+want {
			t.Errorf("appendHMACSHA1 after a prefix = %s, want prefix%s", got, want)
		}
	}
}

// TestHMACConcurrent signs with different secrets from many goroutines
// at once (the states are pooled): run it with -race.
func TestHMACConcurrent(t *testing.T) {
	want := make([]string, len(hmacCases))
	for i, c := range hmacCases {
		want[i] = dghubbleHMAC(t, c[0], c[1], c[2])
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 200 {
				i := (g + n) % len(hmacCases)
				c := hmacCases[i]
				if got := string(appendHMACSHA1(nil, c[0], c[1], []byte(c[2]))); got != want[i] {
					t.Errorf("goroutine %d: case %d: %s, want %s", g, i, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzHMACMatchesDghubble is TestHMACMatchesDghubble over arbitrary
// secrets and messages.
func FuzzHMACMatchesDghubble(f *testing.F) {
	for _, c := range hmacCases {
		f.Add(c[0], c[1], []byte(c[2]))
	}
	f.Fuzz(func(t *testing.T, consumerSecret, tokenSecret string, msg []byte) {
		want := dghubbleHMAC(t, consumerSecret, tokenSecret, string(msg))
		if got := string(appendHMACSHA1(nil, consumerSecret, tokenSecret, msg)); got != want {
			t.Fatalf("appendHMACSHA1(%q, %q, %q) = %s, want %s", consumerSecret, tokenSecret, msg, got, want)
		}
	})
}
