package apischema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the writing half of the one-pass decoder: the schema's
// types written straight into one buffer, byte for byte what
// encoding/json writes through the MarshalJSON methods of json.go (which
// stay, for json.Marshal of a single value), without reflection, a buffer
// per object, or the re-compaction of every nested object.
//
// Hash writes each module once into sha256, exactly the bytes it hashed
// before (an Encoder with HTML escaping over stable copies);
// MarshalSnapshot writes the file in one pass, indented as the Encoder
// indented it. If a hand-built value cannot be written (an Extra value
// that is not JSON), both fall back to the encoding/json path, which
// says why. TestEncoderMatchesEncodingJSON and FuzzFastDecode hold the
// two equal.

// encoder appends JSON to buf.
type encoder struct {
	buf []byte
	// html escapes <, > and & in strings, as json.Encoder does unless
	// told not to (the hash was taken that way).
	html bool
	// stable leaves out what Hash ignores (see stable).
	stable bool
	// indent writes the snapshot file's layout: two spaces a level.
	indent bool
	// open holds, per open object or array, whether it has a member yet.
	open []bool
	err  error
}

func (e *encoder) newline() {
	e.buf = append(e.buf, '\n')
	for range len(e.open) {
		e.buf = append(e.buf, ' ', ' ')
	}
}

func (e *encoder) begin(c byte) {
	e.buf = append(e.buf, c)
	e.open = append(e.open, false)
}

func (e *encoder) end(c byte) {
	had := e.open[len(e.open)-1]
	e.open = e.open[:len(e.open)-1]
	if had && e.indent {
		e.newline()
	}
	e.buf = append(e.buf, c)
}

// elem starts an element of the innermost array or object.
func (e *encoder) elem() {
	top := &e.open[len(e.open)-1]
	if *top {
		e.buf = append(e.buf, ',')
	}
	*top = true
	if e.indent {
		e.newline()
	}
}

// key starts a member; the key is a plain field name.
func (e *encoder) key(k string) {
	e.elem()
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, k...)
	e.buf = append(e.buf, '"', ':')
	if e.indent {
		e.buf = append(e.buf, ' ')
	}
}

func (e *encoder) str(s string) { e.buf = appendJSONString(e.buf, s, e.html) }

func (e *encoder) strField(k, v string) {
	e.key(k)
	e.str(v)
}

func (e *encoder) strFieldOmit(k, v string) {
	if v != "" {
		e.strField(k, v)
	}
}

func (e *encoder) boolField(k string, v bool) {
	e.key(k)
	e.buf = strconv.AppendBool(e.buf, v)
}

func (e *encoder) boolFieldOmit(k string, v bool) {
	if v {
		e.boolField(k, v)
	}
}

func (e *encoder) intFieldOmit(k string, v *int) {
	if v != nil {
		e.key(k)
		e.buf = strconv.AppendInt(e.buf, int64(*v), 10)
	}
}

func (e *encoder) int64FieldOmit(k string, v *int64) {
	if v != nil {
		e.key(k)
		e.buf = strconv.AppendInt(e.buf, *v, 10)
	}
}

func (e *encoder) strings(vs []string) {
	e.begin('[')
	for _, v := range vs {
		e.elem()
		e.str(v)
	}
	e.end(']')
}

func (e *encoder) stringsFieldOmit(k string, vs []string) {
	if len(vs) > 0 {
		e.key(k)
		e.strings(vs)
	}
}

func (e *encoder) mapFieldOmit(k string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	e.key(k)
	e.begin('{')
	for _, mk := range slices.Sorted(maps.Keys(m)) {
		e.elem()
		e.str(mk)
		e.buf = append(e.buf, ':')
		if e.indent {
			e.buf = append(e.buf, ' ')
		}
		e.str(m[mk])
	}
	e.end('}')
}

// rawJSON writes a value kept verbatim (an Extra value, a Scalar), as the
// Encoder wrote a Marshaler's output: compacted, HTML-escaped when html,
// indented when indent.
func (e *encoder) rawJSON(raw []byte, compact bool) {
	if e.err != nil {
		return
	}
	if !compact || e.indent {
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			e.err = err
			return
		}
		raw = c.Bytes()
	}
	switch {
	case e.indent && (raw[0] == '[' || raw[0] == '{'):
		var ind bytes.Buffer
		if err := json.Indent(&ind, raw, strings.Repeat("  ", len(e.open)), "  "); err != nil {
			e.err = err
			return
		}
		e.buf = append(e.buf, ind.Bytes()...)
	case e.html:
		var h bytes.Buffer
		json.HTMLEscape(&h, raw)
		e.buf = append(e.buf, h.Bytes()...)
	default:
		e.buf = append(e.buf, raw...)
	}
}

