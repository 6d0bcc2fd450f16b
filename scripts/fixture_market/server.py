#!/usr/bin/env python3
"""Fixture dark market for leakwatch's crawler tests and benchmarks.

A local HTTP server (Python standard library only) that serves several fake
markets, chosen by Host header (shop.onion, forum.onion, paste.onion,
calendar.onion) or by path prefix (/m/shop/, /m/forum/, /m/paste/,
/m/calendar/) on 127.0.0.1:PORT, with the traps real markets set for
crawlers. Content is generated lazily and deterministically from --seed, so
--pages 50000 costs no memory. See README.md next to this file.
"""

import argparse
import asyncio
import collections
import csv
import email.utils
import gzip
import hashlib
import html
import http.cookies
import http.server
import io
import itertools
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse
import zlib

MARKETS = ("shop", "forum", "paste", "calendar")
LISTINGS_PER_INDEX_PAGE = 50
THREADS_PER_FORUM_PAGE = 50
POSTS_PER_THREAD_PAGE = 20
OUT_OF_SCOPE_LINKS = (
    "http://evil.example/",
    "http://10.0.0.1/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost/",
)
LAST_MODIFIED = "Sat, 01 Jul 2017 00:00:00 GMT"

SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao"]
GIVEN = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Jun", "Yang", "Yong",
         "Yan", "Jie", "Tao", "Ming", "Chao", "Xiu", "Hui", "Ling", "Bo", "Hong"]
HANZI_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
HANZI_GIVEN = "伟芳娜敏静磊强军洋勇艳杰涛明超秀慧玲波红"
MAIL_DOMAINS = ["icloud.com", "qq.com", "163.com", "126.com", "gmail.com", "me.com", "sina.com"]
MOBILE_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "186", "187", "188", "158"]
PRODUCTS = ["Apple ID + phone", "iCloud accounts", "Apple ID full info", "CN mobile owners",
            "Apple support tickets", "iPhone buyer database", "App Store accounts"]
SELLERS = ["dragonfly", "zhejiang_insider", "appleleaks", "dumpking", "silkroad_cn",
           "fullz_master", "data_broker88"]


# --------------------------------------------------------------------------
# Deterministic content


def rng_for(seed, *parts):
    return random.Random("/".join([str(seed)] + [str(p) for p in parts]))


class Person:
    __slots__ = ("name", "email", "phone")

    def __init__(self, name, email, phone):
        self.name, self.email, self.phone = name, email, phone

    def as_dict(self):
        return {"name": self.name, "email": self.email, "phone": self.phone}


def make_person(rng):
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    number = rng.randrange(10, 10000)
    email = "%s.%s%d@%s" % (given.lower(), surname.lower(), number, rng.choice(MAIL_DOMAINS))
    phone = "+86" + rng.choice(MOBILE_PREFIXES) + "%08d" % rng.randrange(10 ** 8)
    if rng.random() < 0.3:
        name = rng.choice(HANZI_SURNAMES) + rng.choice(HANZI_GIVEN)
    else:
        name = "%s %s" % (surname, given)
    return Person(name, email, phone)


FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def render_phone(e164, style):
    """The many ways leak ads write a CN mobile number."""
    national = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if style == 0 or len(national) != 11:
        return e164
    if style == 1:
        return national
    if style == 2:
        return "+86 %s %s %s" % (national[:3], national[3:7], national[7:])
    if style == 3:
        return "%s-%s-%s" % (national[:3], national[3:7], national[7:])
    return national.translate(FULLWIDTH)


def render_email(email, style):
    if style == 1:
        return email.upper()
    if style == 2:
        local, _, domain = email.partition("@")
        return "%s [at] %s" % (local, domain.replace(".", " [dot] "))
    return email


