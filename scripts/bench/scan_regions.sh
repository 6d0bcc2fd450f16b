#!/bin/sh
# Scan speed per default region, against ripgrep in the same run.
#   scripts/bench/scan_regions.sh [BUILD_DIR] [MEGABYTES] [RUNS] [OTHER_LEAKWATCH]
# Generates the mixed corpus of extract.sh (scripts/gen_corpus.py, seed 7,
# MEGABYTES, default 50) and times, RUNS rounds (default 3) interleaved so
# the shared machine's drift hits all alike, wall and CPU (user+sys) seconds,
# each the median of the rounds:
#   rg -o, the comparable patterns of extract.sh    the baseline
#   leakwatch scan --all, default_region CN           the CN rules
#   leakwatch scan --all, default_region US           libphonenumber's matcher on windows
#   OTHER_LEAKWATCH scan --all, CN and US             e.g. the binary before a change
# Outputs go to files on the same disk. Sends nothing anywhere.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
mb=${2:-50}
runs=${3:-3}
other=${4:-}
work=${TMPDIR:-/tmp}/leakwatch-regions-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM
leakwatch=$build/app/leakwatch
python3 "$here/scripts/gen_corpus.py" --out "$work/s" --megabytes "$mb" --seed 7 --no-labels >/dev/null
f=$work/s/corpus.txt
cat "$f" >/dev/null
printf '[identity]\ndefault_region = "CN"\n' > "$work/cn.toml"
printf '[identity]\ndefault_region = "US"\n' > "$work/us.toml"
at='(?:@|＠|&#64;|%40|\s*[\[(（{]\s*(?i:at)\s*[\])）}]\s*|\s+(?i:at)\s+)'
dot='(?:\.|\s*[\[(（{]\s*(?i:dot)\s*[\])）}]\s*|\s+(?i:dot)\s+)'
email_full="[A-Za-z0-9._%+-]+$at[A-Za-z0-9-]+(?:$dot[A-Za-z0-9-]+)*$dot[A-Za-z]{2,}"
phone_full='(?:\(?(?:\+|00)\s?86\)?[ -]?)?1[3-9]\d[ .-]?\d{4}[ .-]?\d{4}|\+[1-9][\d ()-]{7,16}\d|0\d{2,3}[ -]?\d{7,8}'

# timed NAME COMMAND...: appends "NAME wall cpu lines" to $work/times.
timed() {
  name=$1; shift
  rm -f "$work/out"; sync
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > "$work/out" || true
  echo "$name $(awk '{ print $1, $2 + $3 }' "$work/t") $(wc -l < "$work/out")" >> "$work/times"
}
: > "$work/times"
for _ in $(seq "$runs"); do
  timed rg_comparable rg -o -e "$email_full" -e "$phone_full" "$f"
  timed scan_CN "$leakwatch" --config "$work/cn.toml" scan --all "$f"
  timed scan_US "$leakwatch" --config "$work/us.toml" scan --all "$f"
  if [ -n "$other" ]; then
    timed other_CN "$other" --config "$work/cn.toml" scan --all "$f"
    timed other_US "$other" --config "$work/us.toml" scan --all "$f"
  fi
done
echo "== $mb MB mixed corpus, median of $runs interleaved rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for name in rg_comparable scan_CN scan_US other_CN other_US; do
  grep "^$name " "$work/times" | sort -k2 -n | awk -v n="$name" '{ w[NR] = $2; c[NR] = $3; l = $4 }
    END { if (NR) printf "%-16s wall %7.3f s  cpu %7.3f s  %9d lines out\n", n, w[int((NR + 1) / 2)], c[int((NR + 1) / 2)], l }'
done
awk '{ w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3 } END { for (k in w) printf "%-16s walls%s  cpus%s\n", k, w[k], c[k] }' \
  "$work/times" | sort
