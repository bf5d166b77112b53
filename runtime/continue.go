package runtime

import (
	"context"
	"errors"
	"iter"
	"maps"
	"reflect"
	"slices"
)

// errNoProgress is yielded when the wiki answers the same continuation
// twice in a row, which would otherwise loop forever.
var errNoProgress = errors.New("mediawiki: continuation did not advance")

// Continue sends r and follows the answers' continuation, yielding each
// batch as it arrives. For every next request it takes a copy of r's
// parameters, removes the continuation members of the previous answer and
// adds those of the latest one verbatim (the "continue" object). It stops
// after a batch without "continue", at the first error (which it yields
// with a nil Response), or when the loop body breaks. Only one batch is
// held at a time. r is not modified.
//
//	p := new(mw.Params)
//	p.Text("list", "allpages")
//	p.Limit("aplimit", mw.Max)
//	for resp, err := range c.Continue(ctx, &mw.Request{Action: "query", Params: p}) {
//		if err != nil {
//			return err
//		}
//		var batch struct {
//			Query struct {
//				AllPages []struct{ Title string `json:"title"` } `json:"allpages"`
//			} `json:"query"`
//		}
//		if err := resp.Decode(&batch); err != nil {
//			return err
//		}
//		...
//	}
func (c *Client) Continue(ctx context.Context, r *Request) iter.Seq2[*Response, error] {
	return func(yield func(*Response, error) bool) {
		if r == nil {
			yield(nil, errors.New("mediawiki: nil request"))
			return
		}
		next := *r
		next.Params = r.Params.Clone()
		var prev map[string]string
		var keys [8]string
		for {
			resp, err := c.Do(ctx, &next)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(resp, nil) || resp.Continue == nil {
				return
			}
			if maps.Equal(prev, resp.Continue) {
				yield(nil, errNoProgress)
				return
			}
			advance(next.Params, prev, resp.Continue, keys[:0])
			prev = resp.Continue
		}
	}
}

// advance replaces the continuation members prev in p by those of cont,
// in sorted order (keys is scratch space for the sorting).
func advance(p *Params, prev, cont map[string]string, keys []string) {
	for k := range prev {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p.Del(k)
	}
	keys = keys[:0]
	for k := range cont {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p.Set(k, cont[k])
	}
}

// ContinueInto is [Client.Continue] for typed answers: it decodes each
// batch into a new value from mk (see [Client.DoInto]) and yields it. Only
// one batch is held at a time, unless the loop body keeps them. Each batch
// after the first has its lists made with the last batch's lengths, and
// its pages' parts (the embedded pointers of a generated page, one per
// prop) made in one piece per prop the last batch's pages had: decoding
// allocates per batch what it would otherwise allocate per page. A list of
// a part that the last batch's pages had one item each of (a page's latest
// revision) is made likewise, with room for one item per page. A part
// stays nil when none of its keys came, as in the first batch. The pieces
// are a batch's: a page, part or list the loop body keeps holds its
// batch's piece in memory, as keeping an element of any slice does; copy
// what must outlive the batch (rev := p.Revisions[0], not the slice).
func ContinueInto[T Answer](ctx context.Context, c *Client, r *Request, mk func() T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if r == nil {
			yield(zero, errors.New("mediawiki: nil request"))
			return
		}
		next := *r
		next.Params = r.Params.Clone()
		var prev map[string]string
		var keys [8]string
		// sizes are the lengths of the lists of the last batch and the
		// parts their pages had, with which the next one's are made (see
		// presizeLists).
		var sizes listSizes
		for {
			dst := mk()
			env := dst.envelope()
			env.sizes = sizes
			if err := c.DoInto(ctx, &next, dst); err != nil {
				yield(zero, err)
				return
			}
			cont := env.Continue
			if cont != nil {
				sizes = sizesOf(reflect.ValueOf(dst).Elem(), sizes)
			}
			if !yield(dst, nil) || cont == nil {
				return
			}
			if maps.Equal(prev, cont) {
				yield(zero, errNoProgress)
				return
			}
			advance(next.Params, prev, cont, keys[:0])
			prev = cont
		}
	}
}
