package apischema

import (
	"encoding/json"
	"errors"
	"time"
)

// This file decodes the schema's types in one pass with the parser of
// fastjson.go: each module, parameter, example and info note is read
// once, its unknown fields kept verbatim as they go by. What it leaves to
// the slow path (errShape) is decoded as before, one module at a time.

// seen marks the known fields an object has had, to leave a duplicate
// one to the slow path (encoding/json merges a repeated array or map
// into the first).
type seen uint64

func (s *seen) mark(bit uint) error {
	if *s&(1<<bit) != 0 {
		return errShape
	}
	*s |= 1 << bit
	return nil
}

// moduleItem is one element of a module list: decoded by the fast path
// (m), or its raw bytes for the slow one.
type moduleItem struct {
	m   *Module
	raw []byte
}

// moduleList reads an array of modules; a module the fast path does not
// take is kept raw for the slow one.
func (p *parser) moduleList() ([]moduleItem, error) {
	var items []moduleItem
	err := p.array(func() error {
		start, depth := p.i, p.depth
		if p.ws() == '{' {
			m, err := p.module()
			if err == nil {
				items = append(items, moduleItem{m: m})
				return nil
			}
			if err != errShape {
				return err
			}
			p.i, p.depth = start, depth
		}
		raw, err := p.span()
		items = append(items, moduleItem{raw: raw})
		return err
	})
	return items, err
}

func (p *parser) module() (*Module, error) {
	m := &Module{}
	var have seen
	err := p.object(func(k string) (err error) {
		switch k {
		case "name":
			if err = have.mark(0); err == nil {
				m.Name, err = p.str()
			}
		case "classname":
			if err = have.mark(1); err == nil {
				m.ClassName, err = p.str()
			}
		case "path":
			if err = have.mark(2); err == nil {
				m.Path, err = p.str()
			}
		case "group":
			if err = have.mark(3); err == nil {
				m.Group, err = p.str()
			}
		case "prefix":
			if err = have.mark(4); err == nil {
				m.Prefix, err = p.str()
			}
		case "source":
			if err = have.mark(5); err == nil {
				m.Source, err = p.str()
			}
		case "sourcename":
			if err = have.mark(6); err == nil {
				m.SourceName, err = p.str()
			}
		case "licensetag":
			if err = have.mark(7); err == nil {
				m.LicenseTag, err = p.str()
			}
		case "licenselink":
			if err = have.mark(8); err == nil {
				m.LicenseLink, err = p.str()
			}
		case "readrights":
			if err = have.mark(9); err == nil {
				m.ReadRights, err = p.boolean()
			}
		case "writerights":
			if err = have.mark(10); err == nil {
				m.WriteRights, err = p.boolean()
			}
		case "mustbeposted":
			if err = have.mark(11); err == nil {
				m.MustBePosted, err = p.boolean()
			}
		case "generator":
			if err = have.mark(12); err == nil {
				m.Generator, err = p.boolean()
			}
		case "deprecated":
			if err = have.mark(13); err == nil {
				m.Deprecated, err = p.boolean()
			}
		case "internal":
			if err = have.mark(14); err == nil {
				m.Internal, err = p.boolean()
			}
		case "helpurls":
			if err = have.mark(15); err == nil {
				m.HelpURLs, err = p.strings()
			}
		case "description":
			if err = have.mark(16); err == nil {
				m.Description, err = p.str()
			}
		case "examples":
			if err = have.mark(17); err == nil {
				m.Examples, err = p.examples()
			}
		case "parameters":
			if err = have.mark(18); err == nil {
				m.Parameters, err = p.params()
			}
		case "templatedparameters":
			if err = have.mark(19); err == nil {
				m.TemplatedParameters, err = p.params()
			}
		case "dynamicparameters":
			if err = have.mark(20); err != nil {
				return err
			}
			switch p.ws() {
			case '"':
				m.DynamicParameters = true
				m.DynamicParametersHelp, err = p.stringLit()
			case 't', 'f':
				m.DynamicParameters, err = p.boolean()
			default:
				err = errShape
			}
		default:
			err = p.extra(&m.Extra, k, moduleKeys)
		}
		return err
	})
	return m, err
}

