// Package version holds mwgen's version, shared by the CLI, the generator's
// file headers and the runtime's User-Agent.
package version

// Version is mwgen's release version. Generated files carry it, so it only
// changes with a release: golden files stay byte-stable between releases.
const Version = "0.1.0"

// UserAgent is the product token mwgen adds to every User-Agent it sends,
// as Wikimedia's User-Agent policy asks for.
const UserAgent = "mwgen/" + Version + " (+https://github.com/mwgen/mwgen)"
