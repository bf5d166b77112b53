package oauth

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// This file computes the signature base string exactly as MediaWiki's
// Extension:OAuth does (MWOAuthRequest::fromRequest, Lib/OAuthRequest.php,
// Lib/OAuthUtil.php), which differs from RFC 5849 and from
// dghubble/oauth1's own collectParameters/signatureBase:
//
//   - The base URL is $wgServer (the wiki's canonical server) followed by the
//     request path as sent (REQUEST_URI without the query), normalized to
//     scheme://lowercasehost[:port]/path, the port dropped only when it is
//     the scheme's default (443 for https, 80 for http).
//   - Parameters come from, later sources overriding earlier ones key by key:
//     1. the raw query string, parsed by OAuthUtil::parse_parameters
//     (split on "&", then on the first "=", PHP urldecode: "+" is a space,
//     invalid "%" sequences stay as they are, an empty pair "a&&b" is the
//     key "" with the value "", a repeated key collects all its values);
//     2. PHP's $_GET, in which a repeated key has only its last value, so
//     a repeated query key is signed once, with its last value;
//     3. the raw body, parsed by parse_parameters (repeated keys keep all
//     their values), only for a POST whose Content-Type starts with
//     "application/x-www-form-urlencoded" (case-sensitive prefix test);
//     4. the oauth_* parameters of the Authorization header.
//   - oauth_signature is dropped; keys and values are encoded with
//     rawurlencode ("~" unescaped, i.e. RFC 3986, as oauth1.PercentEncode),
//     sorted by key and then by value, and joined.
//
// The encoder is our own (a table, one pass, appending into one buffer),
// byte for byte oauth1.PercentEncode (TestPercentEncodeMatchesDghubble,
// FuzzPercentEncode), which spends a fmt.Sprintf on every escaped byte;
// baseString is checked against the straightforward implementation it
// replaced (reference_test.go, FuzzBaseString).
//
// Query keys that PHP renames in $_GET ("a.b" and "a b" become "a_b",
// "a[]" becomes the array "a") end up signed under two names on the server,
// and numeric keys ("5") are renumbered by PHP's array_merge; requests with
// such keys cannot be signed and are refused with an error.

// pair is one parameter: a name and a value.
type pair struct{ k, v string }

// BaseString returns the signature base string MediaWiki computes for a
// request, for tests and debugging. It is a pure function of its arguments:
//
//   - method is the HTTP method as sent ("" means GET);
//   - rawURL is the request URL with its query string exactly as sent;
//   - server is the wiki's canonical server ($wgServer, e.g.
//     "https://en.wikipedia.org" or protocol-relative "//en.wikipedia.org");
//     empty means rawURL's scheme and host;
//   - contentType and body are the request's Content-Type and raw body; the
//     body counts only for a POST whose contentType starts with
//     "application/x-www-form-urlencoded";
//   - oauthParams are the oauth_* parameters of the Authorization header
//     (oauth_signature, if present, is ignored).
//
// For example:
//
//	base, err := oauth.BaseString("GET",
//		"https://en.wikipedia.org/w/api.php?action=query&meta=userinfo",
//		"https://en.wikipedia.org", "", nil, map[string]string{
//			"oauth_consumer_key": "key", "oauth_token": "token",
//			"oauth_nonce": "n", "oauth_timestamp": "1700000000",
//			"oauth_signature_method": "HMAC-SHA1", "oauth_version": "1.0",
//		})
func BaseString(method, rawURL, server, contentType string, body []byte, oauthParams map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("oauth: parsing request URL: %w", err)
	}
	bu, err := baseStringURI(u, server)
	if err != nil {
		return "", err
	}
	op := make([]pair, 0, len(oauthParams))
	for k, v := range oauthParams {
		op = append(op, pair{k, v})
	}
	signBody := signsBody(method, contentType)
	if !signBody {
		body = nil
	}
	base, err := baseString(method, bu, u.RawQuery, body, signBody, op)
	return string(base), err
}

// signsBody reports whether MediaWiki includes the body of a request with
// this method and Content-Type in the signature: WebRequest::wasPosted()
// (REQUEST_METHOD === 'POST') and strpos($contentType,
// 'application/x-www-form-urlencoded') === 0.
func signsBody(method, contentType string) bool {
	return method == "POST" && strings.HasPrefix(contentType, "application/x-www-form-urlencoded")
}

