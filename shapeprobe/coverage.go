package shapeprobe

import (
	"fmt"
	"strings"

	"github.com/mwgen/mwgen/apischema"
)

// Coverage measures a shapes file against a schema.
type Coverage struct {
	// Modules in the schema, and those with a shape.
	Modules, Shaped int
	// ReadModules are the schema's modules that are neither write modules
	// nor formats; ReadShaped those of them with a shape.
	ReadModules, ReadShaped int
	// Pairs are the (module, control value) pairs paraminfo lists; Seen
	// those a single-value sample produced a shape for.
	Pairs, Seen int
	// Gaps are the shapes file's gaps.
	Gaps []apischema.Gap
}

// Measure compares shapes with schema (which may be nil: then only the
// shapes' own figures are known).
func Measure(schema *apischema.Schema, shapes *apischema.Shapes) Coverage {
	c := Coverage{Shaped: len(shapes.Modules), Gaps: shapes.Gaps}
	seen := map[string]bool{}
	shaped := map[string]bool{}
	for _, m := range shapes.Modules {
		shaped[m.Path] = true
		for _, ctl := range m.Controls {
			for _, v := range ctl.Values {
				seen[m.Path+" "+ctl.Param+"="+v] = true
			}
		}
	}
	if schema == nil {
		c.Seen = len(seen)
		return c
	}
	c.Modules = len(schema.Modules)
	c.Shaped = 0
	for _, m := range schema.Modules {
		read := !m.WriteRights && !m.MustBePosted && m.Group != "format" && m.Path != "main"
		if read {
			c.ReadModules++
		}
		if shaped[m.Path] {
			c.Shaped++
			if read {
				c.ReadShaped++
			}
		}
		for _, p := range controlParams(m) {
			for _, v := range p.Type.Values {
				c.Pairs++
				if seen[m.Path+" "+m.WireName(p)+"="+v] {
					c.Seen++
				}
			}
		}
	}
	return c
}

// Summary is the coverage in one line.
func (c Coverage) Summary() string {
	if c.Modules == 0 {
		return fmt.Sprintf("%d modules with a shape, %d prop values seen, %d gaps", c.Shaped, c.Seen, len(c.Gaps))
	}
	return fmt.Sprintf("%d/%d modules with a shape (%d/%d read modules), %d/%d prop values seen, %d gaps",
		c.Shaped, c.Modules, c.ReadShaped, c.ReadModules, c.Seen, c.Pairs, len(c.Gaps))
}

// Report is the coverage with every gap by name and reason.
func (c Coverage) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage: %s\n", c.Summary())
	if len(c.Gaps) > 0 {
		fmt.Fprintf(&b, "gaps:\n")
		for _, g := range c.Gaps {
			name := g.Module
			if g.Value != "" {
				name += " " + g.Value
			}
			fmt.Fprintf(&b, "  %-50s %s\n", name, g.Reason)
		}
	}
	return b.String()
}
