package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Scalar is a value paraminfo sent (a parameter's default, an info
// value), kept exactly as the wiki sent it. paraminfo's "default" is raw
// PHP: a string, an int, a bool, an array of values (multi-value defaults,
// as CirrusSearch's cbbuilders ["content","links"] on MediaWiki 1.4x), or
// null. Every one of those shapes is data; only a JSON object, which
// MediaWiki never emits here, is refused.
type Scalar struct {
	raw string // compact JSON literal
}

// StringScalar returns a Scalar holding a string.
func StringScalar(s string) Scalar {
	b, _ := marshal(s) // marshalling a string cannot fail
	return Scalar{raw: string(b)}
}

// ScalarKind says which JSON type a Scalar holds.
type ScalarKind int

const (
	ScalarString ScalarKind = iota
	ScalarNumber
	ScalarBool
	// ScalarArray is an array of values: a multi-value default.
	ScalarArray
	// ScalarNull is JSON null.
	ScalarNull
)

// Kind reports the JSON type of the value.
func (s Scalar) Kind() ScalarKind {
	switch {
	case strings.HasPrefix(s.raw, `"`), s.raw == "":
		return ScalarString
	case strings.HasPrefix(s.raw, "["):
		return ScalarArray
	case s.raw == "null":
		return ScalarNull
	case s.raw == "true" || s.raw == "false":
		return ScalarBool
	default:
		return ScalarNumber
	}
}

// String returns the value as text: a string as is, a number in its JSON
// spelling, a boolean as "true" or "false", an array as its values joined
// with "|" (the way MediaWiki spells a multi-value default as a string),
// and null as "".
func (s Scalar) String() string {
	switch s.Kind() {
	case ScalarString:
		var v string
		if err := json.Unmarshal([]byte(s.raw), &v); err == nil {
			return v
		}
	case ScalarArray:
		return strings.Join(s.Values(), "|")
	case ScalarNull:
		return ""
	}
	return s.raw
}

// Values returns the elements of an array as text (see String), and nil
// for any other kind.
func (s Scalar) Values() []string {
	if s.Kind() != ScalarArray {
		return nil
	}
	var elems []Scalar
	if err := json.Unmarshal([]byte(s.raw), &elems); err != nil {
		return nil
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = e.String()
	}
	return out
}

// Raw returns the value's compact JSON spelling, as the wiki sent it.
func (s Scalar) Raw() string {
	if s.raw == "" {
		return `""`
	}
	return s.raw
}

// Bool returns the value of a boolean scalar, and false for any other kind.
func (s Scalar) Bool() bool { return s.raw == "true" }

// Int returns the value of an integer number, or ok=false.
func (s Scalar) Int() (v int64, ok bool) {
	if s.Kind() != ScalarNumber {
		return 0, false
	}
	v, err := strconv.ParseInt(s.raw, 10, 64)
	return v, err == nil
}

// MarshalJSON implements json.Marshaler.
func (s Scalar) MarshalJSON() ([]byte, error) { return []byte(s.Raw()), nil }

// errObjectValue is what a JSON object where a value belongs gives.
var errObjectValue = errors.New("want a string, number, boolean, array or null, got a JSON object (MediaWiki never sends one here)")

// UnmarshalJSON implements json.Unmarshaler; it accepts strings, numbers,
// booleans, null, and arrays of those.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty value")
	}
	if err := checkValue(b, true); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	s.raw = buf.String()
	return nil
}

// checkValue accepts a JSON string, number, boolean or null, and (when
// array is set) an array of those.
func checkValue(b []byte, array bool) error {
	switch b[0] {
	case '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return nil
	case '{':
		return fmt.Errorf("%w: %s", errObjectValue, excerpt(b))
	case '[':
		if !array {
			return fmt.Errorf("want a string, number, boolean or null inside an array, got a nested array: %s", excerpt(b))
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return err
		}
		for _, e := range elems {
			if err := checkValue(bytes.TrimSpace(e), false); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("want a JSON value, got %s", excerpt(b))
}

// MarshalJSON writes a type name as a string and an enum as an array.
func (t Type) MarshalJSON() ([]byte, error) {
	if t.IsEnum() {
		if t.Values == nil {
			return []byte("[]"), nil
		}
		return marshal(t.Values)
	}
	return marshal(t.Name)
}

// UnmarshalJSON reads a type name or an array of enum values.
func (t *Type) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		vals := []string{}
		if err := json.Unmarshal(b, &vals); err != nil {
			// PHP keeps integer values integers: an enum of numbers is
			// an enum of their spellings.
			var scalars []Scalar
			vals = vals[:0]
			if json.Unmarshal(b, &scalars) != nil {
				return fmt.Errorf("enum values: %w", err)
			}
			for _, v := range scalars {
				if k := v.Kind(); k == ScalarArray || k == ScalarNull {
					return fmt.Errorf("enum values: want strings or numbers, got %s", excerpt(b))
				}
				vals = append(vals, v.String())
			}
		}
		*t = Type{Name: TypeEnum, Values: vals}
		return nil
	}
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("want a type name or an array of values, got %.40s", b)
	}
	if name == "" {
		return fmt.Errorf("empty type name")
	}
	if name == TypeEnum {
		// A bare "enum" would be indistinguishable from an enum with no
		// values once written back; keep it as an enum with none.
		*t = Type{Name: TypeEnum, Values: []string{}}
		return nil
	}
	*t = Type{Name: name}
	return nil
}

