package apischema

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultShapes(t *testing.T) {
	s, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckShapesFor(schema, s); err != nil {
		t.Fatal(err)
	}
	if s.Module("query+revisions") == nil || s.Module("query+revisions").Response.Lookup("query", "pages", "[]", "revisions", "[]", "revid") == nil {
		t.Fatal("query+revisions has no revisions[].revid")
	}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(defaultShapes) {
		t.Error("re-encoding the embedded shapes does not reproduce the file byte for byte")
	}
}

func TestDefaultOverlayMatches(t *testing.T) {
	o, err := DefaultOverlay()
	if err != nil {
		t.Fatal(err)
	}
	s, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Check(s); err != nil {
		t.Errorf("overlay entries that match nothing:\n%v", err)
	}
}

func TestOverlayEntryMatchingNothingFails(t *testing.T) {
	o, err := DecodeOverlay([]byte(`{"format":"mwgen-shapes-overlay/1","entries":[
		{"module":"query+revisions","path":"response.query.pages.[].revisions.[].nosuchfield","semantic":"timestamp"},
		{"versions":"<1.30","module":"query+nosuch","path":"response.x"}]}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	err = o.Check(s)
	if err == nil || !strings.Contains(err.Error(), "nosuchfield") {
		t.Fatalf("Check = %v, want an error naming the stale entry", err)
	}
	if strings.Contains(err.Error(), "query+nosuch") {
		t.Errorf("an entry for other versions was checked: %v", err)
	}
	for _, bad := range []string{
		`{"format":"x","entries":[]}`,
		`{"format":"mwgen-shapes-overlay/1","entries":[{"module":"a","path":"response","semantic":"colour"}]}`,
		`{"format":"mwgen-shapes-overlay/1","entries":[{"module":"a","path":"response","versions":"~1.39"}]}`,
		`{"format":"mwgen-shapes-overlay/1","entries":[{"module":"a"}]}`,
		`{"format":"mwgen-shapes-overlay/1","entries":[],"extra":1}`,
	} {
		if _, err := DecodeOverlay([]byte(bad), "bad"); err == nil {
			t.Errorf("DecodeOverlay(%s) = nil error", bad)
		}
	}
}

func TestDecodeShapesBadInput(t *testing.T) {
	good := string(defaultShapes)
	for name, data := range map[string]string{
		"truncated":   good[:len(good)/2],
		"not json":    "<html>",
		"format":      strings.Replace(good, `"format": "mwgen-shapes/1"`, `"format": "mwgen-shapes/9"`, 1),
		"edited":      strings.Replace(good, `"kinds": [`+"\n"+`         "int"`, `"kinds": [`+"\n"+`         "float"`, 1),
		"bad kind":    strings.Replace(good, `"bool"`, `"boolean"`, 1),
		"unknown key": strings.Replace(good, `"format":`, `"colour": 1, "format":`, 1),
	} {
		if data == good {
			t.Fatalf("%s: the test input did not change", name)
		}
		if _, err := DecodeShapes([]byte(data), name); err == nil {
			t.Errorf("%s: DecodeShapes = nil error", name)
		}
	}
}

func TestCheckShapesForOtherVersion(t *testing.T) {
	s, _ := DefaultShapes()
	schema := &Schema{Wiki: Wiki{Generator: "MediaWiki 1.43.1", API: "https://wiki.example/api.php"}}
	err := CheckShapesFor(schema, s)
	if err == nil || !strings.Contains(err.Error(), "1.43.1") || !strings.Contains(err.Error(), "1.39") {
		t.Fatalf("CheckShapesFor = %v, want an error naming both versions", err)
	}
	schema.Wiki.Generator = "MediaWiki 1.39.2"
	if err := CheckShapesFor(schema, s); err != nil {
		t.Fatalf("same major.minor: %v", err)
	}
}

func TestDiffShapes(t *testing.T) {
	old, _ := DefaultShapes()
	new, _ := DefaultShapes()
	if d := DiffShapes(old, new); len(d) != 0 {
		t.Fatalf("diff of equal shapes: %v", d)
	}
	rev := new.Module("query+revisions").Response.Lookup("query", "pages", "[]", "revisions", "[]")
	delete(rev.Fields, "revid")
	rev.Fields["userid"].Kinds = []string{KindString}
	rev.Fields["parentid"].Required = false
	rev.Fields["mwgennew"] = &Field{Node: Node{Kinds: []string{KindInt}}}
	var mods []*ModuleShape
	for _, m := range new.Modules {
		if m.Path != "query+tags" {
			mods = append(mods, m)
		}
	}
	new.Modules = mods
	var got []string
	for _, c := range DiffShapes(old, new) {
		got = append(got, c.String())
	}
	want := []string{
		"! query+revisions response.query.pages.[].revisions.[].parentid: required (true → false)",
		"! query+revisions response.query.pages.[].revisions.[].revid: field removed",
		"! query+revisions response.query.pages.[].revisions.[].userid: kinds (int → string)",
		"  query+revisions response.query.pages.[].revisions.[].mwgennew: field added",
		"! query+tags module removed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("DiffShapes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDefaultShapesKnownFacts checks facts the JSON alone cannot tell,
// which the trace hook's ApiResult metadata and PHP types must have given.
func TestDefaultShapesKnownFacts(t *testing.T) {
	s, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	node := func(module string, path ...string) *Node {
		t.Helper()
		m := s.Module(module)
		if m == nil {
			t.Fatalf("no shape for %s", module)
		}
		n := m.Response.Lookup(path...)
		if n == nil {
			t.Fatalf("%s: no %v", module, path)
		}
		return n
	}
	pages := node("query", "query", "pages")
	if !pages.Has(KindList) || strings.Join(pages.ArrayTypes, ",") != "BCarray" {
		t.Errorf("query.pages: kinds %v, types %v; want a BCarray list", pages.Kinds, pages.ArrayTypes)
	}
	ns := node("query+siteinfo", "query", "namespaces")
	if !ns.Has(KindMap) || ns.MapKeys != "int" || !slices.Contains(ns.ArrayTypes, "assoc") {
		t.Errorf("siteinfo namespaces: %v %q %v; want an assoc map with int keys", ns.Kinds, ns.MapKeys, ns.ArrayTypes)
	}
	prot := node("query+info", "query", "pages", "[]", "protection")
	if !prot.Has(KindEmpty) || !prot.Has(KindList) {
		t.Errorf("info protection: %v; want empty (untyped []) and list", prot.Kinds)
	}
	slots := node("query+revisions", "query", "pages", "[]", "revisions", "[]", "slots")
	if !slots.Has(KindMap) || slots.KVPKeyName != "role" {
		t.Errorf("revisions slots: %v kvpkeyname %q; want a kvp map keyed by role", slots.Kinds, slots.KVPKeyName)
	}
	if n := node("query+revisions", "query", "pages", "[]", "revisions", "[]", "revid"); !n.Has(KindInt) {
		t.Errorf("revid kinds %v, want int", n.Kinds)
	}
	f := s.Module("query+revisions").Response.Lookup("query", "pages", "[]", "revisions", "[]")
	if c := f.Fields["content"]; c == nil || !slices.Contains(c.By, "rvprop=content") {
		t.Errorf("revisions content: %+v, want by rvprop=content", c)
	}
	if p := s.Module("query").Response.Lookup("query", "pages", "[]").Fields["pageid"]; p == nil || p.Required {
		t.Errorf("query pages[].pageid: %+v; want optional (missing pages have none)", p)
	}
}

func TestShapesForSchema(t *testing.T) {
	for _, tc := range []struct {
		generator string
		want      string
		exact     bool
	}{
		{"MediaWiki 1.39.17", "1.39", true},
		{"MediaWiki 1.43.9", "1.43", true},
		{"MediaWiki 1.41.2", "1.39", false},
		{"MediaWiki 1.47.0-wmf.22", "1.43", false},
		{"MediaWiki 1.35.0", "1.39", false},
		{"", "1.39", false},
	} {
		s := &Schema{Wiki: Wiki{Generator: tc.generator}}
		sh, exact, err := ShapesForSchema(s)
		if err != nil {
			t.Fatalf("%q: %v", tc.generator, err)
		}
		if got := SeriesOf(sh.MediaWikiVersion()); got != tc.want || exact != tc.exact {
			t.Errorf("ShapesForSchema(%q) = %s shapes, exact %v; want %s, %v", tc.generator, got, exact, tc.want, tc.exact)
		}
	}
	if _, err := SnapshotShapes("1.40"); err == nil || !strings.Contains(err.Error(), `no embedded MediaWiki "1.40" shapes`) {
		t.Errorf("SnapshotShapes(1.40): %v", err)
	}
}

func TestOverlayApply(t *testing.T) {
	o, err := DecodeOverlay([]byte(`{"format":"mwgen-shapes-overlay/1","entries":[
		{"module":"login","path":"response","add":{"kinds":["object"],"fields":{"login":{"required":true,"kinds":["object"],"fields":{"result":{"required":true,"kinds":["string"]}}}}}},
		{"module":"login","path":"response.login.result","values":["Success","Failed"],"fails":["Failed"]},
		{"module":"edit","path":"response.edit.captcha","add":{"kinds":["object"],"fields":{"id":{"kinds":["string"]}}}},
		{"module":"edit","path":"response.edit.pageid","optional":true},
		{"module":"purge","path":"response.purge.[].title","replace":true,"add":{"kinds":["object"],"fields":{"code":{"kinds":["string"]}}}}]}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Check(s); err != nil {
		t.Fatal(err)
	}
	a, err := o.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Module("login").Response.Lookup("login", "result"); n == nil || !n.Has(KindString) {
		t.Errorf("login's added shape: %v", n)
	}
	if a.Module("edit").Response.Lookup("edit", "captcha", "id") == nil {
		t.Error("edit's captcha was not added")
	}
	if a.Module("edit").Response.Lookup("edit").Fields["pageid"].Required {
		t.Error("edit's pageid is still required")
	}
	if !a.Module("purge").Response.Lookup("purge", "[]", "title").Has(KindObject) {
		t.Error("purge's title was not replaced")
	}
	// s itself is unchanged.
	if s.Module("login") != nil || s.Module("edit").Response.Lookup("edit", "captcha") != nil ||
		!s.Module("edit").Response.Lookup("edit").Fields["pageid"].Required ||
		!s.Module("purge").Response.Lookup("purge", "[]", "title").Has(KindString) {
		t.Error("Apply changed the shapes it was given")
	}
	for name, bad := range map[string]string{
		"an add of what the samples have": `{"module":"edit","path":"response.edit.result","add":{"kinds":["string"]}}`,
		"values on an object":             `{"module":"edit","path":"response.edit","values":["x"]}`,
	} {
		o, err := DecodeOverlay([]byte(`{"format":"mwgen-shapes-overlay/1","entries":[`+bad+`]}`), "test")
		if err != nil {
			t.Fatal(err)
		}
		if o.Check(s) == nil {
			t.Errorf("%s: Check = nil", name)
		}
	}
	for name, bad := range map[string]string{
		"fails not among values": `{"module":"a","path":"response.x","values":["A"],"fails":["B"]}`,
		"an add without kinds":   `{"module":"a","path":"response.x","add":{}}`,
	} {
		if _, err := DecodeOverlay([]byte(`{"format":"mwgen-shapes-overlay/1","entries":[`+bad+`]}`), "test"); err == nil {
			t.Errorf("%s: DecodeOverlay = nil error", name)
		}
	}
	if _, err := (&Overlay{Entries: []OverlayEntry{{Module: "nosuch", Path: "response.x", Add: &Field{Node: Node{Kinds: []string{KindString}}}}}}).Apply(s); err == nil {
		t.Error("Apply of an add under a module without a shape = nil error")
	}
}