// extra reads the value of an unknown key into *extra, verbatim, unless
// encoding/json would take the key for a known one.
func (p *parser) extra(extra *map[string]json.RawMessage, k string, known []string) error {
	if clashes(k, known) {
		return errShape
	}
	v, err := p.raw()
	if err != nil {
		return err
	}
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	(*extra)[k] = v
	return nil
}

func (p *parser) params() ([]*Param, error) {
	out := []*Param{}
	err := p.array(func() error {
		q, err := p.param()
		out = append(out, q)
		return err
	})
	return out, err
}

func (p *parser) param() (*Param, error) {
	q := &Param{}
	var have seen
	intPtr := func(dst **int) error {
		n, err := p.integer()
		v := int(n)
		*dst = &v
		return err
	}
	int64Ptr := func(dst **int64) error {
		n, err := p.integer()
		*dst = &n
		return err
	}
	err := p.object(func(k string) (err error) {
		switch k {
		case "index":
			if err = have.mark(0); err == nil {
				var n int64
				n, err = p.integer()
				q.Index = int(n)
			}
		case "name":
			if err = have.mark(1); err == nil {
				q.Name, err = p.str()
			}
		case "type":
			if err = have.mark(2); err == nil {
				q.Type, err = p.paramType()
			}
		case "required":
			if err = have.mark(3); err == nil {
				q.Required, err = p.boolean()
			}
		case "multi":
			if err = have.mark(4); err == nil {
				q.Multi, err = p.boolean()
			}
		case "default":
			if err = have.mark(5); err == nil {
				var v Scalar
				v, err = p.scalar()
				q.Default = &v
			}
		case "deprecated":
			if err = have.mark(6); err == nil {
				q.Deprecated, err = p.boolean()
			}
		case "sensitive":
			if err = have.mark(7); err == nil {
				q.Sensitive, err = p.boolean()
			}
		case "tokentype":
			if err = have.mark(8); err == nil {
				q.TokenType, err = p.str()
			}
		case "limit":
			if err = have.mark(9); err == nil {
				err = intPtr(&q.Limit)
			}
		case "lowlimit":
			if err = have.mark(10); err == nil {
				err = intPtr(&q.LowLimit)
			}
		case "highlimit":
			if err = have.mark(11); err == nil {
				err = intPtr(&q.HighLimit)
			}
		case "min":
			if err = have.mark(12); err == nil {
				err = int64Ptr(&q.Min)
			}
		case "max":
			if err = have.mark(13); err == nil {
				err = int64Ptr(&q.Max)
			}
		case "highmax":
			if err = have.mark(14); err == nil {
				err = int64Ptr(&q.HighMax)
			}
		case "allspecifier":
			if err = have.mark(15); err == nil {
				q.AllSpecifier, err = p.str()
			}
		case "allowsduplicates":
			if err = have.mark(16); err == nil {
				q.AllowsDuplicates, err = p.boolean()
			}
		case "submodules":
			if err = have.mark(17); err == nil {
				q.Submodules, err = p.stringMap()
			}
		case "submoduleparamprefix":
			if err = have.mark(18); err == nil {
				q.SubmoduleParamPrefix, err = p.str()
			}
		case "deprecatedvalues":
			if err = have.mark(19); err == nil {
				q.DeprecatedValues, err = p.strings()
			}
		case "internalvalues":
			if err = have.mark(20); err == nil {
				q.InternalValues, err = p.strings()
			}
		case "templatevars":
			if err = have.mark(21); err == nil {
				q.TemplateVars, err = p.stringMap()
			}
		case "subtypes":
			if err = have.mark(22); err == nil {
				q.Subtypes, err = p.strings()
			}
		case "extranamespaces":
			if err = have.mark(23); err == nil {
				q.ExtraNamespaces, err = p.ints()
			}
		case "maxbytes":
			if err = have.mark(24); err == nil {
				err = intPtr(&q.MaxBytes)
			}
		case "maxchars":
			if err = have.mark(25); err == nil {
				err = intPtr(&q.MaxChars)
			}
		case "mustExist":
			if err = have.mark(26); err == nil {
				q.MustExist, err = p.boolean()
			}
		case "description":
			if err = have.mark(27); err == nil {
				q.Description, err = p.str()
			}
		case "info":
			if err = have.mark(28); err == nil {
				q.Info, err = p.infos()
			}
		default:
			err = p.extra(&q.Extra, k, paramKeys)
		}
		return err
	})
	return q, err
}

