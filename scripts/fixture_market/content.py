"""What the fixture markets say: people, listings, threads and pastes, all
computed on demand from the seed (the same seed gives the same bytes), the
planted exposures, and the HTML snippets every page is built from.

Pure: no server state, no I/O except reading an exposures file.
"""

import collections
import csv
import html
import io
import json
import random

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
# Fixed bodies: the binary files and the /huge page's parts


JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 64 + b"\xff\xd9"
ZIP_BYTES = b"PK\x05\x06" + b"\x00" * 18 + bytes(range(256)) * 64


HUGE_LINE = ("<p>" + "filler text for a catalogue nobody reads. " * 23 + "</p>\n").encode("ascii")


def huge_parts(total):
    head = page("Huge catalogue", "@@").encode("utf-8").split(b"@@")
    start, end = head[0], head[1]
    reps = max(0, (total - len(start) - len(end)) // len(HUGE_LINE))
    return start, reps, end


# --------------------------------------------------------------------------
# Paste text: CSV, pipe-separated or combo lines, by paste number


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
