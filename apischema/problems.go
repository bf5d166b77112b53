package apischema

import (
	"fmt"
	"strings"
)

// Problems is every problem found in one input, reported together. Its
// Error text fits on one screen whatever the input: each kind of problem
// once, with its count and its first few places, one line each.
type Problems struct {
	List []Problem
}

// Problem is one thing wrong with an input.
type Problem struct {
	// Kind groups problems of one sort ("duplicate parameter").
	Kind string
	// Text says what is wrong and where, on one line:
	// `module "main": duplicate parameter "title" (entries 1 and 2)`.
	Text string
}

// Limits of Problems.Error: places shown per kind, kinds shown.
const (
	problemPlaces = 3
	problemKinds  = 5
)

func (p *Problems) add(kind, format string, args ...any) {
	p.List = append(p.List, Problem{Kind: kind, Text: oneLine(fmt.Sprintf(format, args...))})
}

// err returns p, or nil when it holds no problem.
func (p *Problems) err() error {
	if p == nil || len(p.List) == 0 {
		return nil
	}
	return p
}

// Error returns the one problem's text, or a summary: a count line, then
// per kind (in order of first appearance) its count and first places.
func (p *Problems) Error() string {
	if len(p.List) == 1 {
		return p.List[0].Text
	}
	var kinds []string
	byKind := map[string][]string{}
	for _, pr := range p.List {
		if _, ok := byKind[pr.Kind]; !ok {
			kinds = append(kinds, pr.Kind)
		}
		byKind[pr.Kind] = append(byKind[pr.Kind], pr.Text)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems", len(p.List))
	if len(kinds) > 1 {
		fmt.Fprintf(&b, " of %d kinds", len(kinds))
	}
	b.WriteByte(':')
	for i, k := range kinds {
		if i == problemKinds {
			rest := 0
			for _, k := range kinds[i:] {
				rest += len(byKind[k])
			}
			fmt.Fprintf(&b, "\n  ... and %d more problems of %d more kinds", rest, len(kinds)-i)
			break
		}
		texts := byKind[k]
		fmt.Fprintf(&b, "\n  %s (%d):", k, len(texts))
		for j, t := range texts {
			if j == problemPlaces {
				fmt.Fprintf(&b, "\n    ... and %d more", len(texts)-j)
				break
			}
			b.WriteString("\n    " + t)
		}
	}
	return b.String()
}

// oneLine replaces line breaks so that a message stays on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
