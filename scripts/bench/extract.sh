#!/bin/sh
# Extraction quality and speed.
#   scripts/bench/extract.sh [BUILD_DIR] [MEGABYTES]
# Generates a labelled corpus (scripts/gen_corpus.py, fixed seed), scores the
# Extractor against its labels, then times the Extractor on a MEGABYTES corpus
# (default 200) next to `cat > /dev/null` and ripgrep with an email and a phone
# pattern, in the same run.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
mb=${2:-200}
work=${TMPDIR:-/tmp}/leakwatch-extract-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM

cmake --build "$build" --target leakwatch_matcher >/dev/null
g++ -std=c++20 -O2 -Wall -Wextra -I"$here" "$here/scripts/bench/extract_tool.cpp" \
  "$build/matcher/libleakwatch_matcher.a" \
  $(pkg-config --libs re2) -lphonenumber -licui18n -licuuc -licudata -lcrypto -lpthread \
  -o "$work/extract_tool"

echo "== quality (labelled corpus, 50000 lines, seed 20170608)"
python3 "$here/scripts/gen_corpus.py" --out "$work/q" --lines 50000
"$work/extract_tool" score "$work/q/corpus.txt" "$work/q/labels.tsv" | tail -n 2 || true

echo "== speed ($mb MB corpus)"
python3 "$here/scripts/gen_corpus.py" --out "$work/s" --megabytes "$mb" --seed 7 --no-labels
f=$work/s/corpus.txt
size=$(stat -c %s "$f")
cat "$f" > /dev/null
rate() { awk -v b="$size" -v s="$1" 'BEGIN { printf "%.1f MiB/s", b / 1048576 / s }'; }
t() { s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'; }
t_cat=$(t cat "$f")
echo "cat > /dev/null: ${t_cat}s $(rate "$t_cat")"
if command -v rg > /dev/null; then
  email='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
  phone='(\+?86[ -]?)?1[3-9][0-9][ -.]?[0-9]{4}[ -.]?[0-9]{4}|\+[1-9][0-9 ()-]{7,16}[0-9]'
  t_rg=$(t rg -o -e "$email" -e "$phone" "$f")
  echo "rg -o (email + phone): ${t_rg}s $(rate "$t_rg")"
else
  echo "rg: not installed (ripgrep)"
fi
"$work/extract_tool" speed "$f" 1
"$work/extract_tool" speed "$f" 2
"$work/extract_tool" stream "$f" 2
t_stream=$(t "$work/extract_tool" stream "$f" 2)
if [ -n "${t_rg:-}" ]; then
  awk -v a="$t_stream" -v b="$t_rg" 'BEGIN { printf "ratio scan_stream / rg (wall time): %.2f (goal <= 1.0)\n", a / b }'
fi