class Catalog:
    """Everything the markets serve, computed on demand from (seed, ids)."""

    def __init__(self, seed, pages, exposures):
        self.seed = seed
        self.pages = pages
        self.shop_count = max(1, pages)
        self.forum_threads = max(3, pages // 20)
        self.paste_count = max(3, pages // 50)
        self.planted = collections.defaultdict(list)  # (market, id) -> [Person]
        self.exposure_rows = []
        for k, entry in enumerate(exposures):
            market = entry.get("market") or "shop"
            if market not in ("shop", "forum", "paste"):
                raise SystemExit("exposure %d: unknown market %r" % (k, market))
            count = {"shop": self.shop_count, "forum": self.forum_threads, "paste": self.paste_count}[market]
            listing = entry.get("listing")
            listing = int(listing) if listing not in (None, "") else (k % count) + 1
            if not 1 <= listing <= count:
                raise SystemExit("exposure %d: listing %d outside 1..%d" % (k, listing, count))
            person = Person(entry.get("name") or "", entry.get("email") or "", entry.get("phone") or "")
            self.planted[(market, listing)].append(person)
            self.exposure_rows.append((market, listing, person))

    # ---- shop
    def shop_listing(self, i):
        rng = rng_for(self.seed, "shop", i)
        product = rng.choice(PRODUCTS)
        records = rng.choice([200, 500, 1000, 5000, 20000])
        return {
            "title": "%s - %d records #%d" % (product, records, i),
            "price": "$%.2f" % (rng.choice([1.5, 2, 3.5, 7, 12, 26]) * min(records, 1000) / 100),
            "seller": rng.choice(SELLERS),
            "rows": [make_person(rng) for _ in range(rng.randint(3, 6))],
            "styles": rng.randrange(1 << 16),
        }

    # ---- forum
    def thread_pages(self, t):
        return 1 + rng_for(self.seed, "thread-pages", t).randrange(3)

    def thread_forum(self, t):
        return 1 + (t - 1) % 2

    def thread_title(self, t):
        rng = rng_for(self.seed, "thread", t)
        return "[SELLING] %s dump %d" % (rng.choice(PRODUCTS), t)

    def thread_page_posts(self, t, page):
        rng = rng_for(self.seed, "thread", t, page)
        posts = []
        for n in range(rng.randint(2, 4)):
            author = rng.choice(SELLERS + ["guest%d" % rng.randrange(1000)])
            rows = [make_person(rng) for _ in range(rng.randint(0, 3))]
            posts.append((author, rows))
        return posts

    # ---- paste
    def paste_rows(self, p):
        rng = rng_for(self.seed, "paste", p)
        return [make_person(rng) for _ in range(rng.randint(5, 12))]

    # ---- manifest
    def listing_paths(self, market):
        if market == "shop":
            return ("/listing/%d" % i for i in range(1, self.shop_count + 1))
        if market == "forum":
            return (thread_page_path(t, pg)
                    for t in range(1, self.forum_threads + 1)
                    for pg in range(1, self.thread_pages(t) + 1))
        if market == "paste":
            return (p for i in range(1, self.paste_count + 1) for p in ("/paste/%d" % i, "/raw/%d" % i))
        return iter(())


def thread_page_path(t, page):
    """The canonical (leakwatch) form: sorted query, no sid."""
    if page == 1:
        return "/viewtopic.php?t=%d" % t
    return "/viewtopic.php?start=%d&t=%d" % ((page - 1) * POSTS_PER_THREAD_PAGE, t)


def default_exposures(seed, count=20):
    rng = rng_for(seed, "default-exposures")
    out = []
    for k in range(count):
        person = make_person(rng)
        out.append({"market": ("shop", "shop", "forum", "paste")[k % 4],
                    "name": person.name, "email": person.email, "phone": person.phone})
    return out


def load_exposures(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("exposures", [])
        if not isinstance(data, list):
            raise SystemExit("%s: expected a JSON list of exposures" % path)
        return [dict(e) for e in data]
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


# --------------------------------------------------------------------------
# HTML


def esc(text):
    return html.escape(text, quote=True)


def page(title, body, head_extra=""):
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>%s</head>\n"
            "<body>\n%s\n</body></html>\n" % (esc(title), head_extra, body))


def records_table(people, styles):
    rows = ["<table class=\"sample\">", "<tr><th>name</th><th>email</th><th>phone</th></tr>"]
    for n, person in enumerate(people):
        e_style = (styles >> (2 * n)) % 3 if n < 8 else 0
        p_style = (styles >> (2 * n + 1)) % 5 if n < 8 else 0
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (
            esc(person.name), esc(render_email(person.email, e_style) if person.email else ""),
            esc(render_phone(person.phone, p_style) if person.phone else "")))
    rows.append("</table>")
    return "\n".join(rows)


def planted_table(people):
    """Planted identifiers are printed exactly as given: the test controls their form."""
    rows = ["<table class=\"sample planted\">"]
    for person in people:
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (
            esc(person.name), esc(person.email), esc(person.phone)))
    rows.append("</table>")
    return "\n".join(rows)


