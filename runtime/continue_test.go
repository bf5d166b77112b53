package runtime

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pagedWiki answers list=allpages in batches of two over pages A..E, with
// an extra continuation member that appears only in the first answer.
func pagedWiki(t *testing.T, failAt int) (*Client, *fakeWiki) {
	batches := map[string]string{
		"":  `{"continue":{"apcontinue":"C","continue":"-||","rvcontinue":"7|8"},"query":{"allpages":[{"title":"A"},{"title":"B"}]}}`,
		"C": `{"continue":{"apcontinue":"E","continue":"-||"},"query":{"allpages":[{"title":"C"},{"title":"D"}]}}`,
		"E": `{"batchcomplete":true,"query":{"allpages":[{"title":"E"}]}}`,
	}
	n := 0
	// Retries disabled, so that the maxlag error reaches Continue.
	return newFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, func(s seen, w http.ResponseWriter) {
		n++
		if n == failAt {
			apiError(w, "maxlag", "Waiting for a database server: 6 seconds lagged.", "main")
			return
		}
		jsonAnswer(w, batches[s.Params.Get("apcontinue")])
	})
}

func allPagesRequest() *Request {
	p := new(Params)
	p.Text("list", "allpages")
	p.Limit("aplimit", 2)
	return &Request{Action: "query", Params: p}
}

func titles(t *testing.T, resp *Response) []string {
	var out struct {
		Query struct {
			AllPages []struct{ Title string } `json:"allpages"`
		} `json:"query"`
	}
	if err := resp.Decode(&out); err != nil {
		t.Fatal(err)
	}
	var ts []string
	for _, p := range out.Query.AllPages {
		ts = append(ts, p.Title)
	}
	return ts
}

func TestContinueFollowsBatches(t *testing.T) {
	c, f := pagedWiki(t, 0)
	r := allPagesRequest()
	before := r.Params.Form()
	var got []string
	batches := 0
	for resp, err := range c.Continue(ctx(t), r) {
		if err != nil {
			t.Fatal(err)
		}
		batches++
		got = append(got, titles(t, resp)...)
	}
	if diff := cmp.Diff([]string{"A", "B", "C", "D", "E"}, got); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
	if batches != 3 {
		t.Errorf("%d batches, want 3", batches)
	}
	if r.Params.Form() != before {
		t.Errorf("Continue changed the request's params: %s", r.Params.Form())
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	wantQueries := []string{
		"action=query&list=allpages&aplimit=2&format=json&formatversion=2&errorformat=plaintext&maxlag=5",
		"action=query&list=allpages&aplimit=2&apcontinue=C&continue=-%7C%7C&rvcontinue=7%7C8&format=json&formatversion=2&errorformat=plaintext&maxlag=5",
		// rvcontinue, gone from the second answer, is dropped.
		"action=query&list=allpages&aplimit=2&apcontinue=E&continue=-%7C%7C&format=json&formatversion=2&errorformat=plaintext&maxlag=5",
	}
	for i, want := range wantQueries {
		if reqs[i].RawQuery != want {
			t.Errorf("request %d:\n%s, want\n%s", i, reqs[i].RawQuery, want)
		}
	}
}

func TestContinueStops(t *testing.T) {
	t.Run("break", func(t *testing.T) {
		c, f := pagedWiki(t, 0)
		for range c.Continue(ctx(t), allPagesRequest()) {
			break
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("%d requests after break, want 1", n)
		}
	})
	t.Run("error", func(t *testing.T) {
		c, f := pagedWiki(t, 2)
		var errs []error
		var batches int
		for resp, err := range c.Continue(ctx(t), allPagesRequest()) {
			if err != nil {
				if resp != nil {
					t.Error("a response with the error")
				}
				errs = append(errs, err)
				continue // the sequence must end by itself
			}
			batches++
		}
		if batches != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrMaxLag) {
			t.Errorf("%d batches, errors %v; want 1 batch, one maxlag error", batches, errs)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("no progress", func(t *testing.T) {
		c, f := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
			jsonAnswer(w, `{"continue":{"apcontinue":"X","continue":"-||"},"query":{"allpages":[]}}`)
		})
		var last error
		for _, err := range c.Continue(ctx(t), allPagesRequest()) {
			last = err
		}
		if !errors.Is(last, errNoProgress) {
			t.Errorf("last error %v, want %v", last, errNoProgress)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("nil request", func(t *testing.T) {
		c, _ := newFake(t, Options{}, nil)
		for _, err := range c.Continue(ctx(t), nil) {
			if err == nil {
				t.Error("nil request: no error")
			}
		}
	})
}