// baseURI is the normalized base URL in parts, so that it is encoded
// without being assembled first: scheme://host[:port]path, the host in
// brackets when ipv6.
type baseURI struct {
	scheme, host, port, path string
	ipv6                     bool
}

// String assembles the base URL.
func (b baseURI) String() string {
	host := b.host
	if b.ipv6 {
		host = "[" + host + "]"
	}
	if b.port != "" {
		host += ":" + b.port
	}
	return b.scheme + "://" + host + b.path
}

// appendEncoded appends the base URL, percent-encoded (RFC 3986).
func (b baseURI) appendEncoded(dst []byte) []byte {
	dst = appendPercentEncoded(dst, b.scheme)
	dst = append(dst, "%3A%2F%2F"...)
	if b.ipv6 {
		dst = append(dst, "%5B"...)
	}
	dst = appendPercentEncoded(dst, b.host)
	if b.ipv6 {
		dst = append(dst, "%5D"...)
	}
	if b.port != "" {
		dst = append(dst, "%3A"...)
		dst = appendPercentEncoded(dst, b.port)
	}
	return appendPercentEncoded(dst, b.path)
}

// encodedLen is the length of appendEncoded's output.
func (b baseURI) encodedLen() int {
	n := encodedLen(b.scheme) + len("%3A%2F%2F") + encodedLen(b.host) + encodedLen(b.path)
	if b.ipv6 {
		n += len("%5B%5D")
	}
	if b.port != "" {
		n += len("%3A") + encodedLen(b.port)
	}
	return n
}

// baseStringURI returns the normalized base URL: the scheme and host of
// server (or of u when server is empty; a protocol-relative server takes
// u's scheme) and the path of u as it is sent on the wire.
func baseStringURI(u *url.URL, server string) (baseURI, error) {
	scheme, host, port := u.Scheme, u.Hostname(), u.Port()
	if server != "" {
		s, h, p, err := parseServer(server)
		if err != nil {
			return baseURI{}, err
		}
		if s != "" {
			scheme = s
		}
		host, port = h, p
	}
	if scheme == "" || host == "" {
		return baseURI{}, errors.New("oauth: request URL has no scheme or host and no Server is set")
	}
	b := baseURI{scheme: asciiLower(scheme), host: asciiLower(host)}
	b.ipv6 = strings.IndexByte(b.host, ':') >= 0
	if port != "" && !(b.scheme == "https" && port == "443") && !(b.scheme == "http" && port == "80") {
		b.port = port
	}
	b.path = requestPath(u)
	return b, nil
}

// uriMemo is a base URL percent-encoded, and the fields of the request
// URL and the Server it was computed from (baseStringURI reads no
// others).
type uriMemo struct {
	server, scheme, host, opaque, path, rawPath string
	encoded                                     string
}

// lastURI is the last base URL a Signer encoded: a client sends most of
// its requests to one api.php, and then the base URL is not normalized
// and encoded again for every one. It holds no secret.
var lastURI atomic.Pointer[uriMemo]

// encodedBaseStringURI is baseStringURI percent-encoded, through lastURI.
func encodedBaseStringURI(u *url.URL, server string) (string, error) {
	if m := lastURI.Load(); m != nil && m.server == server && m.scheme == u.Scheme && m.host == u.Host &&
		m.opaque == u.Opaque && m.path == u.Path && m.rawPath == u.RawPath {
		return m.encoded, nil
	}
	bu, err := baseStringURI(u, server)
	if err != nil {
		return "", err
	}
	m := &uriMemo{server, u.Scheme, u.Host, u.Opaque, u.Path, u.RawPath, string(bu.appendEncoded(nil))}
	lastURI.Store(m)
	return m.encoded, nil
}

