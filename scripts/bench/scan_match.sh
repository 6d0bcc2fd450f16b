#!/usr/bin/env bash
# Benchmark: matching throughput of `leakwatch scan` (with the database) on a
# dump of I identifiers (default 1,000,000) against C generated customers
# (default 1,000,000), next to the baseline measured in the same run: raw SQL
# doing the equivalent join in psql (\copy of the dump's identifier hashes
# into a temp table, ANALYZE, join against customer_identifiers, rows out to
# a file). `scan --all` (extraction only, no database) is timed too, so the
# database part's cost shows.
#
#   scripts/bench/scan_match.sh [C] [I] [REPS]      defaults: 1000000 1000000 2
#   FRACTION=0.1                 share of the dump's identifiers that are customers'
#   LEAKWATCH_BINARY=path        the leakwatch to time (default build/app/leakwatch)
#   LEAKWATCH_BENCH_LOCK=file    held (flock) around the timed runs so benchmarks
#                                sharing the machine do not overlap; empty: no lock
#
# Set-up (untimed): customers from scripts/gen_customers.py imported with
# `leakwatch customers import`; the dump from scripts/bench/gen_scan_dump.py
# (leak-dump lines, FRACTION of the identifiers planted from the customers);
# the baseline's hashes computed once from `scan --all --format json` with
# Python's hmac (an independent check of the hash definition).
# Correctness: scan --all must find exactly I identifiers, and scan and the
# join must print the same (line, customer_id) pairs, as many as planted.
# Plaintext exists only in the generated files in the temporary folder, which
# is removed at exit (the customer files right after the dump is written).
set -euo pipefail
"$root/scripts/setup" --bench >&2  # with the benchmarks' peers and tools; stdout is the report
root=$(cd "$(dirname "$0")/../.." && pwd)
customers=${1:-1000000}
identifiers=${2:-1000000}
reps=${3:-2}
fraction=${FRACTION:-0.1}
bin=${LEAKWATCH_BINARY:-$root/build/app/leakwatch}
lock=${LEAKWATCH_BENCH_LOCK-/tmp/leakwatch-bench.lock}
[ -x "$bin" ] || { echo "scan_match.sh: no leakwatch binary at $bin (build first, or set LEAKWATCH_BINARY)" >&2; exit 1; }

work=$(mktemp -d /tmp/leakwatch-bench-scan.XXXXXX)
chmod 755 "$work"  # scripts/pg runs the server as postgres when root
trap '"$root/scripts/pg" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/scripts/pg" start "$work/pg")
(umask 077 && openssl rand -hex 32 >"$work/key")
export LEAKWATCH_HMAC_KEY_FILE="$work/key" LEAKWATCH_DATABASE_URL="$url"
"$bin" db migrate >/dev/null 2>&1

now() { date +%s.%N; }
t0=$(now)
(umask 077
 python3 "$root/scripts/gen_customers.py" "$customers" --plain-out "$work/plain.csv" >"$work/customers.csv"
 "$bin" customers import "$work/customers.csv" >"$work/import.out"
 python3 "$root/scripts/bench/gen_scan_dump.py" "$work/plain.csv" "$identifiers" --fraction "$fraction" \
   >"$work/dump.txt" 2>"$work/dump.facts")
rm -f "$work/customers.csv" "$work/plain.csv"
fact() { sed -n "s/^$1=//p" "$work/dump.facts"; }
planted=$(fact planted)
want=$(fact matches)
[ "$(fact identifiers)" = "$identifiers" ] || { cat "$work/dump.facts" >&2; exit 1; }

# The baseline's input: one (hash, line) row per identifier scan finds.
"$bin" scan --all --format json "$work/dump.txt" | python3 -c '
import hashlib, hmac, json, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
out = sys.stdout
for row in sys.stdin:
    o = json.loads(row)
    h = hmac.new(key, (o["kind"] + ":" + o["value"]).encode(), hashlib.sha256).digest()[:16]
    out.write("%s\t%d\n" % (h.hex(), o["line"]))
' "$work/key" >"$work/probes.tsv"
found=$(wc -l <"$work/probes.tsv")
[ "$found" = "$identifiers" ] || { echo "MISMATCH: scan --all found $found identifiers, the dump holds $identifiers" >&2; exit 1; }
rows=$(psql "$url" -tAc "SELECT count(*) FROM customer_identifiers")
psql "$url" -qc "VACUUM ANALYZE" -c "CHECKPOINT"
t1=$(now)
printf 'set-up: %d customers (%d identifier rows) imported, dump of %d identifiers (%s MiB, %d planted) in %.0f s\n' \
  "$customers" "$rows" "$identifiers" "$(du -m "$work/dump.txt" | cut -f1)" "$planted" "$(echo "$t1 - $t0" | bc -l)"

