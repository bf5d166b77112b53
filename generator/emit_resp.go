package generator

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
)

// respStructs writes the typed answer's structs of a module.
func (g *emitter) respStructs(f *jen.File, rm *respModel) {
	defer g.respEnums(f, rm)
	for _, st := range rm.structs {
		f.Line()
		f.Add(commentCode(st.doc))
		f.Type().Id(st.name).StructFunc(func(grp *jen.Group) {
			if st.root {
				grp.Qual(rt, "Envelope")
			}
			extra := func() {
				if !st.part {
					comment(grp, "Extra holds the keys the type has no field for, when the runtime.Client's\nOptions.Drift keeps them (see runtime.DriftMode); the raw body has them always.")
					grp.Id("Extra").Map(jen.String()).Qual("encoding/json", "RawMessage").Tag(map[string]string{"json": "-"})
				}
			}
			for i, fl := range st.fields {
				if i == st.extraAt {
					extra()
				}
				comment(grp, fl.doc)
				tag := map[string]string{}
				if fl.wire != "" {
					tag["json"] = fl.wire
				}
				if fl.required {
					tag["mw"] = "required"
				}
				if fl.typ.kind == rOpt && fl.wire != "" {
					// Unset is left out when the answer is marshaled again.
					tag["json"] = fl.wire + ",omitzero"
				}
				switch respKinds[fl.typ.kind].wrap {
				case rwEmbed:
					grp.Id(fl.typ.st.name).Tag(tag)
				case rwEmbedPtr:
					grp.Op("*").Id(fl.typ.st.name)
				default:
					grp.Id(fl.name).Add(g.respType(fl.typ, false)).Tag(tag)
				}
			}
			if st.extraAt >= len(st.fields) {
				extra()
			}
		})
	}
}

// respEnums writes the named string types of a module's answer and their
// constants.
func (g *emitter) respEnums(f *jen.File, rm *respModel) {
	for _, en := range rm.enums {
		f.Line()
		f.Add(commentCode(en.doc))
		f.Type().Id(en.name).String()
		f.Line()
		f.Comment(fmt.Sprintf("The values of %s.", en.name))
		f.Const().DefsFunc(func(grp *jen.Group) {
			for i, v := range en.values {
				grp.Id(en.consts[i]).Id(en.name).Op("=").Lit(v)
			}
		})
	}
}

// respType writes a field's Go type from its kind's entry; elem tells an
// element of a slice or map from a field.
func (g *emitter) respType(t *respType, elem bool) jen.Code {
	k := respKinds[t.kind]
	switch k.wrap {
	case rwLeaf:
		if k.qual == "" {
			return jen.Id(k.id)
		}
		return jen.Qual(k.qual, k.id)
	case rwSlice:
		return jen.Index().Add(g.respType(t.elem, true))
	case rwMap:
		return jen.Map(jen.String()).Add(g.respType(t.elem, true))
	case rwNamed:
		return jen.Id(t.enum.name)
	case rwOpt:
		return jen.Qual(rt, "Opt").Types(g.respType(t.elem, true))
	case rwStruct:
		if elem {
			return jen.Id(t.st.name)
		}
		return jen.Op("*").Id(t.st.name)
	}
	return g.bug("response type of kind %s as a field type", k.name)
}