// requestPath is the path of u exactly as net/http puts it on the request
// line: u.RequestURI() up to the query, without building the query.
func requestPath(u *url.URL) string {
	p := u.Opaque
	if p == "" {
		p = u.EscapedPath()
		if p == "" {
			p = "/"
		}
	} else if strings.HasPrefix(p, "//") {
		p = u.Scheme + ":" + p
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// parseServer returns the scheme (empty when protocol-relative), host and
// port of a canonical server, which must be scheme and host only. The
// common "https://host[:port][/]" is split without url.Parse (one
// allocation less on every request); anything else goes through it.
func parseServer(server string) (scheme, host, port string, err error) {
	if scheme, host, port, ok := simpleServer(server); ok {
		return scheme, host, port, nil
	}
	s, err := url.Parse(server)
	if err != nil {
		return "", "", "", fmt.Errorf("oauth: parsing Server %q: %w", server, err)
	}
	if s.Host == "" || (s.Path != "" && s.Path != "/") || s.RawQuery != "" || s.Fragment != "" || s.User != nil {
		return "", "", "", fmt.Errorf("oauth: Server %q is not a canonical server like \"https://en.wikipedia.org\" (scheme and host only)", server)
	}
	return s.Scheme, s.Hostname(), s.Port(), nil
}

// simpleServer splits "[scheme:]//host[:port][/]" when scheme is
// [A-Za-z][A-Za-z0-9+.-]*, host is letters, digits, "." and "-", and port
// one or more digits: strings on which url.Parse cannot fail and
// Hostname and Port give exactly these parts. ok is false for anything
// else.
func simpleServer(s string) (scheme, host, port string, ok bool) {
	rest := s
	if i := strings.Index(s, "//"); i > 1 && s[i-1] == ':' {
		scheme = s[:i-1]
		if !isSchemeStart(scheme[0]) {
			return "", "", "", false
		}
		for j := 1; j < len(scheme); j++ {
			if c := scheme[j]; !isSchemeStart(c) && !('0' <= c && c <= '9') && c != '+' && c != '.' && c != '-' {
				return "", "", "", false
			}
		}
		rest = s[i:]
	}
	rest, ok = strings.CutPrefix(rest, "//")
	if !ok {
		return "", "", "", false
	}
	rest = strings.TrimSuffix(rest, "/")
	host, port, hasPort := strings.Cut(rest, ":")
	if host == "" || (hasPort && port == "") {
		return "", "", "", false
	}
	for j := 0; j < len(host); j++ {
		if c := host[j]; !isSchemeStart(c) && !('0' <= c && c <= '9') && c != '.' && c != '-' {
			return "", "", "", false
		}
	}
	for j := 0; j < len(port); j++ {
		if c := port[j]; c < '0' || c > '9' {
			return "", "", "", false
		}
	}
	return scheme, host, port, true
}

func isSchemeStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// Where a parameter of the base string comes from.
const (
	fromQuery = iota
	fromForm
	fromOAuth
)

// param is one parameter of the base string, as offsets into the arena
// that holds it encoded twice: the name at [k0, k1), "%3D", the value at
// [k1+3, v1), "%26". The whole of [k0, v1+3) is what the base string
// holds of it, separator included, so that it is copied at once.
type param struct {
	// pre is the first 8 bytes of the encoded name, big-endian and
	// zero-padded: comparing it orders most names without reading them
	// (encoded names have no zero byte, so padding sorts first, as
	// bytes.Compare does).
	pre        uint64
	k0, k1, v1 int
	// idx is the position among the query parameters.
	idx  int
	src  uint8
	keep bool
}

// sortKey orders a parameter: its prefix and its index in the list.
type sortKey struct {
	pre uint64
	i   int
}

// scratch is the working memory of one base string: the arena (the
// parameters encoded, then the base string itself) and the parameters'
// records. It is pooled: a signature allocates none of it once the pool
// holds a scratch large enough. A scratch is used by one goroutine at a
// time, between scratches.Get and putScratch; nothing that outlives the
// signature points into it.
type scratch struct {
	buf  []byte
	ps   []param
	keys []sortKey
	// body is for a request body read through GetBody.
	body []byte
	// nt is for the nonce and the timestamp.
	nt []byte
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledArena bounds the arenas kept in the pool: a very large body
// is encoded into an arena that is then left to the garbage collector.
const maxPooledArena = 256 << 10

func getScratch() *scratch { return scratches.Get().(*scratch) }

func putScratch(sc *scratch) {
	if cap(sc.buf) > maxPooledArena {
		sc.buf = nil
	}
	if cap(sc.body) > maxPooledArena {
		sc.body = nil
	}
	if cap(sc.ps) > 1024 {
		sc.ps, sc.keys = nil, nil
	}
	scratches.Put(sc)
}

// baseString computes METHOD&url&params per MediaWiki. oauth holds the
// header parameters (oauth_signature is dropped, if there). body counts
// only when signBody. The result is a new slice.
func baseString[B ~string | ~[]byte](method string, bu baseURI, rawQuery string, body B, signBody bool, oauth []pair) ([]byte, error) {
	sc := getScratch()
	defer putScratch(sc)
	base, err := sc.baseString(method, string(bu.appendEncoded(nil)), rawQuery, []byte(body), signBody, oauth)
	if err != nil {
		return nil, err
	}
	return slices.Clone(base), nil
}

// baseString is the package's baseString into sc, with the base URL
// given percent-encoded: the result points into sc's arena and is valid
// until sc is used again or put back.
//
// Parameters are held encoded twice, as the base string holds them
// (encode(key) "=" encode(value), the whole encoded again): that sorts
// them as encoded once would (a "%" is still a "%", only followed by
// "25"), and leaves the base string to be copied together.
//
// It decodes every query and body parameter and percent-encodes it in the
// same pass (a table lookup and one 8-byte store a byte), into the arena
// (parseParams); appends the oauth_* ones (addPairs, or a Signer's own
// ones at once, addOwn); sorts (prefix, index) pairs; applies PHP's rules
// of which parameter wins; and copies the parameters kept, in order,
// after the method and URL, into the same arena (finish).
func (sc *scratch) baseString(method, encURL string, rawQuery string, body []byte, signBody bool, oauth []pair) ([]byte, error) {
	if err := sc.parseParams(rawQuery, body, signBody, pairsRoom(oauth)); err != nil {
		return nil, err
	}
	sc.addPairs(oauth)
	return sc.finish(method, encURL), nil
}

// pairsRoom bounds what addPairs appends for oauth.
func pairsRoom(oauth []pair) int {
	n := 0
	for _, p := range oauth {
		n += 5*(len(p.k)+len(p.v)) + 6
	}
	return n
}

// parseParams starts a base string in sc: the query's parameters and, when
// signBody, the body's, encoded twice into the arena, with room for room
// bytes more (and the 8 bytes beyond that the encoders store into).
func (sc *scratch) parseParams(rawQuery string, body []byte, signBody bool, room int) error {
	if !signBody {
		body = nil
	}
	// Room for every part encoded (bounded without a pass for the short
	// query and body of most requests).
	need := arenaBound(rawQuery) + arenaBound(body) + 8 + room
	arena := slices.Grow(sc.buf[:0], need)
	ps := sc.ps[:0]
	var err error
	if arena, ps, err = parseInto(arena, ps, rawQuery, fromQuery); err == nil {
		arena, ps, err = parseInto(arena, ps, body, fromForm)
	}
	sc.buf, sc.ps = arena, ps
	return err
}

// hasOAuthName reports whether a query or body parameter parsed into sc
// has a name that starts with "oauth_" (encoded or not: "oauth_" is
// unreserved). Only those names can sort among, or be, a Signer's own
// oauth_* parameters, all of which start with it.
func (sc *scratch) hasOAuthName() bool {
	for i := range sc.ps {
		if p := &sc.ps[i]; p.k1-p.k0 >= len("oauth_") && string(sc.buf[p.k0:p.k0+len("oauth_")]) == "oauth_" {
			return true
		}
	}
	return false
}

// addPairs appends the oauth_* header parameters oauth, encoded twice, to
// the parameters in sc (which has room for them, see pairsRoom).
func (sc *scratch) addPairs(oauth []pair) {
	arena, ps := sc.buf, sc.ps
	d := arena[:cap(arena)]
	j := len(arena)
	for _, p := range oauth {
		q := param{src: fromOAuth, k0: j}
		j = encodeInto(d, j, p.k, &twiceTable)
		q.k1 = j
		j = put3(d, j, "%3D")
		j = encodeInto(d, j, p.v, &twiceTable)
		q.v1 = j
		j = put3(d, j, "%26")
		ps = append(ps, q)
	}
	sc.buf, sc.ps = arena[:j], ps
}

// finish sorts the parameters in sc, keeps those MediaWiki signs and
// returns METHOD&url&params, in sc's arena.
func (sc *scratch) finish(method, encURL string) []byte {
	if method == "" {
		method = "GET"
	}
	arena, ps := sc.buf, sc.ps

	// Sorted through (prefix, index) pairs, by insertion for the few
	// dozen parameters of a request: the prefix decides most comparisons,
	// and 16-byte pairs move faster than parameters.
	keys := sc.keys[:0]
	for i := range ps {
		p := &ps[i]
		p.pre = prefix(arena, p.k0, p.k1)
		keys = append(keys, sortKey{p.pre, i})
	}
	compare := func(a, b sortKey) int {
		if a.pre != b.pre {
			return cmp.Compare(a.pre, b.pre)
		}
		pa, pb := &ps[a.i], &ps[b.i]
		if c := bytes.Compare(arena[pa.k0:pa.k1], arena[pb.k0:pb.k1]); c != 0 {
			return c
		}
		return bytes.Compare(arena[pa.k1+3:pa.v1], arena[pb.k1+3:pb.v1])
	}
	if len(keys) <= 64 {
		// Each key moves up past the larger ones before it.
		for i := 1; i < len(keys); i++ {
			x := keys[i]
			j := i
			for ; j > 0 && (x.pre < keys[j-1].pre || x.pre == keys[j-1].pre && compare(x, keys[j-1]) < 0); j-- {
				keys[j] = keys[j-1]
			}
			keys[j] = x
		}
	} else {
		slices.SortFunc(keys, compare)
	}
	sc.ps, sc.keys = ps, keys

	upper := asciiUpper(method)
	o := len(arena)
	// At most every parameter is kept, and the arena holds each once.
	arena = slices.Grow(arena, encodedLen(upper)+1+len(encURL)+1+len(arena))
	arena = appendPercentEncoded(arena, upper)
	arena = append(arena, '&')
	arena = append(arena, encURL...)
	arena = append(arena, '&')
	params := len(arena)

	// Most requests repeat no name. Then, when no two prefixes are
	// equal (so no two names), every parameter is kept but
	// oauth_signature.
	distinct := true
	for i := 1; i < len(keys) && distinct; i++ {
		distinct = keys[i].pre != keys[i-1].pre
	}
	if distinct {
		for _, k := range keys {
			p := &ps[k.i]
			if k.pre == signaturePrefix && string(arena[p.k0:p.k1]) == "oauth_signature" {
				continue
			}
			arena = append(arena, arena[p.k0:p.v1+3]...)
		}
	} else {
		sc.keep(arena)
		for _, k := range keys {
			if p := &ps[k.i]; p.keep {
				arena = append(arena, arena[p.k0:p.v1+3]...)
			}
		}
	}
	if len(arena) > params {
		arena = arena[:len(arena)-len("%26")] // none after the last
	}
	sc.buf = arena
	return arena[o:]
}

// signaturePrefix is the prefix of "oauth_signature".
var signaturePrefix = binary.BigEndian.Uint64([]byte("oauth_signature"))

// keep marks the parameters MediaWiki signs, key by key (equal keys are
// adjacent in sc.keys): an oauth_* header parameter overrides the body
// and the query, a body parameter the query; of a repeated query key
// only the last value counts ($_GET), but PHP does not register an empty
// name in $_GET, so every raw "&&" pair stays. oauth_signature never.
func (sc *scratch) keep(arena []byte) {
	ps, keys := sc.ps, sc.keys
	for i := 0; i < len(keys); {
		first := &ps[keys[i].i]
		k := arena[first.k0:first.k1]
		j := i + 1
		for j < len(keys) && keys[j].pre == keys[i].pre && bytes.Equal(arena[ps[keys[j].i].k0:ps[keys[j].i].k1], k) {
			j++
		}
		group := keys[i:j]
		i = j
		if string(k) == "oauth_signature" {
			for _, g := range group {
				ps[g.i].keep = false
			}
			continue
		}
		var hasOAuth, hasForm bool
		lastQuery := -1
		for _, g := range group {
			switch p := &ps[g.i]; p.src {
			case fromOAuth:
				hasOAuth = true
			case fromForm:
				hasForm = true
			default:
				lastQuery = max(lastQuery, p.idx)
			}
		}
		for _, g := range group {
			p := &ps[g.i]
			switch p.src {
			case fromOAuth:
				p.keep = true
			case fromForm:
				p.keep = !hasOAuth
			default:
				p.keep = !hasOAuth && !hasForm && (len(k) == 0 || p.idx == lastQuery)
			}
		}
	}
}

// arenaBound bounds what parseInto appends for s: at most 5 bytes a raw
// byte ("+" and "%XX" become "%25XX", any other escaped byte too), 6 a
// parameter ("%3D", "%26"). A long s is counted exactly instead, so that
// its arena is not 11 times its size.
func arenaBound[S ~string | ~[]byte](s S) int {
	if len(s) == 0 {
		return 0
	}
	if len(s) <= 4096 {
		return 11*len(s) + 6
	}
	return decodedEncodedTwiceLen(s) + 6*(countByte(s, '&')+1)
}

// parseInto is OAuthUtil::parse_parameters without the grouping: it splits
// s on "&", then each part on its first "=", PHP-urldecodes both halves
// and appends them percent-encoded twice to arena (which has room, see
// arenaBound), and their offsets to ps. An empty s has no pairs (PHP's
// !$input, which is also true for "0"). It refuses the names MediaWiki
// cannot sign: for the query those PHP renames or renumbers in $_GET, for
// the body numeric ones.
func parseInto[S ~string | ~[]byte](arena []byte, ps []param, s S, src uint8) ([]byte, []param, error) {
	if len(s) == 0 || (len(s) == 1 && s[0] == '0') {
		return arena, ps, nil
	}
	d := arena[:cap(arena)]
	j := len(arena)
	for idx, i := 0, 0; i <= len(s); idx++ {
		// One pass over the name up to "=" or "&", one over the value
		// up to "&": decoded and encoded as they are scanned.
		start := i
		p := param{src: src, idx: idx, k0: j}
		j, i = transcode(d, j, s, i, &rawNameTwice, &twiceTable)
		p.k1 = j
		key := d[p.k0:p.k1]
		if src == fromQuery && renamesKey(key) {
			return arena[:j], ps, fmt.Errorf("oauth: query parameter name %q cannot be signed for MediaWiki: PHP renames it in $_GET (use \"|\" or U+001F for multi-values, never name[])", phpURLDecode(string(s[start:i])))
		}
		// Digits and "-" are unreserved: the encoded name is numeric
		// exactly when the decoded one is.
		if isPHPIntKey(key) {
			if src == fromQuery {
				return arena[:j], ps, fmt.Errorf("oauth: query parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", phpURLDecode(string(s[start:i])))
			}
			return arena[:j], ps, fmt.Errorf("oauth: body parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", phpURLDecode(string(s[start:i])))
		}
		j = put3(d, j, "%3D")
		if i < len(s) && s[i] == '=' {
			j, i = transcode(d, j, s, i+1, &rawValueTwice, &twiceTable)
		}
		p.v1 = j
		j = put3(d, j, "%26")
		ps = append(ps, p)
		i++ // past the "&" (or the end)
	}
	return arena[:j], ps, nil
}

// renamesKey reports whether a query name, encoded twice, has a byte
// that makes PHP rename it in $_GET: ".", " ", "[" or NUL, i.e. ".",
// "%2520", "%255B" or "%2500" (every "%" of a name encoded twice is
// "%25" and the two hex digits of an escaped byte).
func renamesKey(k []byte) bool {
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '.':
			return true
		case '%':
			if h := string(k[i+3 : i+5]); h == "20" || h == "5B" || h == "00" {
				return true
			}
			i += 4
		}
	}
	return false
}

// put3 writes a 3-byte separator at d[j:] (d has room).
func put3(d []byte, j int, sep string) int {
	_ = d[j+2]
	d[j], d[j+1], d[j+2] = sep[0], sep[1], sep[2]
	return j + 3
}

// prefix returns the first 8 bytes of arena[k0:k1] as a big-endian
// number, zero-padded. The arena has room for 8 bytes after k0 (what
// follows the name is masked off).
func prefix(arena []byte, k0, k1 int) uint64 {
	p := binary.BigEndian.Uint64(arena[k0 : k0+8])
	if n := k1 - k0; n < 8 {
		p &= ^uint64(0) << (8 * (8 - n))
	}
	return p
}

func countByte[S ~string | ~[]byte](s S, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

// An encTable gives, for every byte, what an encoder writes for it: up
// to 5 bytes, the first in the lowest byte of the entry, and their count
// in the highest. A count of 0 marks a byte the encoder stops at ("%" to
// decode, or a separator). One 8-byte store writes any entry; the
// buffers have 8 bytes of room beyond what is written.
type encTable [256]uint64

// entry packs the bytes of s into an encTable entry.
func entry(s string) uint64 {
	var e uint64
	for i := len(s) - 1; i >= 0; i-- {
		e = e<<8 | uint64(s[i])
	}
	return e | uint64(len(s))<<56
}

// encodingTables returns the tables of percent-encoding (once or
// twice): enc for decoded bytes; for raw bytes, in which "+" is a space
// and "%" starts an escape, whole for a string decoded as a whole, value
// for a parameter's value (which ends at "&"), name for its name (at "&"
// or "=").
func encodingTables(twice bool) (enc, whole, value, name encTable) {
	for c := range 256 {
		switch {
		case unreservedSet[c]:
			enc[c] = entry(string([]byte{byte(c)}))
		case twice:
			enc[c] = entry(string([]byte{'%', '2', '5', upperHex[c>>4], upperHex[c&0xF]}))
		default:
			enc[c] = entry(string([]byte{'%', upperHex[c>>4], upperHex[c&0xF]}))
		}
	}
	whole = enc
	whole['+'] = enc[' ']
	whole['%'] = 0
	value = whole
	value['&'] = 0
	name = value
	name['='] = 0
	return enc, whole, value, name
}

var (
	twiceTable, rawWholeTwice, rawValueTwice, rawNameTwice = encodingTables(true)
	onceTable, rawWholeOnce, _, _                          = encodingTables(false)
)

// hexValue[c] is the value of the hex digit c, 0xFF for other bytes.
var hexValue = func() (t [256]uint8) {
	for c := range 256 {
		t[c] = 0xFF
		if isHex(byte(c)) {
			t[c] = unhex(byte(c))
		}
	}
	return t
}()

// transcode writes to d from j the encoding of the PHP-urldecoded s[i:]
// up to the first byte raw marks (other than "%", which it decodes):
// raw bytes by raw, decoded "%XX" and "%" that starts no escape by enc.
// It returns the new j and the index of that byte (or len(s)). A "%XX"
// never spans a separator, which is no hex digit. d must have room for 5
// bytes a byte of s, and 8 more.
//
// Unreserved bytes, most of most parameters, are copied one by one (in
// form bodies, where a "+" comes every few bytes, that beats finding
// runs and copying them); the others are one 8-byte store of their
// table entry.
func transcode[S ~string | ~[]byte](d []byte, j int, s S, i int, raw, enc *encTable) (int, int) {
	for i < len(s) {
		c := s[i]
		if unreservedSet[c] {
			d[j] = c
			j++
			i++
			continue
		}
		e := raw[c]
		if e>>56 == 0 {
			if c != '%' {
				break
			}
			if i+2 < len(s) && hexValue[s[i+1]]|hexValue[s[i+2]] < 16 {
				e = enc[hexValue[s[i+1]]<<4|hexValue[s[i+2]]]
				i += 2
			} else {
				e = enc['%']
			}
		}
		i++
		binary.LittleEndian.PutUint64(d[j:], e)
		j += int(e >> 56)
	}
	return j, i
}

// unreserved8[c] is 1 for an unreserved byte, 0 for others: 8 of them
// and-ed test 8 bytes with one branch.
var unreserved8 = func() (t [256]uint8) {
	for c := range 256 {
		if unreservedSet[c] {
			t[c] = 1
		}
	}
	return t
}()

// encodeInto writes s encoded by enc to d from j and returns the new j
// (d has room for 5 bytes a byte of s, and 8 more). Runs of unreserved
// bytes (all of a nonce, a timestamp, a hex key) are found first, 8
// bytes a step, and copied at once.
func encodeInto[S ~string | ~[]byte](d []byte, j int, s S, enc *encTable) int {
	for i := 0; i < len(s); i++ {
		k := i
		for k+8 <= len(s) {
			c := s[k : k+8]
			if unreserved8[c[0]]&unreserved8[c[1]]&unreserved8[c[2]]&unreserved8[c[3]]&
				unreserved8[c[4]]&unreserved8[c[5]]&unreserved8[c[6]]&unreserved8[c[7]] == 0 {
				break
			}
			k += 8
		}
		for k < len(s) && unreservedSet[s[k]] {
			k++
		}
		j += copy(d[j:], s[i:k])
		if k == len(s) {
			break
		}
		e := enc[s[k]]
		binary.LittleEndian.PutUint64(d[j:], e)
		j += int(e >> 56)
		i = k
	}
	return j
}

// appendDecodedEncoded appends percentEncode(phpURLDecode(s)) to dst in
// one pass, and reports whether the decoded s has a byte that makes PHP
// rename a $_GET name (" ", ".", "[", NUL).
func appendDecodedEncoded[S ~string | ~[]byte](dst []byte, s S) ([]byte, bool) {
	n := len(dst)
	d := slices.Grow(dst, 3*len(s)+8)
	j, _ := transcode(d[:cap(d)], n, s, 0, &rawWholeOnce, &onceTable)
	dst = d[:j]
	// Every "%" of the encoded s is followed by the two hex digits of an
	// escaped byte.
	enc := dst[n:]
	renamed := false
	for i := 0; i < len(enc) && !renamed; i++ {
		switch enc[i] {
		case '.':
			renamed = true
		case '%':
			h := string(enc[i+1 : i+3])
			renamed = h == "20" || h == "5B" || h == "00"
			i += 2
		}
	}
	return dst, renamed
}

// appendDecodedEncodedTwice appends
// percentEncode(percentEncode(phpURLDecode(s))) to dst, as the base
// string holds a parameter: encoding twice is encoding once with each
// "%" written "%25".
func appendDecodedEncodedTwice[S ~string | ~[]byte](dst []byte, s S) []byte {
	n := len(dst)
	d := slices.Grow(dst, 5*len(s)+8)
	j, _ := transcode(d[:cap(d)], n, s, 0, &rawWholeTwice, &twiceTable)
	return d[:j]
}

// decodedEncodedLen bounds len(appendDecodedEncoded(nil, s)) from above,
// in a pass without branches: 2 more bytes for every byte that is not
// unreserved (a "%XX" encodes to at most its own 3 bytes, "+" to 3).
func decodedEncodedLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += int(escapeExtra[s[i]])
	}
	return n
}

