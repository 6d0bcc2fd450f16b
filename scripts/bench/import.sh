#!/usr/bin/env bash
# Benchmark: `leakwatch customers import` of N generated customers (default
# 1,000,000) against the baseline measured in the same run: psql's \copy of
# the very same rows, already hashed, into the same (emptied) table.
# Prints rows/s for both and the ratio; alternates the two REPS times and
# keeps each side's best run. Usage: scripts/bench/import.sh [N] [REPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
n=${1:-1000000}
reps=${2:-2}

scripts/setup --bench >&2  # with the benchmarks' peers and tools; stdout is the report
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target leakwatch >/dev/null
lw="$root/build/app/leakwatch"

work=$(mktemp -d /tmp/leakwatch-bench-import.XXXXXX)
chmod 755 "$work"
trap 'scripts/pg stop "$work/pg"; rm -rf "$work"' EXIT
url=$(scripts/pg start "$work/pg")
(umask 077 && openssl rand -hex 32 >"$work/key")
export LEAKWATCH_HMAC_KEY_FILE="$work/key" LEAKWATCH_DATABASE_URL="$url"

python3 scripts/gen_customers.py "$n" >"$work/customers.csv"
"$lw" db migrate 2>/dev/null

now() { date +%s.%N; }
best_lw=999999
best_raw=999999
rows=0
for rep in $(seq "$reps"); do
  psql "$url" -qc "TRUNCATE customer_identifiers; CHECKPOINT"
  t0=$(now)
  /usr/bin/time -f '%M' -o "$work/rss" "$lw" customers import "$work/customers.csv" >"$work/import.out"
  t1=$(now)
  lw_s=$(echo "$t1 - $t0" | bc -l)
  rows=$(psql "$url" -tAc "SELECT count(*) FROM customer_identifiers")
  [ "$rep" -eq 1 ] && psql "$url" -qc "\\copy (SELECT hash, kind, customer_id, key_version FROM customer_identifiers) TO '$work/hashed.tsv'"
  psql "$url" -qc "TRUNCATE customer_identifiers; CHECKPOINT"
  t0=$(now)
  psql "$url" -qc "\\copy customer_identifiers (hash, kind, customer_id, key_version) FROM '$work/hashed.tsv'"
  t1=$(now)
  raw_s=$(echo "$t1 - $t0" | bc -l)
  printf 'run %d: leakwatch %.2f s, raw \\copy %.2f s\n' "$rep" "$lw_s" "$raw_s"
  best_lw=$(echo "if ($lw_s < $best_lw) $lw_s else $best_lw" | bc -l)
  best_raw=$(echo "if ($raw_s < $best_raw) $raw_s else $best_raw" | bc -l)
done
cat "$work/import.out"
printf 'customers: %d, identifier rows: %d\n' "$n" "$rows"
printf 'leakwatch customers import (plaintext CSV, normalize + HMAC + COPY): %.2f s, %.0f rows/s, %.0f customers/s\n' \
  "$best_lw" "$(echo "$rows / $best_lw" | bc -l)" "$(echo "$n / $best_lw" | bc -l)"
printf 'baseline psql \\copy of the same rows already hashed:               %.2f s, %.0f rows/s\n' \
  "$best_raw" "$(echo "$rows / $best_raw" | bc -l)"
printf 'peak RSS of leakwatch customers import: %d KiB\n' "$(cat "$work/rss")"
printf 'ratio (leakwatch rows/s / baseline rows/s): %.2f\n' "$(echo "$best_raw / $best_lw" | bc -l)"
