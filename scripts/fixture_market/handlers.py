"""The markets' pages: a request, already routed to a market (see routes.py),
becomes a Response. One function per market (shop, forum, paste, calendar),
the shop's traps, and the server state the handlers share (the request log,
rate windows, first-visit sets, caches).
"""

import collections
import gzip
import hashlib
import itertools
import random
import threading
import time
import urllib.parse
import zlib

from content import (HANZI_SURNAMES, HUGE_LINE, JPEG_BYTES, LISTINGS_PER_INDEX_PAGE, OUT_OF_SCOPE_LINKS,
                     POSTS_PER_THREAD_PAGE, THREADS_PER_FORUM_PAGE, ZIP_BYTES, Person, esc, huge_parts,
                     make_person, page, paste_text, planted_table, records_table, render_phone, rng_for)
import attachments
from variants import CrawlAccount

# --------------------------------------------------------------------------
# Server state shared by handler threads


class State:
    def __init__(self, args, catalog):
        self.args = args
        self.catalog = catalog
        self.attachments = attachments.Attachments(catalog.seed)  # /dump and its files
        self.lock = threading.Lock()
        self.requests = collections.OrderedDict()  # (host, path) -> {"count": n, "statuses": {}, "answered": {}, ...}
        self.rate_windows = collections.defaultdict(collections.deque)
        self.flaky_seen = set()
        self.sid_counter = itertools.count(1)
        self.huge_gzip = None
        self.page_cache = None  # --cache: (base, path, number) -> Response
        self.hostile = None     # --hostile: hostile.HostileState
        self.port = 0
        self.account = CrawlAccount()  # /__crawl: fetches, distinct pages, variant fetches per host
        self.jitter = random.Random(args.seed)
        cookie_name, _, cookie_value = args.cookie.partition("=")
        self.cookie_name, self.cookie_value = cookie_name.strip(), cookie_value.strip()

    def log_request(self, host, path, status):
        with self.lock:
            entry = self.requests.get((host, path))
            if entry is None:
                entry = self.requests[(host, path)] = {"count": 0, "statuses": collections.Counter(), "at": []}
            entry["count"] += 1
            entry["at"].append(round(time.monotonic(), 4))
            entry["statuses"][str(status)] += 1

    def log_answer(self, host, path, status, conditional, body_bytes):
        """What was sent for a request log_request logged: the status after
        conditional headers (a routed 200 may go out as 304), whether the
        request was conditional (If-None-Match / If-Modified-Since), and the
        body's bytes (0 for a 304 or a HEAD; streamed bodies are not counted)."""
        with self.lock:
            entry = self.requests.get((host, path))
            if entry is None:
                return
            entry.setdefault("answered", collections.Counter())[str(status)] += 1
            entry["conditional"] = entry.get("conditional", 0) + (1 if conditional else 0)
            entry["bytes"] = entry.get("bytes", 0) + body_bytes

    def over_rate(self, key):
        limit = self.args.rate_limit
        if limit <= 0:
            return False
        now = time.monotonic()
        with self.lock:
            window = self.rate_windows[key]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                return True  # rejected requests are not counted: a polite retry gets through
            window.append(now)
            return False

    def latency(self):
        """Seconds to wait before answering: --latency-ms plus up to --latency-jitter-ms, like Tor."""
        jitter = self.args.latency_jitter_ms
        if jitter <= 0:
            return self.args.latency_ms / 1000.0
        with self.lock:
            extra = self.jitter.random() * jitter
        return (self.args.latency_ms + extra) / 1000.0

    def first_flaky(self, key):
        with self.lock:
            if key in self.flaky_seen:
                return False
            self.flaky_seen.add(key)
            return True

    def new_sid(self):
        return hashlib.md5(b"sid%d" % next(self.sid_counter)).hexdigest()


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


# --------------------------------------------------------------------------
# Markets. Each function gets (state, ctx) where ctx knows the link prefix.


class Ctx:
    def __init__(self, market, base, path, query, cookies, scheme_host):
        self.market = market
        self.base = base            # "" by host, "/m/shop" by path
        self.path = path            # market-relative path, starts with "/"
        self.query = query          # dict of first values
        self.cookies = cookies
        self.scheme_host = scheme_host

    def link(self, path):
        return self.base + path


