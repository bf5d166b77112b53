package apischema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OverlayFormat identifies mwgen's curated shapes overlay.
const OverlayFormat = "mwgen-shapes-overlay/1"

// Overlay is the small, curated, versioned knowledge that samples cannot
// give: semantic types (timestamps, ids, namespaces, durations), unions of
// a value with a sentinel ("" or "infinity"), open maps whose keys are
// data, and fields that depend on the page's state.
type Overlay struct {
	Entries []OverlayEntry `json:"entries"`
}

// OverlayEntry says something about one node of a module's shape.
type OverlayEntry struct {
	// Versions is the MediaWiki range the entry holds for: space-separated
	// constraints like ">=1.39 <1.43"; empty means every version.
	Versions string `json:"versions,omitempty"`
	// Module is the module path ("query+revisions").
	Module string `json:"module"`
	// Path is the node: "response" or "generator", then field names, "[]"
	// for a list's or map's items, separated by dots:
	// "response.query.pages.[].revisions.[].timestamp".
	Path string `json:"path"`
	// Semantic is the value's meaning: "timestamp", "pageid", "revid",
	// "userid", "namespace", "expiry" (a timestamp or "infinity"),
	// "duration-seconds", "url", "title", "sha1", "mime".
	Semantic string `json:"semantic,omitempty"`
	// Sentinels are literal values the field may hold besides its type
	// ("" for notificationtimestamp, "infinity" for expiries).
	Sentinels []string `json:"sentinels,omitempty"`
	// OpenMap marks an object whose keys are data (slot roles, page prop
	// names, variants): generate a map, not a struct.
	OpenMap bool `json:"openmap,omitempty"`
	// AbsentWhen names page states in which a field marked required is
	// absent anyway ("missing", "invalid", "special").
	AbsentWhen []string `json:"absentwhen,omitempty"`
	// Values are the values a string field is documented to take (login's
	// result: "Success", "Failed"...): typed constants. Other values still
	// decode.
	Values []string `json:"values,omitempty"`
	// Fails are those of Values that mean the action did not happen although
	// the wiki answered without an API error (login's "Failed", edit's
	// "Failure"): the generated method returns the answer together with a
	// *runtime.ResultError.
	Fails []string `json:"fails,omitempty"`
	// Add is a curated shape for a node the samples never showed: a module
	// the probe cannot call without harm (login, clientlogin, upload,
	// emailuser), or a branch it does not reach (edit's captcha). Apply
	// puts it into the shapes; Note names the MediaWiki source it is read
	// from. A node the samples already have is not added to: such an entry
	// is stale, and Check says so.
	Add *Field `json:"add,omitempty"`
	// Replace lets Add replace a node the samples have, when the samples are
	// wrong for the answers mwgen's runtime asks for (a message sampled
	// with errorformat=bc as a string is an object with
	// errorformat=plaintext).
	Replace bool `json:"replace,omitempty"`
	// Optional marks a field the samples always had as not always present:
	// MediaWiki leaves it out in a state the probe did not reach (edit's
	// pageid on a "Failure").
	Optional bool `json:"optional,omitempty"`
	// Note explains the entry.
	Note string `json:"note,omitempty"`
}

var semantics = map[string]bool{
	"timestamp": true, "pageid": true, "revid": true, "userid": true, "namespace": true,
	"expiry": true, "duration-seconds": true, "url": true, "title": true, "sha1": true, "mime": true,
	"logid": true, "rcid": true,
}

//go:embed shapes/overlay.json
var defaultOverlay []byte

// DefaultOverlay returns mwgen's curated overlay.
func DefaultOverlay() (*Overlay, error) {
	return DecodeOverlay(defaultOverlay, "embedded shapes overlay")
}

