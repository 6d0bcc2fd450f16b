#!/usr/bin/env bash
# Benchmark (issue #18 part 2): what an incremental `leakwatch match` costs,
# one binary against another in the same run. Two databases on one server,
# each migrated and matched by its own binary (BASELINE_BIN: before;
# LEAKWATCH_BIN: after), both holding S sightings (default 200,000) in pages
# of 1,000 and C customer identifiers (default 200,000), generated as
# scripts/bench/scale.sh generates them. Then, alternating the two sides:
#   - `match` with nothing new, REPS times each: the stage's own time (what
#     the binary prints), the whole process (wall), the process's CPU time
#     and the server's CPU time in the match's statements (log_statement_stats:
#     on a loaded machine wall times are mostly waiting for a core, CPU times
#     are the work);
#   - `match` after 1 new page, REPS times each (a new page each time);
#   - `match` after 1,000 new pages, next to the join of those pages written
#     by hand in psql on the same database.
# Usage: BASELINE_BIN=old LEAKWATCH_BIN=new scripts/bench/match_incremental.sh [S] [C] [REPS]
# LOG_STATEMENTS=1 also prints, for one match of each kind, the server's
# log of every statement with its duration (log_min_duration_statement=0).
# CUSTOMER_NAMES=1 also gives each customer a name, from the 50,000 names the
# sightings hold (so each name is shared by C / 100,000 customers, as common
# names are).
set -euo pipefail
cd "$(dirname "$0")/../.."
sightings=${1:-200000}
customers=${2:-200000}
reps=${3:-5}
old=${BASELINE_BIN:?BASELINE_BIN=path of the binary to compare with}
new=${LEAKWATCH_BIN:?LEAKWATCH_BIN=path of the binary to measure}
per_page=1000
pages=$((sightings / per_page))

work=$(mktemp -d /tmp/leakwatch-bench-incr.XXXXXX)
chmod 755 "$work"
trap 'scripts/pg stop "$work/pg" >/dev/null; rm -rf "$work"' EXIT
server=$(scripts/pg start "$work/pg")
base=${server%/*}
psql "$server" -qtAX -c "CREATE DATABASE before" -c "CREATE DATABASE after" \
  -c "ALTER SYSTEM SET log_statement_stats = on" -c "SELECT pg_reload_conf()" >/dev/null
log="$work/pg/data/server.log"
[ -L "$work/pg/data" ] && log="$(readlink "$work/pg/data")/server.log"
declare -A url=([before]="$base/before" [after]="$base/after")
declare -A bin=([before]="$old" [after]="$new")
. scripts/bench/scale_data.sh

now() { date +%s.%N; }
q() { psql "${url[$1]}" -qtAX -v ON_ERROR_STOP=1 "${@:2}"; }
# Runs `match` on side $1 (extra args after); sets stage= (seconds the binary
# printed), wall= (the process), cpu= (the process's user + system) and
# server= (the server's user + system CPU in the match's statements).
run_match() {
  local side=$1 n
  shift
  n=$(wc -l <"$log")
  LEAKWATCH_DATABASE_URL=${url[$side]} /usr/bin/time -f "%e %U %S" -o "$work/time" \
    "${bin[$side]}" match "$@" 2>"$work/match.err"
  wall=$(cut -d' ' -f1 "$work/time")
  cpu=$(awk '{printf "%.3f", $2 + $3}' "$work/time")
  # Each statement's own line ends in "elapsed"; the next line, "[... s user,
  # ... s system total]", is the session's running total and is not summed.
  server=$(tail -n +$((n + 1)) "$log" | awk '/s user, .* s system, .* s elapsed/ {u += $2; s += $5} END {printf "%.3f", u + s}')
  stage=$(grep -o '[0-9.]* s$' "$work/match.err" | cut -d' ' -f1)
  last=$(cat "$work/match.err")
}
# The median of the numbers on stdin.
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# Pages [first, last] added to side $1 and queued for the match.
add_pages() {
  sightings_sql "$2" "$3" | q "$1"
  q "$1" -c "INSERT INTO match_queue_pages (page_id) SELECT id FROM pages WHERE id > (SELECT max(id) - $(($3 - $2 + 1)) FROM pages)"
}

for side in before after; do
  LEAKWATCH_DATABASE_URL=${url[$side]} "${bin[$side]}" db migrate >/dev/null 2>&1
  q $side -c "INSERT INTO customer_identifiers (hash, kind, customer_id, key_version, bucket)
    SELECT h, CASE WHEN i % 2 = 0 THEN 'email' ELSE 'phone' END, 'C' || (i / 2), 1, sighting_bucket(h)
    FROM generate_series(1, $customers) i, LATERAL (SELECT md5('c' || i)::uuid AS h) x"
  if [ -n "${CUSTOMER_NAMES:-}" ]; then
    q $side -c "INSERT INTO customer_identifiers (hash, kind, customer_id, key_version, bucket)
      SELECT h, 'name', 'C' || k, 1, sighting_bucket(h)
      FROM generate_series(0, $customers / 2 - 1) k, LATERAL (SELECT md5('name' || (k % 50000))::uuid AS h) x"
  fi
  q $side -c "INSERT INTO crawl_sources (name) VALUES ('bench')"
  sightings_sql 0 $((pages - 1)) | q $side
  q $side -c "DELETE FROM match_queue_pages; DELETE FROM match_queue_imports"
  q $side -c "CREATE TABLE exposures_baseline (LIKE exposures INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
  q $side -c "VACUUM ANALYZE"
  run_match $side --full
  echo "$side: $last"
done
q before -c "CHECKPOINT"
if [ -n "${LOG_STATEMENTS:-}" ]; then
  q before -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
fi
show_log() {
  [ -n "${LOG_STATEMENTS:-}" ] || return 0
  echo "--- $1: the server's log of that match"
  tail -n +"$2" "$log" | grep 'LOG:  duration' | sed -E 's/^.*LOG: +duration: ([0-9.]+ ms) +(statement|parse|bind|execute)[^:]*: (.{0,110}).*/\1 \2 \3/'
}

