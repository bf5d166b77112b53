package runtime

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of [RetryPolicy].
const (
	// DefaultMaxAttempts is the number of attempts of one request, the first
	// included, when RetryPolicy.MaxAttempts is 0.
	DefaultMaxAttempts = 5
	// DefaultMinDelay is the first backoff when RetryPolicy.MinDelay is 0.
	DefaultMinDelay = time.Second
	// DefaultMaxDelay caps every wait when RetryPolicy.MaxDelay is 0.
	DefaultMaxDelay = time.Minute
	// DefaultMaxLagWait is the wait after a maxlag error that came without
	// a Retry-After header (MediaWiki sends max(maxlag, 5) seconds).
	DefaultMaxLagWait = 5 * time.Second
)

// RetryPolicy bounds how a [Client] retries a request that failed in a way
// a later attempt may not: MaxAttempts attempts at most, waiting between
// them. The zero RetryPolicy means the defaults (5 attempts, waits from 1 s
// doubling up to 60 s); RetryPolicy{MaxAttempts: 1} disables retries.
//
// # Reads and writes
//
// A request is a write when it carries a token ([Request.TokenType]), is
// flagged [Request.Post] (the module must be posted: it changes something),
// or uploads a [File]. Every other request is a read, including one POSTed
// only because its URL would be too long. A read can be sent again at no
// risk; a write only when the failed attempt provably was not applied.
//
// # What is retried
//
//   - API errors that MediaWiki raises before the module runs, so that
//     nothing was done: maxlag (waiting as long as its Retry-After header
//     says, [DefaultMaxLagWait] without one), ratelimited, and readonly
//     (also the readonly of a lagged replica). Reads and writes alike.
//   - badtoken: the token is refetched and the request sent again at once,
//     one time. This is token handling, not a retry: it happens even with
//     retries disabled and does not count as an attempt.
//   - HTTP 429 Too Many Requests without an API error: a proxy or edge in
//     front of the wiki refused the request (MediaWiki's own rate limit is
//     the ratelimited API error). Reads and writes alike.
//   - A failure before the request was completely written: DNS, a refused
//     or failed connection, a time-out while connecting. The server cannot
//     have acted on a request it did not receive in full. Reads and writes
//     alike.
//   - Reads only: HTTP 5xx answers, answers cut short or not valid JSON,
//     connection failures and time-outs after the request was sent.
//
// # What is not retried
//
//   - For a write, the failures of the last point: the request was sent,
//     and the wiki may have applied it before the answer was lost (a
//     time-out, a dropped connection, a 502 page of a proxy that did or did
//     not reach the wiki, a body cut short). The client cannot tell, so it
//     returns an error that matches [ErrMaybeApplied] and says so, rather
//     than risk a duplicate edit. Check the wiki (the page history, the
//     logs) before sending the write again.
//   - Any other API error (permissiondenied, badvalue, assertuserfailed,
//     ...; for a write whatever the HTTP status, for a read unless it is a
//     5xx) and any other 4xx answer: the wiki or a proxy refused the request
//     for good.
//   - Reads answered 200 with something that is not JSON (an HTML page: a
//     wrong URL), and TLS certificate errors: trying again will not help.
//   - A done context: nothing is tried after ctx ends; the error wraps
//     ctx.Err() (and [ErrMaybeApplied] for a write whose request was sent).
//     A wait that would end after ctx's deadline is not started.
//
// # Waits
//
// The wait before attempt n+1 is the answer's Retry-After (seconds or an
// HTTP date) when it has one, else MinDelay·2ⁿ⁻¹ plus up to 50 % random
// jitter; either is capped at MaxDelay. Each retry is logged at level Info
// with the action, the attempt, the wait, the reason and the error (which
// never holds a sensitive parameter: those are POSTed, and the errors of a
// POST name only the action). When the attempts are used up, the last error
// is returned, noting how many attempts were made.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts of one request, the first
	// included: 0 means [DefaultMaxAttempts], 1 (or less) disables retries.
	MaxAttempts int
	// MinDelay is the wait after the first failure, doubled after each
	// further one: 0 means [DefaultMinDelay].
	MinDelay time.Duration
	// MaxDelay caps every wait, Retry-After included: 0 means
	// [DefaultMaxDelay].
	MaxDelay time.Duration
}

