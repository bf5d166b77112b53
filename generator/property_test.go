package generator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator"
)

// TestGenerateProperty feeds random schemas to Generate. Each must give
// either a clear error (non-empty, starting with "generate:"; always one
// when the schema does not validate) or a package that is gofmt-clean,
// starts every Go file with a "// Code generated ... DO NOT EDIT." line,
// is deterministic, and passes `go vet` (which type-checks it). Generate
// must never panic. A few hand-built schemas (fixedSchemas) that once broke
// a property go through the same checks after the random ones.
//
// Every random case is built from its own seed, printed with any failure.
// To replay cases or run more of them:
//
//	MWGEN_PROP_SEED=1017 MWGEN_PROP_N=1 go test ./generator -run Property -v
//	MWGEN_PROP_N=500 go test ./generator -run Property
//
// (MWGEN_PROP_SEED is the seed before the first case.) MWGEN_PROP_KEEP=1
// keeps the generated packages under generator/testdata.
func TestGenerateProperty(t *testing.T) {
	base := uint64(propBaseSeed)
	if s := os.Getenv("MWGEN_PROP_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MWGEN_PROP_SEED=%q: %v", s, err)
		}
		base = v
	}
	n := propCases
	if s := os.Getenv("MWGEN_PROP_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("MWGEN_PROP_N=%q: want a positive number", s)
		}
		n = v
	}

	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "prop-*")
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("MWGEN_PROP_KEEP") != "" {
		t.Logf("keeping the generated packages in %s", scratch)
	} else {
		t.Cleanup(func() { os.RemoveAll(scratch) })
	}

	var cases []propCase
	for i := 1; i <= n; i++ {
		seed := base + uint64(i)
		cases = append(cases, propCase{seed: seed, build: func() (*apischema.Schema, string) { return randomSchema(seed) }})
	}
	if os.Getenv("MWGEN_PROP_SEED") == "" {
		for _, f := range fixedSchemas {
			cases = append(cases, propCase{fixed: f.name, build: func() (*apischema.Schema, string) { return f.build(), f.what }})
		}
	}

	var (
		built        []propCase // cases that produced a package
		errored      int
		invalidCount int
	)
	for i := range cases {
		c := &cases[i]
		c.index = i + 1
		c.pkg = fmt.Sprintf("p%d", c.index)
		s, desc := c.build()
		c.desc = desc
		valid := s.Validate() == nil
		if !valid {
			invalidCount++
		}
		files, panicked, err := generateGuarded(s, c.pkg)
		if panicked != nil {
			t.Errorf("%s: Generate panicked: %v\n%s", c, panicked, schemaSummary(s))
			continue
		}
		if err != nil {
			errored++
			msg := err.Error()
			switch {
			case msg == "" || !strings.HasPrefix(msg, "generate:"):
				t.Errorf("%s: error %q does not start with \"generate:\"", c, shorten(msg, 400))
			case strings.Contains(msg, "while formatting source"):
				// jennifer could not gofmt what the generator wrote: the
				// generator emitted Go that does not parse.
				t.Errorf("%s: Generate emitted unparsable Go: %s\n%s", c, formatErrorContext(msg), schemaSummary(s))
			case valid:
				t.Logf("%s: valid schema rejected: %s", c, shorten(msg, 400))
			}
			continue
		}
		if !valid {
			t.Errorf("%s: the schema does not validate (%v), yet Generate returned no error", c, s.Validate())
			continue
		}
		if !checkFiles(t, c, files) {
			continue
		}
		// Determinism: the same schema built again, and the first schema
		// once more, give the same bytes.
		s2, _ := c.build()
		for round, sch := range []*apischema.Schema{s2, s} {
			again, panicked, err := generateGuarded(sch, c.pkg)
			if panicked != nil || err != nil {
				t.Errorf("%s: second generation (round %d) failed: panic %v, error %v", c, round+1, panicked, err)
				break
			}
			if diff := firstDifference(files, again); diff != "" {
				t.Errorf("%s: generation is not deterministic (round %d): %s", c, round+1, diff)
				break
			}
		}
		c.dir = filepath.Join(scratch, fmt.Sprintf("case%d", c.index))
		if err := generator.WriteDir(c.dir, files); err != nil {
			long := ""
			for _, f := range files {
				if len(f.Name) > 255 {
					long = fmt.Sprintf(" (file name of %d bytes: %.60s...)", len(f.Name), f.Name)
				}
			}
			t.Errorf("%s: the generated files cannot be written%s: %v", c, long, shorten(err.Error(), 400))
			continue
		}
		built = append(built, *c)
	}
	t.Logf("%d random cases from seed %d and %d fixed ones: %d generated a package, %d returned an error (%d schemas invalid on purpose)",
		n, base+1, len(cases)-n, len(built), errored, invalidCount)
	if len(built) == 0 {
		t.Fatal("no case produced a package: the schema builder is broken")
	}
	vetCases(t, built)
}

const (
	propBaseSeed = 1000
	propCases    = 40
)

type propCase struct {
	index int
	seed  uint64 // random cases
	fixed string // fixed cases: the name in fixedSchemas
	build func() (*apischema.Schema, string)
	pkg   string
	desc  string
	dir   string // relative to the generator package
}

func (c *propCase) String() string {
	if c.fixed != "" {
		return fmt.Sprintf("case %d (fixed schema %q: %s)", c.index, c.fixed, c.desc)
	}
	return fmt.Sprintf("case %d (seed %d, %s)", c.index, c.seed, c.desc)
}

