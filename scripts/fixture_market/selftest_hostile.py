"""The self-test of the hostile market (server.py --hostile), and of its
absence by default.
"""

import json
import re
import urllib.parse

from selftest_tools import Process, check, get, gunzip_size, raw_request


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

