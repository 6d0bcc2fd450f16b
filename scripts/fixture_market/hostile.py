"""The hostile market (server.py --hostile): pages built to hurt a crawler,
each with what it does and the planted records it holds listed in the
manifest under "hostile". Off by default, so the other markets, their
manifest and the tests that crawl them are unchanged.

Reached like the other markets, by Host (hostile.onion) or by path prefix
(/m/hostile/); the loopback canary that its redirects point at is /canary on
any host. See README.md, "Hostile market".
"""

import struct
import threading
import time
import urllib.parse
import zlib

from content import esc, make_person, page, planted_table, rng_for
from response import Response, not_found, redirect

NESTED_DEPTH = 100_000
BOMB_BLOCK = b" " * (1 << 20)     # HTML whitespace, 1 MiB
BOMB_BLOCKS = 1024                # 1 GiB expanded
ENDLESS_CHUNK_EVERY_S = 0.1
SLOW_BODY_DECLARED = 1 << 20      # Content-Length of /slow-body
HEADER_BYTES = 1 << 20
FILLER = "<p>%06d more of the same, and more, and more, forever and ever %s</p>\n"

# Where the redirects go: all of them land on this machine's loopback, so a
# guard that fails shows up as a /canary hit in /__requests and no packet
# leaves the machine. (A real private address such as 10.0.0.1 would.)
REDIRECTS = {
    "loopback-ip": ("http://127.0.0.1:%(port)d/canary?via=loopback-ip", "302 to the loopback address"),
    "localhost": ("http://localhost:%(port)d/canary?via=localhost", "302 to the host name localhost"),
    "dot-localhost": ("http://canary.localhost:%(port)d/canary?via=dot-localhost",
                      "302 to a *.localhost name (RFC 6761; libcurl resolves it to loopback itself)"),
    "zero": ("http://0.0.0.0:%(port)d/canary?via=zero", "302 to 0.0.0.0, which Linux connects to this host"),
    "decimal": ("http://2130706433:%(port)d/canary?via=decimal", "302 to 127.0.0.1 written as one number"),
    "mapped-v6": ("http://[::ffff:127.0.0.1]:%(port)d/canary?via=mapped-v6",
                  "302 to 127.0.0.1 as an IPv4-mapped IPv6 address"),
}


def hostile_record(state, name):
    """A planted person per hostile page, in the traps' style: seeded by name."""
    return make_person(rng_for(state.catalog.seed, "hostile", name))


def contact_path(state):
    return "/contact/" + hostile_record(state, "contact").email


def profile_path(state):
    return "/profile?user=" + hostile_record(state, "profile").email


