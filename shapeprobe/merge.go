package shapeprobe

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/mwgen/mwgen/apischema"
)

// Roles of a sample: the module used directly, or as a generator.
const (
	RoleResponse  = "response"
	RoleGenerator = "generator"
)

// Sample is one traced (or failed) answer, as stored in the samples file.
type Sample struct {
	// Key identifies the planned request (see Request.Key).
	Key string `json:"key"`
	// Module is the schema path of the module the request is about.
	Module string `json:"module"`
	// Role is RoleResponse or RoleGenerator.
	Role string `json:"role"`
	// Alone is "param=value" when the request sent one control value alone.
	Alone string `json:"alone,omitempty"`
	// Tags are the control values in effect ("rvprop=ids"), defaults included.
	Tags []string `json:"tags,omitempty"`
	// Step is 0 for the first answer, 1 for the continued one.
	Step int `json:"step,omitempty"`
	// Error is the API error code when the wiki refused the request.
	Error string `json:"error,omitempty"`
	// Trace is the hook's trace tree; absent on errors.
	Trace json.RawMessage `json:"trace,omitempty"`
}

// acc accumulates one node over samples.
type acc struct {
	kinds      map[string]bool
	arrayTypes map[string]bool
	kvpKey     string
	bcBools    map[string]bool
	element    string
	intKeys    bool
	strKeys    bool
	// objects[s] counts the object instances in sample s.
	objects map[int]int
	fields  map[string]*facc
	items   *acc
}

type facc struct {
	acc
	// present[s] counts the instances of the field in sample s.
	present map[int]int
}

func newAcc() *acc {
	return &acc{kinds: map[string]bool{}, arrayTypes: map[string]bool{}, bcBools: map[string]bool{},
		objects: map[int]int{}, fields: map[string]*facc{}}
}

func (a *acc) add(n *TNode, s int) {
	k := n.kind()
	a.kinds[k] = true
	if n.Scalar != "" {
		return
	}
	if n.Type != "" {
		a.arrayTypes[n.Type] = true
	}
	if v := n.metaString("_kvpkeyname"); v != "" && (a.kvpKey == "" || v < a.kvpKey) {
		a.kvpKey = v
	}
	if v := n.metaString("_element"); v != "" && (a.element == "" || v < a.element) {
		a.element = v
	}
	for _, b := range n.metaStrings("_BC_bools") {
		a.bcBools[b] = true
	}
	switch k {
	case apischema.KindObject:
		a.objects[s]++
		for _, c := range n.Children {
			f := a.fields[c.Key]
			if f == nil {
				f = &facc{acc: *newAcc(), present: map[int]int{}}
				a.fields[c.Key] = f
			}
			f.present[s]++
			f.add(c.Node, s)
		}
	case apischema.KindList, apischema.KindMap:
		if a.items == nil {
			a.items = newAcc()
		}
		for _, c := range n.Children {
			if c.IntKey {
				a.intKeys = true
			} else {
				a.strKeys = true
			}
			a.items.add(c.Node, s)
		}
	}
}

// sampleInfo is what the merge needs to know of each sample.
type sampleInfo struct {
	alone string
	tags  map[string]bool
	// cont marks samples of a continuation request (limit=1): what only
	// they have comes from paging, not from the controls.
	cont bool
}

// build turns the accumulator into a Node; samples describe each sample by
// index, controls lists every control value of the module.
func (a *acc) build(samples []sampleInfo, controls map[string][]string) apischema.Node {
	n := apischema.Node{
		Kinds:      slices.Sorted(maps.Keys(a.kinds)),
		ArrayTypes: slices.Sorted(maps.Keys(a.arrayTypes)),
		KVPKeyName: a.kvpKey,
		BCBools:    slices.Sorted(maps.Keys(a.bcBools)),
		Element:    a.element,
	}
	if len(n.ArrayTypes) == 0 {
		n.ArrayTypes = nil
	}
	if len(n.BCBools) == 0 {
		n.BCBools = nil
	}
	if a.kinds[apischema.KindMap] {
		n.MapKeys = "string"
		if a.intKeys && !a.strKeys {
			n.MapKeys = "int"
		}
	}
	if len(a.fields) > 0 {
		n.Fields = make(map[string]*apischema.Field, len(a.fields))
		for name, f := range a.fields {
			field := &apischema.Field{Node: f.build(samples, controls)}
			field.By, field.Together = a.by(f, samples, controls)
			field.Required = a.required(f, field.By, field.Together, samples)
			n.Fields[name] = field
		}
	}
	if a.items != nil && (len(a.items.kinds) > 0) {
		items := a.items.build(samples, controls)
		n.Items = &items
	}
	return n
}

