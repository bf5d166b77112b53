// Package shapeprobe learns what a MediaWiki wiki's API modules answer: it
// seeds a test wiki with the page states rare fields need, sends every
// module every prop value alone and together (as a list, as a generator,
// with continuation), reads each answer's structure from mwgen's trace hook
// (internal/testwiki/mwgen-trace.php), and merges the samples into
// apischema.Shapes.
//
// It talks HTTP to the wiki and nothing else; the generator reads only the
// shapes file it produces. It refuses a wiki without the trace hook, so it
// never probes a production wiki.
package shapeprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// TraceHeader is the request header that asks the trace hook for a trace.
const TraceHeader = "X-Mwgen-Trace"

// traceVersion is the trace format the hook writes (MWGEN_TRACE_VERSION).
const traceVersion = 1

// ErrNoHook is returned by CheckHook when the wiki answers without a trace.
var ErrNoHook = errors.New("the wiki has no mwgen trace hook")

// Client talks to one wiki's api.php, asking for traces. It keeps a session
// (cookies) so it can log in.
type Client struct {
	api  string
	http *http.Client
	ua   string
	// answered, when set, gets every answer a planned request takes (see
	// Options.Answered).
	answered func(r Request, step int, a *Answer)
}

// NewClient returns a client for the api.php URL.
func NewClient(api string) (*Client, error) {
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad API URL %q: want http(s)://host/.../api.php", api)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &Client{
		api:  api,
		http: &http.Client{Jar: jar, Timeout: 2 * time.Minute},
		ua:   "mwgen-shapeprobe/1 (https://github.com/mwgen/mwgen)",
	}, nil
}

// Answer is one API answer.
type Answer struct {
	// Body is the JSON body as sent.
	Body []byte
	// ErrorCode is the API error code (MediaWiki-API-Error), or "".
	ErrorCode string
	// Trace is the hook's trace, nil when the answer carries none (errors
	// carry none: the hook runs only after a module succeeded).
	Trace json.RawMessage
}

// Get sends a GET request with params (format=json, formatversion=2 added).
func (c *Client) Get(ctx context.Context, params url.Values) (*Answer, error) {
	q := withFormat(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, "GET "+describe(params), false)
}

