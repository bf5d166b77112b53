package runtime

import (
	"slices"
	"testing"
)

func TestTemplatedFillsTarget(t *testing.T) {
	var p Params
	p.Strings("fromslots", []string{"main"})
	p.Templated("fromtext-{slot}", "{slot}", "fromslots", map[string]string{"aux": "b", "main": ""})
	if got := p.Form(); got != "fromslots=main%7Caux&fromtext-aux=b&fromtext-main=" {
		t.Errorf("form = %s", got)
	}
	var q Params
	q.Templated("t-{v}", "{v}", "vs", nil)
	if q.Len() != 0 {
		t.Errorf("empty map set %s", q.Form())
	}
}

func TestSplitMultiInvertsJoin(t *testing.T) {
	for _, vs := range [][]string{{"a"}, {"a", "b"}, {"a|b", "c"}, {""}, {"x", ""}} {
		if got := SplitMulti(JoinMulti(vs)); !slices.Equal(got, vs) && !(len(vs) == 1 && vs[0] == "" && slices.Equal(got, []string{"", ""})) {
			t.Errorf("SplitMulti(JoinMulti(%q)) = %q", vs, got)
		}
	}
	type enum string
	if got := StringsOf([]enum{"a", "b"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("StringsOf = %q", got)
	}
}