// respMethod writes the Client method of a module with a typed answer.
func (g *emitter) respMethod(f *jen.File, ps *paramsStruct) {
	root := ps.resp.root.name
	doc := fmt.Sprintf("%s calls action=%s and decodes its answer. p may be nil when no parameter is needed.\nEvery problem with p is reported, as a *runtime.ValidationError, before anything is sent.", ps.method, ps.action)
	for _, fl := range ps.resp.fails {
		en := fl.enum
		doc += fmt.Sprintf("\n\nWhen the answer's %q is %s,\nthe action did not happen although the wiki sent no API error: %s returns\nthe answer and a *runtime.ResultError with the wiki's reason.", en.wire, quoteJoin(en.fails), ps.method)
	}
	body := []jen.Code{
		jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Id("out").Op(":=").New(jen.Id(root)),
		jen.If(jen.Err().Op(":=").Id("c").Dot("into").Call(jen.Id("ctx"), jen.Id("req"), jen.Id("out")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
	}
	for _, fl := range ps.resp.fails {
		sel := jen.Id("out")
		for _, fd := range fl.sel {
			if fd.typ.kind == rEmbed {
				sel = sel.Dot(fd.typ.st.name)
			} else {
				sel = sel.Dot(fd.name)
			}
		}
		var cases []jen.Code
		for i, v := range fl.enum.values {
			if slices.Contains(fl.enum.fails, v) {
				cases = append(cases, jen.Id(fl.enum.consts[i]))
			}
		}
		body = append(body, jen.Switch(sel.Clone()).Block(
			jen.Case(cases...).Block(jen.Return(jen.Id("out"), jen.Qual(rt, "NewResultError").Call(
				jen.Lit(ps.action), jen.Lit(fl.enum.wire), jen.String().Call(sel.Clone()), jen.Id("out").Dot("Raw").Call()))),
		))
	}
	body = append(body, jen.Return(jen.Id("out"), jen.Nil()))
	f.Add(commentCode(doc))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.method).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
	).Params(jen.Op("*").Id(root), jen.Error()).Block(body...)
	if ps.pagesMethod != "" {
		f.Line()
		f.Add(commentCode(fmt.Sprintf("%s calls action=%s and follows continuation, yielding one\ndecoded answer per batch until the wiki has no more, or until the loop stops.", ps.pagesMethod, ps.action)))
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(ps.pagesMethod).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(ps.name),
		).Qual("iter", "Seq2").Types(jen.Op("*").Id(root), jen.Error()).Block(
			jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("p").Dot("request").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(support, "FailAs").Types(jen.Op("*").Id(root)).Call(jen.Err()))),
			jen.Return(jen.Id("allInto").Call(jen.Id("c"), jen.Id("ctx"), jen.Id("req"), jen.Func().Params().Op("*").Id(root).Block(jen.Return(jen.New(jen.Id(root)))))),
		)
	}
}

// iterators writes the merged page iterator and the list item iterators.
func (g *emitter) iterators(f *jen.File) {
	pi := g.m.pages
	if pi == nil {
		return
	}
	f.Line()
	f.Add(commentCode(fmt.Sprintf("%s calls action=query, follows continuation, and yields each page once,\n"+
		"complete: a page's data that comes in several batches (its revisions in one,\n"+
		"its categories in the next) is merged, and the pages of a batch are yielded when\n"+
		"the answer says batchcomplete. At most one generator batch is held. Breaking out\n"+
		"of the loop stops the requests.", pi.method)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(pi.method).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(pi.params),
	).Qual("iter", "Seq2").Types(jen.Op("*").Id(pi.page), jen.Error()).Block(
		jen.Return(jen.Qual(support, "Pages").Call(
			jen.Id("c").Dot(pi.all).Call(jen.Id("ctx"), jen.Id("p")),
			jen.Func().Params(jen.Id("r").Op("*").Id(pi.resp)).Index().Id(pi.page).Block(jen.Return(jen.Id("r").Dot(pi.field))),
			jen.Func().Params(jen.Id("r").Op("*").Id(pi.resp)).Bool().Block(jen.Return(jen.Id("r").Dot("BatchComplete"))),
			jen.Func().Params(jen.Id("pg").Op("*").Id(pi.page)).String().Block(jen.Return(jen.Qual(support, "PageKey").Call(g.pageIDOf(pi), jen.Id("pg").Dot(pi.title)))),
		)),
	)
	for _, it := range g.m.items {
		f.Line()
		f.Add(commentCode(fmt.Sprintf("%s calls action=query with list=%s alone, follows continuation, and\n"+
			"yields each item. p may be nil. Breaking out of the loop stops the requests.", it.method, it.field)))
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(it.method).Params(
			jen.Id("ctx").Qual("context", "Context"), jen.Id("p").Op("*").Id(it.params),
		).Qual("iter", "Seq2").Types(jen.Op("*").Id(it.item), jen.Error()).Block(
			jen.If(jen.Id("p").Op("==").Nil()).Block(jen.Id("p").Op("=").Op("&").Id(it.params).Values()),
			jen.Id("q").Op(":=").Op("&").Id(pi.params).Values(),
			jen.Id("q").Dot(it.sel).Dot(it.choice).Op("=").Id("p"),
			jen.Return(jen.Qual(support, "Items").Call(
				jen.Id("c").Dot(pi.all).Call(jen.Id("ctx"), jen.Id("q")),
				jen.Func().Params(jen.Id("r").Op("*").Id(pi.resp)).Index().Id(it.item).Block(jen.Return(jen.Id("r").Dot(it.field))),
			)),
		)
	}
}

// pageIDOf is a page's id as PageKey takes it: 0 when it has none.
func (g *emitter) pageIDOf(pi *pagesIter) jen.Code {
	if pi.pageIDOpt {
		return jen.Id("pg").Dot(pi.pageID).Dot("Or").Call(jen.Lit(0))
	}
	return jen.Id("pg").Dot(pi.pageID)
}
