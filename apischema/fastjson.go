package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the reading half of the one-pass decoder: a JSON parser
// over the input bytes that decodes the schema's types as it scans, with
// no json.RawMessage per object, no second parse to find unknown fields,
// and no allocation for strings without escapes (they are substrings of
// one copy of the input).
//
// It is a fast path, not a second definition of the format: whatever it
// does not handle exactly as encoding/json and the decoder of decode.go
// and json.go do (null, a type mismatch, a duplicate or case-folded key, a
// nesting deeper than maxFastDepth) it leaves to them, by returning
// errShape, and the module (or the document) is decoded the old way. The
// differential tests (fastdecode_test.go) hold the two equal on the
// embedded snapshots, the Wikimedia dump and FuzzFastDecode.

var (
	// errSyntax: the input is not JSON. The slow path reports where.
	errSyntax = errors.New("apischema: not JSON")
	// errShape: valid JSON that the fast path leaves to the slow one.
	errShape = errors.New("apischema: shape left to the slow path")
)

// maxFastDepth bounds the nesting the fast path follows (encoding/json
// allows 10000; deeper inputs take the slow path, which reports them).
const maxFastDepth = 500

// parser reads one JSON input.
type parser struct {
	data  []byte
	text  string // data as a string: strings without escapes are its substrings
	i     int
	depth int
}

func newParser(data []byte) *parser {
	return &parser{data: data, text: string(data)}
}

// ws skips white space and returns the next byte (0 at the end).
func (p *parser) ws() byte {
	for p.i < len(p.data) {
		switch c := p.data[p.i]; c {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return c
		}
	}
	return 0
}

