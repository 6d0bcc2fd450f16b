#!/usr/bin/env bash
# Benchmark: `leakwatch match` of S sightings (default 1,000,000) against C
# customer identifiers (default 10,000,000), next to the baseline measured in
# the same run: the same join written by hand in psql (INSERT ... SELECT of
# sightings JOIN customer_identifiers into an empty copy of exposures).
# Hashes are generated in SQL (md5 -> uuid); 1 sighting in 10 is a customer's.
# Alternates the two REPS times from empty exposures, keeps each side's best,
# prints both and the ratio. Usage: scripts/bench/match.sh [S] [C] [REPS]
# LEAKWATCH_BIN=path uses an already built binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
sightings=${1:-1000000}
customers=${2:-10000000}
reps=${3:-2}

if [ -z "${LEAKWATCH_BIN:-}" ]; then
  scripts/setup --bench >&2  # with the benchmarks' peers and tools; stdout is the report
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target leakwatch >/dev/null
  LEAKWATCH_BIN="$root/build/app/leakwatch"
fi
lw=$LEAKWATCH_BIN

work=$(mktemp -d /tmp/leakwatch-bench-match.XXXXXX)
chmod 755 "$work"
trap 'scripts/pg stop "$work/pg" >/dev/null; rm -rf "$work"' EXIT
url=$(scripts/pg start "$work/pg")
export LEAKWATCH_DATABASE_URL="$url"
"$lw" db migrate >/dev/null 2>&1

now() { date +%s.%N; }
t0=$(now)
psql "$url" -q <<SQL
INSERT INTO customer_identifiers (hash, kind, customer_id, key_version)
  SELECT md5('c' || i)::uuid, CASE WHEN i % 2 = 0 THEN 'email' ELSE 'phone' END, 'C' || (i / 2), 1
  FROM generate_series(1, $customers) i;
INSERT INTO crawl_sources (name) VALUES ('bench');
INSERT INTO pages (content_hash, url, final_url, source, status, content_type, bytes, extracted_version)
  SELECT decode(md5('p' || p), 'hex'), 'http://bench.onion/' || p, 'http://bench.onion/' || p, 'bench', 200,
         'text/plain', 0, 1 FROM generate_series(1, 1000) p;
INSERT INTO sightings (page_id, record, hash, key_version, kind, masked, seen_at)
  SELECT 1 + i % 1000, i / 1000,
         CASE WHEN i % 10 = 0 THEN md5('c' || (i * 7 % $customers + 1))::uuid ELSE md5('s' || i)::uuid END, 1,
         CASE WHEN i % 2 = 0 THEN 'email' ELSE 'phone' END, 'x***@example.com', now()
  FROM generate_series(1, $sightings) i;
CREATE TABLE exposures_baseline (LIKE exposures INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
VACUUM ANALYZE;
CHECKPOINT;
SQL
t1=$(now)
echo "setup: $customers customer identifiers, $sightings sightings in $(printf %.1f "$(echo "$t1 - $t0" | bc -l)") s"

# The hand-written join: each matched (customer, hash, page) once, no confidence.
baseline_sql="INSERT INTO exposures_baseline (customer_id, kind, hash, key_version, masked, page_id, first_seen,
  last_seen, confidence)
  SELECT c.customer_id, min(s.kind), s.hash, min(s.key_version), min(s.masked), s.page_id, min(s.seen_at),
         max(s.seen_at), 'single'
  FROM sightings s JOIN customer_identifiers c ON c.hash = s.hash AND c.key_version = s.key_version
  GROUP BY c.customer_id, s.hash, s.page_id"

best_lw=999999
best_raw=999999
for rep in $(seq "$reps"); do
  psql "$url" -qc "TRUNCATE exposures, exposures_baseline; CHECKPOINT"
  t0=$(now); "$lw" match 2>"$work/match.err"; t1=$(now)
  lw_s=$(echo "$t1 - $t0" | bc -l)
  t0=$(now); psql "$url" -qc "$baseline_sql"; t1=$(now)
  raw_s=$(echo "$t1 - $t0" | bc -l)
  best_lw=$(echo "if ($lw_s < $best_lw) $lw_s else $best_lw" | bc -l)
  best_raw=$(echo "if ($raw_s < $best_raw) $raw_s else $best_raw" | bc -l)
  printf 'rep %d: leakwatch match %.2f s, hand-written join %.2f s\n' "$rep" "$lw_s" "$raw_s"
done
found=$(psql "$url" -tAc "SELECT count(*) FROM exposures")
want=$(psql "$url" -tAc "SELECT count(*) FROM exposures_baseline")
cat "$work/match.err"
[ "$found" = "$want" ] || { echo "MISMATCH: leakwatch found $found exposures, the hand-written join $want"; exit 1; }
# A repeated match (nothing new) is what an hourly cron run pays.
t0=$(now); "$lw" match 2>/dev/null; t1=$(now)
printf 'exposures: %d (both)\n' "$found"
printf 'leakwatch match:   %.2f s (best of %d)\n' "$best_lw" "$reps"
printf 'hand-written join: %.2f s (best of %d)\n' "$best_raw" "$reps"
printf 'ratio:             %.2fx\n' "$(echo "$best_lw / $best_raw" | bc -l)"
printf 'repeat match (nothing new): %.2f s\n' "$(echo "$t1 - $t0" | bc -l)"
