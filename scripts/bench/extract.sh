#!/bin/sh
# Extraction quality and speed.
#   scripts/bench/extract.sh [BUILD_DIR] [MEGABYTES] [RUNS]
# Generates a labelled corpus (scripts/gen_corpus.py, fixed seed) and scores
# the Extractor against its labels; then, on a MEGABYTES mixed corpus (default
# 200), times in the same run, best of RUNS (default 3):
#   cat > /dev/null                     the floor
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
# (rg with comparable patterns and scan --all are run interleaved, so that the
# shared machine's drift hits both) and prints MiB/s and the ratios to
# ripgrep; then the ways of finding
# candidates (one combined RE2, two passes, RE2::Set, the byte trigger) side
# by side on one thread, and how libphonenumber's calls scale from one thread
# to two. Every output goes to a file on
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

cmake --build "$build" --target leakwatch extract_tool >/dev/null
cp "$build/scripts/bench/extract_tool" "$work/extract_tool"
leakwatch=$build/app/leakwatch

echo "== quality (labelled corpus, 50000 lines, seed 20170608)"
python3 "$here/scripts/gen_corpus.py" --out "$work/q" --lines 50000
"$work/extract_tool" score "$work/q/corpus.txt" "$work/q/labels.tsv" | tail -n 2 || true

echo "== speed ($mb MB mixed corpus, best of $runs; load: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$here/scripts/gen_corpus.py" --out "$work/s" --megabytes "$mb" --seed 7 --no-labels
f=$work/s/corpus.txt
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
# The headline pair, interleaved (rg, scan, rg, scan, ...): the shared
# machine's speed drifts over minutes, and a drift must hit both alike. Each
# round gives one ratio; the median of those is printed with the best-of ratio.
: > "$work/pairs"
for _ in $(seq "$runs"); do
  rm -f "$work/out"; sync
  s=$(date +%s.%N); rg -o -e "$email_full" -e "$phone_full" "$f" > "$work/out"; e=$(date +%s.%N)
  rg_lines=$(wc -l < "$work/out")
  rm -f "$work/out"; sync
  s2=$(date +%s.%N); "$leakwatch" scan --all "$f" > "$work/out"; e2=$(date +%s.%N)
  echo "$s $e $s2 $e2" >> "$work/pairs"
done
scan_lines=$(wc -l < "$work/out")
t_rg_full=$(awk '{ t = $2 - $1; if (NR == 1 || t < b) b = t } END { print b }' "$work/pairs")
t_scan=$(awk '{ t = $4 - $3; if (NR == 1 || t < b) b = t } END { print b }' "$work/pairs")
median_ratio=$(awk '{ print ($4 - $3) / ($2 - $1) }' "$work/pairs" | sort -n |
  awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
awk -v t="$t_rg_full" -v b="$size" -v l="$rg_lines" \
  'BEGIN { printf "%-34s %7.3f s %8.1f MiB/s %9d lines out\n", "rg -o (comparable patterns)", t, b / 1048576 / t, l }'
awk -v t="$t_scan" -v b="$size" -v l="$scan_lines" \
  'BEGIN { printf "%-34s %7.3f s %8.1f MiB/s %9d lines out\n", "leakwatch scan --all", t, b / 1048576 / t, l }'
best "leakwatch scan --all --no-filename" "$leakwatch" scan --all --no-filename "$f"
t_bare=$best
best "leakwatch scan --all --format json" "$leakwatch" scan --all --format json "$f"
t_json=$best
best "scan path + HMAC (extract_tool)" "$work/extract_tool" stream "$f" 2
t_hmac=$best
"$work/extract_tool" speed "$f" 1
"$work/extract_tool" strategies "$f"
"$work/extract_tool" phones "$f"
awk -v c="$t_cat" -v r="$t_rg" -v rf="$t_rg_full" -v s="$t_scan" -v j="$t_json" -v h="$t_hmac" -v nf="$t_bare" \
  -v m="$median_ratio" -v n="$runs" 'BEGIN {
  printf "ratio scan --all / rg comparable:        %.2f best of each, %.2f median of %d interleaved pairs (goal <= 1.0)\n", s / rf, m, n
  printf "ratio scan --all --no-filename / rg comparable: %.2f (best of each)\n", nf / rf
  printf "ratio scan --all / rg simple:            %.2f\n", s / r
  printf "ratio scan --all json / rg comparable:   %.2f\n", j / rf
  printf "ratio scan path + HMAC / rg comparable:  %.2f\n", h / rf
  printf "cat floor: %.3f s\n", c
}'
