package gensupport

import (
	"slices"
	"testing"

	"github.com/mwgen/mwgen/runtime"
)

func TestTemplatedFillsTarget(t *testing.T) {
	var p runtime.Params
	p.Strings("fromslots", []string{"main"})
	Templated(&p, "fromtext-{slot}", "{slot}", "fromslots", map[string]string{"aux": "b", "main": ""})
	if got := p.Form(); got != "fromslots=main%7Caux&fromtext-aux=b&fromtext-main=" {
		t.Errorf("form = %s", got)
	}
	var q runtime.Params
	Templated(&q, "t-{v}", "{v}", "vs", nil)
	if q.Len() != 0 {
		t.Errorf("empty map set %s", q.Form())
	}
}

func TestSplitMultiInvertsJoin(t *testing.T) {
	for _, vs := range [][]string{{"a"}, {"a", "b"}, {"a|b", "c"}, {""}, {"x", ""}} {
		if got := SplitMulti(runtime.JoinMulti(vs)); !slices.Equal(got, vs) && !(len(vs) == 1 && vs[0] == "" && slices.Equal(got, []string{"", ""})) {
			t.Errorf("SplitMulti(JoinMulti(%q)) = %q", vs, got)
		}
	}
	type enum string
	if got := StringsOf([]enum{"a", "b"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("StringsOf = %q", got)
	}
	if got := CountSet(true, false, true); got != 2 {
		t.Errorf("CountSet = %d", got)
	}
}

func TestFailYieldsOnce(t *testing.T) {
	want := errTest("bad")
	n := 0
	for r, err := range Fail(want) {
		n++
		if r != nil || err != want {
			t.Errorf("Fail yielded %v, %v", r, err)
		}
	}
	if n != 1 {
		t.Errorf("Fail yielded %d times", n)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
