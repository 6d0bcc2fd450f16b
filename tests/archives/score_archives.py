#!/usr/bin/env python3
"""`leakwatch scan --all` on leak files in every form (scripts/gen_leak_archives.py),
scored per format against their labels (fails below precision 0.995 or recall
0.99), then on hostile files: bombs (a 1 GB-of-zeros zip, a zip of zips, a
2 GB-of-zeros gzip), a truncated archive and an encrypted entry without its
password. The bombs are generated here, never committed.

Usage: score_archives.py LEAKWATCH SOURCE_DIR PHONE_VALID
"""
import gzip
import io
import json
import os
import functools
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib

PRECISION, RECALL = 0.995, 0.99
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


MEMORY_CAP = 2 << 30  # address space given to each scan: a bomb that blew memory would crash, not exit 2


def cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@functools.lru_cache(maxsize=None)
def sanitized(binary):
    """True for an ASan build: it reserves terabytes of address space for its
    shadow memory, so the cap becomes a bound on resident memory instead."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def scan(leakwatch, files, *extra):
    """Runs `scan --all --format json` in MEMORY_CAP of address space; returns (Popen, seconds)."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        asan = sanitized(leakwatch)
        p = subprocess.Popen([leakwatch, "scan", "--all", "--format", "json"] + list(extra) + files, stdout=out,
                             stderr=err, preexec_fn=None if asan else cap_memory,
                             env=dict(os.environ, LEAKWATCH_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if asan and usage.ru_maxrss * 1024 > MEMORY_CAP:
            p.returncode = -9  # as the address-space cap would have ended it
            err.write(b"resident memory %d MiB over the cap" % (usage.ru_maxrss // 1024))
        out.seek(0)
        err.seek(0)
        p.stdout, p.stderr = out.read(), err.read()
    return p, time.monotonic() - start


def score(leakwatch, out):
    labels = {}
    with open(os.path.join(out, "labels.tsv"), encoding="utf-8") as f:
        for line in f:
            fmt, name, member, n, kind, value = line.rstrip("\n").split("\t")
            labels.setdefault((fmt, name), set()).add((member, int(n), kind, value))
    password = open(os.path.join(out, "password"), encoding="utf-8").read().strip()
    for (fmt, name), expected in sorted(labels.items()):
        path = os.path.join(out, "files", name)
        r, seconds = scan(leakwatch, [path], "--password", password)
        got = set()
        for line in r.stdout.decode("utf-8", "replace").splitlines():
            o = json.loads(line)
            got.add((o.get("member", ""), o["line"], o["kind"], o["value"]))
        true = len(got & expected)
        precision = true / len(got) if got else 0.0
        recall = true / len(expected)
        check(r.returncode == 0 and precision >= PRECISION and recall >= RECALL,
              "%-13s %-16s %5d labelled, %5d found: precision %.4f recall %.4f, exit %d, %.1f s%s" % (
                  fmt, name, len(expected), len(got), precision, recall, r.returncode, seconds,
                  ("; stderr: " + r.stderr.decode()[:300]) if r.returncode else ""))
        if precision < PRECISION or recall < RECALL:
            for miss in sorted(expected - got)[:5]:
                print("      missed", miss)
            for extra in sorted(got - expected)[:5]:
                print("      extra ", extra)


def zeros_zip(path, gigabytes):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("zeros.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as w:
            block = bytes(1 << 20)
            for _ in range(gigabytes << 10):
                w.write(block)


def hostile(leakwatch, tmp, out):
    # 1 GB of zeros in a zip.
    bomb = os.path.join(tmp, "zeros.zip")
    zeros_zip(bomb, 1)
    r, seconds = scan(leakwatch, [bomb])
    err = r.stderr.decode()
    check(r.returncode == 2 and "decompression bomb" in err and "zeros.zip!zeros.bin" in err and seconds < 120
         ,
          "1 GB-of-zeros zip: exit %d in %.1f s, in 2 GiB of address space: %s" % (r.returncode, seconds, err.strip()))
    # A zip of zips: 16 copies of that bomb, 2 levels deep (16 GB).
    inner = open(bomb, "rb").read()
    level = io.BytesIO()
    with zipfile.ZipFile(level, "w", zipfile.ZIP_STORED) as z:
        for i in range(4):
            z.writestr("inner%d.zip" % i, inner)
    outer = os.path.join(tmp, "zips.zip")
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr("level%d.zip" % i, level.getvalue())
    r, seconds = scan(leakwatch, [outer])
    err = r.stderr.decode()
    check(r.returncode == 2 and "decompression bomb" in err and "zips.zip!level0.zip!inner0.zip!zeros.bin" in err
          and seconds < 120, "zip of zips: exit %d in %.1f s, in 2 GiB of address space: %s" % (
              r.returncode, seconds, err.strip()))
    # 2 GB of zeros in a gzip (concatenated members, as gzip allows).
    member = gzip.compress(bytes(64 << 20), compresslevel=9, mtime=0)
    gz = os.path.join(tmp, "zeros.gz")
    with open(gz, "wb") as f:
        for _ in range(32):
            f.write(member)
    r, seconds = scan(leakwatch, [gz])
    err = r.stderr.decode()
    check(r.returncode == 2 and "decompression bomb" in err and seconds < 120,
          "2 GB-of-zeros gzip: exit %d in %.1f s, in 2 GiB of address space: %s" % (r.returncode, seconds, err.strip()))
    # A truncated archive: what could be read, and an error naming the member.
    tgz = open(os.path.join(out, "files", "leak.tar.gz"), "rb").read()
    cut = os.path.join(tmp, "cut.tar.gz")
    with open(cut, "wb") as f:
        f.write(tgz[:len(tgz) * 6 // 10])
    r, seconds = scan(leakwatch, [cut])
    err = r.stderr.decode()
    members = {json.loads(l).get("member") for l in r.stdout.decode().splitlines()}
    # Named as the member being read or the one read last, as libarchive finds the cut.
    check(r.returncode == 2 and "users/part1.csv" in members and "cut.tar.gz" in err and "part3.txt" in err,
          "truncated tar.gz: exit %d, members read %s: %s" % (r.returncode, sorted(members), err.strip()))
    # An encrypted entry without its password: reported, the rest still scanned.
    locked = os.path.join(out, "files", "locked.zip")
    r, seconds = scan(leakwatch, [locked, os.path.join(out, "files", "leak.txt")])
    err = r.stderr.decode()
    check("encrypted" in err and "locked.zip!users/part1.csv" in err and len(r.stdout) > 0,
          "encrypted zip without a password: exit %d: %s" % (r.returncode, err.strip()[:300]))


def main():
    leakwatch, source, phone_valid = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="leakwatch-archives-") as tmp:
        out = os.path.join(tmp, "leaks")
        subprocess.run([sys.executable, os.path.join(source, "scripts", "gen_leak_archives.py"), "--out", out,
                        "--helper", phone_valid], check=True)
        score(leakwatch, out)
        hostile(leakwatch, tmp, out)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all archive checks passed")


if __name__ == "__main__":
    main()
