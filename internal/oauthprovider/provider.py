#!/usr/bin/python3
"""A test OAuth 1.0a and 2.0 provider that behaves like MediaWiki's Extension:OAuth.

It exists so that mwgen's OAuth client (runtime/oauth) is checked by an
implementation that is not ours: every signature is verified by Debian's
python3-oauthlib (3.2.x), and identify's JWT is made by PyJWT. Only what
oauthlib cannot know is done here, the MediaWiki way (see
shared/reference/mediawiki-facts.md section 3):

  * routes on index.php?title=Special:OAuth/{initiate,authorize,token,
    identify,verified}, and api.php;
  * the base string is built on the canonical server ($wgServer), never on
    the Host header: oauthlib is handed canonical-server + request path;
  * oauth_callback must be "oob" unless the consumer registered a callback
    prefix; after approval the user is sent to the registered callback URL
    (Special:OAuth/verified for oob consumers) with oauth_verifier and
    oauth_token;
  * request tokens are single use (E009 on reuse), errors of the Special
    pages are "Error: ..." bodies with HTTP 200;
  * the timestamp window is +-300 s ("Expired timestamp, yours X, ours Y"),
    nonces are single use ("Nonce already used: N"), unknown or revoked
    access tokens give "Invalid access token: T", and api.php answers such
    failures as MediaWiki does: HTTP 200, MediaWiki-API-Error:
    mwoauth-invalid-authorization;
  * a verified api.php request is forwarded to a real MediaWiki (--wiki-api)
    in a session logged in with the wiki user's bot password; unsigned
    requests are forwarded anonymously. siteinfo's server and script paths
    are rewritten to this provider's, so clients discover the provider's
    index.php as they would a real wiki's.

Test-only endpoints (JSON answers):
  /_test/register-consumer  key, secret, name, callback, callback_is_prefix,
                            owner_only, rsa_public_key, grants
  /_test/approve?oauth_token=T[&user=U]   approve like the Approve button;
                                           answers the redirect URL
  /_test/revoke?token=T                   revoke an access token
  /_test/clock-skew?seconds=N             shift the provider's clock
  /_test/health
  OAuth 2.0 (see the OAuth 2.0 section below):
  /_test/register-oauth2-client  client_id, secret, public, owner_only,
                                 redirect_uri, grants, ttl
  /_test/oauth2-approve?url=AUTHORIZE_URL[&action=accept|cancel][&user=U]
                                 what Allow/Cancel on Special:OAuth/approve does
  /_test/oauth2-revoke?client_id=C   revoke every token of the client
  /_test/oauth2-expire?token=T|client_id=C  end an access token's hour
  /_test/oauth2-stats?client_id=C    counters (exchanges, refreshes, ...)

It prints one JSON line {"ready": true, "server": ..., "index": ..., "api":
...} on stdout when it listens. With --exit-on-stdin-eof it stops when its
standard input closes (so it never outlives the test binary that runs it).

Run it with Debian's interpreter: /usr/bin/python3 provider.py --port 0
(needs apt-get install python3-oauthlib python3-jwt).
"""

import argparse
import hmac
import html
import http.cookiejar
import http.cookies
import http.server
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt
from oauthlib.oauth1 import (AccessTokenEndpoint, RequestTokenEndpoint,
                             RequestValidator, ResourceEndpoint)
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

log = logging.getLogger("oauthprovider")

TIMESTAMP_THRESHOLD = 300  # OAuthServer::TIMESTAMP_THRESHOLD
REQUEST_TOKEN_TTL = 600  # request tokens live in cache for 600 s
JWT_LIFETIME = 100  # identify: exp = iat + 100
HELP_URL = "https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#"
DEFAULT_GRANTS = ["basic", "highvolume", "editpage", "createeditmovepage"]
USER_AGENT = "mwgen-oauthprovider/1.0 (test provider)"


def new_key():
    """MediaWiki's consumer keys and tokens are 32 hex digits."""
    return secrets.token_hex(16)


# ---------------------------------------------------------------------------
# State


class Consumer:
    def __init__(self, key, secret, name, callback, callback_is_prefix,
                 owner_only, rsa_key, grants):
        self.key = key
        self.secret = secret
        self.name = name
        self.callback = callback
        self.callback_is_prefix = callback_is_prefix
        self.owner_only = owner_only
        self.rsa_key = rsa_key
        self.grants = grants


class RequestToken:
    def __init__(self, token, secret, consumer_key, callback):
        self.token = token
        self.secret = secret
        self.consumer_key = consumer_key
        self.callback = callback
        self.created = time.time()
        self.verifier = None
        self.user = None
        self.used = False
        self.denied = False
        self.form_token = secrets.token_hex(16)


class AccessToken:
    def __init__(self, token, secret, consumer_key, user):
        self.token = token
        self.secret = secret
        self.consumer_key = consumer_key
        self.user = user


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.consumers = {}
        self.request_tokens = {}
        self.access_tokens = {}
        self.nonces = {}
        self.skew = 0

    def now(self):
        return time.time() + self.skew


STATE = State()


# ---------------------------------------------------------------------------
# oauthlib validator: the lookups oauthlib needs. MediaWiki's own checks
# (consumer, token, timestamp, nonce) run before oauthlib so that failures
# carry MediaWiki's messages; oauthlib then verifies the signature.


