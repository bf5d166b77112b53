package apischema

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ShapeChange is one difference between two shapes files.
type ShapeChange struct {
	// Module is the module path; Path the node ("response.query.pages.[]"),
	// empty for a whole module.
	Module, Path string
	// What: "module added", "module removed", "field added", "field
	// removed", "kinds", "required", "by".
	What string
	// Old and New describe the node before and after, when that helps.
	Old, New string
	// Breaking is set for changes that can break code written against the
	// old shapes: a module or field removed, a kind changed or gone, a
	// field no longer required.
	Breaking bool
}

func (c ShapeChange) String() string {
	mark := " "
	if c.Breaking {
		mark = "!"
	}
	s := fmt.Sprintf("%s %s %s", mark, c.Module, c.What)
	if c.Path != "" {
		s = fmt.Sprintf("%s %s %s: %s", mark, c.Module, c.Path, c.What)
	}
	if c.Old != "" || c.New != "" {
		s += fmt.Sprintf(" (%s → %s)", c.Old, c.New)
	}
	return s
}

// DiffShapes lists the differences from old to new, ordered by module and
// path. Breaking changes are marked.
func DiffShapes(old, new *Shapes) []ShapeChange {
	var out []ShapeChange
	om, nm := map[string]*ModuleShape{}, map[string]*ModuleShape{}
	for _, m := range old.Modules {
		om[m.Path] = m
	}
	for _, m := range new.Modules {
		nm[m.Path] = m
	}
	paths := slices.Sorted(maps.Keys(om))
	for p := range nm {
		if om[p] == nil {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		o, n := om[p], nm[p]
		switch {
		case o == nil:
			out = append(out, ShapeChange{Module: p, What: "module added"})
		case n == nil:
			out = append(out, ShapeChange{Module: p, What: "module removed", Breaking: true})
		default:
			diffNode(&out, p, "response", o.Response, n.Response)
			diffNode(&out, p, "generator", o.Generator, n.Generator)
		}
	}
	return out
}

func diffNode(out *[]ShapeChange, module, path string, o, n *Node) {
	switch {
	case o == nil && n == nil:
		return
	case o == nil:
		*out = append(*out, ShapeChange{Module: module, Path: path, What: "field added"})
		return
	case n == nil:
		*out = append(*out, ShapeChange{Module: module, Path: path, What: "field removed", Breaking: true})
		return
	}
	if !slices.Equal(o.Kinds, n.Kinds) {
		gone := slices.ContainsFunc(o.Kinds, func(k string) bool { return !n.Has(k) })
		added := slices.ContainsFunc(n.Kinds, func(k string) bool { return !o.Has(k) })
		*out = append(*out, ShapeChange{Module: module, Path: path, What: "kinds",
			Old: strings.Join(o.Kinds, "|"), New: strings.Join(n.Kinds, "|"),
			// A new kind breaks decoders of the old one; a kind gone breaks
			// code that handles only it.
			Breaking: gone || added})
	}
	for _, name := range slices.Sorted(maps.Keys(o.Fields)) {
		of, nf := o.Fields[name], n.Fields[name]
		p := path + "." + name
		if nf == nil {
			*out = append(*out, ShapeChange{Module: module, Path: p, What: "field removed", Breaking: true})
			continue
		}
		if of.Required != nf.Required {
			*out = append(*out, ShapeChange{Module: module, Path: p, What: "required",
				Old: fmt.Sprint(of.Required), New: fmt.Sprint(nf.Required), Breaking: of.Required})
		}
		if !slices.Equal(of.By, nf.By) {
			*out = append(*out, ShapeChange{Module: module, Path: p, What: "by",
				Old: strings.Join(of.By, "|"), New: strings.Join(nf.By, "|")})
		}
		diffNode(out, module, p, &of.Node, &nf.Node)
	}
	for _, name := range slices.Sorted(maps.Keys(n.Fields)) {
		if o.Fields[name] == nil {
			*out = append(*out, ShapeChange{Module: module, Path: path + "." + name, What: "field added"})
		}
	}
	if o.Items != nil || n.Items != nil {
		diffNode(out, module, path+".[]", o.Items, n.Items)
	}
}
