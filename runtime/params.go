package runtime

import (
	"iter"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Params are one request's parameters in wire form, kept in insertion order
// so that encoding is deterministic. The zero Params is empty and ready to
// use; a Params is not safe for concurrent modification.
//
// Setting a name that is already present replaces its value in place (the
// position is kept). The typed setters ([Params.Text], [Params.Bool],
// [Params.Strings], ...) apply MediaWiki's encoding rules, and when given
// an unset or empty value they remove the parameter, so that after any
// setter call the parameter holds exactly what the call describes.
//
//	p := new(mw.Params)
//	p.Text("list", "allpages")
//	p.Text("apprefix", "Foo")
//	p.Limit("aplimit", mw.Max)
//	p.Namespace("apnamespace", mw.Set(mw.Namespace(0)))
//	p.Form() // "list=allpages&apprefix=Foo&aplimit=max&apnamespace=0"
type Params struct {
	entries   []entry
	sensitive map[string]bool
}

// entry is one parameter: a value, or a file when file != nil.
type entry struct {
	name  string
	value string
	file  *File
}

func (p *Params) index(name string) int {
	for i := range p.entries {
		if p.entries[i].name == name {
			return i
		}
	}
	return -1
}

func (p *Params) put(e entry) {
	if i := p.index(e.name); i >= 0 {
		p.entries[i] = e
		return
	}
	p.entries = append(p.entries, e)
}

// Set sets name to the raw wire value (no encoding is applied; an empty
// value is sent as empty).
func (p *Params) Set(name, value string) { p.put(entry{name: name, value: value}) }

// Get returns the wire value of name and whether it is present. File
// parameters have no wire value: Get reports them as absent.
func (p *Params) Get(name string) (string, bool) {
	if p == nil {
		return "", false
	}
	i := p.index(name)
	if i < 0 || p.entries[i].file != nil {
		return "", false
	}
	return p.entries[i].value, true
}

// Has reports whether name is present, as a value or as a file.
func (p *Params) Has(name string) bool { return p != nil && p.index(name) >= 0 }

// Del removes name (value or file). Its sensitivity mark, if any, stays.
func (p *Params) Del(name string) {
	if i := p.index(name); i >= 0 {
		p.entries = slices.Delete(p.entries, i, i+1)
	}
}

// Names returns the parameter names, files included, in insertion order.
func (p *Params) Names() []string {
	if p == nil {
		return nil
	}
	names := make([]string, len(p.entries))
	for i, e := range p.entries {
		names[i] = e.name
	}
	return names
}

// Len returns the number of parameters, files included.
func (p *Params) Len() int {
	if p == nil {
		return 0
	}
	return len(p.entries)
}

// Clone returns an independent copy (files are shared, not copied). Cloning
// a nil *Params returns an empty Params.
func (p *Params) Clone() *Params {
	q := new(Params)
	if p == nil {
		return q
	}
	q.entries = slices.Clone(p.entries)
	if len(p.sensitive) > 0 {
		q.sensitive = make(map[string]bool, len(p.sensitive))
		for k := range p.sensitive {
			q.sensitive[k] = true
		}
	}
	return q
}

// All iterates over the value parameters (not the files) in insertion
// order, yielding name and wire value.
func (p *Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if p == nil {
			return
		}
		for _, e := range p.entries {
			if e.file == nil && !yield(e.name, e.value) {
				return
			}
		}
	}
}

// Files iterates over the file parameters in insertion order.
func (p *Params) Files() iter.Seq2[string, *File] {
	return func(yield func(string, *File) bool) {
		if p == nil {
			return
		}
		for _, e := range p.entries {
			if e.file != nil && !yield(e.name, e.file) {
				return
			}
		}
	}
}

// HasFiles reports whether a file is present; such a request must be sent
// as multipart/form-data.
func (p *Params) HasFiles() bool {
	for range p.Files() {
		return true
	}
	return false
}

// Text sets a string parameter; the empty string removes it. Use
// [Params.OptText] where an empty value is meaningful (e.g. edit's text,
// which blanks the page).
func (p *Params) Text(name, v string) {
	if v == "" {
		p.Del(name)
		return
	}
	p.Set(name, v)
}

// OptText sets a string parameter when v is set, even to "" (sent as
// "name="), and removes it when v is unset.
func (p *Params) OptText(name string, v Opt[string]) {
	if s, ok := v.Get(); ok {
		p.Set(name, s)
		return
	}
	p.Del(name)
}

// Bool sets a boolean parameter. MediaWiki treats a boolean as true when it
// is present with any value, even "0" or "false", so true is sent as "1"
// and false removes the parameter.
func (p *Params) Bool(name string, v bool) {
	if v {
		p.Set(name, "1")
		return
	}
	p.Del(name)
}

// Int sets an integer parameter in decimal when v is set (0 included), and
// removes it when unset.
func (p *Params) Int(name string, v Opt[int]) {
	if n, ok := v.Get(); ok {
		p.Set(name, strconv.Itoa(n))
		return
	}
	p.Del(name)
}

// Ints sets a multi-value integer parameter (e.g. pageids); nil or empty
// removes it.
func (p *Params) Ints(name string, v []int) {
	p.multi(name, len(v), func(i int) string { return strconv.Itoa(v[i]) })
}

// Strings sets a multi-value parameter (e.g. titles, prop). Values are
// joined with "|"; if any value contains "|", the alternative form is used:
// each value preceded by U+001F ("\x1fA|B\x1fC" is the two values "A|B" and
// "C"). nil or empty removes the parameter; the single empty value
// []string{""} is sent as "|".
func (p *Params) Strings(name string, v []string) {
	p.multi(name, len(v), func(i int) string { return v[i] })
}