class MWValidator(RequestValidator):
    enforce_ssl = False
    allowed_signature_methods = ("HMAC-SHA1", "RSA-SHA1")
    # The timestamp window is checked before oauthlib with the provider's
    # (skewable) clock and MediaWiki's message.
    timestamp_lifetime = 10 ** 10
    dummy_client = "dummyconsumer0000000000000000000"
    dummy_request_token = "dummyrequesttoken000000000000000"
    dummy_access_token = "dummyaccesstoken0000000000000000"

    # MediaWiki accepts any nonce and key characters; oauthlib's defaults
    # (20-30 alphanumerics) do not fit hex keys or base64 nonces.
    def _printable(self, s):
        return bool(s) and all(32 < ord(c) < 127 for c in s)

    def check_client_key(self, client_key):
        return self._printable(client_key)

    def check_request_token(self, request_token):
        return self._printable(request_token)

    def check_access_token(self, request_token):
        return self._printable(request_token)

    def check_nonce(self, nonce):
        return self._printable(nonce)

    def check_verifier(self, verifier):
        return self._printable(verifier)

    def get_default_realms(self, client_key, request):
        return []

    def get_realms(self, token, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        return True  # checked before oauthlib, the MediaWiki way

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return True  # checked before oauthlib, the MediaWiki way

    def validate_client_key(self, client_key, request):
        return client_key in STATE.consumers

    def get_client_secret(self, client_key, request):
        c = STATE.consumers.get(client_key)
        return c.secret if c and c.secret else "dummy"

    def get_rsa_key(self, client_key, request):
        c = STATE.consumers.get(client_key)
        return c.rsa_key if c else None

    def validate_request_token(self, client_key, token, request):
        rt = STATE.request_tokens.get(token)
        return bool(rt and rt.consumer_key == client_key and not rt.used)

    def get_request_token_secret(self, client_key, token, request):
        rt = STATE.request_tokens.get(token)
        return rt.secret if rt else "dummy"

    def validate_verifier(self, client_key, token, verifier, request):
        rt = STATE.request_tokens.get(token)
        return bool(rt and rt.verifier and hmac.compare_digest(rt.verifier, verifier))

    def validate_access_token(self, client_key, token, request):
        at = STATE.access_tokens.get(token)
        return bool(at and at.consumer_key == client_key)

    def get_access_token_secret(self, client_key, token, request):
        at = STATE.access_tokens.get(token)
        return at.secret if at else "dummy"

    def save_request_token(self, token, request):
        with STATE.lock:
            STATE.request_tokens[token["oauth_token"]] = RequestToken(
                token["oauth_token"], token["oauth_token_secret"],
                request.client_key, request.redirect_uri)

    def save_access_token(self, token, request):
        rt = STATE.request_tokens[request.resource_owner_key]
        c = STATE.consumers[request.client_key]
        secret = token["oauth_token_secret"]
        with STATE.lock:
            STATE.access_tokens[token["oauth_token"]] = AccessToken(
                token["oauth_token"], "" if c.rsa_key else secret,
                request.client_key, rt.user)

    def invalidate_request_token(self, client_key, request_token, request):
        with STATE.lock:
            rt = STATE.request_tokens.get(request_token)
            if rt:
                rt.used = True  # MediaWiki stores **USED** in its place


VALIDATOR = MWValidator()
REQUEST_TOKEN_ENDPOINT = RequestTokenEndpoint(VALIDATOR, token_generator=new_key)
ACCESS_TOKEN_ENDPOINT = AccessTokenEndpoint(VALIDATOR, token_generator=new_key)
RESOURCE_ENDPOINT = ResourceEndpoint(VALIDATOR)


# ---------------------------------------------------------------------------
# MediaWiki's checks


class OAuthFailure(Exception):
    """An OAuthException of MediaWiki's OAuth library or a MWOAuthException.

    text is the English message; ecode (E001..E012) is set for the errors
    that MediaWiki links to Help:OAuth/Errors; key is the message key used
    by identify's JSON errors.
    """

    def __init__(self, text, ecode=None, key="mwoauth-oauth-exception"):
        super().__init__(text)
        self.text = text
        self.ecode = ecode
        self.key = key


def header_params(headers):
    """The oauth_* parameters of the Authorization header, decoded, or None
    when there is no OAuth header (MediaWiki looks nowhere else on api.php).
    """
    auth = headers.get("Authorization", "")
    if not auth[:6].lower() == "oauth ":
        return None
    try:
        items = oauth_utils.parse_authorization_header(auth)
    except ValueError:
        raise OAuthFailure("Invalid signature")
    return {k: urllib.parse.unquote(v) for k, v in items if k.startswith("oauth_")}


def check_common(p):
    """Version and signature method, as OAuthServer does first."""
    version = p.get("oauth_version")
    if version is not None and version != "1.0":
        raise OAuthFailure("OAuth version '%s' not supported" % version, "E012")
    if not p.get("oauth_consumer_key"):
        raise OAuthFailure("Invalid consumer key", "E006")
    c = STATE.consumers.get(p["oauth_consumer_key"])
    if c is None:
        raise OAuthFailure("Invalid consumer", "E006")
    method = p.get("oauth_signature_method")
    if not method:
        raise OAuthFailure("No signature method parameter. This parameter is required")
    if method not in ("HMAC-SHA1", "RSA-SHA1") or (method == "RSA-SHA1") != bool(c.rsa_key):
        raise OAuthFailure("Signature method '%s' not supported try one of the following: "
                           "HMAC-SHA1, RSA-SHA1" % method)
    return c


def check_timestamp_and_nonce(p, token):
    """OAuthServer::check_timestamp and check_nonce, on the provider's clock."""
    ts = p.get("oauth_timestamp")
    if not ts:
        raise OAuthFailure("Missing timestamp parameter. The parameter is required")
    now = int(STATE.now())
    try:
        tsi = int(ts)
    except ValueError:
        tsi = 0
    if abs(now - tsi) > TIMESTAMP_THRESHOLD:
        raise OAuthFailure("Expired timestamp, yours %s, ours %d" % (ts, now))
    nonce = p.get("oauth_nonce")
    if not nonce:
        raise OAuthFailure("Missing nonce parameter. The parameter is required")
    key = (p["oauth_consumer_key"], token or "", nonce)
    with STATE.lock:
        # Forget nonces whose timestamps left the window.
        for k, seen in list(STATE.nonces.items()):
            if seen < now - 2 * TIMESTAMP_THRESHOLD:
                del STATE.nonces[k]
        if key in STATE.nonces:
            raise OAuthFailure("Nonce already used: %s" % nonce)
        STATE.nonces[key] = tsi


def base_string_for_log(uri, method, body, headers):
    """oauthlib's base string for a request, for the log of a failure."""
    try:
        req = RESOURCE_ENDPOINT._create_request(uri, method, body, headers)
        return oauth_signature.signature_base_string(
            method, oauth_signature.base_string_uri(req.uri),
            oauth_signature.normalize_parameters(req.params))
    except Exception as e:  # only for the log
        return "(cannot compute: %s)" % e


# ---------------------------------------------------------------------------
# The wiki behind the provider


class Wiki:
    """A urllib session with the real wiki: logged in with the bot password
    for verified requests, anonymous for unsigned ones."""

    def __init__(self, api, bot_user, bot_password):
        self.api = api
        self.bot_user = bot_user
        self.bot_password = bot_password
        self.user = bot_user.split("@", 1)[0] if bot_user else ""
        self.lock = threading.Lock()
        self.logged_in = False
        self.jar = http.cookiejar.CookieJar()
        self.bot = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.anon = urllib.request.build_opener(NoRedirect())

    def call(self, opener, method, query, body, content_type):
        url = self.api + ("?" + query if query else "")
        req = urllib.request.Request(url, data=body if method == "POST" else None,
                                     method=method)
        req.add_header("User-Agent", USER_AGENT)
        if method == "POST" and content_type:
            req.add_header("Content-Type", content_type)
        try:
            with opener.open(req, timeout=120) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def login(self):
        with self.lock:
            if self.logged_in:
                return
            self.jar.clear()
            _, _, body = self.call(self.bot, "GET", urllib.parse.urlencode({
                "action": "query", "meta": "tokens", "type": "login",
                "format": "json", "formatversion": "2"}), None, None)
            token = json.loads(body)["query"]["tokens"]["logintoken"]
            form = urllib.parse.urlencode({
                "action": "login", "lgname": self.bot_user,
                "lgpassword": self.bot_password, "lgtoken": token,
                "format": "json", "formatversion": "2"}).encode()
            _, _, body = self.call(self.bot, "POST", "", form,
                                   "application/x-www-form-urlencoded")
            result = json.loads(body).get("login", {})
            if result.get("result") != "Success":
                raise RuntimeError("bot login as %s failed: %s" % (self.bot_user, result))
            self.logged_in = True

    def forward(self, signed, method, query, body, content_type):
        if not signed:
            return self.call(self.anon, method, query, body, content_type)
        self.login()
        status, headers, data = self.call(self.bot, method, query, body, content_type)
        code = header(headers, "MediaWiki-API-Error")
        if code in ("assertuserfailed", "assertnameduserfailed"):
            with self.lock:
                self.logged_in = False
            self.login()
            status, headers, data = self.call(self.bot, method, query, body, content_type)
        return status, headers, data

    def identity(self):
        self.login()
        _, _, body = self.call(self.bot, "GET", urllib.parse.urlencode({
            "action": "query", "meta": "userinfo",
            "uiprop": "groups|rights|editcount|registrationdate|email|blockinfo",
            "format": "json", "formatversion": "2"}), None, None)
        ui = json.loads(body)["query"]["userinfo"]
        reg = ui.get("registrationdate") or ""
        return {
            "sub": str(ui["id"]),
            "username": ui["name"],
            "editcount": ui.get("editcount", 0),
            "confirmed_email": bool(ui.get("emailauthenticated")),
            "email_verified": bool(ui.get("emailauthenticated")),
            "blocked": "blockid" in ui,
            "registered": re.sub(r"[^0-9]", "", reg)[:14],
            "groups": ui.get("groups", []),
            "rights": ui.get("rights", []),
        }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def header(headers, name):
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


WIKI = None  # set in main when --wiki-api is given
SERVER = ""  # the canonical server, e.g. http://127.0.0.1:PORT


def synthetic_identity(user):
    return {
        "sub": "1", "username": user or "TestUser", "editcount": 0,
        "confirmed_email": False, "email_verified": False, "blocked": False,
        "registered": "20240101000000", "groups": ["*", "user"],
        "rights": ["read", "edit"],
    }


# ---------------------------------------------------------------------------
# OAuth 2.0, as Extension:OAuth REL1_39 serves it on rest.php (league's
# oauth2-server inside MediaWiki; here oauthlib's oauth2 Server does the
# protocol, PKCE included, and the answers are reshaped into MediaWiki's):
#
#   GET  /rest.php/oauth2/authorize     no wiki session: 307 to
#        Special:UserLogin; with one: 302 to index.php?title=Special:OAuth/
#        approve, whose Allow redirects to the registered callback with code
#        and state, and whose Cancel with error=unauthorized_client and no
#        state. Errors (a public client without code_challenge) are HTTP 200
#        HTML pages, never redirects.
#   POST /rest.php/oauth2/access_token  {"token_type","expires_in",
#        "access_token","refresh_token"}; errors {error, error_description,
#        hint?, message}: replayed code 400 invalid_request, old refresh
#        token 401 invalid_request ("Token has been revoked"), wrong secret
#        401 invalid_client, wrong PKCE verifier 400 invalid_grant. A refresh
#        always authenticates the client (REL1_39), so a public client
#        cannot refresh: 401 invalid_client. A refresh revokes the old
#        access and refresh tokens.
#   GET  /rest.php/oauth2/resource/profile  JSON served as text/html; a bad
#        token 401 {"error":"access_denied",...}.
#   api.php with "Authorization: Bearer T": forwarded as the wiki user when
#        T is a live access token, else HTTP 200 mwoauth-invalid-authorization
#        "Invalid access token" (expired, revoked and unknown look the same).
#
# Access tokens are RS256 JWTs (about 900 characters), valid one hour unless
# the client was registered with another ttl.

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test wiki is http

from oauthlib.oauth2 import RequestValidator as O2RequestValidator  # noqa: E402
from oauthlib.oauth2 import Server as O2Server  # noqa: E402
from oauthlib.oauth2.rfc6749 import errors as o2errors  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa as crypto_rsa  # noqa: E402

O2_TOKEN_TTL = 3600
O2_CODE_TTL = 600
O2_DESCRIPTIONS = {
    "invalid_request": "The request is missing a required parameter, includes an invalid "
                       "parameter value, includes a parameter more than once, or is otherwise "
                       "malformed.",
    "invalid_client": "Client authentication failed",
    "invalid_grant": "The provided authorization grant (e.g., authorization code, resource "
                     "owner credentials) or refresh token is invalid, expired, revoked, does "
                     "not match the redirection URI used in the authorization request, or was "
                     "issued to another client.",
    "unsupported_grant_type": "The authorization grant type is not supported by the "
                              "authorization server.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed",
    "unauthorized_client": "The client is not authorized to request an authorization code "
                           "using this method.",
    "access_denied": "The resource owner or authorization server denied the request.",
    "server_error": "The authorization server encountered an unexpected condition.",
}
O2_KEY = crypto_rsa.generate_private_key(public_exponent=65537, key_size=2048)
O2_KEY_PEM = O2_KEY.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())