// Field names each type declares through its json tags, plus the fields it
// handles by hand; anything else found in the input goes to Extra.
var (
	moduleKeys  = jsonKeys(reflect.TypeOf(Module{}), "dynamicparameters")
	paramKeys   = jsonKeys(reflect.TypeOf(Param{}))
	exampleKeys = jsonKeys(reflect.TypeOf(Example{}))
	infoKeys    = jsonKeys(reflect.TypeOf(Info{}))
)

// Fields whose values may take a shape their typed field cannot hold and
// are then kept verbatim in Extra: every optional field but a parameter's
// default, whose every JSON shape but an object is a value (see Scalar).
var (
	moduleLenient = omitemptyKeys(reflect.TypeOf(Module{}))
	paramLenient  = slices.DeleteFunc(omitemptyKeys(reflect.TypeOf(Param{})), func(k string) bool { return k == "default" })
)

func omitemptyKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && strings.Contains(opts, "omitempty") {
			keys = append(keys, name)
		}
	}
	slices.Sort(keys)
	return keys
}

// decodeLenient decodes the object b into v. When a field in lenient holds
// a JSON shape its Go field cannot (a newer MediaWiki, an extension), the
// field is left out and returned, for the caller to keep verbatim; reset
// zeroes v before the next try.
func decodeLenient(b []byte, v any, lenient []string, reset func()) (kept map[string]json.RawMessage, err error) {
	for range len(lenient) + 1 {
		err = json.Unmarshal(b, v)
		var te *json.UnmarshalTypeError
		if err == nil || !errors.As(err, &te) {
			return kept, err
		}
		key := topField(te.Field)
		if _, ok := slices.BinarySearch(lenient, key); !ok {
			return kept, err
		}
		var all map[string]json.RawMessage
		if json.Unmarshal(b, &all) != nil || all[key] == nil {
			return kept, err
		}
		if kept == nil {
			kept = map[string]json.RawMessage{}
		}
		kept[key] = all[key]
		b = stripKey(b, key)
		reset()
	}
	return kept, err
}

// topField returns the top-level key of a json.UnmarshalTypeError's Field
// ("moduleAlias.description" → "description", "info.0.values" → "info").
func topField(field string) string {
	for _, alias := range []string{"moduleAlias.", "paramAlias."} {
		field = strings.TrimPrefix(field, alias)
	}
	key, _, _ := strings.Cut(field, ".")
	return key
}

func jsonKeys(t reflect.Type, more ...string) []string {
	keys := slices.Clone(more)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	slices.Sort(keys)
	return keys
}

// extras returns the members of a JSON object whose keys are not in known.
func extras(b []byte, known []string) (map[string]json.RawMessage, error) {
	extra, _, err := splitObject(b, known)
	return extra, err
}

// splitObject returns the members of a JSON object whose keys are not in
// known, and all its members.
func splitObject(b []byte, known []string) (extra, all map[string]json.RawMessage, err error) {
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, nil, err
	}
	return unknownMembers(all, known), all, nil
}

