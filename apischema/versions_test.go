package apischema

import (
	"strings"
	"testing"
)

func snapshots(t *testing.T) (*Schema, *Schema) {
	t.Helper()
	a, err := Snapshot("1.39")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Snapshot("1.43")
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestUnionOfTheSnapshots(t *testing.T) {
	a, b := snapshots(t)
	hashA, hashB := a.Hash(), b.Hash()
	v, err := Union(b, a)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != hashA || b.Hash() != hashB {
		t.Error("Union changed its inputs")
	}
	if strings.Join(v.Versions, " ") != "1.39 1.43" || strings.Join(v.Releases, " ") != "1.39.17 1.43.9" {
		t.Errorf("versions %v, releases %v", v.Versions, v.Releases)
	}
	if err := v.Schema.Validate(); err != nil {
		t.Fatalf("the union does not validate: %v", err)
	}
	if n := len(v.Schema.Modules); n != 160 {
		t.Errorf("%d modules in the union, want 160 (141 of 1.39, 19 more in 1.43, none removed)", n)
	}
	all := v.All()
	for _, c := range []struct {
		what string
		got  string
		want string
	}{
		{"linterstats", v.Describe(v.Module("query+linterstats"), all), "Since MediaWiki 1.43"},
		{"edit", v.Describe(v.Module("edit"), all), ""},
		{"totp", v.Describe(v.Param("oathvalidate", "totp"), v.Module("oathvalidate")), "Removed in MediaWiki 1.43 (present in 1.39)"},
		{"parsedoc", v.Describe(v.Value("visualeditor", "paction", "parsedoc"), v.Param("visualeditor", "paction")), "Removed in MediaWiki 1.43 (present in 1.39)"},
		{"oldid types", strings.Join(v.TypeChange("visualeditor", "oldid"), ","), "string,integer"},
		{"oldid union", v.Schema.Module("visualeditor").Param("oldid").Type.Name, TypeString},
		{"data required", strings.Join(v.Names(v.RequiredIn("oathvalidate", "data")), ","), "1.43"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	if v.Schema.Module("oathvalidate").Param("data").Required {
		t.Error("oathvalidate data is required in the union, though 1.39 does not require it")
	}
	pa := v.Schema.Module("visualeditor").Param("paction")
	if !strings.Contains(strings.Join(pa.Type.Values, "|"), "parsedoc") {
		t.Errorf("paction lost parsedoc: %v", pa.Type.Values)
	}
}

func TestUnionBadInput(t *testing.T) {
	a, b := snapshots(t)
	raw := &Schema{Modules: a.Modules}
	for _, c := range []struct {
		name    string
		schemas []*Schema
		want    string
	}{
		{"none", nil, "no schema"},
		{"same version twice", []*Schema{a, b, a}, "two schemas of MediaWiki 1.39 (1.39.17 and 1.39.17): give one schema per version"},
		{"no version", []*Schema{a, raw}, `schema 2 (an unnamed wiki) does not say its MediaWiki version (siteinfo generator "")`},
	} {
		_, err := Union(c.schemas...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	v := &Versioned{Versions: []string{"1.39", "1.40", "1.42", "1.43"}}
	all := v.All()
	for set, want := range map[VersionSet]string{
		0b1111: "", 0b1100: "Since MediaWiki 1.42", 0b0011: "Removed in MediaWiki 1.42 (present in 1.39, 1.40)",
		0b0101: "Only in MediaWiki 1.39, 1.42", 0b0010: "Only in MediaWiki 1.40",
	} {
		if got := v.Describe(set, all); got != want {
			t.Errorf("Describe(%04b) = %q, want %q", set, got, want)
		}
	}
	// Within a container of 1.40 and later, 1.39 is not mentioned.
	if got := v.Describe(0b1100, 0b1110); got != "Since MediaWiki 1.42" {
		t.Errorf("within 1.40+: %q", got)
	}
}
