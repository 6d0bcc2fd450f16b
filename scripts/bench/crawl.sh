#!/usr/bin/env bash
# Crawl speed: leakwatch against Scrapy (Debian's python3-scrapy) on the
# fixture market's shop, by path (no proxy), with an added per-response
# latency like Tor's, at the same concurrency. Then leakwatch alone at 10x the
# pages, to show that peak memory stays flat.
#
#   scripts/bench/crawl.sh [PAGES] [CONCURRENCY] [LATENCY_MS]
#       defaults: 5000 16 100
#   BIG_PAGES=50000 (0 skips), BIG_LATENCY_MS=10: the memory run
#   LEAKWATCH_BINARY=path/to/leakwatch (default build/app/leakwatch)
#
# Prints pages/s, CPU seconds per 1,000 pages and peak RSS for each run.
# Uses a throwaway PostgreSQL in a temporary folder; sends nothing beyond
# 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pages=${1:-5000}
concurrency=${2:-16}
latency=${3:-100}
big_pages=${BIG_PAGES:-50000}
big_latency=${BIG_LATENCY_MS:-10}
bin=${LEAKWATCH_BINARY:-$root/build/app/leakwatch}
[ -x "$bin" ] || { echo "crawl.sh: no leakwatch binary at $bin (build first, or set LEAKWATCH_BINARY)" >&2; exit 1; }
scrapy_python=/usr/bin/python3
"$scrapy_python" -c 'import scrapy' 2>/dev/null || { echo "crawl.sh: python3-scrapy is not installed" >&2; exit 1; }

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

start_market() {  # PAGES LATENCY
  rm -f "$work/market.port"
  python3 "$root/scripts/fixture_market/server.py" --port 0 --port-file "$work/market.port" \
    --pages "$1" --latency-ms "$2" --rate-limit 0 --cookie "" --slow-s 1 --huge-mb 2 \
    >"$work/market.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/market.port" ] && break; sleep 0.1; done
  port=$(cat "$work/market.port")
}

# CPU ticks of the PostgreSQL server so far: the postmaster and its reaped backends.
pg_cpu_ticks() {
  local pid
  pid=$(head -1 "$work/pg/data/postmaster.pid")
  awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat"
}

stop_market() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# Prints "pages wall user sys maxrss_kb" of the timed command's results.
report() {  # NAME PAGES TIMEFILE
  read -r wall user sys rss <"$3"
  awk -v n="$1" -v p="$2" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    printf "%-28s %7d pages %7.1f s %8.1f pages/s %7.2f CPU s/1000 pages %8.1f MiB peak RSS\n",
           n, p, w, p / w, (u + s) * 1000 / p, r / 1024 }'
}

run_leakwatch() {  # NAME PAGES LATENCY
  start_market "$2" "$3"
  local db="bench_$RANDOM$RANDOM"
  psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
  local url=${pg_url%/*}/$db
  cat >"$work/leakwatch.toml" <<TOML
[database]
url = "$url"
[crawl]
proxy = "none"
concurrency = $concurrency
per_host_concurrency = $concurrency
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
  local pg_before
  pg_before=$(pg_cpu_ticks)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" --config "$work/leakwatch.toml" crawl 2>"$work/$1.log" \
    || { cat "$work/$1.log" >&2; exit 1; }
  local fetched
  fetched=$(psql -tAq "$url" -c "SELECT count(*) FROM frontier WHERE fetched_at IS NOT NULL")
  report "$1" "$fetched" "$work/time"
  awk -v t="$(( $(pg_cpu_ticks) - pg_before ))" -v hz="$(getconf CLK_TCK)" -v p="$fetched" \
    'BEGIN { printf "%-28s %7s       (PostgreSQL server: %.2f CPU s/1000 pages)\n", "", "", t / hz * 1000 / p }'
  stop_market
}

run_scrapy() {  # NAME PAGES LATENCY
  start_market "$2" "$3"
  (cd "$work" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$scrapy_python" -m scrapy runspider \
      "$root/scripts/bench/crawl_spider.py" -a "start=http://127.0.0.1:$port/m/shop/" -a "stats=$work/scrapy.json" \
      -s CONCURRENT_REQUESTS="$concurrency" -s CONCURRENT_REQUESTS_PER_DOMAIN="$concurrency" \
      -s DOWNLOAD_DELAY=0 -s ROBOTSTXT_OBEY=False -s COOKIES_ENABLED=False -s TELNETCONSOLE_ENABLED=False \
      -s DEPTH_LIMIT=0 -s DOWNLOAD_MAXSIZE=1048576 -s LOG_LEVEL=WARNING -s AUTOTHROTTLE_ENABLED=False \
      -s HTTPCACHE_ENABLED=False -s DOWNLOAD_TIMEOUT=60 2>"$work/$1.log") \
    || { cat "$work/$1.log" >&2; exit 1; }
  local fetched
  fetched=$("$scrapy_python" -c "import json; print(json.load(open('$work/scrapy.json'))['responses'])")
  report "$1" "$fetched" "$work/time"
  stop_market
}

echo "fixture market shop by path, --latency-ms $latency, concurrency $concurrency, $(nproc) CPUs"
run_leakwatch "leakwatch" "$pages" "$latency"
run_scrapy "scrapy $("$scrapy_python" -c 'import scrapy; print(scrapy.__version__)')" "$pages" "$latency"
if [ "$big_pages" -gt 0 ]; then
  echo "memory: --latency-ms $big_latency"
  run_leakwatch "leakwatch" "$pages" "$big_latency"
  run_leakwatch "leakwatch" "$big_pages" "$big_latency"
fi
