package runtime

import (
	"encoding/json"
	"errors"
	"iter"
	"testing"
)

// batchesOf yields n responses with k allpages entries each.
func batchesOf(n, k int) iter.Seq2[*Response, error] {
	return func(yield func(*Response, error) bool) {
		for range n {
			pages := make([]map[string]string, k)
			for i := range pages {
				pages[i] = map[string]string{"title": "x"}
			}
			raw, _ := json.Marshal(map[string]any{"query": map[string]any{"allpages": pages, "general": map[string]any{}}})
			if !yield(&Response{Raw: raw}, nil) {
				return
			}
		}
	}
}

func TestCap(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		maxBatches, maxItems int
		want                 int
	}{
		{"no cap", 0, 0, 10},
		{"batches", 3, 0, 3},
		{"items, exact", 0, 15, 3},
		{"items, rounds up to a batch", 0, 16, 4},
		{"both, batches first", 2, 100, 2},
	} {
		got := 0
		for resp, err := range Cap(batchesOf(10, 5), tt.maxBatches, tt.maxItems) {
			if err != nil {
				t.Fatal(err)
			}
			if resp.QueryItems() != 5 {
				t.Fatalf("QueryItems = %d", resp.QueryItems())
			}
			got++
		}
		if got != tt.want {
			t.Errorf("%s: %d batches, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCapStopsAtError(t *testing.T) {
	boom := errors.New("boom")
	seq := func(yield func(*Response, error) bool) {
		if yield(&Response{Raw: json.RawMessage(`{}`)}, nil) {
			yield(nil, boom)
		}
	}
	var errs []error
	for _, err := range Cap(seq, 0, 0) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || !errors.Is(errs[1], boom) {
		t.Errorf("got %v", errs)
	}
	if (&Response{Raw: json.RawMessage(`{"edit":{}}`)}).QueryItems() != 0 {
		t.Error("a non-query answer has items")
	}
}
