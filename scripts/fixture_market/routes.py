"""Routing and the wire form, shared by every request: which market a
request reaches (by Host or by /m/NAME/ path prefix), the rate limit, the
meta endpoints (/__manifest, /__requests), and encode(), which turns a
Response into status, headers and body (gzip, ETag, 304).

A request goes in as (target, headers) and comes out as a Response and
the delay to wait before answering; the HTTP server (server.py) does the rest.
"""

import email.utils
import http.cookies
import json
import urllib.parse

from content import MARKETS, OUT_OF_SCOPE_LINKS, page, thread_page_path
from handlers import MARKET_HANDLERS, Ctx
from hostile import canary, hostile, manifest_section
from response import Response, not_found, redirect
from traps import huge_gzip, trap_record
from variants import content_key, decorate

LAST_MODIFIED = "Sat, 01 Jul 2017 00:00:00 GMT"


# --------------------------------------------------------------------------
# Manifest and request log


def manifest(state):
    cat = state.catalog
    port = state.port
    markets = {}
    for market in MARKETS:
        host_base = "http://%s.onion" % market
        path_base = "http://127.0.0.1:%d/m/%s" % (port, market)
        paths = list(cat.listing_paths(market))
        markets[market] = {
            "host": "%s.onion" % market,
            "path_prefix": "/m/%s" % market,
            "seeds": {"host": host_base + "/", "path": path_base + "/"},
            "listing_paths": paths,
            "listing_urls": [host_base + p for p in paths],
            "path_listing_urls": [path_base + p for p in paths],
        }
    markets["shop"]["login_required"] = "/listing/"
    traps = {
        "/flaky": "503 with Retry-After: 1 on the first request, then 200 with one record",
        "/slow": "answers after %.1f s, one record" % state.args.slow_s,
        "/huge": "%g MB text/html (gzip-encoded when asked: a small transfer that decodes huge)"
                 % state.args.huge_mb,
        "/bad-utf8": "declared UTF-8, contains invalid byte sequences, one record",
        "/gbk-header": "GBK, charset only in the Content-Type header, one record",
        "/gbk-meta": "GBK, charset only in <meta http-equiv>, one record",
        "/dup-a": "same bytes as /dup-b",
        "/dup-b": "same bytes as /dup-a",
        "/loop/a": "302 -> /loop/b -> /loop/a ...",
        "/calendar?month=N": "links to month N+1 forever (also calendar.onion/)",
        "/img/logo.jpg": "image/jpeg",
        "/files/sample.zip": "application/zip",
        "/dump": "a listing linking a zip, a 7z and a .txt of customers found nowhere else",
    }
    must_reach = ["/flaky", "/slow", "/bad-utf8", "/gbk-header", "/gbk-meta", "/dup-a", "/dup-b"]
    trap_records = {}
    for name in ("/flaky", "/slow", "/bad-utf8", "/dup-a", "/dup-b"):
        trap_records[name] = trap_record(state, "dup" if name.startswith("/dup") else name.strip("/")).as_dict()
    exposures = []
    for market, listing, person in cat.exposure_rows:
        if market == "shop":
            path = "/listing/%d" % listing
            urls = [path]
        elif market == "forum":
            urls = [thread_page_path(listing, 1)]
        else:
            urls = ["/paste/%d" % listing, "/raw/%d" % listing]
        entry = person.as_dict()
        entry.update({"market": market, "listing": listing, "paths": urls,
                      "urls": ["http://%s.onion%s" % (market, u) for u in urls]})
        exposures.append(entry)
    out = {
        "seed": cat.seed,
        "pages": cat.pages,
        "port": port,
        "cookie": state.args.cookie,
        "rate_limit_per_s": state.args.rate_limit,
        "latency_ms": state.args.latency_ms,
        "markets": markets,
        "traps": {"market": "shop", "paths": traps, "must_reach": must_reach, "records": trap_records},
        "out_of_scope": list(OUT_OF_SCOPE_LINKS),
        "exposures": exposures,
        "attachments": state.attachments.manifest(),
    }
    if state.hostile:
        out["hostile"] = manifest_section(state)
    return out


def request_log(state):
    with state.lock:
        return [{"host": host, "path": path, "count": e["count"], "statuses": dict(e["statuses"]), "at": e["at"],
                 "answered": dict(e.get("answered", {})), "conditional": e.get("conditional", 0),
                 "bytes": e.get("bytes", 0)}
                for (host, path), e in state.requests.items()]


def log_answer(state, target, headers, status, body_bytes):
    """Records what went out for the request serve() logged (request_log's
    "answered", "conditional" and "bytes")."""
    host = (headers.get("Host") or "").strip().lower()
    split = urllib.parse.urlsplit(target)
    path = split.path or "/"
    if path.startswith("/__"):
        return
    full = path + ("?" + split.query if split.query else "")
    conditional = bool(headers.get("If-None-Match") or headers.get("If-Modified-Since"))
    state.log_answer(host, full, status, conditional, body_bytes)


