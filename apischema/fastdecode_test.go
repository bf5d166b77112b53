package apischema

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sameDecode fails the test unless the one-pass decoder and the decoder
// it replaced (decodeWith(data, false): encoding/json, the MarshalJSON
// methods) agree on data: the same error, or equal schemas that write
// the same snapshot and hash.
func sameDecode(t *testing.T, data []byte) {
	t.Helper()
	fast, ferr := decodeChecked(data, true)
	slow, serr := decodeChecked(data, false)
	if (ferr == nil) != (serr == nil) || (ferr != nil && ferr.Error() != serr.Error()) {
		t.Fatalf("one-pass decoder: %v\nold decoder:      %v", ferr, serr)
	}
	if ferr != nil {
		return
	}
	if !reflect.DeepEqual(fast, slow) {
		for i := range min(len(fast.Modules), len(slow.Modules)) {
			if !reflect.DeepEqual(fast.Modules[i], slow.Modules[i]) {
				t.Fatalf("module %d differs:\none-pass: %#v\nold:      %#v", i, fast.Modules[i], slow.Modules[i])
			}
		}
		t.Fatalf("schemas differ:\none-pass: %#v\nold:      %#v", fast, slow)
	}
	if a, b := fast.Hash(), slow.legacyHash(); a != b {
		t.Fatalf("Hash %s, encoding/json's %s", a, b)
	}
	a, aerr := fast.MarshalSnapshot()
	b, berr := slow.legacyMarshalSnapshot()
	if (aerr == nil) != (berr == nil) {
		t.Fatalf("MarshalSnapshot: %v; encoding/json's: %v", aerr, berr)
	}
	if !bytes.Equal(a, b) {
		i := 0
		for i < min(len(a), len(b)) && a[i] == b[i] {
			i++
		}
		lo := max(0, i-200)
		t.Fatalf("MarshalSnapshot differs at byte %d:\none-pass: %q\nold:      %q", i, a[lo:min(len(a), i+100)], b[lo:min(len(b), i+100)])
	}
}

// decodeChecked is Decode with or without the one-pass decoder.
func decodeChecked(data []byte, fast bool) (*Schema, error) {
	s, err := decodeWith(data, fast)
	if err == nil {
		err = s.Validate()
	}
	return s, err
}