def pages(state):
    """(market-relative path, what it is, record names it holds), in index order."""
    limit = state.args.hostile_s
    out = [
        ("/nested", "%d nested <div> (~1.1 MB); the record sits inside the outermost div, after the "
                    "inner ones close (the last 150 bytes)" % NESTED_DEPTH, ["nested"]),
        ("/gzip-bomb", "Content-Encoding: gzip whether asked or not, ~1 MB on the wire, %d MiB and a few "
                       "bytes decoded; the record is in the first decoded bytes" % BOMB_BLOCKS, ["gzip-bomb"]),
        ("/endless", "chunked, a ~90-byte chunk every %g s after the first, never a last chunk; the server closes the "
                     "connection after %g s; the record is in the first chunk" % (ENDLESS_CHUNK_EVERY_S, limit),
         ["endless"]),
        ("/slow-body", "Content-Length %d, sends the first ~230 bytes (the record) at once, then nothing "
                       "for %g s, then closes" % (SLOW_BODY_DECLARED, limit), ["slow-body"]),
        ("/huge-header", "one response header line (X-Padding) of %d bytes; small body" % HEADER_BYTES, []),
        ("/many-headers", "%d response header lines of ~1 KiB (%d bytes in all); small body"
                          % (HEADER_BYTES // 1024, HEADER_BYTES), []),
        (contact_path(state), "an email address in the URL path; the same record in the page", ["contact"]),
        (profile_path(state), "an email address in the URL query; the same record in the page", ["profile"]),
        ("/titled", "an email address in <title> and h1.title (\"listing for EMAIL\"); the record in the page",
         ["titled"]),
        ("/counter", "a listing whose view counter changes its text on every visit (a new ETag each "
                     "time); its record never changes", ["counter"]),
    ]
    for name, (target, what) in REDIRECTS.items():
        out.append(("/redirect/" + name, "%s: %s" % (what, target % {"port": state.port}), []))
    return out


def hostile(state, ctx):
    """The handler of the hostile market (routes.py calls it like the others)."""
    path = ctx.path
    if path == "/":
        links = ["<li><a href=\"%s\">%s</a></li>" % (esc(ctx.link(p)), esc(p)) for p, _, _ in pages(state)]
        return Response(200, page("Hostile market", "<h1>Hostile market</h1>\n<ul>\n%s\n</ul>" % "\n".join(links)))
    if path == "/nested":
        return Response(200, nested_html(state))
    if path == "/gzip-bomb":
        return state.hostile.bomb_response()
    if path == "/endless":
        return endless_response(state)
    if path == "/slow-body":
        return slow_body_response(state)
    if path == "/huge-header":
        return Response(200, page("Huge header", "<p>The header was the point.</p>"),
                        headers=[("X-Padding", "x" * HEADER_BYTES)])
    if path == "/many-headers":
        value = "y" * (1024 - len("X-Padding-0000: \r\n"))
        return Response(200, page("Many headers", "<p>The headers were the point.</p>"),
                        headers=[("X-Padding-%04d" % i, value) for i in range(HEADER_BYTES // 1024)])
    if urllib.parse.unquote(path) == contact_path(state):
        return record_page(state, "contact", "Contact", "<p>Write to the seller at the address in this URL.</p>")
    if path == "/profile" and "/profile?user=" + ctx.query.get("user", "") == profile_path(state):
        return record_page(state, "profile", "Profile", "<p>A seller profile, by address.</p>")
    if path == "/titled":
        email = hostile_record(state, "titled").email
        return record_page(state, "titled", "listing for " + email, "")
    if path == "/counter":
        views = state.hostile.visit((ctx.scheme_host, ctx.base))
        return record_page(state, "counter", "Apple ID + phone - fresh",
                           "<p class=\"views\">Viewed %d times</p>" % views)
    if path.startswith("/redirect/"):
        target = REDIRECTS.get(path[len("/redirect/"):])
        if target:
            return redirect(target[0] % {"port": state.port})
    return not_found()


def record_page(state, name, title, extra):
    body = "<h1 class=\"title\">%s</h1>\n%s\n%s" % (esc(title), extra, planted_table([hostile_record(state, name)]))
    return Response(200, page(title, body))


def nested_html(state):
    person = hostile_record(state, "nested")
    record = "<p class=\"record\">%s | %s | %s</p>" % (esc(person.name), esc(person.email), esc(person.phone))
    body = ("<div>" * NESTED_DEPTH + "deepest text" + "</div>" * (NESTED_DEPTH - 1)
            + record + "</div>")
    return page("Nested", body)


def record_head(state, name, title):
    """An HTML page's first bytes, up to and including one planted record."""
    person = hostile_record(state, name)
    return page(title, "<h1>%s</h1>\n%s\n@@" % (esc(title), planted_table([person]))).split("@@")[0].encode("utf-8")


def endless_response(state):
    head = record_head(state, "endless", "Endless")
    limit = state.args.hostile_s

    def stream(write):
        deadline = time.monotonic() + limit
        write(chunk(head))
        n = 0
        while time.monotonic() < deadline:
            time.sleep(ENDLESS_CHUNK_EVERY_S)
            n += 1
            write(chunk((FILLER % (n, "x" * 16)).encode("ascii")))
        # No last chunk: the connection is closed (Response.close) mid-body.

    return Response(200, stream=stream, chunked=True, close=True, compressible=False)


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


def slow_body_response(state):
    head = record_head(state, "slow-body", "Slow body")
    limit = state.args.hostile_s

    def stream(write):
        write(head)
        time.sleep(limit)
        # The rest of the declared length never comes: the connection is closed.

    return Response(200, stream=stream, length=SLOW_BODY_DECLARED, close=True, compressible=False)


def canary(state, host, query_string):
    """/canary on any host: what the redirects point at. A crawler that stores
    it, or fetches it at all, went where its guard should have stopped it."""
    person = hostile_record(state, "canary")
    via = urllib.parse.parse_qs(query_string).get("via", ["?"])[0]
    body = "<h1 class=\"title\">Loopback canary</h1>\n<p>reached via %s, Host %s</p>\n%s" % (
        esc(via), esc(host), planted_table([person]))
    return Response(200, page("Loopback canary", body))


class HostileState:
    """What the hostile pages remember: view counters and the gzip bomb, whose
    CRC (over 1 GiB) is computed in a thread started with the server."""

    def __init__(self, state):
        self.state = state
        self.lock = threading.Lock()
        self.views = {}
        self.bomb = None
        self.bomb_ready = threading.Event()
        threading.Thread(target=self.build_bomb, daemon=True).start()

    def visit(self, key):
        with self.lock:
            self.views[key] = self.views.get(key, 0) + 1
            return self.views[key]

    def build_bomb(self):
        self.bomb = gzip_bomb(record_head(self.state, "gzip-bomb", "Bomb"), b"</body></html>\n")
        self.bomb_ready.set()

    def bomb_response(self):
        self.bomb_ready.wait()
        return Response(200, self.bomb, headers=[("Content-Encoding", "gzip")], compressible=False)


def gzip_bomb(head, tail):
    """A gzip member of head + BOMB_BLOCKS x BOMB_BLOCK + tail, ~1 MB. After a
    full flush deflate starts afresh, so one compressed block is repeated."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(BOMB_BLOCK) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(BOMB_BLOCK) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "deflate output after a full flush depends on history"
    last = comp.compress(tail) + comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(BOMB_BLOCKS):
        crc = zlib.crc32(BOMB_BLOCK, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + BOMB_BLOCKS * len(BOMB_BLOCK) + len(tail)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, mtime 0, best compression, OS unknown
    return b"".join([header, first, block * BOMB_BLOCKS, last,
                     struct.pack("<II", crc & 0xffffffff, size & 0xffffffff)])


def manifest_section(state):
    """The manifest's "hostile" object."""
    port = state.port
    host_base, path_base = "http://hostile.onion", "http://127.0.0.1:%d/m/hostile" % port
    listed = {}
    for path, what, names in pages(state):
        entry = {"what": what, "records": [hostile_record(state, n).as_dict() for n in names],
                 "url": host_base + path, "path_url": path_base + path}
        if path.startswith("/redirect/"):
            entry["location"] = REDIRECTS[path[len("/redirect/"):]][0] % {"port": port}
        listed[path] = entry
    return {
        "host": "hostile.onion",
        "path_prefix": "/m/hostile",
        "seeds": {"host": host_base + "/", "path": path_base + "/"},
        "limit_s": state.args.hostile_s,
        "pages": listed,
        "canary": {"path": "/canary", "url": "http://127.0.0.1:%d/canary" % port,
                   "what": "answers 200 on any host, logged in /__requests; a crawler must never reach it",
                   "records": [hostile_record(state, "canary").as_dict()]},
    }