def shop(state, ctx):
    cat = state.catalog
    path = ctx.path
    if path == "/":
        return shop_home(state, ctx)
    if path == "/listings":
        return shop_index(state, ctx)
    if path.startswith("/listing/"):
        try:
            i = int(path[len("/listing/"):])
        except ValueError:
            return not_found()
        if not 1 <= i <= cat.shop_count:
            return not_found()
        wall = login_wall(state, ctx)
        if wall:
            return wall
        return cached(state, (ctx.base, "/listing/", i), lambda: Response(200, shop_listing_html(state, ctx, i)))
    if path == "/login":
        return login_page(state, ctx)
    if path == "/calendar":
        return calendar_page(state, ctx)
    return trap(state, ctx) or not_found()


def shop_home(state, ctx):
    cat = state.catalog
    index_pages = (cat.shop_count + LISTINGS_PER_INDEX_PAGE - 1) // LISTINGS_PER_INDEX_PAGE
    parts = ["<h1>Golden Apple Market</h1>",
             "<p>Fresh Apple ID databases, escrow available. <a href=\"%s\">Login</a></p>" % ctx.link("/login"),
             "<div class=\"pages\">"]
    parts += ["<a href=\"%s\">Page %d</a>" % (ctx.link("/listings?page=%d" % p), p)
              for p in range(1, index_pages + 1)]
    parts.append("</div>")
    parts.append("<ul class=\"misc\">")
    for label, target in [("Events", "/calendar?month=0"), ("Status", "/flaky"), ("Big catalogue", "/huge"),
                          ("Slow mirror", "/slow"), ("Legacy", "/bad-utf8"), ("CN (header)", "/gbk-header"),
                          ("CN (meta)", "/gbk-meta"), ("Mirror A", "/dup-a"), ("Mirror B", "/dup-b"),
                          ("Old link", "/loop/a"), ("Logo", "/img/logo.jpg"), ("Sample", "/files/sample.zip"),
                          ("Full dump", attachments.LISTING),
                          ("Top", "/#top")]:
        parts.append("<li><a href=\"%s\">%s</a></li>" % (ctx.link(target), esc(label)))
    for target in OUT_OF_SCOPE_LINKS:
        parts.append("<li><a href=\"%s\">partner</a></li>" % target)
    parts.append("<li><a href=\"mailto:admin@shop.onion\">mail</a></li>")
    parts.append("<li><a href=\"javascript:void(0)\">js</a></li>")
    parts.append("</ul>")
    parts.append("<img src=\"%s\" alt=\"logo\">" % ctx.link("/img/logo.jpg"))
    return Response(200, page("Golden Apple Market", "\n".join(parts)))


def shop_index(state, ctx):
    cat = state.catalog
    try:
        p = int(ctx.query.get("page", "1"))
    except ValueError:
        return not_found()
    index_pages = (cat.shop_count + LISTINGS_PER_INDEX_PAGE - 1) // LISTINGS_PER_INDEX_PAGE
    if not 1 <= p <= index_pages:
        return not_found()
    return cached(state, (ctx.base, "/listings", p), lambda: shop_index_page(state, ctx, p, index_pages))


def shop_index_page(state, ctx, p, index_pages):
    cat = state.catalog
    first = (p - 1) * LISTINGS_PER_INDEX_PAGE + 1
    last = min(cat.shop_count, p * LISTINGS_PER_INDEX_PAGE)
    # <base> plus relative hrefs: links must be resolved against <base>, not the page URL.
    head = "<base href=\"%s/\">" % ctx.base
    if p < index_pages:
        head += "<link rel=\"next\" href=\"listings?page=%d\">" % (p + 1)
    rows = ["<h1>Listings, page %d</h1>" % p, "<ul class=\"listings\">"]
    for i in range(first, last + 1):
        item = cat.shop_listing(i)
        rows.append("<li><a href=\"listing/%d\">%s</a> <span class=\"price\">%s</span> "
                    "<a href=\"listing/%d#reviews\">reviews</a></li>" % (i, esc(item["title"]), item["price"], i))
    rows.append("</ul>")
    if p > 1:
        rows.append("<a rel=\"prev\" href=\"listings?page=%d\">Prev</a>" % (p - 1))
    if p < index_pages:
        rows.append("<a rel=\"next\" href=\"listings?page=%d\">Next</a>" % (p + 1))
    return Response(200, page("Listings %d" % p, "\n".join(rows), head))


