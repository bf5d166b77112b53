package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DriftMode says what a [Client] does when a typed answer (see
// [Client.DoInto]) holds what its Go types do not describe. Typed answers
// are generated from shapes learned on one MediaWiki version; hooks,
// extensions and other versions add and drop fields.
//
// Whatever the mode, a value of another JSON type than its field's (a
// string where the type has a number) is an error, a *DriftError.
type DriftMode int

const (
	// DriftIgnore decodes the answer in one pass and looks no further:
	// unknown keys are only in the raw body (Raw). It is the default, and
	// the fastest.
	DriftIgnore DriftMode = iota
	// DriftKeep walks the answer once more, after decoding it, and keeps
	// every unknown key in the Extra field of the struct that has it
	// (for a page, the page's own Extra).
	DriftKeep
	// DriftLog is DriftKeep, and logs each drift at level Warn.
	DriftLog
	// DriftStrict is DriftKeep, and returns a *DriftError listing every
	// drift instead of the answer: for tests that keep the types honest.
	DriftStrict
)

// DriftKind is what kind of drift a [Drift] is.
type DriftKind string

// The kinds of drift.
const (
	// DriftUnknown is a key the type has no field for.
	DriftUnknown DriftKind = "unknown key"
	// DriftMissing is a key the type says is always present, absent.
	DriftMissing DriftKind = "missing key"
	// DriftType is a value of another JSON type than the field's.
	DriftType DriftKind = "type mismatch"
)

// Drift is one difference between an answer and its type.
type Drift struct {
	// Path is where, in JSON terms: "query.pages[2].revisions[0].size".
	Path   string
	Kind   DriftKind
	Detail string
}

// String returns "path: kind (detail)".
func (d Drift) String() string {
	if d.Detail == "" {
		return d.Path + ": " + string(d.Kind)
	}
	return d.Path + ": " + string(d.Kind) + " (" + d.Detail + ")"
}

// DriftError is an answer that does not match its type (see [DriftMode]).
type DriftError struct {
	Action string
	Drift  []Drift
}

func (e *DriftError) Error() string {
	const most = 10
	var b strings.Builder
	fmt.Fprintf(&b, "mediawiki: action=%s: the answer does not match its type (%d differences)", e.Action, len(e.Drift))
	for i, d := range e.Drift {
		if i == most {
			fmt.Fprintf(&b, "; and %d more", len(e.Drift)-most)
			break
		}
		b.WriteString("; ")
		b.WriteString(d.String())
	}
	return b.String()
}

// checkDrift walks a decoded typed answer against its body, as c.drift
// says.
func (c *Client) checkDrift(ctx context.Context, action string, body []byte, dst Answer) error {
	if c.drift == DriftIgnore {
		return nil
	}
	var drift []Drift
	walkDrift("", json.RawMessage(body), reflect.ValueOf(dst), func(d Drift) { drift = append(drift, d) })
	if len(drift) == 0 {
		return nil
	}
	switch c.drift {
	case DriftLog:
		for _, d := range drift {
			c.log.WarnContext(ctx, "mediawiki: answer drift", "action", action, "path", d.Path, "kind", string(d.Kind), "detail", d.Detail)
		}
	case DriftStrict:
		return &DriftError{Action: action, Drift: drift}
	}
	return nil
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawExtraType    = reflect.TypeFor[map[string]json.RawMessage]()
)

// walkDrift compares the JSON raw with v, which json.Unmarshal filled
// from it, filling Extra fields and reporting drift.
func walkDrift(path string, raw json.RawMessage, v reflect.Value, report func(Drift)) {
	raw = trimJSON(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	if t != rawExtraType && reflect.PointerTo(t).Implements(unmarshalerType) {
		return // decodes itself (time.Time, json.RawMessage, Warnings...)
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return
		}
		info := structInfoOf(t)
		for _, k := range slices.Sorted(maps.Keys(members)) {
			idx, ok := info.fields[k]
			if !ok {
				if info.extra != nil {
					ev := v.FieldByIndex(info.extra)
					if ev.IsNil() {
						ev.Set(reflect.MakeMap(rawExtraType))
					}
					ev.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(members[k]))
				}
				report(Drift{Path: join(path, k), Kind: DriftUnknown, Detail: excerptJSON(members[k])})
				continue
			}
			fv, err := v.FieldByIndexErr(idx)
			if err != nil {
				continue
			}
			walkDrift(join(path, k), members[k], fv, report)
		}
		for _, k := range info.required {
			if _, ok := members[k]; ok {
				continue
			}
			if _, err := v.FieldByIndexErr(info.fields[k]); err != nil {
				continue // in an embedded part that did not come
			}
			report(Drift{Path: join(path, k), Kind: DriftMissing})
		}
	case reflect.Slice:
		if raw[0] != '[' {
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for i := 0; i < len(items) && i < v.Len(); i++ {
			walkDrift(path+"["+strconv.Itoa(i)+"]", items[i], v.Index(i), report)
		}
	case reflect.Map:
		if raw[0] != '{' || v.IsNil() {
			return
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(members)) {
			mv := v.MapIndex(reflect.ValueOf(k).Convert(t.Key()))
			if !mv.IsValid() {
				continue
			}
			// Map values are not addressable: walk a copy and store it back.
			cp := reflect.New(t.Elem()).Elem()
			cp.Set(mv)
			walkDrift(path+"."+k, members[k], cp, report)
			v.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), cp)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func trimJSON(b json.RawMessage) json.RawMessage {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

func excerptJSON(b json.RawMessage) string {
	const most = 60
	if len(b) > most {
		return string(b[:most]) + "…"
	}
	return string(b)
}

// structInfo is what walkDrift needs of a struct type: its JSON keys as
// encoding/json sees them (promoted through embedded structs), its Extra
// field, and the keys tagged mw:"required".
type structInfo struct {
	fields   map[string][]int
	extra    []int
	required []string
}

// structInfos caches structInfo by type, as encoding/json caches its own.
var structInfos sync.Map // reflect.Type → *structInfo

func structInfoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: make(map[string][]int)}
	depth := make(map[string]int)
	var collect func(t reflect.Type, index []int)
	collect = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			idx := append(slices.Clone(index), i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if tag == "-" {
				if f.Name == "Extra" && f.Type == rawExtraType && len(index) == 0 {
					si.extra = idx
				}
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					collect(ft, idx)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if d, ok := depth[name]; ok && d <= len(index) {
				continue
			}
			depth[name] = len(index)
			si.fields[name] = idx
			if f.Tag.Get("mw") == "required" {
				si.required = append(si.required, name)
			}
		}
	}
	collect(t, nil)
	slices.Sort(si.required)
	si.required = slices.Compact(si.required)
	actual, _ := structInfos.LoadOrStore(t, si)
	return actual.(*structInfo)
}