# The equivalent join, as one would write it by hand.
cat >"$work/raw.sql" <<SQL
CREATE TEMP TABLE probes (hash uuid NOT NULL, line bigint NOT NULL);
\\copy probes FROM '$work/probes.tsv'
ANALYZE probes;
\\copy (SELECT p.line, c.customer_id, c.kind FROM probes p JOIN customer_identifiers c ON c.hash = p.hash AND c.key_version = 1) TO '$work/raw.out'
SQL

# CPU of the PostgreSQL server so far: the postmaster and its reaped backends.
hz=$(getconf CLK_TCK)
pg_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$(head -1 "$work/pg/data/postmaster.pid")/stat"; }
# timed NAME OUT COMMAND...: runs it once, stdout to OUT; NAME_s (wall), NAME_cpu
# (its own user+sys) and NAME_pg (server CPU) hold the fastest run's figures.
timed() {
  local name=$1 out=$2 t0 t1 p0 p1 wall cpu pg
  shift 2
  sleep 0.3  # backends of earlier commands reaped first
  p0=$(pg_ticks)
  t0=$(now); /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$out"; t1=$(now)
  sleep 0.3  # the backend has exited; let the postmaster reap it
  p1=$(pg_ticks)
  wall=$(echo "$t1 - $t0" | bc -l)
  cpu=$(awk '{ print $1 + $2 }' "$work/time")
  pg=$(echo "($p1 - $p0) / $hz" | bc -l)
  if [ -z "$(eval echo "\${${name}_s:-}")" ] || [ "$(echo "$wall < $(eval echo "\$${name}_s")" | bc)" = 1 ]; then
    eval "${name}_s=$wall ${name}_cpu=$cpu ${name}_pg=$pg"
  fi
  printf ' %s %.2f s' "$name" "$wall"
}

if [ -n "$lock" ]; then
  exec 9>>"$lock"
  flock 9
fi
echo "load before: $(uptime)"
for rep in $(seq "$reps"); do
  printf 'rep %d:' "$rep"
  timed all "$work/all.out" "$bin" scan --all "$work/dump.txt"
  timed scan "$work/scan.out" "$bin" scan "$work/dump.txt"
  timed raw /dev/null psql "$url" -q -v ON_ERROR_STOP=1 -f "$work/raw.sql"
  echo
  # Both sides print the same (line, customer) pairs, as many as planted.
  got_scan=$(wc -l <"$work/scan.out")
  got_raw=$(wc -l <"$work/raw.out")
  [ "$got_scan" = "$want" ] && [ "$got_raw" = "$want" ] \
    || { echo "MISMATCH: planted $want matches; scan printed $got_scan, the join $got_raw" >&2; exit 1; }
  cmp -s <(awk -F'\t' '{ sub(/.*:/, "", $1); print $1 "\t" $4 }' "$work/scan.out" | sort) \
         <(cut -f1,2 "$work/raw.out" | sort) \
    || { echo "MISMATCH: scan and the join matched different (line, customer) pairs" >&2; exit 1; }
done
echo "load after:  $(uptime)"
[ -n "$lock" ] && flock -u 9

rate() { echo "$identifiers / $1" | bc -l; }
row() { printf '%-42s %6.2f s  %9.0f identifiers/s  CPU %5.2f s + server %5.2f s\n' "$1" "$2" "$(rate "$2")" "$3" "$4"; }
printf 'matches: %d (scan and the join agree, line by line); best of %d\n' "$want" "$reps"
row 'leakwatch scan --all (extraction only)' "$all_s" "$all_cpu" "$all_pg"
row 'leakwatch scan (extraction + matching)' "$scan_s" "$scan_cpu" "$scan_pg"
row 'raw SQL (\copy hashes + ANALYZE + join)' "$raw_s" "$raw_cpu" "$raw_pg"
printf 'ratio scan / raw SQL (wall): %.2f\n' "$(echo "$scan_s / $raw_s" | bc -l)"
printf 'matching part of scan (scan - scan --all) / raw SQL (wall): %.2f\n' "$(echo "($scan_s - $all_s) / $raw_s" | bc -l)"
printf 'server CPU, scan / raw SQL: %.2f\n' "$(echo "$scan_pg / $raw_pg" | bc -l)"