// ErrMaybeApplied matches (with [errors.Is]) the error of a write whose
// request reached a server but whose answer does not tell whether the wiki
// applied it: a time-out or a dropped connection after the request was
// sent, an HTTP 5xx page, an answer cut short or not API JSON. The client
// does not retry such a write; check the wiki before sending it again. The
// error also wraps the failure itself ([*ResponseError], a transport or
// context error).
var ErrMaybeApplied = errors.New("mediawiki: the write may or may not have been applied")

// maybeAppliedError is the error of an ambiguous write.
type maybeAppliedError struct {
	action string
	what   string // what happened, e.g. "the request was sent but no answer came back (timeout)"
	err    error
}

func (e *maybeAppliedError) Error() string {
	cause := e.err.Error()
	cause = strings.TrimPrefix(cause, "mediawiki: action="+e.action+": ")
	cause = strings.TrimPrefix(cause, "mediawiki: ")
	return fmt.Sprintf("mediawiki: action=%s: %s: the %s may or may not have been applied; check before retrying (%s)",
		e.action, e.what, e.action, cause)
}

func (e *maybeAppliedError) Unwrap() []error { return []error{ErrMaybeApplied, e.err} }

// withDefaults returns p with its zero fields set to the defaults.
func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxAttempts == 0:
		p.MaxAttempts = DefaultMaxAttempts
	case p.MaxAttempts < 0:
		p.MaxAttempts = 1
	}
	if p.MinDelay <= 0 {
		p.MinDelay = DefaultMinDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxDelay < p.MinDelay {
		p.MaxDelay = p.MinDelay
	}
	return p
}

// delay returns the wait after the failed attempt n (1-based): asked, the
// server's wish, when positive, else exponential backoff with jitter; both
// capped at MaxDelay.
func (p RetryPolicy) delay(n int, asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, p.MaxDelay)
	}
	d := p.MinDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d += rand.N(d/2 + 1)
	return min(d, p.MaxDelay)
}

// outcome is what one attempt tells the retry logic besides its error.
type outcome struct {
	err error
	// sent reports that the request was completely written to the
	// connection (httptrace's WroteRequest without error): from then on a
	// server may act on it.
	sent bool
	// status is the answer's HTTP status; 0 when no answer came.
	status int
	// header is the answer's header, nil when no answer came.
	header http.Header
	// readErr reports that the answer's body could not be read in full.
	readErr bool
	// final marks errors never to retry (building the request failed, a
	// token could not be had after the token fetch's own retries).
	final bool
}

// verdict is the retry logic's decision about a failed attempt.
type verdict int

const (
	giveUp       verdict = iota // return the error as it is
	retry                       // safe to try again
	maybeApplied                // a write that may have been applied: ErrMaybeApplied
)

// decision is a verdict with its details.
type decision struct {
	verdict verdict
	// reason says why a retry is made, for the log.
	reason string
	// what says what happened to an ambiguous write, for its error.
	what string
	// wait is the wait the server asked for (Retry-After, maxlag's
	// default); 0 means backoff.
	wait time.Duration
}

// classify decides about a failed attempt of a request; write tells
// whether it is a write (see RetryPolicy). It implements the rules
// documented on RetryPolicy.
func classify(ctx context.Context, out outcome, write bool, now time.Time) decision {
	if out.final {
		return decision{verdict: giveUp}
	}
	asked := retryAfter(out.header, now)
	var apiErr *APIError
	if errors.As(out.err, &apiErr) {
		switch {
		case apiErr.HasCode("maxlag"):
			if asked <= 0 {
				asked = DefaultMaxLagWait
			}
			return decision{verdict: retry, reason: "maxlag", wait: asked}
		case apiErr.HasCode("ratelimited"):
			return decision{verdict: retry, reason: "ratelimited", wait: asked}
		case apiErr.HasCode("readonly"):
			return decision{verdict: retry, reason: "readonly", wait: asked}
		case out.status == http.StatusTooManyRequests:
			return decision{verdict: retry, reason: "HTTP 429", wait: asked}
		case !write && out.status >= 500:
			return decision{verdict: retry, reason: "HTTP " + strconv.Itoa(out.status), wait: asked}
		}
		// Any other API error is the wiki's final word.
		return decision{verdict: giveUp}
	}
	var final interface{ Retryable() bool }
	if errors.As(out.err, &final) && !final.Retryable() {
		// The transport (e.g. OAuth's, on clock skew or a failed
		// re-authorization) knows the wiki refused the request: its
		// error is the answer.
		return decision{verdict: giveUp}
	}
	if out.status == http.StatusTooManyRequests {
		// Refused in front of the wiki: nothing was done.
		return decision{verdict: retry, reason: "HTTP 429", wait: asked}
	}
	if isCertificateError(out.err) {
		return decision{verdict: giveUp}
	}
	if ctx.Err() != nil {
		if write && out.sent {
			return decision{verdict: maybeApplied, what: lostAnswer(out, ctx)}
		}
		return decision{verdict: giveUp}
	}
	if !out.sent && (out.status == 0 || out.status >= 500) {
		// The server did not get the whole request (a dial error, a
		// refused connection, or an early error answer): nothing can have
		// been applied.
		return decision{verdict: retry, reason: "request not sent: " + failure(out), wait: asked}
	}
	var respErr *ResponseError
	transient := out.status == 0 || out.readErr || out.status >= 500 ||
		(errors.As(out.err, &respErr) && respErr.Err != nil)
	switch {
	case !write && transient:
		return decision{verdict: retry, reason: failure(out), wait: asked}
	case !write:
		return decision{verdict: giveUp}
	case out.status >= 400 && out.status < 500:
		// A client error: refused, not applied.
		return decision{verdict: giveUp}
	}
	return decision{verdict: maybeApplied, what: lostAnswer(out, ctx)}
}

