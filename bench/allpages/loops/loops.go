// Package loops holds the loops the allpages benchmarks time: the same
// enumeration of pages done through mwgen's generated client and through a
// minimal loop on raw net/http + encoding/json, for a list
// (list=allpages&aplimit=max) and for a generator with a prop
// (generator=allpages&gaplimit=max&prop=revisions). bench/allpages.sh runs
// them as programs (../main.go), generated/bench_test.go as Go benchmarks.
//
// The comparison is kept fair: both sides use an http.Client with a cookie
// jar (what runtime.NewClient makes), send the same parameters (format=json,
// formatversion=2, errorformat=plaintext, maxlag=5) and the same Accept
// header, decode into structs with the same fields, and follow "continue".
package loops

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
)

// UserAgent is the User-Agent of both sides (the runtime appends its own
// product token).
const UserAgent = "mwgen-bench/1 (https://github.com/mwgen/mwgen)"

// Mode is what a loop enumerates.
type Mode string

// The modes.
const (
	// List is list=allpages&aplimit=max: 500 titles a request.
	List Mode = "list"
	// Revisions is generator=allpages&gaplimit=max&prop=revisions with
	// rvprop=ids|timestamp|size|user|comment: 500 pages a request, each
	// with its latest revision.
	Revisions Mode = "revisions"
)

// Loop enumerates the pages whose titles start with a prefix and returns
// how many it saw (pages with a title, or with one revision of size > 0).
type Loop func(ctx context.Context, prefix string) (int, error)

// NewHTTPClient returns the http.Client of both sides: what
// runtime.NewClient makes when Options.HTTPClient is nil.
func NewHTTPClient() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err) // cookiejar.New(nil) never fails
	}
	return &http.Client{Jar: jar}
}

// Generated returns the loop of mode through the generated client.
func Generated(api string, mode Mode) (Loop, error) {
	return GeneratedWith(api, mode, NewHTTPClient())
}

// GeneratedWith is Generated with the given http.Client.
func GeneratedWith(api string, mode Mode, hc *http.Client) (Loop, error) {
	rt, err := runtime.NewClient(api, runtime.Options{UserAgent: UserAgent, HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	c := generated.New(rt)
	switch mode {
	case List:
		return func(ctx context.Context, prefix string) (int, error) {
			return ListGenerated(ctx, c, prefix)
		}, nil
	case Revisions:
		return func(ctx context.Context, prefix string) (int, error) {
			return RevisionsGenerated(ctx, c, prefix)
		}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// ListGenerated counts the pages whose titles start with prefix, through
// QueryAll with list=allpages.
func ListGenerated(ctx context.Context, c *generated.Client, prefix string) (int, error) {
	n := 0
	for res, err := range c.QueryAll(ctx, &generated.QueryParams{
		List: generated.QueryLists{Allpages: &generated.QueryAllpagesParams{Prefix: prefix, Limit: runtime.Max}},
	}) {
		if err != nil {
			return n, err
		}
		for _, p := range res.Allpages {
			if p.Title != "" {
				n++
			}
		}
	}
	return n, nil
}

// RevisionsGenerated counts the pages whose titles start with prefix and
// whose latest revision has a size, through QueryAll with
// generator=allpages and prop=revisions.
func RevisionsGenerated(ctx context.Context, c *generated.Client, prefix string) (int, error) {
	n := 0
	for res, err := range c.QueryAll(ctx, &generated.QueryParams{
		Prop: generated.QueryProps{Revisions: &generated.QueryRevisionsParams{
			Prop: []generated.QueryRevisionsProp{generated.QueryRevisionsPropIDs, generated.QueryRevisionsPropTimestamp,
				generated.QueryRevisionsPropSize, generated.QueryRevisionsPropUser, generated.QueryRevisionsPropComment},
		}},
		PageSet: generated.PageSet{Generator: generated.Generator{Allpages: &generated.QueryAllpagesParams{Prefix: prefix, Limit: runtime.Max}}},
	}) {
		if err != nil {
			return n, err
		}
		for _, p := range res.Pages {
			if p.QueryRevisionsPage != nil && len(p.Revisions) == 1 && p.Revisions[0].Size > 0 {
				n++
			}
		}
	}
	return n, nil
}
