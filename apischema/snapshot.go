package apischema

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mwgen/mwgen/internal/atomicfile"
)

// Validate checks what every consumer of a schema relies on: at least one
// module, unique module paths, unique parameter names within a module,
// parameter types present, templated parameters bound to parameters that
// exist, and generator values that select modules able to be generators.
// All problems are reported together (a *Problems).
//
// A selector value whose module is not in the schema (a partial schema:
// raw paraminfo saved for a few modules) is not a problem here; see
// Dangling.
func (s *Schema) Validate() error {
	var probs Problems
	if len(s.Modules) == 0 {
		probs.add("no modules", "the schema has no modules (empty module list)")
		return probs.err()
	}
	paths := make(map[string]*Module, len(s.Modules))
	for _, m := range s.Modules {
		if m == nil {
			probs.add("null module", "a module is null")
			continue
		}
		if paths[m.Path] != nil {
			probs.add("module appears twice", "module %q appears twice", m.Path)
		}
		paths[m.Path] = m
	}
	for _, m := range s.Modules {
		if m != nil {
			m.validate(paths, &probs)
		}
	}
	return probs.err()
}

func (m *Module) validate(paths map[string]*Module, probs *Problems) {
	bad := func(kind, format string, args ...any) {
		probs.add(kind, "module %q: "+format, append([]any{m.Path}, args...)...)
	}
	if m.Name == "" {
		bad("module without a name", "no name")
	}
	seen := map[string]int{}
	all := slices.Concat(m.Parameters, m.TemplatedParameters)
	for i, p := range all {
		if p == nil {
			bad("null parameter", "parameter #%d is null", i+1)
			continue
		}
		if p.Name == "" {
			bad("parameter without a name", "parameter #%d has no name", i+1)
			continue
		}
		if j, dup := seen[p.Name]; dup {
			bad("duplicate parameter", "duplicate parameter %q (entries %d and %d)", p.Name, j+1, i+1)
		}
		seen[p.Name] = i
		if p.Type.Name == "" {
			bad("parameter without a type", "parameter %q has no type", p.Name)
		}
		if p.Name == "generator" && p.SubmoduleParamPrefix != "" {
			for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
				if t := paths[p.Submodules[v]]; t != nil && !t.Generator {
					bad("generator value that is not a generator", "parameter %q: value %q selects module %q, which is not a generator (no \"generator\": true)", p.Name, v, t.Path)
				}
			}
		}
	}
	for _, p := range m.TemplatedParameters {
		if p == nil {
			continue
		}
		for _, v := range slices.Sorted(maps.Keys(p.TemplateVars)) {
			target := p.TemplateVars[v]
			if !strings.Contains(p.Name, "{"+v+"}") {
				bad("templated parameter without its placeholder", "templated parameter %q has no placeholder {%s}", p.Name, v)
			}
			if t := m.Param(target); t == nil {
				bad("templated parameter bound to nothing", "templated parameter %q is bound to %q, which is not a parameter of the module", p.Name, target)
			} else if !t.Multi {
				bad("templated parameter bound to a single-valued parameter", "templated parameter %q is bound to %q, which is not multi-valued", p.Name, target)
			}
		}
	}
}

// DanglingValue is a value of a submodule selector (main's action, query's
// prop, list, meta and generator...) whose module is not in the schema.
// The value is still valid on the wire; a generator can offer no typed
// parameters for it.
type DanglingValue struct {
	// Module and Param name the selector: "query", "list".
	Module, Param string
	// Value is the selector value ("geosearch"), Path the module it
	// selects ("query+geosearch").
	Value, Path string
}