# --------------------------------------------------------------------------
# Server state shared by handler threads


class State:
    def __init__(self, args, catalog):
        self.args = args
        self.catalog = catalog
        self.lock = threading.Lock()
        self.requests = collections.OrderedDict()  # (host, path) -> {"count": n, "statuses": {}}
        self.rate_windows = collections.defaultdict(collections.deque)
        self.flaky_seen = set()
        self.sid_counter = itertools.count(1)
        self.huge_gzip = None
        self.page_cache = None  # --cache: (base, path, number) -> Response
        self.port = 0
        cookie_name, _, cookie_value = args.cookie.partition("=")
        self.cookie_name, self.cookie_value = cookie_name.strip(), cookie_value.strip()

    def log_request(self, host, path, status):
        with self.lock:
            entry = self.requests.get((host, path))
            if entry is None:
                entry = self.requests[(host, path)] = {"count": 0, "statuses": collections.Counter()}
            entry["count"] += 1
            entry["statuses"][str(status)] += 1

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
                 compressible=True, stream=None, length=None, delay=0.0):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.compressible = compressible
        self.stream = stream      # callable(write) for bodies too big to hold
        self.length = length      # Content-Length for streamed bodies
        self.delay = delay        # extra seconds before answering (the slow page)
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


JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 64 + b"\xff\xd9"
ZIP_BYTES = b"PK\x05\x06" + b"\x00" * 18 + bytes(range(256)) * 64


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
    if path.startswith("/files/"):
        return Response(200, ZIP_BYTES, content_type="application/zip", compressible=False)
    return None


HUGE_LINE = ("<p>" + "filler text for a catalogue nobody reads. " * 23 + "</p>\n").encode("ascii")


def huge_parts(total):
    head = page("Huge catalogue", "@@").encode("utf-8").split(b"@@")
    start, end = head[0], head[1]
    reps = max(0, (total - len(start) - len(end)) // len(HUGE_LINE))
    return start, reps, end


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


def paste_text(cat, p):
    people = cat.paste_rows(p) + cat.planted.get(("paste", p), [])
    kind = p % 3
    if kind == 0:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["email", "phone", "name"])
        for person in people:
            writer.writerow([person.email, person.phone, person.name])
        return out.getvalue(), "text/csv; charset=utf-8"
    if kind == 1:
        lines = ["name|email|phone"] + ["%s|%s|%s" % (x.name, x.email, x.phone) for x in people]
        return "\n".join(lines) + "\n", "text/plain; charset=utf-8"
    lines = ["# apple id combo, fresh"]
    for x in people:
        lines.append("%s:%s----%s----%s" % (x.email, "pass%04d" % (len(x.email) * 37 % 10000),
                                            render_phone(x.phone, 1), x.name))
    return "\n".join(lines) + "\n", "text/plain; charset=utf-8"


def calendar_market(state, ctx):
    if ctx.path == "/":
        return calendar_page(state, ctx)
    return not_found()


MARKET_HANDLERS = {"shop": shop, "forum": forum, "paste": paste, "calendar": calendar_market}


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
    return {
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
    }


def request_log(state):
    with state.lock:
        return [{"host": host, "path": path, "count": e["count"], "statuses": dict(e["statuses"])}
                for (host, path), e in state.requests.items()]


