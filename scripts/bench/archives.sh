#!/bin/sh
# Scanning compressed and archived dumps, against decompressing alone.
#   scripts/bench/archives.sh [BUILD_DIR] [MEGABYTES] [RUNS]
# On a MEGABYTES (default 200) mixed corpus (scripts/gen_corpus.py, seed 7)
# packed as .gz (gzip -6), .zip (zip -6) and .7z (7z -mx=1), runs every
# command below once per round, RUNS rounds (default 5) interleaved, and
# prints for each the median wall time, the median CPU (user + sys, from
# /usr/bin/time) and MB/s of uncompressed text:
#   the format's own tool alone (zcat, unzip -p, 7z x -so) > file    the floor
#   the tool | leakwatch scan --all                                   decompressing in another process
#   leakwatch scan --all FILE                                         libarchive inside
#   rg -z -o (the extract.sh patterns)                                where rg reads it (.gz)
# and the plain text itself with `scan --all` and with rg -o (the same
# patterns). When $BASELINE names another leakwatch binary (e.g. main before
# a change), its plain and archive scans run in the same rounds.
# $CORPUS_DIR: keep the corpus and archives there and reuse them next time.
# Goal (issue #17): scan FILE within 1.2x of the tool alone. The machine's
# load is printed before and after: on a shared machine read the ratios
# within one run. Sends nothing anywhere.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
mb=${2:-200}
runs=${3:-5}
work=${TMPDIR:-/tmp}/leakwatch-archives-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM
data=${CORPUS_DIR:-$work/data}
mkdir -p "$data"
lw=$build/app/leakwatch
export LEAKWATCH_DATABASE_URL=postgresql://nobody@127.0.0.1:1/none  # --all needs none

f=$data/s/corpus.txt
if [ ! -s "$data/dump.7z" ] || [ "$(cat "$data/mb" 2>/dev/null)" != "$mb" ]; then
  rm -rf "$data/s" "$data"/dump.*
  python3 "$here/scripts/gen_corpus.py" --out "$data/s" --megabytes "$mb" --seed 7 --no-labels >/dev/null
  gzip -6 -c "$f" > "$data/dump.gz"
  (cd "$data/s" && zip -q -6 ../dump.zip corpus.txt)
  (cd "$data/s" && 7z a -bd -bso0 -bsp0 -mx=1 ../dump.7z corpus.txt)
  echo "$mb" > "$data/mb"
fi
size=$(stat -c %s "$f")
echo "== $mb MB mixed corpus ($size bytes); median of $runs interleaved rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
ls -lL "$data/dump.gz" "$data/dump.zip" "$data/dump.7z" | awk '{ printf "  %s %d bytes\n", $9, $5 }'

email='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
phone='(\+?86[ -]?)?1[3-9][0-9][ -.]?[0-9]{4}[ -.]?[0-9]{4}|\+[1-9][0-9 ()-]{7,16}[0-9]'
rg_args="-o -e '$email' -e '$phone'"
names=$work/names
: > "$names"
add() { printf '%s\t%s\n' "$1" "$2" >> "$names"; }
add "plain: rg -o" "rg $rg_args $f"
add "plain: leakwatch scan --all" "$lw scan --all $f"
[ -n "${BASELINE:-}" ] && add "plain: baseline scan --all" "$BASELINE scan --all $f"
add "gz: zcat > file" "zcat $data/dump.gz"
add "gz: zcat | leakwatch scan --all" "zcat $data/dump.gz | $lw scan --all"
add "gz: leakwatch scan --all dump.gz" "$lw scan --all $data/dump.gz"
[ -n "${BASELINE:-}" ] && add "gz: baseline scan --all dump.gz" "$BASELINE scan --all $data/dump.gz"
add "gz: rg -z -o" "rg -z $rg_args $data/dump.gz"
add "zip: unzip -p > file" "unzip -p $data/dump.zip"
add "zip: unzip -p | leakwatch scan --all" "unzip -p $data/dump.zip | $lw scan --all"
add "zip: leakwatch scan --all dump.zip" "$lw scan --all $data/dump.zip"
[ -n "${BASELINE:-}" ] && add "zip: baseline scan --all dump.zip" "$BASELINE scan --all $data/dump.zip"
add "7z: 7z x -so > file" "7z x -so $data/dump.7z 2>/dev/null"
add "7z: 7z x -so | leakwatch scan --all" "7z x -so $data/dump.7z 2>/dev/null | $lw scan --all"
add "7z: leakwatch scan --all dump.7z" "$lw scan --all $data/dump.7z"
[ -n "${BASELINE:-}" ] && add "7z: baseline scan --all dump.7z" "$BASELINE scan --all $data/dump.7z"

