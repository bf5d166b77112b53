package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is an error the wiki answered instead of a schema, such as
// readapidenied on a private wiki.
type APIError struct {
	Code string
	Info string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("the wiki answered with API error %q: %s", e.Code, e.Info)
	switch e.Code {
	case "readapidenied":
		msg += " (the wiki is private: authenticate, e.g. pass an HTTP client that is logged in)"
	case "maxlag":
		msg += " (the wiki's database is lagged: try again later)"
	}
	return msg
}

// ReadFile decodes the schema file at path; see Decode.
func ReadFile(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	return Decode(data, path)
}

// Decode reads a schema from data, which holds either an mwgen snapshot or
// raw action=paraminfo responses (formatversion=2) as saved with curl: one
// response, several responses one after another, or a JSON array of them.
// A response of action=query&meta=siteinfo among them fills in Schema.Wiki.
//
// source names the input in errors (a file name, a URL). Every error says
// what is wrong and where; the schema is validated before it is returned
// (see Validate).
func Decode(data []byte, source string) (*Schema, error) {
	s, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return s, nil
}

func decode(data []byte) (*Schema, error) { return decodeWith(data, true) }

// decodeWith decodes with the one-pass fast path (fast) or only the way
// it was decoded before it (the differential tests' reference).
func decodeWith(data []byte, fast bool) (*Schema, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty input: want a paraminfo response or an mwgen snapshot")
	}
	switch trimmed[0] {
	case '{', '[':
	case '<':
		return nil, fmt.Errorf("got HTML or XML, not JSON (%s): is this a MediaWiki api.php response with format=json?", excerpt(trimmed))
	default:
		return nil, fmt.Errorf("not JSON (%s): want a paraminfo response or an mwgen snapshot", excerpt(trimmed))
	}

	b := &builder{schema: &Schema{}, seen: map[string]int{}, legacy: !fast}
	// One object, the usual input, in one pass; anything else, document by
	// document.
	if fast {
		if d, err := readFastDoc(data); err == nil {
			if err := b.addFast(d); err != errShape {
				if err != nil {
					return nil, err
				}
				return b.finish()
			}
			b = &builder{schema: &Schema{}, seen: map[string]int{}, legacy: !fast}
		}
	}

	var docs []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(data, dec.InputOffset(), err)
		}
		docs = append(docs, doc)
	}

	for i, doc := range docs {
		where := ""
		if len(docs) > 1 {
			where = fmt.Sprintf("document %d: ", i+1)
		}
		if err := b.add(doc); err != nil {
			return nil, fmt.Errorf("%s%w", where, err)
		}
	}
	return b.finish()
}

// finish checks and sorts what the documents gave, and verifies a
// snapshot's hash.
func (b *builder) finish() (*Schema, error) {
	if !b.anyModules {
		return nil, errors.New("no paraminfo found: want {\"paraminfo\": {\"modules\": [...]}} (action=paraminfo&format=json&formatversion=2) or an mwgen snapshot")
	}
	s := b.schema
	slices.SortStableFunc(s.Modules, func(a, b *Module) int { return strings.Compare(a.Path, b.Path) })
	if b.snapshotHash != "" {
		got := s.Hash()
		if b.legacy {
			got = s.legacyHash()
		}
		if got != b.snapshotHash {
			return nil, fmt.Errorf("snapshot hash is %s but its content hashes to %s: the file was changed after it was written; fetch it again with 'mwgen schema fetch'", b.snapshotHash, got)
		}
		s.verified = b.snapshotHash
	}
	return s, nil
}

// syntaxError turns a JSON decoding error into one that says where.
func syntaxError(data []byte, offset int64, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated JSON: the input ends after %d bytes in the middle of a value", len(data))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(bytes.TrimSpace(data))) {
			return fmt.Errorf("truncated JSON: the input ends after %d bytes in the middle of a value", len(data))
		}
		offset = se.Offset
	}
	line, col := position(data, offset)
	return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
}

