package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/apischema"
)

// The decisions of a package generated for several MediaWiki versions
// (Options.Versions): which versions have each module, parameter and enum
// value, as the runtime needs (space-separated release series, kept only
// where not every version has the element), and what the docs say.

// mediaWikiVersions names the MediaWiki version(s) of the package for its
// header and docs: "1.39.17", or "1.39.17, 1.43.9".
func mediaWikiVersions(s *apischema.Schema, opt Options) string {
	if opt.Versions != nil {
		return strings.Join(opt.Versions.Releases, ", ")
	}
	return cmpOr(s.Wiki.MediaWikiVersion(), "unknown")
}

// versionsOf returns the release series of set, space-separated, when it
// is not all of within; "" otherwise, and for a package of one version.
func (b *builder) versionsOf(set, within apischema.VersionSet) string {
	if b.ver == nil || set&within == within || set&within == 0 {
		return ""
	}
	return strings.Join(b.ver.Names(set&within), " ")
}

func (b *builder) moduleVersions(mod *apischema.Module) string {
	if b.ver == nil {
		return ""
	}
	return b.versionsOf(b.ver.Module(mod.Path), b.ver.All())
}

func (b *builder) moduleVersionDoc(mod *apischema.Module) string {
	if b.ver == nil {
		return ""
	}
	if d := b.ver.Describe(b.ver.Module(mod.Path), b.ver.All()); d != "" {
		return "\n\n" + d + ": the client refuses it, before sending, on a wiki of another version."
	}
	return ""
}

// fieldVersions records which versions have the parameter and its enum's
// values, where not all of the module's do.
func (b *builder) fieldVersions(mod *apischema.Module, p *apischema.Param, f *field) {
	if b.ver == nil {
		return
	}
	within := b.ver.Module(mod.Path)
	f.versions = b.versionsOf(b.ver.Param(mod.Path, p.Name), within)
	if f.enum == nil {
		return
	}
	pset := b.ver.Param(mod.Path, p.Name)
	for i, v := range f.enum.values {
		vs := b.ver.Value(mod.Path, p.Name, v.value)
		if names := b.versionsOf(vs, pset); names != "" {
			f.enum.versions = append(f.enum.versions, v.value, names)
		}
		if d := b.ver.Describe(vs, pset); d != "" && vs != 0 {
			f.enum.values[i].doc = strings.TrimPrefix(v.doc+"\n"+d+".", "\n")
		}
	}
}

// paramVersionDoc is what a field's doc says about versions: since when,
// until when, where it is required, and a type that changed.
func (b *builder) paramVersionDoc(mod *apischema.Module, p *apischema.Param) string {
	if b.ver == nil {
		return ""
	}
	within := b.ver.Module(mod.Path)
	pset := b.ver.Param(mod.Path, p.Name)
	var notes []string
	if d := b.ver.Describe(pset, within); d != "" {
		notes = append(notes, d+".")
	}
	if req := b.ver.RequiredIn(mod.Path, p.Name); req != 0 && req != within {
		notes = append(notes, fmt.Sprintf("Required in MediaWiki %s, optional in %s: the client leaves that check to the wiki.",
			strings.Join(b.ver.Names(req), ", "), strings.Join(b.ver.Names(within&^req), ", ")))
	}
	if ts := b.ver.TypeChange(mod.Path, p.Name); ts != nil && !p.Type.IsEnum() {
		var parts []string
		for i, t := range ts {
			if t != "" {
				parts = append(parts, fmt.Sprintf("%s in MediaWiki %s", t, b.ver.Versions[i]))
			}
		}
		notes = append(notes, fmt.Sprintf("The type changed between versions (%s): it is a %s here, which serves all of them.",
			strings.Join(slices.Compact(parts), ", "), p.Type.Name))
	}
	if len(notes) == 0 {
		return ""
	}
	return "\n\n" + strings.Join(notes, "\n")
}