// extras writes the members of extra, sorted by key.
func (e *encoder) extras(extra map[string]json.RawMessage) {
	if len(extra) == 0 {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		e.elem()
		e.str(k)
		e.buf = append(e.buf, ':')
		if e.indent {
			e.buf = append(e.buf, ' ')
		}
		e.rawJSON(extra[k], false)
	}
}

func (e *encoder) module(m *Module) {
	if m == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.begin('{')
	e.strField("name", m.Name)
	e.strFieldOmit("classname", m.ClassName)
	e.strField("path", m.Path)
	e.strFieldOmit("group", m.Group)
	e.strField("prefix", m.Prefix)
	e.strFieldOmit("source", m.Source)
	e.strFieldOmit("sourcename", m.SourceName)
	e.strFieldOmit("licensetag", m.LicenseTag)
	if !e.stable {
		e.strFieldOmit("licenselink", m.LicenseLink)
	}
	e.boolFieldOmit("readrights", m.ReadRights)
	e.boolFieldOmit("writerights", m.WriteRights)
	e.boolFieldOmit("mustbeposted", m.MustBePosted)
	e.boolFieldOmit("generator", m.Generator)
	e.boolFieldOmit("deprecated", m.Deprecated)
	e.boolFieldOmit("internal", m.Internal)
	e.stringsFieldOmit("helpurls", m.HelpURLs)
	e.strFieldOmit("description", m.Description)
	if len(m.Examples) > 0 {
		e.key("examples")
		e.begin('[')
		for i := range m.Examples {
			x := &m.Examples[i]
			e.elem()
			e.begin('{')
			e.strField("query", x.Query)
			e.strFieldOmit("description", x.Description)
			e.extras(x.Extra)
			e.end('}')
		}
		e.end(']')
	}
	e.key("parameters")
	e.params(m, m.Parameters)
	if len(m.TemplatedParameters) > 0 {
		e.key("templatedparameters")
		e.params(m, m.TemplatedParameters)
	}
	switch {
	case m.Extra["dynamicparameters"] != nil:
	case m.DynamicParametersHelp != "":
		e.strField("dynamicparameters", m.DynamicParametersHelp)
	case m.DynamicParameters:
		e.boolField("dynamicparameters", true)
	}
	e.extras(m.Extra)
	e.end('}')
}

func (e *encoder) params(m *Module, ps []*Param) {
	if ps == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.begin('[')
	for _, p := range ps {
		e.elem()
		e.param(m, p)
	}
	e.end(']')
}

func (e *encoder) param(m *Module, p *Param) {
	if p == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.begin('{')
	if p.Index != 0 {
		e.key("index")
		e.buf = strconv.AppendInt(e.buf, int64(p.Index), 10)
	}
	e.strField("name", p.Name)
	e.key("type")
	switch {
	case !p.Type.IsEnum():
		e.str(p.Type.Name)
	case e.stable && len(p.Type.Values) > 0 && VolatileEnum(m, p):
		e.buf = append(e.buf, "[]"...)
	default:
		e.strings(p.Type.Values)
	}
	e.boolField("required", p.Required)
	e.boolField("multi", p.Multi)
	if p.Default != nil {
		e.key("default")
		e.rawJSON([]byte(p.Default.Raw()), true)
	}
	e.boolFieldOmit("deprecated", p.Deprecated)
	e.boolFieldOmit("sensitive", p.Sensitive)
	e.strFieldOmit("tokentype", p.TokenType)
	e.intFieldOmit("limit", p.Limit)
	e.intFieldOmit("lowlimit", p.LowLimit)
	e.intFieldOmit("highlimit", p.HighLimit)
	e.int64FieldOmit("min", p.Min)
	e.int64FieldOmit("max", p.Max)
	e.int64FieldOmit("highmax", p.HighMax)
	e.strFieldOmit("allspecifier", p.AllSpecifier)
	e.boolFieldOmit("allowsduplicates", p.AllowsDuplicates)
	e.mapFieldOmit("submodules", p.Submodules)
	e.strFieldOmit("submoduleparamprefix", p.SubmoduleParamPrefix)
	e.stringsFieldOmit("deprecatedvalues", p.DeprecatedValues)
	e.stringsFieldOmit("internalvalues", p.InternalValues)
	e.mapFieldOmit("templatevars", p.TemplateVars)
	e.stringsFieldOmit("subtypes", p.Subtypes)
	if len(p.ExtraNamespaces) > 0 {
		e.key("extranamespaces")
		e.begin('[')
		for _, n := range p.ExtraNamespaces {
			e.elem()
			e.buf = strconv.AppendInt(e.buf, int64(n), 10)
		}
		e.end(']')
	}
	e.intFieldOmit("maxbytes", p.MaxBytes)
	e.intFieldOmit("maxchars", p.MaxChars)
	e.boolFieldOmit("mustExist", p.MustExist)
	e.strFieldOmit("description", p.Description)
	if len(p.Info) > 0 {
		e.key("info")
		e.begin('[')
		for i := range p.Info {
			in := &p.Info[i]
			e.elem()
			e.begin('{')
			e.strField("name", in.Name)
			if len(in.Values) > 0 {
				e.key("values")
				e.begin('[')
				for _, v := range in.Values {
					e.elem()
					e.rawJSON([]byte(v.Raw()), true)
				}
				e.end(']')
			}
			e.strFieldOmit("text", in.Text)
			e.extras(in.Extra)
			e.end('}')
		}
		e.end(']')
	}
	e.extras(p.Extra)
	e.end('}')
}

