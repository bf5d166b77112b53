package naming

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/token"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/names.txt with the current output")

const fixture = "testdata/names.txt"

type fixtureLine struct {
	comment  string // a "#" or blank line, kept as it is
	input    string
	exported string
}

func readFixture(t *testing.T) []fixtureLine {
	t.Helper()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var lines []fixtureLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			lines = append(lines, fixtureLine{comment: line})
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 2 {
			t.Fatalf("%s:%d: want 2 tab-separated fields, got %d", fixture, n, len(f))
		}
		in, err := strconv.Unquote(f[0])
		if err != nil {
			t.Fatalf("%s:%d: input %s: %v", fixture, n, f[0], err)
		}
		lines = append(lines, fixtureLine{input: in, exported: f[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// quote quotes s like strconv.Quote but also escapes every non-ASCII rune
// that is not a letter or digit (combining marks, symbols, format
// characters), so that the fixture shows exactly what the rules see.
func quote(s string) string {
	q := strconv.Quote(s)
	var b strings.Builder
	for _, r := range q {
		if r >= utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			b.WriteString(strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestFixture checks Exported against testdata/names.txt: lines of
// Go-quoted input and Exported, separated by a tab.
// With -update it rewrites the outputs instead; review the diff like code.
func TestFixture(t *testing.T) {
	lines := readFixture(t)
	seen := map[string]bool{}
	var out bytes.Buffer
	for _, l := range lines {
		if l.comment != "" || (l.input == "" && l.exported == "") {
			fmt.Fprintln(&out, l.comment)
			continue
		}
		if seen[l.input] {
			t.Errorf("%q is listed twice", l.input)
		}
		seen[l.input] = true
		e := Exported(l.input)
		fmt.Fprintf(&out, "%s\t%s\n", quote(l.input), e)
		if *update {
			continue
		}
		if e != l.exported {
			t.Errorf("Exported(%q) = %q, fixture says %q", l.input, e, l.exported)
		}
	}
	if *update {
		if err := os.WriteFile(fixture, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFixtureCoversTables makes every table entry part of the fixture, so
// that no entry can change without the fixture changing.
func TestFixtureCoversTables(t *testing.T) {
	inputs := map[string]bool{}
	for _, l := range readFixture(t) {
		inputs[l.input] = true
	}
	var missing []string
	for k := range initialisms {
		if !inputs[k] {
			missing = append(missing, k)
		}
	}
	for k := range compounds {
		if !inputs[k] {
			missing = append(missing, k)
		}
	}
	for tok := token.BREAK; tok <= token.VAR; tok++ {
		if tok.IsKeyword() && !inputs[tok.String()] {
			missing = append(missing, tok.String())
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("not in %s: %q", fixture, missing)
	}
}

func TestTables(t *testing.T) {
	for k, v := range initialisms {
		if k != strings.ToLower(k) || strings.ToLower(v) != k {
			t.Errorf("initialism %q → %q: key must be the lower-cased spelling", k, v)
		}
	}
	for k, ws := range compounds {
		if k != strings.ToLower(k) || strings.ToLower(strings.Join(ws, "")) != k {
			t.Errorf("compound %q → %q: key must be the lower-cased words", k, ws)
		}
		for _, w := range ws {
			if w != capitalize(w) {
				t.Errorf("compound %q: word %q must be capitalised", k, w)
			}
		}
	}
}

func TestExported(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"allpages", "Allpages"},
		{"query+allpages", "QueryAllpages"},
		{"fromtext-{slot}", "FromtextSlot"},
		{"includeMissingTitles", "IncludeMissingTitles"},
		{"includemissingtitles", "Includemissingtitles"},
		{"IncludeMissingTitles", "IncludeMissingTitles"},
		{"pageIds", "PageIDs"},
		{"PAGEIDS", "PageIDs"},
		{"md5Hash", "MD5Hash"},
		{"0.10", "V0_10"},
		{"01.0", "V01_0"},
		{"0.1.0", "V0_1_0"},
		{"a1.2b", "A1_2b"},
		{"a1.b2", "A1B2"},
		{"!minor", "NotMinor"},
		{"a!b", "AB"},
		{"!", "Not"},
		{"*", "All"},
		{"a*b", "AAllB"},
		{"", "Empty"},
		{"??", "X3f3f"},
		{"!?", "Not"},
		{"\xff", "Xff"},
		{"日本語", "X日本語"},
		{"ß", "Xß"},
		{"ǆx", "Ǆx"},
		{"١٢", "V١٢"}, // Arabic-Indic digits
	} {
		if got := Exported(tc.in); got != tc.want {
			t.Errorf("Exported(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestConstName(t *testing.T) {
	for _, tc := range []struct{ typ, val, want string }{
		{"QueryAllpagesFilterredir", "nonredirects", "QueryAllpagesFilterredirNonredirects"},
		{"QueryRecentchangesShow", "!bot", "QueryRecentchangesShowNotBot"},
		{"Rotation", "90", "Rotation90"},
		{"Vector2022", "1", "Vector2022_1"},
		{"Vector2022", "x", "Vector2022X"},
		{"Version", "0.10", "Version0_10"},
		{"Format", "", "FormatEmpty"},
		{"Format", "*", "FormatAll"},
		{"Format", "??", "FormatX3f3f"},
		{"Lang", "日本語", "Lang日本語"},
		{"", "nonredirects", "Nonredirects"},
		{"", "90", "V90"},
	} {
		if got := ConstName(tc.typ, tc.val); got != tc.want {
			t.Errorf("ConstName(%q, %q) = %q, want %q", tc.typ, tc.val, got, tc.want)
		}
	}
}

func TestAssign(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reserved []string
		items    []Item
		want     map[string]string
	}{{
		name:  "no collision",
		items: []Item{{"a", "A"}, {"b", "B"}},
		want:  map[string]string{"a": "A", "b": "B"},
	}, {
		name:  "lower-case key wins",
		items: []Item{{"*", "All"}, {"all", "All"}},
		want:  map[string]string{"all": "All", "*": "All__" + hash32("*")},
	}, {
		name:  "then byte order",
		items: []Item{{"a_b", "AB"}, {"a.b", "AB"}, {"a-b", "AB"}},
		want:  map[string]string{"a-b": "AB", "a.b": "AB__" + hash32("a.b"), "a_b": "AB__" + hash32("a_b")},
	}, {
		name:  "empty key weighs one",
		items: []Item{{"", "Empty"}, {"empty", "Empty"}},
		want:  map[string]string{"empty": "Empty", "": "Empty__" + hash32("")},
	}, {
		name:     "reserved",
		reserved: []string{"Validate", "Extra", "Extra_"},
		items:    []Item{{"validate", "Validate"}, {"Validate", "Validate"}, {"extra", "Extra"}},
		want: map[string]string{
			"validate": "Validate_",
			"Validate": "Validate__" + hash32("Validate"),
			"extra":    "Extra__",
		},
	}, {
		name:  "duplicates merge",
		items: []Item{{"a", "A"}, {"a", "A"}},
		want:  map[string]string{"a": "A"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := Assign(tc.reserved, tc.items)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Assign (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssignPanicsOnConflictingKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Assign(nil, []Item{{"a", "A"}, {"a", "B"}})
}

// TestAssignHashCollision forces two keys of a group with the same 32-bit
// hash: the later one in group order falls back to the 64-bit hash.
func TestAssignHashCollision(t *testing.T) {
	// Found by a birthday search over "k0", "k1", ...
	k1, k2 := "k261234", "k32728"
	if hash32(k1) != hash32(k2) || !keyBefore(k1, k2) {
		t.Fatalf("%q and %q: hashes %s and %s", k1, k2, hash32(k1), hash32(k2))
	}
	items := []Item{{k2, "Foo"}, {"a", "Foo"}, {k1, "Foo"}}
	want := map[string]string{
		"a": "Foo",
		k1:  "Foo__" + hash32(k1),
		k2:  "Foo__" + hash64(k2),
	}
	if diff := cmp.Diff(want, Assign(nil, items)); diff != "" {
		t.Errorf("Assign (-want +got):\n%s", diff)
	}
	// A Name that is the 64-bit form too (contrived) goes on to "_2".
	reserved := []string{"Foo__" + hash64(k2)}
	want[k2] = "Foo__" + hash64(k2) + "_2"
	if diff := cmp.Diff(want, Assign(reserved, items)); diff != "" {
		t.Errorf("Assign (-want +got):\n%s", diff)
	}
}