func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, col
}

// excerpt quotes the start of a body for an error message.
func excerpt(b []byte) string {
	const n = 60
	s := string(b)
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// builder merges the documents of one input into a Schema.
type builder struct {
	schema       *Schema
	seen         map[string]int // module path → index in schema.Modules
	anyModules   bool
	snapshotHash string
	// legacy decodes only the way it was decoded before the one-pass
	// decoder (fastdecode.go), which is otherwise tried first: the
	// reference of the differential tests.
	legacy bool
}

// snapshotJSON is the snapshot file layout. Field order is the file's key
// order.
type snapshotJSON struct {
	Format     string          `json:"format"`
	Wiki       Wiki            `json:"wiki"`
	Fetched    string          `json:"fetched,omitempty"`
	HelpFormat string          `json:"helpformat"`
	Hash       string          `json:"hash"`
	Modules    json.RawMessage `json:"modules"`
}

type responseJSON struct {
	ParamInfo *struct {
		HelpFormat string          `json:"helpformat"`
		Modules    json.RawMessage `json:"modules"`
	} `json:"paraminfo"`
	Query *struct {
		General *struct {
			Server    string `json:"server"`
			SiteName  string `json:"sitename"`
			WikiID    string `json:"wikiid"`
			Generator string `json:"generator"`
			Lang      string `json:"lang"`
		} `json:"general"`
	} `json:"query"`
	Error  *APIError       `json:"error"`
	Errors []errorEntry    `json:"errors"`
	Format json.RawMessage `json:"format"`
}

type errorEntry struct {
	Code string `json:"code"`
	Text string `json:"text"`
	HTML string `json:"html"`
}

func (b *builder) add(doc json.RawMessage) error {
	if !b.legacy && doc[0] == '{' {
		if d, err := readFastDoc(doc); err == nil {
			if err := b.addFast(d); err != errShape {
				return err
			}
		}
	}
	if doc[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(doc, &list); err != nil {
			return err
		}
		for i, d := range list {
			if len(d) == 0 || d[0] != '{' {
				return fmt.Errorf("element %d of the top-level array: want a JSON object, got %s", i, excerpt(d))
			}
			if err := b.add(d); err != nil {
				return fmt.Errorf("element %d of the top-level array: %w", i, err)
			}
		}
		return nil
	}
	if doc[0] != '{' {
		return fmt.Errorf("want a JSON object, got %s", excerpt(doc))
	}
	var r responseJSON
	if err := json.Unmarshal(doc, &r); err != nil {
		return fmt.Errorf("unexpected shape: %w", err)
	}
	if r.Error != nil {
		return r.Error
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		return &APIError{Code: e.Code, Info: cmpOr(e.Text, e.HTML)}
	}
	if len(r.Format) > 0 && string(r.Format) == fmt.Sprintf("%q", SnapshotFormat) {
		return b.addSnapshot(doc)
	}
	if len(r.Format) > 0 {
		return fmt.Errorf("unknown snapshot format %s: this mwgen reads %q", r.Format, SnapshotFormat)
	}
	if r.Query != nil && r.Query.General != nil {
		g := r.Query.General
		b.schema.Wiki = Wiki{
			API:       b.schema.Wiki.API,
			Server:    g.Server,
			SiteName:  g.SiteName,
			WikiID:    g.WikiID,
			Generator: g.Generator,
			Lang:      g.Lang,
		}
	}
	if r.ParamInfo != nil {
		if b.schema.HelpFormat == "" {
			b.schema.HelpFormat = r.ParamInfo.HelpFormat
		}
		return b.addModules(r.ParamInfo.Modules)
	}
	if r.Query == nil {
		return errors.New("neither a paraminfo response nor an mwgen snapshot: no \"paraminfo\" key")
	}
	return nil
}

func (b *builder) addSnapshot(doc json.RawMessage) error {
	var snap snapshotJSON
	if err := json.Unmarshal(doc, &snap); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if b.anyModules {
		return errors.New("a snapshot cannot be combined with other schema documents")
	}
	s := b.schema
	s.Wiki = snap.Wiki
	s.HelpFormat = snap.HelpFormat
	if snap.Fetched != "" {
		t, err := time.Parse(time.RFC3339, snap.Fetched)
		if err != nil {
			return fmt.Errorf("snapshot: fetched: %w", err)
		}
		s.FetchedAt = t
	}
	if snap.Hash == "" {
		return errors.New("snapshot: no hash")
	}
	b.snapshotHash = snap.Hash
	return b.addModules(snap.Modules)
}

func (b *builder) addModules(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return fmt.Errorf("modules: want a JSON array of module objects, got %s", excerpt(raw))
	}
	if !b.legacy {
		p := newParser(raw)
		if items, err := p.moduleList(); err == nil && p.ws() == 0 {
			return b.addModuleItems(items)
		}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("modules: %w", err)
	}
	items := make([]moduleItem, len(list))
	for i, item := range list {
		items[i].raw = item
	}
	return b.addModuleItems(items)
}

