"""URL variants, as real markets make them (--variants): links to one page
under many URLs that differ only in parameters that never change the page
(sorting, referrer, tracking, view mode, parameter order), next to parameters
that do (page, t, f, start, month, id). And the accounting a crawl benchmark
needs: per host, how many fetches, how many distinct pages, how many fetches
were another URL of a page already fetched, how many 429s.

A page's links are decorated deterministically from the page's own content
key, so every variant URL of a page serves the same bytes (apart from the
forum's per-visit sid, which was always so).
"""

import hashlib
import random
import re
import threading
import time
import urllib.parse

# Parameters that never change what a page says. `sid` is the forum's session
# id, which crawlers already know to strip.
NEUTRAL_PARAMS = ("sort", "ref", "from", "utm_source", "utm_medium", "view", "sid")
_CHOICES = {
    "sort": ("price", "date", "name", "-price"),
    "ref": ("home", "list", "search", "related"),
    "from": ("1", "2", "3"),
    "utm_source": ("forum", "tg", "mail"),
    "utm_medium": ("post", "dm"),
    "view": ("grid", "list"),
}
_HREF = re.compile(r'(?<!<base )href="([^"#]*)(#[^"]*)?"')


def content_key(path, query_string):
    """The page a URL names: its path and its content parameters in sorted order."""
    pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    kept = sorted((k, v) for k, v in pairs if k not in NEUTRAL_PARAMS)
    return path + ("?" + urllib.parse.urlencode(kept) if kept else "")


def _vary(href, rng):
    if not href or href.startswith(("mailto:", "javascript:", "http://", "https://")) or "/__" in href:
        return href
    path, _, query = href.partition("?")
    params = [p for p in query.split("&amp;") if p] if query else []
    roll = rng.random()
    extra = 0 if roll < 0.25 else 1 if roll < 0.7 else 2
    for name in rng.sample(sorted(_CHOICES), extra):
        params.append("%s=%s" % (name, rng.choice(_CHOICES[name])))
    if len(params) > 1 and rng.random() < 0.5:
        rng.shuffle(params)  # parameter order: a new URL for a naive crawler
    return path + ("?" + "&amp;".join(params) if params else "")


def decorate(body, page_key):
    """`body` (UTF-8 HTML bytes) with its same-market links varied, seeded by `page_key`."""
    seed = int.from_bytes(hashlib.sha256(page_key.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    text = body.decode("utf-8", "surrogateescape")
    text = _HREF.sub(lambda m: 'href="%s%s"' % (_vary(m.group(1), rng), m.group(2) or ""), text)
    return text.encode("utf-8", "surrogateescape")


class CrawlAccount:
    """Per host: fetches, 429s, the content keys answered 200 (first time and
    again), and fetches per second since the first fetch of any host
    (`timeline`), so a benchmark can see which host waited while another ran."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hosts = {}
        self.start = None

    def record(self, host, path, query_string, status):
        key = content_key(path, query_string)
        with self.lock:
            now = time.monotonic()
            if self.start is None:
                self.start = now
            h = self.hosts.setdefault(host, {"fetches": 0, "status_429": 0, "variant_fetches": 0, "pages": set(),
                                             "timeline": []})
            h["fetches"] += 1
            second = int(now - self.start)
            h["timeline"].extend([0] * (second + 1 - len(h["timeline"])))
            h["timeline"][second] += 1
            if status == 429:
                h["status_429"] += 1
            elif status == 200:
                if key in h["pages"]:
                    h["variant_fetches"] += 1
                else:
                    h["pages"].add(key)

    def summary(self, reset=False):
        with self.lock:
            out = {host: {"fetches": h["fetches"], "status_429": h["status_429"],
                          "variant_fetches": h["variant_fetches"], "distinct_pages": len(h["pages"]),
                          "pages": sorted(h["pages"]), "timeline": list(h["timeline"])}
                   for host, h in self.hosts.items()}
            if reset:
                self.hosts.clear()
                self.start = None
        return out