# --------------------------------------------------------------------------
# HTTP plumbing, shared by both servers: a request goes in as (method, target,
# headers), a Response and the delay to wait before answering come out, and
# encode() turns the Response into the status, headers and body on the wire.


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
    return not_found()


def route(state, host, path, query_string, raw_cookie):
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
    market, base, rel = None, "", path
    if hostname.endswith(".onion") and hostname[:-len(".onion")] in MARKETS:
        market = hostname[:-len(".onion")]
    elif path.startswith("/m/"):
        name, slash, rest = path[3:].partition("/")
        if name in MARKETS:
            if not slash:
                return redirect("/m/%s/" % name, 301)
            market, base, rel = name, "/m/" + name, "/" + rest
    if market is None:
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
    return MARKET_HANDLERS[market](state, ctx)


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
    return response, state.args.latency_ms / 1000.0 + response.delay


def encode(state, response, headers):
    """Returns (status, [(name, value)], body, stream): the headers after
    Content-Type and Content-Length; `stream` (callable(write)) or `body` is
    what goes out."""
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
        if headers.get("If-None-Match") == etag:
            status, body = 304, b""
    out[0] = ("Content-Length", str(length if stream is not None else len(body)))
    if status != 304:
        out.insert(0, ("Content-Type", response.content_type))
    return status, out, body, stream


# --------------------------------------------------------------------------
# The threaded server (the default): one thread per connection.


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "nginx"

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("fixture: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.answer(head=False)

    def do_HEAD(self):
        self.answer(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.answer(head=False)

    def answer(self, head):
        state = self.server.state
        try:
            response, delay = serve(state, self.path, self.headers)
            if delay > 0:
                time.sleep(delay)
            status, headers, body, stream = encode(state, response, self.headers)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if head or status == 304:
                return
            if stream is not None:
                stream(self.wfile.write)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, socket.timeout)):
            return
        super().handle_error(request, client_address)


# --------------------------------------------------------------------------
# The asyncio server (--asyncio): one event loop, HTTP/1.1 keep-alive, the
# latency a timer instead of a sleeping thread. Same routing, same pages.