func generateGuarded(s *apischema.Schema, pkg string) (files []generator.File, panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprintf("%v\n%s", r, panicFrames(debug.Stack()))
		}
	}()
	files, err = generator.Generate(s, generator.Options{Package: pkg})
	return files, nil, err
}

// panicFrames keeps the function lines of a stack that are in mwgen's
// generator and naming packages.
func panicFrames(stack []byte) string {
	var out []string
	for _, l := range strings.Split(string(stack), "\n") {
		if strings.Contains(l, "mwgen/generator") && !strings.HasPrefix(l, "\t") && !strings.Contains(l, "_test.") {
			out = append(out, "\t"+l)
		}
	}
	return strings.Join(out, "\n")
}

var headerRE = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// checkFiles checks what can be checked without the compiler.
func checkFiles(t *testing.T, c *propCase, files []generator.File) bool {
	t.Helper()
	ok := true
	fail := func(format string, args ...any) {
		t.Errorf("%s: %s", c, fmt.Sprintf(format, args...))
		ok = false
	}
	names := map[string]bool{}
	goFiles := 0
	badHeader := false
	for _, f := range files {
		if names[f.Name] {
			fail("file %q generated twice", f.Name)
		}
		names[f.Name] = true
		if f.Name != filepath.Base(f.Name) || strings.HasPrefix(f.Name, ".") {
			fail("bad file name %q", f.Name)
		}
		if !strings.HasSuffix(f.Name, ".go") {
			continue
		}
		goFiles++
		if !strings.HasSuffix(f.Name, generator.GeneratedSuffix) {
			fail("Go file %q does not end in %s", f.Name, generator.GeneratedSuffix)
		}
		first, _, _ := strings.Cut(string(f.Data), "\n")
		if !headerRE.MatchString(first) && !badHeader {
			badHeader = true // once per case: every file has the same header
			fail("%s: first line %q is not a `// Code generated ... DO NOT EDIT.` line", f.Name, shorten(first, 300))
		}
		formatted, err := format.Source(f.Data)
		if err != nil {
			fail("%s does not parse: %v\n%s", f.Name, err, sourceContext(f.Data, err.Error()))
			continue
		}
		if !bytes.Equal(formatted, f.Data) {
			fail("%s is not gofmt-clean: %s", f.Name, firstDifference(
				[]generator.File{{Name: f.Name, Data: f.Data}}, []generator.File{{Name: f.Name, Data: formatted}}))
		}
	}
	if goFiles == 0 {
		fail("no Go files generated")
	}
	return ok
}

// vetCases runs one `go vet` over every generated package, from the module
// root: testdata is invisible to ./... but builds when named.
func vetCases(t *testing.T, cases []propCase) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to type-check the generated packages: %v", err)
	}
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD = %q: not inside the module", gomod)
	}
	root := filepath.Dir(gomod)
	args := []string{"vet"}
	byDir := map[string]propCase{}
	for _, c := range cases {
		abs, err := filepath.Abs(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "./"+filepath.ToSlash(rel))
		byDir[filepath.Base(c.dir)] = c
	}
	cmd := exec.Command(goTool, args...)
	cmd.Dir = root
	vetOut, err := cmd.CombinedOutput()
	if err == nil {
		t.Logf("go vet passed on %d generated packages", len(cases))
		return
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("go vet did not run: %v\n%s", err, vetOut)
	}
	// Attribute every line of the output to its case.
	caseRE := regexp.MustCompile(`/(case\d+)(?:/|\s|$)`)
	posRE := regexp.MustCompile(`(case\d+/[^\s:]+\.go):(\d+):(\d+)`)
	perCase := map[string][]string{}
	var unattributed []string
	current := ""
	for _, line := range strings.Split(strings.TrimRight(string(vetOut), "\n"), "\n") {
		if m := caseRE.FindStringSubmatch(line); m != nil {
			current = m[1]
		} else if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			current = ""
		}
		if current == "" {
			unattributed = append(unattributed, line)
			continue
		}
		perCase[current] = append(perCase[current], line)
	}
	keys := make([]string, 0, len(perCase))
	for k := range perCase {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, _ := strconv.Atoi(strings.TrimPrefix(a, "case"))
		y, _ := strconv.Atoi(strings.TrimPrefix(b, "case"))
		return x - y
	})
	for _, k := range keys {
		c, found := byDir[k]
		if !found {
			unattributed = append(unattributed, perCase[k]...)
			continue
		}
		lines := perCase[k]
		var ctx strings.Builder
		seen := map[string]bool{}
		for _, l := range lines {
			m := posRE.FindStringSubmatch(l)
			if m == nil || seen[m[0]] || len(seen) >= 3 {
				continue
			}
			seen[m[0]] = true
			file := filepath.Join(filepath.Dir(c.dir), filepath.FromSlash(m[1]))
			data, err := os.ReadFile(file)
			if err != nil {
				continue
			}
			line, _ := strconv.Atoi(m[2])
			fmt.Fprintf(&ctx, "%s around line %d:\n%s", m[1], line, linesAround(data, line, 3))
		}
		t.Errorf("%s: go vet failed on the generated package:\n%s\n%s",
			&c, shorten(strings.Join(lines, "\n"), 4000), ctx.String())
	}
	if len(keys) == 0 || len(unattributed) > 0 {
		t.Errorf("go vet failed (%v):\n%s", err, shorten(strings.Join(unattributed, "\n"), 4000))
	}
}

// ---------------------------------------------------------------------------
// Random schemas.