// Hash returns the schema's content hash: a SHA-256 over the modules, as hex.
// It ignores what changes while the API does not: the fetch time, the wiki's
// address in license links, and enum values that depend on the wiki's state
// (see VolatileEnum). Two fetches of the same wiki version give the same hash.
func (s *Schema) Hash() string {
	if h, _, ok := s.hash(); ok {
		return h
	}
	return s.legacyHash()
}

// hash is Hash written by the encoder, each module once, and the number
// of bytes hashed; ok is false when a module cannot be written.
func (s *Schema) hash() (hash string, size int, ok bool) {
	h := sha256.New()
	e := &encoder{html: true, stable: true}
	for _, m := range s.Modules {
		e.buf = e.buf[:0]
		e.module(m)
		if e.err != nil || m == nil {
			return "", 0, false
		}
		e.buf = append(e.buf, '\n')
		h.Write(e.buf)
		size += len(e.buf)
	}
	return hex.EncodeToString(h.Sum(nil)), size, true
}

// MarshalSnapshot encodes the schema in mwgen's snapshot format:
// deterministic, indented JSON with modules sorted by path, a stable key
// order and a trailing newline.
func (s *Schema) MarshalSnapshot() ([]byte, error) {
	mods := slices.Clone(s.Modules)
	slices.SortStableFunc(mods, func(a, b *Module) int { return strings.Compare(a.Path, b.Path) })
	sorted := &Schema{Modules: mods}
	hash, size, ok := sorted.hash()
	if !ok {
		return s.legacyMarshalSnapshot()
	}
	e := &encoder{indent: true}
	// Indented, the file is a third larger than what was hashed.
	e.buf = make([]byte, 0, size+size/2+4096)
	e.begin('{')
	e.strField("format", SnapshotFormat)
	e.key("wiki")
	e.begin('{')
	e.strFieldOmit("api", s.Wiki.API)
	e.strFieldOmit("server", s.Wiki.Server)
	e.strFieldOmit("sitename", s.Wiki.SiteName)
	e.strFieldOmit("wikiid", s.Wiki.WikiID)
	e.strFieldOmit("generator", s.Wiki.Generator)
	e.strFieldOmit("lang", s.Wiki.Lang)
	e.end('}')
	if !s.FetchedAt.IsZero() {
		e.strField("fetched", s.FetchedAt.UTC().Format(time.RFC3339))
	}
	e.strField("helpformat", cmpOr(s.HelpFormat, "none"))
	e.strField("hash", hash)
	e.key("modules")
	e.begin('[')
	for _, m := range mods {
		e.elem()
		e.module(m)
	}
	e.end(']')
	e.end('}')
	if e.err != nil {
		return s.legacyMarshalSnapshot()
	}
	return append(e.buf, '\n'), nil
}

// appendJSONString is encoding/json's string encoding: \", \\, \b, \f, \n,
// \r, \t, other control characters as \u00XX, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped, and <, > and & too when html.
func appendJSONString(dst []byte, s string, html bool) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] && !(html && (c == '<' || c == '>' || c == '&')) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonSafe[c] is set for the ASCII bytes a JSON string holds as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// legacyHash is Hash through encoding/json and the MarshalJSON methods:
// the definition the encoder keeps to.
func (s *Schema) legacyHash() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, m := range s.Modules {
		if err := enc.Encode(stable(m)); err != nil {
			// Modules that decoded always encode; only a hand-built value
			// can fail here. Fold the failure into the hash.
			fmt.Fprintf(h, "unencodable module %q: %v\n", m.Path, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