def shop_listing_html(state, ctx, i):
    item = state.catalog.shop_listing(i)
    body = [
        "<h1 class=\"title\">%s</h1>" % esc(item["title"]),
        "<div class=\"meta\">Price: <span class=\"price\">%s</span> Seller: <span class=\"seller\">%s</span></div>"
        % (item["price"], esc(item["seller"])),
        "<p class=\"desc\">Fresh records from a service partner. Sample below, full file after payment.</p>",
        "<script>var tracking = 'not-an-identifier@script.example';</script>",
        "<style>.x{color:red}</style>",
        records_table(item["rows"], item["styles"]),
    ]
    planted = state.catalog.planted.get(("shop", i))
    if planted:
        body.append(planted_table(planted))
    body.append("<p><a href=\"%s\">Back</a></p>" % ctx.link("/listings?page=%d" % (
        (i - 1) // LISTINGS_PER_INDEX_PAGE + 1)))
    return page(item["title"], "\n".join(body))


def prerender_shop(state):
    """Fills the page cache with the shop's index and listing pages, by host
    and by path, plain and gzip-encoded; compresses /huge."""
    cat = state.catalog
    index_pages = (cat.shop_count + LISTINGS_PER_INDEX_PAGE - 1) // LISTINGS_PER_INDEX_PAGE
    for base in ("", "/m/shop"):
        for p in range(1, index_pages + 1):
            ctx = Ctx("shop", base, "/listings", {"page": str(p)}, {}, "")
            shop_index(state, ctx).gzip_body()
        for i in range(1, cat.shop_count + 1):
            key = (base, "/listing/", i)
            ctx = Ctx("shop", base, "/listing/%d" % i, {}, {}, "")
            cached(state, key, lambda: Response(200, shop_listing_html(state, ctx, i))).gzip_body()
    huge_gzip(state)


def login_wall(state, ctx):
    if not state.cookie_name:
        return None
    value = ctx.cookies.get(state.cookie_name)
    if value is None:
        target = ctx.link("/login") + "?next=" + urllib.parse.quote(ctx.link(ctx.path), safe="")
        return redirect(target)
    if value != state.cookie_value:
        return Response(200, page("Session expired", "<h1>Your session has expired</h1>"
                                  "<form method=\"post\" action=\"%s\"><input name=\"username\">"
                                  "<input type=\"password\" name=\"password\"></form>" % ctx.link("/login")))
    return None


def login_page(state, ctx):
    headers = []
    if state.cookie_name:
        headers.append(("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (state.cookie_name, state.cookie_value)))
    body = ("<h1>Login</h1><form method=\"post\" action=\"%s\"><input name=\"username\">"
            "<input type=\"password\" name=\"password\"><button>Sign in</button></form>" % ctx.link("/login"))
    return Response(200, page("Login", body), headers=headers)


def calendar_page(state, ctx):
    try:
        month = int(ctx.query.get("month", "0"))
    except ValueError:
        return not_found()
    path = "/calendar" if ctx.market == "shop" else "/"
    body = ("<h1>Events, month %d</h1><p>No events.</p>"
            "<a href=\"%s?month=%d\">previous</a> <a rel=\"next\" href=\"%s?month=%d\">next</a>"
            % (month, ctx.link(path), month - 1, ctx.link(path), month + 1))
    return Response(200, page("Calendar %d" % month, body))


# --------------------------------------------------------------------------
# The shop's traps


def trap_record(state, name):
    rng = rng_for(state.catalog.seed, "trap", name)
    return make_person(rng)


def trap(state, ctx):
    path = ctx.path
    if path == "/flaky":
        if state.first_flaky((ctx.scheme_host, ctx.base, path)):
            return Response(503, page("Maintenance", "<h1>503 Service Unavailable</h1>"),
                            headers=[("Retry-After", "1")])
        person = trap_record(state, "flaky")
        return Response(200, page("Status", "<h1>Back online</h1>" + records_table([person], 0)))
    if path == "/slow":
        person = trap_record(state, "slow")
        return Response(200, page("Slow mirror", "<h1>Slow</h1>" + records_table([person], 0)),
                        delay=state.args.slow_s)
    if path == "/huge":
        return huge_response(state, ctx)
    if path == "/bad-utf8":
        person = trap_record(state, "bad-utf8")
        body = page("Legacy \xe9", "<h1>Legacy</h1><p>broken: @@BAD@@ end</p>" + records_table([person], 0))
        raw = body.encode("utf-8").replace(b"@@BAD@@", b"\xff\xfe\xc3\x28 \xe2\x82 \xf0\x90\x80")
        return Response(200, raw)
    if path in ("/gbk-header", "/gbk-meta"):
        person = trap_record(state, path)
        name = rng_for(state.catalog.seed, "gbk", path).choice(HANZI_SURNAMES) + "伟"
        people = [Person(name, person.email, person.phone)]
        if path == "/gbk-header":
            text = ("<!DOCTYPE html><html><head><title>苹果账号出售</title></head><body>"
                    "<h1>苹果账号 数据 出售</h1>%s</body></html>" % records_table(people, 0))
            return Response(200, text.encode("gbk"), content_type="text/html; charset=GBK")
        text = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
                "<title>手机号码 数据库</title></head><body><h1>手机号码 数据库</h1>%s</body></html>"
                % records_table(people, 0))
        return Response(200, text.encode("gbk"), content_type="text/html")
    if path == "/dup-a" or path == "/dup-b":
        person = trap_record(state, "dup")
        return Response(200, page("Mirror", "<h1>Mirror</h1>" + records_table([person], 0)))
    if path == "/loop/a":
        return redirect(ctx.link("/loop/b"))
    if path == "/loop/b":
        return redirect(ctx.link("/loop/a"))
    if path.startswith("/img/"):
        return Response(200, JPEG_BYTES, content_type="image/jpeg", compressible=False)
    if path == attachments.LISTING:
        return Response(200, state.attachments.listing_html(ctx))
    if path == attachments.BARE_LISTING:
        return Response(200, state.attachments.bare_listing_html(ctx))
    if path.startswith(attachments.BARE_FILES):
        found = state.attachments.bare_files.get(path[len(attachments.BARE_FILES):])
        if found is None:
            return not_found()
        return Response(200, found[0], content_type=found[1], compressible=False)
    if path.startswith(attachments.FILES):
        found = state.attachments.files.get(path[len(attachments.FILES):])
        if found is None:
            return not_found()
        return Response(200, found[0], content_type=found[1], compressible=False)
    if path.startswith("/files/"):
        return Response(200, ZIP_BYTES, content_type="application/zip", compressible=False)
    return None


def huge_response(state, ctx):
    total = int(state.args.huge_mb * 1024 * 1024)
    start, reps, end = huge_parts(total)
    length = len(start) + reps * len(HUGE_LINE) + len(end)

    def stream(write):
        write(start)
        block = HUGE_LINE * 64
        left = reps
        while left >= 64:
            write(block)
            left -= 64
        write(HUGE_LINE * left)
        write(end)

    return Response(200, stream=stream, length=length, compressible=True)


def huge_gzip(state):
    with state.lock:
        if state.huge_gzip is None:
            total = int(state.args.huge_mb * 1024 * 1024)
            start, reps, end = huge_parts(total)
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            out = [comp.compress(start)]
            block = HUGE_LINE * 64
            for _ in range(reps // 64):
                out.append(comp.compress(block))
            out.append(comp.compress(HUGE_LINE * (reps % 64)))
            out.append(comp.compress(end))
            out.append(comp.flush())
            state.huge_gzip = b"".join(out)
        return state.huge_gzip


# --------------------------------------------------------------------------
# Forum (phpBB-like), paste site, calendar


def forum(state, ctx):
    cat = state.catalog
    sid = state.new_sid()
    path = ctx.path
    if path == "/":
        body = ["<h1>Breach Forum</h1>", "<ul>"]
        for f, name in ((1, "Databases"), (2, "Combolists")):
            body.append("<li><a href=\"./viewforum.php?f=%d&amp;sid=%s\">%s</a></li>" % (f, sid, name))
        body.append("</ul>")
        return Response(200, page("Breach Forum", "\n".join(body)))
    if path == "/viewforum.php":
        try:
            f = int(ctx.query.get("f", "0"))
            start = int(ctx.query.get("start", "0"))
        except ValueError:
            return not_found()
        if f not in (1, 2):
            return not_found()
        threads = [t for t in range(f, cat.forum_threads + 1, 2)]
        chunk = threads[start:start + THREADS_PER_FORUM_PAGE]
        if start and not chunk:
            return not_found()
        body = ["<h1>Forum %d</h1>" % f, "<table class=\"topics\">"]
        for t in chunk:
            body.append("<tr><td><a href=\"./viewtopic.php?t=%d&amp;sid=%s\">%s</a></td><td>%d pages</td></tr>"
                        % (t, sid, esc(cat.thread_title(t)), cat.thread_pages(t)))
        body.append("</table>")
        head = ""
        if start + THREADS_PER_FORUM_PAGE < len(threads):
            nxt = "./viewforum.php?f=%d&amp;start=%d&amp;sid=%s" % (f, start + THREADS_PER_FORUM_PAGE, sid)
            head = "<link rel=\"next\" href=\"%s\">" % nxt
            body.append("<a href=\"%s\">Next</a>" % nxt)
        return Response(200, page("Forum %d" % f, "\n".join(body), head))
    if path == "/viewtopic.php":
        try:
            t = int(ctx.query.get("t", "0"))
            start = int(ctx.query.get("start", "0"))
        except ValueError:
            return not_found()
        if not 1 <= t <= cat.forum_threads or start % POSTS_PER_THREAD_PAGE:
            return not_found()
        page_no = start // POSTS_PER_THREAD_PAGE + 1
        pages = cat.thread_pages(t)
        if page_no > pages:
            return not_found()
        return Response(200, forum_thread_html(state, ctx, t, page_no, pages, sid))
    return not_found()


def topic_href(t, page_no, sid):
    if page_no == 1:
        return "./viewtopic.php?t=%d&amp;sid=%s" % (t, sid)
    return "./viewtopic.php?t=%d&amp;start=%d&amp;sid=%s" % (t, (page_no - 1) * POSTS_PER_THREAD_PAGE, sid)


def forum_thread_html(state, ctx, t, page_no, pages, sid):
    cat = state.catalog
    head = ""
    nav = []
    if page_no < pages:
        head = "<link rel=\"next\" href=\"%s\">" % topic_href(t, page_no + 1, sid)
    if page_no > 1:
        nav.append("<a rel=\"prev\" href=\"%s\">Previous</a>" % topic_href(t, page_no - 1, sid))
    for n in range(1, pages + 1):
        nav.append("<a href=\"%s\">%d</a>" % (topic_href(t, n, sid), n))
    body = ["<h2 class=\"topic-title\">%s</h2>" % esc(cat.thread_title(t)),
            "<div class=\"pagination\">%s</div>" % " ".join(nav)]
    for author, rows in cat.thread_page_posts(t, page_no):
        lines = "<br>".join("%s | %s | %s" % (esc(p.name), esc(p.email), esc(render_phone(p.phone, 2)))
                            for p in rows)
        body.append("<div class=\"post\"><p class=\"author\">%s</p><div class=\"postbody\">"
                    "Samples from my dump:<br>%s</div></div>" % (esc(author), lines))
    if page_no == 1:
        planted = cat.planted.get(("forum", t))
        if planted:
            lines = "<br>".join("%s | %s | %s" % (esc(p.name), esc(p.email), esc(p.phone)) for p in planted)
            body.append("<div class=\"post\"><p class=\"author\">insider</p><div class=\"postbody\">%s</div></div>"
                        % lines)
    return page(cat.thread_title(t), "\n".join(body), head)


def paste(state, ctx):
    cat = state.catalog
    path = ctx.path
    if path == "/":
        body = ["<h1>Recent pastes</h1>", "<ol>"]
        body += ["<li><a href=\"%s\">Paste %d</a></li>" % (ctx.link("/paste/%d" % p), p)
                 for p in range(1, cat.paste_count + 1)]
        body.append("</ol>")
        return Response(200, page("Paste", "\n".join(body)))
    for prefix in ("/paste/", "/raw/"):
        if path.startswith(prefix):
            try:
                p = int(path[len(prefix):])
            except ValueError:
                return not_found()
            if not 1 <= p <= cat.paste_count:
                return not_found()
            text, content_type = paste_text(cat, p)
            if prefix == "/raw/":
                return Response(200, text, content_type=content_type)
            body = ("<h1>Paste %d</h1><p><a href=\"%s\">raw</a></p><pre>%s</pre>"
                    % (p, ctx.link("/raw/%d" % p), esc(text)))
            return Response(200, page("Paste %d" % p, body))
    return not_found()


def calendar_market(state, ctx):
    if ctx.path == "/":
        return calendar_page(state, ctx)
    return not_found()


MARKET_HANDLERS = {"shop": shop, "forum": forum, "paste": paste, "calendar": calendar_market}
