#!/usr/bin/env python3
"""Scores `leakwatch scan --all` on the multi-region phone corpus against
libphonenumber's PhoneNumberMatcher (scripts/gen_region_corpus.py).

Usage: score_regions.py LEAKWATCH SOURCE_DIR PHONE_MATCHER_REF [--regions US,GB,...] [--show N]

For each region, leakwatch runs with `[identity] default_region` set to it;
a text agrees when leakwatch reports exactly the set of phone numbers the
matcher finds in it. A difference listed in region_allowed_differences.tsv
(region, variant regular expression, explanation) is a deliberate policy:
it is printed with its explanation and not counted against the region.
Fails when a region's agreement, so counted, is below 0.99; prints every
region's figures, raw and allowed, and the unexplained differences.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BAR = 0.99


def load_allowed():
    allowed = []
    with open(os.path.join(HERE, "region_allowed_differences.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            region, pattern, why = line.rstrip("\n").split("\t")
            allowed.append((region, re.compile(pattern), why))
    return allowed


def scan(leakwatch, tmp, region, corpus):
    config = os.path.join(tmp, region + ".toml")
    with open(config, "w") as f:
        f.write('[identity]\ndefault_region = "%s"\n' % region)
    proc = subprocess.run([leakwatch, "--config", config, "scan", "--all", "--format", "json", corpus],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit("leakwatch scan failed for %s: %s" % (region, proc.stderr.strip()))
    found = {}
    for line in proc.stdout.splitlines():
        hit = json.loads(line)
        if hit["kind"] == "phone":
            found.setdefault(hit["line"] - 1, set()).add(hit["value"])
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("leakwatch")
    ap.add_argument("source")
    ap.add_argument("helper")
    ap.add_argument("--regions", default=None)
    ap.add_argument("--show", type=int, default=20, help="unexplained differences shown per region")
    args = ap.parse_args()
    allowed = load_allowed()
    gen = [sys.executable, os.path.join(args.source, "scripts", "gen_region_corpus.py"), "--helper", args.helper]
    if args.regions:
        gen += ["--regions", args.regions]
    failed = []
    explained_total = {}
    with tempfile.TemporaryDirectory(prefix="leakwatch-regions-") as tmp:
        subprocess.run(gen + ["--out", tmp], check=True, stdout=subprocess.DEVNULL)
        regions = sorted(f[:-4] for f in os.listdir(tmp) if f.endswith(".txt"))
        for region in regions:
            with open(os.path.join(tmp, region + ".txt"), encoding="utf-8") as f:
                texts = f.read().split("\n")[:-1]
            with open(os.path.join(tmp, region + ".ref"), encoding="utf-8") as f:
                refs = [set(l.split()) for l in f.read().split("\n")[:-1]]
            found = scan(args.leakwatch, tmp, region, os.path.join(tmp, region + ".txt"))
            agree = explained = 0
            unexplained = []
            for k, (text, ref) in enumerate(zip(texts, refs)):
                got = found.get(k, set())
                if got == ref:
                    agree += 1
                    continue
                why = next((w for r, p, w in allowed if r in (region, "*") and p.search(text)), None)
                if why is not None:
                    explained += 1
                    explained_total[why] = explained_total.get(why, 0) + 1
                else:
                    unexplained.append((text, ref, got))
            n = len(texts)
            score = (agree + explained) / n
            print("%s: %d texts, agreement %.4f (raw %.4f; %d allowed differences)" %
                  (region, n, score, agree / n, explained), flush=True)
            for text, ref, got in unexplained[:args.show]:
                print("   %-60s matcher %s leakwatch %s" % (text, sorted(ref) or "-", sorted(got) or "-"))
            if score < BAR:
                failed.append(region)
    for why, count in sorted(explained_total.items(), key=lambda x: -x[1]):
        print("allowed (%d): %s" % (count, why))
    if failed:
        print("below %.2f: %s" % (BAR, " ".join(failed)))
        sys.exit(1)


if __name__ == "__main__":
    main()