// decodedEncodedTwiceLen bounds len(appendDecodedEncodedTwice(nil, s))
// from above the same way: 4 more bytes for a byte that is not
// unreserved ("%XX" encoded twice is "%25XX").
func decodedEncodedTwiceLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += 2 * int(escapeExtra[s[i]])
	}
	return n
}

// escapeExtra[c] is what percent-encoding adds to the byte c: 0 or 2.
var escapeExtra = func() (t [256]uint8) {
	for c := range 256 {
		if !unreservedSet[c] {
			t[c] = 2
		}
	}
	return t
}()

// isPHPIntKey reports whether PHP turns the array key k into an integer
// key (a canonical decimal integer in range), which array_merge renumbers.
func isPHPIntKey[S ~string | ~[]byte](k S) bool {
	if len(k) == 0 || len(k) > 20 {
		return false
	}
	d := k
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || (d[0] == '0' && (len(d) > 1 || len(k) != len(d))) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(string(k), 10, 64)
	return err == nil
}

// phpURLDecode is PHP's urldecode(): "+" is a space, "%" and two hex
// digits is that byte, any other "%" stays as it is.
func phpURLDecode(s string) string {
	i := strings.IndexAny(s, "%+")
	if i < 0 {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// unreservedSet[c] reports whether c is an RFC 3986 unreserved character
// (ALPHA, DIGIT, "-", ".", "_", "~"), the bytes percent-encoding leaves as
// they are: those oauth1.PercentEncode and PHP's rawurlencode leave.
var unreservedSet = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendPercentEncoded appends s percent-encoded per RFC 5849 3.6 (RFC
// 3986: every byte but the unreserved ones as "%" and two upper-case hex
// digits), byte for byte what oauth1.PercentEncode returns.
func appendPercentEncoded(dst []byte, s string) []byte {
	d := slices.Grow(dst, 3*len(s)+8)
	return d[:encodeInto(d[:cap(d)], len(dst), s, &onceTable)]
}

// appendPercentEncodedTwice appends percentEncode(percentEncode(s)).
func appendPercentEncodedTwice(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreservedSet[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	return dst
}

// encodedTwiceLen is len(appendPercentEncodedTwice(nil, s)).
func encodedTwiceLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreservedSet[s[i]] {
			n += 4
		}
	}
	return n
}

// encodedLen is len(appendPercentEncoded(nil, s)).
func encodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreservedSet[s[i]] {
			n += 2
		}
	}
	return n
}

// writePercentEncoded writes s percent-encoded to b, each run of
// unreserved bytes at once.
func writePercentEncoded(b *strings.Builder, s string) {
	for {
		i := 0
		for i < len(s) && unreservedSet[s[i]] {
			i++
		}
		b.WriteString(s[:i])
		if i == len(s) {
			return
		}
		c := s[i]
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&0xF])
		s = s[i+1:]
	}
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