// nastyNames are the pieces random names are made of: Go keywords,
// predeclared identifiers, the names of the generated code's own types,
// methods, fields and locals, names that differ only in case or in
// punctuation, digits first, MediaWiki punctuation, non-ASCII letters.
var nastyNames = []string{
	// Go keywords.
	"type", "func", "range", "map", "go", "select", "chan", "var", "const",
	"interface", "struct", "package", "import", "return", "default", "case",
	"for", "if", "else", "break", "continue", "goto", "defer", "switch",
	"fallthrough",
	// Predeclared identifiers.
	"string", "len", "error", "nil", "true", "false", "any", "int", "bool",
	"byte", "rune", "make", "new", "append", "iota", "cap", "copy", "panic",
	// The generated code's own names, and methods vet knows the shape of.
	"extra", "Extra", "values", "validate", "check", "encode", "request",
	"ctx", "p", "v", "c", "prefix", "chosen", "req", "err", "client", "do",
	"all", "prepare", "main", "rt", "New", "Client", "Runtime", "WithMain",
	"Do", "MainParams", "Response", "Request", "params", "Params", "cp",
	"chk", "url", "context", "iter", "runtime", "String", "format", "is",
	"unwrap", "marshalJSON",
	// Same words, other case or punctuation.
	"includeMissingTitles", "includemissingtitles", "IncludeMissingTitles",
	"include_missing_titles", "pageids", "pageIDs", "PageIds", "id", "ID",
	"a-b", "a_b", "a.b", "a+b", "a/b", "a b",
	// Digits first, punctuation only, empty.
	"3d", "0.10", "0", "10", "2", "!bot", "!minor", "", "*", "-", "_", ".",
	"+", "/", "#", "?", "{", "}", "|",
	// Short letters, so that names run into each other.
	"a", "b", "x", "A", "B", "ab",
	// Non-ASCII.
	"café", "日本", "Ωmega", "ω", "ß", "٣", "ǅ", "😀",
}

// ctrlNames are pieces that are only legal inside string literals: what
// the generator must escape or neutralise wherever it puts a name in a
// comment.
var ctrlNames = []string{
	"\x00", "\n", "\r", "\t", "*/", "/*", "//", "\ufeff", "\u202e", "\u2028",
	"\x7f", "\\", "\"", "`",
}

// descPieces make up help texts: wikitext markup, entities, and what a
// comment cannot hold as it is (NUL, BOM, bidi controls, invalid UTF-8,
// "*/").
var descPieces = []string{
	"Some text.", "The ''title'' of the '''page'''.", "[[Special:ApiHelp|help]]",
	"[https://www.mediawiki.org/wiki/API:Main_page API docs]", "<var>x</var>",
	"<code>a|b</code>", "&amp; &lt;b&gt; &#x202e; &#0; &#xfeff;", "\x00", "*/",
	"\n\n\n", "\r\n", "\u2028", "\ufeff", "\u202e", "\t", "`back`", "\\",
	"\"q\"", "Deprecated: yes.", "\xff\xfe", "\n\tindented", " ", "\n",
	"日本語の説明", "*", "{{template}}", "\x1b[31m", "\n*/\n", "package main",
	"import \"os\"", "a /* b", "a // b",
}

// lineStartPieces put comment markers at the start of a line of help text.
var lineStartPieces = []string{"\n/* not a comment opener", "\n// a slash line", "/*", "//", "\n/*/"}

var basicTypes = []string{
	apischema.TypeBoolean, apischema.TypeExpiry, apischema.TypeInteger,
	apischema.TypeLimit, apischema.TypeNamespace, apischema.TypePassword,
	apischema.TypeRaw, apischema.TypeString, apischema.TypeText,
	apischema.TypeTimestamp, apischema.TypeTitle, apischema.TypeUser,
	apischema.TypeUpload,
}

var unknownTypes = []string{"hologram", "cidr", "Integer", "string ", "enum ", "tags", "日本"}

var enumPieces = []string{
	"", "a-b", "a_b", "a b", "!minor", "!bot", "0.10", "0", "1", "90", "text/x-wiki",
	"*", "all", "All", "nonredirects", "values", "Extra", "type", "string", "params",
	"Params", "café", "-", "+", "a", "b", "A",
}

var bigInts = []int64{0, 1, -1, 10, 500, 5000, math.MaxInt32, math.MinInt32,
	math.MaxInt64, math.MinInt64, 1 << 40}

var defaults = []string{
	`"x"`, `""`, `"a|b"`, `"\u001f|a"`, `"*/"`, `"\u0000"`, `"\n/*"`, `0`, `-1`, `1.5`, `1e3`,
	`12345678901234567890`, `true`, `false`, `"café"`, `"0.10"`,
}

type schemaGen struct {
	r *rand.Rand
	// ctrl lets names, prefixes and token types contain ctrlNames.
	ctrl bool
	// lineStart lets help texts have lines that start with "/*" or "//".
	lineStart bool
	// long allows names of hundreds of bytes.
	long bool
	// features records what the schema exercises, for the report.
	features []string
}

func (g *schemaGen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *schemaGen, list []T) T { return list[g.r.IntN(len(list))] }

func (g *schemaGen) note(f string) {
	if !slices.Contains(g.features, f) {
		g.features = append(g.features, f)
	}
}

