"""Credentials for a remote store, sent the way the store asks: HTTP Basic, Digest (RFC 7616, qop=auth)
or a bearer token. Credentials come from settings (CDKG_REMOTE_USER, CDKG_REMOTE_PASSWORD,
CDKG_REMOTE_TOKEN), never from the URL, and are never printed.

Digest is pre-authenticated: the server's challenge is taken from a request without a body (HEAD),
then every write carries its Authorization header on the first try, so a large body is sent once
(a handler that sends each body unauthenticated first makes Virtuoso reset the connection).
"""
from __future__ import annotations

import hashlib
import os
import re
import urllib.parse

from kg.core import CdkgError


class RemoteAuthError(CdkgError):
    """The store wants credentials we do not have, or refused the ones we sent."""


def check_url(endpoint: str) -> str:
    """Refuse a URL carrying credentials (they would be logged and printed); return it unchanged."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        safe = urllib.parse.urlunsplit((parts.scheme, host + (f":{parts.port}" if parts.port else ""), parts.path, parts.query, ""))
        raise RemoteAuthError(f"the remote URL carries credentials: give it without them ({safe}) and set "
                              f"CDKG_REMOTE_USER and CDKG_REMOTE_PASSWORD (or CDKG_REMOTE_TOKEN) in the environment or settings.")
    return endpoint


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """'Digest realm="x", nonce="y"' -> ('digest', {'realm': 'x', 'nonce': 'y'})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {k.lower(): v1 if v1 else v2 for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', rest)}
    return scheme.lower(), params


def scheme_asked(header: str | None) -> str:
    return parse_challenge(header)[0].capitalize() if header else "none named (no WWW-Authenticate header)"


class RemoteAuth:
    """Makes the Authorization header of each request; `challenge` is the server's 401 header."""

    def __init__(self, user: str | None = None, password: str | None = None, token: str | None = None):
        self.user, self._password, self._token = user, password, token
        self.scheme: str | None = "bearer" if token else None
        self._digest: dict[str, str] | None = None
        self._nc = 0

    @classmethod
    def from_settings(cls, settings) -> "RemoteAuth":
        """The credentials of CDKG_REMOTE_USER / CDKG_REMOTE_PASSWORD / CDKG_REMOTE_TOKEN."""
        secret = lambda v: v.get_secret_value() if v is not None else None  # noqa: E731
        return cls(settings.remote_user, secret(settings.remote_password), secret(settings.remote_token))

    @property
    def has_credentials(self) -> bool:
        return bool(self._token or (self.user and self._password is not None))

    def describe(self) -> str:
        return ("a bearer token (CDKG_REMOTE_TOKEN)" if self._token else
                f"user '{self.user}' (CDKG_REMOTE_USER / CDKG_REMOTE_PASSWORD)" if self.has_credentials else "no credentials")

    def challenge(self, header: str) -> bool:
        """Take the server's challenge; False if we have nothing to answer it with."""
        scheme, params = parse_challenge(header)
        if self._token:  # already sent with every request: a 401 means it was refused
            return False
        if not self.has_credentials or scheme not in ("basic", "digest"):
            return False
        self.scheme = scheme
        if scheme == "digest":
            self._digest, self._nc = params, 0
        return True

    def header(self, method: str, url: str) -> str | None:
        if self.scheme == "bearer":
            return f"Bearer {self._token}"
        if self.scheme == "basic":
            import base64
            return "Basic " + base64.b64encode(f"{self.user}:{self._password}".encode()).decode()
        if self.scheme == "digest" and self._digest:
            return self._digest_header(method, url)
        return None

    def _digest_header(self, method: str, url: str) -> str:
        c = self._digest
        algorithm = c.get("algorithm", "MD5").upper()
        h = (lambda s: hashlib.sha256(s.encode()).hexdigest()) if algorithm.startswith("SHA-256") else (
            lambda s: hashlib.md5(s.encode()).hexdigest())
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        self._nc += 1
        nc, cnonce = f"{self._nc:08x}", os.urandom(8).hex()
        ha1 = h(f"{self.user}:{c.get('realm', '')}:{self._password}")
        if algorithm.endswith("-SESS"):
            ha1 = h(f"{ha1}:{c['nonce']}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in c.get("qop", "").split(",") if q.strip()]
        fields = {"username": self.user, "realm": c.get("realm", ""), "nonce": c.get("nonce", ""), "uri": uri,
                  "algorithm": c.get("algorithm", "MD5")}
        if "auth" in qops:
            fields["response"] = h(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            out = ", ".join(f'{k}="{v}"' for k, v in fields.items())
            out += f', qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            fields["response"] = h(f"{ha1}:{c['nonce']}:{ha2}")
            out = ", ".join(f'{k}="{v}"' for k, v in fields.items())
        if "opaque" in c:
            out += f', opaque="{c["opaque"]}"'
        return "Digest " + out