// realInputs are the real schemas in the repository: the embedded
// snapshots, the Wikimedia dump, the fixtures.
func realInputs(t testing.TB) map[string][]byte {
	t.Helper()
	files := []string{
		"snapshots/mediawiki-1.39.json",
		"snapshots/mediawiki-1.43.json",
		"testdata/wikimedia/mediawiki.org-1.47.0-wmf.22.json",
		"testdata/paraminfo-batches.json",
		"testdata/diff/old.json",
		"testdata/diff/new.json",
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	return out
}

func TestOnePassDecoderMatchesOld(t *testing.T) {
	for name, data := range realInputs(t) {
		t.Run(name, func(t *testing.T) {
			sameDecode(t, data)
			// And as a raw paraminfo answer, the form fetch reads.
			s, err := Decode(data, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, hf := range []string{"", "wikitext"} {
				s.HelpFormat = hf
				sameDecode(t, answerOf(t, s))
			}
		})
	}
}

// answerOf writes s's modules as one paraminfo answer.
func answerOf(t *testing.T, s *Schema) []byte {
	t.Helper()
	mods, err := marshal(s.Modules)
	if err != nil {
		t.Fatal(err)
	}
	hf, _ := marshal(s.HelpFormat)
	return []byte(`{"batchcomplete":true,"paraminfo":{"helpformat":` + string(hf) + `,"modules":` + string(mods) + `}}`)
}

// TestOnePassDecoderTakesTheSnapshots keeps the embedded snapshots on the
// fast path: every module decoded in one pass, none left to the slow one.
func TestOnePassDecoderTakesTheSnapshots(t *testing.T) {
	for _, f := range []string{"snapshots/mediawiki-1.39.json", "snapshots/mediawiki-1.43.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := readFastDoc(data)
		if err != nil {
			t.Fatalf("%s: the fast path leaves the document to the slow one: %v", f, err)
		}
		if !d.snapshot || len(d.modules) == 0 {
			t.Fatalf("%s: read as snapshot=%v with %d modules", f, d.snapshot, len(d.modules))
		}
		for i, it := range d.modules {
			if it.m == nil {
				t.Errorf("%s: module %d left to the slow path: %.200s", f, i, it.raw)
			}
		}
	}
}

// Inputs on which the two paths part ways if the fast one gets a detail
// of encoding/json wrong.
var edgeCases = []string{
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":null}]}}`,
	`{"paraminfo":{"modules":[{"NAME":"main","path":"main","parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","Name":"x","path":"main","parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","path":"other","parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"m\u00e9\ud83d\ude00\ud800x\"\n<&>\u2028","path":"main","parameters":[],"zz":{"a" : [1, 2]},"aa":null}]}}`,
	"{\"paraminfo\":{\"modules\":[{\"name\":\"\xff\xfe\",\"path\":\"main\",\"parameters\":[],\"x\":\"\xff<\"}]}}",
	`{"paraminfo":{"modules":[{"name":"main","path":"main","description":["raw","help"],"parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","dynamicparameters":{"key":"x"},"parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","dynamicparameters":"","parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","dynamicparameters":null,"parameters":[]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":["x",1,true]}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":"enum"},{"name":"b","type":[]},{"name":"c","type":""}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":"string","default":null},{"name":"b","type":"string","default":[ "x" , 1 ]},{"name":"c","type":"string","default":{}}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":"integer","min":1.5,"max":1e3,"limit":-0,"default":-0.5e+3}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":"integer","min":99999999999999999999}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"a","type":"string","info":[{"name":"n","values":[1,"b",["c"],null],"x":1}],"submodules":{"a":"b","a":"c"},"templatevars":{}}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"tags","type":["a","b"]}],"examples":[{"query":"q","Query":"r"},{"query":"q","more":[]}]}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[null]}]}}`,
	`{"paraminfo":{"modules":[1,"x",{"name":"q","parameters":[]},{"name":"main","path":"main","parameters":[]}]}}`,
	`{"paraminfo":{"helpformat":"wikitext","modules":[{"name":"main","path":"main","parameters":[]}]},"helpformat":"html","wiki":{"api":"x"},"hash":"h"}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}} {"paraminfo":{"modules":[{"name":"q","path":"q","parameters":[]}]}}`,
	`{"batchcomplete":true,"query":{"general":{"generator":"MediaWiki 1.39"}}}` + "\n" + `{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}}`,
	`[{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}}]`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]},"error":{"code":"x","info":"y"}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]},"format":"x"}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}} x`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[],"x":01}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[],"x":"\x01"}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[],"x":"\q"}]}}`,
	`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[],"x":tru}]}}`,
	`{"ParamInfo":{"modules":[{"name":"main","path":"main","parameters":[]}]}}`,
	`{"paraminfo":{"Modules":[{"name":"main","path":"main","parameters":[]}]}}`,
}

func TestOnePassDecoderEdgeCases(t *testing.T) {
	for _, c := range edgeCases {
		t.Run("", func(t *testing.T) { sameDecode(t, []byte(c)) })
	}
	// Snapshots: written by both writers, read by both readers.
	for _, c := range edgeCases {
		s, err := decodeChecked([]byte(c), false)
		if err != nil {
			continue
		}
		snap, err := s.legacyMarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		sameDecode(t, snap)
		sameDecode(t, bytes.Replace(snap, []byte(`"format"`), []byte(`"Format"`), 1))
		sameDecode(t, bytes.Replace(snap, []byte(`"fetched": "`), []byte(`"fetched": "x`), 1))
	}
}

// FuzzOnePassDecoder holds the one-pass decoder equal to the old one on
// arbitrary input: the same error, or the same schema, snapshot and hash.
func FuzzOnePassDecoder(f *testing.F) {
	for _, c := range edgeCases {
		f.Add([]byte(c))
	}
	s, err := decodeChecked([]byte(edgeCases[5]), false)
	if err != nil {
		f.Fatal(err)
	}
	snap, err := s.legacyMarshalSnapshot()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)
	f.Fuzz(func(t *testing.T, data []byte) { sameDecode(t, data) })
}
