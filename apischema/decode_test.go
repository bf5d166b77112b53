package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// batches is a real MediaWiki 1.39 paraminfo response cut down to 13
// modules, saved as three documents (siteinfo, then two paraminfo batches)
// the way curl >> file leaves them.
func decodeBatches(t testing.TB) *Schema {
	t.Helper()
	s, err := Decode(readTestdata(t, "paraminfo-batches.json"), "paraminfo-batches.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecodeRawBatches(t *testing.T) {
	s := decodeBatches(t)
	if got, want := len(s.Modules), 13; got != want {
		t.Fatalf("got %d modules, want %d", got, want)
	}
	wantWiki := Wiki{Server: "http://wiki.example.org", SiteName: "Example Wiki", WikiID: "wiki", Generator: "MediaWiki 1.39.17", Lang: "en"}
	if diff := cmp.Diff(wantWiki, s.Wiki); diff != "" {
		t.Errorf("wiki (-want +got):\n%s", diff)
	}
	if v := s.Wiki.MediaWikiVersion(); v != "1.39.17" {
		t.Errorf("MediaWikiVersion = %q", v)
	}
	if s.HelpFormat != "wikitext" {
		t.Errorf("helpformat = %q", s.HelpFormat)
	}
	for i := 1; i < len(s.Modules); i++ {
		if s.Modules[i-1].Path >= s.Modules[i].Path {
			t.Errorf("modules not sorted: %q before %q", s.Modules[i-1].Path, s.Modules[i].Path)
		}
	}

	ap := s.Module("query+allpages")
	if ap == nil || ap.Prefix != "ap" || !ap.Generator || !ap.ReadRights {
		t.Fatalf("query+allpages = %+v", ap)
	}
	limit := ap.Param("limit")
	if limit.Type.Name != TypeLimit || *limit.Min != 1 || *limit.Max != 500 || *limit.HighMax != 5000 {
		t.Errorf("aplimit = %+v", limit)
	}
	if v, ok := limit.Default.Int(); !ok || v != 10 {
		t.Errorf("aplimit default = %v", limit.Default)
	}
	if ap.WireName(limit) != "aplimit" {
		t.Errorf("wire name %q", ap.WireName(limit))
	}
	filter := ap.Param("filterredir")
	if !filter.Type.IsEnum() || strings.Join(filter.Type.Values, ",") != "all,nonredirects,redirects" {
		t.Errorf("apfilterredir type = %v", filter.Type)
	}
	if filter.Default.String() != "all" || filter.Default.Kind() != ScalarString {
		t.Errorf("apfilterredir default = %v", filter.Default)
	}

	edit := s.Module("edit")
	if !edit.MustBePosted || !edit.WriteRights {
		t.Errorf("edit flags: %+v", edit)
	}
	if tok := edit.Param("token"); tok.TokenType != "csrf" || !tok.Sensitive || !tok.Required {
		t.Errorf("edit token = %+v", tok)
	}

	cmpMod := s.Module("compare")
	ft := cmpMod.Param("fromtext-{slot}")
	if ft == nil || ft.TemplateVars["slot"] != "fromslots" {
		t.Errorf("compare fromtext-{slot} = %+v", ft)
	}

	login := s.Module("login")
	if pw := login.Param("password"); pw.Type.Name != TypePassword || !pw.Sensitive {
		t.Errorf("login password = %+v", pw)
	}

	q := s.Module("query")
	gen := q.Param("generator")
	if gen.SubmoduleParamPrefix != "g" || gen.Submodules["allpages"] != "query+allpages" {
		t.Errorf("query generator = %+v", gen)
	}
	if got := s.Main().Param("action").Submodules["edit"]; got != "edit" {
		t.Errorf("main action submodules[edit] = %q", got)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := decodeBatches(t)
	s.FetchedAt = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.Wiki.API = "http://wiki.example.org/api.php"
	first, err := s.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Error("snapshot does not end in a newline")
	}
	back, err := Decode(first, "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	second, err := back.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(second)); diff != "" {
		t.Errorf("snapshot not stable through a round trip (-first +second):\n%s", diff)
	}
	if back.Hash() != s.Hash() || !back.FetchedAt.Equal(s.FetchedAt) || back.Wiki != s.Wiki {
		t.Errorf("round trip lost metadata: %+v", back.Wiki)
	}
	// The key order is part of the format: fixed header, then modules.
	for _, key := range []string{`"format"`, `"wiki"`, `"fetched"`, `"helpformat"`, `"hash"`, `"modules"`} {
		if !bytes.Contains(first, []byte(key)) {
			t.Errorf("snapshot lacks %s", key)
		}
	}
	if bytes.Contains(first, []byte(`\u0026`)) {
		t.Error("snapshot escapes & as \\u0026; help text should stay readable")
	}
}

func TestUnknownFieldsAndTypesAreKept(t *testing.T) {
	in := `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[
		{"index":1,"name":"future","type":"hologram","required":false,"multi":false,"quantum":{"spin":[1,2]},"description":[{"key":"msg"}]},
		{"index":2,"name":"flag","type":"boolean","required":false,"multi":false}],
		"newmoduleflag":true,"dynamicparameters":[{"key":"apihelp-x"}],
		"examples":[{"query":"action=x","description":"d","lang":"fr"}]}]}}`
	s, err := Decode([]byte(in), "future.json")
	if err != nil {
		t.Fatal(err)
	}
	m := s.Main()
	if !m.DynamicParameters {
		t.Error("structured dynamicparameters lost the flag")
	}
	p := m.Param("future")
	if p.Type.Name != "hologram" {
		t.Errorf("unknown type became %q", p.Type.Name)
	}
	out, err := s.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"type": "hologram"`, `"quantum": {`, `"newmoduleflag": true`, `"dynamicparameters": [`, `"lang": "fr"`, `"key": "msg"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("snapshot lost %s:\n%s", want, out)
		}
	}
	back, err := Decode(out, "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := back.MarshalSnapshot()
	if !bytes.Equal(out, again) {
		t.Errorf("unknown fields not stable:\n%s\n---\n%s", out, again)
	}
}

func TestHashIgnoresVolatileData(t *testing.T) {
	base := decodeBatches(t)
	h := base.Hash()

	volatile := decodeBatches(t)
	volatile.FetchedAt = time.Now()
	volatile.Wiki.API = "http://elsewhere/api.php"
	for _, m := range volatile.Modules {
		m.LicenseLink = strings.ReplaceAll(m.LicenseLink, "wiki.example.org", "127.0.0.1:8080")
	}
	tags := volatile.Module("edit").Param("tags")
	if !VolatileEnum(volatile.Module("edit"), tags) {
		t.Fatal("edit tags should be volatile")
	}
	tags.Type.Values = []string{"mw-new-tag", "bot-tag"}
	if got := volatile.Hash(); got != h {
		t.Errorf("hash changed with volatile data: %s vs %s", got, h)
	}

	real := decodeBatches(t)
	real.Module("query+allpages").Param("filterredir").Type.Values = []string{"all"}
	if real.Hash() == h {
		t.Error("hash did not change when an enum lost values")
	}
}

func TestDecodeBadInput(t *testing.T) {
	valid := string(readTestdata(t, "paraminfo-batches.json"))
	snapshot, err := decodeBatches(t).MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, input, want string
	}{
		{"empty", "  \n", "empty input"},
		{"html page", "<!DOCTYPE html><html><body>Wikimedia Error</body></html>", "got HTML"},
		{"plain text", "MediaWiki internal error.", "not JSON"},
		{"truncated", valid[:len(valid)/2], "truncated JSON"},
		{"syntax error", `{"paraminfo": {"modules": [}}`, "invalid JSON at line 1, column 28"},
		{"readapidenied", `{"error":{"code":"readapidenied","info":"You need read permission to use this module."}}`, "readapidenied"},
		{"errorformat plaintext", `{"errors":[{"code":"readapidenied","text":"You need read permission.","module":"main"}]}`, "authenticate"},
		{"empty module list", `{"paraminfo":{"helpformat":"none","modules":[]}}`, "no modules"},
		{"modules is an object", `{"paraminfo":{"modules":{"main":{}}}}`, "modules: want a JSON array"},
		{"module is a string", `{"paraminfo":{"modules":["main"]}}`, "modules[0]: want a module object"},
		{"parameters wrong shape", `{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":{"a":1}}]}}`, `modules[0] (main): field "parameters"`},
		{"type wrong shape", `{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":{"x":1}}]}]}}`, `parameter "a": want a type name`},
		{"no paraminfo", `{"batchcomplete":true,"limits":{}}`, "no \"paraminfo\" key"},
		{"duplicate parameter", `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"title","type":"string","required":false,"multi":false},
			{"index":2,"name":"title","type":"integer","required":false,"multi":false}]}]}}`, `module "main": duplicate parameter "title" (entries 1 and 2)`},
		{"generator that is not a generator", `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"generator","type":["edit"],"submodules":{"edit":"edit"},"submoduleparamprefix":"g","required":false,"multi":false}]},
			{"name":"edit","path":"edit","prefix":"","parameters":[]}]}}`, `value "edit" selects module "edit", which is not a generator`},
		{"object default", `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"a","type":"string","default":{"x":1},"required":false,"multi":false}]}]}}`, `modules[0] (main): parameter "a": field "default": want a string, number, boolean, array or null, got a JSON object (MediaWiki never sends one here): "{\"x\":1}"`},
		{"nested array default", `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"a","type":"string","default":[["x"]],"required":false,"multi":true}]}]}}`, `nested array`},
		{"module without path", `{"paraminfo":{"modules":[{"name":"main","parameters":[]}]}}`, "no path"},
		{"conflicting duplicate module", `{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}}
			{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"x","parameters":[]}]}}`, `module "main" appears twice with different content`},
		{"edited snapshot", strings.Replace(string(snapshot), `"name": "aplimit"`, `"name": "aplimit"`, 1) + "", ""}, // unchanged: must decode
		{"tampered snapshot", strings.Replace(string(snapshot), `"nonredirects"`, `"nonredirect"`, 1), "hash"},
		{"unknown snapshot format", `{"format":"mwgen-schema/99","modules":[]}`, "unknown snapshot format"},
		{"templatevar bound to nothing", `{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[],
			"templatedparameters":[{"index":1,"name":"text-{slot}","templatevars":{"slot":"slots"},"type":"text","required":false,"multi":false}]}]}}`, `bound to "slots", which is not a parameter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.input), "in.json")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error containing %q, got none", tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "in.json: ") {
				t.Errorf("error does not name the input: %q", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestAPIErrorIsTyped(t *testing.T) {
	_, err := Decode([]byte(`{"error":{"code":"readapidenied","info":"no"}}`), "x")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "readapidenied" {
		t.Fatalf("want *APIError readapidenied, got %v", err)
	}
}

func TestScalarKinds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		kind ScalarKind
		str  string
	}{
		{`"a|b"`, ScalarString, "a|b"},
		{`10`, ScalarNumber, "10"},
		{`-1.5`, ScalarNumber, "-1.5"},
		{`true`, ScalarBool, "true"},
		{`false`, ScalarBool, "false"},
		{`""`, ScalarString, ""},
		{`["content","links"]`, ScalarArray, "content|links"},
		{`[]`, ScalarArray, ""},
		{`[1,true,"x",null]`, ScalarArray, "1|true|x|"},
		{`null`, ScalarNull, ""},
	} {
		var s Scalar
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if s.Kind() != tt.kind || s.String() != tt.str {
			t.Errorf("%s: kind %v string %q", tt.in, s.Kind(), s.String())
		}
		out, _ := json.Marshal(s)
		if string(out) != tt.in {
			t.Errorf("%s: marshals as %s", tt.in, out)
		}
	}
	var s Scalar
	if err := json.Unmarshal([]byte(`{"a":1}`), &s); err == nil {
		t.Error("an object was accepted as a scalar")
	}
}

// The real www.mediawiki.org dump: every shape it holds decodes, the array
// default is kept, and the snapshot round trip is byte-identical.
func TestDecodeWikimediaDump(t *testing.T) {
	s, err := Decode(readTestdata(t, "wikimedia/mediawiki.org-1.47.0-wmf.22.json"), "dump")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Modules) != 50 {
		t.Fatalf("got %d modules, want 50", len(s.Modules))
	}
	if v := s.Wiki.MediaWikiVersion(); v != "1.47.0-wmf.22" {
		t.Errorf("version %q", v)
	}
	builders := s.Module("query+cirrusbuilddoc").Param("builders")
	if builders.Default == nil || builders.Default.Kind() != ScalarArray ||
		strings.Join(builders.Default.Values(), ",") != "content,links" || builders.Default.Raw() != `["content","links"]` {
		t.Fatalf("cbbuilders default = %#v", builders.Default)
	}
	if d := s.Dangling(); len(d) < 100 {
		t.Errorf("want the dump's main and query to name 100+ modules it does not hold, got %d", len(d))
	}
	snap, err := s.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(snap, []byte(`"default": [`)) {
		t.Error("the snapshot lost the array default")
	}
	again, err := Decode(snap, "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	snap2, err := again.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, snap2) {
		t.Error("snapshot round trip is not byte-identical")
	}
	// Module objects survive verbatim: re-encoding each gives the input's JSON.
	var docs []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(readTestdata(t, "wikimedia/mediawiki.org-1.47.0-wmf.22.json")))
	for dec.More() {
		var d json.RawMessage
		if err := dec.Decode(&d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	var raw struct {
		ParamInfo struct {
			Modules []json.RawMessage `json:"modules"`
		} `json:"paraminfo"`
	}
	if err := json.Unmarshal(docs[1], &raw); err != nil {
		t.Fatal(err)
	}
	for _, in := range raw.ParamInfo.Modules {
		var m Module
		if err := json.Unmarshal(in, &m); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, in, out) {
			t.Errorf("module %s changed in a round trip:\nin  %s\nout %s", m.Path, in, out)
		}
	}
}

// sameJSON compares two JSON documents as values. Booleans that are false
// and empty arrays, which paraminfo sends and the model leaves out, are
// dropped from objects first.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatal(err)
	}
	return cmp.Equal(dropEmpty(va), dropEmpty(vb))
}

func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if arr, ok := e.([]any); ok && len(arr) == 0 && k != "parameters" && k != "type" {
				continue
			}
			if e == false && k != "required" && k != "multi" {
				continue
			}
			out[k] = dropEmpty(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = dropEmpty(e)
		}
		return out
	}
	return v
}

// Every default shape survives a snapshot round trip, byte for byte.
func TestDefaultShapesRoundTrip(t *testing.T) {
	in := `{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"main","prefix":"","parameters":[
		{"index":1,"name":"s","type":"string","default":"x","required":false,"multi":false},
		{"index":2,"name":"e","type":"string","default":"","required":false,"multi":false},
		{"index":3,"name":"n","type":"integer","default":-1,"required":false,"multi":false},
		{"index":4,"name":"b","type":"boolean","default":false,"required":false,"multi":false},
		{"index":5,"name":"a","type":["x","y"],"default":["x","y"],"required":false,"multi":true},
		{"index":6,"name":"z","type":"string","default":null,"required":false,"multi":false},
		{"index":7,"name":"ea","type":["x"],"default":[],"required":false,"multi":true}]}]}}`
	s, err := Decode([]byte(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"s": `"x"`, "e": `""`, "n": `-1`, "b": `false`, "a": `["x","y"]`, "z": `null`, "ea": `[]`}
	for name, raw := range want {
		p := s.Main().Param(name)
		if p.Default == nil || p.Default.Raw() != raw {
			t.Errorf("%s: default %v, want %s", name, p.Default, raw)
		}
	}
	snap, err := s.MarshalSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Decode(snap, "snap")
	if err != nil {
		t.Fatal(err)
	}
	snap2, _ := again.MarshalSnapshot()
	if !bytes.Equal(snap, snap2) {
		t.Errorf("round trip differs:\n%s\n%s", snap, snap2)
	}
	for name, raw := range want {
		if p := again.Main().Param(name); p.Default == nil || p.Default.Raw() != raw {
			t.Errorf("%s after round trip: default %v, want %s", name, p.Default, raw)
		}
	}
}

// A known field in a shape its Go field cannot hold is data: kept
// verbatim, never a refusal.
func TestUnexpectedShapesAreKept(t *testing.T) {
	in := `{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"main","prefix":"","helpurls":"https://x","templatedparameters":{},"parameters":[
		{"index":1,"name":"f","type":"float","max":1.5,"min":"0","tokentype":false,"required":false,"multi":false},
		{"index":2,"name":"n","type":[1,2,"three"],"required":false,"multi":false}]}]}}`
	s, err := Decode([]byte(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	m := s.Main()
	p := m.Param("f")
	if p.Max != nil || string(p.Extra["max"]) != "1.5" || string(p.Extra["min"]) != `"0"` || string(p.Extra["tokentype"]) != "false" {
		t.Errorf("param extras %v", p.Extra)
	}
	if n := m.Param("n"); strings.Join(n.Type.Values, ",") != "1,2,three" {
		t.Errorf("numeric enum: %v", n.Type)
	}
	if string(m.Extra["helpurls"]) != `"https://x"` || string(m.Extra["templatedparameters"]) != "{}" {
		t.Errorf("module extras %v", m.Extra)
	}
	out, _ := json.Marshal(p)
	if !sameJSON(t, []byte(`{"index":1,"name":"f","type":"float","max":1.5,"min":"0","tokentype":false,"required":false,"multi":false}`), out) {
		t.Errorf("re-encoded as %s", out)
	}
}

// Many problems fit on one screen: each kind once, with a count and its
// first places.
func TestProblemsAreGrouped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"paraminfo":{"modules":[`)
	for i := range 40 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"m%d","path":"m%d","parameters":[{"name":"a","type":"string","default":{"o":%d}}]}`, i, i, i)
		fmt.Fprintf(&b, `,{"name":"n%d","path":"n%d","parameters":[{"name":"b","type":"string","max":"x","multi":"no"}]}`, i, i)
	}
	b.WriteString(`]}}`)
	_, err := Decode([]byte(b.String()), "big.json")
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	if len(lines) > 20 {
		t.Errorf("%d lines:\n%s", len(lines), msg)
	}
	for _, want := range []string{"80 problems of 2 kinds", "a value that is a JSON object (40):", `modules[0] (m0): parameter "a": field "default"`, "... and 37 more", `field "multi": want a boolean`} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}
