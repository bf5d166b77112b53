package generated_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

// strictAnon is an anonymous client in strict drift mode: it cannot see
// what revision deletion hides.
func strictAnon(t *testing.T, w *testwiki.Wiki) *generated.Client {
	t.Helper()
	rt, err := runtime.NewClient(w.API, runtime.Options{
		UserAgent: "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:     runtime.DriftStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
	return generated.New(rt)
}

// TestLiveOptPageState: QueryPage.Ns and PageID are runtime.Opt, so that an
// invalid title's namespace is unset while a main-namespace page's is set
// to 0, and a missing or special page has no page id, not 0.
func TestLiveOptPageState(t *testing.T) {
	w := testwiki.Require(t)
	c := strictAnon(t, w)
	res, err := c.Query(context.Background(), &generated.QueryParams{
		PageSet: generated.PageSet{Titles: []string{"Main Page", "Mwgen Opt Never Created", "Bad<title>", "Special:Nothing"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		ns     runtime.Opt[runtime.Namespace]
		hasID  bool
		reason string
	}
	wants := map[string]want{
		"Main Page":               {runtime.Set(runtime.NamespaceMain), true, "an existing page of the main namespace"},
		"Mwgen Opt Never Created": {runtime.Set(runtime.NamespaceMain), false, "a missing page of the main namespace"},
		"Bad<title>":              {runtime.Opt[runtime.Namespace]{}, false, "an invalid title"},
		"Special:Nothing":         {runtime.Set(runtime.NamespaceSpecial), false, "a special page"},
	}
	var raw struct {
		Query struct {
			Pages []map[string]json.RawMessage `json:"pages"`
		} `json:"query"`
	}
	if err := json.Unmarshal(res.Raw(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(res.Pages) != len(wants) || len(raw.Query.Pages) != len(wants) {
		t.Fatalf("%d pages (%d in the body), want %d: %s", len(res.Pages), len(raw.Query.Pages), len(wants), res.Raw())
	}
	for i, p := range res.Pages {
		wt, ok := wants[p.Title]
		if !ok {
			t.Errorf("page %q: not asked for", p.Title)
			continue
		}
		if p.Ns != wt.ns {
			t.Errorf("%s (%s): Ns = %+v, want %+v", p.Title, wt.reason, p.Ns, wt.ns)
		}
		if id, ok := p.PageID.Get(); ok != wt.hasID || (ok && id == 0) {
			t.Errorf("%s (%s): PageID = %d, set %v; want set %v", p.Title, wt.reason, id, ok, wt.hasID)
		}
		// The page marshals again with the keys it came with.
		b, err := json.Marshal(&p)
		if err != nil {
			t.Fatal(err)
		}
		var again map[string]json.RawMessage
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"ns", "pageid"} {
			rv, inBody := raw.Query.Pages[i][k]
			av, inAgain := again[k]
			if inBody != inAgain || string(rv) != string(av) {
				t.Errorf("%s: %q is %s in the body, %s marshaled again (present %v, %v)", p.Title, k, rv, av, inBody, inAgain)
			}
		}
	}
}

// TestLiveOptRevisionDeleted: a revision whose comment and user are
// revision-deleted has Comment and UserID unset for a caller who may not
// see them, while an empty edit summary is Comment set to "".
func TestLiveOptRevisionDeleted(t *testing.T) {
	c, w := newClient(t)
	ctx := context.Background()
	// A title of its own on each run: the test wiki may be an earlier run's.
	title := fmt.Sprintf("Mwgen Opt revision deletion %d", time.Now().UnixNano())
	var revs []int
	for i, e := range []struct{ text, summary string }{
		{"First text of the page.", "mwgen opt: a summary to hide"},
		{"First text of the page. And a second line.", ""},
	} {
		res, err := c.Edit(ctx, &generated.EditParams{Title: title, Text: runtime.Set(e.text), Summary: e.summary, Bot: true})
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		if res.Newrevid == 0 {
			t.Fatalf("edit %d made no revision: %s", i, res.Raw())
		}
		revs = append(revs, res.Newrevid)
	}
	// Revision deletion needs the suppress group in MediaWiki 1.39 (sysops
	// do not have deleterevision); the bot password's delete grant has it.
	sqlite(t, w, `INSERT OR IGNORE INTO user_groups (ug_user, ug_group, ug_expiry)
SELECT user_id, 'suppress', NULL FROM user WHERE user_name = ?`, w.AdminUser)
	if _, err := c.Revisiondelete(ctx, &generated.RevisiondeleteParams{
		Type: generated.RevisiondeleteTypeRevision, Target: title, IDs: []string{strconv.Itoa(revs[0])},
		Hide:   []generated.RevisiondeleteHide{generated.RevisiondeleteHideComment, generated.RevisiondeleteHideUser},
		Reason: "mwgen opt test",
	}); err != nil {
		t.Fatal(err)
	}
	res, err := strictAnon(t, w).Query(ctx, &generated.QueryParams{
		PageSet: generated.PageSet{RevIDs: []int{revs[0], revs[1]}},
		Prop: generated.QueryProps{Revisions: &generated.QueryRevisionsParams{Prop: []generated.QueryRevisionsProp{
			generated.QueryRevisionsPropIDs, generated.QueryRevisionsPropUser, generated.QueryRevisionsPropUserID,
			generated.QueryRevisionsPropComment,
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]generated.QueryRevisionsPageRevisionsItem{}
	for _, p := range res.Pages {
		if p.QueryRevisionsPage == nil {
			t.Fatalf("%s: no revisions: %s", p.Title, res.Raw())
		}
		for _, r := range p.Revisions {
			got[r.RevID] = r
		}
	}
	hidden, shown := got[revs[0]], got[revs[1]]
	if !hidden.Commenthidden || !hidden.Userhidden {
		t.Fatalf("revision %d: not revision-deleted for an anonymous caller: %s", revs[0], res.Raw())
	}
	if hidden.Comment.IsSet() || hidden.UserID.IsSet() || hidden.User != "" {
		t.Errorf("revision %d (comment and user hidden): Comment %+v, UserID %+v, User %q; want unset, unset, \"\"",
			revs[0], hidden.Comment, hidden.UserID, hidden.User)
	}
	if c, ok := shown.Comment.Get(); !ok || c != "" {
		t.Errorf("revision %d (empty summary): Comment %q set %v, want \"\" set", revs[1], c, ok)
	}
	if id, ok := shown.UserID.Get(); !ok || id == 0 || shown.User == "" {
		t.Errorf("revision %d: UserID %d set %v, User %q; want the bot's", revs[1], id, ok, shown.User)
	}
	if t.Failed() {
		t.Logf("answer: %s", res.Raw())
	}
}
