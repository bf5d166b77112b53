package naming

import (
	"encoding/hex"
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
			words = append(words, word{s: s})
		}
		return words
	}
	if s, ok := initialisms[lower]; ok {
		return append(words, word{s: s})
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
// their words, spelled for an exported name. Entries may be added; an
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
