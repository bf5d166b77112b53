package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mwgen/mwgen/internal/atomicfile"
	"golang.org/x/oauth2"
)

// Environment variables that override the credential store. Each one
// overrides the stored value of its field; a consumer key other than the
// stored one drops the stored entry altogether (its token belongs to the
// other consumer).
const (
	EnvConsumerKey    = "MWGEN_CONSUMER_KEY"
	EnvConsumerSecret = "MWGEN_CONSUMER_SECRET"
	EnvAccessToken    = "MWGEN_ACCESS_TOKEN"
	EnvAccessSecret   = "MWGEN_ACCESS_SECRET"
	// EnvOAuth2Token is an OAuth 2.0 access token (an owner-only
	// client's), used instead of any stored credentials.
	EnvOAuth2Token = "MWGEN_OAUTH2_TOKEN"
	// EnvOAuth2ClientID and EnvOAuth2ClientSecret are an OAuth 2.0
	// client's id and secret: the secret, when set, is used for refreshes
	// of a stored token whose secret was not stored.
	EnvOAuth2ClientID     = "MWGEN_OAUTH2_CLIENT_ID"
	EnvOAuth2ClientSecret = "MWGEN_OAUTH2_CLIENT_SECRET"
	// EnvCredentialsFile, when set, is the credential file used instead of
	// [DefaultStorePath] by [OpenStore]("").
	EnvCredentialsFile = "MWGEN_CREDENTIALS_FILE"
)

// Entry is what the store keeps for a host pattern: an OAuth 1.0a consumer
// and, once authorized, its access token; or (OAuth2 set) an OAuth 2.0
// client and its token. Its String and fmt verbs never show the secrets.
type Entry struct {
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret,omitempty"`
	AccessToken    string `json:"access_token,omitempty"`
	AccessSecret   string `json:"access_secret,omitempty"`
	// OAuth2 is set for an OAuth 2.0 login (then the OAuth 1.0a fields
	// are empty).
	OAuth2 *OAuth2Entry `json:"oauth2,omitempty"`
	// Username is who authorized the token, for display.
	Username string `json:"username,omitempty"`
	// Updated is when the entry was saved.
	Updated time.Time `json:"updated,omitzero"`
}

// Credentials returns the entry's credentials.
func (e Entry) Credentials() Credentials {
	return Credentials{ConsumerKey: e.ConsumerKey, ConsumerSecret: e.ConsumerSecret, Token: e.AccessToken, TokenSecret: e.AccessSecret}
}

// EntryFor returns the entry that stores c.
func EntryFor(c Credentials, username string) Entry {
	return Entry{ConsumerKey: c.ConsumerKey, ConsumerSecret: c.ConsumerSecret, AccessToken: c.Token, AccessSecret: c.TokenSecret, Username: username}
}

// OAuth2Entry is an OAuth 2.0 client and its token, as stored: the fields
// of golang.org/x/oauth2's Token JSON (access_token, token_type,
// refresh_token, expiry) with the client id, whether the client is
// confidential, and its secret only when the user asked to store it.
type OAuth2Entry struct {
	ClientID     string `json:"client_id"`
	Confidential bool   `json:"confidential"`
	ClientSecret string `json:"client_secret,omitempty"`
	oauth2.Token
}

// WithOAuth2Token returns e with its OAuth 2.0 token replaced by t (e must
// hold an OAuth 2.0 entry; its Updated time is cleared for Save to set).
func (e Entry) WithOAuth2Token(t *oauth2.Token) Entry {
	var o OAuth2Entry
	if e.OAuth2 != nil {
		o = *e.OAuth2
	}
	o.Token = oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
	e.OAuth2 = &o
	e.Updated = time.Time{}
	return e
}

// String returns "oauth.Entry{consumer=KEY, token=TOKEN, user=NAME, secrets redacted}"
// (for OAuth 2.0, "oauth.Entry{oauth2 client=ID, user=NAME, tokens redacted}").
func (e Entry) String() string {
	if e.OAuth2 != nil {
		return "oauth.Entry{oauth2 client=" + e.OAuth2.ClientID + ", user=" + e.Username + ", tokens redacted}"
	}
	return "oauth.Entry{consumer=" + e.ConsumerKey + ", token=" + e.AccessToken + ", user=" + e.Username + ", secrets redacted}"
}