// getRaw is Get for answers that are not JSON (exports).
func (c *Client) getRaw(ctx context.Context, params url.Values) ([]byte, error) {
	q := withFormat(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	a, err := c.do(req, "GET "+describe(params), true)
	if err != nil {
		return nil, err
	}
	return a.Body, nil
}

// Post sends a form POST with params.
func (c *Client) Post(ctx context.Context, params url.Values) (*Answer, error) {
	q := withFormat(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api, strings.NewReader(q.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, "POST "+describe(params), false)
}

// PostFile sends a multipart POST with params and one file field.
func (c *Client) PostFile(ctx context.Context, params url.Values, field, filename string, data []byte) (*Answer, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range withFormat(params) {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				return nil, err
			}
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(data); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api, &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req, "POST "+describe(params), false)
}

func withFormat(params url.Values) url.Values {
	q := url.Values{}
	for k, v := range params {
		q[k] = append([]string(nil), v...)
	}
	q.Set("format", "json")
	q.Set("formatversion", "2")
	// The format mwgen's runtime asks for: messages in answers (a login's
	// reason, an invalid title's invalidreason) are {code, text} objects
	// with it, strings without.
	q.Set("errorformat", "plaintext")
	return q
}

// describe names a request in errors without its secrets.
func describe(params url.Values) string {
	s := "action=" + params.Get("action")
	for _, k := range []string{"list", "prop", "meta", "generator"} {
		if v := params.Get(k); v != "" {
			s += "&" + k + "=" + v
		}
	}
	return s
}

func (c *Client) do(req *http.Request, what string, raw bool) (*Answer, error) {
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set(TraceHeader, "1")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", what, err)
	}
	a := &Answer{Body: body, ErrorCode: resp.Header.Get("MediaWiki-API-Error")}
	if resp.StatusCode != http.StatusOK {
		// Some modules answer their errors with a 4xx status.
		var e struct {
			Errors []struct {
				Code string `json:"code"`
			} `json:"errors"`
		}
		if resp.StatusCode < 500 && json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 && e.Errors[0].Code != "" {
			a.ErrorCode = e.Errors[0].Code
			return a, nil
		}
		return nil, fmt.Errorf("%s: HTTP %s: %s", what, resp.Status, excerpt(body))
	}
	if raw {
		return a, nil
	}
	var top struct {
		Trace  *string `json:"mwgentrace"`
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '{' && json.Valid(t) {
		// JSON, but not ApiResult's object (OpenSearch's array): no trace.
		return a, nil
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("%s: the answer is not JSON (%v): %s", what, err, excerpt(body))
	}
	if a.ErrorCode == "" && len(top.Errors) > 0 {
		a.ErrorCode = top.Errors[0].Code
	}
	if top.Trace != nil {
		raw := json.RawMessage(*top.Trace)
		var head struct {
			V    int             `json:"v"`
			Root json.RawMessage `json:"root"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("%s: the trace is truncated or not JSON: %v", what, err)
		}
		if head.V != traceVersion {
			return nil, fmt.Errorf("%s: trace format %d, this mwgen reads %d: update mwgen-trace.php or mwgen", what, head.V, traceVersion)
		}
		if _, err := ParseTrace(head.Root); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		a.Trace = head.Root
	}
	return a, nil
}

// CheckHook makes sure the wiki has the trace hook: a siteinfo query must
// come back with a trace. Without it the probe must not run.
func (c *Client) CheckHook(ctx context.Context) error {
	a, err := c.Get(ctx, url.Values{"action": {"query"}, "meta": {"siteinfo"}})
	if err != nil {
		return err
	}
	if a.Trace == nil {
		return fmt.Errorf("%w: %s answered without the trace the hook adds.\n"+
			"mwgen probes only wikis you control that have internal/testwiki/mwgen-trace.php installed\n"+
			"(copy it next to LocalSettings.php and add: require_once __DIR__ . '/mwgen-trace.php';).\n"+
			"Never install it on a production wiki", ErrNoHook, c.api)
	}
	return nil
}

// Login logs in: a bot password ("User@app") with action=login, a main
// password with action=clientlogin (which keeps every right of the user;
// bot passwords carry only their grants).
func (c *Client) Login(ctx context.Context, user, password string) error {
	if !strings.Contains(user, "@") {
		return c.clientLogin(ctx, user, password)
	}
	tok, err := c.Token(ctx, "login")
	if err != nil {
		return err
	}
	a, err := c.Post(ctx, url.Values{"action": {"login"}, "lgname": {user}, "lgpassword": {password}, "lgtoken": {tok}})
	if err != nil {
		return err
	}
	var r struct {
		Login struct {
			Result string `json:"result"`
			Reason struct {
				Text string `json:"text"`
			} `json:"reason"`
		} `json:"login"`
	}
	if err := json.Unmarshal(a.Body, &r); err != nil || r.Login.Result != "Success" {
		return fmt.Errorf("login as %q failed: %s %s", user, r.Login.Result, r.Login.Reason.Text)
	}
	return nil
}

func (c *Client) clientLogin(ctx context.Context, user, password string) error {
	tok, err := c.Token(ctx, "login")
	if err != nil {
		return err
	}
	a, err := c.Post(ctx, url.Values{"action": {"clientlogin"}, "username": {user}, "password": {password},
		"loginreturnurl": {"http://127.0.0.1/"}, "logintoken": {tok}})
	if err != nil {
		return err
	}
	var r struct {
		ClientLogin struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"clientlogin"`
	}
	if err := json.Unmarshal(a.Body, &r); err != nil || r.ClientLogin.Status != "PASS" {
		return fmt.Errorf("login as %q failed: %s %s", user, r.ClientLogin.Status, r.ClientLogin.Message)
	}
	return nil
}

// Token returns a token of the type ("csrf", "watch", "rollback"...).
func (c *Client) Token(ctx context.Context, typ string) (string, error) {
	a, err := c.Get(ctx, url.Values{"action": {"query"}, "meta": {"tokens"}, "type": {typ}})
	if err != nil {
		return "", err
	}
	return token(a.Body, typ+"token")
}

func token(body []byte, name string) (string, error) {
	var r struct {
		Query struct {
			Tokens map[string]string `json:"tokens"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Query.Tokens[name] == "" {
		return "", fmt.Errorf("no %s in the answer: %s", name, excerpt(body))
	}
	return r.Query.Tokens[name], nil
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// view GETs a page of the wiki's index.php (which runs queued jobs) and
// discards it.
func (c *Client) view(ctx context.Context, pageURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
