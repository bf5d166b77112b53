package runtime

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// UnmarshalJSON decodes a JSON value as T does with encoding/json and
// sets o; null unsets o.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	if len(b) == 4 && string(b) == "null" {
		*o = Opt[T]{}
		return nil
	}
	switch p := any(&o.v).(type) {
	case *int:
		if n, ok := fastInt(b, strconv.IntSize); ok {
			*p, o.ok = int(n), true
			return nil
		}
	case *int64:
		if n, ok := fastInt(b, 64); ok {
			*p, o.ok = n, true
			return nil
		}
	case *Namespace:
		if n, ok := fastInt(b, strconv.IntSize); ok {
			*p, o.ok = Namespace(n), true
			return nil
		}
	case *string:
		if s, ok := fastString(b); ok {
			*p, o.ok = s, true
			return nil
		}
	case *bool:
		switch string(b) {
		case "true":
			*p, o.ok = true, true
			return nil
		case "false":
			*p, o.ok = false, true
			return nil
		}
	case *time.Time:
		// What encoding/json calls for a time.Time.
		var t time.Time
		if err := t.UnmarshalJSON(b); err != nil {
			*o = Opt[T]{}
			return err
		}
		*p, o.ok = t, true
		return nil
	}
	// Any other T, and what the fast paths do not take (escapes, numbers
	// out of range, values of another JSON type): encoding/json, for the
	// same value and the same error as T's.
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		*o = Opt[T]{}
		return err
	}
	*o = Opt[T]{v: v, ok: true}
	return nil
}

// fastInt parses a JSON integer that surely fits in bits: an optional
// minus, then 1 to 18 digits (9 for 32 bits) without a leading zero. ok is
// false for anything else, which the caller leaves to encoding/json.
func fastInt(b []byte, bits int) (int64, bool) {
	most := 18
	if bits < 64 {
		most = 9
	}
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > most || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// fastString unquotes a JSON string without escapes that is valid UTF-8,
// which encoding/json would copy as it is. ok is false for anything else.
func fastString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	ascii := true
	for _, c := range in {
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// MarshalJSON writes null for an unset o and T's JSON for a set one.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.ok {
		return []byte("null"), nil
	}
	switch v := any(o.v).(type) {
	case int:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case Namespace:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case bool:
		return strconv.AppendBool(nil, v), nil
	}
	return json.Marshal(o.v)
}

// IsZero reports whether o is unset, so that a field tagged omitzero is
// left out when unset (and kept when set to T's zero value).
func (o Opt[T]) IsZero() bool { return !o.ok }