// GoString is String.
func (e Entry) GoString() string { return e.String() }

// Format prints String for every verb.
func (e Entry) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, e.String()) }

// storeFile is the file's JSON shape.
type storeFile struct {
	Version int              `json:"version"`
	Hosts   map[string]Entry `json:"hosts"`
}

// Store is a credential file: OAuth credentials per wiki host, in JSON,
// readable by its owner alone. Keys are host patterns, as pywikibot's
// authenticate setting has them: an exact host ("en.wikipedia.org",
// "127.0.0.1:8080" with a non-default port) or a wildcard
// ("*.wikipedia.org", matching every host below wikipedia.org; "*"
// matching every host). The best match wins: the exact host, else the
// longest wildcard.
//
// The file is refused when its permissions let other users read or write
// it ([ErrInsecureStore]): fix them with chmod 600. Writes are atomic (a
// temporary file in the same directory, mode 0600, renamed over the
// file); concurrent Saves of one Store are serialized, those of several
// processes are last-writer-wins per file.
//
// A Store is safe for concurrent use.
type Store struct {
	// Path is the file.
	Path string
	mu   sync.Mutex
}

// DefaultStorePath returns os.UserConfigDir()/mwgen/credentials.json, e.g.
// ~/.config/mwgen/credentials.json on Linux.
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("oauth: no directory for the credential file: %w", err)
	}
	return filepath.Join(dir, "mwgen", "credentials.json"), nil
}

// OpenStore returns the store at path; "" means $MWGEN_CREDENTIALS_FILE,
// else [DefaultStorePath]. The file need not exist yet.
func OpenStore(path string) (*Store, error) {
	if path == "" {
		path = os.Getenv(EnvCredentialsFile)
	}
	if path == "" {
		var err error
		if path, err = DefaultStorePath(); err != nil {
			return nil, err
		}
	}
	return &Store{Path: path}, nil
}

// HostKey returns the store key of a wiki URL: its lower-case host, with the
// port when it is not the scheme's default.
func HostKey(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("oauth: %q is not an absolute URL", rawURL)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		return host, nil
	}
	return host + ":" + port, nil
}

// MatchHost reports whether a store pattern matches host (a [HostKey]).
func MatchHost(pattern, host string) bool {
	pattern, host = strings.ToLower(pattern), strings.ToLower(host)
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(host, pattern[1:]) && len(host) > len(pattern)-1
	}
	return pattern == host
}

// bestMatch returns the pattern of hosts that matches host best.
func bestMatch(hosts map[string]Entry, host string) (string, bool) {
	best, found := "", false
	for p := range hosts {
		if !MatchHost(p, host) {
			continue
		}
		if strings.EqualFold(p, host) {
			return p, true
		}
		// Longest wildcard wins; equal lengths are broken by name, so the
		// choice does not depend on map order.
		if !found || len(p) > len(best) || (len(p) == len(best) && p < best) {
			best, found = p, true
		}
	}
	return best, found
}

// read loads the file; a missing file is an empty store.
func (s *Store) read() (*storeFile, error) {
	f, err := os.Open(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &storeFile{Version: 1, Hosts: map[string]Entry{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: credential file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("oauth: credential file: %w", err)
	}
	if err := checkPerm(s.Path, fi.Mode()); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("oauth: credential file %s: %w", s.Path, err)
	}
	sf := &storeFile{}
	if len(strings.TrimSpace(string(data))) > 0 {
		// json's errors name offsets and types, never the values.
		if err := json.Unmarshal(data, sf); err != nil {
			return nil, fmt.Errorf("oauth: credential file %s is not valid: %w", s.Path, err)
		}
	}
	if sf.Hosts == nil {
		sf.Hosts = map[string]Entry{}
	}
	if sf.Version == 0 {
		sf.Version = 1
	}
	return sf, nil
}

// checkPerm refuses a file that others may read or write.
func checkPerm(path string, mode fs.FileMode) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix permission bits; the profile directory is private
	}
	if !mode.IsRegular() {
		return fmt.Errorf("oauth: credential file %s is not a regular file", path)
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, readable or writable by group or others; "+
			"run: chmod 600 %s (and consider the stored tokens exposed: revoke them on Special:OAuthManageMyGrants)",
			ErrInsecureStore, path, perm, path)
	}
	return nil
}