class O2Client:
    def __init__(self, client_id, secret, name, redirect_uri, owner_only, grants, ttl):
        self.client_id = client_id
        self.secret = secret  # None: a public client
        self.name = name
        self.redirect_uri = redirect_uri
        self.owner_only = owner_only
        self.grants = grants
        self.ttl = ttl


class O2Code:
    def __init__(self, code, client_id, redirect_uri, challenge, method, user, scopes):
        self.code = code
        self.client_id = client_id
        self.redirect_uri = redirect_uri  # None when the request had none
        self.challenge = challenge
        self.method = method
        self.user = user
        self.scopes = scopes
        self.used = False
        self.created = time.time()


class O2Token:
    def __init__(self, access, refresh, client_id, user, scopes, expires):
        self.access = access
        self.refresh = refresh
        self.client_id = client_id
        self.user = user
        self.scopes = scopes
        self.expires = expires
        self.revoked = False


class O2State:
    def __init__(self):
        self.clients = {}
        self.codes = {}
        self.access = {}   # access token -> O2Token
        self.refresh = {}  # refresh token -> O2Token
        self.stats = {}    # client id -> counters
        self.sessions = set()  # wiki session cookies (Special:UserLogin)
        self.approvals = {}  # form token -> authorize query

    def count(self, client_id, what):
        with STATE.lock:
            s = self.stats.setdefault(client_id, {"exchanges": 0, "refreshes": 0,
                                                  "client_credentials": 0, "authorizations": 0,
                                                  "refused_refreshes": 0, "api_bearer": 0,
                                                  "api_bearer_refused": 0})
            s[what] += 1


O2 = O2State()


def basic_credentials(request):
    """The client id and secret of an HTTP Basic Authorization header (each
    form-encoded, RFC 6749 section 2.3.1), or (None, None)."""
    auth = (request.headers or {}).get("Authorization", "")
    if auth[:6].lower() != "basic ":
        return None, None
    import base64
    try:
        raw = base64.b64decode(auth[6:].strip()).decode("utf-8")
    except Exception:
        return None, None
    cid, _, secret = raw.partition(":")
    return urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)


def request_client_id(request):
    cid, _ = basic_credentials(request)
    return cid or request.client_id


