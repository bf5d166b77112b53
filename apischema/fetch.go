package apischema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mwgen/mwgen/internal/version"
)

// FetchOptions tune Fetch. The zero value works for a public wiki.
type FetchOptions struct {
	// HTTPClient sends the requests. Pass a logged-in client (a cookie jar
	// after a bot-password login, an OAuth-signing transport) to read the
	// schema of a private wiki. Default: a client with a 60 s timeout.
	HTTPClient *http.Client
	// UserAgent names your tool and a contact, as Wikimedia's User-Agent
	// policy asks ("MyBot/1.0 (https://example.org/mybot; me@example.org)").
	// mwgen's own product token is appended.
	UserAgent string
	// HelpFormat asks for help text: "wikitext" (what mwgen turns into Go
	// doc comments), "html", "raw", or "" / "none" for none.
	HelpFormat string
	// MaxRetries bounds the retries after maxlag, 429 and 503 answers.
	// Default 5; negative means none.
	MaxRetries int
	// Progress, when set, is told about each step of a fetch.
	Progress func(FetchProgress)
}

// FetchProgress reports how far a Fetch has got.
type FetchProgress struct {
	// Step is a short description: "siteinfo", "paraminfo main|**",
	// "paraminfo batch 2", "retry after maxlag".
	Step string
	// Requests is the number of HTTP requests sent so far.
	Requests int
	// Modules is the number of modules read so far.
	Modules int
}

// Fetch reads the whole Action API schema of the wiki whose api.php is at
// api: siteinfo (MediaWiki version, server, name) and every module. It asks
// for all modules at once (modules=main|**), which takes two requests in all;
// on wikis that cannot answer that (old versions, result size limits) it
// walks the submodule tree in batches of 50 (500 with apihighlimits).
//
//	s, err := apischema.Fetch(ctx, "https://www.mediawiki.org/w/api.php", apischema.FetchOptions{
//		UserAgent:  "MyTool/1.0 (me@example.org)",
//		HelpFormat: "wikitext",
//	})
func Fetch(ctx context.Context, api string, opt FetchOptions) (*Schema, error) {
	f, err := newFetcher(api, opt)
	if err != nil {
		return nil, err
	}
	s, err := f.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch schema from %s: %w", api, err)
	}
	return s, nil
}

type fetcher struct {
	api      *url.URL
	opt      FetchOptions
	client   *http.Client
	requests int
	modules  int
}

