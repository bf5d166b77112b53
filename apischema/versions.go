package apischema

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/internal/mwversion"
)

// A versioned schema is the union of the schemas of several MediaWiki
// versions, for one client that serves them all: every module, parameter
// and enum value present in any version, each with the set of versions
// that have it.

// VersionSet is a set of the versions of a [Versioned] schema: bit i
// stands for Versioned.Versions[i].
type VersionSet uint64

// Has reports whether the set holds version i.
func (s VersionSet) Has(i int) bool { return i >= 0 && i < 64 && s&(1<<i) != 0 }

// maxVersions is how many versions one union can hold.
const maxVersions = 64

// Versioned is the union of the schemas of several MediaWiki versions.
type Versioned struct {
	// Versions are the MediaWiki release series of the schemas, oldest
	// first: "1.39", "1.43".
	Versions []string
	// Releases are the full versions the schemas were read from, in the
	// same order: "1.39.17", "1.43.9".
	Releases []string
	// Schema is the union: every module and parameter of any version; an
	// enum holds the values of every version. Where versions disagree the
	// union takes what serves all of them (see Union).
	Schema *Schema

	modules  map[string]VersionSet
	params   map[string]VersionSet // path \x00 name
	values   map[string]VersionSet // path \x00 name \x00 value
	required map[string]VersionSet // path \x00 name: the versions that require it
	types    map[string][]string   // path \x00 name: the type in each version ("" absent), when they differ
}

// SeriesOf returns the release series ("1.39") of a MediaWiki version
// ("1.39.17", "1.43.0-wmf.5"), or "" when v is not one.
func SeriesOf(v string) string { return mwversion.Series(v) }

// CompareSeries orders two release series ("1.39" < "1.43" < "1.100").
// Either must come from SeriesOf.
func CompareSeries(a, b string) int { return mwversion.Compare(a, b) }

// Union makes one schema of the schemas of several MediaWiki versions, in
// any order. Each must say its MediaWiki version (siteinfo's generator, as
// Fetch and snapshots record it), and no two may be of the same release
// series.
//
// Where the versions disagree about an element present in several of
// them, the union takes the newest version's description, flags and
// default, and what serves every version for the rest: an enum has the
// values of all versions; a parameter is required only when every version
// of its module requires it, multi-valued when any version makes it so;
// numeric bounds and value counts are the widest; a parameter whose type
// changed (VisualEditor's oldid, string in 1.39 and integer in 1.43) is a
// string, which every version accepts. A plain enum parameter that became
// a submodule selector keeps its values: each submodule counts as present
// in the versions where its value was a plain one (without its
// parameters, which are of the versions that have the submodule).
func Union(schemas ...*Schema) (*Versioned, error) {
	if len(schemas) == 0 {
		return nil, fmt.Errorf("versions: no schema")
	}
	if len(schemas) > maxVersions {
		return nil, fmt.Errorf("versions: %d schemas, at most %d", len(schemas), maxVersions)
	}
	type entry struct {
		s               *Schema
		series, release string
	}
	var es []entry
	for i, s := range schemas {
		if s == nil {
			return nil, fmt.Errorf("versions: schema %d is nil", i+1)
		}
		rel := s.Wiki.MediaWikiVersion()
		series := SeriesOf(rel)
		if series == "" {
			return nil, fmt.Errorf("versions: schema %d (%s) does not say its MediaWiki version (siteinfo generator %q)", i+1, describeWiki(s.Wiki), s.Wiki.Generator)
		}
		es = append(es, entry{s, series, rel})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return CompareSeries(a.series, b.series) })
	for i := 1; i < len(es); i++ {
		if es[i].series == es[i-1].series {
			return nil, fmt.Errorf("versions: two schemas of MediaWiki %s (%s and %s): give one schema per version", es[i].series, es[i-1].release, es[i].release)
		}
	}
	v := &Versioned{
		modules:  map[string]VersionSet{},
		params:   map[string]VersionSet{},
		values:   map[string]VersionSet{},
		required: map[string]VersionSet{},
		types:    map[string][]string{},
	}
	for _, e := range es {
		v.Versions = append(v.Versions, e.series)
		v.Releases = append(v.Releases, e.release)
	}
	// Record what each version has.
	typeOf := map[string][]string{}
	for i, e := range es {
		bit := VersionSet(1) << i
		for _, m := range e.s.Modules {
			v.modules[m.Path] |= bit
			for _, p := range allModuleParams(m) {
				k := m.Path + "\x00" + p.Name
				v.params[k] |= bit
				if p.Required {
					v.required[k] |= bit
				}
				if typeOf[k] == nil {
					typeOf[k] = make([]string, len(es))
				}
				typeOf[k][i] = p.Type.Name
				if p.Type.IsEnum() && len(p.Submodules) == 0 {
					for _, val := range p.Type.Values {
						v.values[k+"\x00"+val] |= bit
					}
				}
			}
		}
	}
	// A plain enum parameter that became a submodule selector (the value
	// "fancy" selecting the new module widget+fancy): the submodule counts
	// as present in the versions where its value was a plain value, since
	// selecting it sends the same value there; its own parameters are not.
	for _, e := range es {
		for _, m := range e.s.Modules {
			for _, p := range allModuleParams(m) {
				for val, path := range p.Submodules {
					v.modules[path] |= v.values[m.Path+"\x00"+p.Name+"\x00"+val]
				}
			}
		}
	}
	for k, ts := range typeOf {
		var seen string
		for _, t := range ts {
			if t == "" {
				continue
			}
			if seen != "" && t != seen {
				v.types[k] = ts
				break
			}
			seen = t
		}
	}
	// Merge, newest first: the newest version's copy of an element is its
	// base, older versions add what it lacks.
	newest := es[len(es)-1].s
	u := &Schema{Wiki: newest.Wiki, FetchedAt: newest.FetchedAt, HelpFormat: newest.HelpFormat}
	byPath := map[string]*Module{}
	for i := len(es) - 1; i >= 0; i-- {
		for _, m := range es[i].s.Modules {
			if um := byPath[m.Path]; um != nil {
				mergeModule(um, m)
				continue
			}
			um := copyModule(m)
			byPath[m.Path] = um
			u.Modules = append(u.Modules, um)
		}
	}
	slices.SortFunc(u.Modules, func(a, b *Module) int { return strings.Compare(a.Path, b.Path) })
	for _, m := range u.Modules {
		for _, p := range allModuleParams(m) {
			k := m.Path + "\x00" + p.Name
			// Required only where every version of the module requires it.
			p.Required = v.required[k] == v.modules[m.Path]
			if ts := v.types[k]; ts != nil {
				widen(p, ts)
			}
		}
	}
	v.Schema = u
	return v, nil
}

