package oauth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

func TestTerminalPrompter(t *testing.T) {
	const authURL = "https://wiki.example/w/index.php?title=Special:OAuth/authorize&oauth_token=t&oauth_consumer_key=k"
	in := strings.NewReader("\n  \r\n  https://wiki.example/cb?oauth_verifier=v1&oauth_token=t \r\nsecond-answer\nlast-without-newline")
	var out bytes.Buffer
	p := &oauth.TerminalPrompter{In: in, Out: &out, App: "mwgen"}
	got, err := p.Authorize(context.Background(), authURL)
	if err != nil || got != "https://wiki.example/cb?oauth_verifier=v1&oauth_token=t" {
		t.Fatalf("Authorize = %q, %v", got, err)
	}
	// The URL is on a line of its own.
	lines := strings.Split(out.String(), "\n")
	found := false
	for _, l := range lines {
		if l == authURL {
			found = true
		}
	}
	if !found || !strings.Contains(out.String(), "To authorize mwgen") {
		t.Errorf("prompt:\n%s", out.String())
	}
	// Nothing past the answer's line was consumed: the next prompt reads
	// the next line, then a last line without a newline.
	for _, want := range []string{"second-answer", "last-without-newline"} {
		if got, err := p.Authorize(context.Background(), authURL); err != nil || got != want {
			t.Errorf("next Authorize = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := p.Authorize(context.Background(), authURL); err == nil || !strings.Contains(err.Error(), "end of input") {
		t.Errorf("at EOF: %v", err)
	}
}

func TestTerminalPrompterContext(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	p := &oauth.TerminalPrompter{In: r, Out: io.Discard}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Authorize(ctx, "https://x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Authorize with a silent terminal: %v", err)
	}
}
