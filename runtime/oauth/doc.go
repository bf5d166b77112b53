// Package oauth signs requests to a MediaWiki wiki with OAuth 1.0a as
// Extension:OAuth verifies them: HMAC-SHA1 or RSA-SHA1 in the
// Authorization header, with the signature base string computed the way
// MediaWiki computes it rather than by the letter of RFC 5849.
//
// RSA-SHA1 signatures are github.com/dghubble/oauth1's RSASigner;
// HMAC-SHA1 signatures and the percent-encoding are our own, byte for
// byte dghubble/oauth1's HMACSigner and PercentEncode (proven by
// differential tests and fuzz targets), at a fraction of their cost. The
// base string is MediaWiki's (see [BaseString]):
//
//   - the base URL uses the wiki's canonical server ($wgServer), not the
//     host the request went to: set [Signer.Server];
//   - a key both in the query and in a form body is signed once, with the
//     body's value; a repeated query key once, with its last value;
//   - a form body counts only for a POST whose Content-Type starts with
//     application/x-www-form-urlencoded (a "; charset=UTF-8" suffix is
//     fine); multipart bodies (uploads) are never signed;
//   - "+" in a query or body is a space, so send a literal plus as %2B;
//   - name[] and other names PHP renames cannot be signed: use "|" or the
//     U+001F multi-value form.
//
// Use a [Transport] (or [NewHTTPClient]) to sign every request an
// *http.Client sends, for example the HTTPClient of the API client in
// the parent runtime package:
//
//	s := &oauth.Signer{
//		Credentials: oauth.Credentials{
//			ConsumerKey: key, ConsumerSecret: secret,
//			Token: token, TokenSecret: tokenSecret,
//		},
//		Server: "https://en.wikipedia.org",
//	}
//	c, err := mw.NewClient("https://en.wikipedia.org/w/api.php", mw.Options{
//		HTTPClient: oauth.NewHTTPClient(s, nil),
//		UserAgent:  "MyTool/1.0 (https://example.org/mytool; me@example.org)",
//		AssertUser: true,
//	})
//
// [Signer.Sign] and [Signer.SignWith] sign one request and return the
// nonce used, which the handshake's identify step checks against the JWT.
// For deterministic signatures in tests, set [Signer.Clock] and
// [Signer.Nonce].
//
// [Credentials] never print their secrets, whatever the fmt verb, and no
// error of this package contains a secret or a parameter value.
package oauth
