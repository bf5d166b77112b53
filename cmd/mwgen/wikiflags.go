package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mwgen/mwgen/apischema"
)

// wikiFlags are the flags every command that talks to a wiki shares.
type wikiFlags struct {
	timeout time.Duration
	verbose bool
}

// addWikiFlags adds --timeout (one deadline for the whole command) and
// -v/--verbose (a log line per request on stderr).
func addWikiFlags(fs *pflag.FlagSet) *wikiFlags {
	w := &wikiFlags{}
	fs.DurationVar(&w.timeout, "timeout", 2*time.Minute, "give up after this long in all, retries included (0: never)")
	fs.BoolVarP(&w.verbose, "verbose", "v", false, "log each request (method, URL without secrets, status, duration) and each retry on stderr")
	return w
}

// context returns ctx with the command's overall deadline.
func (w *wikiFlags) context(ctx context.Context) (context.Context, context.CancelFunc) {
	if w.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, w.timeout)
}

// logger returns a logger on stderr with -v, and nil without.
func (w *wikiFlags) logger(e env) *slog.Logger {
	if !w.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// httpClient returns a client whose requests are logged with -v. It has no
// timeout of its own: the command's context is the one deadline.
func (w *wikiFlags) httpClient(e env) *http.Client {
	c := &http.Client{}
	if log := w.logger(e); log != nil {
		c.Transport = &logTransport{log: log, next: http.DefaultTransport}
	}
	return c
}

// findAPI turns the URL the user gave into the wiki's api.php URL (see
// apischema.FindAPI), saying on stderr which one it uses when it is not
// the URL given.
func (w *wikiFlags) findAPI(ctx context.Context, e env, raw, userAgent string) (string, error) {
	found, err := apischema.FindAPI(ctx, raw, apischema.FetchOptions{HTTPClient: w.httpClient(e), UserAgent: userAgent})
	if err != nil {
		return "", err
	}
	if found.How != "given" {
		fmt.Fprintf(e.stderr, "mwgen: using the API at %s (found by %s)\n", found.API, found.How)
	}
	return found.API, nil
}

// logTransport logs every request: method, URL without secrets, status or
// error, and duration.
type logTransport struct {
	log  *slog.Logger
	next http.RoundTripper
}

func (t *logTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	attrs := []any{"method", r.Method, "url", redactURL(r.URL), "duration", time.Since(start).Round(time.Millisecond)}
	if err != nil {
		t.log.DebugContext(r.Context(), "mwgen request failed", append(attrs, "err", err)...)
		return resp, err
	}
	t.log.DebugContext(r.Context(), "mwgen request", append(attrs, "status", resp.StatusCode)...)
	return resp, nil
}

// redactURL returns u without its password and with the values of query
// parameters that may carry secrets replaced by "***".
func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
		if _, has := u.User.Password(); has {
			c.User = url.UserPassword(c.User.Username(), "***")
		}
	}
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if secretParam(k) {
				q[k] = []string{"***"}
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// secretParam reports whether a parameter name may carry a secret: tokens,
// passwords, OAuth signatures and secrets.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "password", "secret", "signature", "key", "code_verifier"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// fetchOptions are the apischema.FetchOptions of a command: its logged
// client, and with -v each step of the fetch (retries among them) logged.
func (w *wikiFlags) fetchOptions(e env, helpFormat, userAgent string) apischema.FetchOptions {
	opt := apischema.FetchOptions{HTTPClient: w.httpClient(e), HelpFormat: helpFormat, UserAgent: userAgent}
	if log := w.logger(e); log != nil {
		opt.Progress = func(p apischema.FetchProgress) {
			log.Info("mwgen fetch", "step", p.Step, "requests", p.Requests, "modules", p.Modules)
		}
	}
	return opt
}