// by finds the control values that produce field f of this object: the
// values with which it was seen when sent alone, unless it came with every
// value whose sample had the object (then it does not depend on them). A
// field never seen in a single-value sample is attributed to the values
// that every sample having it asked for together.
func (a *acc) by(f *facc, samples []sampleInfo, controls map[string][]string) (by []string, together bool) {
	for _, param := range slices.Sorted(maps.Keys(controls)) {
		var with, parent []string
		for _, v := range controls[param] {
			pv := param + "=" + v
			seenParent, seenField := false, false
			for s, info := range samples {
				if info.alone != pv {
					continue
				}
				if a.objects[s] > 0 {
					seenParent = true
				}
				if f.present[s] > 0 {
					seenField = true
				}
			}
			if seenParent {
				parent = append(parent, pv)
			}
			if seenField {
				with = append(with, pv)
			}
		}
		if len(with) > 0 && len(with) < len(parent) {
			by = append(by, with...)
		}
		if len(with) == 0 && len(parent) > 0 {
			// Never alone: the values all samples with the field shared.
			var common map[string]bool
			for s, info := range samples {
				if f.present[s] == 0 || info.cont {
					continue
				}
				cur := map[string]bool{}
				for _, v := range controls[param] {
					if t := param + "=" + v; info.tags[t] {
						cur[t] = true
					}
				}
				if common == nil {
					common = cur
				} else {
					for t := range common {
						if !cur[t] {
							delete(common, t)
						}
					}
				}
			}
			if len(common) > 0 {
				by = append(by, slices.Sorted(maps.Keys(common))...)
				together = true
			}
		}
	}
	return by, together
}

// required: every relevant sample that had the object had the field in
// every instance. Relevant are all samples when by is empty, else those
// that asked for one of the by values (all of them when together).
func (a *acc) required(f *facc, by []string, together bool, samples []sampleInfo) bool {
	any := false
	for s, info := range samples {
		if a.objects[s] == 0 {
			continue
		}
		asked := func(b string) bool { return info.tags[b] }
		if len(by) > 0 && !together && !slices.ContainsFunc(by, asked) {
			continue
		}
		if together && slices.ContainsFunc(by, func(b string) bool { return !asked(b) }) {
			continue
		}
		any = true
		if f.present[s] != a.objects[s] {
			return false
		}
	}
	return any
}

