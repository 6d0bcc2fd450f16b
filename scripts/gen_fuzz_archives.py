#!/usr/bin/env python3
"""Writes the archive fuzzer's seed corpus (fuzz/archive_corpus): a few leak
lines in every form scripts/gen_leak_archives.py writes, each under 4 KiB.

  scripts/gen_fuzz_archives.py fuzz/archive_corpus
"""
import bz2
import gzip
import lzma
import os
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_leak_archives as g  # noqa: E402

ROWS = [b"id,name,email,phone", b"1,Zhang Wei,zhang.wei@icloud.com,13812345678",
        b"2,Li Na,li.na [at] qq [dot] com,+86 139 1234 5678", b"3,Wang Fang,wf@163.com,0086-150-0000-1234"]
LABELS = {1: [("email", "zhang.wei@icloud.com")], 2: [("email", "li.na@qq.com")]}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    text = b"\n".join(ROWS) + b"\n"
    parts = [("users/a.csv", text, []), ("b.txt", text[:60], []), ("c/d.sql", text[40:], []),
             ("e.csv", text, [])]
    with tempfile.TemporaryDirectory() as work:
        forms = {
            "plain.txt": text, "text.gz": gzip.compress(text, mtime=0), "text.bz2": bz2.compress(text),
            "text.xz": lzma.compress(text), "text.zst": g.zstd(text),
            "stored.zip": g.zip_bytes(parts, zipfile.ZIP_STORED), "deflate.zip": g.zip_bytes(parts),
            "zip64.zip": g.zip_bytes(parts, zip64=True), "a.tar.gz": gzip.compress(g.tar_bytes(parts), mtime=0),
            "a.tar.xz": lzma.compress(g.tar_bytes(parts)), "a.7z": g.seven_zip(parts, work),
            "locked.zip": g.seven_zip(parts, work, ["-tzip", "-mem=ZipCrypto", "-psecret"]),
            "a.rar": g.rar4_stored(parts), "nested.zip": g.nested(parts)[0], "sheet.xlsx": g.xlsx(ROWS, LABELS)[0],
        }
    for name, data in forms.items():
        assert len(data) <= 4096, name
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
