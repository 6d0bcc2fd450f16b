"""The self-test of --variants, --bind and --latency-jitter-ms: links under
many URLs of one page, and the crawl accounting (/__crawl).
"""

import json
import os
import re
import subprocess
import sys
import urllib.request

from selftest_tools import HERE, Process, check


def check_variants(tmp, others):
    """--variants, --bind and --latency-jitter-ms: links under many URLs of one page, and the accounting."""
    server = Process("server.py", ["--pages", "60", "--rate-limit", "0", "--cookie", "", "--variants",
                                   "--bind", "127.0.0.2", "--latency-jitter-ms", "5"], tmp)
    others.append(server)
    base = "http://127.0.0.2:%d" % server.port

    def fetch(path):
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.read()

    json.loads(fetch("/__crawl?reset=1"))
    a = fetch("/m/shop/listings?page=1")
    b = fetch("/m/shop/listings?sort=price&ref=home&page=1")
    c = fetch("/m/shop/listings?page=2")
    check(a == b, "--variants: neutral parameters and their order never change a page")
    check(a != c, "--variants: page= changes the page")
    hrefs = re.findall(rb'href="([^"]*)"', a)
    neutral = [h for h in hrefs if re.search(rb"[?;](sort|ref|from|utm_source|utm_medium|view)=", h)]
    check(len(neutral) > len(hrefs) // 3, "--variants: links carry neutral parameters (%d of %d)"
          % (len(neutral), len(hrefs)))
    check(any(h.startswith(b"listings?page=") or b"page=" in h for h in hrefs), "--variants: page links kept")
    check(b'<base href="/m/shop/">' in a, "--variants: <base> left alone")
    summary = json.loads(fetch("/__crawl"))
    h = summary.get("127.0.0.2:%d" % server.port, {})
    check(h.get("fetches") == 3 and h.get("distinct_pages") == 2 and h.get("variant_fetches") == 1,
          "/__crawl counts fetches, distinct pages and variant fetches: %s"
          % {k: v for k, v in h.items() if k != "pages"})
    refused = subprocess.run([sys.executable, os.path.join(HERE, "server.py"), "--bind", "10.0.0.1"],
                             capture_output=True, text=True)
    check(refused.returncode != 0 and "loopback" in refused.stderr, "--bind refuses a non-loopback address")

