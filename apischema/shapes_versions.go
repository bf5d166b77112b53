package apischema

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// VersionedShapes is the union of the response shapes of several
// MediaWiki versions, the answer side of a [Versioned] schema: every
// module and field any version answers, each with the versions that have
// it.
type VersionedShapes struct {
	// Versions are the release series of the shapes, oldest first.
	Versions []string
	// Shapes is the union. A field is required only when every version
	// whose module shape has the object requires it; a node has the kinds
	// of every version (an id that was a string and became a number has
	// both, and the generator types it as what serves both).
	Shapes *Shapes
	// fields: module \x00 "response"|"generator" \x00 path → versions.
	fields map[string]VersionSet
}

// UnionShapes makes one set of shapes of the shapes of several MediaWiki
// versions, in any order; like [Union], each must say its version and no
// two may be of one release series. versions, when not nil, must be the
// Versions of the schema union the shapes are for, and every shapes'
// series must be among them: field sets then use the schema's version
// numbering.
func UnionShapes(versions []string, shapes ...*Shapes) (*VersionedShapes, error) {
	if len(shapes) == 0 {
		return nil, fmt.Errorf("shapes versions: no shapes")
	}
	type entry struct {
		sh     *Shapes
		series string
	}
	var es []entry
	for i, sh := range shapes {
		series := SeriesOf(sh.MediaWikiVersion())
		if series == "" {
			return nil, fmt.Errorf("shapes versions: shapes %d (%s) do not say their MediaWiki version", i+1, describeWiki(sh.Wiki))
		}
		es = append(es, entry{sh, series})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return CompareSeries(a.series, b.series) })
	for i := 1; i < len(es); i++ {
		if es[i].series == es[i-1].series {
			return nil, fmt.Errorf("shapes versions: two shapes of MediaWiki %s: give one per version", es[i].series)
		}
	}
	v := &VersionedShapes{fields: map[string]VersionSet{}}
	if versions == nil {
		for _, e := range es {
			versions = append(versions, e.series)
		}
	}
	v.Versions = slices.Clone(versions)
	bitOf := func(series string) (VersionSet, error) {
		i := slices.Index(versions, series)
		if i < 0 {
			return 0, fmt.Errorf("shapes versions: shapes of MediaWiki %s, which is not among the schemas' versions (%s)", series, strings.Join(versions, ", "))
		}
		return VersionSet(1) << i, nil
	}
	newest := es[len(es)-1].sh
	u := &Shapes{Wiki: newest.Wiki, SchemaHash: newest.SchemaHash}
	byPath := map[string]*ModuleShape{}
	for i := len(es) - 1; i >= 0; i-- {
		bit, err := bitOf(es[i].series)
		if err != nil {
			return nil, err
		}
		for _, ms := range es[i].sh.Modules {
			v.record(ms.Path+"\x00response", ms.Response, "", bit)
			v.record(ms.Path+"\x00generator", ms.Generator, "", bit)
			um := byPath[ms.Path]
			if um == nil {
				c := &ModuleShape{Path: ms.Path, Controls: slices.Clone(ms.Controls), Samples: ms.Samples,
					Response: cloneNode(ms.Response), Generator: cloneNode(ms.Generator)}
				byPath[ms.Path] = c
				u.Modules = append(u.Modules, c)
				continue
			}
			um.Samples += ms.Samples
			um.Controls = mergeControls(um.Controls, ms.Controls)
			um.Response = mergeNode(um.Response, ms.Response)
			um.Generator = mergeNode(um.Generator, ms.Generator)
		}
		for _, g := range es[i].sh.Gaps {
			if !slices.Contains(u.Gaps, g) {
				u.Gaps = append(u.Gaps, g)
			}
		}
	}
	slices.SortFunc(u.Modules, func(a, b *ModuleShape) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(u.Gaps, func(a, b Gap) int {
		return cmpStrings(a.Module+"\x00"+a.Value+"\x00"+a.Reason, b.Module+"\x00"+b.Value+"\x00"+b.Reason)
	})
	if err := u.Validate(); err != nil {
		return nil, fmt.Errorf("shapes versions: the union does not validate: %w", err)
	}
	v.Shapes = u
	return v, nil
}

