package naming

import (
	"encoding/hex"
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Exported turns a MediaWiki name into an exported Go identifier in camel
// case, following the rules in the package documentation. The result is
// always a valid exported identifier.
//
//	Exported("allpages")             == "Allpages"
//	Exported("query+allpages")       == "QueryAllpages"
//	Exported("includeMissingTitles") == "IncludeMissingTitles"
//	Exported("includemissingtitles") == "Includemissingtitles"
//	Exported("pageids")              == "PageIDs"
//	Exported("text/x-wiki")          == "TextXWiki"
//	Exported("0.10")                 == "V0_10"
//	Exported("!minor")               == "NotMinor"
//	Exported("*")                    == "All"
//	Exported("")                     == "Empty"
//	Exported("??")                   == "X3f3f"
func Exported(name string) string {
	if name == "" {
		return "Empty"
	}
	ws := split(name)
	if len(ws) == 0 {
		return "X" + hex.EncodeToString([]byte(name))
	}
	s := join("", ws)
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case unicode.IsDigit(r):
		return "V" + s
	case !unicode.IsUpper(r):
		return "X" + s
	}
	return s
}

// Unexported turns a MediaWiki name into an unexported Go identifier in
// lower camel case (for parameters and local variables): the words of
// Exported with the first one lower-cased, and "_" appended to Go keywords
// and predeclared identifiers. The result is always a valid identifier that
// is neither exported nor a keyword nor predeclared.
//
//	Unexported("includeMissingTitles") == "includeMissingTitles"
//	Unexported("query+allpages")       == "queryAllpages"
//	Unexported("pageids")              == "pageIDs"
//	Unexported("URL")                  == "url"
//	Unexported("0.10")                 == "v0_10"
//	Unexported("!bot")                 == "notBot"
//	Unexported("type")                 == "type_"
//	Unexported("string")               == "string_"
//	Unexported("")                     == "empty"
func Unexported(name string) string {
	if name == "" {
		return "empty"
	}
	ws := split(name)
	if len(ws) == 0 {
		return "x" + hex.EncodeToString([]byte(name))
	}
	ws[0].s = lowerFirstWord(ws[0])
	s := join("", ws)
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case unicode.IsDigit(r):
		s = "v" + s
	case unicode.IsUpper(r): // an upper-case letter with no lower case, like ϒ
		s = "x" + s
	}
	if token.IsKeyword(s) || predeclared[s] {
		s += "_"
	}
	return s
}

// ConstName returns the name of the constant for an enum value of the type
// typeName: typeName followed by the words of Exported(value). The "V" or
// "X" that Exported puts before a leading digit or caseless letter is not
// needed after typeName and is left out; a digit meeting a digit at the seam
// is separated by "_", as between parts. An empty typeName gives
// Exported(value).
//
//	ConstName("QueryAllpagesFilterredir", "nonredirects") == "QueryAllpagesFilterredirNonredirects"
//	ConstName("QueryRecentchangesShow", "!bot")           == "QueryRecentchangesShowNotBot"
//	ConstName("ImageRotation", "90")                      == "ImageRotation90"
//	ConstName("Vector2022", "1")                          == "Vector2022_1"
//	ConstName("Format", "")                               == "FormatEmpty"
//
// Different values can give the same constant name ("a-b" and "a_b");
// assign an enum's constants through Assign, keyed by value, to keep them
// distinct.
func ConstName(typeName, value string) string {
	if typeName == "" {
		return Exported(value)
	}
	var body string
	if value == "" {
		body = "Empty"
	} else if ws := split(value); len(ws) == 0 {
		body = "X" + hex.EncodeToString([]byte(value))
	} else {
		body = join("", ws)
	}
	return join(typeName, []word{{s: body}})
}

// word is one part of a name, spelled as in an exported identifier.
type word struct {
	s string
	// initialism words are lower-cased entirely at the start of an
	// unexported name ("IDs" → "ids").
	initialism bool
}