// Merge builds shapes from samples. schema gives each module's controls
// (prop-like parameters) and the list of modules for gaps; planned says
// which modules and control values the plan tried, with skip reasons for
// those it left out.
func Merge(schema *apischema.Schema, plan *Plan, samples []Sample) (*apischema.Shapes, error) {
	type group struct {
		infos []sampleInfo
		root  *acc
	}
	byModule := map[string]map[string]*group{}
	okAlone := map[string]map[string]bool{}
	errs := map[string]map[string]string{} // module → alone value or "" → first error
	planned, cont := map[string]bool{}, map[string]bool{}
	for _, r := range plan.Requests {
		planned[r.Key()] = true
		cont[r.Key()] = r.Continue
	}
	for i, smp := range samples {
		if !planned[smp.Key] {
			// Left from a run with another plan.
			continue
		}
		if smp.Error != "" || smp.Trace == nil {
			if errs[smp.Module] == nil {
				errs[smp.Module] = map[string]string{}
			}
			if _, ok := errs[smp.Module][smp.Alone]; !ok {
				code := smp.Error
				if code == "" {
					code = "no trace"
				}
				errs[smp.Module][smp.Alone] = code
			}
			continue
		}
		root, err := ParseTrace(smp.Trace)
		if err != nil {
			return nil, fmt.Errorf("sample %d (%s): %w", i+1, smp.Key, err)
		}
		if byModule[smp.Module] == nil {
			byModule[smp.Module] = map[string]*group{}
		}
		g := byModule[smp.Module][smp.Role]
		if g == nil {
			g = &group{root: newAcc()}
			byModule[smp.Module][smp.Role] = g
		}
		tags := map[string]bool{}
		for _, t := range smp.Tags {
			tags[t] = true
		}
		g.root.add(root, len(g.infos))
		g.infos = append(g.infos, sampleInfo{alone: smp.Alone, tags: tags, cont: cont[smp.Key]})
		if smp.Alone != "" {
			if okAlone[smp.Module] == nil {
				okAlone[smp.Module] = map[string]bool{}
			}
			okAlone[smp.Module][smp.Alone] = true
		}
	}

	out := &apischema.Shapes{Wiki: schema.Wiki, SchemaHash: schema.Hash()}
	for _, path := range slices.Sorted(maps.Keys(byModule)) {
		ms := &apischema.ModuleShape{Path: path}
		controls := map[string][]string{}
		for _, c := range plan.Controls[path] {
			var seen []string
			for _, v := range c.Values {
				if okAlone[path][c.Param+"="+v] {
					seen = append(seen, v)
				}
			}
			controls[c.Param] = seen
			if len(seen) > 0 {
				ms.Controls = append(ms.Controls, apischema.Control{Param: c.Param, Values: seen})
			}
		}
		for role, g := range byModule[path] {
			ms.Samples += len(g.infos)
			var cs map[string][]string
			if role == RoleResponse {
				cs = controls
			}
			n := g.root.build(g.infos, cs)
			switch role {
			case RoleResponse:
				ms.Response = &n
			case RoleGenerator:
				ms.Generator = &n
			}
		}
		out.Modules = append(out.Modules, ms)
	}

	// Gaps: modules and control values without a shape, and why.
	for _, m := range schema.Modules {
		if skip, ok := plan.Skipped[m.Path]; ok {
			out.Gaps = append(out.Gaps, apischema.Gap{Module: m.Path, Reason: skip})
			continue
		}
		if byModule[m.Path] == nil {
			reason := "no answer traced"
			if e := errs[m.Path]; e != nil {
				reason = "every request failed: " + firstErr(e)
			}
			out.Gaps = append(out.Gaps, apischema.Gap{Module: m.Path, Reason: reason})
			continue
		}
		for _, c := range plan.Controls[m.Path] {
			for _, v := range c.Values {
				pv := c.Param + "=" + v
				if okAlone[m.Path][pv] {
					continue
				}
				reason := "no answer traced"
				if code, ok := errs[m.Path][pv]; ok {
					reason = "request failed: " + code
				}
				out.Gaps = append(out.Gaps, apischema.Gap{Module: m.Path, Value: pv, Reason: reason})
			}
		}
	}
	// Lists and maps that were empty in every sample: their items are unknown.
	for _, m := range out.Modules {
		for _, root := range []struct {
			name string
			n    *apischema.Node
		}{{"response", m.Response}, {"generator", m.Generator}} {
			if root.n != nil {
				emptyLists(m.Path, root.name, root.n, &out.Gaps)
			}
		}
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("merged shapes are inconsistent: %w", err)
	}
	return out, nil
}

func firstErr(e map[string]string) string {
	keys := slices.Sorted(maps.Keys(e))
	return e[keys[0]]
}

// emptyLists adds a gap for every list or map under n that never had an
// item (the wiki lacked the state that fills it).
func emptyLists(module, path string, n *apischema.Node, gaps *[]apischema.Gap) {
	if (n.Has(apischema.KindList) || n.Has(apischema.KindMap) || n.Has(apischema.KindEmpty)) && n.Items == nil && len(n.Fields) == 0 {
		*gaps = append(*gaps, apischema.Gap{Module: module, Value: path,
			Reason: "always empty: the probed wiki had nothing to list here, so the items' shape is unknown"})
	}
	for _, name := range slices.Sorted(maps.Keys(n.Fields)) {
		emptyLists(module, path+"."+name, &n.Fields[name].Node, gaps)
	}
	if n.Items != nil {
		emptyLists(module, path+".[]", n.Items, gaps)
	}
}