func describeWiki(w Wiki) string {
	switch {
	case w.API != "":
		return w.API
	case w.Server != "":
		return w.Server
	}
	return "an unnamed wiki"
}

func allModuleParams(m *Module) []*Param {
	return slices.Concat(m.Parameters, m.TemplatedParameters)
}

func copyModule(m *Module) *Module {
	c := *m
	c.Parameters = copyParams(m.Parameters)
	c.TemplatedParameters = copyParams(m.TemplatedParameters)
	return &c
}

func copyParams(ps []*Param) []*Param {
	if ps == nil {
		return nil
	}
	out := make([]*Param, len(ps))
	for i, p := range ps {
		c := *p
		c.Type.Values = slices.Clone(p.Type.Values)
		c.Submodules = maps.Clone(p.Submodules)
		c.DeprecatedValues = slices.Clone(p.DeprecatedValues)
		c.InternalValues = slices.Clone(p.InternalValues)
		out[i] = &c
	}
	return out
}

// mergeModule adds to u (the union's copy, from a newer version) what the
// older version's m has that u lacks.
func mergeModule(u, m *Module) {
	u.MustBePosted = u.MustBePosted || m.MustBePosted
	u.WriteRights = u.WriteRights || m.WriteRights
	u.ReadRights = u.ReadRights || m.ReadRights
	u.Generator = u.Generator || m.Generator
	u.DynamicParameters = u.DynamicParameters || m.DynamicParameters
	u.Parameters = mergeParams(u, u.Parameters, m.Parameters)
	u.TemplatedParameters = mergeParams(u, u.TemplatedParameters, m.TemplatedParameters)
}

func mergeParams(u *Module, into, from []*Param) []*Param {
	for _, q := range from {
		p := u.Param(q.Name)
		if p == nil {
			into = append(into, copyParams([]*Param{q})...)
			continue
		}
		mergeParam(p, q)
	}
	return into
}