// name returns a random name; it may be empty.
func (g *schemaGen) name() string {
	var s string
	switch k := g.r.IntN(20); {
	case k < 10:
		s = pick(g, nastyNames)
	case k < 17:
		var b strings.Builder
		for n := 2 + g.r.IntN(3); n > 0; n-- {
			b.WriteString(pick(g, nastyNames))
		}
		s = b.String()
	case k < 18 && g.long:
		s = strings.Repeat(pick(g, nastyNames[:40]), 20+g.r.IntN(60)) // very long
		g.note("long-names")
	case k < 18:
		s = pick(g, nastyNames[:40]) + pick(g, nastyNames[:40])
	default:
		s = pick(g, []string{"includeMissingTitles", "includemissingtitles", "a-b", "a_b", "aB", "ab", "AB"})
	}
	if g.ctrl && g.chance(0.3) {
		i := g.r.IntN(len(s) + 1)
		for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
			i-- // keep the UTF-8 valid: JSON cannot carry invalid bytes
		}
		s = s[:i] + pick(g, ctrlNames) + s[i:]
		g.note("ctrl-names")
	}
	return s
}

// freshName returns a random name that is not empty, not in taken and
// not one of avoid, and marks it taken.
func (g *schemaGen) freshName(taken map[string]bool, avoid ...string) string {
	for range 50 {
		n := g.name()
		if n == "" || taken[n] || slices.Contains(avoid, n) {
			continue
		}
		taken[n] = true
		return n
	}
	for i := 0; ; i++ {
		n := fmt.Sprintf("n%d", i)
		if !taken[n] && !slices.Contains(avoid, n) {
			taken[n] = true
			return n
		}
	}
}

func (g *schemaGen) desc() string {
	if g.chance(0.3) {
		return ""
	}
	var b strings.Builder
	for n := 1 + g.r.IntN(5); n > 0; n-- {
		if g.lineStart && g.chance(0.2) {
			b.WriteString(pick(g, lineStartPieces))
			g.note("comment-markers")
			continue
		}
		b.WriteString(pick(g, descPieces))
	}
	return b.String()
}

func (g *schemaGen) prefix() string {
	switch k := g.r.IntN(10); {
	case k < 4:
		return ""
	case k < 8:
		return pick(g, []string{"ap", "g", "rv", "x", "a", "ab"})
	default:
		if g.ctrl {
			return g.name()
		}
		return pick(g, nastyNames)
	}
}

func (g *schemaGen) intp(list []int64) *int64 {
	v := pick(g, list)
	return &v
}

func (g *schemaGen) smallInt() *int {
	v := pick(g, []int{0, 1, 50, 500, 5000, -1})
	return &v
}

// enumValues returns random enum values, some of which collide once named.
func (g *schemaGen) enumValues() []string {
	var vs []string
	for n := g.r.IntN(7); n > 0; n-- {
		var v string
		if g.chance(0.6) {
			v = pick(g, enumPieces)
		} else {
			v = g.name()
		}
		if slices.Contains(vs, v) && !g.chance(0.05) {
			continue // exact duplicates only rarely
		}
		if slices.Contains(vs, v) {
			g.note("duplicate-enum-value")
		}
		vs = append(vs, v)
	}
	if vs == nil {
		vs = []string{}
	}
	return vs
}

// param returns a random parameter named name.
func (g *schemaGen) param(name string) *apischema.Param {
	p := &apischema.Param{Name: name}
	switch k := g.r.IntN(20); {
	case k < 11:
		p.Type = apischema.Type{Name: pick(g, basicTypes)}
	case k < 13:
		p.Type = apischema.Type{Name: pick(g, unknownTypes)}
		g.note("unknown-type")
	default:
		p.Type = apischema.Type{Name: apischema.TypeEnum, Values: g.enumValues()}
		if len(p.Type.Values) > 0 {
			if g.chance(0.3) {
				p.DeprecatedValues = []string{pick(g, p.Type.Values)}
			}
			if g.chance(0.2) {
				p.InternalValues = []string{pick(g, p.Type.Values)}
			}
		}
	}
	p.Required = g.chance(0.2)
	p.Multi = g.chance(0.3)
	if p.Multi && g.chance(0.6) {
		p.LowLimit, p.HighLimit = g.smallInt(), g.smallInt()
		if g.chance(0.5) {
			p.Limit = p.LowLimit
		}
	}
	if p.Multi && g.chance(0.2) {
		p.AllSpecifier = pick(g, []string{"*", "all", "", "\x00"})
	}
	if p.Multi && g.chance(0.1) {
		p.AllowsDuplicates = true
	}
	if g.chance(0.3) {
		p.Min = g.intp(bigInts)
	}
	if g.chance(0.3) {
		p.Max = g.intp(bigInts)
	}
	if g.chance(0.2) {
		p.HighMax = g.intp(bigInts)
	}
	if g.chance(0.4) {
		var sc apischema.Scalar
		if err := json.Unmarshal([]byte(pick(g, defaults)), &sc); err != nil {
			panic(err) // the list above is valid JSON
		}
		p.Default = &sc
	}
	p.Deprecated = g.chance(0.1)
	p.Sensitive = g.chance(0.1)
	if g.chance(0.1) {
		p.MaxBytes, p.MaxChars = g.smallInt(), g.smallInt()
	}
	p.Description = g.desc()
	return p
}

type modSpec struct {
	mod   *apischema.Module
	taken map[string]bool // parameter names
}

func (g *schemaGen) module(path, name, group string) *modSpec {
	m := &apischema.Module{
		Name:         name,
		Path:         path,
		Group:        group,
		Prefix:       g.prefix(),
		ClassName:    "ApiX",
		Source:       "MediaWiki",
		ReadRights:   g.chance(0.5),
		WriteRights:  g.chance(0.2),
		MustBePosted: g.chance(0.2),
		Deprecated:   g.chance(0.1),
		Internal:     g.chance(0.1),
		Description:  g.desc(),
	}
	if g.chance(0.1) {
		m.DynamicParameters = true
		if g.chance(0.5) {
			m.DynamicParametersHelp = g.desc()
		}
	}
	if g.chance(0.3) {
		m.HelpURLs = []string{"https://www.mediawiki.org/wiki/API:" + g.name()}
	}
	return &modSpec{mod: m, taken: map[string]bool{}}
}

