package runtime

import (
	"io"
	"strconv"
	"time"
)

// Opt is an optional value that keeps "unset" (the parameter is not sent)
// apart from the zero value of T, which is often meaningful to MediaWiki:
// namespace 0 is the main namespace, an empty text blanks a page, 0 is a
// valid offset. The zero Opt is unset.
//
//	var ns mw.Opt[mw.Namespace]          // unset: apnamespace is not sent
//	ns = mw.Set(mw.Namespace(0))         // set: apnamespace=0 is sent
//	if v, ok := ns.Get(); ok { ... }
//
// In typed answers, a field is an Opt when the wiki may leave it out for a
// reason the request does not control (a missing page has no page id, an
// invalid title no namespace, a revision-deleted comment is left out) and
// T's zero value is also a real value (namespace 0, the user id 0 of an
// IP's edit, an empty comment): unset means the key was absent, set means
// it came, even as 0 or "".
//
//	if ns, ok := pg.Ns.Get(); ok && ns == mw.NamespaceMain { ... }
//	id := pg.PageID.Or(0)
//
// JSON: a value decodes as T decodes it and sets the Opt; null decodes as
// unset (T decodes null as "no change", keeping its zero value), so that an
// unset Opt marshals to null and back. Marshaling writes null for unset and
// T's JSON for set; with the omitzero tag option (Go 1.24+), which the
// generated answers have, an unset field is left out, as the wiki left it
// out. In a typed answer (decoded with encoding/json/v2, see
// [Client.DoInto]) an Opt decodes through the same decoder as T, with the
// same errors at the same paths. With encoding/json, decoding int, int64,
// string, bool, [Namespace] and time.Time takes no reflection and no
// second pass, any other T goes through encoding/json itself, and a value
// of another JSON type than T's is the same *json.UnmarshalTypeError as
// T's, but encoding/json stops decoding at an error from UnmarshalJSON
// where, for a plain T, it goes on.
type Opt[T any] struct {
	v  T
	ok bool
}

// Set returns an Opt holding v; it is set even when v is T's zero value.
func Set[T any](v T) Opt[T] { return Opt[T]{v: v, ok: true} }

// Get returns the value and whether it is set. When unset, the value is T's
// zero value.
func (o Opt[T]) Get() (T, bool) { return o.v, o.ok }

// IsSet reports whether o holds a value.
func (o Opt[T]) IsSet() bool { return o.ok }

// Or returns the value if set, else def.
func (o Opt[T]) Or(def T) T {
	if o.ok {
		return o.v
	}
	return def
}

// Limit is the value of a limit parameter (type "limit" in paraminfo, e.g.
// aplimit): a positive number of results per batch, or [Max]. The zero
// Limit means unset: the parameter is not sent and the wiki uses its
// default (usually 10).
//
//	p.Limit("aplimit", 50)     // aplimit=50
//	p.Limit("aplimit", mw.Max) // aplimit=max
//	p.Limit("aplimit", 0)      // not sent
type Limit int

// Max is the limit "max": as many results per batch as the wiki allows the
// current user (typically 500, or 5000 with the apihighlimits right).
const Max Limit = -1

// String returns the wire form: "max", the decimal number, or "" when unset.
func (l Limit) String() string {
	switch {
	case l == Max:
		return "max"
	case l == 0:
		return ""
	default:
		return strconv.Itoa(int(l))
	}
}

// Namespace is a namespace number: 0 is the main (article) namespace, 1 its
// talk namespace, 2 User, 6 File, 14 Category, -1 Special, and so on.
// Generated code uses Opt[Namespace] for single namespaces, so that 0 can be
// sent, and []Namespace for lists.
type Namespace int

// Common namespace numbers, the same on every wiki.
const (
	NamespaceMedia    Namespace = -2
	NamespaceSpecial  Namespace = -1
	NamespaceMain     Namespace = 0
	NamespaceTalk     Namespace = 1
	NamespaceUser     Namespace = 2
	NamespaceProject  Namespace = 4
	NamespaceFile     Namespace = 6
	NamespaceTemplate Namespace = 10
	NamespaceCategory Namespace = 14
)

// timestampFormat is how timestamps are sent: ISO 8601 in UTC, whole
// seconds, which every MediaWiki version accepts.
const timestampFormat = "2006-01-02T15:04:05Z"

// Timestamp is the value of a timestamp parameter (e.g. rcstart, or edit's
// basetimestamp). It is optional by itself: the zero Timestamp is unset and
// not sent. Make one with [At] for a point in time or with [Now] for the
// literal "now", which the wiki evaluates when it handles the request.
//
//	p.Timestamp("rcstart", mw.At(t)) // rcstart=2024-05-01T12:00:00Z (UTC)
//	p.Timestamp("rcend", mw.Now())   // rcend=now
//	p.Timestamp("rcend", mw.Timestamp{}) // not sent
type Timestamp struct {
	t    time.Time
	kind uint8 // 0 unset, tsTime, tsNow
}

const (
	tsTime uint8 = 1 + iota
	tsNow
)

// At returns the Timestamp for t. It is sent in UTC with whole seconds
// (fractions are dropped, the API has no finer resolution).
func At(t time.Time) Timestamp { return Timestamp{t: t, kind: tsTime} }

// Now returns the Timestamp "now": the literal is sent and the wiki
// substitutes its own current time, so clock skew does not matter.
func Now() Timestamp { return Timestamp{kind: tsNow} }

// IsSet reports whether ts is set (by [At] or [Now]).
func (ts Timestamp) IsSet() bool { return ts.kind != 0 }

// IsNow reports whether ts is the literal "now".
func (ts Timestamp) IsNow() bool { return ts.kind == tsNow }

// Time returns the point in time given to [At]; ok is false for unset and
// for [Now].
func (ts Timestamp) Time() (t time.Time, ok bool) { return ts.t, ts.kind == tsTime }

// String returns the wire form: "2006-01-02T15:04:05Z" in UTC, "now", or ""
// when unset.
func (ts Timestamp) String() string {
	switch ts.kind {
	case tsTime:
		return ts.t.UTC().Format(timestampFormat)
	case tsNow:
		return "now"
	default:
		return ""
	}
}

// File is a file to upload (a parameter of type "upload", e.g. upload's
// "file"): the file name sent in the multipart body and its content. A
// request with a File is sent as multipart/form-data. The content is read
// once, when the request is first sent.
type File struct {
	// Name is the file name sent with the content, e.g. "Example.jpg". The
	// wiki's target name is a separate parameter (upload's "filename").
	Name string
	// Content is the file's data.
	Content io.Reader
}
