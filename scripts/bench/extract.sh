#!/bin/sh
# Extraction quality and speed.
#   scripts/bench/extract.sh [BUILD_DIR] [MEGABYTES] [RUNS]
# Generates a labelled corpus (scripts/gen_corpus.py, fixed seed) and scores
# the Extractor against its labels; then, on a MEGABYTES mixed corpus (default
# 200), times in the same run:
#   cat > /dev/null                     the floor (best of RUNS, default 3)
#   rg -o, simple patterns              an email and a Chinese-mobile/+intl phone pattern
#   rg -o, comparable patterns          also obfuscated emails ([at], (at), " at ",
#                                       ＠, &#64;, %40, [dot]), 0086/(+86) prefixes,
#                                       0-trunk landlines, Unicode digits
#   leakwatch scan --all                find, validate, normalize, print (both cores)
#   ... --no-filename, --format json    the same without the file name on each
#                                       line (less to write); as JSON Lines
#   extract_tool stream                 the same scan path, also HMAC-hashing every
#                                       identifier (what `scan` without --all does
#                                       before its database lookup)
# (rg with comparable patterns and the three scans are run as RUNS
# interleaved rounds, so that the shared machine's drift hits all alike;
# wall and CPU seconds, medians, and their ratios to ripgrep's: the issue's
# goals are CPU <= 1.0x, wall <= 0.6x with two cores, JSON <= 1.1x text);
# then (unless SPEED_ONLY=1) the ways of finding
# candidates (one combined RE2, two passes, RE2::Set, the byte trigger) side
# by side on one thread, and how libphonenumber's calls scale from one thread
# to two. CORPUS=FILE times that file instead of generating one (and skips
# its generation). SPEED_ONLY=1 runs only the timed rounds, LEAKWATCH=BINARY
# times that binary. Every output goes to a file on
# the same disk (ripgrep treats /dev/null specially). Sends nothing anywhere.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
"$here/scripts/setup" --bench >&2  # with the benchmarks' peers and tools; stdout is the report
build=${1:-$here/build}
mb=${2:-200}
runs=${3:-3}
work=${TMPDIR:-/tmp}/leakwatch-extract-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM

leakwatch=${LEAKWATCH:-$build/app/leakwatch}
if [ "${SPEED_ONLY:-0}" = 1 ]; then
  [ -n "${LEAKWATCH:-}" ] || cmake --build "$build" --target leakwatch >/dev/null
else
  cmake --build "$build" --target leakwatch extract_tool >/dev/null
  cp "$build/scripts/bench/extract_tool" "$work/extract_tool"
fi

if [ "${SPEED_ONLY:-0}" != 1 ]; then
  echo "== quality (labelled corpus, 50000 lines, seed 20170608)"
  python3 "$here/scripts/gen_corpus.py" --out "$work/q" --lines 50000
  "$work/extract_tool" score "$work/q/corpus.txt" "$work/q/labels.tsv" | tail -n 2 || true
fi
if [ -z "${CORPUS:-}" ]; then
  python3 "$here/scripts/gen_corpus.py" --out "$work/s" --megabytes "$mb" --seed 7 --no-labels
  f=$work/s/corpus.txt
else
  f=$CORPUS
fi
echo "== speed ($(($(stat -c %s "$f") / 1048576)) MiB mixed corpus, $runs rounds; load: $(cut -d' ' -f1-3 /proc/loadavg))"
size=$(stat -c %s "$f")
cat "$f" > /dev/null  # warm the page cache
# Each timed command starts with the last one's output deleted and after a
# sync: neither freeing that file (0.1 s for scan's 370 MB) nor the disk
# writeback of what came before is the next command's work.
sync

# best NAME COMMAND...: runs COMMAND $runs times (output to a file), prints
# the best wall time and its rate; sets $best.
best() {
  name=$1; shift
  best=""
  for _ in $(seq "$runs"); do
    rm -f "$work/out"; sync
    s=$(date +%s.%N)
    "$@" > "$work/out"
    e=$(date +%s.%N)
    best=$(awk -v s="$s" -v e="$e" -v b="$best" 'BEGIN { t = e - s; if (b == "" || t < b) print t; else print b }')
  done
  lines=$(wc -l < "$work/out")
  awk -v n="$name" -v t="$best" -v b="$size" -v l="$lines" \
    'BEGIN { printf "%-34s %7.3f s %8.1f MiB/s %9d lines out\n", n, t, b / 1048576 / t, l }'
}