// addParam adds a random parameter and returns it.
func (g *schemaGen) addParam(ms *modSpec, avoid ...string) *apischema.Param {
	p := g.param(g.freshName(ms.taken, avoid...))
	ms.mod.Parameters = append(ms.mod.Parameters, p)
	return p
}

func (g *schemaGen) addRandomParams(ms *modSpec, max int, avoid ...string) {
	for n := g.r.IntN(max + 1); n > 0; n-- {
		g.addParam(ms, avoid...)
	}
	// A templated parameter bound to a multi-valued parameter.
	var multis []*apischema.Param
	for _, p := range ms.mod.Parameters {
		if p.Multi && len(p.Submodules) == 0 {
			multis = append(multis, p)
		}
	}
	if len(multis) > 0 && g.chance(0.4) {
		g.note("templated")
		target := pick(g, multis)
		vars := map[string]string{}
		name := g.name()
		for n := 1 + g.r.IntN(2); n > 0; n-- {
			v := pick(g, []string{"slot", "x", "type", "日本", "a-b", ""})
			if g.ctrl && g.chance(0.2) {
				v = g.name()
			}
			vars[v] = target.Name
			name += "{" + v + "}" + pick(g, []string{"", "-", "text", "{", "}"})
		}
		if ms.taken[name] {
			return
		}
		ms.taken[name] = true
		p := g.param(name)
		p.Multi = false
		p.TemplateVars = vars
		ms.mod.TemplatedParameters = append(ms.mod.TemplatedParameters, p)
	}
}

func (g *schemaGen) addToken(ms *modSpec) {
	if ms.taken["token"] {
		return
	}
	ms.taken["token"] = true
	typ := pick(g, []string{"csrf", "csrf", "login", "createaccount", "patrol", "rollback"})
	if g.ctrl && g.chance(0.3) {
		typ = g.name()
		if typ == "" {
			typ = "csrf"
		}
	}
	ms.mod.Parameters = append(ms.mod.Parameters, &apischema.Param{
		Name: "token", Type: apischema.Type{Name: apischema.TypeString},
		Required: true, Sensitive: true, TokenType: typ,
		Description: "A token.",
	})
	g.note("token")
}

// selector returns a submodule selector parameter over values → paths.
func selectorParam(name string, values, paths []string, multi bool, prefix string) *apischema.Param {
	subs := map[string]string{}
	for i, v := range values {
		subs[v] = paths[i]
	}
	return &apischema.Param{
		Name: name, Type: apischema.Type{Name: apischema.TypeEnum, Values: slices.Clone(values)},
		Multi: multi, Submodules: subs, SubmoduleParamPrefix: prefix,
		Description: "Which submodules to use.",
	}
}