func newFetcher(api string, opt FetchOptions) (*fetcher, error) {
	u, err := url.Parse(api)
	if err != nil {
		return nil, fmt.Errorf("fetch schema: bad API URL %q: %w", api, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetch schema: bad API URL %q: want an http(s) URL of the wiki's api.php, e.g. https://wiki.example.org/w/api.php", api)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("fetch schema: bad API URL %q: give the api.php URL without a query", api)
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 5
	}
	switch opt.HelpFormat {
	case "":
		opt.HelpFormat = "none"
	case "none", "wikitext", "html", "raw":
	default:
		return nil, fmt.Errorf("fetch schema: unknown help format %q: want none, wikitext, html or raw", opt.HelpFormat)
	}
	client := opt.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	return &fetcher{api: u, opt: opt, client: client}, nil
}

func (f *fetcher) progress(step string) {
	if f.opt.Progress != nil {
		f.opt.Progress(FetchProgress{Step: step, Requests: f.requests, Modules: f.modules})
	}
}

func (f *fetcher) fetch(ctx context.Context) (*Schema, error) {
	f.progress("siteinfo")
	var site []byte
	err := f.get(ctx, url.Values{
		"action": {"query"},
		"meta":   {"siteinfo|userinfo"},
		"siprop": {"general"},
		"uiprop": {"rights"},
	}, nil, func(body []byte) error { site = body; return nil })
	if err != nil {
		return nil, err
	}
	var info struct {
		Query struct {
			General struct {
				Generator string `json:"generator"`
			} `json:"general"`
			UserInfo struct {
				Rights []string `json:"rights"`
			} `json:"userinfo"`
		} `json:"query"`
	}
	if err := json.Unmarshal(site, &info); err != nil || !strings.HasPrefix(info.Query.General.Generator, "MediaWiki ") {
		return nil, fmt.Errorf("%s does not look like a MediaWiki api.php: meta=siteinfo gave no MediaWiki generator (%s)", f.api.Redacted(), excerpt(site))
	}
	b := &builder{schema: &Schema{FetchedAt: time.Now().UTC()}, seen: map[string]int{}}
	if err := b.add(site); err != nil {
		return nil, fmt.Errorf("siteinfo: %w", err)
	}
	b.schema.Wiki.API = f.api.String()

	f.progress("paraminfo main|**")
	err = f.paraminfo(ctx, b, []string{"main", "**"})
	if err == nil && f.complete(b.schema) {
		b.schema.HelpFormat = f.opt.HelpFormat
		return f.finish(b.schema)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == "readapidenied" {
		return nil, err
	}

	// The wiki could not list everything at once: walk the tree.
	batch := 50
	if slices.Contains(info.Query.UserInfo.Rights, "apihighlimits") {
		batch = 500
	}
	b = &builder{schema: &Schema{Wiki: b.schema.Wiki, FetchedAt: b.schema.FetchedAt}, seen: map[string]int{}}
	if err := f.walk(ctx, b, batch); err != nil {
		return nil, err
	}
	b.schema.HelpFormat = f.opt.HelpFormat
	return f.finish(b.schema)
}

func (f *fetcher) finish(s *Schema) (*Schema, error) {
	slices.SortStableFunc(s.Modules, func(a, b *Module) int { return strings.Compare(a.Path, b.Path) })
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// complete reports whether every submodule the schema refers to is in it.
func (f *fetcher) complete(s *Schema) bool {
	if s.Main() == nil {
		return false
	}
	return len(missingSubmodules(s)) == 0
}

func missingSubmodules(s *Schema) []string {
	have := map[string]bool{}
	for _, m := range s.Modules {
		have[m.Path] = true
	}
	var missing []string
	for _, m := range s.Modules {
		for _, p := range m.Parameters {
			for _, path := range sortedValues(p.Submodules) {
				if !have[path] && !slices.Contains(missing, path) {
					missing = append(missing, path)
				}
			}
		}
	}
	return missing
}

// walk fetches main, then every submodule it refers to, level by level.
func (f *fetcher) walk(ctx context.Context, b *builder, batch int) error {
	asked := map[string]bool{}
	for next := []string{"main"}; len(next) > 0; next = unasked(missingSubmodules(b.schema), asked) {
		// A module the wiki returned no paraminfo for stays out: its
		// selector value is dangling, which Schema.Dangling reports.
		for _, p := range next {
			asked[p] = true
		}
		for len(next) > 0 {
			n := min(batch, len(next))
			f.progress(fmt.Sprintf("paraminfo batch of %d modules", n))
			if err := f.paraminfo(ctx, b, next[:n]); err != nil {
				return err
			}
			f.modules = len(b.schema.Modules)
			next = next[n:]
		}
	}
	return nil
}

func unasked(paths []string, asked map[string]bool) []string {
	return slices.DeleteFunc(paths, func(p string) bool { return asked[p] })
}

// paraminfo asks for the paraminfo of modules and adds the answer to b,
// decoding it once (the decoder sees API errors itself).
func (f *fetcher) paraminfo(ctx context.Context, b *builder, modules []string) error {
	return f.get(ctx, url.Values{
		"action":     {"paraminfo"},
		"modules":    {strings.Join(modules, "|")},
		"helpformat": {f.opt.HelpFormat},
	}, func(body []byte) error { return b.add(body) }, nil)
}

// get sends one API request and hands its JSON body to decode (which
// reports an API error in it as an *APIError) or, when decode is nil, to
// use once it is known to hold no API error. It retries maxlag, 429 and
// 503 answers with the wiki's Retry-After.
func (f *fetcher) get(ctx context.Context, params url.Values, decode, use func([]byte) error) error {
	params.Set("format", "json")
	params.Set("formatversion", "2")
	params.Set("maxlag", "5")
	u := *f.api
	u.RawQuery = params.Encode()
	for attempt := 0; ; attempt++ {
		body, wait, retryable, err := f.once(ctx, u.String())
		retryAfter := time.Duration(-1)
		switch {
		case err != nil:
			if retryable {
				retryAfter = wait
			}
		case decode == nil:
			if err = checkAnswer(body); err == nil {
				err = use(body)
			}
		default:
			if err = decode(body); err != nil {
				// Say what is wrong as the check before decoding did:
				// bad JSON, an API error.
				if cerr := checkAnswer(body); cerr != nil {
					err = cerr
				}
			}
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Code == "maxlag" {
			retryAfter = max(wait, 0)
		}
		if err == nil || retryAfter < 0 || attempt >= f.opt.MaxRetries {
			return err
		}
		f.progress(fmt.Sprintf("retry in %s: %v", retryAfter, err))
		t := time.NewTimer(retryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting to retry after: %v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// maxBody bounds what one response may hold. The full paraminfo of a large
// wiki with help text is a few megabytes.
const maxBody = 256 << 20

// once sends one request and returns the body of a 200 answer with a JSON
// object, and the answer's Retry-After. retryable is set for the errors
// of 429 and 503 answers.
func (f *fetcher) once(ctx context.Context, u string) (body []byte, retryAfter time.Duration, retryable bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, -1, false, err
	}
	ua := version.UserAgent
	if f.opt.UserAgent != "" {
		ua = f.opt.UserAgent + " " + ua
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/json")
	f.requests++
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, -1, false, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, -1, false, fmt.Errorf("read response (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(body) > maxBody {
		return nil, -1, false, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	wait := retryAfterHeader(resp.Header.Get("Retry-After"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return nil, wait, true, fmt.Errorf("HTTP %d: %s", resp.StatusCode, excerpt(trimmed))
	case len(trimmed) == 0 || trimmed[0] != '{':
		return nil, -1, false, fmt.Errorf("%s does not look like a MediaWiki api.php: HTTP %d with a body that is not JSON (%s; Content-Type %q)",
			f.api.Redacted(), resp.StatusCode, excerpt(trimmed), resp.Header.Get("Content-Type"))
	case resp.StatusCode != http.StatusOK:
		return nil, -1, false, fmt.Errorf("HTTP %d: %s", resp.StatusCode, excerpt(trimmed))
	}
	return trimmed, wait, false, nil
}

// checkAnswer returns the API error an answer holds, or why it is not
// JSON.
func checkAnswer(body []byte) error {
	var e struct {
		Error *APIError `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("bad JSON from the wiki: %w", syntaxError(body, 0, err))
	}
	if e.Error != nil {
		return e.Error
	}
	return nil
}

// retryAfterHeader reads a Retry-After in seconds (MediaWiki sends seconds),
// defaulting to 5 s and capped at a minute.
func retryAfterHeader(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 5 * time.Second
	}
	return min(time.Duration(n)*time.Second, time.Minute)
}
