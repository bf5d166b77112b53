package loops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/mwgen/mwgen/generated"
)

// Raw returns the loop of mode on raw net/http and encoding/json.
func Raw(api string, mode Mode) (Loop, error) {
	return RawWith(api, mode, NewHTTPClient())
}

// RawWith is Raw with the given http.Client.
func RawWith(api string, mode Mode, hc *http.Client) (Loop, error) {
	switch mode {
	case List:
		return func(ctx context.Context, prefix string) (int, error) {
			return ListRaw(ctx, hc, api, prefix)
		}, nil
	case Revisions:
		return func(ctx context.Context, prefix string) (int, error) {
			return RevisionsRaw(ctx, hc, api, prefix)
		}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// RawTyped returns the loop of mode on raw net/http and encoding/json
// decoding into the generated package's item and page types
// (generated.QueryAllpagesItem, generated.QueryPage): the same loop as Raw,
// with the generated client's structs. Beside Raw and Generated it tells
// what the generated types cost (their size: every field of every prop
// value, a pointer per prop module) from what the runtime costs.
func RawTyped(api string, mode Mode) (Loop, error) {
	return RawTypedWith(api, mode, NewHTTPClient())
}

// RawTypedWith is RawTyped with the given http.Client.
func RawTypedWith(api string, mode Mode, hc *http.Client) (Loop, error) {
	switch mode {
	case List:
		return func(ctx context.Context, prefix string) (int, error) {
			return listRawTyped(ctx, hc, api, prefix)
		}, nil
	case Revisions:
		return func(ctx context.Context, prefix string) (int, error) {
			return revisionsRawTyped(ctx, hc, api, prefix)
		}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// rawPage is what the raw loops decode of a page: the fields the typed
// answer has, so both decode the same.
type rawPage struct {
	PageID int    `json:"pageid"`
	Ns     int    `json:"ns"`
	Title  string `json:"title"`
}

// rawRevision is a revision with rvprop=ids|timestamp|size|user|comment.
type rawRevision struct {
	RevID     int       `json:"revid"`
	ParentID  int       `json:"parentid"`
	Timestamp time.Time `json:"timestamp"`
	Size      int       `json:"size"`
	User      string    `json:"user"`
	Comment   string    `json:"comment"`
}

// rawEnvelope is what every raw answer decodes besides its result.
type rawEnvelope struct {
	Errors []struct {
		Code string `json:"code"`
		Text string `json:"text"`
	} `json:"errors"`
	Warnings []struct {
		Code   string `json:"code"`
		Text   string `json:"text"`
		Module string `json:"module"`
	} `json:"warnings"`
	Continue      map[string]string `json:"continue"`
	BatchComplete bool              `json:"batchcomplete"`
}

// rawParams are the parameters every request of both sides carries.
func rawParams(q url.Values) url.Values {
	q.Set("action", "query")
	q.Set("format", "json")
	q.Set("formatversion", "2")
	q.Set("errorformat", "plaintext")
	q.Set("maxlag", "5")
	return q
}

// rawGet sends one GET of q and decodes its answer into batch, whose
// envelope is env.
func rawGet(ctx context.Context, hc *http.Client, api string, q url.Values, batch any, env *rawEnvelope) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	err = json.NewDecoder(resp.Body).Decode(batch)
	io.Copy(io.Discard, resp.Body) // so that the connection is reused
	resp.Body.Close()
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", resp.Status, err)
	case len(env.Errors) > 0:
		return fmt.Errorf("API error %s: %s", env.Errors[0].Code, env.Errors[0].Text)
	}
	return nil
}

// ListRaw counts the pages whose titles start with prefix with
// list=allpages, following "continue" by hand.
func ListRaw(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
	q := rawParams(url.Values{"list": {"allpages"}, "apprefix": {prefix}, "aplimit": {"max"}})
	n := 0
	for {
		var batch struct {
			rawEnvelope
			Query struct {
				Allpages []rawPage `json:"allpages"`
			} `json:"query"`
		}
		if err := rawGet(ctx, hc, api, q, &batch, &batch.rawEnvelope); err != nil {
			return n, err
		}
		for _, p := range batch.Query.Allpages {
			if p.Title != "" {
				n++
			}
		}
		if batch.Continue == nil {
			return n, nil
		}
		for k, v := range batch.Continue {
			q.Set(k, v)
		}
	}
}

// RevisionsRaw counts the pages whose titles start with prefix and whose
// latest revision has a size, with generator=allpages and prop=revisions.
func RevisionsRaw(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
	q := rawParams(url.Values{
		"generator": {"allpages"}, "gapprefix": {prefix}, "gaplimit": {"max"},
		"prop": {"revisions"}, "rvprop": {"ids|timestamp|size|user|comment"},
	})
	n := 0
	for {
		var batch struct {
			rawEnvelope
			Query struct {
				Pages []struct {
					rawPage
					Revisions []rawRevision `json:"revisions"`
				} `json:"pages"`
			} `json:"query"`
		}
		if err := rawGet(ctx, hc, api, q, &batch, &batch.rawEnvelope); err != nil {
			return n, err
		}
		for _, p := range batch.Query.Pages {
			if len(p.Revisions) == 1 && p.Revisions[0].Size > 0 {
				n++
			}
		}
		if batch.Continue == nil {
			return n, nil
		}
		for k, v := range batch.Continue {
			q.Set(k, v)
		}
	}
}

// listRawTyped is ListRaw decoding into generated.QueryAllpagesItem.
func listRawTyped(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
	q := rawParams(url.Values{"list": {"allpages"}, "apprefix": {prefix}, "aplimit": {"max"}})
	n := 0
	for {
		var batch struct {
			rawEnvelope
			Query struct {
				Allpages []generated.QueryAllpagesItem `json:"allpages"`
			} `json:"query"`
		}
		if err := rawGet(ctx, hc, api, q, &batch, &batch.rawEnvelope); err != nil {
			return n, err
		}
		for _, p := range batch.Query.Allpages {
			if p.Title != "" {
				n++
			}
		}
		if batch.Continue == nil {
			return n, nil
		}
		for k, v := range batch.Continue {
			q.Set(k, v)
		}
	}
}

// revisionsRawTyped is RevisionsRaw decoding into generated.QueryPage.
func revisionsRawTyped(ctx context.Context, hc *http.Client, api, prefix string) (int, error) {
	q := rawParams(url.Values{
		"generator": {"allpages"}, "gapprefix": {prefix}, "gaplimit": {"max"},
		"prop": {"revisions"}, "rvprop": {"ids|timestamp|size|user|comment"},
	})
	n := 0
	for {
		var batch struct {
			rawEnvelope
			Query struct {
				Pages []generated.QueryPage `json:"pages"`
			} `json:"query"`
		}
		if err := rawGet(ctx, hc, api, q, &batch, &batch.rawEnvelope); err != nil {
			return n, err
		}
		for _, p := range batch.Query.Pages {
			if p.QueryRevisionsPage != nil && len(p.Revisions) == 1 && p.Revisions[0].Size > 0 {
				n++
			}
		}
		if batch.Continue == nil {
			return n, nil
		}
		for k, v := range batch.Continue {
			q.Set(k, v)
		}
	}
}
