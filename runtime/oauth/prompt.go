package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Prompter asks the user to authorize a request token: it shows
// authorizeURL (Special:OAuth/authorize) and returns what the user got
// after approving: the callback URL, its query string or the bare verifier,
// all of which [Complete] accepts.
type Prompter interface {
	Authorize(ctx context.Context, authorizeURL string) (callback string, err error)
}

// PrompterFunc adapts a function to [Prompter].
type PrompterFunc func(ctx context.Context, authorizeURL string) (string, error)

// Authorize calls f.
func (f PrompterFunc) Authorize(ctx context.Context, authorizeURL string) (string, error) {
	return f(ctx, authorizeURL)
}

// TerminalPrompter prompts on a terminal, as pywikibot's OAuth login does:
// it prints the authorize URL on a line of its own to Out (the CLI uses
// stderr, so that stdout stays clean) and reads one line from In: the URL
// the browser ended on, its query string, or the verification code shown
// by Special:OAuth/verified. In need not be a terminal (a pipe works: the
// line is read up to its newline, byte by byte, so that nothing after it is
// consumed from In). Blank lines are skipped.
//
// When ctx ends first, Authorize returns ctx's error; the read of In
// continues in the background until a line or EOF arrives, and that line is
// then lost.
type TerminalPrompter struct {
	In  io.Reader
	Out io.Writer
	// App names the application in the prompt; empty means "this
	// application".
	App string

	mu sync.Mutex // one prompt at a time
}

// Authorize prints the prompt and reads the answer.
func (p *TerminalPrompter) Authorize(ctx context.Context, authorizeURL string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.In == nil || p.Out == nil {
		return "", errors.New("oauth: TerminalPrompter needs In and Out")
	}
	app := p.App
	if app == "" {
		app = "this application"
	}
	fmt.Fprintf(p.Out, "To authorize %s, open this address in a web browser, log in and approve the request:\n\n%s\n\n"+
		"Then paste the address the browser ends on (or its verification code) here and press Enter:\n", app, authorizeURL)
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		for {
			line, err := readLine(p.In)
			if strings.TrimSpace(line) != "" || err != nil {
				ch <- result{strings.TrimSpace(line), err}
				return
			}
		}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if r.line != "" {
			return r.line, nil
		}
		if r.err == io.EOF {
			return "", errors.New("oauth: no answer to the authorization prompt (end of input)")
		}
		return "", fmt.Errorf("oauth: reading the authorization answer: %w", r.err)
	}
}

// readLine reads up to and including the next newline, one byte at a time,
// so that no input after it is consumed. A final line without a newline is
// returned with io.EOF.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var buf [1]byte
	for {
		n, err := r.Read(buf[:])
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
			if b.Len() > 64<<10 {
				return b.String(), errors.New("line too long")
			}
		}
		if err != nil {
			return b.String(), err
		}
	}
}