func unknownMembers(all map[string]json.RawMessage, known []string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range all {
		if _, found := slices.BinarySearch(known, k); found {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = v
	}
	return out
}

// withExtras appends the extra members, sorted by key, to a marshalled
// object. Extra only ever holds keys the typed fields did not write.
func withExtras(obj []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	buf.Write(obj[:len(obj)-1]) // drop the closing brace
	empty := bytes.Equal(bytes.TrimSpace(obj), []byte("{}"))
	for _, k := range keys {
		if !empty {
			buf.WriteByte(',')
		}
		empty = false
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		if err := json.Compact(&buf, extra[k]); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// The alias types drop the methods, so encoding/json handles the tagged
// fields and the methods below add what it cannot.
type (
	moduleAlias  Module
	paramAlias   Param
	exampleAlias Example
	infoAlias    Info
)

// moduleJSON adds the fields whose JSON shape varies.
type moduleJSON struct {
	*moduleAlias
	DynamicParameters json.RawMessage `json:"dynamicparameters,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (m *Module) MarshalJSON() ([]byte, error) {
	out := moduleJSON{moduleAlias: (*moduleAlias)(m)}
	switch {
	case m.Extra["dynamicparameters"] != nil:
		// Structured help, written back verbatim with the other extras.
	case m.DynamicParametersHelp != "":
		b, err := marshal(m.DynamicParametersHelp)
		if err != nil {
			return nil, err
		}
		out.DynamicParameters = b
	case m.DynamicParameters:
		out.DynamicParameters = json.RawMessage("true")
	}
	b, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return withExtras(b, m.Extra)
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *Module) UnmarshalJSON(b []byte) error {
	in := moduleJSON{moduleAlias: (*moduleAlias)(m)}
	// description is a string for helpformat none/wikitext/html and an
	// array of message specs for helpformat=raw; a field of any shape the
	// typed field cannot hold is kept verbatim in Extra.
	kept, err := decodeLenient(b, &in, moduleLenient, func() {
		*m = Module{}
		in = moduleJSON{moduleAlias: (*moduleAlias)(m)}
	})
	if err != nil {
		return err
	}
	extra, err := extras(b, moduleKeys)
	if err != nil {
		return err
	}
	m.Extra = extra
	for k, v := range kept {
		m.addExtra(k, v)
	}
	switch d := bytes.TrimSpace(in.DynamicParameters); {
	case len(d) == 0, string(d) == "false", string(d) == "null":
	case string(d) == "true":
		m.DynamicParameters = true
	case d[0] == '"':
		m.DynamicParameters = true
		if err := json.Unmarshal(d, &m.DynamicParametersHelp); err != nil {
			return fmt.Errorf("dynamicparameters: %w", err)
		}
	default:
		// Structured help (helpformat=raw): the flag holds, the help is kept.
		m.DynamicParameters = true
		m.addExtra("dynamicparameters", d)
	}
	return nil
}

func (m *Module) addExtra(k string, v json.RawMessage) {
	if m.Extra == nil {
		m.Extra = map[string]json.RawMessage{}
	}
	m.Extra[k] = v
}

// MarshalJSON implements json.Marshaler.
func (p *Param) MarshalJSON() ([]byte, error) {
	b, err := marshal((*paramAlias)(p))
	if err != nil {
		return nil, err
	}
	return withExtras(b, p.Extra)
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *Param) UnmarshalJSON(b []byte) error {
	if err := p.unmarshal(b); err != nil {
		return &paramError{param: paramHint(b), err: describeJSONError(err)}
	}
	return nil
}

// paramError is a parameter that cannot be decoded. Its module adds where
// the parameter is.
type paramError struct {
	param string // `"title"` or `#3`
	err   error
}

func (e *paramError) Error() string { return "parameter " + e.param + ": " + e.err.Error() }
func (e *paramError) Unwrap() error { return e.err }

// paramHint names a parameter in an error even when it failed to decode.
func paramHint(b []byte) string {
	var h struct {
		Name  string `json:"name"`
		Index int    `json:"index"`
	}
	_ = json.Unmarshal(b, &h) // best effort: the caller reports the real error
	if h.Name != "" {
		return fmt.Sprintf("%q", h.Name)
	}
	return fmt.Sprintf("#%d", h.Index)
}

func (p *Param) unmarshal(b []byte) error {
	extra, all, err := splitObject(b, paramKeys)
	if err != nil {
		return err
	}
	def := bytes.TrimSpace(all["default"])
	if len(def) > 0 {
		if err := checkValue(def, true); err != nil {
			return fmt.Errorf("field \"default\": %w", err)
		}
	}
	kept, err := decodeLenient(b, (*paramAlias)(p), paramLenient, func() { *p = Param{} })
	if err != nil {
		return err
	}
	if string(def) == "null" {
		// encoding/json leaves a pointer nil for null; null is a value.
		p.Default = &Scalar{raw: "null"}
	}
	p.Extra = extra
	for k, v := range kept {
		if p.Extra == nil {
			p.Extra = map[string]json.RawMessage{}
		}
		p.Extra[k] = v
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (e Example) MarshalJSON() ([]byte, error) {
	b, err := marshal(exampleAlias(e))
	if err != nil {
		return nil, err
	}
	return withExtras(b, e.Extra)
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *Example) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*exampleAlias)(e)); err != nil {
		return err
	}
	extra, err := extras(b, exampleKeys)
	e.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler.
func (i Info) MarshalJSON() ([]byte, error) {
	b, err := marshal(infoAlias(i))
	if err != nil {
		return nil, err
	}
	return withExtras(b, i.Extra)
}

// UnmarshalJSON implements json.Unmarshaler.
func (i *Info) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*infoAlias)(i)); err != nil {
		return err
	}
	extra, err := extras(b, infoKeys)
	i.Extra = extra
	return err
}

// stripKey returns the object without one member.
func stripKey(b []byte, key string) []byte {
	var all map[string]json.RawMessage
	if json.Unmarshal(b, &all) != nil {
		return b
	}
	delete(all, key)
	out, err := json.Marshal(all)
	if err != nil {
		return b
	}
	return out
}

// marshal is json.Marshal without HTML escaping: help text is full of & and
// <var>, and snapshots are read by people in diffs.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
