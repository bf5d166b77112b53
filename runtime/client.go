package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mwgen/mwgen/internal/version"
)

// Request is one API call as generated code describes it. Do does not
// modify it.
type Request struct {
	// Action is the module to call, e.g. "query" or "edit".
	Action string
	// Params are the module's parameters (without action, format,
	// formatversion, errorformat, which the client sets). nil means none.
	Params *Params
	// Post forces a POST, for modules flagged mustbeposted. Requests with a
	// token, a file or a sensitive parameter, and requests whose URL would
	// be too long, are POSTed anyway.
	Post bool
	// TokenType, when not empty, is the type of token the module needs
	// (paraminfo's tokentype, e.g. "csrf", "login", "rollback"). The client
	// fetches it with meta=tokens (cached per type) and sends it in the
	// POST body as TokenParam. On a badtoken error it fetches a fresh token
	// and retries once.
	TokenType string
	// TokenParam is the name of the token parameter; empty means "token".
	// action=login, for instance, takes "lgtoken".
	TokenParam string
	// Needs, set by packages generated for several MediaWiki versions,
	// are the request's elements that only some versions have: the
	// client learns the wiki's version first and refuses, before sending,
	// what it lacks (see [VersionError]).
	Needs *Needs
}

// Options configure a [Client]. The zero Options are usable, but set
// UserAgent for anything beyond tests.
type Options struct {
	// HTTPClient sends the requests. nil means a new http.Client with a
	// cookie jar (so that logins last) and no timeout: bound each call by
	// its context.
	HTTPClient *http.Client
	// UserAgent identifies your tool and how to reach you, e.g.
	// "MyBot/1.2 (https://example.org/mybot; me@example.org)", as
	// Wikimedia's User-Agent policy requires. mwgen's own product token is
	// appended. When empty, NewClient logs a warning to Logger.
	UserAgent string
	// MaxLag is sent as the maxlag parameter, in seconds, so that the wiki
	// refuses work while its replicas lag (answering [ErrMaxLag]). 0 means
	// the default 5, a negative value disables it. A request's own maxlag
	// parameter takes precedence.
	MaxLag int
	// Logger receives debug logs of every request (sensitive parameters
	// redacted) and warnings. nil discards them.
	Logger *slog.Logger
	// AssertUser sends assert=user with every request except logins and
	// login tokens, so that a lost session fails with [ErrAssertFailed]
	// instead of silently acting as an anonymous user. A request's own
	// assert parameter takes precedence.
	AssertUser bool
	// Drift says what typed answers do with what their types do not
	// describe: unknown keys, and fields they require that are absent. The
	// zero value ignores it (unknown keys stay in the raw body only); see
	// [DriftMode].
	Drift DriftMode
	// Retry bounds how failed requests are retried. The zero value means
	// the defaults; RetryPolicy{MaxAttempts: 1} disables retries. What is
	// retried, and what never is, is at [RetryPolicy].
	Retry RetryPolicy
}

// DefaultMaxLag is the maxlag sent when Options.MaxLag is 0.
const DefaultMaxLag = 5

// maxGETURL is the URL length above which a request is POSTed instead:
// some servers and proxies refuse longer URLs.
const maxGETURL = 2000

// Client sends requests to one wiki's api.php. It is safe for concurrent
// use. The session (cookies) is the HTTPClient's; cached tokens belong to
// it, so log in with one Client per account.
type Client struct {
	api        string
	hc         *http.Client
	userAgent  string
	maxLag     int
	log        *slog.Logger
	assertUser bool
	drift      DriftMode
	// session is the state of Login and Logout (login.go).
	session session

	tokenMu sync.Mutex
	tokens  map[string]string // type -> token
	// tokenSem serializes token fetches, so that concurrent callers wait for
	// one fetch instead of all fetching; it is a channel to honor contexts.
	tokenSem chan struct{}

	warnedMu sync.Mutex
	warned   map[string]bool // "module\x00code" of warnings already logged

	// mwVersion is the wiki's MediaWiki version, learnt once (versions.go).
	mwVersion versionCache

	// retry is Options.Retry with defaults; sleep waits between attempts
	// (sleepCtx; tests replace it to record the waits).
	retry RetryPolicy
	sleep func(ctx context.Context, d time.Duration) error

	// bodyHint is the length of the last answer of unknown length, the
	// size the next one is read into (readBody).
	bodyHint atomic.Int64
}