// mergeParam widens p (newer) to serve q (older) too.
func mergeParam(p, q *Param) {
	if p.Type.IsEnum() && q.Type.IsEnum() {
		for _, v := range q.Type.Values {
			if !slices.Contains(p.Type.Values, v) {
				p.Type.Values = append(p.Type.Values, v)
			}
		}
	}
	for k, path := range q.Submodules {
		if _, ok := p.Submodules[k]; !ok {
			if p.Submodules == nil {
				p.Submodules = map[string]string{}
			}
			p.Submodules[k] = path
		}
	}
	p.Multi = p.Multi || q.Multi
	p.Sensitive = p.Sensitive || q.Sensitive
	p.AllowsDuplicates = p.AllowsDuplicates || q.AllowsDuplicates
	p.TokenType = cmpOr(p.TokenType, q.TokenType)
	p.AllSpecifier = cmpOr(p.AllSpecifier, q.AllSpecifier)
	p.SubmoduleParamPrefix = cmpOr(p.SubmoduleParamPrefix, q.SubmoduleParamPrefix)
	p.DeprecatedValues = unionStrings(p.DeprecatedValues, q.DeprecatedValues)
	p.InternalValues = unionStrings(p.InternalValues, q.InternalValues)
	p.Limit = widerInt(p.Limit, q.Limit)
	p.LowLimit = widerInt(p.LowLimit, q.LowLimit)
	p.HighLimit = widerInt(p.HighLimit, q.HighLimit)
	p.MaxBytes = widerInt(p.MaxBytes, q.MaxBytes)
	p.MaxChars = widerInt(p.MaxChars, q.MaxChars)
	p.Max = widerMax(p.Max, q.Max)
	p.HighMax = widerMax(p.HighMax, q.HighMax)
	if p.Min != nil && q.Min != nil {
		m := min(*p.Min, *q.Min)
		p.Min = &m
	} else {
		p.Min = nil
	}
}

func unionStrings(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

// widerInt is the larger of two upper limits; nil (no limit) when either
// has none.
func widerInt(a, b *int) *int {
	if a == nil || b == nil {
		return nil
	}
	m := max(*a, *b)
	return &m
}

func widerMax(a, b *int64) *int64 {
	if a == nil || b == nil {
		return nil
	}
	m := max(*a, *b)
	return &m
}

// widen gives a parameter whose type differs between versions the type
// that serves them all: the values of every version for enums only; a
// string for anything else, which every version accepts as it is sent.
func widen(p *Param, types []string) {
	allEnum := true
	for _, t := range types {
		if t != "" && t != TypeEnum {
			allEnum = false
		}
	}
	if allEnum {
		return
	}
	p.Type = Type{Name: TypeString}
	p.Min, p.Max, p.HighMax = nil, nil, nil
	p.Submodules, p.SubmoduleParamPrefix = nil, ""
	p.AllSpecifier, p.DeprecatedValues, p.InternalValues = "", nil, nil
}

// All is the set of every version.
func (v *Versioned) All() VersionSet { return VersionSet(1)<<len(v.Versions) - 1 }

// Module returns the versions that have the module.
func (v *Versioned) Module(path string) VersionSet { return v.modules[path] }

// Param returns the versions whose module path has the parameter.
func (v *Versioned) Param(path, name string) VersionSet { return v.params[path+"\x00"+name] }

// Value returns the versions in which the enum parameter accepts value.
// Values of a parameter that is not an enum in every version that has it
// are not tracked: the set is empty.
func (v *Versioned) Value(path, name, value string) VersionSet {
	return v.values[path+"\x00"+name+"\x00"+value]
}

// RequiredIn returns the versions whose module requires the parameter.
func (v *Versioned) RequiredIn(path, name string) VersionSet { return v.required[path+"\x00"+name] }

// TypeChange returns the parameter's type name in each version ("" where
// it is absent) when the versions disagree, or nil.
func (v *Versioned) TypeChange(path, name string) []string {
	return slices.Clone(v.types[path+"\x00"+name])
}

// Names returns the release series of a set, oldest first.
func (v *Versioned) Names(s VersionSet) []string {
	var out []string
	for i, name := range v.Versions {
		if s.Has(i) {
			out = append(out, name)
		}
	}
	return out
}

// Describe says which versions of the union have an element, for a
// reader: "" for all of them, "Since MediaWiki 1.43", "Removed in
// MediaWiki 1.43 (present in 1.39)", or "Only in MediaWiki 1.40, 1.42".
// within is the set the element's container has (its module, for a
// parameter); versions outside it are not mentioned. Pass All() for
// modules.
func (v *Versioned) Describe(s, within VersionSet) string {
	s &= within
	if s == within || s == 0 {
		return ""
	}
	var in []int
	for i := range v.Versions {
		if within.Has(i) {
			in = append(in, i)
		}
	}
	first, last := -1, -1
	for j, i := range in {
		if s.Has(i) {
			if first < 0 {
				first = j
			}
			last = j
		}
	}
	contiguous := true
	for j := first; j <= last; j++ {
		if !s.Has(in[j]) {
			contiguous = false
		}
	}
	switch {
	case contiguous && last == len(in)-1:
		return "Since MediaWiki " + v.Versions[in[first]]
	case contiguous && first == 0:
		return fmt.Sprintf("Removed in MediaWiki %s (present in %s)", v.Versions[in[last+1]], strings.Join(v.Names(s), ", "))
	}
	return "Only in MediaWiki " + strings.Join(v.Names(s), ", ")
}