func cmpStrings(a, b string) int { return strings.Compare(a, b) }

// record notes, under key, the versions that have each field of n.
func (v *VersionedShapes) record(key string, n *Node, path string, bit VersionSet) {
	if n == nil {
		return
	}
	v.fields[key+"\x00"+path] |= bit
	for k, f := range n.Fields {
		v.record(key, &f.Node, path+"."+k, bit)
	}
	v.record(key, n.Items, path+"[]", bit)
}

// Field returns the versions whose answer of module has the field at
// path: "" for the whole answer, ".query.linterstats" for a field,
// "[]" for a list's or map's items (".query.pages[].revisions").
// generator selects the answer of action=query with generator=module.
func (v *VersionedShapes) Field(module string, generator bool, path string) VersionSet {
	which := "response"
	if generator {
		which = "generator"
	}
	return v.fields[module+"\x00"+which+"\x00"+path]
}

func mergeControls(a, b []Control) []Control {
	for _, c := range b {
		i := slices.IndexFunc(a, func(x Control) bool { return x.Param == c.Param })
		if i < 0 {
			a = append(a, Control{Param: c.Param, Values: slices.Clone(c.Values)})
			continue
		}
		a[i].Values = unionStrings(a[i].Values, c.Values)
	}
	return a
}

func cloneNode(n *Node) *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Kinds = slices.Clone(n.Kinds)
	c.ArrayTypes = slices.Clone(n.ArrayTypes)
	c.BCBools = slices.Clone(n.BCBools)
	c.Items = cloneNode(n.Items)
	if n.Fields != nil {
		c.Fields = make(map[string]*Field, len(n.Fields))
		for k, f := range n.Fields {
			cf := *f
			cf.By = slices.Clone(f.By)
			cf.Node = *cloneNode(&f.Node)
			c.Fields[k] = &cf
		}
	}
	return &c
}

// mergeNode widens a (the union's copy) to describe b too.
func mergeNode(a, b *Node) *Node {
	switch {
	case b == nil:
		return a
	case a == nil:
		return cloneNode(b)
	}
	a.Kinds = sortedUnion(a.Kinds, b.Kinds)
	a.ArrayTypes = sortedUnion(a.ArrayTypes, b.ArrayTypes)
	a.BCBools = unionStrings(a.BCBools, b.BCBools)
	a.KVPKeyName = cmpOr(a.KVPKeyName, b.KVPKeyName)
	a.Element = cmpOr(a.Element, b.Element)
	if a.MapKeys != b.MapKeys && a.MapKeys != "" && b.MapKeys != "" {
		a.MapKeys = "string"
	} else {
		a.MapKeys = cmpOr(a.MapKeys, b.MapKeys)
	}
	a.Items = mergeNode(a.Items, b.Items)
	for _, k := range slices.Sorted(maps.Keys(b.Fields)) {
		bf := b.Fields[k]
		af, ok := a.Fields[k]
		if !ok {
			if a.Fields == nil {
				a.Fields = map[string]*Field{}
			}
			c := *bf
			c.By = slices.Clone(bf.By)
			c.Node = *cloneNode(&bf.Node)
			c.Required = false // absent in the other version
			a.Fields[k] = &c
			continue
		}
		af.Required = af.Required && bf.Required
		af.By = unionStrings(af.By, bf.By)
		af.Together = af.Together || bf.Together
		af.Node = *mergeNode(&af.Node, &bf.Node)
	}
	for k, af := range a.Fields {
		if _, ok := b.Fields[k]; !ok && b.Has(KindObject) {
			af.Required = false // absent in the other version
		}
	}
	return a
}

func sortedUnion(a, b []string) []string {
	if len(a) == 0 && len(b) == 0 {
		return a
	}
	out := unionStrings(slices.Clone(a), b)
	slices.Sort(out)
	return out
}