// Dangling returns the selector values whose modules are not in the
// schema, sorted by module, parameter and value. A schema fetched whole
// has none; raw paraminfo saved for a few modules has many.
func (s *Schema) Dangling() []DanglingValue {
	have := make(map[string]bool, len(s.Modules))
	for _, m := range s.Modules {
		if m != nil {
			have[m.Path] = true
		}
	}
	var out []DanglingValue
	for _, m := range s.Modules {
		if m == nil {
			continue
		}
		for _, p := range slices.Concat(m.Parameters, m.TemplatedParameters) {
			if p == nil {
				continue
			}
			for _, v := range slices.Sorted(maps.Keys(p.Submodules)) {
				if path := p.Submodules[v]; !have[path] {
					out = append(out, DanglingValue{Module: m.Path, Param: p.Name, Value: v, Path: path})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b DanglingValue) int {
		return cmp.Or(strings.Compare(a.Module, b.Module), strings.Compare(a.Param, b.Param), strings.Compare(a.Value, b.Value))
	})
	return out
}

// DanglingSummary describes dangling selector values in one line: how many,
// of how many selectors, and an example from each of the first few
// selectors ("312 values of 7 selector parameters name modules that are
// not in the schema, e.g. main action=abusefiltercheckmatch, query
// list=geosearch ..."). It returns "" for none.
func DanglingSummary(ds []DanglingValue) string {
	if len(ds) == 0 {
		return ""
	}
	var examples []string
	selectors := 0
	for i, d := range ds {
		if i > 0 && ds[i-1].Module == d.Module && ds[i-1].Param == d.Param {
			continue
		}
		selectors++
		if len(examples) < 3 {
			examples = append(examples, d.Module+" "+d.Param+"="+d.Value)
		}
	}
	values, params := "values", "selector parameters"
	if len(ds) == 1 {
		values = "value"
	}
	if selectors == 1 {
		params = "selector parameter"
	}
	verb := "name modules that are"
	if len(ds) == 1 {
		verb = "names a module that is"
	}
	more := ""
	if len(ds) > len(examples) {
		more = " ..."
	}
	return fmt.Sprintf("%d %s of %d %s %s not in the schema, e.g. %s%s",
		len(ds), values, selectors, params, verb, strings.Join(examples, ", "), more)
}

// stable returns a shallow copy of m with its volatile parts cleared.
func stable(m *Module) *Module {
	c := *m
	c.LicenseLink = ""
	c.Parameters = stableParams(m, m.Parameters)
	c.TemplatedParameters = stableParams(m, m.TemplatedParameters)
	return &c
}

func stableParams(m *Module, ps []*Param) []*Param {
	out, cloned := ps, false
	for i, p := range ps {
		if VolatileEnum(m, p) && len(p.Type.Values) > 0 {
			if !cloned {
				out, cloned = slices.Clone(ps), true
			}
			c := *p
			c.Type.Values = []string{}
			out[i] = &c
		}
	}
	return out
}

// EnumSource says where the values of an enum parameter come from, and so
// how far its list of values can be trusted. It is the one rule for open
// enums: Hash and Diff leave volatile values out, and a code generator
// accepts any value of an open enum (see OpenEnum).
type EnumSource int

const (
	// EnumFixed values come with the software (MediaWiki and its
	// extensions): the list is complete for the wiki's version. Parameters
	// that are not enums, and submodule selectors, are EnumFixed too.
	EnumFixed EnumSource = iota
	// EnumConfigured values depend on the wiki's configuration: content
	// models and formats, user groups and rights, skins, languages and
	// variants, token types. Another wiki of the same version may allow
	// other values.
	EnumConfigured
	// EnumVolatile values depend on the wiki's state: change tags, which
	// users with managetags define ([] on a fresh wiki). They differ
	// between two fetches of one wiki.
	EnumVolatile
)

// configuredSuffixes mark EnumConfigured parameters by the end of their
// wire name, lower-cased; paraminfo does not say where a list of values
// comes from. The tag suffixes catch change tags under other names.
var configuredSuffixes = []string{"contentmodel", "contentformat", "tags", "tag", "tagfilter",
	"group", "groups", "rights", "skin", "lang", "language", "variant"}

// EnumSourceOf says where the values of p, a parameter of m, come from.
func EnumSourceOf(m *Module, p *Param) EnumSource {
	if !p.Type.IsEnum() || len(p.Submodules) > 0 {
		return EnumFixed
	}
	switch {
	case p.Name == "tags", p.Name == "tagfilter",
		m.Path == "tag" && (p.Name == "add" || p.Name == "remove"):
		return EnumVolatile
	case m.Path == "query+tokens" && p.Name == "type":
		return EnumConfigured
	}
	wire := strings.ToLower(m.Prefix + p.Name)
	for _, suffix := range configuredSuffixes {
		if strings.HasSuffix(wire, suffix) {
			return EnumConfigured
		}
	}
	return EnumFixed
}

// VolatileEnum reports whether the values of an enum parameter depend on the
// wiki's state (EnumVolatile). Such values differ between two fetches of the
// same wiki, so they are left out of Hash and Diff.
func VolatileEnum(m *Module, p *Param) bool { return EnumSourceOf(m, p) == EnumVolatile }

// OpenEnum reports whether a client must accept values of an enum
// parameter that its list does not hold: values that depend on the wiki's
// configuration or state, and enums that list no value at all.
func OpenEnum(m *Module, p *Param) bool {
	if !p.Type.IsEnum() || len(p.Submodules) > 0 {
		return false
	}
	return EnumSourceOf(m, p) != EnumFixed || len(p.Type.Values) == 0
}

// ShortHash returns the first 12 hex digits of Hash, for display. For a
// schema decoded from a snapshot it is the hash the decoder verified, so
// it costs nothing; change such a schema and ShortHash still names the
// snapshot (call Hash for the hash of what the schema holds now).
func (s *Schema) ShortHash() string {
	if s.verified != "" {
		return s.verified[:12]
	}
	return s.Hash()[:12]
}

// legacyMarshalSnapshot is MarshalSnapshot through encoding/json and the
// MarshalJSON methods: the definition the encoder keeps to, and its
// fallback for what it cannot write.
func (s *Schema) legacyMarshalSnapshot() ([]byte, error) {
	mods := slices.Clone(s.Modules)
	slices.SortStableFunc(mods, func(a, b *Module) int { return strings.Compare(a.Path, b.Path) })
	sorted := &Schema{Modules: mods}
	modules, err := marshal(mods)
	if err != nil {
		return nil, fmt.Errorf("encode modules: %w", err)
	}
	snap := snapshotJSON{
		Format:     SnapshotFormat,
		Wiki:       s.Wiki,
		HelpFormat: cmpOr(s.HelpFormat, "none"),
		Hash:       sorted.legacyHash(),
		Modules:    modules,
	}
	if !s.FetchedAt.IsZero() {
		snap.Fetched = s.FetchedAt.UTC().Format(time.RFC3339)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(snap); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteSnapshot writes the snapshot to path atomically: into a temporary file
// in the same directory, then renamed over path. On error nothing at path
// changes.
func (s *Schema) WriteSnapshot(path string) error {
	data, err := s.MarshalSnapshot()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

func sortedValues(m map[string]string) []string {
	vals := make([]string, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return slices.Compact(vals)
}
