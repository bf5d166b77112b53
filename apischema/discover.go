package apischema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/mwgen/mwgen/internal/version"
)

// FoundAPI is where FindAPI found a wiki's api.php.
type FoundAPI struct {
	// API is the api.php URL.
	API string
	// How says how it was found: "given", "the page's EditURI link",
	// "probed".
	How string
}

// FindAPI turns any URL of a wiki a user may paste (the wiki's root,
// https://en.wikipedia.org; an article, .../wiki/Main_Page; an index.php
// URL; api.php itself) into the URL of its api.php, the way MediaWiki
// advertises it: the <link rel="EditURI" href=".../api.php?action=rsd">
// in every page's HTML. When the page has none, it tries /w/api.php and
// /api.php on the same host (and api.php beside an index.php), keeping the
// first that answers as MediaWiki's API. An api.php URL is returned as it
// is, without a request. The error names every URL tried and what each
// gave.
//
// It uses opt.HTTPClient and opt.UserAgent; ctx bounds all requests.
func FindAPI(ctx context.Context, raw string, opt FetchOptions) (FoundAPI, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return FoundAPI{}, fmt.Errorf("bad wiki URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return FoundAPI{}, fmt.Errorf("bad wiki URL %q: want an absolute http or https URL of the wiki (its api.php, or any page)", raw)
	}
	u.Fragment = ""
	if strings.HasSuffix(u.Path, "/api.php") || u.Path == "api.php" {
		u.RawQuery = ""
		return FoundAPI{API: u.String(), How: "given"}, nil
	}
	client := opt.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	d := &discoverer{client: client, ua: userAgent(opt.UserAgent)}

	var tried []string
	page, final, status, err := d.get(ctx, u.String())
	switch {
	case err != nil:
		tried = append(tried, fmt.Sprintf("%s: %v", u.Redacted(), err))
	default:
		if api, ok := editURI(page, final); ok {
			return FoundAPI{API: api, How: "the page's EditURI link"}, nil
		}
		tried = append(tried, fmt.Sprintf("%s: HTTP %d, no EditURI link in the page", u.Redacted(), status))
	}
	if ctx.Err() != nil {
		return FoundAPI{}, fmt.Errorf("no api.php found for %s: %w (tried %s)", u.Redacted(), ctx.Err(), strings.Join(tried, "; "))
	}
	for _, c := range candidates(u) {
		if err := d.probe(ctx, c); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", c, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		return FoundAPI{API: c, How: "probed"}, nil
	}
	return FoundAPI{}, fmt.Errorf("no MediaWiki api.php found for %s; tried %s. Give the api.php URL itself (Special:Version lists it as \"Entry point URLs\")",
		u.Redacted(), strings.Join(tried, "; "))
}

type discoverer struct {
	client *http.Client
	ua     string
}

func userAgent(ua string) string {
	if ua == "" {
		return version.UserAgent
	}
	return ua + " " + version.UserAgent
}

// maxPage bounds what is read of a page while looking for its EditURI
// link, which sits in the <head>.
const maxPage = 2 << 20

func (d *discoverer) get(ctx context.Context, u string) (body []byte, final *url.URL, status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	req.Header.Set("User-Agent", d.ua)
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, nil, 0, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if err != nil {
		return nil, nil, resp.StatusCode, err
	}
	return body, resp.Request.URL, resp.StatusCode, nil
}

// probe checks that api is MediaWiki's api.php: siteinfo names MediaWiki.
func (d *discoverer) probe(ctx context.Context, api string) error {
	body, _, status, err := d.get(ctx, api+"?action=query&meta=siteinfo&format=json&formatversion=2")
	if err != nil {
		return err
	}
	var info struct {
		Query struct {
			General struct {
				Generator string `json:"generator"`
			} `json:"general"`
		} `json:"query"`
		Error *APIError `json:"error"`
	}
	trimmed := bytes.TrimSpace(body)
	if json.Unmarshal(trimmed, &info) != nil {
		return fmt.Errorf("HTTP %d, not JSON (%s)", status, excerpt(trimmed))
	}
	if info.Error != nil && info.Error.Code == "readapidenied" {
		return nil // a private wiki's api.php: the fetch says what to do
	}
	if !strings.HasPrefix(info.Query.General.Generator, "MediaWiki ") {
		return fmt.Errorf("HTTP %d, JSON that is not MediaWiki's siteinfo (%s)", status, excerpt(trimmed))
	}
	return nil
}

// candidates are the usual places of api.php: beside an index.php, then
// /w/api.php and /api.php.
func candidates(u *url.URL) []string {
	base := url.URL{Scheme: u.Scheme, Host: u.Host, User: u.User}
	var out []string
	add := func(path string) {
		c := base
		c.Path = path
		s := c.String()
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if dir, ok := strings.CutSuffix(u.Path, "index.php"); ok {
		add(dir + "api.php")
	}
	add("/w/api.php")
	add("/api.php")
	return out
}

var (
	linkTag   = regexp.MustCompile(`(?is)<link\b[^>]*>`)
	relEdit   = regexp.MustCompile(`(?i)\brel\s*=\s*["']?EditURI["'\s/>]`)
	hrefValue = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
)

// editURI finds <link rel="EditURI" href="//host/w/api.php?action=rsd">
// in a page and returns the api.php URL it points to, resolved against the
// page's URL, without its query.
func editURI(page []byte, base *url.URL) (string, bool) {
	for _, tag := range linkTag.FindAll(page, -1) {
		if !relEdit.Match(tag) {
			continue
		}
		m := hrefValue.FindSubmatch(tag)
		if m == nil {
			continue
		}
		href := string(bytes.Join(m[1:], nil))
		href = strings.ReplaceAll(href, "&amp;", "&")
		ref, err := url.Parse(href)
		if err != nil {
			continue
		}
		api := base.ResolveReference(ref)
		api.RawQuery, api.Fragment = "", ""
		if api.Scheme != "http" && api.Scheme != "https" {
			continue
		}
		return api.String(), true
	}
	return "", false
}