// split splits name into words and spells them (see the package
// documentation).
func split(name string) []word {
	var (
		words []word
		part  []rune
	)
	flush := func() {
		if len(part) > 0 {
			words = appendPart(words, string(part))
			part = part[:0]
		}
	}
	leading := true
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 {
			r = -1 // an invalid byte: punctuation, never a letter
		}
		i += size
		if r == '!' && leading {
			words = appendPart(words, "not")
			continue
		}
		leading = false
		switch {
		case r == '*':
			flush()
			words = appendPart(words, "all")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if n := len(part); n > 0 && unicode.IsUpper(r) && (unicode.IsLower(part[n-1]) || unicode.IsDigit(part[n-1])) {
				flush()
			}
			part = append(part, r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// appendPart spells one part and appends its words.
func appendPart(words []word, part string) []word {
	lower := strings.ToLower(part)
	if c, ok := compounds[lower]; ok {
		for _, s := range c {
			words = append(words, word{s: s, initialism: s != capitalize(strings.ToLower(s))})
		}
		return words
	}
	if s, ok := initialisms[lower]; ok {
		return append(words, word{s: s, initialism: true})
	}
	return append(words, word{s: capitalize(part)})
}

// capitalize upper-cases the first rune of s.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	u := unicode.ToUpper(r)
	if u == r {
		return s
	}
	return string(u) + s[size:]
}

// lowerFirstWord spells w as the first word of an unexported name.
func lowerFirstWord(w word) string {
	if w.initialism {
		return strings.ToLower(w.s)
	}
	rs := []rune(w.s)
	n := 0 // length of the leading run of upper-case letters
	for n < len(rs) && unicode.IsUpper(rs[n]) {
		n++
	}
	if n > 1 && n < len(rs) && unicode.IsLower(rs[n]) {
		n-- // "HTMLParser": the P starts the next word
	}
	for i := 0; i < n; i++ {
		rs[i] = unicode.ToLower(rs[i])
	}
	return string(rs)
}

// join appends the words to prefix, with "_" where a digit meets a digit.
func join(prefix string, ws []word) string {
	var b strings.Builder
	b.WriteString(prefix)
	last, _ := utf8.DecodeLastRuneInString(prefix)
	for _, w := range ws {
		first, _ := utf8.DecodeRuneInString(w.s)
		if b.Len() > 0 && unicode.IsDigit(last) && unicode.IsDigit(first) {
			b.WriteByte('_')
		}
		b.WriteString(w.s)
		last, _ = utf8.DecodeLastRuneInString(w.s)
	}
	return b.String()
}

// initialisms maps a lower-case part to its Go spelling. Entries may be
// added; an existing entry must never change (testdata/names.txt pins every
// one of them).
var initialisms = map[string]string{
	"acl":    "ACL",
	"api":    "API",
	"ascii":  "ASCII",
	"cidr":   "CIDR",
	"csrf":   "CSRF",
	"css":    "CSS",
	"dns":    "DNS",
	"html":   "HTML",
	"http":   "HTTP",
	"https":  "HTTPS",
	"id":     "ID",
	"ids":    "IDs",
	"ip":     "IP",
	"ips":    "IPs",
	"js":     "JS",
	"json":   "JSON",
	"md5":    "MD5",
	"mime":   "MIME",
	"oauth":  "OAuth",
	"sha1":   "SHA1",
	"sha256": "SHA256",
	"sql":    "SQL",
	"tls":    "TLS",
	"ttl":    "TTL",
	"ui":     "UI",
	"uid":    "UID",
	"uri":    "URI",
	"url":    "URL",
	"urls":   "URLs",
	"utf8":   "UTF8",
	"uuid":   "UUID",
	"xml":    "XML",
	"xss":    "XSS",
}

// compounds maps run-together MediaWiki words ending in id/ids, taken from
// the parameter names of MediaWiki 1.39 and its bundled extensions, to
// their words, spelled for an exported name. A word spelled other than plain capitalisation ("IDs",
// "RC") counts as an initialism in Unexported. Entries may be added; an
// existing entry must never change (testdata/names.txt pins every one).
var compounds = map[string][]string{
	"baserevid":    {"Base", "Rev", "ID"},
	"captchaid":    {"Captcha", "ID"},
	"centralids":   {"Central", "IDs"},
	"endid":        {"End", "ID"},
	"fileids":      {"File", "IDs"},
	"fromid":       {"From", "ID"},
	"fromrevid":    {"From", "Rev", "ID"},
	"indexpageids": {"Index", "Page", "IDs"},
	"logid":        {"Log", "ID"},
	"logids":       {"Log", "IDs"},
	"oldid":        {"Old", "ID"},
	"pageid":       {"Page", "ID"},
	"pageids":      {"Page", "IDs"},
	"parentid":     {"Parent", "ID"},
	"rcid":         {"RC", "ID"},
	"requestid":    {"Request", "ID"},
	"revid":        {"Rev", "ID"},
	"revids":       {"Rev", "IDs"},
	"startid":      {"Start", "ID"},
	"subjectid":    {"Subject", "ID"},
	"talkid":       {"Talk", "ID"},
	"toid":         {"To", "ID"},
	"torevid":      {"To", "Rev", "ID"},
	"userid":       {"User", "ID"},
	"userids":      {"User", "IDs"},
}

// predeclared holds Go's predeclared identifiers (keywords are checked with
// go/token).
var predeclared = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true,
	"clear": true, "close": true, "comparable": true, "complex": true,
	"complex128": true, "complex64": true, "copy": true, "delete": true,
	"error": true, "false": true, "float32": true, "float64": true,
	"imag": true, "int": true, "int16": true, "int32": true, "int64": true,
	"int8": true, "iota": true, "len": true, "make": true, "max": true,
	"min": true, "new": true, "nil": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true, "rune": true,
	"string": true, "true": true, "uint": true, "uint16": true,
	"uint32": true, "uint64": true, "uint8": true, "uintptr": true,
}
