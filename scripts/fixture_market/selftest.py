#!/usr/bin/env python3
"""Self-test of the fixture market and the SOCKS5 test proxy (stdlib only).

Starts server.py and socks5_proxy.py on free loopback ports, checks every
market, trap, hostile page and endpoint, then stops them (about 25 s). Exit status 0 when all checks
pass. Usage: scripts/fixture_market/selftest.py [-v] [--cache]

--cache runs the same checks against a market that keeps rendered pages
(server.py --cache, as the crawl benchmark runs it with --prerender).
"""

import gzip
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = "-v" in sys.argv
SERVER_MODE = ["--cache"] if "--cache" in sys.argv else []
failures = []
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    elif VERBOSE:
        print("ok: " + what)


class Process:
    def __init__(self, script, args, tmp):
        self.port_file = os.path.join(tmp, "%s-%d.port" % (script, id(self)))
        cmd = [sys.executable, os.path.join(HERE, script), "--port", "0", "--port-file", self.port_file] + args
        if script == "server.py":
            cmd += SERVER_MODE
        self.proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL if not VERBOSE else None)
        deadline = time.time() + 10
        while not os.path.exists(self.port_file):
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit("%s did not start" % script)
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.port = int(f.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port, path, host=None, headers=None, method="GET", timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = dict(headers or {})
    if host:
        all_headers["Host"] = host
    conn.request(method, path, headers=all_headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def socks_connect(proxy_port, atyp, address, port, command=1):
    """Returns (reply code, socket or None)."""
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=10)
    s.sendall(b"\x05\x01\x00")
    if s.recv(2) != b"\x05\x00":
        s.close()
        return None, None
    if atyp == 3:
        addr = bytes([len(address)]) + address.encode("ascii")
    elif atyp == 1:
        addr = socket.inet_aton(address)
    else:
        addr = socket.inet_pton(socket.AF_INET6, address)
    s.sendall(struct.pack("!BBBB", 5, command, 0, atyp) + addr + struct.pack("!H", port))
    reply = b""
    while len(reply) < 10:
        chunk = s.recv(10 - len(reply))
        if not chunk:
            break
        reply += chunk
    code = reply[1] if len(reply) >= 2 else None
    if code != 0:
        s.close()
        return code, None
    return code, s


def read_http(sock):
    """(status, body) of the response on `sock`, read to its end."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None), body


def http_over(sock, host, path, cookie=None):
    request = "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (path, host)
    if cookie:
        request += "Cookie: %s\r\n" % cookie
    sock.sendall((request + "\r\n").encode("ascii"))
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body


def raw_request(port, path, host="127.0.0.1", read_for=None, timeout=10):
    """Sends one GET with Connection: close on a raw socket and returns
    (head bytes, body bytes as received, seconds until the server closed or
    `read_for` ran out, whether the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode("ascii"))
    started = time.time()
    data, closed = b"", False
    while True:
        if read_for is not None:
            left = read_for - (time.time() - started)
            if left <= 0:
                break
            s.settimeout(left)
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body, time.time() - started, closed


def gunzip_size(data):
    """(decoded size, first decoded bytes, complete) without holding the whole output."""
    inflater = zlib.decompressobj(31)
    total, first = 0, b""
    while data:
        out = inflater.decompress(data, 1 << 26)
        if not first:
            first = out[:4096]
        total += len(out)
        data = inflater.unconsumed_tail
    return total, first, inflater.eof


def check_hostile(tmp, plain_port, others):
    """The hostile market (server.py --hostile) and its absence by default."""
    status, _, _ = get(plain_port, "/m/hostile/")
    check(status == 404, "no hostile market without --hostile")
    status, _, _ = get(plain_port, "/canary")
    check(status == 404, "no /canary without --hostile")
    check("hostile" not in json.loads(get(plain_port, "/__manifest")[2]), "no hostile manifest without --hostile")

    limit = 2.0
    server = Process("server.py", ["--pages", "5", "--rate-limit", "0", "--hostile", "--hostile-s", str(limit)], tmp)
    others.append(server)
    H = server.port
    hm = json.loads(get(H, "/__manifest")[2]).get("hostile", {})
    pages = hm.get("pages", {})
    record = lambda path: pages.get(path, {}).get("records", [{}])[0]
    contact = [p for p in pages if p.startswith("/contact/")]
    profile = [p for p in pages if p.startswith("/profile?user=")]
    expected = {"/nested", "/gzip-bomb", "/endless", "/slow-body", "/huge-header", "/many-headers", "/titled",
                "/counter"} | {"/redirect/" + r for r in ("loopback-ip", "localhost", "dot-localhost", "zero",
                                                         "decimal", "mapped-v6")}
    check(expected <= set(pages) and len(contact) == 1 and len(profile) == 1, "manifest lists every hostile page")
    check(all(p["what"] and p["url"] == "http://hostile.onion" + k for k, p in pages.items()),
          "each hostile page says what it is, with its URL")
    status, _, body = get(H, "/", host="hostile.onion")
    check(status == 200 and all(("href=\"%s\"" % p).encode() in body for p in pages), "hostile index links every page")

    # (1) nested <div>
    person = record("/nested")
    status, _, body = get(H, "/m/hostile/nested")
    check(status == 200 and body.count(b"<div>") == 100000 and 1_000_000 < len(body) < 1_300_000,
          "/nested: 100,000 nested <div>, ~1.1 MB")
    check(person.get("email") and person["email"].encode() in body[-400:] and person["phone"].encode() in body[-400:],
          "/nested: the planted email and phone near the end")

    # (2) gzip bomb: gzip-encoded even when not asked for
    person = record("/gzip-bomb")
    status, headers, zbody = get(H, "/gzip-bomb", host="hostile.onion")
    total, first, complete = gunzip_size(zbody)
    check(status == 200 and headers.get("content-encoding") == "gzip" and len(zbody) < 2 * 1024 * 1024,
          "/gzip-bomb: Content-Encoding gzip, under 2 MB on the wire (%d bytes)" % len(zbody))
    check(complete and total > 10 ** 9 and person["email"].encode() in first,
          "/gzip-bomb: a valid gzip member of %d bytes decoded, the record first" % total)

    # (3) endless chunked body, ended by the server after --hostile-s
    person = record("/endless")
    head, body, elapsed, closed = raw_request(H, "/m/hostile/endless", read_for=limit + 5)
    check(b"transfer-encoding: chunked" in head.lower() and person["email"].encode() in body[:2048],
          "/endless: chunked, the record in the first chunk")
    check(closed and elapsed >= limit - 0.5 and body.count(b"\r\n") > 10 and not body.endswith(b"0\r\n\r\n"),
          "/endless: chunks keep coming, no last chunk, closed by the server after --hostile-s")

    # (4) slow body: the first bytes, then a stall past the client's patience
    person = record("/slow-body")
    head, body, elapsed, closed = raw_request(H, "/m/hostile/slow-body", read_for=1.0)
    declared = int(re.search(rb"(?i)content-length: (\d+)", head).group(1)) if head else 0
    check(not closed and person["email"].encode() in body and person["phone"].encode() in body
          and 0 < len(body) < declared, "/slow-body: the record arrives, then the body stalls")
    head, body, elapsed, closed = raw_request(H, "/m/hostile/slow-body", read_for=limit + 5)
    check(closed and len(body) < declared and elapsed >= limit - 0.5,
          "/slow-body: closed by the server after --hostile-s, short of Content-Length")

    # (5) a 1 MB response header (http.client would refuse it: raw socket)
    head, body, _, _ = raw_request(H, "/m/hostile/huge-header")
    longest = max((len(line) for line in head.split(b"\r\n")), default=0)
    check(head.startswith(b"HTTP/1.1 200") and longest >= 1 << 20 and b"</html>" in body,
          "/huge-header: one header line of %d bytes, then the body" % longest)
    head, body, _, _ = raw_request(H, "/m/hostile/many-headers")
    check(head.startswith(b"HTTP/1.1 200") and len(head) >= 1 << 20 and head.count(b"\r\nX-Padding-") >= 1000,
          "/many-headers: ~1 MB of header lines")

    # (6) redirects to loopback, and the canary they lead to
    canary = hm.get("canary", {}).get("records", [{}])[0]
    for name in ("loopback-ip", "localhost", "dot-localhost", "zero", "decimal", "mapped-v6"):
        path = "/redirect/" + name
        status, headers, _ = get(H, path, host="hostile.onion")
        location = headers.get("location", "")
        check(status == 302 and location == pages.get(path, {}).get("location")
              and location.endswith(":%d/canary?via=%s" % (H, name)), "%s: 302 to %s" % (path, location))
        split = urllib.parse.urlsplit(location)
        status, _, body = get(H, split.path + "?" + split.query, host=split.netloc)
        check(status == 200 and canary.get("email", "?").encode() in body, "the canary answers as %s" % split.netloc)
    log = json.loads(get(H, "/__requests")[2])
    check(any(e["host"] == "localhost:%d" % H and e["path"] == "/canary?via=localhost" for e in log),
          "/__requests shows who reached the canary")

    # (7) an email in a URL and in a <title>
    for path in contact + profile:
        person = record(path)
        status, _, body = get(H, "/m/hostile" + path)
        check(status == 200 and person["email"] in path and person["email"].encode() in body
              and person["phone"].encode() in body, "%s: the email in the URL and the page" % path)
    person = record("/titled")
    status, _, body = get(H, "/titled", host="hostile.onion")
    check(status == 200 and ("<title>listing for %s</title>" % person["email"]).encode() in body,
          "/titled: the email in <title>")

    # (8) a view counter: new text on every visit, the same record
    person = record("/counter")
    _, h1, b1 = get(H, "/counter", host="hostile.onion")
    _, h2, b2 = get(H, "/counter", host="hostile.onion")
    check(b1 != b2 and h1.get("etag") != h2.get("etag") and b"Viewed 1 times" in b1 and b"Viewed 2 times" in b2,
          "/counter: the text and ETag change on every visit")
    check(all(person["email"].encode() in b and person["phone"].encode() in b for b in (b1, b2)),
          "/counter: the record stays the same")


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


def main():
    tmp = tempfile.mkdtemp(prefix="fixture-selftest-")
    exposures_json = os.path.join(tmp, "exposures.json")
    with open(exposures_json, "w") as f:
        json.dump([{"listing": 3, "email": "planted.one@icloud.com", "phone": "+8613800138000", "name": "Planted One"},
                   {"market": "paste", "email": "paste.planted@qq.com"},
                   {"market": "forum", "listing": 2, "phone": "+86 139 0013 9000"}], f)
    exposures_csv = os.path.join(tmp, "exposures.csv")
    with open(exposures_csv, "w") as f:
        f.write("email,phone,name\ncsv.planted@163.com,+8615000150000,Csv Planted\n")

    server = Process("server.py", ["--pages", "30", "--rate-limit", "0", "--slow-s", "1", "--huge-mb", "2",
                                   "--exposures", exposures_json], tmp)
    proxy_log = os.path.join(tmp, "socks.log")
    proxy = Process("socks5_proxy.py", ["--target-port", str(server.port), "--log-file", proxy_log], tmp)
    others = []
    try:
        P = server.port

        # -- routing by Host and by path
        status, _, body = get(P, "/", host="shop.onion")
        check(status == 200 and b"Golden Apple Market" in body, "shop.onion / serves the shop")
        status, _, _ = get(P, "/", host="nosuch.onion")
        check(status == 404, "unknown .onion host is 404")
        status, _, _ = get(P, "/")
        check(status == 404, "127.0.0.1 / without /m/ prefix is 404")
        status, _, body = get(P, "/m/shop/")
        check(status == 200 and b"/m/shop/listings?page=1" in body, "path mode /m/shop/ links carry the prefix")
        status, headers, _ = get(P, "/m/shop")
        check(status == 301 and headers.get("location") == "/m/shop/", "/m/shop redirects to /m/shop/")
        for market, marker in (("forum", b"Breach Forum"), ("paste", b"Recent pastes"), ("calendar", b"month 0")):
            status, _, body = get(P, "/", host=market + ".onion")
            check(status == 200 and marker in body, "%s.onion / serves the %s" % (market, market))
        status, _, body = get(P, "/m/shop/")
        for link in ("http://evil.example/", "http://10.0.0.1/admin", "/m/shop/img/logo.jpg"):
            check(link.encode() in body, "shop home links to %s" % link)

        # -- login wall
        status, headers, _ = get(P, "/listing/3", host="shop.onion")
        check(status == 302 and headers.get("location", "").startswith("/login?next="), "listing without cookie -> /login")
        status, headers, _ = get(P, "/login", host="shop.onion")
        check(status == 200 and "session=demo" in headers.get("set-cookie", ""), "/login sets session=demo")
        status, _, body = get(P, "/listing/3", host="shop.onion", headers={"Cookie": "session=demo"})
        check(status == 200 and b"planted.one@icloud.com" in body and b"+8613800138000" in body,
              "listing with cookie shows planted identifiers")
        check(b'class="price"' in body and b'class="seller"' in body and b'class="title"' in body,
              "listing has title/price/seller fields")
        status, _, body = get(P, "/listing/3", host="shop.onion", headers={"Cookie": "session=old"})
        check(status == 200 and b"session has expired" in body, "wrong cookie -> session expired page")
        status, _, _ = get(P, "/listing/31", host="shop.onion", headers={"Cookie": "session=demo"})
        check(status == 404, "listing beyond --pages is 404")

        # -- forum
        status, _, body = get(P, "/viewforum.php?f=2", host="forum.onion")
        check(status == 200 and b"viewtopic.php?t=2&amp;sid=" in body, "forum links carry phpBB sid")
        status, _, body = get(P, "/viewtopic.php?t=2", host="forum.onion")
        check(status == 200 and b"+86 139 0013 9000" in body, "planted phone in forum thread 2")
        manifest = json.loads(get(P, "/__manifest")[2])
        multi = [u for u in manifest["markets"]["forum"]["listing_paths"] if "start=" in u]
        check(bool(multi), "some forum threads have several pages")
        if multi:
            t = urllib.parse.parse_qs(urllib.parse.urlsplit(multi[0]).query)["t"][0]
            _, _, body = get(P, "/viewtopic.php?t=%s" % t, host="forum.onion")
            check(b'<link rel="next"' in body, "multi-page thread has link rel=next")

        # -- paste
        status, headers, body = get(P, "/raw/1", host="paste.onion")
        check(status == 200 and headers["content-type"].startswith("text/plain"), "raw paste is text/plain")
        status, headers, body = get(P, "/raw/3", host="paste.onion")
        check(headers["content-type"].startswith("text/csv") and body.startswith(b"email,phone,name"), "raw paste 3 is CSV")
        found = any(b"paste.planted@qq.com" in get(P, p, host="paste.onion")[2]
                    for p in manifest["markets"]["paste"]["listing_paths"])
        check(found, "planted paste identifier is in some paste")

        # -- traps
        status, headers, _ = get(P, "/flaky", host="shop.onion")
        check(status == 503 and headers.get("retry-after") == "1", "/flaky first answers 503 Retry-After: 1")
        status, _, _ = get(P, "/flaky", host="shop.onion")
        check(status == 200, "/flaky then answers 200")
        started = time.time()
        status, _, _ = get(P, "/slow", host="shop.onion")
        check(status == 200 and time.time() - started >= 0.9, "/slow is slow")
        status, headers, body = get(P, "/huge", host="shop.onion")
        check(status == 200 and len(body) > 2 * 1024 * 1024 - 2048, "/huge is --huge-mb big")
        status, headers, zbody = get(P, "/huge", host="shop.onion", headers={"Accept-Encoding": "gzip"})
        check(headers.get("content-encoding") == "gzip" and len(zbody) < len(body) / 20
              and len(gzip.decompress(zbody)) == len(body), "/huge gzip: small on the wire, huge decoded")
        status, headers, body = get(P, "/bad-utf8", host="shop.onion")
        try:
            body.decode("utf-8")
            invalid = False
        except UnicodeDecodeError:
            invalid = True
        check(invalid and "utf-8" in headers["content-type"], "/bad-utf8 is declared UTF-8 and is not")
        status, headers, body = get(P, "/gbk-header", host="shop.onion")
        check(headers["content-type"].lower().endswith("charset=gbk") and "苹果" in body.decode("gbk"),
              "/gbk-header: GBK, charset in header")
        status, headers, body = get(P, "/gbk-meta", host="shop.onion")
        check("charset" not in headers["content-type"] and b"charset=gbk" in body and "手机" in body.decode("gbk"),
              "/gbk-meta: GBK, charset only in meta")
        _, _, a = get(P, "/dup-a", host="shop.onion")
        _, _, b = get(P, "/dup-b", host="shop.onion")
        check(a == b, "/dup-a and /dup-b are the same bytes")
        status, headers, _ = get(P, "/loop/a", host="shop.onion")
        status2, headers2, _ = get(P, headers.get("location", "/"), host="shop.onion")
        check(status == 302 and status2 == 302 and headers2.get("location") == "/loop/a", "redirect loop a -> b -> a")
        status, _, body = get(P, "/calendar?month=41", host="shop.onion")
        check(b"month=42" in body, "calendar links to the next month forever")
        status, headers, _ = get(P, "/img/logo.jpg", host="shop.onion")
        check(headers["content-type"] == "image/jpeg", "jpg is image/jpeg")
        status, headers, _ = get(P, "/files/sample.zip", host="shop.onion")
        check(headers["content-type"] == "application/zip", "zip is application/zip")
        status, headers, body = get(P, "/m/shop/", headers={"Accept-Encoding": "gzip"})
        check(headers.get("content-encoding") == "gzip" and b"Golden" in gzip.decompress(body), "gzip when asked")
        status, headers, body = get(P, "/m/shop/")
        check("content-encoding" not in headers, "no gzip when not asked")
        status, _, _ = get(P, "/m/shop/", headers={"If-None-Match": headers.get("etag", "")})
        check(status == 304, "If-None-Match with the ETag gives 304")
        lm = headers.get("last-modified", "")
        status, _, _ = get(P, "/m/shop/", headers={"If-Modified-Since": lm})
        check(status == 304, "If-Modified-Since with the Last-Modified date gives 304")
        status, _, _ = get(P, "/m/shop/", headers={"If-Modified-Since": "Fri, 30 Jun 2017 00:00:00 GMT"})
        check(status == 200, "If-Modified-Since before the Last-Modified date gives 200")
        status, _, _ = get(P, "/m/shop/", headers={"If-None-Match": "\"other\"", "If-Modified-Since": lm})
        check(status == 200, "a stale If-None-Match wins over If-Modified-Since")
        entry = [e for e in json.loads(get(P, "/__requests")[2]) if e["path"] == "/m/shop/"]
        check(entry and entry[0]["answered"].get("304") == 2 and entry[0]["conditional"] == 4
              and entry[0]["statuses"].get("304") is None,
              "request log: statuses as routed, answered after conditional headers, conditional requests counted")

        # -- HTTP/1.1 on one connection: HEAD, POST with a body, pipelining, Connection: close
        conn = http.client.HTTPConnection("127.0.0.1", P, timeout=10)
        conn.request("HEAD", "/m/shop/")
        response = conn.getresponse()
        check(response.status == 200 and int(response.getheader("Content-Length")) > 0 and response.read() == b"",
              "HEAD: Content-Length and no body")
        conn.request("POST", "/m/shop/login", body=b"username=a&password=b",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        check(response.status == 200 and b"Sign in" in response.read(), "POST with a body")
        conn.request("GET", "/m/paste/")
        response = conn.getresponse()
        check(response.status == 200 and b"Recent pastes" in response.read(), "keep-alive after a POST")
        conn.close()
        s = socket.create_connection(("127.0.0.1", P), timeout=10)
        s.sendall(b"GET /m/forum/ HTTP/1.1\r\nHost: x\r\n\r\nGET /m/paste/ HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        check(data.count(b"HTTP/1.1 200") == 2 and data.find(b"Breach Forum") < data.find(b"Recent pastes"),
              "pipelined requests answered in order, then closed")

        # -- a --prerender market serves the same bytes
        pre = Process("server.py", ["--pages", "30", "--rate-limit", "0", "--exposures", exposures_json,
                                    "--prerender"], tmp)
        others.append(pre)
        same = True
        for path, host in (("/m/shop/listing/3", None), ("/listing/30", "shop.onion"),
                           ("/m/shop/listings?page=1", None), ("/listings?page=1", "shop.onion")):
            for enc in ({}, {"Accept-Encoding": "gzip"}):
                h = dict(enc, Cookie="session=demo")
                a_status, a_headers, a_body = get(P, path, host=host, headers=h)
                b_status, b_headers, b_body = get(pre.port, path, host=host, headers=h)
                same = same and a_status == b_status == 200 and a_body == b_body and \
                    a_headers.get("etag") == b_headers.get("etag")
        check(same, "--prerender serves the same listing and index bytes and ETags")

        # -- manifest reaches everything
        check(len(manifest["markets"]["shop"]["listing_urls"]) == 30, "manifest lists 30 shop listings")
        check(manifest["markets"]["shop"]["path_listing_urls"][0] == "http://127.0.0.1:%d/m/shop/listing/1" % P,
              "manifest has path-mode URLs")
        bad = []
        for market in ("shop", "forum", "paste"):
            for path in manifest["markets"][market]["listing_paths"]:
                status, _, _ = get(P, "/m/%s%s" % (market, path), headers={"Cookie": "session=demo"})
                if status != 200:
                    bad.append((market, path, status))
        check(not bad, "every manifest listing answers 200 by path (%s)" % bad[:3])
        check(manifest["exposures"][0]["urls"] == ["http://shop.onion/listing/3"], "manifest says where exposures are")

        # -- request log
        log = json.loads(get(P, "/__requests")[2])
        entry = [e for e in log if e["host"] == "shop.onion" and e["path"] == "/flaky"]
        check(entry and entry[0]["count"] == 2 and entry[0]["statuses"] == {"503": 1, "200": 1},
              "request log counts /flaky twice with statuses")
        check(not any("evil" in e["host"] for e in log), "request log has no evil.example")
        json.loads(get(P, "/__requests?reset=1")[2])
        check(json.loads(get(P, "/__requests")[2]) == [], "/__requests?reset=1 clears the log")

        # -- SOCKS5 proxy
        X = proxy.port
        code, sock = socks_connect(X, 3, "shop.onion", 80)
        check(code == 0, "proxy CONNECT shop.onion:80 succeeds")
        if sock:
            status, body = http_over(sock, "shop.onion", "/listing/3", cookie="session=demo")
            check(status == 200 and b"planted.one@icloud.com" in body, "HTTP through the proxy reaches the shop")
        code, sock = socks_connect(X, 3, "forum.onion", 80)
        if sock:
            status, body = http_over(sock, "forum.onion", "/")
            check(status == 200 and b"Breach Forum" in body, "proxy maps forum.onion too")
        code, _ = socks_connect(X, 3, "evil.example", 80)
        check(code == 0x04, "proxy refuses evil.example with 0x04")
        code, _ = socks_connect(X, 1, "10.0.0.1", 80)
        check(code == 0x02, "proxy refuses 10.0.0.1 with 0x02")
        code, sock = socks_connect(X, 1, "127.0.0.1", P)
        check(code == 0, "proxy passes 127.0.0.1 to loopback")
        if sock:
            status, body = http_over(sock, "127.0.0.1:%d" % P, "/m/paste/")
            check(status == 200, "HTTP by path through the proxy")
        code, _ = socks_connect(X, 3, "shop.onion", 80, command=2)
        check(code == 0x07, "proxy refuses BIND with 0x07")
        # The same port as an HTTP proxy: absolute-form GET and CONNECT.
        s = socket.create_connection(("127.0.0.1", X), timeout=10)
        s.sendall(b"GET http://shop.onion/listing/3 HTTP/1.1\r\nHost: shop.onion\r\n"
                  b"Cookie: session=demo\r\nProxy-Connection: keep-alive\r\n\r\n")
        status, body = read_http(s)
        check(status == 200 and b"planted.one@icloud.com" in body, "HTTP proxy forwards GET http://shop.onion/")
        s = socket.create_connection(("127.0.0.1", X), timeout=10)
        s.sendall(b"CONNECT forum.onion:80 HTTP/1.1\r\nHost: forum.onion:80\r\n\r\n")
        check(s.recv(64).startswith(b"HTTP/1.1 200"), "HTTP proxy CONNECT forum.onion:80 succeeds")
        status, body = http_over(s, "forum.onion", "/")
        check(status == 200 and b"Breach Forum" in body, "HTTP proxy tunnels to the forum")
        s = socket.create_connection(("127.0.0.1", X), timeout=10)
        s.sendall(b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        check(read_http(s)[0] == 403, "HTTP proxy refuses evil.example with 403")
        # SOCKS4 with an address, SOCKS4a with a name.
        s = socket.create_connection(("127.0.0.1", X), timeout=10)
        s.sendall(struct.pack("!BBH4s", 4, 1, P, socket.inet_aton("127.0.0.1")) + b"\x00")
        check(s.recv(8)[1] == 90, "SOCKS4 CONNECT 127.0.0.1 succeeds")
        status, body = http_over(s, "127.0.0.1:%d" % P, "/m/paste/")
        check(status == 200, "HTTP by path through SOCKS4")
        s = socket.create_connection(("127.0.0.1", X), timeout=10)
        s.sendall(struct.pack("!BBH4s", 4, 1, 80, socket.inet_aton("0.0.0.1")) + b"\x00evil.example\x00")
        check(s.recv(8)[1] == 91, "SOCKS4a refuses evil.example with 91")
        time.sleep(0.2)
        with open(proxy_log) as f:
            entries = [json.loads(line) for line in f]
        refused = {(e["destination"], e["action"]) for e in entries}
        check(("evil.example", "refused") in refused and ("10.0.0.1", "refused") in refused,
              "proxy log records refused destinations")
        log = json.loads(get(P, "/__requests")[2])
        check(any(e["host"] == "shop.onion" and e["path"] == "/listing/3" for e in log),
              "server saw the proxied request with Host: shop.onion")

        # -- rate limit, latency, CSV exposures, scale
        limited = Process("server.py", ["--pages", "5", "--rate-limit", "10", "--latency-ms", "30",
                                        "--exposures", exposures_csv], tmp)
        others.append(limited)
        started = time.time()
        status, _, _ = get(limited.port, "/", host="paste.onion")
        check(time.time() - started >= 0.029, "--latency-ms delays responses")
        statuses = []
        conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=10)
        for _ in range(15):
            conn.request("GET", "/", headers={"Host": "forum.onion"})
            response = conn.getresponse()
            response.read()
            statuses.append((response.status, response.getheader("Retry-After")))
        conn.close()
        check((429, "1") in statuses and statuses[0][0] == 200, "429 with Retry-After: 1 above the rate (keep-alive)")
        status, _, _ = get(limited.port, "/", host="paste.onion")
        check(status == 200, "rate limit is per host")
        status, _, body = get(limited.port, "/listing/1", host="shop.onion", headers={"Cookie": "session=demo"})
        check(b"csv.planted@163.com" in body, "CSV exposures are planted")

        big = Process("server.py", ["--pages", "50000", "--rate-limit", "0"], tmp)
        others.append(big)
        status, _, _ = get(big.port, "/listing/50000", host="shop.onion", headers={"Cookie": "session=demo"})
        check(status == 200, "--pages 50000 serves listing 50000")
        m = json.loads(get(big.port, "/__manifest")[2])
        check(len(m["markets"]["shop"]["listing_urls"]) == 50000, "manifest of 50000 listings")

        # -- URL variants and the crawl accounting (scripts/bench/markets.py)
        check_variants(tmp, others)

        # -- the hostile market
        check_hostile(tmp, P, others)
    finally:
        for p in others + [proxy, server]:
            p.stop()

    print("fixture market selftest%s: %d checks, %d failed"
          % (" (" + " ".join(SERVER_MODE) + ")" if SERVER_MODE else "", checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