# times: NAME<TAB>wall<TAB>cpu<TAB>lines, one row per command per round.
times=$work/times
: > "$times"
for round in $(seq "$runs"); do
  while IFS="$(printf '\t')" read -r name cmd; do
    /usr/bin/time -f "%e %U %S" -o "$work/t" sh -c "$cmd" > "$work/out"
    lines=$(wc -l < "$work/out")
    awk -v n="$name" -v l="$lines" '{ printf "%s\t%s\t%.2f\t%d\n", n, $1, $2 + $3, l }' "$work/t" >> "$times"
  done < "$names"
  echo "  round $round done; load: $(cut -d' ' -f1-3 /proc/loadavg)"
done

median() {  # NAME COLUMN -> the median of that column over the rounds
  awk -F '\t' -v n="$1" -v c="$2" '$1 == n { print $c }' "$times" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
printf '%-44s %8s %8s %8s %10s\n' "" "wall s" "CPU s" "MB/s" "lines out"
while IFS="$(printf '\t')" read -r name cmd; do
  w=$(median "$name" 2); c=$(median "$name" 3); l=$(median "$name" 4)
  awk -v n="$name" -v w="$w" -v c="$c" -v b="$size" -v l="$l" \
    'BEGIN { printf "%-44s %8.2f %8.2f %8.1f %10d\n", n, w, c, b / 1e6 / w, l }'
done < "$names"
ratio() {  # LABEL A B: median wall (and CPU) of A over B
  awk -v n="$1" -v a="$(median "$2" 2)" -v b="$(median "$3" 2)" -v ac="$(median "$2" 3)" -v bc="$(median "$3" 3)" \
    'BEGIN { printf "  ratio %-48s wall %.2f  CPU %.2f\n", n, a / b, ac / bc }'
}
ratio "plain scan / rg" "plain: leakwatch scan --all" "plain: rg -o"
[ -n "${BASELINE:-}" ] && ratio "plain scan / baseline" "plain: leakwatch scan --all" "plain: baseline scan --all"
ratio "scan dump.gz / zcat alone (goal <= 1.2)" "gz: leakwatch scan --all dump.gz" "gz: zcat > file"
ratio "scan dump.gz / zcat | scan" "gz: leakwatch scan --all dump.gz" "gz: zcat | leakwatch scan --all"
ratio "scan dump.zip / unzip -p alone (goal <= 1.2)" "zip: leakwatch scan --all dump.zip" "zip: unzip -p > file"
ratio "scan dump.zip / unzip -p | scan" "zip: leakwatch scan --all dump.zip" "zip: unzip -p | leakwatch scan --all"
ratio "scan dump.7z / 7z x alone (goal <= 1.2)" "7z: leakwatch scan --all dump.7z" "7z: 7z x -so > file"
ratio "scan dump.7z / 7z x | scan" "7z: leakwatch scan --all dump.7z" "7z: 7z x -so | leakwatch scan --all"
if [ -n "${BASELINE:-}" ]; then
  for k in gz zip 7z; do
    ratio "$k: scan / baseline scan" "$k: leakwatch scan --all dump.$k" "$k: baseline scan --all dump.$k"
  done
fi
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