// failure names what went wrong with an attempt that has no API error, for
// the retry log.
func failure(out outcome) string {
	switch {
	case out.status == 0 && isTimeout(out.err):
		return "timeout"
	case out.status == 0:
		return "connection failed"
	case out.readErr:
		return "answer cut short"
	case out.status >= 300:
		return "HTTP " + strconv.Itoa(out.status)
	}
	return "invalid answer"
}

// lostAnswer says what happened to a write that was sent.
func lostAnswer(out outcome, ctx context.Context) string {
	status := func() string { return strconv.Itoa(out.status) + " " + http.StatusText(out.status) }
	var respErr *ResponseError
	switch {
	case out.status == 0 && errors.Is(ctx.Err(), context.Canceled):
		return "the request was sent but no answer came back (canceled)"
	case out.status == 0 && isTimeout(out.err):
		return "the request was sent but no answer came back (timeout)"
	case out.status == 0:
		return "the request was sent but the connection failed before an answer came back"
	case out.readErr:
		return "the request was sent but the answer (HTTP " + status() + ") was cut short"
	case errors.As(out.err, &respErr) && respErr.Err != nil:
		return "the request was sent but the answer (HTTP " + status() + ") is not valid API JSON (cut short?)"
	}
	return "the request was sent but the answer (HTTP " + status() + ") is not an API response"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func isCertificateError(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}

// retryAfter returns the wait a Retry-After header asks for (delay seconds
// or an HTTP date), or 0.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// retrying calls try until it succeeds or the policy says to stop: the
// request loop. action names the request in errors and logs; write tells
// whether it is a write (see RetryPolicy).
func (c *Client) retrying(ctx context.Context, action string, write bool, try func() (*Response, outcome)) (*Response, error) {
	pol := c.retry
	for attempt := 1; ; attempt++ {
		resp, out := try()
		if out.err == nil {
			return resp, nil
		}
		d := classify(ctx, out, write, time.Now())
		switch d.verdict {
		case giveUp:
			return nil, out.err
		case maybeApplied:
			c.log.WarnContext(ctx, "mediawiki: write may or may not have been applied; not retrying",
				"action", action, "attempt", attempt, "what", d.what)
			return nil, &maybeAppliedError{action: action, what: d.what, err: out.err}
		}
		if attempt >= pol.MaxAttempts {
			if attempt == 1 {
				return nil, out.err
			}
			return nil, fmt.Errorf("%w (gave up after %d attempts)", out.err, attempt)
		}
		wait := pol.delay(attempt, d.wait)
		c.log.InfoContext(ctx, "mediawiki: retrying", "action", action, "write", write,
			"attempt", attempt+1, "max_attempts", pol.MaxAttempts, "delay", wait, "reason", d.reason, "err", out.err)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("mediawiki: action=%s: not retrying: %w (last error: %w)", action, err, out.err)
		}
	}
}

// sleepCtx waits d, or less when ctx ends first. A wait that would end
// after ctx's deadline is not started.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("waiting %v would pass the context's deadline: %w", d, context.DeadlineExceeded)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