// Lookup returns the entry that matches host (a [HostKey]) best and its
// pattern. ok is false when none matches.
func (s *Store) Lookup(host string) (pattern string, e Entry, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf, err := s.read()
	if err != nil {
		return "", Entry{}, false, err
	}
	p, ok := bestMatch(sf.Hosts, strings.ToLower(host))
	if !ok {
		return "", Entry{}, false, nil
	}
	return p, sf.Hosts[p], true, nil
}

// Patterns returns the stored patterns, sorted.
func (s *Store) Patterns() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf, err := s.read()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(sf.Hosts))
	for p := range sf.Hosts {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// Save stores e under pattern (a host or a wildcard), replacing what was
// there, and writes the file atomically with mode 0600 (its directory is
// created with mode 0700).
func (s *Store) Save(pattern string, e Entry) error {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	if pattern == "" {
		return errors.New("oauth: empty host pattern")
	}
	if e.Updated.IsZero() {
		e.Updated = time.Now().UTC().Truncate(time.Second)
	}
	return s.update(func(sf *storeFile) { sf.Hosts[pattern] = e })
}

// Delete removes pattern's entry, if any.
func (s *Store) Delete(pattern string) error {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	return s.update(func(sf *storeFile) { delete(sf.Hosts, pattern) })
}

func (s *Store) update(change func(*storeFile)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf, err := s.read()
	if err != nil {
		return err
	}
	change(sf)
	data, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return fmt.Errorf("oauth: encoding the credential file: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("oauth: credential file: %w", err)
	}
	// atomicfile writes a temporary file created with mode 0600 in the
	// same directory and renames it over the file.
	if err := atomicfile.WriteFile(s.Path, data, 0o600); err != nil {
		return fmt.Errorf("oauth: saving credentials: %w", err)
	}
	return nil
}

// Resolved are the credentials found for a wiki.
type Resolved struct {
	Credentials Credentials
	// Pattern is the store entry used ("" when none).
	Pattern string
	// Username is the stored user name, if any.
	Username string
	// FromEnv lists the MWGEN_* variables that were used.
	FromEnv []string
}

// Lookup returns the credentials for host (a [HostKey]): the store's best
// entry (store may be nil), overridden field by field by the environment
// variables MWGEN_CONSUMER_KEY, MWGEN_CONSUMER_SECRET, MWGEN_ACCESS_TOKEN
// and MWGEN_ACCESS_SECRET. A consumer key from the environment that
// differs from the stored one drops the stored entry. It returns
// [ErrNoCredentials] when not even a consumer key is found.
func Lookup(host string, store *Store) (Resolved, error) {
	var r Resolved
	if store != nil {
		p, e, ok, err := store.Lookup(host)
		if err != nil {
			return Resolved{}, err
		}
		if ok {
			r.Pattern, r.Username, r.Credentials = p, e.Username, e.Credentials()
		}
	}
	if k := os.Getenv(EnvConsumerKey); k != "" {
		if k != r.Credentials.ConsumerKey {
			r = Resolved{}
		}
		r.Credentials.ConsumerKey = k
		r.FromEnv = append(r.FromEnv, EnvConsumerKey)
	}
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{EnvConsumerSecret, &r.Credentials.ConsumerSecret},
		{EnvAccessToken, &r.Credentials.Token},
		{EnvAccessSecret, &r.Credentials.TokenSecret},
	} {
		if x := os.Getenv(v.name); x != "" {
			*v.dst = x
			r.FromEnv = append(r.FromEnv, v.name)
		}
	}
	if r.Credentials.ConsumerKey == "" {
		where := "no credential store"
		if store != nil {
			where = "none in " + store.Path
		}
		return Resolved{}, fmt.Errorf("%w for %s (%s, and %s is not set): run `mwgen login`", ErrNoCredentials, host, where, EnvConsumerKey)
	}
	return r, nil
}

// String returns "oauth.OAuth2Entry{client=ID, confidential, tokens redacted}".
func (o OAuth2Entry) String() string {
	kind := "public"
	if o.Confidential {
		kind = "confidential"
	}
	return "oauth.OAuth2Entry{client=" + o.ClientID + ", " + kind + ", tokens redacted}"
}

// GoString is String.
func (o OAuth2Entry) GoString() string { return o.String() }

// Format prints String for every verb.
func (o OAuth2Entry) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, o.String()) }