// NewClient returns a Client for the api.php at api, e.g.
// "https://en.wikipedia.org/w/api.php". The URL must be absolute http or
// https, without query or fragment.
//
//	c, err := mw.NewClient("https://test.wikipedia.org/w/api.php", mw.Options{
//		UserAgent:  "MyBot/1.0 (https://example.org/mybot; me@example.org)",
//		AssertUser: true,
//	})
func NewClient(api string, opts Options) (*Client, error) {
	u, err := url.Parse(api)
	if err != nil {
		return nil, fmt.Errorf("mediawiki: API URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mediawiki: API URL %q: want an absolute http or https URL of api.php", api)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("mediawiki: API URL %q: must not have a query or fragment", api)
	}
	if strings.ContainsAny(opts.UserAgent, "\r\n") {
		return nil, errors.New("mediawiki: UserAgent contains a line break")
	}
	c := &Client{
		api:        u.String(),
		hc:         opts.HTTPClient,
		maxLag:     opts.MaxLag,
		log:        opts.Logger,
		assertUser: opts.AssertUser,
		drift:      opts.Drift,
		tokens:     make(map[string]string),
		tokenSem:   make(chan struct{}, 1),
		warned:     make(map[string]bool),
		retry:      opts.Retry.withDefaults(),
		sleep:      sleepCtx,
	}
	if c.hc == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, err
		}
		c.hc = &http.Client{Jar: jar}
	}
	if c.maxLag == 0 {
		c.maxLag = DefaultMaxLag
	}
	if c.log == nil {
		c.log = slog.New(discardHandler{})
	}
	c.userAgent = version.UserAgent
	if ua := strings.TrimSpace(opts.UserAgent); ua != "" {
		c.userAgent = ua + " " + version.UserAgent
	} else {
		c.log.Warn("mediawiki: no Options.UserAgent; Wikimedia's User-Agent policy asks for your tool's name and a contact, and may block requests without",
			"api", c.api)
	}
	return c, nil
}

// API returns the api.php URL the client talks to.
func (c *Client) API() string { return c.api }

// Do sends r and returns the decoded answer, or an error: an [*APIError]
// for an error answer, a [*ResponseError] for an answer that is not API
// JSON, or a wrapped transport or context error.
//
// Failed attempts are retried as Options.Retry allows, by the rules at
// [RetryPolicy]; a write whose answer was lost is not, and its error
// matches [ErrMaybeApplied]: check the wiki before sending it again.
//
// The request is a GET unless it must be POSTed (see [Request.Post]); POST
// bodies are application/x-www-form-urlencoded, or multipart/form-data when
// a [File] is present. Every request carries format=json, formatversion=2,
// errorformat=plaintext, and, as configured, maxlag and assert=user.
//
//	p := new(mw.Params)
//	p.Text("title", "Sandbox")
//	p.OptText("text", mw.Set("Hello"))
//	resp, err := c.Do(ctx, &mw.Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
//	if errors.Is(err, mw.ErrPermissionDenied) { ... }
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	return c.doRequest(ctx, r, nil)
}

// doRequest is Do, decoding a typed answer into dst when it is not nil.
func (c *Client) doRequest(ctx context.Context, r *Request, dst Answer) (*Response, error) {
	if r == nil || r.Action == "" {
		return nil, errors.New("mediawiki: request without action")
	}
	if err := c.checkNeeds(ctx, r.Action, r.Needs); err != nil {
		return nil, err
	}
	p := c.wireParams(r.Action, r.Params, c.wantsAssert(r))
	files, err := readFiles(p)
	if err != nil {
		return nil, fmt.Errorf("mediawiki: action=%s: %w", r.Action, err)
	}
	// A write changes the wiki: a token, mustbeposted (Post), or a file.
	// A read POSTed only for its URL length or a sensitive parameter is
	// not one.
	write := r.TokenType != "" || r.Post || p.HasFiles()
	resp, err := c.do(ctx, r, p, files, write, dst)
	if err == nil && (r.TokenType == "login" || sessionChanging[r.Action]) {
		c.ClearTokens()
	}
	return resp, err
}