// paramType reads a type name or an array of enum values, as
// Type.UnmarshalJSON does; enums of numbers take the slow path.
func (p *parser) paramType() (Type, error) {
	switch p.ws() {
	case '"':
		name, err := p.stringLit()
		switch {
		case err != nil:
			return Type{}, err
		case name == "":
			return Type{}, errShape
		case name == TypeEnum:
			return Type{Name: TypeEnum, Values: []string{}}, nil
		}
		return Type{Name: name}, nil
	case '[':
		vals, err := p.strings()
		return Type{Name: TypeEnum, Values: vals}, err
	}
	return Type{}, errShape
}

func (p *parser) examples() ([]Example, error) {
	out := []Example{}
	err := p.array(func() error {
		var e Example
		var have seen
		err := p.object(func(k string) (err error) {
			switch k {
			case "query":
				if err = have.mark(0); err == nil {
					e.Query, err = p.str()
				}
			case "description":
				if err = have.mark(1); err == nil {
					e.Description, err = p.str()
				}
			default:
				err = p.extra(&e.Extra, k, exampleKeys)
			}
			return err
		})
		out = append(out, e)
		return err
	})
	return out, err
}

func (p *parser) infos() ([]Info, error) {
	out := []Info{}
	err := p.array(func() error {
		var in Info
		var have seen
		err := p.object(func(k string) (err error) {
			switch k {
			case "name":
				if err = have.mark(0); err == nil {
					in.Name, err = p.str()
				}
			case "text":
				if err = have.mark(1); err == nil {
					in.Text, err = p.str()
				}
			case "values":
				if err = have.mark(2); err != nil {
					return err
				}
				in.Values = []Scalar{}
				err = p.array(func() error {
					if p.ws() == '[' {
						return errShape
					}
					v, err := p.scalar()
					in.Values = append(in.Values, v)
					return err
				})
			default:
				err = p.extra(&in.Extra, k, infoKeys)
			}
			return err
		})
		out = append(out, in)
		return err
	})
	return out, err
}

// Top-level keys encoding/json reads into responseJSON and snapshotJSON:
// an unknown key that folds to one of them takes the slow path.
var (
	docKeys       = []string{"error", "errors", "fetched", "format", "hash", "helpformat", "modules", "paraminfo", "query", "wiki"}
	wikiKeys      = []string{"api", "generator", "lang", "server", "sitename", "wikiid"}
	paraminfoKeys = []string{"helpformat", "modules"}
)

// fastDoc is one document read by the fast path: a snapshot or a
// paraminfo answer. Anything else (siteinfo, errors, an unknown format)
// is left to the slow path.
type fastDoc struct {
	snapshot   bool
	wiki       Wiki
	fetched    string
	helpFormat string
	hash       string
	modules    []moduleItem
}