class O2Validator(O2RequestValidator):
    def _client(self, cid):
        return O2.clients.get(cid or "")

    def client_authentication_required(self, request, *args, **kwargs):
        if request.grant_type == "refresh_token":
            return True  # REL1_39: a refresh always checks the client secret
        c = self._client(request_client_id(request))
        return c is None or c.secret is not None

    def authenticate_client(self, request, *args, **kwargs):
        cid, secret = basic_credentials(request)
        if cid is None:
            cid, secret = request.client_id, request.client_secret
        c = self._client(cid)
        if c is None or c.secret is None or not secret or \
                not hmac.compare_digest(c.secret, secret):
            return False
        request.client = c
        request.client_id = cid
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        c = self._client(client_id)
        if c is None or c.secret is not None:
            return False
        request.client = c
        return True

    def validate_client_id(self, client_id, request, *args, **kwargs):
        c = self._client(client_id)
        return c is not None and not c.owner_only

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        c = self._client(client_id)
        return c is not None and redirect_uri == c.redirect_uri

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        c = self._client(client_id)
        return c.redirect_uri if c else None

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        c = self._client(client_id)
        return c is not None and all(s in c.grants or s == "basic" for s in scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        c = self._client(client_id)
        return list(c.grants) if c else []

    def is_pkce_required(self, client_id, request):
        c = self._client(client_id)
        return c is None or c.secret is None

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        with STATE.lock:
            O2.codes[code["code"]] = O2Code(
                code["code"], client_id, request.redirect_uri, request.code_challenge,
                request.code_challenge_method, request.user, list(request.scopes or []))

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        c = O2.codes.get(code)
        if c is None or c.used or c.client_id != client.client_id or \
                time.time() - c.created > O2_CODE_TTL:
            return False
        request.user = c.user
        request.scopes = c.scopes
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        c = O2.codes.get(code)
        if c is None:
            return False
        return c.redirect_uri is None or c.redirect_uri == redirect_uri

    def get_code_challenge(self, code, request):
        c = O2.codes.get(code)
        return c.challenge if c else None

    def get_code_challenge_method(self, code, request):
        c = O2.codes.get(code)
        return c.method if c else None

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        c = self._client(client_id) or client
        if c is None:
            return False
        if c.owner_only:
            return grant_type == "client_credentials"
        return grant_type in ("authorization_code", "refresh_token")

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        with STATE.lock:
            c = O2.codes.get(code)
            if c:
                c.used = True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        t = O2.refresh.get(refresh_token)
        if t is None or t.revoked or t.client_id != client.client_id:
            return False
        request.user = t.user
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        t = O2.refresh.get(refresh_token)
        return list(t.scopes) if t else []

    def rotate_refresh_token(self, request):
        return True

    def save_bearer_token(self, token, request, *args, **kwargs):
        c = request.client
        user = request.user or (WIKI.user if WIKI and WIKI.user else "TestUser")
        with STATE.lock:
            if request.grant_type == "refresh_token":
                old = O2.refresh.get(request.refresh_token)
                if old:
                    old.revoked = True  # the old access and refresh tokens
            t = O2Token(token["access_token"], token.get("refresh_token"), c.client_id, user,
                        list(request.scopes or []), STATE.now() + token["expires_in"])
            O2.access[t.access] = t
            if t.refresh:
                O2.refresh[t.refresh] = t

    def validate_bearer_token(self, token, scopes, request):
        t = O2.access.get(token or "")
        if t is None or t.revoked or STATE.now() >= t.expires:
            return False
        request.user = t.user
        request.client_id = t.client_id
        request.o2_token = t
        return True


def o2_expires_in(request):
    c = getattr(request, "client", None)
    return c.ttl if c is not None and c.ttl else O2_TOKEN_TTL


def o2_access_token(request):
    """An RS256 JWT, as Extension:OAuth's access tokens are."""
    now = int(STATE.now())
    c = getattr(request, "client", None)
    claims = {
        "aud": c.client_id if c else request.client_id,
        "jti": secrets.token_hex(40),
        "iat": now, "nbf": now, "exp": now + o2_expires_in(request),
        "sub": "1",
        "iss": SERVER,
        "scopes": list(request.scopes or []),
        "ratelimit": {"requests_per_unit": 5000, "unit": "HOUR"},
    }
    return jwt.encode(claims, O2_KEY_PEM, algorithm="RS256")


def o2_refresh_token(request):
    return secrets.token_hex(64)


O2_VALIDATOR = O2Validator()
O2_SERVER = O2Server(O2_VALIDATOR, token_expires_in=o2_expires_in,
                     token_generator=o2_access_token, refresh_token_generator=o2_refresh_token)


def o2_error_body(code, hint=None, description=None):
    d = description or O2_DESCRIPTIONS.get(code, code)
    body = {"error": code, "error_description": d}
    if hint:
        body["hint"] = hint
    body["message"] = d
    return body


def o2_bearer(headers):
    auth = headers.get("Authorization", "")
    if auth[:7].lower() != "bearer ":
        return None
    return auth[7:].strip()


def o2_live_token(token):
    with STATE.lock:
        t = O2.access.get(token or "")
        if t is None or t.revoked or STATE.now() >= t.expires:
            return None
        return t


class O2Handlers:
    """The OAuth 2.0 routes, mixed into Handler."""

    def oauth2(self, route):
        sub = route[len("/rest.php/oauth2/"):]
        if sub == "authorize" and self.command in ("GET", "HEAD"):
            return self.o2_authorize()
        if sub == "access_token" and self.command == "POST":
            return self.o2_access_token()
        if sub == "resource/profile" and self.command in ("GET", "HEAD"):
            return self.o2_profile()
        return self.send_json({"messageTranslations": {"en": "No handler was found for the path"},
                               "httpCode": 404, "httpReason": "Not Found"}, 404)

    def o2_session(self):
        c = http.cookies.SimpleCookie()
        try:
            c.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return False
        m = c.get("testwiki_session")
        return m is not None and m.value in O2.sessions

    def o2_html_error(self, text):
        self.page("OAuth error", '<p class="error">%s</p>' % html.escape(text))

    def o2_validate(self, query):
        """oauthlib's checks of an authorization request: (client, scopes,
        info) or raises its errors."""
        uri = SERVER + "/rest.php/oauth2/authorize?" + query
        scopes, info = O2_SERVER.validate_authorization_request(uri, "GET", "", {})
        return O2.clients[info["client_id"]], scopes, info

    def o2_authorize(self):
        if not self.o2_session():
            back = "/rest.php/oauth2/authorize" + ("?" + self.query if self.query else "")
            return self.send(307, "", extra={"Location": SERVER + "/index.php?" + urllib.parse.urlencode(
                {"title": "Special:UserLogin", "returnto": "Special:OAuth2", "returntoquery": back},
                safe=":/")})
        try:
            self.o2_validate(self.query)
        except o2errors.OAuth2Error as e:
            return self.o2_html_error(e.description or e.error)
        self.redirect(SERVER + "/index.php?title=Special:OAuth/approve&" + self.query)

    def o2_approve_page(self):
        """index.php?title=Special:OAuth/approve: the Allow/Cancel form."""
        if self.command == "POST":
            return self.o2_approve_post()
        if not self.o2_session():
            return self.o2_html_error("You must be logged in to approve an application.")
        q = urllib.parse.urlencode([(k, v) for k, v in urllib.parse.parse_qsl(
            self.query, keep_blank_values=True) if k != "title"])
        try:
            c, scopes, _ = self.o2_validate(q)
        except o2errors.OAuth2Error as e:
            return self.o2_html_error(e.description or e.error)
        form = secrets.token_hex(16)
        with STATE.lock:
            O2.approvals[form] = q
        grants = "".join("<li>%s</li>" % html.escape(g) for g in scopes)
        user = WIKI.user if WIKI and WIKI.user else "TestUser"
        self.page(
            "Allow %s to access your account" % c.name,
            '<p>Hi %s, <b id="app-name">%s</b> would like to access your account on your '
            'behalf with these grants:</p><ul id="grants">%s</ul>'
            '<form method="post" action="/index.php?title=Special:OAuth/approve">'
            '<input type="hidden" name="wpEditToken" value="%s">'
            '<button type="submit" name="action" value="accept" id="approve">Allow</button> '
            '<button type="submit" name="action" value="cancel" id="deny">Cancel</button>'
            '</form>' % (html.escape(user), html.escape(c.name), grants, html.escape(form)))

    def o2_approve_post(self):
        if not self.o2_session():
            return self.o2_html_error("You must be logged in to approve an application.")
        with STATE.lock:
            q = O2.approvals.pop(self.form.get("wpEditToken", ""), None)
        if q is None:
            return self.send(400, "Bad form token: reload the authorization page")
        status, out = o2_decide(q, self.form.get("action") == "accept", None)
        if status == "redirect":
            return self.redirect(out)
        return self.o2_html_error(out)

    def o2_access_token(self):
        form = self.form
        grant = form.get("grant_type", "")
        cid = form.get("client_id") or ""
        if not cid:
            class R:  # the header alone, for basic_credentials
                headers = self.headers
            cid = basic_credentials(R)[0] or ""
        if grant == "authorization_code":
            c = O2.codes.get(form.get("code", ""))
            if c is None:
                return self.o2_token_error(400, "invalid_request", "Cannot decrypt the authorization code")
            if c.used:
                return self.o2_token_error(400, "invalid_request", "Authorization code has been revoked")
        headers = {k: v for k, v in self.headers.items()}
        _, body, status = O2_SERVER.create_token_response(
            SERVER + "/rest.php/oauth2/access_token", "POST", self.body_text(), headers)
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        if status != 200:
            err = doc.get("error", "invalid_request")
            log.info("oauth2 token endpoint refused grant %s of %s: %s (%s)", grant, cid,
                     err, doc.get("error_description"))
            if grant == "refresh_token":
                O2.count(cid, "refused_refreshes")
            if err == "invalid_client":
                return self.o2_token_error(401, "invalid_client")
            if grant == "refresh_token" and err == "invalid_grant":
                return self.o2_token_error(401, "invalid_request", "Token has been revoked",
                                           "The refresh token is invalid.")
            if err == "invalid_grant" and grant == "authorization_code" and form.get("code_verifier"):
                return self.o2_token_error(400, "invalid_grant", "Failed to verify `code_verifier`.")
            if err == "invalid_grant":
                return self.o2_token_error(400, "invalid_request", "Cannot decrypt the authorization code")
            return self.o2_token_error(status if status >= 400 else 400, err,
                                       doc.get("error_description"))
        O2.count(cid, {"authorization_code": "exchanges", "refresh_token": "refreshes",
                       "client_credentials": "client_credentials"}.get(grant, "exchanges"))
        out = {"token_type": "Bearer", "expires_in": doc["expires_in"],
               "access_token": doc["access_token"]}
        if doc.get("refresh_token") and grant != "client_credentials":
            out["refresh_token"] = doc["refresh_token"]
        self.send_json(out)

    def o2_token_error(self, status, code, hint=None, description=None):
        self.send_json(o2_error_body(code, hint, description), status)

    def o2_profile(self):
        t = o2_live_token(o2_bearer(self.headers))
        if t is None:
            return self.send_json(o2_error_body("access_denied", "Invalid access token",
                                                "The resource owner or authorization server "
                                                "denied the request."), 401)
        ident = WIKI.identity() if WIKI else synthetic_identity(t.user)
        c = O2.clients.get(t.client_id)
        out = {
            "sub": int(ident["sub"]) if str(ident["sub"]).isdigit() else ident["sub"],
            "username": ident["username"], "editcount": ident["editcount"],
            "confirmed_email": ident["confirmed_email"], "blocked": ident["blocked"],
            "registered": ident["registered"], "groups": ident["groups"],
            "rights": ident["rights"], "grants": list(c.grants) if c else [],
        }
        # MediaWiki serves this JSON as text/html.
        self.send(200, json.dumps(out), "text/html; charset=UTF-8")

    def user_login(self):
        """index.php?title=Special:UserLogin: one button logs in as the wiki
        user and sets the session cookie; returntoquery is followed back."""
        back = self.params.get("returntoquery") or self.form.get("returntoquery") or ""
        if not back.startswith("/rest.php/oauth2/authorize"):
            back = ""
        if self.command == "POST":
            sid = secrets.token_hex(16)
            with STATE.lock:
                O2.sessions.add(sid)
            return self.send(302, "", extra={
                "Location": SERVER + (back or "/index.php"),
                "Set-Cookie": "testwiki_session=%s; Path=/; HttpOnly; SameSite=Lax" % sid})
        user = WIKI.user if WIKI and WIKI.user else "TestUser"
        self.page("Log in", '<form method="post" action="/index.php?title=Special:UserLogin">'
                            '<input type="hidden" name="returntoquery" value="%s">'
                            '<p>Username: <b id="username">%s</b></p>'
                            '<button type="submit" id="wpLoginAttempt">Log in</button></form>'
                  % (html.escape(back), html.escape(user)))

    def o2_admin(self, what, p):
        if what == "register-oauth2-client":
            cid = p.get("client_id") or new_key()
            public = truthy(p.get("public"))
            owner_only = truthy(p.get("owner_only"))
            secret = None if public else (p.get("secret") or secrets.token_hex(20))
            redirect_uri = p.get("redirect_uri") or (SERVER + "/index.php?title=Special:OAuth/verified")
            grants = [g for g in re.split(r"[|,\s]+", p.get("grants", "")) if g] or DEFAULT_GRANTS
            ttl = int(p.get("ttl") or 0)
            c = O2Client(cid, secret, p.get("name") or "mwgen test app", redirect_uri,
                         owner_only, grants, ttl)
            out = {"client_id": cid, "client_secret": secret or "", "redirect_uri": redirect_uri}
            with STATE.lock:
                O2.clients[cid] = c
            if owner_only:
                # The long-lived access token Special:OAuthConsumerRegistration shows.
                class R:
                    client = c
                    client_id = cid
                    scopes = grants
                tok = jwt.encode({"aud": cid, "jti": secrets.token_hex(40), "sub": "1",
                                  "iat": int(STATE.now()), "iss": SERVER, "scopes": grants},
                                 O2_KEY_PEM, algorithm="RS256")
                with STATE.lock:
                    O2.access[tok] = O2Token(tok, None, cid, WIKI.user if WIKI else "TestUser",
                                             grants, float("inf"))
                out["access_token"] = tok
            return self.send_json(out)
        if what == "oauth2-approve":
            u = urllib.parse.urlsplit(p.get("url", ""))
            if u.path != "/rest.php/oauth2/authorize":
                return self.send_json({"error": "url is not an authorize URL"}, 400)
            status, out = o2_decide(u.query, p.get("action", "accept") == "accept", p.get("user"))
            if status == "redirect":
                return self.send_json({"callback": out})
            return self.send_json({"error_page": out, "status": 200})
        if what == "oauth2-revoke":
            # What Special:OAuthManageMyGrants does: every token of the grant.
            n = 0
            with STATE.lock:
                for t in list(O2.access.values()):
                    if t.client_id == p.get("client_id") and not t.revoked:
                        t.revoked = True
                        n += 1
            return self.send_json({"revoked": n})
        if what == "oauth2-expire":
            # The access token's hour is over; its refresh token still works.
            with STATE.lock:
                if p.get("client_id"):
                    ts = [t for t in O2.access.values() if t.client_id == p["client_id"]]
                else:
                    ts = [t for t in [O2.access.get(p.get("token", ""))] if t is not None]
                if not ts:
                    return self.send_json({"error": "unknown access token"}, 404)
                for t in ts:
                    t.expires = min(t.expires, STATE.now() - 1)
            return self.send_json({"expired": len(ts)})
        if what == "oauth2-stats":
            with STATE.lock:
                s = dict(O2.stats.get(p.get("client_id", ""), {}))
            return self.send_json(s)
        return self.send_json({"error": "unknown admin endpoint"}, 404)


O2_ADMIN = ("register-oauth2-client", "oauth2-approve", "oauth2-revoke", "oauth2-expire",
            "oauth2-stats")


def o2_decide(query, accept, user):
    """What the approve form's Allow (accept) or Cancel does for the
    authorization request query: ("redirect", url) or ("error", text)."""
    uri = SERVER + "/rest.php/oauth2/authorize?" + query
    try:
        scopes, info = O2_SERVER.validate_authorization_request(uri, "GET", "", {})
    except o2errors.OAuth2Error as e:
        return "error", e.description or e.error
    c = O2.clients[info["client_id"]]
    if not accept:
        # REL1_39: error=unauthorized_client, and no state.
        base = info.get("redirect_uri") or c.redirect_uri
        sep = "&" if "?" in base else "?"
        return "redirect", base + sep + urllib.parse.urlencode([
            ("error", "unauthorized_client"),
            ("error_description", O2_DESCRIPTIONS["unauthorized_client"]),
            ("message", O2_DESCRIPTIONS["unauthorized_client"])])
    user = user or (WIKI.user if WIKI and WIKI.user else "TestUser")
    headers, _, status = O2_SERVER.create_authorization_response(
        uri, "GET", "", {}, scopes, {"user": user})
    if status != 302:
        return "error", "authorization failed (HTTP %s)" % status
    O2.count(c.client_id, "authorizations")
    return "redirect", headers["Location"]


# ---------------------------------------------------------------------------
# HTTP


class Handler(O2Handlers, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mwgen-oauthprovider/1.0"

    # -- plumbing ----------------------------------------------------------

    def log_message(self, fmt, *args):
        # The request line only (never headers): enough to follow a test.
        sys.stderr.write("oauthprovider: %s\n" % (fmt % args))

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, body, content_type="text/plain; charset=utf-8", extra=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "private, no-cache")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, status=200, extra=None):
        self.send(status, json.dumps(obj, separators=(",", ":")), "application/json; charset=utf-8", extra)

    def redirect(self, location):
        self.send(302, "", extra={"Location": location})

    def do_GET(self):
        self.dispatch(b"")

    def do_HEAD(self):
        self.dispatch(b"")

    def do_POST(self):
        self.dispatch(self.read_body())

    def dispatch(self, body):
        try:
            parsed = urllib.parse.urlsplit(self.path)
            self.body = body
            self.query = parsed.query
            self.params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
            ctype = self.headers.get("Content-Type", "")
            self.form = {}
            if ctype.startswith("application/x-www-form-urlencoded"):
                self.form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                                        keep_blank_values=True))
            # The URI oauthlib sees: the canonical server, never the Host
            # header (MediaWiki's WebRequest::getFullRequestURL).
            path = parsed.path + ("?" + parsed.query if parsed.query else "")
            self.canonical_uri = SERVER + path
            route = parsed.path
            if route.startswith("/_test/"):
                return self.admin(route[len("/_test/"):])
            if route == "/api.php":
                return self.api()
            if route.startswith("/rest.php/oauth2/"):
                return self.oauth2(route)
            if route == "/index.php":
                title = self.params.get("title") or self.form.get("title") or ""
                if title == "Special:UserLogin":
                    return self.user_login()
                if title.startswith("Special:OAuth/"):
                    return self.special(title[len("Special:OAuth/"):])
                if header_params(self.headers) is not None:
                    return self.send(400, "OAuth can only be used with the API")
                return self.send(200, "<!DOCTYPE html><title>%s</title><p>mwgen test OAuth provider"
                                 % html.escape(title), "text/html; charset=utf-8")
            return self.send(404, "not found: %s\n" % route)
        except OAuthFailure as e:  # pragma: no cover - routes catch their own
            self.send(200, "Error: " + html.escape(e.text))
        except Exception as e:
            log.exception("internal error")
            self.send(500, "internal error: %s\n" % e)

    def oauthlib_headers(self):
        return {k: v for k, v in self.headers.items()}

    def body_text(self):
        return self.body.decode("utf-8", "replace")

    # -- Special:OAuth -----------------------------------------------------

    def special(self, sub):
        handlers = {
            "initiate": self.initiate,
            "authorize": self.authorize,
            "authenticate": self.authorize,
            "token": self.token,
            "identify": self.identify,
            "verified": self.verified,
            "approve": self.o2_approve_page,
        }
        h = handlers.get(sub)
        if h is None:
            return self.raw_error(OAuthFailure("Unknown Special:OAuth subpage", "E002"))
        return h()

    def raw_error(self, e):
        """Special:OAuth errors in the raw format: HTTP 200, "Error: ...",
        the message escaped, a link for E0xx codes."""
        text = html.escape(e.text)
        if e.ecode:
            text += ' (<a rel="nofollow" class="external text" href="%s%s">%s</a>)' % (
                HELP_URL, e.ecode, e.ecode)
        log.info("Special:OAuth error: %s", e.text)
        self.send(200, "Error: " + text)

    def oauthlib_failure(self, status, body, what):
        desc = ""
        if body:
            desc = dict(urllib.parse.parse_qsl(body)).get("error_description", "")
        log.info("oauthlib refused %s (HTTP %s %s); base string: %s", what, status, desc,
                 base_string_for_log(self.canonical_uri, self.command, self.body_text(),
                                     self.oauthlib_headers()))
        return OAuthFailure(desc or "Invalid signature")

    def initiate(self):
        try:
            p = header_params(self.headers)
            if p is None:
                raise OAuthFailure("Missing required OAuth parameters", "E001")
            c = check_common(p)
            if c.owner_only:
                raise OAuthFailure('"%s" is an owner-only Connected App. To fetch the access '
                                   'token, see [[Special:OAuthConsumerRegistration/update/%s]]'
                                   % (c.name, c.key), "E010")
            cb = p.get("oauth_callback")
            if not cb:
                raise OAuthFailure('oauth_callback must be set, and must be set to "oob" '
                                   '(case-sensitive)', "E001")
            if cb != "oob":
                if not c.callback_is_prefix:
                    raise OAuthFailure('oauth_callback must be set, and must be set to "oob" '
                                       '(case-sensitive)')
                if not callback_matches(c.callback, cb):
                    raise OAuthFailure('oauth_callback must be set, and must be set to "oob" '
                                       '(case-sensitive), or the configured callback must be '
                                       'a prefix of the supplied callback')
            check_timestamp_and_nonce(p, None)
            headers, body, status = REQUEST_TOKEN_ENDPOINT.create_request_token_response(
                self.canonical_uri, self.command, self.body_text(), self.oauthlib_headers())
            if status != 200:
                raise self.oauthlib_failure(status, body, "initiate")
            self.send(200, body)
        except OAuthFailure as e:
            self.raw_error(e)

    def token(self):
        try:
            p = header_params(self.headers)
            if p is None:
                raise OAuthFailure("Missing required OAuth parameters", "E001")
            c = check_common(p)
            if c.owner_only:
                raise OAuthFailure('"%s" is an owner-only Connected App. To fetch the access '
                                   'token, see [[Special:OAuthConsumerRegistration/update/%s]]'
                                   % (c.name, c.key), "E010")
            tok = p.get("oauth_token", "")
            rt = STATE.request_tokens.get(tok)
            if rt is not None and rt.used:
                raise OAuthFailure("Request token already used. Restart the authorization "
                                   "process.", "E009")
            if rt is None or rt.consumer_key != c.key or \
                    STATE.now() - rt.created > REQUEST_TOKEN_TTL:
                raise OAuthFailure("Request token not found. It may have expired; restart the "
                                   "authorization process.", "E004")
            if rt.verifier is None:
                raise OAuthFailure("The request token has not been authorized.", "E004")
            if not p.get("oauth_verifier"):
                raise OAuthFailure("Missing required parameter oauth_verifier", "E001")
            check_timestamp_and_nonce(p, tok)
            headers, body, status = ACCESS_TOKEN_ENDPOINT.create_access_token_response(
                self.canonical_uri, self.command, self.body_text(), self.oauthlib_headers())
            if status != 200:
                raise self.oauthlib_failure(status, body, "token")
            t = dict(urllib.parse.parse_qsl(body))
            secret = "__unused__" if c.rsa_key else t["oauth_token_secret"]
            # MediaWiki answers the two fields only (oauthlib adds realms).
            self.send(200, urllib.parse.urlencode(
                [("oauth_token", t["oauth_token"]), ("oauth_token_secret", secret)]))
        except OAuthFailure as e:
            self.raw_error(e)

    def verify_resource(self):
        """Verify a request signed with an access token: MediaWiki's checks
        in MediaWiki's order, then the signature by oauthlib. Returns the
        access token, None when unsigned; raises OAuthFailure."""
        p = header_params(self.headers)
        if p is None:
            return None
        check_common(p)
        tok = p.get("oauth_token", "")
        at = STATE.access_tokens.get(tok)
        if at is None or at.consumer_key != p["oauth_consumer_key"]:
            raise OAuthFailure("Invalid access token: %s" % tok,
                               key="mwoauthdatastore-access-token-not-found")
        check_timestamp_and_nonce(p, tok)
        try:
            valid, req = RESOURCE_ENDPOINT.validate_protected_resource_request(
                self.canonical_uri, self.command, self.body_text(), self.oauthlib_headers())
        except ValueError as e:  # oauthlib cannot parse the request
            raise OAuthFailure("Invalid signature (%s)" % e)
        if not valid:
            log.info("oauthlib refused %s %s: %s; base string: %s", self.command,
                     self.path.split("?")[0], req and req.validator_log,
                     base_string_for_log(self.canonical_uri, self.command, self.body_text(),
                                         self.oauthlib_headers()))
            raise OAuthFailure("Invalid signature")
        return at

    def identify(self):
        try:
            at = self.verify_resource()
            if at is None:
                raise OAuthFailure("Missing required OAuth parameters", "E001")
            c = STATE.consumers[at.consumer_key]
            if not c.secret:
                raise OAuthFailure("The consumer has no secret to sign the JWT", "E011")
            ident = WIKI.identity() if WIKI else synthetic_identity(at.user)
            now = int(STATE.now())
            claims = {
                "iss": SERVER,
                "sub": ident.pop("sub"),
                "aud": c.key,
                "exp": now + JWT_LIFETIME,
                "iat": now,
                "nonce": header_params(self.headers)["oauth_nonce"],
            }
            claims.update(ident)
            claims["grants"] = list(c.grants)
            token = jwt.encode(claims, c.secret, algorithm="HS256")
            self.send(200, token, "application/json; charset=utf-8")
        except OAuthFailure as e:
            message = e.text
            if e.key == "mwoauth-oauth-exception":
                message = "An error occurred in the OAuth protocol: " + e.text
            self.send_json({"error": e.key, "message": message})

    def authorize(self):
        params = dict(self.params)
        params.update(self.form)
        tok = params.get("oauth_token") or params.get("requestToken") or ""
        rt = STATE.request_tokens.get(tok)
        if rt is None or rt.used:
            return self.raw_error(OAuthFailure("Request token not found. It may have expired; "
                                               "restart the authorization process.", "E004"))
        ck = params.get("oauth_consumer_key") or params.get("consumerKey") or rt.consumer_key
        c = STATE.consumers.get(ck)
        if c is None or ck != rt.consumer_key:
            return self.raw_error(OAuthFailure("Invalid consumer key", "E006"))
        if self.command == "POST":
            if not hmac.compare_digest(params.get("wpEditToken", ""), rt.form_token):
                return self.send(400, "Bad form token: reload the authorization page")
            if params.get("action") != "accept":
                with STATE.lock:
                    rt.denied = True
                return self.page("Authorization cancelled",
                                 "<p>You cancelled the authorization of %s.</p>" % html.escape(c.name))
            return self.redirect(approve(rt, params.get("user")))
        if params.get("mwgen_test_autoapprove") == "1":
            return self.redirect(approve(rt, params.get("user")))
        grants = "".join("<li>%s</li>" % html.escape(g) for g in c.grants)
        user = WIKI.user if WIKI and WIKI.user else "TestUser"
        self.page(
            "Allow %s to access your account" % c.name,
            '<p>Hi %s, <b id="app-name">%s</b> would like to access your account on your '
            'behalf with these grants:</p><ul id="grants">%s</ul>'
            '<form method="post" action="/index.php?title=Special:OAuth/authorize">'
            '<input type="hidden" name="oauth_token" value="%s">'
            '<input type="hidden" name="oauth_consumer_key" value="%s">'
            '<input type="hidden" name="wpEditToken" value="%s">'
            '<button type="submit" name="action" value="accept" id="approve">Allow</button> '
            '<button type="submit" name="action" value="cancel" id="deny">Cancel</button>'
            '</form>' % (html.escape(user), html.escape(c.name), grants, html.escape(rt.token),
                         html.escape(c.key), html.escape(rt.form_token)))

    def verified(self):
        v = self.params.get("oauth_verifier", "")
        self.page("Almost done",
                  '<p>To complete the process, provide this verification value to the '
                  'application: <code id="verifier">%s</code></p>' % html.escape(v))

    def page(self, title, body):
        self.send(200, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title>"
                       "</head><body><h1>%s</h1>%s</body></html>"
                  % (html.escape(title), html.escape(title), body), "text/html; charset=utf-8")

    # -- api.php -----------------------------------------------------------

    def api(self):
        bearer = o2_bearer(self.headers)
        if bearer is not None:
            t = o2_live_token(bearer)
            if t is None:
                log.info("api.php: refused bearer token")
                known = O2.access.get(bearer)
                O2.count(known.client_id if known else "", "api_bearer_refused")
                return self.api_error("mwoauth-invalid-authorization",
                                      "The authorization headers in your request are not valid: "
                                      "Invalid access token")
            O2.count(t.client_id, "api_bearer")
            return self.forward_api(True)
        try:
            at = self.verify_resource()
        except OAuthFailure as e:
            return self.api_error("mwoauth-invalid-authorization",
                                  "The authorization headers in your request are not valid: "
                                  + e.text)
        return self.forward_api(at is not None)

    def forward_api(self, signed):
        """Forward the request to the wiki: as its user when signed."""
        if WIKI is None:
            return self.api_error("mwgen-oauthprovider-no-wiki",
                                  "The test provider was started without --wiki-api")
        try:
            status, headers, data = WIKI.forward(
                signed, self.command if self.command != "HEAD" else "GET", self.query,
                self.body, self.headers.get("Content-Type"))
        except Exception as e:
            log.exception("forwarding to the wiki")
            return self.send(502, "oauthprovider: forwarding to the wiki failed: %s\n" % e)
        data = self.rewrite_siteinfo(headers, data)
        extra = {}
        for name in ("MediaWiki-API-Error", "Retry-After", "X-Database-Lag"):
            v = header(headers, name)
            if v is not None:
                extra[name] = v
        self.send(status, data, header(headers, "Content-Type") or "application/octet-stream",
                  extra)

    def api_params(self):
        p = dict(self.params)
        p.update(self.form)
        return p

    def api_error(self, code, text):
        """An Action API error the way ApiMain formats it, HTTP 200."""
        fmt = self.api_params().get("errorformat", "bc")
        if fmt == "bc":
            body = {"error": {"code": code, "info": text}}
        else:
            body = {"errors": [{"code": code, "text": text, "module": "main"}]}
        self.send_json(body, extra={"MediaWiki-API-Error": code})

    def rewrite_siteinfo(self, headers, data):
        """Make siteinfo describe the provider: its server and index.php."""
        p = self.api_params()
        if p.get("action") != "query":
            return data
        metas = re.split(r"[|\x1f]", p.get("meta", ""))
        if "siteinfo" not in metas:
            return data
        try:
            doc = json.loads(data)
            general = doc["query"]["general"]
        except (ValueError, KeyError, TypeError):
            return data
        general["server"] = SERVER
        general["servername"] = urllib.parse.urlsplit(SERVER).hostname
        general["scriptpath"] = ""
        general["script"] = "/index.php"
        general["articlepath"] = "/index.php?title=$1"
        general["base"] = SERVER + "/index.php?title=" + urllib.parse.quote(
            general.get("mainpage", "Main Page").replace(" ", "_"))
        return json.dumps(doc).encode()

    # -- test-only admin endpoints ----------------------------------------

    def admin(self, what):
        p = dict(self.params)
        p.update(self.form)
        if what in O2_ADMIN:
            return self.o2_admin(what, p)
        if what == "health":
            return self.send_json({"ok": True, "server": SERVER})
        if what == "register-consumer":
            key = p.get("key") or new_key()
            secret = p.get("secret")
            rsa_key = p.get("rsa_public_key") or None
            if secret is None:
                secret = new_key()
            callback = p.get("callback") or (SERVER + "/index.php?title=Special:OAuth/verified")
            grants = [g for g in re.split(r"[|,\s]+", p.get("grants", "")) if g] or DEFAULT_GRANTS
            c = Consumer(key, secret, p.get("name") or "mwgen test app", callback,
                         truthy(p.get("callback_is_prefix")), truthy(p.get("owner_only")),
                         rsa_key, grants)
            out = {"key": key, "secret": secret, "callback": callback}
            with STATE.lock:
                STATE.consumers[key] = c
                if c.owner_only:
                    at = AccessToken(new_key(), "" if rsa_key else new_key(), key,
                                     WIKI.user if WIKI else "TestUser")
                    STATE.access_tokens[at.token] = at
                    out["access_token"] = at.token
                    out["access_secret"] = at.secret
            return self.send_json(out)
        if what == "approve":
            rt = STATE.request_tokens.get(p.get("oauth_token", ""))
            if rt is None or rt.used:
                return self.send_json({"error": "unknown or used request token"}, 404)
            url = approve(rt, p.get("user"))
            return self.send_json({"callback": url, "oauth_verifier": rt.verifier,
                                   "oauth_token": rt.token})
        if what == "revoke":
            with STATE.lock:
                at = STATE.access_tokens.pop(p.get("token", ""), None)
            if at is None:
                return self.send_json({"error": "unknown access token"}, 404)
            return self.send_json({"revoked": True})
        if what == "clock-skew":
            try:
                STATE.skew = int(p.get("seconds", "0"))
            except ValueError:
                return self.send_json({"error": "seconds must be an integer"}, 400)
            return self.send_json({"skew": STATE.skew})
        return self.send_json({"error": "unknown admin endpoint"}, 404)


