package runtime

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

type testPage struct {
	PageID int    `json:"pageid"`
	Title  string `json:"title" mw:"required"`
	*TestRevisionsPart
	Extra map[string]json.RawMessage `json:"-"`
}

// TestRevisionsPart is exported: encoding/json sets embedded pointers to exported types only.
type TestRevisionsPart struct {
	Revisions []struct {
		RevID int `json:"revid"`
	} `json:"revisions"`
}

type testAnswer struct {
	Envelope
	Query struct {
		Pages []testPage `json:"pages"`
	} `json:"query"`
	Extra map[string]json.RawMessage `json:"-"`
}

const testBody = `{"batchcomplete":true,"continue":{"rvcontinue":"12|34","continue":"||"},
"warnings":[{"code":"deprecation","text":"old","module":"query"}],"limits":{"revisions":500},
"query":{"pages":[{"pageid":1,"title":"A","revisions":[{"revid":7}],"hook":1},{"title":"B","missing":true}]}}`

func TestDoIntoDecodesOnce(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) { jsonAnswer(w, testBody) })
	var a testAnswer
	if err := c.DoInto(ctx(t), &Request{Action: "query"}, &a); err != nil {
		t.Fatal(err)
	}
	if !a.BatchComplete || a.Continue["rvcontinue"] != "12|34" || len(a.Warnings) != 1 || a.Warnings[0].Code != "deprecation" || a.Limits["revisions"] != 500 {
		t.Errorf("envelope: %+v", a.Envelope)
	}
	if len(a.Query.Pages) != 2 || a.Query.Pages[0].TestRevisionsPart == nil || a.Query.Pages[0].Revisions[0].RevID != 7 {
		t.Fatalf("pages: %+v", a.Query.Pages)
	}
	if a.Query.Pages[1].TestRevisionsPart != nil {
		t.Error("a part with none of its keys must stay nil")
	}
	if a.Query.Pages[0].Extra != nil {
		t.Error("DriftIgnore must not fill Extra")
	}
	if !strings.Contains(string(a.Raw()), `"hook":1`) {
		t.Error("Raw lacks the body")
	}
}

func TestDoIntoAPIError(t *testing.T) {
	c, _ := newFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, func(s seen, w http.ResponseWriter) {
		apiError(w, "badvalue", "Bad value.", "query")
	})
	var a testAnswer
	err := c.DoInto(ctx(t), &Request{Action: "query"}, &a)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "badvalue" {
		t.Fatalf("got %v, want the API error", err)
	}
}

func TestDoIntoTypeMismatch(t *testing.T) {
	calls := 0
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		calls++
		jsonAnswer(w, `{"query":{"pages":[{"pageid":"one","title":"A"}]}}`)
	})
	var a testAnswer
	err := c.DoInto(ctx(t), &Request{Action: "query"}, &a)
	var drift *DriftError
	if !errors.As(err, &drift) || drift.Drift[0].Kind != DriftType || !strings.Contains(err.Error(), "pageid") {
		t.Fatalf("got %v, want a type mismatch at pageid", err)
	}
	if calls != 1 {
		t.Errorf("%d requests: drift is not retried", calls)
	}
}

func TestDriftModes(t *testing.T) {
	body := `{"query":{"pages":[{"pageid":1,"title":"A","revisions":[{"revid":7,"new":true}],"hook":1},{"pageid":2}]},"other":2}`
	for _, mode := range []DriftMode{DriftKeep, DriftLog, DriftStrict} {
		c, _ := newFake(t, Options{Drift: mode}, func(s seen, w http.ResponseWriter) { jsonAnswer(w, body) })
		var a testAnswer
		err := c.DoInto(ctx(t), &Request{Action: "query"}, &a)
		if mode != DriftStrict {
			if err != nil {
				t.Fatalf("mode %d: %v", mode, err)
			}
			if string(a.Query.Pages[0].Extra["hook"]) != "1" || string(a.Extra["other"]) != "2" {
				t.Errorf("mode %d: Extra not kept: %v %v", mode, a.Query.Pages[0].Extra, a.Extra)
			}
			continue
		}
		var drift *DriftError
		if !errors.As(err, &drift) {
			t.Fatalf("strict: got %v, want a *DriftError", err)
		}
		var got []string
		for _, d := range drift.Drift {
			got = append(got, d.String())
		}
		want := []string{
			`other: unknown key (2)`,
			`query.pages[0].hook: unknown key (1)`,
			`query.pages[0].revisions[0].new: unknown key (true)`,
			`query.pages[1].title: missing key`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("strict drift:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestContinueInto(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		if s.Params.Get("rvcontinue") == "" {
			jsonAnswer(w, `{"continue":{"rvcontinue":"2","continue":"||"},"query":{"pages":[{"pageid":1,"title":"A"}]}}`)
			return
		}
		jsonAnswer(w, `{"batchcomplete":true,"query":{"pages":[{"pageid":2,"title":"B"}]}}`)
	})
	var titles []string
	for a, err := range ContinueInto(ctx(t), c, &Request{Action: "query"}, func() *testAnswer { return new(testAnswer) }) {
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range a.Query.Pages {
			titles = append(titles, p.Title)
		}
	}
	if strings.Join(titles, ",") != "A,B" {
		t.Errorf("got %q", titles)
	}
}