// Limit sets a limit parameter: "max" for [Max], the number otherwise; 0
// (unset) removes it. Negative values other than Max are sent as they are
// (and rejected by [Checker.LimitRange]).
func (p *Params) Limit(name string, v Limit) {
	if v == 0 {
		p.Del(name)
		return
	}
	p.Set(name, v.String())
}

// Namespace sets a namespace parameter when v is set (namespace 0 included),
// and removes it when unset.
func (p *Params) Namespace(name string, v Opt[Namespace]) {
	if n, ok := v.Get(); ok {
		p.Set(name, strconv.Itoa(int(n)))
		return
	}
	p.Del(name)
}

// Namespaces sets a multi-value namespace parameter (e.g. apnamespace on
// list modules that take several); nil or empty removes it.
func (p *Params) Namespaces(name string, v []Namespace) {
	p.multi(name, len(v), func(i int) string { return strconv.Itoa(int(v[i])) })
}

// Timestamp sets a timestamp parameter: UTC ISO 8601 for [At], "now" for
// [Now]; the zero Timestamp removes it.
func (p *Params) Timestamp(name string, v Timestamp) {
	if !v.IsSet() {
		p.Del(name)
		return
	}
	p.Set(name, v.String())
}

// File sets an upload parameter; nil removes it. A request with a file is
// sent as multipart/form-data.
func (p *Params) File(name string, f *File) {
	if f == nil {
		p.Del(name)
		return
	}
	p.put(entry{name: name, file: f})
}

func (p *Params) multi(name string, n int, value func(int) string) {
	if n == 0 {
		p.Del(name)
		return
	}
	vs := make([]string, n)
	for i := range vs {
		vs[i] = value(i)
	}
	p.Set(name, JoinMulti(vs))
}

// multiSep is MediaWiki's alternative multi-value separator, U+001F (INFORMATION
// SEPARATOR ONE), for values that contain "|".
const multiSep = "\x1f"

// JoinMulti encodes values as one multi-value parameter: joined with "|",
// or, if any value contains "|", each preceded by U+001F. A single empty
// value encodes as "|" (an empty string would mean "no values"). It returns
// "" for no values.
func JoinMulti(values []string) string {
	switch {
	case len(values) == 0:
		return ""
	case len(values) == 1 && values[0] == "":
		return "|"
	}
	for _, v := range values {
		if strings.Contains(v, "|") {
			return multiSep + strings.Join(values, multiSep)
		}
	}
	return strings.Join(values, "|")
}

// Merge adds the caller's raw parameters, the escape hatch for anything the
// generated code does not model. The caller wins: a name already present
// gets the new value (keeping its position), new names are appended in
// sorted order. Several values for one name are joined like
// [Params.Strings] (MediaWiki does not read repeated names); an empty value
// list is ignored. The client still controls format, formatversion and
// errorformat, and the token it fetches for the request.
func (p *Params) Merge(extra url.Values) {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if vs := extra[k]; len(vs) > 0 {
			p.Set(k, JoinMulti(vs))
		}
	}
}

// Sensitive marks name as secret (a password, a token): [Params.String]
// and the client's logs and errors show its value as "***". A request with
// a sensitive parameter is always POSTed, so that the secret is not part of
// a URL. The mark stays when the value changes or is removed.
func (p *Params) Sensitive(name string) {
	if p.sensitive == nil {
		p.sensitive = make(map[string]bool)
	}
	p.sensitive[name] = true
}

// IsSensitive reports whether name was marked with [Params.Sensitive].
func (p *Params) IsSensitive(name string) bool { return p != nil && p.sensitive[name] }

// hasSensitive reports whether a present parameter is sensitive.
func (p *Params) hasSensitive() bool {
	for _, e := range p.entries {
		if p.sensitive[e.name] {
			return true
		}
	}
	return false
}

// Form returns the value parameters (files are left out) as an
// application/x-www-form-urlencoded string in insertion order: the same
// Params always encode to the same string.
func (p *Params) Form() string {
	var b strings.Builder
	for name, value := range p.All() {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value))
	}
	return b.String()
}

// Values returns the value parameters (files are left out) as url.Values,
// one value per name.
func (p *Params) Values() url.Values {
	v := make(url.Values, p.Len())
	for name, value := range p.All() {
		v[name] = []string{value}
	}
	return v
}

// maxLogValue bounds how much of one value [Params.String] shows.
const maxLogValue = 100

// String returns the parameters for logs and error messages, in insertion
// order and form-like: sensitive values are replaced by "***", files are
// shown as <file NAME>, long values are cut. It is not a valid encoding;
// use [Params.Form] for that.
func (p *Params) String() string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for i, e := range p.entries {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(e.name))
		b.WriteByte('=')
		switch {
		case p.sensitive[e.name]:
			b.WriteString("***")
		case e.file != nil:
			b.WriteString("<file " + url.QueryEscape(e.file.Name) + ">")
		default:
			b.WriteString(url.QueryEscape(cut(e.value, maxLogValue)))
		}
	}
	return b.String()
}

// LogValue makes slog log the redacted [Params.String].
func (p *Params) LogValue() slog.Value { return slog.StringValue(p.String()) }

// cut shortens s to at most n bytes (on a rune boundary), noting the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "...(" + strconv.Itoa(len(s)) + " bytes)"
}
