"""Security headers on every response (pure ASGI middleware: it only adds headers, streams pass through).

A page that runs scripts sets its own Content-Security-Policy (the query UI, /docs, /redoc, /explore);
every other HTML page gets one that runs no script at all, and data answers one that allows nothing."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages from api/templates: an inline <style>, links and the search form; no script.
PAGE_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                csp = next((v for n, v in headers if n.lower() == b"content-security-policy"), None)
                if csp is None:
                    ctype = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                    csp = (PAGE_CSP if ctype.startswith(b"text/html") else DATA_CSP).encode()
                    headers.append((b"content-security-policy", csp))
                # X-Frame-Options for browsers without CSP frame-ancestors, saying the same thing
                frame = b"SAMEORIGIN" if b"frame-ancestors 'self'" in csp else b"DENY"
                headers += [(n, v) for n, v in [*_ALWAYS, (b"x-frame-options", frame)] if n not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
