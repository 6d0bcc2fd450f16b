#!/bin/sh
# Scanning compressed and archived dumps, against decompressing alone.
#   scripts/bench/archives.sh [BUILD_DIR] [MEGABYTES] [RUNS]
# On a MEGABYTES (default 200) mixed corpus (scripts/gen_corpus.py, seed 7)
# packed as .gz (gzip -6), .zip (zip -6) and .7z (7z -mx=1), times in the same
# run, best of RUNS (default 3), and prints MB/s of uncompressed text:
#   the format's own tool alone (zcat, unzip -p, 7z x -so) > file    the floor
#   the tool | leakwatch scan --all                                   today's way
#   leakwatch scan --all FILE                                         libarchive inside
#   rg -z -o (the extract.sh patterns)                                where rg reads it (.gz)
# and the plain text itself with `scan --all`, and, when $BASELINE names
# another leakwatch binary (e.g. one built before archive support), the same
# plain scan with it, interleaved, to show what archive support costs plain text.
# Goal: scan FILE within 1.2x of the tool alone. Sends nothing anywhere.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
mb=${2:-200}
runs=${3:-3}
work=${TMPDIR:-/tmp}/leakwatch-archives-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM
leakwatch=$build/app/leakwatch
export LEAKWATCH_DATABASE_URL=postgresql://nobody@127.0.0.1:1/none  # --all needs none

echo "== $mb MB mixed corpus; best of $runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/scripts/gen_corpus.py" --out "$work/s" --megabytes "$mb" --seed 7 --no-labels >/dev/null
f=$work/s/corpus.txt
size=$(stat -c %s "$f")
gzip -6 -c "$f" > "$work/dump.gz"
(cd "$work/s" && zip -q -6 ../dump.zip corpus.txt)
(cd "$work/s" && 7z a -bd -bso0 -bsp0 -mx=1 ../dump.7z corpus.txt)
ls -l "$work/dump.gz" "$work/dump.zip" "$work/dump.7z" | awk '{ printf "  %s %d bytes\n", $9, $5 }'

# best NAME COMMAND: runs the shell COMMAND $runs times, output to a file;
# prints the best wall time and MB/s of uncompressed text; sets $best.
best() {
  name=$1; cmd=$2
  best=""
  for _ in $(seq "$runs"); do
    rm -f "$work/out"; sync
    s=$(date +%s.%N)
    sh -c "$cmd" > "$work/out"
    e=$(date +%s.%N)
    best=$(awk -v s="$s" -v e="$e" -v b="$best" 'BEGIN { t = e - s; if (b == "" || t < b) print t; else print b }')
  done
  lines=$(wc -l < "$work/out")
  awk -v n="$name" -v t="$best" -v b="$size" -v l="$lines" \
    'BEGIN { printf "%-40s %7.3f s %8.1f MB/s %9d lines out\n", n, t, b / 1e6 / t, l }'
}
ratio() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "  ratio %-44s %.2f\n", n, a / b }'; }

email='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
phone='(\+?86[ -]?)?1[3-9][0-9][ -.]?[0-9]{4}[ -.]?[0-9]{4}|\+[1-9][0-9 ()-]{7,16}[0-9]'
lw=$leakwatch
best "plain: leakwatch scan --all" "$lw scan --all $f"; t_plain=$best
if [ -n "${BASELINE:-}" ]; then
  best "plain: baseline scan --all" "$BASELINE scan --all $f"; t_base=$best
  best "plain: leakwatch scan --all (again)" "$lw scan --all $f"; t_plain2=$best
  ratio "plain leakwatch / baseline (best of both)" "$(awk -v a="$t_plain" -v b="$t_plain2" 'BEGIN{print (a<b)?a:b}')" "$t_base"
fi
echo "-- gzip"
best "zcat > file" "zcat $work/dump.gz"; t_tool=$best
best "zcat | leakwatch scan --all" "zcat $work/dump.gz | $lw scan --all"; t_pipe=$best
best "leakwatch scan --all dump.gz" "$lw scan --all $work/dump.gz"; t_scan=$best
best "rg -z -o (simple patterns)" "rg -z -o -e '$email' -e '$phone' $work/dump.gz"
ratio "scan dump.gz / zcat alone (goal <= 1.2)" "$t_scan" "$t_tool"
ratio "scan dump.gz / zcat | scan" "$t_scan" "$t_pipe"
echo "-- zip"
best "unzip -p > file" "unzip -p $work/dump.zip"; t_tool=$best
best "unzip -p | leakwatch scan --all" "unzip -p $work/dump.zip | $lw scan --all"; t_pipe=$best
best "leakwatch scan --all dump.zip" "$lw scan --all $work/dump.zip"; t_scan=$best
ratio "scan dump.zip / unzip -p alone (goal <= 1.2)" "$t_scan" "$t_tool"
ratio "scan dump.zip / unzip -p | scan" "$t_scan" "$t_pipe"
echo "-- 7z"
best "7z x -so > file" "7z x -so $work/dump.7z 2>/dev/null"; t_tool=$best
best "7z x -so | leakwatch scan --all" "7z x -so $work/dump.7z 2>/dev/null | $lw scan --all"; t_pipe=$best
best "leakwatch scan --all dump.7z" "$lw scan --all $work/dump.7z"; t_scan=$best
ratio "scan dump.7z / 7z x alone (goal <= 1.2)" "$t_scan" "$t_tool"
ratio "scan dump.7z / 7z x | scan" "$t_scan" "$t_pipe"