def truthy(v):
    return (v or "").lower() in ("1", "true", "yes", "on")


def approve(rt, user):
    """Approve a request token: a verifier, and the URL MediaWiki redirects
    to (Consumer::generateCallbackUrl)."""
    c = STATE.consumers[rt.consumer_key]
    with STATE.lock:
        rt.user = user or (WIKI.user if WIKI and WIKI.user else "TestUser")
        rt.verifier = new_key()
    base = c.callback
    if c.callback_is_prefix and rt.callback and rt.callback != "oob":
        base = rt.callback
    sep = "&" if "?" in base else "?"
    return base + sep + urllib.parse.urlencode(
        [("oauth_verifier", rt.verifier), ("oauth_token", rt.token)])


def callback_matches(registered, supplied):
    """MWOAuthServer::checkCallback's prefix rules."""
    r = urllib.parse.urlsplit(registered)
    s = urllib.parse.urlsplit(supplied)
    if s.username or s.password:
        return False
    if not (s.scheme == r.scheme or (r.scheme == "http" and s.scheme == "https")):
        return False
    if (s.hostname or "") != (r.hostname or ""):
        return False
    if r.port != 1 and r.port != s.port:
        return False
    if r.query:
        if s.path != r.path or not s.query.startswith(r.query):
            return False
    elif not s.path.startswith(r.path):
        return False
    return True


def main():
    global WIKI, SERVER
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--server", help="canonical server ($wgServer); default http://HOST:PORT")
    ap.add_argument("--wiki-api", help="api.php of the real wiki to forward to")
    ap.add_argument("--bot-user", help="bot password user name, e.g. Admin@mwgen")
    ap.add_argument("--bot-password",
                    help="bot password (default: env MWGEN_OAUTH_PROVIDER_BOT_PASSWORD)")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.INFO,
                        format="oauthprovider: %(levelname)s %(message)s")
    httpd = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    SERVER = (args.server or "http://%s:%d" % (args.host, port)).rstrip("/")
    if args.wiki_api:
        password = args.bot_password or os.environ.get("MWGEN_OAUTH_PROVIDER_BOT_PASSWORD", "")
        WIKI = Wiki(args.wiki_api, args.bot_user or "", password)
    if args.exit_on_stdin_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            httpd.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    listen = "http://%s:%d" % (args.host, port)
    print(json.dumps({"ready": True, "port": port, "server": SERVER,
                      "index": listen + "/index.php", "api": listen + "/api.php"}), flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    httpd.server_close()


if __name__ == "__main__":
    main()