// do sends the complete parameters p of r, with a token if r needs one,
// retrying as c.retry allows; write tells whether r is a write.
func (c *Client) do(ctx context.Context, r *Request, p *Params, files map[string][]byte, write bool, dst Answer) (*Response, error) {
	if r.TokenType == "" {
		return c.retrying(ctx, r.Action, write, func() (*Response, outcome) {
			return c.send(ctx, r.Action, p, files, r.Post, dst)
		})
	}
	tokenParam := r.TokenParam
	if tokenParam == "" {
		tokenParam = "token"
	}
	p.Sensitive(tokenParam)
	refetched := false
	return c.retrying(ctx, r.Action, write, func() (*Response, outcome) {
		for {
			// The token fetch is a read with its own retries.
			token, err := c.token(ctx, r.TokenType)
			if err != nil {
				return nil, outcome{final: true,
					err: fmt.Errorf("mediawiki: action=%s: getting a %s token: %w", r.Action, r.TokenType, err)}
			}
			p.Set(tokenParam, token)
			// Tokens go in a POST body.
			resp, out := c.send(ctx, r.Action, p, files, true, dst)
			if !refetched && errors.Is(out.err, ErrBadToken) {
				// Expired session or token, refused before the module
				// ran: drop it and send again with a fresh one, once.
				refetched = true
				c.log.DebugContext(ctx, "mediawiki: bad token, refetching", "action", r.Action, "type", r.TokenType)
				c.dropToken(r.TokenType, token)
				continue
			}
			return resp, out
		}
	})
}

// sessionChanging are the actions after which cached tokens are stale.
var sessionChanging = map[string]bool{"login": true, "clientlogin": true, "logout": true}

// reserved are the parameters the client always sets itself.
var reserved = map[string]bool{"action": true, "format": true, "formatversion": true, "errorformat": true}

// wireParams returns the complete parameters of a request: action first,
// then the caller's, then the client's.
func (c *Client) wireParams(action string, params *Params, assert bool) *Params {
	p := &Params{entries: make([]entry, 0, params.Len()+6)}
	p.Set("action", action)
	if params != nil {
		for _, e := range params.entries {
			if !reserved[e.name] {
				p.put(e)
			}
		}
		for name := range params.sensitive {
			p.Sensitive(name)
		}
	}
	p.Set("format", "json")
	p.Set("formatversion", "2")
	p.Set("errorformat", "plaintext")
	if c.maxLag > 0 && !p.Has("maxlag") {
		p.Set("maxlag", strconv.Itoa(c.maxLag))
	}
	if assert && !p.Has("assert") {
		p.Set("assert", "user")
	}
	return p
}

func (c *Client) wantsAssert(r *Request) bool {
	return c.asserting() && r.TokenType != "login" && r.TokenType != "createaccount" &&
		r.Action != "login" && r.Action != "clientlogin" && r.Action != "createaccount"
}

// readFiles reads the content of every file parameter once, so that a
// retry can send it again.
func readFiles(p *Params) (map[string][]byte, error) {
	var files map[string][]byte
	for name, f := range p.Files() {
		if f.Content == nil {
			return nil, fmt.Errorf("file parameter %s: no content", name)
		}
		data, err := io.ReadAll(f.Content)
		if err != nil {
			return nil, fmt.Errorf("reading file parameter %s: %w", name, err)
		}
		if files == nil {
			files = make(map[string][]byte)
		}
		files[name] = data
	}
	return files, nil
}