# --------------------------------------------------------------------------
# Routing and the wire form


def meta_endpoint(state, path, query_string):
    if path == "/__manifest":
        return Response(200, json.dumps(manifest(state)), content_type="application/json",
                        compressible=False)
    if path == "/__requests":
        if "reset=1" in query_string.split("&"):
            with state.lock:
                state.requests.clear()
        return Response(200, json.dumps(request_log(state)), content_type="application/json",
                        compressible=False)
    if path == "/__crawl":
        summary = state.account.summary(reset="reset=1" in query_string.split("&"))
        return Response(200, json.dumps(summary), content_type="application/json", compressible=False)
    return not_found()


def route(state, host, path, query_string, raw_cookie):
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
    markets = MARKETS + ("hostile",) if state.hostile else MARKETS
    market, base, rel = None, "", path
    if hostname.endswith(".onion") and hostname[:-len(".onion")] in markets:
        market = hostname[:-len(".onion")]
    elif path.startswith("/m/"):
        name, slash, rest = path[3:].partition("/")
        if name in markets:
            if not slash:
                return redirect("/m/%s/" % name, 301)
            market, base, rel = name, "/m/" + name, "/" + rest
    if market is None:
        if state.hostile and path == "/canary":
            return canary(state, host, query_string)
        return not_found()
    if state.over_rate(host):
        return Response(429, page("Too many requests", "<h1>429 Too Many Requests</h1>"),
                        headers=[("Retry-After", "1")])
    query = {k: v[0] for k, v in urllib.parse.parse_qs(query_string, keep_blank_values=True).items()}
    cookies = {}
    if raw_cookie:
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(raw_cookie)
        except http.cookies.CookieError:
            pass
        cookies = {k: m.value for k, m in jar.items()}
    ctx = Ctx(market, base, rel, query, cookies, host)
    return (hostile if market == "hostile" else MARKET_HANDLERS[market])(state, ctx)


def serve(state, target, headers):
    """Returns (Response, seconds to wait before sending it). `headers.get(name)`
    must be case-insensitive."""
    host = (headers.get("Host") or "").strip().lower()
    split = urllib.parse.urlsplit(target)
    path, query_string = split.path or "/", split.query
    if path.startswith("/__"):
        return meta_endpoint(state, path, query_string), 0.0
    response = route(state, host, path, query_string, headers.get("Cookie"))
    full = path + ("?" + query_string if query_string else "")
    state.log_request(host, full, response.status)
    state.account.record(host, path, query_string, response.status)
    if state.args.variants and response.status == 200 and response.content_type.startswith("text/html") \
            and response.stream is None:
        response = varied(response, host + content_key(path, query_string))
    return response, state.latency() + response.delay


def varied(response, page_key):
    """A copy of `response` whose links carry neutral parameters (variants.py);
    cached responses stay as rendered."""
    out = Response(response.status, decorate(response.body, page_key), response.content_type,
                   response.headers, response.compressible, delay=response.delay, close=response.close)
    return out


def not_modified_since(value):
    """Whether an If-Modified-Since date is at or after LAST_MODIFIED."""
    if not value:
        return False
    try:
        return email.utils.parsedate_to_datetime(value) >= email.utils.parsedate_to_datetime(LAST_MODIFIED)
    except (TypeError, ValueError):
        return False


def encode(state, response, headers):
    """Returns (status, [(name, value)], body, stream): the headers after
    Content-Type and Content-Length (or Transfer-Encoding); `stream`
    (callable(write)) or `body` is what goes out."""
    accepts_gzip = "gzip" in (headers.get("Accept-Encoding") or "").lower()
    body, stream, length = response.body, response.stream, response.length
    out = [("Content-Length", None)] + list(response.headers)
    gzip_it = accepts_gzip and response.compressible and response.status != 304
    if gzip_it:
        if stream is not None:
            body, stream = huge_gzip(state), None
        else:
            body = response.gzip_body()
        out.append(("Content-Encoding", "gzip"))
    if response.compressible:
        out.append(("Vary", "Accept-Encoding"))
    status = response.status
    if stream is None and status == 200:
        etag = response.etag(body, gzip_it)
        out += [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
        # If-None-Match decides when sent (RFC 9110 13.2.2); else If-Modified-Since
        # (every body here carries the one LAST_MODIFIED date).
        if_none_match, if_modified_since = headers.get("If-None-Match"), headers.get("If-Modified-Since")
        if if_none_match == etag or (if_none_match is None and not_modified_since(if_modified_since)):
            status, body = 304, b""
    if stream is not None and response.chunked:
        out[0] = ("Transfer-Encoding", "chunked")
    else:
        out[0] = ("Content-Length", str(length if stream is not None else len(body)))
    if response.close:
        out.append(("Connection", "close"))
    if status != 304:
        out.insert(0, ("Content-Type", response.content_type))
    return status, out, body, stream
