package apischema

import (
	"strings"
	"testing"
)

func TestUnionShapes(t *testing.T) {
	old, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	// The same shapes as a second version: the union is the same shapes.
	same, _ := DefaultShapes()
	same.Wiki.Generator = "MediaWiki 1.43.9"
	v, err := UnionShapes(nil, same, old)
	if err != nil {
		t.Fatal(err)
	}
	if changes := DiffShapes(old, v.Shapes); len(changes) != 0 {
		t.Errorf("the union of one shapes with itself differs from it: %d changes, e.g. %+v", len(changes), changes[0])
	}
	if strings.Join(v.Versions, " ") != "1.39 1.43" {
		t.Errorf("versions %v", v.Versions)
	}

	// A newer version that drops a field, adds one, and turns a string
	// into a number.
	cur, _ := DefaultShapes()
	cur.Wiki.Generator = "MediaWiki 1.43.9"
	ms := cur.Module("visualeditor")
	if ms == nil || ms.Response == nil {
		t.Fatal("no visualeditor shape")
	}
	ve := ms.Response.Lookup("visualeditor")
	if ve == nil || ve.Fields["etag"] == nil || ve.Fields["content"] == nil || !ve.Fields["content"].Required {
		t.Fatalf("visualeditor shape without the fields this test changes: %+v", ve)
	}
	delete(ve.Fields, "etag")
	ve.Fields["newfield"] = &Field{Required: true, Node: Node{Kinds: []string{KindString}}}
	ve.Fields["content"].Kinds = []string{KindInt}
	v, err = UnionShapes([]string{"1.39", "1.43"}, old, cur)
	if err != nil {
		t.Fatal(err)
	}
	u := v.Shapes.Module("visualeditor").Response.Lookup("visualeditor")
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"etag kept, not required", u.Fields["etag"] != nil && !u.Fields["etag"].Required},
		{"newfield added, not required", u.Fields["newfield"] != nil && !u.Fields["newfield"].Required},
		{"content keeps both kinds and stays required", u.Fields["content"].Has(KindInt) && u.Fields["content"].Has(KindString) && u.Fields["content"].Required},
		{"etag is of 1.39", v.Field("visualeditor", false, ".visualeditor.etag") == 1},
		{"newfield is of 1.43", v.Field("visualeditor", false, ".visualeditor.newfield") == 2},
		{"content is of both", v.Field("visualeditor", false, ".visualeditor.content") == 3},
	} {
		if !c.ok {
			t.Errorf("%s: no", c.what)
		}
	}
	if _, err := UnionShapes([]string{"1.40"}, old); err == nil || !strings.Contains(err.Error(), "not among the schemas' versions (1.40)") {
		t.Errorf("shapes of a version the schemas lack: %v", err)
	}
	if _, err := UnionShapes(nil, old, old); err == nil || !strings.Contains(err.Error(), "two shapes of MediaWiki 1.39") {
		t.Errorf("two shapes of one version: %v", err)
	}
}
