package loops

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The offline benchmarks run the same loops against answers made in
// memory (an http.RoundTripper, no wiki, no network): what they measure is
// only the client side, the same for both, so the ratio of the generated
// loop to the raw one is the generated client's own cost with little
// noise. The answers are those of MediaWiki 1.39 for 2,000 pages, 500 a
// batch (see fakeWiki).
const (
	offlinePages = 2000
	offlineBatch = 500
	offlineAPI   = "http://wiki.invalid/w/api.php"
)

// fakeWiki answers list=allpages and generator=allpages&prop=revisions
// from bodies made once, in the form MediaWiki 1.39 gives them.
type fakeWiki struct {
	list, revisions [][]byte
}

func newFakeWiki(prefix string) *fakeWiki {
	w := &fakeWiki{}
	for start := 0; start < offlinePages; start += offlineBatch {
		end := start + offlineBatch
		var l, r bytes.Buffer
		l.WriteString(`{"batchcomplete":true,`)
		r.WriteString(`{"batchcomplete":true,`)
		if end < offlinePages {
			fmt.Fprintf(&l, `"continue":{"apcontinue":"%s%04d","continue":"-||"},`, strings.ReplaceAll(prefix, " ", "_"), end)
			fmt.Fprintf(&r, `"continue":{"gapcontinue":"%s%04d","continue":"gapcontinue||"},`, strings.ReplaceAll(prefix, " ", "_"), end)
		}
		l.WriteString(`"limits":{"allpages":500},"query":{"allpages":[`)
		r.WriteString(`"limits":{"allpages":500},"query":{"pages":[`)
		for i := start; i < end; i++ {
			if i > start {
				l.WriteByte(',')
				r.WriteByte(',')
			}
			fmt.Fprintf(&l, `{"pageid":%d,"ns":0,"title":"%s%04d"}`, i+2, prefix, i)
			fmt.Fprintf(&r, `{"pageid":%d,"ns":0,"title":"%s%04d","revisions":[{"revid":%d,"parentid":0,"user":"Maintenance script","timestamp":"2026-12-02T00:10:26Z","size":30,"comment":"mwgen test import"}]}`,
				i+2, prefix, i, i+2)
		}
		l.WriteString("]}}")
		r.WriteString("]}}")
		w.list = append(w.list, l.Bytes())
		w.revisions = append(w.revisions, r.Bytes())
	}
	return w
}

// RoundTrip answers the batch the request's continuation asks for.
func (w *fakeWiki) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	bodies := w.list
	from := q.Get("apcontinue")
	if q.Get("generator") == "allpages" {
		bodies, from = w.revisions, q.Get("gapcontinue")
	}
	batch := 0
	if from != "" {
		n, err := strconv.Atoi(from[len(from)-4:])
		if err != nil {
			return nil, err
		}
		batch = n / offlineBatch
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		Status:     "200 OK",
		StatusCode: http.StatusOK,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:   io.NopCloser(bytes.NewReader(bodies[batch])),
		// No Content-Length, as MediaWiki under php -S answers.
		ContentLength: -1,
		Request:       req,
	}, nil
}

func benchOffline(b *testing.B, mk func(api string, mode Mode, hc *http.Client) (Loop, error), mode Mode) {
	const prefix = "Mwgen bench allpages "
	loop, err := mk(offlineAPI, mode, &http.Client{Transport: newFakeWiki(prefix)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n, err := loop(ctx, prefix)
		if err != nil {
			b.Fatal(err)
		}
		if n != offlinePages {
			b.Fatalf("%d pages, want %d", n, offlinePages)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*offlinePages), "ns/page")
}

func BenchmarkOfflineListGenerated(b *testing.B)      { benchOffline(b, GeneratedWith, List) }
func BenchmarkOfflineListRaw(b *testing.B)            { benchOffline(b, RawWith, List) }
func BenchmarkOfflineRevisionsGenerated(b *testing.B) { benchOffline(b, GeneratedWith, Revisions) }
func BenchmarkOfflineRevisionsRaw(b *testing.B)       { benchOffline(b, RawWith, Revisions) }
func BenchmarkOfflineListRawTyped(b *testing.B)       { benchOffline(b, RawTypedWith, List) }
func BenchmarkOfflineRevisionsRawTyped(b *testing.B)  { benchOffline(b, RawTypedWith, Revisions) }
