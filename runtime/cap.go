package runtime

import (
	"bytes"
	"encoding/json"
	"iter"
)

// Cap limits a continuation to at most maxBatches batches and about
// maxItems items (0 means no limit on that count). Items are counted with
// [Response.QueryItems]; the batch that reaches maxItems is the last one
// yielded, so a little more than maxItems may arrive: ask for a smaller
// limit parameter when the exact count matters. Breaking out of the range
// loop is the other way to stop early.
//
//	for resp, err := range runtime.Cap(c.Continue(ctx, req), 0, 1000) { ... }
func Cap(seq iter.Seq2[*Response, error], maxBatches, maxItems int) iter.Seq2[*Response, error] {
	return func(yield func(*Response, error) bool) {
		batches, items := 0, 0
		for resp, err := range seq {
			if !yield(resp, err) || err != nil {
				return
			}
			batches++
			items += resp.QueryItems()
			if (maxBatches > 0 && batches >= maxBatches) || (maxItems > 0 && items >= maxItems) {
				return
			}
		}
	}
}

// QueryItems counts the items of a query answer: the elements of every
// array directly under "query" (the pages of a generator or prop query, the
// entries of a list such as allpages). It is 0 for other answers.
func (r *Response) QueryItems() int {
	q := r.Get("query")
	if len(q) == 0 || q[0] != '{' {
		return 0
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(q, &members) != nil {
		return 0
	}
	n := 0
	for _, v := range members {
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] != '[' {
			continue
		}
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) == nil {
			n += len(elems)
		}
	}
	return n
}