// send sends the complete parameters p once and decodes the answer. The
// outcome tells the retry logic whether the request was sent and what
// came back.
func (c *Client) send(ctx context.Context, action string, p *Params, files map[string][]byte, post bool, dst Answer) (*Response, outcome) {
	// Whether the request was written in full tells a write that failed
	// before (safe to send again) from one that failed after (the wiki may
	// have applied it). The hook runs before the transport's last flush,
	// so a false "sent" is possible, a false "not sent" is not. The
	// request is made with it (req.WithContext would copy the request).
	var wrote atomic.Bool
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	form := p.Form()
	multi := p.HasFiles()
	post = post || multi || p.hasSensitive() || len(c.api)+1+len(form) > maxGETURL
	var req *http.Request
	var err error
	switch {
	case multi:
		var body *bytes.Buffer
		var contentType string
		body, contentType, err = multipartBody(p, files)
		if err != nil {
			return nil, outcome{final: true, err: fmt.Errorf("mediawiki: action=%s: %w", action, err)}
		}
		req, err = http.NewRequestWithContext(tctx, http.MethodPost, c.api, body)
		if err == nil {
			req.Header.Set("Content-Type", contentType)
		}
	case post:
		req, err = http.NewRequestWithContext(tctx, http.MethodPost, c.api, strings.NewReader(form))
		if err == nil {
			// No charset: MediaWiki expects the bare media type.
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		req, err = http.NewRequestWithContext(tctx, http.MethodGet, c.api+"?"+form, nil)
	}
	if err != nil {
		return nil, outcome{final: true, err: fmt.Errorf("mediawiki: action=%s: %w", action, err)}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.log.DebugContext(ctx, "mediawiki request failed", "method", req.Method, "params", p, "err", err)
		if req.Method == http.MethodPost {
			err = fmt.Errorf("mediawiki: action=%s: %w", action, err)
		} else {
			// The error names the URL, which holds no sensitive parameter:
			// those force a POST.
			err = fmt.Errorf("mediawiki: %w", err)
		}
		return nil, outcome{err: err, sent: wrote.Load()}
	}
	defer resp.Body.Close()
	body, err := c.readBody(resp)
	c.log.DebugContext(ctx, "mediawiki request", "method", req.Method, "params", p,
		"status", resp.StatusCode, "bytes", len(body), "duration", time.Since(start))
	out := outcome{sent: wrote.Load(), status: resp.StatusCode, header: resp.Header}
	if err != nil {
		out.err = fmt.Errorf("mediawiki: action=%s: reading the answer (HTTP %s): %w", action, statusText(resp), err)
		out.readErr = true
		return nil, out
	}
	var r *Response
	if dst != nil {
		r, err = decodeTyped(action, resp, body, dst)
		if err == nil {
			err = c.checkDrift(ctx, action, body, dst)
		}
	} else {
		r, err = decodeAnswer(action, resp, body)
	}
	if err != nil {
		out.err = err
		// Drift is in the answer, and the same again when sent again.
		var drift *DriftError
		out.final = errors.As(err, &drift)
		return nil, out
	}
	c.logWarnings(ctx, r.Warnings)
	return r, out
}

// Answers of unknown length are read into a buffer of the last one's
// length, and a little more (minBody at least), which becomes the
// answer's own: in a continuation, whose answers are of about one size,
// a body is read without being grown or copied, and no buffer outlives its
// answer (a scratch buffer kept for the next answer was live heap, and the
// collector ran more often). A body that leaves more than maxSlack of its
// buffer unused (a small answer after a big one) is copied to its length,
// so that an answer keeps little more than its bytes.
const (
	minBody  = 16 << 10
	maxSlack = 4 << 10
	// maxPresize bounds what a Content-Length can make us allocate
	// before the bytes arrive.
	maxPresize = 4 << 20
)

// readBody reads the whole body of resp into a slice the answer keeps
// (Raw): allocated once when the length is known, else sized by the last
// answer of unknown length (see minBody).
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= maxPresize {
		// One byte more, to see the end without growing.
		return readInto(resp.Body, make([]byte, 0, n+1))
	}
	hint := c.bodyHint.Load()
	buf, err := readInto(resp.Body, make([]byte, 0, max(minBody, hint+hint/16+maxSlack/2)))
	if err != nil {
		return buf, err
	}
	c.bodyHint.Store(int64(len(buf)))
	if cap(buf)-len(buf) > maxSlack+len(buf)/8 {
		buf = bytes.Clone(buf)
	}
	return buf, nil
}