best "cat > file" cat "$f"
t_cat=$best
email='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
phone='(\+?86[ -]?)?1[3-9][0-9][ -.]?[0-9]{4}[ -.]?[0-9]{4}|\+[1-9][0-9 ()-]{7,16}[0-9]'
at='(?:@|＠|&#64;|%40|\s*[\[(（{]\s*(?i:at)\s*[\])）}]\s*|\s+(?i:at)\s+)'
dot='(?:\.|\s*[\[(（{]\s*(?i:dot)\s*[\])）}]\s*|\s+(?i:dot)\s+)'
email_full="[A-Za-z0-9._%+-]+$at[A-Za-z0-9-]+(?:$dot[A-Za-z0-9-]+)*$dot[A-Za-z]{2,}"
phone_full='(?:\(?(?:\+|00)\s?86\)?[ -]?)?1[3-9]\d[ .-]?\d{4}[ .-]?\d{4}|\+[1-9][\d ()-]{7,16}\d|0\d{2,3}[ -]?\d{7,8}'
best "rg -o (simple patterns)" rg -o -e "$email" -e "$phone" "$f"
t_rg=$best
# The headline: ripgrep with the comparable patterns and scan --all in text
# (with and without file names) and JSON, run as interleaved rounds (rg,
# text, bare, json, rg, ...) so that the shared machine's drift hits all
# alike; wall and CPU (user+sys, /usr/bin/time) seconds, median of the rounds.
# timed NAME COMMAND...: appends "NAME wall cpu lines" to $work/times.
timed() {
  name=$1; shift
  rm -f "$work/out"; sync
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > "$work/out"
  echo "$name $(awk '{ print $1, $2 + $3 }' "$work/t") $(wc -l < "$work/out")" >> "$work/times"
}
: > "$work/times"
for _ in $(seq "$runs"); do
  timed rg rg -o -e "$email_full" -e "$phone_full" "$f"
  timed text "$leakwatch" scan --all "$f"
  timed bare "$leakwatch" scan --all --no-filename "$f"
  timed json "$leakwatch" scan --all --format json "$f"
done
# median NAME FIELD: the median of a column (2 wall, 3 cpu) over the rounds.
median() {
  grep "^$1 " "$work/times" | awk -v k="$2" '{ print $k }' | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
for name in rg text bare json; do
  w=$(median "$name" 2); c=$(median "$name" 3); l=$(grep "^$name " "$work/times" | tail -n 1 | cut -d' ' -f4)
  awk -v n="$name" -v w="$w" -v c="$c" -v b="$size" -v l="$l" \
    'BEGIN { printf "%-6s wall %7.3f s  cpu %7.3f s  %8.1f MiB/s  %9d lines out\n", n, w, c, b / 1048576 / w, l }'
done
echo "(rg: rg -o, comparable patterns; text: scan --all; bare: scan --all --no-filename; json: scan --all --format json)"
awk '{ print "  round " $1 ": wall " $2 " s, cpu " $3 " s" }' "$work/times"
t_rg_full=$(median rg 2); c_rg=$(median rg 3)
t_scan=$(median text 2); c_scan=$(median text 3)
t_bare=$(median bare 2); c_bare=$(median bare 3)
t_json=$(median json 2); c_json=$(median json 3)
awk -v rw="$t_rg_full" -v rc="$c_rg" -v tw="$t_scan" -v tc="$c_scan" -v bw="$t_bare" -v bc="$c_bare" \
  -v jw="$t_json" -v jc="$c_json" -v n="$runs" 'BEGIN {
  printf "medians of %d rounds, against rg (comparable patterns):\n", n
  printf "  cpu  text %.2f  bare %.2f  json %.2f   (goal <= 1.0)\n", tc / rc, bc / rc, jc / rc
  printf "  wall text %.2f  bare %.2f  json %.2f   (goal <= 0.6 with two cores)\n", tw / rw, bw / rw, jw / rw
  printf "  json / text: wall %.2f, cpu %.2f; json / bare: wall %.2f, cpu %.2f   (goal <= 1.1)\n", jw / tw, jc / tc, jw / bw, jc / bc
}'
[ "${SPEED_ONLY:-0}" = 1 ] && exit 0
best "scan path + HMAC (extract_tool)" "$work/extract_tool" stream "$f" 2
t_hmac=$best
"$work/extract_tool" speed "$f" 1
"$work/extract_tool" strategies "$f"
"$work/extract_tool" phones "$f"
awk -v c="$t_cat" -v r="$t_rg" -v rf="$t_rg_full" -v h="$t_hmac" 'BEGIN {
  printf "ratio scan path + HMAC / rg comparable (wall):  %.2f\n", h / rf
  printf "rg simple / rg comparable (wall): %.2f; cat floor: %.3f s\n", r / rf, c
}'
