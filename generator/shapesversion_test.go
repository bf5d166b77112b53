package generator

import (
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
)

// TestShapesOfAnotherVersion: shapes of another MediaWiki version are used
// where module and prop value match. A field only a prop value the schema
// does not list brings is left out, and the package README says that the
// shapes are of another version, and which modules lost fields.
func TestShapesOfAnotherVersion(t *testing.T) {
	s, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	opt := generatedOptions(t)
	data, err := opt.Shapes.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := apischema.DecodeShapes(data, "copy")
	if err != nil {
		t.Fatal(err)
	}
	sh.Wiki.Generator = "MediaWiki 1.99.0"
	rev := sh.Module("query+revisions")
	rev.Controls = append(rev.Controls, apischema.Control{Param: "rvprop", Values: []string{"mwgenfuture"}})
	items := rev.Response.Lookup("query", "pages", "[]", "revisions", "[]")
	items.Fields["mwgenfuturefield"] = &apischema.Field{By: []string{"rvprop=mwgenfuture"}, Node: apischema.Node{Kinds: []string{apischema.KindString}}}
	items.Fields["mwgenbothfield"] = &apischema.Field{By: []string{"rvprop=mwgenfuture", "rvprop=size"}, Node: apischema.Node{Kinds: []string{apischema.KindInt}}}
	opt.Shapes = sh
	files, err := Generate(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	var query, readme string
	for _, f := range files {
		switch f.Name {
		case "mod_query_gen.go":
			query = string(f.Data)
		case "README.md":
			readme = string(f.Data)
		}
	}
	if strings.Contains(query, `json:"mwgenfuturefield"`) {
		t.Error("a field only an unknown prop value brings was generated")
	}
	if !strings.Contains(query, `json:"mwgenbothfield"`) {
		t.Error("a field a known prop value brings too was left out")
	}
	for _, want := range []string{"MediaWiki 1.99.0, another version than this\nschema's (1.39.17)", "left out of\nquery+revisions)", "mwgen shapes probe"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}
}
