// Package naming turns MediaWiki names (module paths, parameter names, enum
// values) into Go identifiers. Every rule here is deterministic and pinned by
// tests (testdata/names.txt): changing the output for an existing input
// renames generated API, so it must never happen by accident.
//
// # Words
//
// MediaWiki names are mostly lower-case words run together ("filterredir",
// "includemissingtitles"), sometimes camel case ("includeMissingTitles"),
// sometimes joined by punctuation ("query+allpages", "fromtext-{slot}",
// "text/x-wiki", "0.10", "!minor"). Run-together lower-case words cannot be
// split without a dictionary, so a name is split into parts only
//
//   - at every rune that is not a letter or digit (unicode.IsLetter,
//     unicode.IsDigit); "_" counts as punctuation here, and so do invalid
//     UTF-8 bytes, and
//   - before an upper-case letter that follows a lower-case letter or a digit
//     ("includeMissingTitles" → include, Missing, Titles).
//
// Two runes carry meaning and become words of their own: "*" reads as "all"
// wherever it occurs ("*" → "All", "interwiki/*" → "InterwikiAll"), and each
// "!" at the very start of the name reads as "not", as in MediaWiki's filter
// values ("!bot" → "NotBot"). An "!" elsewhere is plain punctuation.
//
// Each part is then spelled:
//
//   - a part found in the table of compound words (ignoring case) becomes
//     those words: "pageids" → "PageIDs", "rcid" → "RCID", "revid" → "RevID".
//     The table is small and curated from frequent MediaWiki names ending in
//     id/ids; everything else stays one word ("newerthanrevid" →
//     "Newerthanrevid").
//   - a part that is a known initialism (ignoring case) is spelled the Go way:
//     "url" → "URL", "ids" → "IDs", "oauth" → "OAuth", "sha1" → "SHA1".
//     Only whole parts match: "apihighlimits" → "Apihighlimits", "rootUrl" →
//     "RootURL".
//   - any other part gets its first rune upper-cased and keeps the rest as
//     it is: "allpages" → "Allpages", "BrokenRedirects" → "BrokenRedirects".
//
// The spelled parts are concatenated, with one exception: two parts meeting
// digit to digit are joined by "_", so that "0.10" ("V0_10"), "01.0"
// ("V01_0") and "0.1.0" ("V0_1_0") stay distinct.
//
// # The first rune
//
// An exported identifier must start with an upper-case letter. Exported
// prefixes "V" to a name that starts with a digit ("0.10" → "V0_10", "3d" →
// "V3d") and "X" to a name that starts with a letter that has no upper case
// ("日本語" → "X日本語").
//
// # Degenerate names
//
// The empty name becomes "Empty". A name with no letters, digits, "*" or
// leading "!" becomes "X" followed by the lower-case hex of its
// bytes, so punctuation-only names stay distinct from each other: "??" →
// "X3f3f", "--" → "X2d2d", "_" → "X5f".
//
// # Collisions
//
// Different names may give the same identifier ("a-b" and "a_b" both give
// "AB"; "*" and "all" both give "All"). Assign resolves such collisions by a
// rule that looks only at the colliding items themselves, so adding an
// unrelated module, parameter or value never renames an existing identifier.
// Assign also keeps the names the generated code defines itself (which the
// generator passes as reserved) away from names derived from the wiki.
//
// # Stability across Go versions
//
// For ASCII input (every name MediaWiki core and its major extensions use)
// the output depends only on this package. For other input it also depends
// on the Unicode tables of the Go release that runs the generator.
package naming
