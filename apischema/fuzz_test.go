package apischema

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic, and
// whatever it accepts must survive a snapshot round trip unchanged.
func FuzzDecode(f *testing.F) {
	// Seeds stay small: the fuzzer minimises every interesting input, and
	// minimising the 100 KB fixture would take minutes per find.
	f.Add([]byte(`{"paraminfo":{"modules":[{"name":"main","path":"main","prefix":"","parameters":[{"index":1,"name":"a","type":["x","y"],"required":false,"multi":true,"default":"x|y","limit":50}],"templatedparameters":[]}]}}`))
	f.Add([]byte(`{"paraminfo":{"modules":[{"name":"main","path":"main","parameters":[{"name":"t-{v}","type":"text","templatevars":{"v":"vs"}}],"dynamicparameters":"help"}]}}`))
	f.Add([]byte(`{"error":{"code":"readapidenied","info":"x"}}`))
	f.Add([]byte(`[{"paraminfo":{"modules":[]}}]`))
	f.Add([]byte(`<html>`))
	small, err := Decode([]byte(`{"paraminfo":{"helpformat":"none","modules":[
		{"name":"main","path":"main","prefix":"","parameters":[{"index":1,"name":"action","type":["q"],"submodules":{"q":"q"},"required":false,"multi":false}]},
		{"name":"q","path":"q","group":"action","prefix":"q","mustbeposted":true,"parameters":[{"index":1,"name":"n","type":"integer","min":1,"max":5,"default":2,"required":true,"multi":false}]}]}}`), "seed")
	if err != nil {
		f.Fatal(err)
	}
	snap, err := small.MarshalSnapshot()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)

	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data, "fuzz")
		if err != nil {
			return
		}
		first, err := s.MarshalSnapshot()
		if err != nil {
			t.Fatalf("decoded schema does not encode: %v", err)
		}
		back, err := Decode(first, "snapshot")
		if err != nil {
			t.Fatalf("own snapshot does not decode: %v\n%s", err, first)
		}
		second, err := back.MarshalSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("snapshot not stable:\n%s\n---\n%s", first, second)
		}
	})
}
