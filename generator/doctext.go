package generator

import (
	"html"
	"regexp"
	"strings"

	"github.com/mwgen/mwgen/generator/naming"
)

// Help text arrives as wikitext (helpformat=wikitext). docText turns it into
// plain text for Go doc comments: links keep their label, markup is dropped,
// entities are decoded, and what could break a comment is neutralised.
var (
	reInternalLink = regexp.MustCompile(`\[\[(?:[^|\]]*\|)?([^\]]*)\]\]`)
	reExternalLink = regexp.MustCompile(`\[(https?://[^\s\]]+)(?:\s+([^\]]*))?\]`)
	reTag          = regexp.MustCompile(`</?(?:var|kbd|code|samp|span|div|p|b|i|em|strong|small|big|tt|nowiki|ul|ol|li|dl|dt|dd|br|abbr)\b[^>]*>`)
	reBoldItalic   = regexp.MustCompile(`'{2,}`)
	reBlankLines   = regexp.MustCompile(`\n{3,}`)
)

func docText(wikitext string) string {
	s := wikitext
	s = reInternalLink.ReplaceAllString(s, "$1")
	s = reExternalLink.ReplaceAllStringFunc(s, func(m string) string {
		parts := reExternalLink.FindStringSubmatch(m)
		if parts[2] != "" {
			return parts[2] + " (" + parts[1] + ")"
		}
		return parts[1]
	})
	s = reTag.ReplaceAllString(s, "")
	s = reBoldItalic.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = naming.CommentSafe(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	s = reBlankLines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
