"""The markets' pages: a request, already routed to a market (see routes.py),
becomes a Response. One function per market: the shop (here; its traps in
traps.py), the forum (forum.py), the paste site and the calendar (here).
The server state they share is state.py's; Response and its helpers are
response.py's.
"""

import urllib.parse

from content import LISTINGS_PER_INDEX_PAGE, OUT_OF_SCOPE_LINKS, esc, page, paste_text, planted_table, records_table
import attachments
from forum import forum
from response import Response, cached, not_found, redirect
from traps import huge_gzip, trap


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