class Headers(dict):
    """Request headers by lower-case name; the first of repeated ones wins."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)


REASONS = {s.value: s.phrase for s in http.HTTPStatus}
MAX_HEAD_BYTES = 65536


class HttpDate:
    """The Date header, formatted once a second."""

    def __init__(self):
        self.second, self.text = None, ""

    def now(self):
        second = int(time.time())
        if second != self.second:
            self.second, self.text = second, email.utils.formatdate(second, usegmt=True)
        return self.text


class AsyncConnection(asyncio.Protocol):
    """One client connection. Requests are answered in order; while one waits
    out its delay, later (pipelined) requests stay in the buffer."""

    def __init__(self, state, loop, date):
        self.state, self.loop, self.date = state, loop, date
        self.transport = None
        self.buffer = bytearray()
        self.waiting = False   # a response is being delayed
        self.closing = False

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.closing = True

    def data_received(self, data):
        self.buffer += data
        if not self.waiting:
            self.process()

    def process(self):
        while not self.closing and not self.waiting:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD_BYTES:
                    self.fail(431)
                return
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            parts = lines[0].split()
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                self.fail(400)
                return
            method, target, version = parts
            headers = Headers()
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if colon:
                    headers.setdefault(name.strip().lower(), value.strip())
            try:
                length = int(headers.get("Content-Length") or 0)
            except ValueError:
                self.fail(400)
                return
            if len(self.buffer) < end + 4 + length:
                return  # the body is still on its way
            del self.buffer[:end + 4 + length]
            connection = (headers.get("Connection") or "").lower()
            keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
            if method not in ("GET", "HEAD", "POST"):
                self.write_head(501, [("Content-Length", "0")])
                keep_alive = False
                self.after_response(keep_alive)
                continue
            response, delay = serve(self.state, target, headers)
            if delay > 0:
                self.waiting = True
                self.loop.call_later(delay, self.send_delayed, response, headers, method == "HEAD", keep_alive)
                return
            self.send(response, headers, method == "HEAD")
            self.after_response(keep_alive)

    def send_delayed(self, response, headers, head, keep_alive):
        self.waiting = False
        if self.closing:
            return
        self.send(response, headers, head)
        self.after_response(keep_alive)
        if self.buffer:
            self.process()

    def after_response(self, keep_alive):
        if not keep_alive:
            self.closing = True
            self.transport.close()

    def head_bytes(self, status, headers):
        head = ["HTTP/1.1 %d %s\r\nServer: nginx\r\nDate: %s\r\n" % (status, REASONS.get(status, ""), self.date.now())]
        head += ["%s: %s\r\n" % (name, value) for name, value in headers]
        head.append("\r\n")
        return "".join(head).encode("latin-1")

    def write_head(self, status, headers):
        self.transport.write(self.head_bytes(status, headers))

    def send(self, response, headers, head):
        status, out, body, stream = encode(self.state, response, headers)
        if head or status == 304:
            self.write_head(status, out)
        elif stream is not None:
            self.write_head(status, out)
            stream(self.transport.write)
        else:
            self.transport.write(self.head_bytes(status, out) + body)  # one segment

    def fail(self, status):
        self.write_head(status, [("Content-Length", "0"), ("Connection", "close")])
        self.closing = True
        self.transport.close()


def serve_asyncio(state, sock):
    loop = asyncio.new_event_loop()
    date = HttpDate()
    server = loop.run_until_complete(
        loop.create_server(lambda: AsyncConnection(state, loop, date), sock=sock, backlog=1024))
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


def listening_socket(port):
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets
    # that say they are TCP; with it on, every response waited ~40 ms for the
    # client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="leakwatch fixture dark market (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every market response")
    parser.add_argument("--pages", type=int, default=50, help="number of shop listings (forum/paste scale with it)")
    parser.add_argument("--exposures", help="JSON or CSV file of planted identifiers (email/phone/name per listing)")
    parser.add_argument("--seed", type=int, default=1729)
    parser.add_argument("--cookie", default="session=demo", help="login cookie NAME=VALUE; empty: no login wall")
    parser.add_argument("--rate-limit", type=float, default=20,
                        help="requests per second per Host above which 429 is answered; 0 disables")
    parser.add_argument("--slow-s", type=float, default=3.0, help="delay of the /slow page")
    parser.add_argument("--huge-mb", type=float, default=20.0, help="size of the /huge page")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--asyncio", action="store_true",
                        help="serve from one asyncio event loop instead of a thread per connection (benchmarks)")
    parser.add_argument("--cache", action="store_true",
                        help="keep rendered shop index and listing pages (and their gzip form) in memory")
    parser.add_argument("--prerender", action="store_true",
                        help="render the shop's index and listing pages at start-up, by host and by path "
                             "(implies --cache)")
    args = parser.parse_args(argv)

    exposures = load_exposures(args.exposures) if args.exposures else default_exposures(args.seed)
    catalog = Catalog(args.seed, args.pages, exposures)
    state = State(args, catalog)
    if args.cache or args.prerender:
        state.page_cache = {}
    if args.prerender:
        started = time.monotonic()
        prerender_shop(state)
        sys.stderr.write("fixture market: %d pages rendered in %.1f s\n"
                         % (len(state.page_cache), time.monotonic() - started))
    if args.asyncio:
        sock = listening_socket(args.port)
        state.port = sock.getsockname()[1]
    else:
        server = Server(("127.0.0.1", args.port), Handler)
        server.state = state
        state.port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, state.port)
    sys.stderr.write("fixture market on http://127.0.0.1:%d/ (%d listings%s)\n"
                     % (state.port, catalog.shop_count, ", asyncio" if args.asyncio else ""))
    sys.stderr.flush()
    try:
        if args.asyncio:
            serve_asyncio(state, sock)
        else:
            server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if not args.asyncio:
            server.server_close()


if __name__ == "__main__":
    main()