# --- nothing new ---
declare -A nothing_stage nothing_wall nothing_cpu nothing_server page_stage page_wall page_cpu page_server
for ((r = 0; r < reps; r++)); do
  for side in before after; do
    n=$(wc -l <"$log")
    run_match $side
    [ $r -eq 0 ] && show_log "$side, nothing new" $((n + 1))
    nothing_stage[$side]+="$stage"$'\n'; nothing_wall[$side]+="$wall"$'\n'
    nothing_cpu[$side]+="$cpu"$'\n'; nothing_server[$side]+="$server"$'\n'
  done
done
# --- one new page, reps times ---
next=$pages
for ((r = 0; r < reps; r++)); do
  for side in before after; do
    add_pages $side $next $next
    n=$(wc -l <"$log")
    run_match $side
    [ $r -eq 0 ] && show_log "$side, one new page" $((n + 1))
    page_stage[$side]+="$stage"$'\n'; page_wall[$side]+="$wall"$'\n'
    page_cpu[$side]+="$cpu"$'\n'; page_server[$side]+="$server"$'\n'
  done
  next=$((next + 1))
done
echo "after 1 page: $last"
# --- 1,000 new pages, and the hand-written join of those pages ---
declare -A thousand hand
for side in before after; do
  add_pages $side $next $((next + 999))
  q $side -c "ANALYZE"
  run_match $side
  thousand[$side]="$stage s (process $wall s; server CPU $server s)"
  echo "$side, 1,000 pages: $last"
  t0=$(now)
  q $side -c "$(printf "$baseline_sql" "AND l.page_id > (SELECT max(id) - 1000 FROM pages)")"
  t1=$(now)
  hand[$side]=$(printf %.3f "$(echo "$t1 - $t0" | bc -l)")
done

echo
echo "| $sightings sightings x $customers identifiers, $reps runs each, median (best) | before | after |"
echo "|---|---|---|"
for kind in "nothing new: stage=nothing_stage" "nothing new: process=nothing_wall" \
  "nothing new: the process's CPU=nothing_cpu" "nothing new: the server's CPU in its statements=nothing_server" \
  "1 new page: stage=page_stage" "1 new page: process=page_wall" "1 new page: the process's CPU=page_cpu" \
  "1 new page: the server's CPU in its statements=page_server"; do
  label=${kind%%=*}
  declare -n values=${kind##*=}
  row="| $label |"
  for side in before after; do
    row+=" $(printf %s "${values[$side]}" | median) s ($(printf %s "${values[$side]}" | sort -n | head -1) s) |"
  done
  echo "$row"
done
echo "| 1,000 new pages (hand-written join of those pages) | ${thousand[before]} (${hand[before]} s) | ${thousand[after]} (${hand[after]} s) |"
