package naming

import (
	"go/token"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nasty is the alphabet random names are made of: MediaWiki's separators,
// camel case, digits, keywords, initialisms, non-ASCII letters and digits,
// letters without case or with only one case, a combining mark, controls
// and invalid UTF-8.
var nasty = []string{
	"a", "b", "x", "A", "B", "0", "1", "9", "id", "ids", "url", "Id", "pageids",
	"-", "_", ".", "+", "/", " ", "!", "*", "?", "{", "}", "|", "#", "$",
	"type", "string", "go", "nil", "iota",
	"é", "Ω", "ω", "ß", "日", "ǅ", "ϒ", "ʰ", "\u0301", "٣", "²", "😀",
	"\x00", "\t", "\n", "\x7f", "\ufeff", "\xff", "\xc3",
}

func randomName(rng *rand.Rand, maxParts int) string {
	var b strings.Builder
	for n := rng.Intn(maxParts + 1); n > 0; n-- {
		b.WriteString(nasty[rng.Intn(len(nasty))])
	}
	return b.String()
}

// checkName checks the invariants of Exported and ConstName.
func checkName(t *testing.T, name string) {
	t.Helper()
	e := Exported(name)
	if !token.IsIdentifier(e) || !token.IsExported(e) {
		t.Fatalf("Exported(%q) = %q: not an exported identifier", name, e)
	}
	if strings.Contains(e, "__") || strings.HasSuffix(e, "_") {
		t.Fatalf("Exported(%q) = %q: has a suffix Assign uses", name, e)
	}
	for _, typ := range []string{"T", "T2", "Tß"} {
		c := ConstName(typ, name)
		if !token.IsIdentifier(c) || !token.IsExported(c) || strings.Contains(c, "__") || strings.HasSuffix(c, "_") {
			t.Fatalf("ConstName(%q, %q) = %q", typ, name, c)
		}
	}
}

func TestNameProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		checkName(t, randomName(rng, 6))
	}
}

// randomItems returns items with distinct keys from a small alphabet, so
// that many of them collide.
func randomItems(rng *rand.Rand, n int, alphabet []string) []Item {
	seen := map[string]bool{}
	var items []Item
	for len(items) < n {
		var b strings.Builder
		for k := rng.Intn(4); k > 0; k-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		key := b.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		items = append(items, Item{Key: key, Name: Exported(key)})
	}
	return items
}

func TestAssignProperties(t *testing.T) {
	alphabet := []string{"a", "A", "b", "-", "_", ".", "*", "!", "1", "all", "id", "ID", "?"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		all := randomItems(rng, 2+rng.Intn(20), alphabet)
		n := 1 + rng.Intn(len(all)-1)
		items, extra := all[:n], all[n:]
		var reserved []string
		for _, it := range randomItems(rng, rng.Intn(4), alphabet) {
			reserved = append(reserved, it.Name)
		}

		got := Assign(reserved, items)
		checkAssignment(t, reserved, items, got)

		// The order of the items does not matter.
		shuffled := append([]Item(nil), items...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if diff := cmp.Diff(got, Assign(reserved, shuffled)); diff != "" {
			t.Fatalf("order matters for %q (-first +shuffled):\n%s", items, diff)
		}

		// Adding items renames nothing, except that the first key of a
		// group a newcomer joins may lose its name (the plain Name, or
		// Name+"_" when Name is reserved) to the newcomer.
		more := append(shuffled, extra...)
		after := Assign(reserved, more)
		checkAssignment(t, reserved, more, after)
		for _, it := range items {
			if after[it.Key] == got[it.Key] {
				continue
			}
			var newcomer bool
			for _, x := range extra {
				newcomer = newcomer || (x.Name == it.Name && after[x.Key] == got[it.Key] && keyBefore(x.Key, it.Key))
			}
			if !newcomer {
				t.Fatalf("adding %q to %q renames %q from %q to %q, and no newcomer of its group took the name", extra, items, it.Key, got[it.Key], after[it.Key])
			}
		}
	}
}

func checkAssignment(t *testing.T, reserved []string, items []Item, got map[string]string) {
	t.Helper()
	if len(got) != len(items) {
		t.Fatalf("Assign(%q, %q) returns %d names", reserved, items, len(got))
	}
	res := map[string]bool{}
	for _, r := range reserved {
		res[r] = true
	}
	owner := map[string]string{}
	for _, it := range items {
		name, ok := got[it.Key]
		if !ok {
			t.Fatalf("Assign(%q, %q): no name for %q", reserved, items, it.Key)
		}
		if prev, dup := owner[name]; dup {
			t.Fatalf("Assign(%q, %q): %q for both %q and %q", reserved, items, name, prev, it.Key)
		}
		owner[name] = it.Key
		if res[name] || !token.IsIdentifier(name) || !strings.HasPrefix(name, it.Name) {
			t.Fatalf("Assign(%q, %q): %q for %q", reserved, items, name, it.Key)
		}
	}
	// An item alone with a free Name gets it.
	count := map[string]int{}
	for _, it := range items {
		count[it.Name]++
	}
	for _, it := range items {
		if count[it.Name] == 1 && !res[it.Name] && got[it.Key] != it.Name {
			t.Fatalf("Assign(%q, %q): %q gets %q, not its free Name", reserved, items, it.Key, got[it.Key])
		}
	}
}

// TestSnapshotNames runs every module path, parameter name and enum value
// of the embedded MediaWiki 1.39 schema through the rules: all give valid
// names, and no module, parameter list or enum has a collision (a change
// that made one would rename generated API).
func TestSnapshotNames(t *testing.T) {
	s := loadSnapshot(t)
	paths := map[string][]string{}
	for _, m := range s.Modules {
		checkName(t, m.Path)
		paths[Exported(m.Path)] = append(paths[Exported(m.Path)], m.Path)
		params := map[string][]string{}
		for _, p := range append(m.Parameters, m.TemplatedParameters...) {
			checkName(t, p.Name)
			params[Exported(p.Name)] = append(params[Exported(p.Name)], p.Name)
			values := map[string][]string{}
			for _, v := range p.Type.Values {
				checkName(t, v)
				values[Exported(v)] = append(values[Exported(v)], v)
			}
			reportCollisions(t, m.Path+" "+p.Name+" values", values)
		}
		reportCollisions(t, m.Path+" parameters", params)
	}
	reportCollisions(t, "module paths", paths)
}

func reportCollisions(t *testing.T, what string, m map[string][]string) {
	t.Helper()
	for name, keys := range m {
		if len(keys) > 1 {
			sort.Strings(keys)
			t.Errorf("%s: %q all give %s", what, keys, name)
		}
	}
}
