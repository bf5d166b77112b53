package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckerSingleChecks(t *testing.T) {
	none := Opt[int]{}
	tests := []struct {
		name  string
		check func(c *Checker)
		want  string // "" = no problem
	}{
		{"required missing", func(c *Checker) { c.Required("title", false) }, "edit: title: required"},
		{"required present", func(c *Checker) { c.Required("title", true) }, ""},
		{"int below", func(c *Checker) { c.IntRange("section", Set(-1), Set(0), none) }, "edit: section: -1 is below the minimum 0"},
		{"int above", func(c *Checker) { c.IntRange("section", Set(9), none, Set(5)) }, "edit: section: 9 is above the maximum 5"},
		{"int unset", func(c *Checker) { c.IntRange("section", none, Set(0), Set(5)) }, ""},
		{"int in range", func(c *Checker) { c.IntRange("section", Set(0), Set(0), Set(5)) }, ""},
		{"ints", func(c *Checker) { c.IntsRange("ids", []int{1, 0, 2}, Set(1), none) }, "edit: ids: 0 is below the minimum 1"},
		{"limit unset", func(c *Checker) { c.LimitRange("aplimit", 0, 1, 500, 5000) }, ""},
		{"limit max", func(c *Checker) { c.LimitRange("aplimit", Max, 1, 500, 5000) }, ""},
		{"limit high but allowed", func(c *Checker) { c.LimitRange("aplimit", 600, 1, 500, 5000) }, ""},
		{"limit above high", func(c *Checker) { c.LimitRange("aplimit", 6000, 1, 500, 5000) }, "edit: aplimit: 6000 is above the maximum 500 (5000 with apihighlimits)"},
		{"limit above, no high limit", func(c *Checker) { c.LimitRange("aplimit", 600, 1, 500, 500) }, "edit: aplimit: 600 is above the maximum 500"},
		{"limit negative", func(c *Checker) { c.LimitRange("aplimit", -5, 1, 500, 5000) }, "edit: aplimit: -5 is neither a positive number nor max"},
		{"count ok", func(c *Checker) { c.Count("titles", 500, 500) }, ""},
		{"count too many", func(c *Checker) { c.Count("titles", 501, 500) }, "edit: titles: 501 values given, at most 500 allowed"},
		{"one of ok", func(c *Checker) { c.OneOf("contentformat", "text/x-wiki", []string{"text/x-wiki", "text/css"}) }, ""},
		{"one of unset", func(c *Checker) { c.OneOf("contentformat", "", []string{"text/x-wiki"}) }, ""},
		{"one of bad", func(c *Checker) { c.OneOf("contentformat", "x", []string{"a", "b", "c"}) },
			`edit: contentformat: "x" is not one of "a", "b" or "c"`},
		{"all of ok", func(c *Checker) { c.AllOf("prop", []string{"a", "b"}, []string{"a", "b"}, "") }, ""},
		{"all of all specifier", func(c *Checker) { c.AllOf("prop", []string{"*"}, []string{"a"}, "*") }, ""},
		{"all of no all specifier", func(c *Checker) { c.AllOf("prop", []string{"*"}, []string{"a"}, "") },
			`edit: prop: "*" is not one of "a"`},
		{"all of several bad", func(c *Checker) { c.AllOf("prop", []string{"a", "x", "y"}, []string{"a", "b"}, "*") },
			`edit: prop: "x", "y" are not among "a" or "b"`},
		{"exclusive ok", func(c *Checker) { c.Exclusive("generator", 1) }, ""},
		{"exclusive bad", func(c *Checker) { c.Exclusive("generator", 2) }, "edit: generator: 2 alternatives given, at most one allowed"},
		{"max bytes", func(c *Checker) { c.MaxBytes("summary", "ääa", 4) }, "edit: summary: 5 bytes is above the maximum 4"},
		{"max chars ok", func(c *Checker) { c.MaxChars("summary", "ääa", 3) }, ""},
		{"max chars", func(c *Checker) { c.MaxChars("summary", "ääab", 3) }, "edit: summary: 4 characters is above the maximum 3"},
		{"addf without param", func(c *Checker) { c.Addf("", "needs %s", "something") }, "edit: needs something"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker("edit")
			tt.check(c)
			err := c.Err()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Err() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Err() = nil, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Err() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckerCollectsAll(t *testing.T) {
	c := NewChecker("query")
	ap := c.For("query+allpages")
	ap.LimitRange("aplimit", 600, 1, 500, 500)
	ap.OneOf("apfilterredir", "some", []string{"all", "nonredirects", "redirects"})
	c.Exclusive("generator", 2)
	e := c.For("edit")
	e.Required("title", false)

	err := c.Err()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Err() = %T %v, want *ValidationError", err, err)
	}
	want := []Problem{
		{"query+allpages", "aplimit", "600 is above the maximum 500"},
		{"query+allpages", "apfilterredir", `"some" is not one of "all", "nonredirects" or "redirects"`},
		{"query", "generator", "2 alternatives given, at most one allowed"},
		{"edit", "title", "required"},
	}
	if diff := cmp.Diff(want, ve.Problems); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
	wantMsg := `query+allpages: aplimit: 600 is above the maximum 500; ` +
		`query+allpages: apfilterredir: "some" is not one of "all", "nonredirects" or "redirects"; ` +
		`query: generator: 2 alternatives given, at most one allowed; edit: title: required`
	if got := err.Error(); got != wantMsg {
		t.Errorf("Error() =\n%s\nwant\n%s", got, wantMsg)
	}
	if len(e.Problems()) != 4 {
		t.Errorf("a sub-checker sees %d problems, want the shared 4", len(e.Problems()))
	}
	// Err returns a snapshot.
	c.Required("x", false)
	if len(ve.Problems) != 4 {
		t.Error("a later problem changed an earlier error")
	}
}

func TestCheckerListTruncates(t *testing.T) {
	var allowed []string
	for i := 0; i < 20; i++ {
		allowed = append(allowed, strings.Repeat("v", i+1))
	}
	c := NewChecker("m")
	c.OneOf("p", "x", allowed)
	if got := c.Err().Error(); !strings.HasSuffix(got, `"vvvvvvvvvvvv" or 8 more`) {
		t.Errorf("long list message = %q", got)
	}
}