// DecodeOverlay reads an overlay file.
func DecodeOverlay(data []byte, name string) (*Overlay, error) {
	var in struct {
		Format string `json:"format"`
		Overlay
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%s: not an overlay: %w", name, err)
	}
	if in.Format != OverlayFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", name, in.Format, OverlayFormat)
	}
	var errs []error
	for i, e := range in.Entries {
		if e.Module == "" || e.Path == "" {
			errs = append(errs, fmt.Errorf("%s: entry %d: module and path are required", name, i+1))
		}
		if e.Semantic != "" && !semantics[e.Semantic] {
			errs = append(errs, fmt.Errorf("%s: entry %d (%s %s): unknown semantic %q", name, i+1, e.Module, e.Path, e.Semantic))
		}
		if _, err := versionMatches(e.Versions, "1.39"); err != nil {
			errs = append(errs, fmt.Errorf("%s: entry %d (%s %s): %w", name, i+1, e.Module, e.Path, err))
		}
		for _, f := range e.Fails {
			if !slices.Contains(e.Values, f) {
				errs = append(errs, fmt.Errorf("%s: entry %d (%s %s): fails %q is not one of its values", name, i+1, e.Module, e.Path, f))
			}
		}
		if e.Add != nil {
			if err := e.Add.validate(e.Path, nil); len(err) > 0 {
				errs = append(errs, fmt.Errorf("%s: entry %d (%s %s): add: %w", name, i+1, e.Module, e.Path, errors.Join(err...)))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &in.Overlay, nil
}

// Resolve finds the entry's node in the shapes, or nil.
func (e OverlayEntry) Resolve(s *Shapes) *Node {
	m := s.Module(e.Module)
	if m == nil {
		return nil
	}
	parts := strings.Split(e.Path, ".")
	var root *Node
	switch parts[0] {
	case "response":
		root = m.Response
	case "generator":
		root = m.Generator
	}
	if root == nil {
		return nil
	}
	return root.Lookup(parts[1:]...)
}

// Check reports every entry that applies to the shapes' MediaWiki version
// and matches no node, and every open map entry on a node that is not an
// object or map. An overlay entry that matches nothing is stale.
func (o *Overlay) Check(s *Shapes) error {
	var errs []error
	v := s.MediaWikiVersion()
	applied, err := o.Apply(s)
	if err != nil {
		return err
	}
	for _, e := range o.Entries {
		ok, err := versionMatches(e.Versions, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		n := e.Resolve(applied)
		switch {
		case n == nil:
			errs = append(errs, fmt.Errorf("overlay entry %s %s matches nothing in the MediaWiki %s shapes", e.Module, e.Path, v))
		case e.Add != nil && !e.Replace && e.Resolve(s) != nil:
			errs = append(errs, fmt.Errorf("overlay entry %s %s adds a node the MediaWiki %s shapes have: drop the entry", e.Module, e.Path, v))
		case len(e.Values) > 0 && (len(n.Kinds) != 1 || n.Kinds[0] != KindString):
			errs = append(errs, fmt.Errorf("overlay entry %s %s: values on a node of kinds %v", e.Module, e.Path, n.Kinds))
		case e.OpenMap && !n.Has(KindObject) && !n.Has(KindMap):
			errs = append(errs, fmt.Errorf("overlay entry %s %s: open map on a node of kinds %v", e.Module, e.Path, n.Kinds))
		case e.Semantic != "" && n.Has(KindObject):
			errs = append(errs, fmt.Errorf("overlay entry %s %s: semantic %q on an object", e.Module, e.Path, e.Semantic))
		}
	}
	return errors.Join(errs...)
}

// Apply returns the shapes with the Add entries that apply to their
// MediaWiki version put in; s itself is not changed. An entry whose path
// is "response" of a module without a shape makes the module's shape; any
// other entry adds one field under a node the shapes (or an earlier entry)
// have, and is left out when the field is there already (Check reports
// it). An entry whose parent node does not exist is an error.
func (o *Overlay) Apply(s *Shapes) (*Shapes, error) {
	out := *s
	out.Modules = slices.Clone(s.Modules)
	cloned := map[string]bool{}
	v := s.MediaWikiVersion()
	for _, e := range o.Entries {
		if e.Add == nil && !e.Optional {
			continue
		}
		if ok, err := versionMatches(e.Versions, v); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		parts := strings.Split(e.Path, ".")
		i := slices.IndexFunc(out.Modules, func(m *ModuleShape) bool { return m.Path == e.Module })
		if i < 0 {
			if e.Path != "response" || e.Add == nil {
				return nil, fmt.Errorf("overlay entry %s %s: the shapes have no module %s to add to", e.Module, e.Path, e.Module)
			}
			n := e.Add.Node.clone()
			out.Modules = append(out.Modules, &ModuleShape{Path: e.Module, Response: n})
			out.Modules = sortedShapes(out.Modules)
			cloned[e.Module] = true
			continue
		}
		if !cloned[e.Module] {
			m := *out.Modules[i]
			m.Response, m.Generator = m.Response.clone(), m.Generator.clone()
			out.Modules[i] = &m
			cloned[e.Module] = true
		}
		m := out.Modules[i]
		var root *Node
		switch parts[0] {
		case "response":
			root = m.Response
		case "generator":
			root = m.Generator
		}
		if len(parts) < 2 || root == nil {
			continue // the module has the node: Check reports the entry
		}
		parent := root.Lookup(parts[1 : len(parts)-1]...)
		if parent == nil || !parent.Has(KindObject) {
			return nil, fmt.Errorf("overlay entry %s %s: no object at %s to add a field to", e.Module, e.Path, strings.Join(parts[:len(parts)-1], "."))
		}
		last := parts[len(parts)-1]
		if e.Add == nil {
			if f := parent.Fields[last]; f != nil {
				f.Required = false
			}
			continue
		}
		if parent.Fields[last] != nil && !e.Replace {
			continue
		}
		if parent.Fields == nil {
			parent.Fields = map[string]*Field{}
		}
		f := *e.Add
		f.Node = *e.Add.Node.clone()
		parent.Fields[last] = &f
	}
	return &out, nil
}

// clone returns a deep copy of n.
func (n *Node) clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Kinds = slices.Clone(n.Kinds)
	c.ArrayTypes = slices.Clone(n.ArrayTypes)
	c.BCBools = slices.Clone(n.BCBools)
	c.Items = n.Items.clone()
	if n.Fields != nil {
		c.Fields = make(map[string]*Field, len(n.Fields))
		for k, f := range n.Fields {
			fc := *f
			fc.By = slices.Clone(f.By)
			fc.Node = *f.Node.clone()
			c.Fields[k] = &fc
		}
	}
	return &c
}

// AppliesTo reports whether the entry's version range holds the MediaWiki
// version.
func (e OverlayEntry) AppliesTo(version string) (bool, error) {
	return versionMatches(e.Versions, version)
}

// versionMatches reports whether version satisfies the space-separated
// constraints (">=1.39", "<1.43", "=1.39").
func versionMatches(constraints, version string) (bool, error) {
	for _, c := range strings.Fields(constraints) {
		op := c[:len(c)-len(strings.TrimLeft(c, "<>="))]
		want := c[len(op):]
		cmp, err := compareVersions(version, want)
		if err != nil {
			return false, fmt.Errorf("version constraint %q: %w", c, err)
		}
		var ok bool
		switch op {
		case ">=":
			ok = cmp >= 0
		case ">":
			ok = cmp > 0
		case "<=":
			ok = cmp <= 0
		case "<":
			ok = cmp < 0
		case "=", "":
			ok = cmp == 0
		default:
			return false, fmt.Errorf("version constraint %q: unknown operator %q", c, op)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// compareVersions compares dotted versions on the components both have
// ("1.39.17" equals "1.39").
func compareVersions(a, b string) (int, error) {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, err1 := strconv.Atoi(pa[i])
		y, err2 := strconv.Atoi(pb[i])
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("bad version %q or %q", a, b)
		}
		if x != y {
			if x < y {
				return -1, nil
			}
			return 1, nil
		}
	}
	return 0, nil
}
