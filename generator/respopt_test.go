package generator

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mwgen/mwgen/apischema"
)

// TestOptRule checks which answer fields of the generated package are
// runtime.Opt, and why (optReason): the overlay's absentwhen, or a hidden
// flag beside the field, for a number or free text; and that fields
// without such a reason stay plain.
func TestOptRule(t *testing.T) {
	s, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	opt := generatedOptions(t)
	m, err := buildModel(s, func(string) bool { return true }, opt)
	if err != nil {
		t.Fatal(err)
	}
	var opts []string
	plain := map[string]string{}
	for _, ps := range m.structs {
		if ps.resp == nil {
			continue
		}
		for _, st := range ps.resp.structs {
			for _, f := range st.fields {
				key := st.name + "." + f.name
				if f.typ.kind == rOpt {
					opts = append(opts, key+" "+respKinds[f.typ.elem.kind].name)
					if !strings.Contains(f.doc, "A runtime.Opt: unset when ") {
						t.Errorf("%s's doc does not say why it is an Opt: %q", key, f.doc)
					}
					if f.required {
						t.Errorf("%s is an Opt tagged required", key)
					}
					continue
				}
				plain[key] = respKinds[f.typ.kind].name
			}
		}
	}
	slices.Sort(opts)
	want := []string{
		"QueryAllrevisionsItemRevisionsItem.Comment string",
		"QueryAllrevisionsItemRevisionsItem.Parsedcomment string",
		"QueryAllrevisionsItemRevisionsItem.UserID int",
		"QueryPage.Ns namespace",
		"QueryPage.PageID int",
		"QueryRecentchangesItem.Comment string",
		"QueryRecentchangesItem.Parsedcomment string",
		"QueryRecentchangesItem.UserID int",
		"QueryRevisionsPageRevisionsItem.Comment string",
		"QueryRevisionsPageRevisionsItem.Parsedcomment string",
		"QueryRevisionsPageRevisionsItem.UserID int",
	}
	if diff := cmp.Diff(want, opts); diff != "" {
		t.Errorf("Opt fields (-want +got):\n%s", diff)
	}
	for key, kind := range map[string]string{
		"QueryRevisionsPageRevisionsItem.User":      "string", // "" is no user name
		"QueryRevisionsPageRevisionsItem.SHA1":      "string", // "" is no SHA-1 (and sha1hidden was not probed)
		"QueryRevisionsPageRevisionsItem.Size":      "int",    // only rvprop=size brings it
		"QueryRevisionsPageRevisionsItem.Minor":     "bool",   // formatversion=2 leaves false out
		"QueryRevisionsPageRevisionsItem.Timestamp": "time",
		"QueryRevisionsPageRevisionsItem.Content":   "string", // texthidden was not probed
		"QueryPage.Title":                           "string",
		"QueryAllpagesItem.Ns":                      "namespace", // a list item always has it
		"QueryAllpagesItem.PageID":                  "int",
	} {
		if got, ok := plain[key]; !ok || got != kind {
			t.Errorf("%s: plain %q (found %v), want plain %s", key, got, ok, kind)
		}
	}
}

// TestOptReason checks the rule on its own, for kinds and flags the
// embedded shapes do not combine.
func TestOptReason(t *testing.T) {
	r := &respBuilder{ov: map[string]apischema.OverlayEntry{
		overlayKey("m", "response.x.[].ns"):    {AbsentWhen: []string{"invalid"}},
		overlayKey("m", "response.x.[].title"): {AbsentWhen: []string{"invalid"}},
		overlayKey("m", "response.x.[].flag"):  {AbsentWhen: []string{"missing"}},
	}}
	obj := &apischema.Node{Fields: map[string]*apischema.Field{
		"texthidden": {}, "userhidden": {}, "content": {}, "user": {}, "userid": {}, "size": {},
	}}
	tests := []struct {
		key  string
		kind respKind
		path string
		obj  *apischema.Node
		want bool
	}{
		{"ns", rNamespace, "response.x.[].ns", nil, true},
		{"title", rString, "response.x.[].title", nil, false}, // "" is no title
		{"flag", rBool, "response.x.[].flag", nil, false},     // booleans stay plain
		{"userid", rInt, "response.y.userid", obj, true},
		{"userid", rInt, "response.y.userid", nil, false}, // no flag beside it
		{"user", rString, "response.y.user", obj, false},  // "" is no user name
		{"content", rString, "response.y.content", obj, true},
		{"size", rInt, "response.y.size", obj, false}, // filehidden is not beside it
		{"other", rInt, "response.y.other", obj, false},
	}
	for _, tt := range tests {
		if got := r.optReason(tt.key, tt.kind, "m", tt.path, tt.obj) != ""; got != tt.want {
			t.Errorf("optReason(%s, %s, %s) gives an Opt: %v, want %v", tt.key, respKinds[tt.kind].name, tt.path, got, tt.want)
		}
	}
}