// readDoc reads the object at p.i as builder.add would, or fails with
// errShape for what it leaves to it.
func (p *parser) readDoc() (*fastDoc, error) {
	d := &fastDoc{}
	var have seen
	var topModules, piModules []moduleItem
	var format []byte
	var topHelp, piHelp string
	err := p.object(func(k string) (err error) {
		switch k {
		case "format":
			if err = have.mark(0); err == nil {
				format, err = p.span()
			}
		case "wiki":
			if err = have.mark(1); err == nil {
				d.wiki, err = p.wiki()
			}
		case "fetched":
			if err = have.mark(2); err == nil {
				d.fetched, err = p.str()
			}
		case "helpformat":
			if err = have.mark(3); err == nil {
				topHelp, err = p.str()
			}
		case "hash":
			if err = have.mark(4); err == nil {
				d.hash, err = p.str()
			}
		case "modules":
			if err = have.mark(5); err == nil {
				topModules, err = p.moduleList()
			}
		case "paraminfo":
			if err = have.mark(6); err == nil {
				piModules, err = p.paraminfo(&piHelp)
			}
		case "query", "error", "errors":
			return errShape
		default:
			if clashes(k, docKeys) {
				return errShape
			}
			err = p.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case format != nil:
		if string(format) != `"`+SnapshotFormat+`"` || have&(1<<6) != 0 || have&(1<<5) == 0 || d.hash == "" {
			return nil, errShape
		}
		d.snapshot = true
		d.helpFormat = topHelp
		d.modules = topModules
	case have&(1<<6) != 0:
		// An answer: the snapshot's keys mean nothing in it.
		d.wiki, d.fetched, d.hash = Wiki{}, "", ""
		d.modules = piModules
		d.helpFormat = piHelp
	default:
		return nil, errShape
	}
	return d, nil
}

// paraminfo reads the "paraminfo" member of an answer.
func (p *parser) paraminfo(helpFormat *string) ([]moduleItem, error) {
	var mods []moduleItem
	var inner seen
	err := p.object(func(k string) (err error) {
		switch k {
		case "helpformat":
			if err = inner.mark(0); err == nil {
				*helpFormat, err = p.str()
			}
		case "modules":
			if err = inner.mark(1); err == nil {
				if p.ws() != '[' {
					return errShape
				}
				mods, err = p.moduleList()
			}
		default:
			if clashes(k, paraminfoKeys) {
				return errShape
			}
			err = p.skip()
		}
		return err
	})
	if err == nil && inner&(1<<1) == 0 {
		err = errShape
	}
	return mods, err
}

func (p *parser) wiki() (Wiki, error) {
	var w Wiki
	var have seen
	err := p.object(func(k string) (err error) {
		var dst *string
		var bit uint
		switch k {
		case "api":
			dst, bit = &w.API, 0
		case "server":
			dst, bit = &w.Server, 1
		case "sitename":
			dst, bit = &w.SiteName, 2
		case "wikiid":
			dst, bit = &w.WikiID, 3
		case "generator":
			dst, bit = &w.Generator, 4
		case "lang":
			dst, bit = &w.Lang, 5
		default:
			if clashes(k, wikiKeys) {
				return errShape
			}
			return p.skip()
		}
		if err = have.mark(bit); err != nil {
			return err
		}
		*dst, err = p.str()
		return err
	})
	return w, err
}

// addFast adds a document read by the fast path, as add would.
func (b *builder) addFast(d *fastDoc) error {
	if d.snapshot {
		if b.anyModules {
			return errors.New("a snapshot cannot be combined with other schema documents")
		}
		var fetched time.Time
		if d.fetched != "" {
			t, err := time.Parse(time.RFC3339, d.fetched)
			if err != nil {
				return errShape // the slow path says why
			}
			fetched = t
		}
		s := b.schema
		s.Wiki = d.wiki
		s.HelpFormat = d.helpFormat
		if d.fetched != "" {
			s.FetchedAt = fetched
		}
		b.snapshotHash = d.hash
		return b.addModuleItems(d.modules)
	}
	if b.schema.HelpFormat == "" {
		b.schema.HelpFormat = d.helpFormat
	}
	return b.addModuleItems(d.modules)
}

// readFastDoc reads doc, which must be one JSON object and nothing else,
// with the fast path.
func readFastDoc(doc []byte) (*fastDoc, error) {
	p := newParser(doc)
	d, err := p.readDoc()
	if err != nil {
		return nil, err
	}
	if p.ws() != 0 || p.i != len(p.data) {
		return nil, errShape
	}
	return d, nil
}