// readInto appends r's bytes to buf until io.EOF, like io.ReadAll.
func readInto(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// multipartBody encodes p as multipart/form-data, files from their read
// content.
func multipartBody(p *Params, files map[string][]byte) (*bytes.Buffer, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, e := range p.entries {
		if e.file == nil {
			if err := w.WriteField(e.name, e.value); err != nil {
				return nil, "", err
			}
			continue
		}
		part, err := w.CreateFormFile(e.name, e.file.Name)
		if err != nil {
			return nil, "", err
		}
		if _, err := part.Write(files[e.name]); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}

// logWarnings logs each distinct warning (by module and code) once per
// client at level Warn.
func (c *Client) logWarnings(ctx context.Context, ws []Warning) {
	for _, w := range ws {
		key := w.Module + "\x00" + w.Code
		c.warnedMu.Lock()
		seen := c.warned[key]
		c.warned[key] = true
		c.warnedMu.Unlock()
		if !seen {
			c.log.WarnContext(ctx, "mediawiki API warning", "module", w.Module, "code", w.Code, "text", w.Text)
		}
	}
}

// token returns a token of the given type, from the cache or fetched.
func (c *Client) token(ctx context.Context, typ string) (string, error) {
	if t, ok := c.cachedToken(typ); ok {
		return t, nil
	}
	select {
	case c.tokenSem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.tokenSem }()
	if t, ok := c.cachedToken(typ); ok {
		return t, nil // fetched meanwhile
	}
	t, err := c.fetchToken(ctx, typ)
	if err != nil {
		return "", err
	}
	if typ != "login" { // login tokens serve one login
		c.tokenMu.Lock()
		c.tokens[typ] = t
		c.tokenMu.Unlock()
	}
	return t, nil
}

func (c *Client) cachedToken(typ string) (string, bool) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	t, ok := c.tokens[typ]
	return t, ok
}

// dropToken forgets the cached token of typ if it still is t.
func (c *Client) dropToken(typ, t string) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.tokens[typ] == t {
		delete(c.tokens, typ)
	}
}

// ClearTokens forgets all cached tokens, e.g. after the session changed.
// The client does this itself after login, clientlogin and logout.
func (c *Client) ClearTokens() {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	clear(c.tokens)
}

// fetchToken asks the wiki for a token: action=query&meta=tokens&type=typ.
func (c *Client) fetchToken(ctx context.Context, typ string) (string, error) {
	q := new(Params)
	q.Set("meta", "tokens")
	q.Set("type", typ)
	assert := c.asserting() && typ != "login" && typ != "createaccount"
	p := c.wireParams("query", q, assert)
	resp, err := c.retrying(ctx, "query", false, func() (*Response, outcome) {
		return c.send(ctx, "query", p, nil, false, nil)
	})
	if err != nil {
		return "", err
	}
	var out struct {
		Query struct {
			Tokens map[string]string `json:"tokens"`
		} `json:"query"`
	}
	if err := json.Unmarshal(resp.Raw, &out); err != nil {
		return "", fmt.Errorf("decoding meta=tokens: %w", err)
	}
	t := out.Query.Tokens[typ+"token"]
	if t == "" {
		return "", fmt.Errorf("meta=tokens answered no %stoken (warnings: %v)", typ, resp.Warnings)
	}
	return t, nil
}

// discardHandler is a slog.Handler that drops everything (slog has one
// only from Go 1.24 on).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (h discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h discardHandler) WithGroup(string) slog.Handler           { return h }
