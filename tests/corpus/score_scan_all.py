#!/usr/bin/env python3
"""Generates the independent labelled corpus with two seeds and scores
`leakwatch scan --all` on each (scripts/score_corpus.py sets the bars).

Usage: score_scan_all.py LEAKWATCH SOURCE_DIR PHONE_VALID
(PHONE_VALID: the built scripts/bench/phone_valid, the corpus oracle)
"""
import os
import subprocess
import sys
import tempfile


def main():
    leakwatch, source, phone_valid = sys.argv[1], sys.argv[2], sys.argv[3]
    scripts = os.path.join(source, "scripts")
    status = 0
    with tempfile.TemporaryDirectory(prefix="leakwatch-corpus-") as tmp:
        for seed in ("424242", "7"):
            out = os.path.join(tmp, seed)
            subprocess.run([sys.executable, os.path.join(scripts, "gen_leak_corpus.py"), "--out", out,
                            "--seed", seed, "--lines", "30000",
                            "--helper", phone_valid], check=True, stdout=subprocess.DEVNULL)
            print("corpus seed %s:" % seed, flush=True)
            rc = subprocess.run([sys.executable, os.path.join(scripts, "score_corpus.py"), out,
                                 "--leakwatch", leakwatch, "--examples", "10"]).returncode
            status = status or rc
    sys.exit(status)


if __name__ == "__main__":
    main()
