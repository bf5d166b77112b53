package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOptUnmarshalJSON(t *testing.T) {
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		dst      any // a pointer to an Opt
		want     any // the Opt it should hold
		wantErr  bool
	}{
		{"int zero", `0`, new(Opt[int]), Set(0), false},
		{"int", `42`, new(Opt[int]), Set(42), false},
		{"int negative", `-7`, new(Opt[int]), Set(-7), false},
		{"int minus zero", `-0`, new(Opt[int]), Set(0), false},
		{"int big", `9223372036854775807`, new(Opt[int]), Set(9223372036854775807), false},
		{"int overflow", `9223372036854775808`, new(Opt[int]), Opt[int]{}, true},
		{"int float", `1.5`, new(Opt[int]), Opt[int]{}, true},
		{"int exponent", `1e2`, new(Opt[int]), Opt[int]{}, true},
		{"int string", `"5"`, new(Opt[int]), Opt[int]{}, true},
		{"int null", `null`, new(Opt[int]), Opt[int]{}, false},
		{"int64", `-123456789012`, new(Opt[int64]), Set[int64](-123456789012), false},
		{"namespace main", `0`, new(Opt[Namespace]), Set(NamespaceMain), false},
		{"namespace special", `-1`, new(Opt[Namespace]), Set(NamespaceSpecial), false},
		{"namespace null", `null`, new(Opt[Namespace]), Opt[Namespace]{}, false},
		{"namespace bool", `true`, new(Opt[Namespace]), Opt[Namespace]{}, true},
		{"string empty", `""`, new(Opt[string]), Set(""), false},
		{"string", `"Main Page"`, new(Opt[string]), Set("Main Page"), false},
		{"string utf-8", `"Übersicht – 東京"`, new(Opt[string]), Set("Übersicht – 東京"), false},
		{"string escapes", `"a\"b\\c\u00e9\n"`, new(Opt[string]), Set("a\"b\\cé\n"), false},
		{"string number", `5`, new(Opt[string]), Opt[string]{}, true},
		{"string null", `null`, new(Opt[string]), Opt[string]{}, false},
		{"bool true", `true`, new(Opt[bool]), Set(true), false},
		{"bool false", `false`, new(Opt[bool]), Set(false), false},
		{"bool string", `""`, new(Opt[bool]), Opt[bool]{}, true},
		{"time", `"2024-05-01T12:00:00Z"`, new(Opt[time.Time]), Set(ts), false},
		{"time bad", `"yesterday"`, new(Opt[time.Time]), Opt[time.Time]{}, true},
		{"float fallback", `2.5`, new(Opt[float64]), Set(2.5), false},
		{"float zero", `0`, new(Opt[float64]), Set(0.0), false},
		{"slice fallback", `[1,2]`, new(Opt[[]int]), Set([]int{1, 2}), false},
		{"slice of another type", `{"a":1}`, new(Opt[[]int]), Opt[[]int]{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := json.Unmarshal([]byte(tt.in), tt.dst)
			if (err != nil) != tt.wantErr {
				t.Fatalf("json.Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got := reflect.ValueOf(tt.dst).Elem().Interface(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("json.Unmarshal(%s) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// An Opt field's type error says where, as a plain field's does: the
// runtime turns it into a Drift with that path.
func TestOptUnmarshalTypeErrorPath(t *testing.T) {
	var plain struct {
		Pages []struct {
			Ns Namespace `json:"ns"`
		} `json:"pages"`
	}
	var opt struct {
		Pages []struct {
			Ns Opt[Namespace] `json:"ns"`
		} `json:"pages"`
	}
	in := []byte(`{"pages":[{"ns":0},{"ns":"x"}]}`)
	var perr, oerr *json.UnmarshalTypeError
	if err := json.Unmarshal(in, &plain); !errors.As(err, &perr) {
		t.Fatalf("plain: %v, want a *json.UnmarshalTypeError", err)
	}
	if err := json.Unmarshal(in, &opt); !errors.As(err, &oerr) {
		t.Fatalf("opt: %v, want a *json.UnmarshalTypeError", err)
	}
	if perr.Field != oerr.Field || perr.Value != oerr.Value || perr.Type != oerr.Type {
		t.Errorf("opt's error %q (field %q, value %q, type %v), want plain's %q (field %q, value %q, type %v)",
			oerr, oerr.Field, oerr.Value, oerr.Type, perr, perr.Field, perr.Value, perr.Type)
	}
	if !opt.Pages[0].Ns.IsSet() {
		t.Errorf("pages[0].ns before the error: unset, want set")
	}
}

func TestOptMarshalJSON(t *testing.T) {
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"int unset", Opt[int]{}, `null`},
		{"int zero", Set(0), `0`},
		{"int", Set(-12), `-12`},
		{"int64", Set[int64](1 << 40), `1099511627776`},
		{"namespace main", Set(NamespaceMain), `0`},
		{"bool false", Set(false), `false`},
		{"string empty", Set(""), `""`},
		{"string html", Set("<a&b>"), `"\u003ca\u0026b\u003e"`},
		{"time", Set(ts), `"2024-05-01T12:00:00Z"`},
		{"float", Set(2.5), `2.5`},
		{"string unset", Opt[string]{}, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.in)
			if err != nil || string(got) != tt.want {
				t.Errorf("json.Marshal(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

// A typed answer re-marshals as it came: an Opt field the wiki left out
// stays out (omitzero), one that came as 0 stays 0.
func TestOptRoundTripOmitzero(t *testing.T) {
	type page struct {
		PageID Opt[int]       `json:"pageid,omitzero"`
		Ns     Opt[Namespace] `json:"ns,omitzero"`
		Title  string         `json:"title"`
	}
	for _, in := range []string{
		`[{"pageid":1,"ns":0,"title":"A"},{"ns":0,"title":"Missing"},{"title":"Invalid"}]`,
		`[{"pageid":0,"ns":-1,"title":"Special:X"}]`,
	} {
		var pages []page
		if err := json.Unmarshal([]byte(in), &pages); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(pages)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Errorf("round trip of %s = %s", in, out)
		}
	}
}

// sameAsT checks the property: an Opt[T] decodes exactly what T decodes
// (the same value, an error or not, of the same type), except that null
// leaves it unset.
func sameAsT[T any](t *testing.T, in []byte, eq func(a, b T) bool) {
	t.Helper()
	var want T
	werr := json.Unmarshal(in, &want)
	var got Opt[T]
	gerr := json.Unmarshal(in, &got)
	if (werr == nil) != (gerr == nil) || fmt.Sprintf("%T", werr) != fmt.Sprintf("%T", gerr) {
		t.Fatalf("%T from %q: error %v, T's %v", got, in, gerr, werr)
	}
	if werr != nil {
		return
	}
	v, ok := got.Get()
	if null := bytes.Equal(bytes.TrimSpace(in), []byte("null")); ok == null {
		t.Fatalf("%T from %q: set %v, want %v", got, in, ok, !null)
	}
	if !eq(v, want) {
		t.Fatalf("%T from %q = %#v, T's %#v", got, in, v, want)
	}
}

func eqComparable[T comparable](a, b T) bool { return a == b }

func sameAll(t *testing.T, in []byte) {
	t.Helper()
	sameAsT(t, in, eqComparable[int])
	sameAsT(t, in, eqComparable[int64])
	sameAsT(t, in, eqComparable[int32])
	sameAsT(t, in, eqComparable[Namespace])
	sameAsT(t, in, eqComparable[string])
	sameAsT(t, in, eqComparable[bool])
	sameAsT(t, in, eqComparable[float64])
	sameAsT(t, in, func(a, b time.Time) bool { return a.Equal(b) && a.Location().String() == b.Location().String() })
	sameAsT(t, in, func(a, b []string) bool { return reflect.DeepEqual(a, b) })
	sameAllInAnswer(t, in)
}

// randomJSON makes a JSON value, mostly a scalar near the fast paths'
// edges (long and signed numbers, leading zeros, escapes, non-ASCII and
// invalid UTF-8, timestamps), sometimes not JSON at all.
func randomJSON(r *rand.Rand, depth int) string {
	switch r.IntN(12) {
	case 0:
		return "null"
	case 1:
		return []string{"true", "false", "tru", "nul"}[r.IntN(4)]
	case 2, 3:
		s := strconv.FormatInt(r.Int64()>>r.IntN(64), 10)
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		return s
	case 4:
		digits := make([]byte, 1+r.IntN(25))
		for i := range digits {
			digits[i] = byte('0' + r.IntN(10))
		}
		return []string{"", "-"}[r.IntN(2)] + string(digits)
	case 5:
		return strconv.FormatFloat(r.NormFloat64()*1e3, []byte("gef")[r.IntN(3)], -1, 64)
	case 6, 7, 8:
		var b strings.Builder
		b.WriteByte('"')
		for range r.IntN(12) {
			switch r.IntN(8) {
			case 0:
				b.WriteString([]string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, `\ud800`, `\/`}[r.IntN(7)])
			case 1:
				b.WriteString([]string{"é", "東", "😀", "\xff", "\xc3", "\x01", "\t"}[r.IntN(7)])
			default:
				b.WriteByte(byte(' ' + r.IntN(95)))
			}
		}
		b.WriteByte('"')
		return b.String()
	case 9:
		return []string{`"2024-05-01T12:00:00Z"`, `"2024-05-01T12:00:00+02:00"`, `"2024-05-01T12:00:00.5Z"`,
			`"2024-13-01T12:00:00Z"`, `"infinity"`, `""`}[r.IntN(6)]
	case 10:
		if depth > 1 {
			return "[]"
		}
		n := r.IntN(3)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = randomJSON(r, depth+1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		if depth > 1 {
			return "{}"
		}
		return `{"a":` + randomJSON(r, depth+1) + `}`
	}
}

func TestOptDecodesAsT(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	for range 20000 {
		in := randomJSON(r, 0)
		if r.IntN(8) == 0 {
			in = " " + in + "\n"
		}
		sameAll(t, []byte(in))
	}
}

func FuzzOptDecodesAsT(f *testing.F) {
	for _, s := range []string{`0`, `-1`, `123456789012345678`, `1234567890123456789`, `01`, `1.0`, `1e3`,
		`""`, `"a"`, `"\u00e9"`, `"é"`, "\"\xff\"", `true`, `false`, `null`, `[]`, `{}`, `"2024-05-01T12:00:00Z"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(sameAll)
}

// The fast paths allocate nothing beyond the string itself.
func TestOptUnmarshalAllocs(t *testing.T) {
	var n Opt[int]
	var ns Opt[Namespace]
	var s Opt[string]
	num, str := []byte("12345"), []byte(`"mwgen test import"`)
	if a := testing.AllocsPerRun(100, func() {
		_ = n.UnmarshalJSON(num)
		_ = ns.UnmarshalJSON(num)
	}); a != 0 {
		t.Errorf("Opt[int] and Opt[Namespace]: %v allocations, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { _ = s.UnmarshalJSON(str) }); a != 1 {
		t.Errorf("Opt[string]: %v allocations, want 1 (the string)", a)
	}
}

func BenchmarkOptUnmarshal(b *testing.B) {
	type plain struct {
		PageID  int       `json:"pageid"`
		Ns      Namespace `json:"ns"`
		Comment string    `json:"comment"`
	}
	type opt struct {
		PageID  Opt[int]       `json:"pageid"`
		Ns      Opt[Namespace] `json:"ns"`
		Comment Opt[string]    `json:"comment"`
	}
	in := []byte(`{"pageid":12345,"ns":0,"comment":"mwgen test import"}`)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var v plain
			if err := json.Unmarshal(in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("opt", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var v opt
			if err := json.Unmarshal(in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
