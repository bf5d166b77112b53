package generator

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mwgen/mwgen/apischema"
)

// The model's decisions, tested without rendering code.

func TestFieldChecks(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	closed := &enumType{name: "E", values: []enumValue{{name: "EA", value: "a"}}}
	open := &enumType{name: "E", values: closed.values, open: true}
	tests := []struct {
		name string
		p    apischema.Param
		f    field
		want []check
	}{
		{"required string", apischema.Param{Required: true}, field{kind: kString},
			[]check{{kind: checkRequired}}},
		{"int with bounds", apischema.Param{Min: i64(1), Max: i64(50), HighMax: i64(500)}, field{kind: kInt},
			[]check{{kind: checkIntRange, min: optInt{1, true}, max: optInt{500, true}}}},
		{"int bound beyond 32 bits is left out", apischema.Param{Min: i64(0), Max: i64(math.MaxInt64)}, field{kind: kInt},
			[]check{{kind: checkIntRange, min: optInt{0, true}}}},
		{"int without bounds", apischema.Param{}, field{kind: kInt}, nil},
		{"ints with bounds", apischema.Param{Multi: true, Min: i64(0)}, field{kind: kInts},
			[]check{{kind: checkIntsRange, min: optInt{0, true}}}},
		{"limit", apischema.Param{Min: i64(1), Max: i64(50), HighMax: i64(500)}, field{kind: kLimit},
			[]check{{kind: checkLimitRange, lo: 1, hi: 50, highmax: 500}}},
		{"limit without bounds is clamped", apischema.Param{Max: i64(math.MaxInt64)}, field{kind: kLimit},
			[]check{{kind: checkLimitRange, lo: 0, hi: math.MaxInt32, highmax: math.MaxInt32}}},
		{"closed enum", apischema.Param{}, field{kind: kEnum, enum: closed},
			[]check{{kind: checkOneOf}}},
		{"open enum", apischema.Param{}, field{kind: kEnum, enum: open}, nil},
		{"closed multi enum with limit", apischema.Param{Multi: true, AllSpecifier: "*", HighLimit: ptr(500)}, field{kind: kEnums, enum: closed},
			[]check{{kind: checkAllOf, allSpecifier: "*"}, {kind: checkCount, limit: 500}}},
		{"strings with limit", apischema.Param{Multi: true, HighLimit: ptr(500)}, field{kind: kStrings},
			[]check{{kind: checkCount, limit: 500}}},
		{"selector", apischema.Param{Required: true}, field{kind: kSelector},
			[]check{{kind: checkRequired}, {kind: checkNested}}},
		{"templated has no count", apischema.Param{Multi: true, HighLimit: ptr(500)}, field{kind: kTemplated}, nil},
	}
	for _, tc := range tests {
		got := fieldChecks(&tc.p, &tc.f)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(check{}, optInt{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestTemplateOf(t *testing.T) {
	p := &apischema.Param{Name: "fromtext-{slot}", TemplateVars: map[string]string{"slot": "fromslots"}}
	want := &template{name: "fromtext-{slot}", placeholder: "{slot}", target: "fromslots"}
	if got := templateOf(p); *got != *want {
		t.Errorf("templateOf = %+v, want %+v", got, want)
	}
}