// randomSchema builds the schema of one case. It is a pure function of
// seed. desc summarises what the schema exercises.
func randomSchema(seed uint64) (*apischema.Schema, string) {
	g := &schemaGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	// Each kind of hostile input is in some schemas only, so that a bug
	// one of them triggers does not hide the others.
	g.ctrl = g.chance(0.15)
	g.lineStart = g.chance(0.15)
	g.long = g.chance(0.1)
	s := &apischema.Schema{HelpFormat: "wikitext"}
	if g.chance(0.1) {
		g.note("nasty-wiki")
		s.Wiki = apischema.Wiki{
			API:       "https://wiki.example/w/api.php" + pick(g, []string{"", "\n/*x", "\r/*x", "\r\n// y", "*/", "\x00", "\u2028"}),
			Server:    g.name(),
			SiteName:  g.desc(),
			Generator: "MediaWiki " + pick(g, []string{"1.39.17", "1.43\n/* x", "\x00", "*/"}),
		}
	} else {
		s.Wiki = apischema.Wiki{API: "https://wiki.example/w/api.php", SiteName: "Example", Generator: "MediaWiki 1.39.17"}
	}

	paths := map[string]bool{"main": true}
	var mods []*modSpec
	mainMod := g.module("main", "main", "")
	mainMod.mod.Prefix = ""
	mods = append(mods, mainMod)

	// Action modules.
	var actionNames, actionPaths []string
	withQuery := g.chance(0.6)
	reserved := []string{"main", "query", "json"}
	for n := 1 + g.r.IntN(5); n > 0; n-- {
		name := g.freshName(paths, reserved...)
		path := name
		actionNames = append(actionNames, name)
		actionPaths = append(actionPaths, path)
		ms := g.module(path, name, "action")
		g.addRandomParams(ms, 6)
		if g.chance(0.3) {
			g.addToken(ms)
		}
		if g.chance(0.2) && !ms.taken["continue"] {
			ms.taken["continue"] = true
			ms.mod.Parameters = append(ms.mod.Parameters, &apischema.Param{Name: "continue", Type: apischema.Type{Name: apischema.TypeString}})
			g.note("continue")
		}
		mods = append(mods, ms)
	}
	if g.chance(0.08) {
		// An alias: a second action value selecting the same module.
		g.note("action-alias")
		alias := g.freshName(paths, reserved...)
		delete(paths, alias) // no module of that path
		actionNames = append(actionNames, alias)
		actionPaths = append(actionPaths, actionPaths[0])
	}

	if withQuery {
		g.note("query")
		paths["query"] = true
		actionNames = append(actionNames, "query")
		actionPaths = append(actionPaths, "query")
		q := g.module("query", "query", "action")
		q.mod.Prefix = ""
		q.taken["prop"], q.taken["list"], q.taken["meta"], q.taken["generator"], q.taken["continue"] = true, true, true, true, true
		var genNames, genPaths []string
		subNames := map[string]bool{}
		for _, group := range []string{"prop", "list", "meta"} {
			var names, gpaths []string
			for n := g.r.IntN(4); n > 0; n-- {
				name := g.freshName(subNames)
				path := "query+" + name
				if paths[path] {
					continue
				}
				paths[path] = true
				ms := g.module(path, name, group)
				if group != "meta" && g.chance(0.5) {
					ms.mod.Generator = true
					genNames = append(genNames, name)
					genPaths = append(genPaths, path)
				}
				g.addRandomParams(ms, 6)
				if g.chance(0.2) && !ms.taken["continue"] {
					ms.taken["continue"] = true
					ms.mod.Parameters = append(ms.mod.Parameters, &apischema.Param{Name: "continue", Type: apischema.Type{Name: apischema.TypeString}})
				}
				mods = append(mods, ms)
				names = append(names, name)
				gpaths = append(gpaths, path)
			}
			if len(names) > 0 && g.chance(0.9) {
				q.mod.Parameters = append(q.mod.Parameters, selectorParam(group, names, gpaths, true, ""))
			}
		}
		if len(genNames) > 0 && g.chance(0.9) {
			g.note("generator")
			q.mod.Parameters = append(q.mod.Parameters, selectorParam("generator", genNames, genPaths, false, "g"))
		}
		if g.chance(0.7) {
			q.mod.Parameters = append(q.mod.Parameters, &apischema.Param{Name: "continue", Type: apischema.Type{Name: apischema.TypeString}})
		}
		g.addRandomParams(q, 5)
		mods = append(mods, q)
	}

	// main: action, maybe format, and random parameters.
	mainMod.taken["action"], mainMod.taken["format"] = true, true
	mainMod.mod.Parameters = append(mainMod.mod.Parameters,
		selectorParam("action", actionNames, actionPaths, false, ""))
	if g.chance(0.5) {
		g.note("format")
		paths["json"] = true
		js := g.module("json", "json", "format")
		js.mod.Prefix = ""
		g.addRandomParams(js, 3)
		mods = append(mods, js)
		mainMod.mod.Parameters = append(mainMod.mod.Parameters,
			selectorParam("format", []string{"json"}, []string{"json"}, false, ""))
	}
	g.addRandomParams(mainMod, 6)

	for _, ms := range mods {
		for i, p := range ms.mod.Parameters {
			p.Index = i + 1
		}
	}

	// Now and then a selector that is not an enum, or a schema that is
	// invalid on purpose: Generate must then answer with an error.
	if g.chance(0.04) {
		g.note("non-enum-selector")
		for _, ms := range mods {
			for _, p := range ms.mod.Parameters {
				if len(p.Submodules) > 0 && ms.mod.Path != "main" {
					p.Type = apischema.Type{Name: apischema.TypeString}
				}
			}
		}
	}
	for _, ms := range mods {
		s.Modules = append(s.Modules, ms.mod)
	}
	slices.SortStableFunc(s.Modules, func(a, b *apischema.Module) int { return strings.Compare(a.Path, b.Path) })
	if g.chance(0.12) {
		g.breakSchema(s)
	}
	slices.Sort(g.features)
	desc := "plain"
	if len(g.features) > 0 {
		desc = strings.Join(g.features, ",")
	}
	return s, desc
}

// breakSchema makes s invalid (or, for a missing main module, valid but
// not generatable).
func (g *schemaGen) breakSchema(s *apischema.Schema) {
	m := pick(g, s.Modules)
	switch k := g.r.IntN(10); k {
	case 0:
		g.note("invalid:duplicate-param")
		m.Parameters = append(m.Parameters, &apischema.Param{Name: "dup", Type: apischema.Type{Name: "string"}},
			&apischema.Param{Name: "dup", Type: apischema.Type{Name: "integer"}})
	case 1:
		g.note("invalid:missing-submodule")
		m.Parameters = append(m.Parameters, selectorParam("sel", []string{"gone"}, []string{"query+gone"}, true, ""))
	case 2:
		g.note("invalid:template-target")
		m.TemplatedParameters = append(m.TemplatedParameters, &apischema.Param{
			Name: "t-{v}", Type: apischema.Type{Name: "string"}, TemplateVars: map[string]string{"v": "nosuchparam"},
		})
	case 3:
		g.note("no-main")
		s.Modules = slices.DeleteFunc(s.Modules, func(m *apischema.Module) bool { return m.Path == "main" })
		if len(s.Modules) == 0 {
			s.Modules = append(s.Modules, &apischema.Module{Name: "x", Path: "x"})
		}
	case 4:
		g.note("invalid:no-type")
		m.Parameters = append(m.Parameters, &apischema.Param{Name: "notype-param"})
	case 5:
		g.note("invalid:no-modules")
		s.Modules = nil
	case 6:
		g.note("invalid:nil-module")
		s.Modules = append(s.Modules, nil)
	case 7:
		g.note("invalid:nil-param")
		m.Parameters = append(m.Parameters, nil)
	case 8:
		g.note("invalid:duplicate-module")
		c := *m
		s.Modules = append(s.Modules, &c)
	case 9:
		g.note("invalid:empty-names")
		m.Name = ""
		m.Parameters = append(m.Parameters, &apischema.Param{Type: apischema.Type{Name: "string"}})
	}
}

