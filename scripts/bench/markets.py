#!/usr/bin/env python3
"""Crawl speed on markets shaped like the real ones (issue #15): leakwatch
against Scrapy at the same rate, on three fixture markets of different sizes
at once (a shop, a phpBB-style forum, a paste site), each its own host
(127.0.0.2-4), each capped by the server (429 with Retry-After above
--cap requests/s), with Tor-like latency (--latency-ms plus up to
--jitter-ms), and with links that carry content-neutral parameters (sort,
ref, from, utm_*, view, shuffled order) next to the content ones
(scripts/fixture_market/variants.py).

For each tool it prints the whole run's time, fetches, 429s, distinct pages,
variant fetches (another URL of a page already fetched) and coverage (the
planted listings fetched, of all planted), per market and in all; then the
ratio leakwatch / Scrapy and the floor the caps set (the biggest market's
distinct pages / the rate). Both tools crawl at --rate requests/s per host
with --per-host requests in flight per host.

    scripts/bench/markets.py [--rate 18] [--cap 20] [--latency-ms 400] [--jitter-ms 800]
                             [--shop 400] [--forum 3000] [--paste 5000] [--repeat 1]
                             [--workers 1,2,4]

--workers N,M,...: leakwatch only, as N `leakwatch crawl` processes on one
database and one frontier (issue #18 part 4), for each count in turn: the
whole run's time, pages/s (distinct pages / wall), and the ratios to one
worker and to the floor; per worker, the requests it sent and the pages it
fetched (new content, duplicate content) and URL variants it left out. Each worker has --per-host requests in flight per
host; the rate is shared by all of them.

Uses a throwaway PostgreSQL (scripts/pg) in a temporary folder; sends nothing
beyond 127.0.0.0/8. LEAKWATCH_BINARY overrides build/app/leakwatch.
"""
import argparse
import json
import re
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixture_market"))
from variants import content_key  # noqa: E402

