#!/usr/bin/env bash
# Crawl speed: leakwatch against Scrapy (Debian's python3-scrapy) on the
# fixture market's shop, by path (no proxy), with an added per-response
# latency like Tor's, at the same concurrency, for several concurrencies.
# Then leakwatch alone at 10x the pages, to show that peak memory stays flat.
#
#   scripts/bench/crawl.sh [PAGES] [CONCURRENCIES] [LATENCY_MS]
#       defaults: 5000 "16 32 64 128" 100   (CONCURRENCIES: one number or a list)
#   REPEAT=2: runs of each crawl; the table shows the best (highest pages/s)
#   BIG_PAGES=50000 (0 skips), BIG_LATENCY_MS=10, BIG_CONCURRENCY=16: the memory run
#   LEAKWATCH_BINARY=path/to/leakwatch (default build/app/leakwatch)
#   BENCH_LOCK=/tmp/leakwatch-bench.lock: hold this flock(1) lock during each
#       timed run (market start-up included), so that benchmarks on a shared
#       machine take turns without one holding the lock for the whole script
#
# The market runs with --prerender (keep-alive, pages rendered at start-up),
# so that it is not what gets measured; its own ceiling (curl --parallel at
# latency 0) is measured first. With latency L ms, concurrency C caps any crawler at C*1000/L pages/s.
# Prints pages/s, CPU seconds per 1,000 pages (crawler; leakwatch's PostgreSQL
# server; the market) and peak RSS for each run, then a markdown table.
# Uses a throwaway PostgreSQL in a temporary folder; sends nothing beyond
# 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/setup" --bench >&2  # with the benchmarks' peers and tools; stdout is the report
pages=${1:-5000}
concurrencies=$(echo "${2:-16 32 64 128}" | tr ',' ' ')
latency=${3:-100}
repeat=${REPEAT:-1}
big_pages=${BIG_PAGES:-50000}
big_latency=${BIG_LATENCY_MS:-10}
big_concurrency=${BIG_CONCURRENCY:-16}
lock=${BENCH_LOCK:-}
bin=${LEAKWATCH_BINARY:-$root/build/app/leakwatch}
[ -x "$bin" ] || { echo "crawl.sh: no leakwatch binary at $bin (build first, or set LEAKWATCH_BINARY)" >&2; exit 1; }
scrapy_python=/usr/bin/python3
"$scrapy_python" -c 'import scrapy' 2>/dev/null || { echo "crawl.sh: python3-scrapy is not installed" >&2; exit 1; }
scrapy_version=$("$scrapy_python" -c 'import scrapy; print(scrapy.__version__)')
hz=$(getconf CLK_TCK)