// ---------------------------------------------------------------------------
// Fixed schemas: the smallest inputs found to break a property, kept so
// that each failure mode is checked every run whatever the seed.

var fixedSchemas = []struct {
	name, what string
	build      func() *apischema.Schema
}{
	{"page-sets", `modules "a" and "b" share a page set, "c" has its own (a multi generator), module "page" has an enum "set" (type PageSet) and a field "PageSet"`, func() *apischema.Schema {
		pageSet := func(multi bool) []*apischema.Param {
			ids := &apischema.Param{Name: "pageids", Type: apischema.Type{Name: apischema.TypeInteger}, Multi: true}
			rev := &apischema.Param{Name: "revids", Type: apischema.Type{Name: apischema.TypeInteger}, Multi: true}
			titles := &apischema.Param{Name: "titles", Type: apischema.Type{Name: apischema.TypeString}, Multi: true, HighLimit: new(int)}
			return []*apischema.Param{titles, ids, rev, selParam("generator", multi, "g", "l", "query+l"),
				{Name: "redirects", Type: apischema.Type{Name: apischema.TypeBoolean}}}
		}
		return fixedSchema(actions("a", "a", "b", "b", "c", "c", "page", "page"),
			mod("a", append([]*apischema.Param{strParam("titles2")}, pageSet(false)...)...),
			mod("b", pageSet(false)...), mod("c", pageSet(true)...),
			mod("page", append([]*apischema.Param{enumParam("set", "x"), strParam("page-set")}, pageSet(false)...)...),
			mod("query"), mod("query+l", strParam("from")))
	}},
	{"action-alias", "two action values select the same module", func() *apischema.Schema {
		return fixedSchema(actions("edit", "edit", "modify", "edit"), mod("edit"))
	}},
	{"method-key-#all", `action "y" selects module "x#all" while action "x" continues`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x", "y", "x#all"), mod("x", strParam("continue")), mod("x#all"))
	}},
	{"enum-key-slash", `enum "2/x" of module "a1" and enum "x" of module "a1/2" share the naming key "enum:a1/2/x"`, func() *apischema.Schema {
		return fixedSchema(actions("a1", "a1", "a1/2", "a1/2"), mod("a1", enumParam("2/x", "p")), mod("a1/2", enumParam("x", "q")))
	}},
	{"enum-type-slash", `enum "/y" of module "x" and enum "y" of module "x/" both become type XY`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x", "x/", "x/"), mod("x", enumParam("/y", "p")), mod("x/", enumParam("y", "q")))
	}},
	{"enum-const-vs-type", `value "params" of enum "a" of module "x" and module "x+a" both become XAParams`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x", "x+a", "x+a"), mod("x", enumParam("a", "params")), mod("x+a"))
	}},
	{"enum-duplicate-value", `enum values ["v", "v"]`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x"), mod("x", enumParam("a", "v", "v")))
	}},
	{"help-line-starts-with-/*", `a parameter description with a line starting "/*"`, func() *apischema.Schema {
		p := strParam("a")
		p.Description = "Values:\n/* all of them"
		return fixedSchema(actions("x", "x"), mod("x", p))
	}},
	{"module-help-starts-with-/*", `a module description starting "/*"`, func() *apischema.Schema {
		m := mod("x")
		m.Description = "/* everything"
		return fixedSchema(actions("x", "x"), m)
	}},
	{"nul-in-param-name", `parameter "a\x00b"`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x"), mod("x", strParam("a\x00b")))
	}},
	{"bom-in-module-name", `module "x\ufeff"`, func() *apischema.Schema {
		return fixedSchema(actions("x\ufeff", "x\ufeff"), mod("x\ufeff"))
	}},
	{"newline-in-enum-param-name", `enum parameter "a\n/*b"`, func() *apischema.Schema {
		return fixedSchema(actions("x", "x"), mod("x", enumParam("a\n/*b", "v")))
	}},
	{"selector-value-with-*/", `a list= value "a\nb*/c"`, func() *apischema.Schema {
		q := mod("query", selParam("list", true, "", "a\nb*/c", "query+x"))
		x := mod("query+x")
		x.Name, x.Group = "x", "list"
		return fixedSchema(actions("query", "query"), q, x)
	}},
	{"selector-not-enum", `list has submodules but type "string"`, func() *apischema.Schema {
		list := selParam("list", true, "", "allpages", "query+allpages")
		list.Type = apischema.Type{Name: apischema.TypeString}
		ap := mod("query+allpages")
		ap.Name, ap.Group, ap.Prefix = "allpages", "list", "ap"
		return fixedSchema(actions("query", "query"), mod("query", list), ap)
	}},
	{"token-type-with-newline", `token type "csrf\n/*"`, func() *apischema.Schema {
		tok := strParam("token")
		tok.TokenType, tok.Required = "csrf\n/*", true
		return fixedSchema(actions("x", "x"), mod("x", tok))
	}},
	{"action-marshalJSON", `action "marshalJSON" becomes Client.MarshalJSON (vet stdmethods)`, func() *apischema.Schema {
		return fixedSchema(actions("marshalJSON", "marshalJSON"), mod("marshalJSON"))
	}},
	{"long-module-path", "a module path of 300 bytes", func() *apischema.Schema {
		long := strings.Repeat("abc", 100)
		return fixedSchema(actions(long, long), mod(long))
	}},
	{"wiki-api-with-CR", `Wiki.API "https://w.example/api.php\r/*"`, func() *apischema.Schema {
		s := fixedSchema(actions("x", "x"), mod("x"))
		s.Wiki.API = "https://w.example/api.php\r/*"
		return s
	}},
	{"wiki-generator-with-newline", `Wiki.Generator "MediaWiki 1.43\nfoo"`, func() *apischema.Schema {
		s := fixedSchema(actions("x", "x"), mod("x"))
		s.Wiki.Generator = "MediaWiki 1.43\nfoo"
		return s
	}},
	{"sitename-line-starts-with-/*", `Wiki.SiteName "My\n/* wiki"`, func() *apischema.Schema {
		s := fixedSchema(actions("x", "x"), mod("x"))
		s.Wiki.SiteName = "My\n/* wiki"
		return s
	}},
}

