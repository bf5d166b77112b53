package gensupport

import (
	"encoding/json"
	"testing"

	"github.com/mwgen/mwgen/runtime"
)

// optPage has the Opt fields of a generated QueryPage.
type optPage struct {
	PageID runtime.Opt[int]               `json:"pageid,omitzero"`
	Ns     runtime.Opt[runtime.Namespace] `json:"ns,omitzero"`
	Title  string                         `json:"title"`
}

// The page iterator keys pages on PageID.Or(0): a missing or invalid
// page, without a page id, by its title; and Merge keeps a set Opt, even
// set to 0, and fills an unset one.
func TestOptPageKeyAndMerge(t *testing.T) {
	var pages []optPage
	if err := json.Unmarshal([]byte(`[{"pageid":5,"ns":0,"title":"A"},{"ns":0,"title":"Missing"},{"title":"Bad<"}]`), &pages); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, p := range pages {
		keys[PageKey(p.PageID.Or(0), p.Title)] = true
	}
	for _, k := range []string{"#5", "t:Missing", "t:Bad<"} {
		if !keys[k] {
			t.Errorf("no page key %q in %v", k, keys)
		}
	}

	dst := optPage{Ns: runtime.Set(runtime.NamespaceMain), Title: "A"}
	Merge(&dst, &optPage{PageID: runtime.Set(5), Ns: runtime.Set(runtime.NamespaceTalk), Title: "A"})
	if id, ok := dst.PageID.Get(); !ok || id != 5 {
		t.Errorf("merged PageID = %d set %v, want 5 set (from the later part)", id, ok)
	}
	if ns, ok := dst.Ns.Get(); !ok || ns != runtime.NamespaceMain {
		t.Errorf("merged Ns = %d set %v, want 0 set (kept: set to 0 is not unset)", ns, ok)
	}
}
