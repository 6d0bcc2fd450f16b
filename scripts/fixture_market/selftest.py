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
import socket
import struct
import sys
import tempfile
import time
import urllib.parse

import selftest_tools
from selftest_hostile import check_hostile
from selftest_tools import SERVER_MODE, Process, check, get, http_over, read_http, socks_connect
from selftest_variants import check_variants


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
          % (" (" + " ".join(SERVER_MODE) + ")" if SERVER_MODE else "", selftest_tools.checks,
             len(selftest_tools.failures)))
    return 1 if selftest_tools.failures else 0


if __name__ == "__main__":
    sys.exit(main())