// fixedSchema returns a schema of main (with the action parameter) and the
// modules, sorted by path.
func fixedSchema(action *apischema.Param, mods ...*apischema.Module) *apischema.Schema {
	main := mod("main", action)
	main.Group = ""
	s := &apischema.Schema{Modules: append([]*apischema.Module{main}, mods...)}
	slices.SortStableFunc(s.Modules, func(a, b *apischema.Module) int { return strings.Compare(a.Path, b.Path) })
	return s
}

func mod(path string, params ...*apischema.Param) *apischema.Module {
	name := path
	if i := strings.LastIndex(path, "+"); i >= 0 {
		name = path[i+1:]
	}
	return &apischema.Module{Name: name, Path: path, Group: "action", Parameters: params}
}

// actions returns main's action parameter over value, path pairs.
func actions(valuePath ...string) *apischema.Param {
	return selParam("action", false, "", valuePath...)
}

func selParam(name string, multi bool, prefix string, valuePath ...string) *apischema.Param {
	var values, paths []string
	for i := 0; i < len(valuePath); i += 2 {
		values, paths = append(values, valuePath[i]), append(paths, valuePath[i+1])
	}
	return selectorParam(name, values, paths, multi, prefix)
}

func strParam(name string) *apischema.Param {
	return &apischema.Param{Name: name, Type: apischema.Type{Name: apischema.TypeString}}
}

func enumParam(name string, values ...string) *apischema.Param {
	return &apischema.Param{Name: name, Type: apischema.Type{Name: apischema.TypeEnum, Values: values}}
}

// ---------------------------------------------------------------------------
// Reporting helpers.

func schemaSummary(s *apischema.Schema) string {
	var b strings.Builder
	b.WriteString("schema:\n")
	for _, m := range s.Modules {
		if m == nil {
			b.WriteString("  <nil module>\n")
			continue
		}
		fmt.Fprintf(&b, "  module path=%q name=%q prefix=%q group=%q\n", m.Path, m.Name, m.Prefix, m.Group)
		for _, p := range slices.Concat(m.Parameters, m.TemplatedParameters) {
			if p == nil {
				b.WriteString("    <nil param>\n")
				continue
			}
			fmt.Fprintf(&b, "    param %q type=%s multi=%v", p.Name, shorten(p.Type.String(), 80), p.Multi)
			if len(p.Submodules) > 0 {
				fmt.Fprintf(&b, " submodules=%q", p.Submodules)
			}
			if len(p.TemplateVars) > 0 {
				fmt.Fprintf(&b, " templatevars=%q", p.TemplateVars)
			}
			if p.TokenType != "" {
				fmt.Fprintf(&b, " tokentype=%q", p.TokenType)
			}
			b.WriteString("\n")
		}
	}
	return shorten(b.String(), 6000)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d bytes more)", len(s)-n)
}

// formatErrorContext shortens jennifer's "Error E while formatting
// source:\nSOURCE" to E and the source lines around the position in E.
func formatErrorContext(msg string) string {
	head, src, found := strings.Cut(msg, " while formatting source:\n")
	if !found {
		return shorten(msg, 2000)
	}
	return head + "\n" + sourceContext([]byte(src), head)
}

var linePosRE = regexp.MustCompile(`(?:^|\s|:)(\d+):(\d+):`)

func sourceContext(src []byte, errText string) string {
	m := linePosRE.FindStringSubmatch(errText)
	if m == nil {
		return ""
	}
	line, _ := strconv.Atoi(m[1])
	return linesAround(src, line, 3)
}

func linesAround(src []byte, line, n int) string {
	lines := strings.Split(string(src), "\n")
	var b strings.Builder
	for i := max(1, line-n); i <= min(len(lines), line+n); i++ {
		mark := "  "
		if i == line {
			mark = "> "
		}
		fmt.Fprintf(&b, "%s%5d: %s\n", mark, i, shorten(strconv.Quote(lines[i-1]), 300))
	}
	return b.String()
}

// firstDifference describes where two generations differ, or returns "".
func firstDifference(a, b []generator.File) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return fmt.Sprintf("file %d is %q, then %q", i, a[i].Name, b[i].Name)
		}
		if bytes.Equal(a[i].Data, b[i].Data) {
			continue
		}
		la := strings.Split(string(a[i].Data), "\n")
		lb := strings.Split(string(b[i].Data), "\n")
		for j := 0; j < min(len(la), len(lb)); j++ {
			if la[j] != lb[j] {
				return fmt.Sprintf("%s line %d: %q, then %q", a[i].Name, j+1, shorten(la[j], 200), shorten(lb[j], 200))
			}
		}
		return fmt.Sprintf("%s: %d lines, then %d", a[i].Name, len(la), len(lb))
	}
	return ""
}
