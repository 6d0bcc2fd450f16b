"""What a handler returns (Response, with its gzip form and ETags kept),
the page cache (cached), redirects and 404s.
"""

import gzip
import hashlib

from content import esc, page


class Response:
    def __init__(self, status=200, body=b"", content_type="text/html; charset=utf-8", headers=None,
                 compressible=True, stream=None, length=None, delay=0.0, chunked=False, close=False):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.compressible = compressible
        self.stream = stream      # callable(write) for bodies too big to hold
        self.length = length      # Content-Length for streamed bodies
        self.delay = delay        # extra seconds before answering (the slow page)
        self.chunked = chunked    # stream() writes the chunked framing itself; no Content-Length
        self.close = close        # Connection: close (a body that ends early or never)
        self._gzip = None
        self._etags = {}

    def gzip_body(self):
        if self._gzip is None:
            self._gzip = gzip.compress(self.body, 6, mtime=0)
        return self._gzip

    def etag(self, body, gzipped):
        tag = self._etags.get(gzipped)
        if tag is None:
            tag = self._etags[gzipped] = '"%s"' % hashlib.md5(body).hexdigest()
        return tag


def cached(state, key, render):
    """render() once per key with --cache; a cached Response keeps its gzip form and ETags."""
    cache = state.page_cache
    if cache is None:
        return render()
    response = cache.get(key)
    if response is None:
        response = cache[key] = render()
    return response


def redirect(location, status=302, headers=None):
    return Response(status, page("Redirect", "<a href=\"%s\">moved</a>" % esc(location)),
                    headers=[("Location", location)] + list(headers or []))


def not_found():
    return Response(404, page("Not found", "<h1>404 Not Found</h1>"))