// object reads an object, calling member for each key with p before the
// value, which member must read.
func (p *parser) object(member func(key string) error) error {
	if p.ws() != '{' {
		return errShape
	}
	p.i++
	if p.depth++; p.depth > maxFastDepth {
		return errShape
	}
	if p.ws() == '}' {
		p.i++
		p.depth--
		return nil
	}
	for {
		if p.ws() != '"' {
			return errSyntax
		}
		key, err := p.stringLit()
		if err != nil {
			return err
		}
		if p.ws() != ':' {
			return errSyntax
		}
		p.i++
		p.ws()
		if err := member(key); err != nil {
			return err
		}
		switch p.ws() {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// array reads an array, calling elem with p before each element, which
// elem must read.
func (p *parser) array(elem func() error) error {
	if p.ws() != '[' {
		return errShape
	}
	p.i++
	if p.depth++; p.depth > maxFastDepth {
		return errShape
	}
	if p.ws() == ']' {
		p.i++
		p.depth--
		return nil
	}
	for {
		p.ws()
		if err := elem(); err != nil {
			return err
		}
		switch p.ws() {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// plainByte[c] is set for the bytes a string may hold that need no
// attention: not '"', '\\', a control character or a non-ASCII byte.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// stringLit reads a string literal at p.i (a '"') and returns its value
// as encoding/json unquotes it.
func (p *parser) stringLit() (string, error) {
	start := p.i + 1
	i := start
	for i < len(p.data) && plainByte[p.data[i]] {
		i++
	}
	if i < len(p.data) && p.data[i] == '"' {
		p.i = i + 1
		return p.text[start:i], nil
	}
	// Escapes, non-ASCII bytes, or the end of the input: find the end,
	// checking the syntax.
	escapes := false
	for i < len(p.data) {
		c := p.data[i]
		switch {
		case c == '"':
			p.i = i + 1
			lit := p.data[start:i]
			if !escapes && utf8.Valid(lit) {
				return p.text[start:i], nil
			}
			return unquote(lit), nil
		case c == '\\':
			escapes = true
			if i+1 >= len(p.data) {
				return "", errSyntax
			}
			switch p.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(p.data) || !isHex4(p.data[i+2:i+6]) {
					return "", errSyntax
				}
				i += 6
			default:
				return "", errSyntax
			}
		case c < 0x20:
			return "", errSyntax
		default:
			i++
		}
	}
	return "", errSyntax
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// unquote is encoding/json's unquote of a checked literal (without its
// quotes): escapes decoded, a lone surrogate and invalid UTF-8 as U+FFFD.
func unquote(lit []byte) string {
	b := make([]byte, 0, len(lit))
	for r := 0; r < len(lit); {
		c := lit[r]
		switch {
		case c == '\\':
			switch e := lit[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(lit[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(lit[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(lit[r:])
			r += size
			b = utf8.AppendRune(b, rr) // U+FFFD for an invalid byte
		}
	}
	return string(b)
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' || !isHex4(s[2:6]) {
		return -1
	}
	r, err := strconv.ParseUint(string(s[2:6]), 16, 64)
	if err != nil {
		return -1
	}
	return rune(r)
}

// number reads a number literal and returns its spelling.
func (p *parser) number() (string, error) {
	start, i := p.i, p.i
	digits := func() bool {
		j := i
		for i < len(p.data) && '0' <= p.data[i] && p.data[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(p.data) && p.data[i] == '-' {
		i++
	}
	switch {
	case i < len(p.data) && p.data[i] == '0':
		i++
	case !digits():
		return "", errSyntax
	}
	if i < len(p.data) && p.data[i] == '.' {
		i++
		if !digits() {
			return "", errSyntax
		}
	}
	if i < len(p.data) && (p.data[i] == 'e' || p.data[i] == 'E') {
		i++
		if i < len(p.data) && (p.data[i] == '+' || p.data[i] == '-') {
			i++
		}
		if !digits() {
			return "", errSyntax
		}
	}
	p.i = i
	return p.text[start:i], nil
}

// literal reads true, false or null.
func (p *parser) literal(word string) error {
	if !strings.HasPrefix(p.text[p.i:], word) {
		return errSyntax
	}
	p.i += len(word)
	return nil
}

// skip reads any value, checking its syntax.
func (p *parser) skip() error {
	switch c := p.ws(); c {
	case '{':
		return p.object(func(string) error { return p.skip() })
	case '[':
		return p.array(p.skip)
	case '"':
		_, err := p.stringLit()
		return err
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			_, err := p.number()
			return err
		}
		return errSyntax
	}
}

// span reads any value and returns its bytes (those of the input).
func (p *parser) span() ([]byte, error) {
	p.ws()
	start := p.i
	if err := p.skip(); err != nil {
		return nil, err
	}
	return p.data[start:p.i], nil
}

// raw reads any value and returns a copy of its bytes, as a
// json.RawMessage field or map value holds it.
func (p *parser) raw() (json.RawMessage, error) {
	b, err := p.span()
	if err != nil {
		return nil, err
	}
	return append(json.RawMessage(nil), b...), nil
}

// str reads a string value.
func (p *parser) str() (string, error) {
	if p.ws() != '"' {
		return "", errShape
	}
	return p.stringLit()
}

// boolean reads true or false.
func (p *parser) boolean() (bool, error) {
	switch p.ws() {
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	}
	return false, errShape
}

// integer reads a number that is an integer in int64, as encoding/json
// decodes into an int or int64 field (on a 64-bit platform).
func (p *parser) integer() (int64, error) {
	c := p.ws()
	if c != '-' && (c < '0' || c > '9') {
		return 0, errShape
	}
	lit, err := p.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil || int64(int(n)) != n {
		return 0, errShape
	}
	return n, nil
}

// strings reads an array of strings.
func (p *parser) strings() ([]string, error) {
	out := []string{}
	err := p.array(func() error {
		s, err := p.str()
		out = append(out, s)
		return err
	})
	return out, err
}

// ints reads an array of integers.
func (p *parser) ints() ([]int, error) {
	out := []int{}
	err := p.array(func() error {
		n, err := p.integer()
		out = append(out, int(n))
		return err
	})
	return out, err
}

// stringMap reads an object of strings.
func (p *parser) stringMap() (map[string]string, error) {
	out := map[string]string{}
	err := p.object(func(k string) error {
		v, err := p.str()
		out[k] = v
		return err
	})
	return out, err
}

// scalar reads a value as Scalar.UnmarshalJSON does: a string, number or
// boolean kept as spelled, or an array of those (compacted when
// whitespace is in it); null and the rest are left to the slow path.
func (p *parser) scalar() (Scalar, error) {
	c := p.ws()
	start := p.i
	switch {
	case c == '"':
		if _, err := p.stringLit(); err != nil {
			return Scalar{}, err
		}
	case c == 't' || c == 'f':
		if _, err := p.boolean(); err != nil {
			return Scalar{}, err
		}
	case c == '-' || '0' <= c && c <= '9':
		if _, err := p.number(); err != nil {
			return Scalar{}, err
		}
	case c == '[':
		if err := p.array(func() error {
			switch c := p.ws(); c {
			case '[', '{', 'n':
				return errShape
			}
			return p.skip()
		}); err != nil {
			return Scalar{}, err
		}
		lit := p.text[start:p.i]
		if strings.ContainsAny(lit, " \t\r\n") {
			var buf bytes.Buffer
			if json.Compact(&buf, p.data[start:p.i]) != nil {
				return Scalar{}, errShape
			}
			lit = buf.String()
		}
		return Scalar{raw: lit}, nil
	default:
		return Scalar{}, errShape
	}
	return Scalar{raw: p.text[start:p.i]}, nil
}

// clashes reports whether an unknown key could be taken by encoding/json
// for one of the known ones (it matches field names without regard to
// case) or is non-ASCII: such objects take the slow path.
func clashes(key string, known []string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return true
		}
	}
	for _, k := range known {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}