// addModuleItems adds modules decoded by the fast path and decodes the
// others (kept raw) the slow way.
func (b *builder) addModuleItems(list []moduleItem) error {
	b.anyModules = true
	var probs Problems
	for i, it := range list {
		m, item := it.m, it.raw
		if m != nil {
			if m.Path == "" {
				probs.add("module without a path", "modules[%d] (%s): no path", i, m.hint())
				continue
			}
			b.addModule(i, m, &probs)
			continue
		}
		if len(item) == 0 || item[0] != '{' {
			probs.add("module that is not an object", "modules[%d]: want a module object, got %s", i, excerpt(item))
			continue
		}
		m = new(Module)
		where := fmt.Sprintf("modules[%d] (%s)", i, pathHint(item))
		if err := json.Unmarshal(item, m); err != nil {
			var pe *paramError
			if errors.As(err, &pe) {
				where += ": parameter " + pe.param
				err = pe.err
			} else {
				err = describeJSONError(err)
			}
			kind := err.Error()
			if errors.Is(err, errObjectValue) {
				kind = "a value that is a JSON object"
			}
			probs.add(kind, "%s: %v", where, err)
			continue
		}
		if m.Path == "" {
			probs.add("module without a path", "%s: no path", where)
			continue
		}
		b.addModule(i, m, &probs)
	}
	return probs.err()
}

// addModule adds m, element i of a module list, unless it has come
// already.
func (b *builder) addModule(i int, m *Module, probs *Problems) {
	if j, dup := b.seen[m.Path]; dup {
		old, _ := json.Marshal(b.schema.Modules[j])
		now, _ := json.Marshal(m)
		if !bytes.Equal(old, now) {
			probs.add("module that appears twice with different content", "modules[%d]: module %q appears twice with different content", i, m.Path)
		}
		return
	}
	b.seen[m.Path] = len(b.schema.Modules)
	b.schema.Modules = append(b.schema.Modules, m)
}

// hint is pathHint of a decoded module.
func (m *Module) hint() string {
	switch {
	case m.Path != "":
		return m.Path
	case m.Name != "":
		return "name " + m.Name
	default:
		return "unnamed"
	}
}

// pathHint names a module in an error even when it failed to decode.
func pathHint(item json.RawMessage) string {
	var h struct {
		Path string `json:"path"`
		Name string `json:"name"`
	}
	_ = json.Unmarshal(item, &h) // best effort: the real error is reported by the caller
	switch {
	case h.Path != "":
		return h.Path
	case h.Name != "":
		return "name " + h.Name
	default:
		return "unnamed"
	}
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.TrimPrefix(te.Field, "moduleAlias.")
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("field %q: want %s, got JSON %s", field, jsonKind(te.Type), te.Value)
	}
	return err
}

// jsonKind names the JSON shape a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a number"
	}
	return t.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
