#!/usr/bin/env python3
"""Scores `leakwatch scan --all --format json` against a labelled corpus.

  scripts/score_corpus.py DIR [--leakwatch BIN | --results FILE] [--examples 30]
                          [--min-precision 0.995] [--min-recall 0.99]

DIR holds corpus.txt and labels.tsv as written by scripts/gen_leak_corpus.py
(labels: <0-based line> TAB <email|phone> TAB <normalized value>).
With --leakwatch (default: build/app/leakwatch) the scanner is run as
`BIN scan --all --format json DIR/corpus.txt`; with --results a saved JSON
Lines output is read instead. leakwatch's `line` is 1-based.

Both sides are compared as sets of (line, kind, value): an identifier written
twice on one line counts once. Prints precision and recall overall and per
kind, then up to --examples misses and false positives with their line text.
Exits 1 when a figure is below its bar, 0 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter


def load_labels(path):
    gold = set()
    with open(path, encoding="utf-8") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if not ln:
                continue
            i, k, v = ln.split("\t")
            gold.add((int(i), k, v))
    return gold


def load_results(lines_iter):
    found = set()
    for ln in lines_iter:
        ln = ln.strip()
        if not ln:
            continue
        o = json.loads(ln)
        found.add((int(o["line"]) - 1, o["kind"], o.get("value")))
    return found


def corpus_lines(path):
    with open(path, "rb") as f:
        raw = f.read().split(b"\n")
    out = []
    for b in raw:
        b = b.rstrip(b"\r")
        try:
            out.append(b.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(b.decode("gbk", errors="replace") + "   [GBK]")
    return out


def prf(gold, found, kind=None):
    if kind:
        gold = {x for x in gold if x[1] == kind}
        found = {x for x in found if x[1] == kind}
    tp = len(gold & found)
    p = tp / len(found) if found else 1.0
    r = tp / len(gold) if gold else 1.0
    return p, r, tp, len(found) - tp, len(gold) - tp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--leakwatch", default=None)
    ap.add_argument("--results", default=None)
    ap.add_argument("--examples", type=int, default=30)
    ap.add_argument("--min-precision", type=float, default=0.995)
    ap.add_argument("--min-recall", type=float, default=0.99)
    a = ap.parse_args()

    corpus = os.path.join(a.dir, "corpus.txt")
    gold = load_labels(os.path.join(a.dir, "labels.tsv"))
    if a.results:
        with open(a.results, encoding="utf-8") as f:
            found = load_results(f)
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        exe = a.leakwatch or os.path.join(here, "..", "build", "app", "leakwatch")
        p = subprocess.run([exe, "scan", "--all", "--format", "json", corpus], capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            sys.exit("leakwatch exited %d" % p.returncode)
        found = load_results(p.stdout.splitlines())

    text = corpus_lines(corpus)
    P, R, tp, fp, fn = prf(gold, found)
    print("labels %d  found %d  tp %d  fp %d  fn %d" % (len(gold), len(found), tp, fp, fn))
    print("precision %.4f  recall %.4f" % (P, R))
    for k in ("email", "phone"):
        p, r, t, f1, f2 = prf(gold, found, k)
        print("  %-5s precision %.4f  recall %.4f  (tp %d fp %d fn %d)" % (k, p, r, t, f1, f2))

    def show(title, items):
        items = sorted(items)
        print("\n%s (%d, showing %d):" % (title, len(items), min(len(items), a.examples)))
        for i, k, v in items[: a.examples]:
            line = text[i] if 0 <= i < len(text) else "<no such line>"
            others = sorted(("%s %s" % (kk, vv)) for ii, kk, vv in (gold | found) if ii == i and (kk, vv) != (k, v))
            print("  line %d  %s %s\n    text: %s" % (i, k, v, line[:300]))
            if others:
                print("    other ids on line: %s" % "; ".join(others[:6]))

    show("MISSES (labelled, not found)", gold - found)
    show("FALSE POSITIVES (found, not labelled)", found - gold)
    ok = P >= a.min_precision and R >= a.min_recall
    print("\n%s: precision %.4f (bar %.3f), recall %.4f (bar %.3f)" % ("PASS" if ok else "FAIL", P, a.min_precision, R, a.min_recall))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