MARKETS = (("shop", "127.0.0.2"), ("forum", "127.0.0.3"), ("paste", "127.0.0.4"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rate", type=float, default=18, help="requests/s per host, both tools")
    p.add_argument("--per-host", type=int, default=32,
                   help="requests in flight per host at most, both tools (leakwatch keeps rate x latency within it)")
    p.add_argument("--cap", type=float, default=20, help="the markets' own cap, requests/s (429 above)")
    p.add_argument("--latency-ms", type=float, default=400)
    p.add_argument("--jitter-ms", type=float, default=800)
    p.add_argument("--shop", type=int, default=400, help="shop listings")
    p.add_argument("--forum", type=int, default=3000, help="--pages of the forum's market (threads = /20)")
    p.add_argument("--paste", type=int, default=5000, help="--pages of the paste market (pastes = /50)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--scrapy-total", type=int, default=512,
                   help="Scrapy's CONCURRENT_REQUESTS: high, so that requests waiting out one host's delay "
                        "never hold back the other hosts (Scrapy counts them as active)")
    p.add_argument("--workers", default="",
                   help="comma-separated worker counts, e.g. 1,2,4: leakwatch only, N crawl processes each")
    p.add_argument("--tools", default="leakwatch,leakwatch-auto,scrapy",
                   help="leakwatch (rate = --rate), leakwatch-auto (rate = \"auto\", max_rate = --rate), scrapy")
    return p.parse_args()


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


class Markets:
    def __init__(self, args, work):
        self.procs, self.ports = [], {}
        sizes = {"shop": args.shop, "forum": args.forum, "paste": args.paste}
        for name, addr in MARKETS:
            port_file = os.path.join(work, name + ".port")
            log = open(os.path.join(work, name + ".log"), "w")
            self.procs.append(subprocess.Popen(
                [sys.executable, os.path.join(ROOT, "scripts/fixture_market/server.py"), "--bind", addr,
                 "--port", "0", "--port-file", port_file, "--pages", str(sizes[name]), "--cookie", "",
                 "--rate-limit", str(args.cap), "--latency-ms", str(args.latency_ms),
                 "--latency-jitter-ms", str(args.jitter_ms), "--variants", "--cache"],
                stdout=log, stderr=log))
            for _ in range(600):
                if os.path.exists(port_file) and open(port_file).read().strip():
                    break
                time.sleep(0.1)
            self.ports[name] = int(open(port_file).read())
        self.planted = {}
        for name, addr in MARKETS:
            manifest = get_json(self.meta(name, "/__manifest"))
            self.planted[name] = {content_key("/m/%s%s" % (name, p.split("?")[0]), p.partition("?")[2])
                                  for e in manifest["exposures"] if e["market"] == name for p in e["paths"][:1]}

    def base(self, name):
        addr = dict(MARKETS)[name]
        return "http://%s:%d" % (addr, self.ports[name])

    def meta(self, name, path):
        return self.base(name) + path

    def seed(self, name):
        return "%s/m/%s/" % (self.base(name), name)

    def take_summary(self):
        out = {}
        for name, addr in MARKETS:
            s = get_json(self.meta(name, "/__crawl?reset=1"))
            h = next(iter(s.values()), {"fetches": 0, "status_429": 0, "variant_fetches": 0,
                                         "distinct_pages": 0, "pages": []})
            pages = set(h["pages"])
            h["covered"] = len(self.planted[name] & pages)
            h["planted"] = len(self.planted[name])
            out[name] = h
        return out

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()


def timed(cmd, log, cwd=None, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=cwd, env=env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc != 0:
        sys.stderr.write(open(log).read()[-3000:])
        raise SystemExit("%s exited %d" % (cmd[0], rc))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed_many(cmds, log_prefix):
    """Runs the commands at once; the wall time is until the last one ends."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    procs = []
    for i, cmd in enumerate(cmds):
        f = open("%s.%d.log" % (log_prefix, i), "w")
        procs.append((subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT), f, cmd))
    for i, (p, f, cmd) in enumerate(procs):
        rc = p.wait()
        f.close()
        if rc != 0:
            sys.stderr.write(open("%s.%d.log" % (log_prefix, i)).read()[-3000:])
            raise SystemExit("%s exited %d" % (cmd[0], rc))
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_leakwatch(args, markets, work, pg_url, n, auto=False, workers=0):
    db = "bench_markets_%d%s%s" % (n, "_auto" if auto else "", "_w%d" % workers if workers else "")
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.check_call(["psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS %s" % db])
    subprocess.check_call(["psql", "-q", admin, "-c", "CREATE DATABASE %s" % db])
    url = pg_url.rsplit("/", 1)[0] + "/" + db
    key = os.path.join(work, "leakwatch.key")
    if not os.path.exists(key):
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
    lines = ['[database]', 'url = "%s"' % url, '[hashing]', 'key_file = "%s"' % key, '[crawl]', 'proxy = "none"',
             'concurrency = %d' % (args.per_host * len(MARKETS)), 'per_host_concurrency = %d' % args.per_host,
             ('rate = "auto"\nmax_rate = %g' if auto else 'rate = %g') % args.rate, 'max_depth = 1000',
             'log_interval_s = 30']
    for name, _ in MARKETS:
        seed = markets.seed(name)
        lines += ['[[source]]', 'name = "%s"' % name, 'seeds = ["%s"]' % seed,
                  'allow = ["^%s"]' % seed.replace(".", "\\\\."), 'deny = ["calendar", "log-?in", "log-?out"]',
                  'allow_private = true', 'max_pages = 1000000']
    config = os.path.join(work, "leakwatch.toml")
    with open(config, "w") as f:
        f.write("\n".join(lines) + "\n")
    binary = os.environ.get("LEAKWATCH_BINARY", os.path.join(ROOT, "build/app/leakwatch"))
    subprocess.check_call([binary, "--config", config, "db", "migrate"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    if workers:
        return timed_many([[binary, "--config", config, "crawl"]] * workers, os.path.join(work, "leakwatch"))
    return timed([binary, "--config", config, "crawl"], os.path.join(work, "leakwatch.log"))


def run_scrapy(args, markets, work):
    starts = ",".join(markets.seed(name) for name, _ in MARKETS)
    stats = os.path.join(work, "scrapy.json")
    return timed(["/usr/bin/python3", "-m", "scrapy", "runspider", os.path.join(ROOT, "scripts/bench/crawl_spider.py"),
                  "-a", "start=" + starts, "-a", "stats=" + stats, "-a", "strip=sid",
                  "-s", "CONCURRENT_REQUESTS=%d" % args.scrapy_total,
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=%d" % args.per_host, "-s", "CONCURRENT_REQUESTS_PER_IP=0",
                  "-s", "DOWNLOAD_DELAY=%g" % (1.0 / args.rate), "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
                  "-s", "ROBOTSTXT_OBEY=False", "-s", "COOKIES_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False",
                  "-s", "DEPTH_LIMIT=0", "-s", "LOG_LEVEL=WARNING", "-s", "AUTOTHROTTLE_ENABLED=False",
                  "-s", "HTTPCACHE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=60", "-s", "RETRY_TIMES=20"],
                 os.path.join(work, "scrapy.log"), cwd=work)


def report_line(tool, wall, cpu, summary):
    tot = {k: sum(m[k] for m in summary.values())
           for k in ("fetches", "status_429", "variant_fetches", "distinct_pages", "covered", "planted")}
    per = " ".join("%s %d/%d/%d" % (n, m["fetches"], m["distinct_pages"], m["variant_fetches"])
                   for n, m in summary.items())
    print("%-10s %7.1f s wall %6.1f s CPU  fetches %5d  429s %4d  distinct %5d  variant %5d  coverage %d/%d"
          "   [fetches/distinct/variant: %s]" % (tool, wall, cpu, tot["fetches"], tot["status_429"],
                                                 tot["distinct_pages"], tot["variant_fetches"], tot["covered"],
                                                 tot["planted"], per))
    for n, m in summary.items():
        t = m.get("timeline", [])
        windows = [sum(t[i:i + 5]) / 5.0 for i in range(0, len(t), 5)]
        print("    %-6s %4d fetches in %3d s (%.1f/s); per second, by 5 s: %s"
              % (n, m["fetches"], len(t), m["fetches"] / max(1, len(t)), " ".join("%.0f" % w for w in windows)))
    sys.stdout.flush()
    return dict(tot, wall=wall, cpu=cpu, summary=summary)


def worker_lines(work, workers):
    """Per worker, from its log's summary: requests sent (all hosts), pages
    fetched, of them new content, and URL variants left out."""
    out = []
    for i in range(workers):
        text = open(os.path.join(work, "leakwatch.%d.log" % i)).read()
        m = re.search(r"crawl: (\d+) pages fetched \((\d+) new, (\d+) duplicate content.*?"
                      r"\((\d+) URL variants left out\)", text)
        requests = sum(int(r) for r in re.findall(r"crawl: host \S+: (\d+) requests", text))
        if m:
            out.append({"requests": requests, "fetched": int(m.group(1)), "new": int(m.group(2)),
                        "duplicate": int(m.group(3)), "variants_left_out": int(m.group(4))})
    for i, w in enumerate(out):
        print("    worker %d: %4d requests, %4d pages fetched (%4d new content, %3d duplicate content), "
              "%4d URL variants left out" % (i, w["requests"], w["fetched"], w["new"], w["duplicate"],
                                              w["variants_left_out"]))
    return out


def run_workers(args, markets, work, pg_url):
    counts = [int(c) for c in args.workers.split(",")]
    best = {}
    for n in range(args.repeat):
        for w in counts:
            wall, cpu = run_leakwatch(args, markets, work, pg_url, n, workers=w)
            r = report_line("%d worker%s" % (w, "" if w == 1 else "s"), wall, cpu, markets.take_summary())
            r["workers"] = worker_lines(work, w)
            if r["distinct_pages"] == 0:
                raise SystemExit("%d workers fetched nothing" % w)
            if w not in best or r["wall"] < best[w]["wall"]:
                best[w] = r
    biggest = max(best[counts[0]]["summary"].values(), key=lambda m: m["distinct_pages"])
    floor = biggest["distinct_pages"] / args.rate
    print("floor (biggest market's distinct pages / rate): %.1f s; rate-cap ceiling %.1f pages/s"
          % (floor, sum(m["distinct_pages"] for m in best[counts[0]]["summary"].values()) / floor))
    base = best[counts[0]]
    for w in counts:
        r = best[w]
        print("%d worker%s: %6.1f s, %5.1f pages/s, %.2fx the pages/s of %d worker%s, wall / floor %.2fx"
              % (w, " " if w == 1 else "s", r["wall"], r["distinct_pages"] / r["wall"],
                 (r["distinct_pages"] / r["wall"]) / (base["distinct_pages"] / base["wall"]), counts[0],
                 "" if counts[0] == 1 else "s", r["wall"] / floor))


def main():
    args = parse_args()
    tools = ["leakwatch"] if args.workers else args.tools.split(",")
    work = tempfile.mkdtemp(prefix="leakwatch-markets.")
    os.chmod(work, 0o755)
    pg_url, markets = None, None
    try:
        if any(t.startswith("leakwatch") for t in tools):
            pg_url = subprocess.check_output([os.path.join(ROOT, "scripts/pg"), "start",
                                              os.path.join(work, "pg")], text=True).strip()
        markets = Markets(args, work)
        print("three markets (shop --pages %d, forum --pages %d, paste --pages %d), each capped at %g req/s "
              "(429 + Retry-After), latency %g-%g ms, URL variants; both tools at %g req/s and %d in flight "
              "per host; %d CPUs" % (args.shop, args.forum, args.paste, args.cap, args.latency_ms,
                                     args.latency_ms + args.jitter_ms, args.rate, args.per_host, os.cpu_count()))
        results = {}
        markets.take_summary()
        if args.workers:
            return run_workers(args, markets, work, pg_url)
        for n in range(args.repeat):
            for tool in tools:
                if tool in ("leakwatch", "leakwatch-auto"):
                    wall, cpu = run_leakwatch(args, markets, work, pg_url, n, auto=tool == "leakwatch-auto")
                else:
                    wall, cpu = run_scrapy(args, markets, work)
                r = report_line(tool, wall, cpu, markets.take_summary())
                if r["distinct_pages"] == 0:
                    sys.stderr.write(open(os.path.join(work, tool + ".log")).read()[-3000:])
                    raise SystemExit("%s fetched nothing" % tool)
                if tool not in results or r["wall"] < results[tool]["wall"]:
                    results[tool] = r
        biggest = max(results[tools[0]]["summary"].values(), key=lambda m: m["distinct_pages"])
        floor = biggest["distinct_pages"] / args.rate
        print("floor (biggest market's distinct pages / rate): %.1f s" % floor)
        for tool in ("leakwatch", "leakwatch-auto"):
            if tool in results and "scrapy" in results:
                lw, sc = results[tool], results["scrapy"]
                print("%s / Scrapy: wall %.2fx, variant fetches %.2fx (%d vs %d); %s / floor %.2fx"
                      % (tool, lw["wall"] / sc["wall"], lw["variant_fetches"] / max(1, sc["variant_fetches"]),
                         lw["variant_fetches"], sc["variant_fetches"], tool, lw["wall"] / floor))
            elif tool in results:
                print("%s / floor %.2fx" % (tool, results[tool]["wall"] / floor))
    finally:
        if markets:
            markets.stop()
        if pg_url:
            subprocess.call([os.path.join(ROOT, "scripts/pg"), "stop", os.path.join(work, "pg")],
                            stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
