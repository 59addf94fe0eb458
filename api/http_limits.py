"""uvicorn's httptools protocol with limits on the request line and the headers, applied as bytes arrive.

httptools buffers a header until its end, and uvicorn sets no limit: one 100 MB header kept the event
loop busy for 13 s. Counting the bytes of the request head as they come in lets the server answer
431 (headers) or 414 (URL) and close the connection after about one read past the limit.

`cdkg serve` uses it; with plain uvicorn pass `--http api.http_limits:LimitedHttpToolsProtocol`.
"""
from __future__ import annotations

from functools import lru_cache

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

# The longest URL httptools can parse: it keeps URL offsets in 16 bits, and a longer one failed as a bare 400.
MAX_URL_BYTES = 65_535


class HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing; the refusal is sent by send_400_response."""


@lru_cache(maxsize=1)
def _settings_limits() -> tuple[int, int]:
    from kg.core import Settings

    settings = Settings()
    return settings.max_header_bytes, settings.max_headers


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_header_bytes: int | None = None  # None: read CDKG_MAX_HEADER_BYTES / CDKG_MAX_HEADERS once
    max_headers: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_header_bytes is None or self.max_headers is None:
            self.max_header_bytes, self.max_headers = _settings_limits()
        self._in_head = True  # reading a request line and headers (not a body)
        self._head_bytes = self._url_bytes = self._header_count = self._header_bytes = 0
        self._refusal: tuple[int, str] | None = None

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # Still in the head after this read: the bytes beyond the URL are header bytes (give or take the
        # request line's method, version and line ends, hence the slack).
        if (self._refusal is None and self._in_head and self.parser is not None
                and self._head_bytes - self._url_bytes > self.max_header_bytes + 64):
            self._refusal = (431, self._too_large)
            self.send_400_response("")

    @property
    def _too_large(self) -> str:
        return f"request headers are over the limit of {self.max_header_bytes} bytes (CDKG_MAX_HEADER_BYTES)"

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_bytes = self._header_count = self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > MAX_URL_BYTES:
            self._refusal = (414, f"the URL is over the limit of {MAX_URL_BYTES} bytes; send a long SPARQL query "
                                  "with POST (application/sparql-query, or a form with query=)")
            raise HeadTooLarge
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value) + 4  # ": " and the line end, as they came
        if self._header_count > self.max_headers:
            self._refusal = (431, f"more than {self.max_headers} request headers (CDKG_MAX_HEADERS)")
            raise HeadTooLarge
        if self._header_bytes > self.max_header_bytes:  # a head that arrived within one read
            self._refusal = (431, self._too_large)
            raise HeadTooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0  # what follows is the next request's head
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            return super().send_400_response(msg)
        status, text = self._refusal
        body = text.encode("utf-8")
        head = [STATUS_LINE[status]]
        head += [b"%s: %s\r\n" % (name, value) for name, value in self.server_state.default_headers]
        head += [b"content-type: text/plain; charset=utf-8\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n", body]
        self.logger.warning("refused a request: %s", text)
        self.transport.write(b"".join(head))
        self.transport.close()


def limited_protocol(max_header_bytes: int, max_headers: int) -> type[LimitedHttpToolsProtocol]:
    """The protocol class with these limits (for uvicorn.Config(http=...))."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,),
                {"max_header_bytes": max_header_bytes, "max_headers": max_headers})