work=$(mktemp -d /tmp/leakwatch-bench.XXXXXX)
chmod 755 "$work"  # scripts/pg runs the server as postgres when root
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$root/scripts/pg" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_url=$("$root/scripts/pg" start "$work/pg")
admin_url=${pg_url%/*}/postgres

take_lock() { if [ -n "$lock" ]; then exec 9>>"$lock"; flock 9; fi; }
drop_lock() { if [ -n "$lock" ]; then flock -u 9; exec 9>&-; fi; }

start_market() {  # PAGES LATENCY EXTRA_ARGS...
  local n=$1 l=$2
  shift 2
  rm -f "$work/market.port"
  python3 "$root/scripts/fixture_market/server.py" --port 0 --port-file "$work/market.port" \
    --pages "$n" --latency-ms "$l" --rate-limit 0 --cookie "" --slow-s 1 --huge-mb 2 "$@" \
    >"$work/market.log" 2>&1 9>&- &
  server_pid=$!
  for _ in $(seq 1200); do [ -s "$work/market.port" ] && break; sleep 0.1; done
  [ -s "$work/market.port" ] || { cat "$work/market.log" >&2; exit 1; }
  port=$(cat "$work/market.port")
}

stop_market() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# CPU ticks of the PostgreSQL server so far: the postmaster and its reaped backends.
pg_cpu_ticks() {
  local pid
  pid=$(head -1 "$work/pg/data/postmaster.pid")
  awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat"
}

# One result line per run, kept in $work/results for the table:
# name concurrency pages wall cpu_s pg_cpu_s market_cpu_s rss_kb
record() {  # NAME CONCURRENCY PAGES TIMEFILE PG_TICKS MARKET_TICKS
  local wall user sys rss
  read -r wall user sys rss <"$4"
  echo "$1 $2 $3 $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') \
$(awk -v t="$5" -v hz="$hz" 'BEGIN { print t / hz }') $(awk -v t="$6" -v hz="$hz" 'BEGIN { print t / hz }') $rss" \
    >>"$work/results"
  awk -v n="$1" -v c="$2" -v p="$3" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
      -v pg="$5" -v mk="$6" -v hz="$hz" 'BEGIN {
    printf "%-16s c=%-4d %6d pages %6.1f s %7.1f pages/s  CPU s/1000 pages: %5.2f", n, c, p, w, p / w, (u + s) * 1000 / p
    if (pg >= 0) printf " (+%.2f PostgreSQL)", pg / hz * 1000 / p
    printf ", market %.2f  %6.1f MiB peak RSS\n", mk / hz * 1000 / p, r / 1024 }'
}

run_leakwatch() {  # NAME PAGES LATENCY CONCURRENCY [MARKET_ARGS...]
  local name=$1 n=$2 l=$3 c=$4
  shift 4
  take_lock
  start_market "$n" "$l" "$@"
  local db="bench_$RANDOM$RANDOM"
  psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
  local url=${pg_url%/*}/$db
  # Per-host concurrency = concurrency and a rate far above what the market
  # can serve: leakwatch is limited by C and the latency, not by its config.
  [ -f "$work/key" ] || (umask 077 && openssl rand -hex 32 >"$work/key")
  cat >"$work/leakwatch.toml" <<TOML
[database]
url = "$url"
[hashing]
key_file = "$work/key"
[crawl]
proxy = "none"
concurrency = $c
per_host_concurrency = $c
rate = 10000
max_depth = 1000
max_page_bytes = 1048576
log_interval_s = 30
[[source]]
name = "shop"
seeds = ["http://127.0.0.1:$port/m/shop/"]
allow = ["^http://127\\\\.0\\\\.0\\\\.1:$port/m/shop/"]
deny = ["calendar"]
allow_private = true
max_pages = 10000000
TOML
  "$bin" --config "$work/leakwatch.toml" db migrate >/dev/null 2>&1
  local pg_before market_before
  pg_before=$(pg_cpu_ticks)
  market_before=$(cpu_ticks "$server_pid")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" --config "$work/leakwatch.toml" crawl 2>"$work/$name.log" 9>&- \
    || { cat "$work/$name.log" >&2; exit 1; }
  local market_ticks=$(( $(cpu_ticks "$server_pid") - market_before )) pg_ticks=$(( $(pg_cpu_ticks) - pg_before ))
  stop_market
  drop_lock
  local fetched
  fetched=$(psql -tAq "$url" -c "SELECT count(*) FROM frontier WHERE fetched_at IS NOT NULL")
  psql -q "$admin_url" -c "DROP DATABASE $db" >/dev/null
  record "$name" "$c" "$fetched" "$work/time" "$pg_ticks" "$market_ticks"
}

run_scrapy() {  # NAME PAGES LATENCY CONCURRENCY
  local name=$1 n=$2 l=$3 c=$4
  take_lock
  start_market "$n" "$l" --prerender
  local market_before
  market_before=$(cpu_ticks "$server_pid")
  # Like for like: the same concurrency overall and per host, no delay, no
  # autothrottle, no cache, no robots.txt, no cookies (the market has no
  # login wall here), little logging.
  (cd "$work" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$scrapy_python" -m scrapy runspider \
      "$root/scripts/bench/crawl_spider.py" -a "start=http://127.0.0.1:$port/m/shop/" -a "stats=$work/scrapy.json" \
      -s CONCURRENT_REQUESTS="$c" -s CONCURRENT_REQUESTS_PER_DOMAIN="$c" -s CONCURRENT_REQUESTS_PER_IP=0 \
      -s DOWNLOAD_DELAY=0 -s RANDOMIZE_DOWNLOAD_DELAY=False -s ROBOTSTXT_OBEY=False -s COOKIES_ENABLED=False \
      -s TELNETCONSOLE_ENABLED=False -s DEPTH_LIMIT=0 -s DOWNLOAD_MAXSIZE=1048576 -s LOG_LEVEL=WARNING \
      -s AUTOTHROTTLE_ENABLED=False -s HTTPCACHE_ENABLED=False -s DOWNLOAD_TIMEOUT=60 2>"$work/$name.log" 9>&-) \
    || { cat "$work/$name.log" >&2; exit 1; }
  local market_ticks=$(( $(cpu_ticks "$server_pid") - market_before ))
  stop_market
  drop_lock
  local fetched
  fetched=$("$scrapy_python" -c "import json; print(json.load(open('$work/scrapy.json'))['responses'])")
  record "$name" "$c" "$fetched" "$work/time" -1 "$market_ticks"
}

# The market alone: curl fetching every listing by its known URL (no parsing,
# no discovery), at latency 0.
run_ceiling() {  # PAGES PARALLEL
  local n=$1 c=$2
  take_lock
  start_market "$n" 0 --prerender
  local market_before
  market_before=$(cpu_ticks "$server_pid")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" curl --no-progress-meter --fail --compressed \
    --parallel --parallel-max "$c" "http://127.0.0.1:$port/m/shop/listing/[1-$n]" >"$work/curl.out" 9>&-
  local market_ticks=$(( $(cpu_ticks "$server_pid") - market_before ))
  stop_market
  drop_lock
  local fetched
  fetched=$(grep -c '<h1 class="title">' "$work/curl.out")
  record "market-alone" "$c" "$fetched" "$work/time" -1 "$market_ticks"
}

echo "fixture market shop by path (server.py --prerender), --latency-ms $latency," \
     "concurrency $concurrencies, best of $repeat, $(nproc) CPUs; load: $(uptime | sed 's/.*load/load/')"
max_c=0
for c in $concurrencies; do [ "$c" -gt "$max_c" ] && max_c=$c; done
for _ in $(seq "$repeat"); do run_ceiling "$pages" "$max_c"; done
for c in $concurrencies; do
  for _ in $(seq "$repeat"); do
    run_leakwatch "leakwatch" "$pages" "$latency" "$c" --prerender
    run_scrapy "scrapy-$scrapy_version" "$pages" "$latency" "$c"
  done
done
if [ "$big_pages" -gt 0 ]; then
  echo "memory: --latency-ms $big_latency, concurrency $big_concurrency (pages rendered on demand)"
  for _ in $(seq "$repeat"); do
    run_leakwatch "leakwatch-mem" "$pages" "$big_latency" "$big_concurrency"
    run_leakwatch "leakwatch-mem" "$big_pages" "$big_latency" "$big_concurrency"
  done
fi
echo "load after: $(uptime | sed 's/.*load/load/')"

# Best run (highest pages/s) per (name, concurrency, pages) as a markdown table.
echo
awk -v latency="$latency" '
  { key = $1 " " $2 " " $3; rate = $3 / $4
    if (!(key in best) || rate > best[key]) { best[key] = rate; line[key] = $0 }
    if (!(key in order)) { order[key] = ++n; keys[n] = key } }
  END {
    print "| run | concurrency | bound C*1000/L | pages | pages/s | CPU s / 1,000 pages | PostgreSQL CPU s / 1,000 | market CPU s / 1,000 | peak RSS |"
    print "|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      split(line[keys[i]], f, " ")
      bound = (f[1] ~ /^(market-alone|leakwatch-mem)$/) ? "-" : sprintf("%d", f[2] * 1000 / latency)
      printf "| %s | %d | %s | %d | %.1f | %.2f | %s | %.2f | %.1f MiB |\n", f[1], f[2], bound, f[3], f[3] / f[4],
             f[5] * 1000 / f[3], (f[6] < 0 ? "-" : sprintf("%.2f", f[6] * 1000 / f[3])), f[7] * 1000 / f[3], f[8] / 1024
    }
  }' "$work/results"
