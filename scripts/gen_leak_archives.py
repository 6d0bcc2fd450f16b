#!/usr/bin/env python3
"""Writes leak files in every form `leakwatch scan` reads, with known identifiers.

  scripts/gen_leak_archives.py --out DIR --helper PHONE_VALID [--lines N] [--seed S]

The text is scripts/gen_leak_corpus.py's labelled corpus (realistic leak
lines, written without reading the extractor), cut into four members
(users/part1.csv, users/part2.csv, dump/part3.txt, dump/part4.sql) and packed
as plain text, gzip, bzip2, xz, zstd, zip (stored, deflate, zip64, a zip
named .txt, ZipCrypto with the password in DIR/password), 7z, rar (stored,
RAR 4 layout), tar (plain, gz, bz2, xz, zst), archives nested in a zip, and an
.xlsx (its sheet after-the-fact shared strings, as Excel orders them).

DIR/files/...  the leak files
DIR/labels.tsv format TAB file TAB member TAB line TAB kind TAB value
               (member "" for a file's own text; line 1-based within the
               member; for the sheet, line n is row n)
DIR/password   the encrypted zip's password

Uses the standard library, and the 7z and zstd programs (Debian p7zip-full,
zstd). Fixed seed: the same files each run.
"""
import argparse
import bz2
import gzip
import io
import lzma
import os
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from xml.sax.saxutils import escape

MEMBERS = ["users/part1.csv", "users/part2.csv", "dump/part3.txt", "dump/part4.sql"]
PASSWORD = "pass: 7Leak!2017"


def corpus(out, lines, seed, helper):
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "gen_leak_corpus.py"), "--out", out, "--lines",
                    str(lines), "--seed", str(seed), "--helper", helper], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "corpus.txt"), "rb") as f:
        text = f.read()
    rows = text.split(b"\n")
    if rows and rows[-1] == b"":
        rows.pop()
    labels = {}
    with open(os.path.join(out, "labels.tsv"), encoding="utf-8") as f:
        for line in f:
            n, kind, value = line.rstrip("\n").split("\t")
            labels.setdefault(int(n), []).append((kind, value))
    return rows, labels


def split(rows, labels):
    """Four members: (name, bytes, [(line, kind, value)])."""
    parts = []
    step = (len(rows) + len(MEMBERS) - 1) // len(MEMBERS)
    for i, name in enumerate(MEMBERS):
        chunk = rows[i * step:(i + 1) * step]
        found = [(n - i * step + 1, k, v) for n in range(i * step, i * step + len(chunk))
                 for (k, v) in labels.get(n, [])]
        parts.append((name, b"\n".join(chunk) + b"\n", found))
    return parts


def zip_bytes(parts, method=zipfile.ZIP_DEFLATED, zip64=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data, _ in parts:
            info = zipfile.ZipInfo(name, date_time=(2017, 6, 8, 12, 0, 0))
            info.compress_type = method
            with z.open(info, "w", force_zip64=zip64) as w:
                w.write(data)
    return buf.getvalue()


def tar_bytes(parts):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data, _ in parts:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1496923200
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE, check=True).stdout


def seven_zip(parts, workdir, extra=()):
    """Writes the members with 7z; returns the archive's bytes."""
    src = os.path.join(workdir, "7z-src")
    for name, data, _ in parts:
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    out = os.path.join(workdir, "out.archive")
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(["7z", "a", "-bd", "-bso0", "-bsp0"] + list(extra) + [out] + [n for n, _, _ in parts],
                   cwd=src, check=True)
    with open(out, "rb") as f:
        return f.read()


def rar4_stored(parts):
    """A RAR 4.x archive, files stored (method 0x30); RAR's own writer is not free software."""
    def block(head_type, flags, body):
        head = bytes([head_type]) + flags.to_bytes(2, "little") + (7 + len(body)).to_bytes(2, "little") + body
        return (zlib.crc32(head) & 0xFFFF).to_bytes(2, "little") + head

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\0" * 6)
    dos_time = ((2017 - 1980) << 25) | (6 << 21) | (8 << 16) | (12 << 11)
    for name, data, _ in parts:
        raw = name.encode()
        body = (len(data).to_bytes(4, "little") + len(data).to_bytes(4, "little") + bytes([0]) +
                (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "little") + dos_time.to_bytes(4, "little") +
                bytes([29, 0x30]) + len(raw).to_bytes(2, "little") + (0x20).to_bytes(4, "little")
                + raw)
        out += block(0x74, 0x8000, body) + data
    return out + block(0x7B, 0x4000, b"")


def xlsx(rows, labels):
    """A workbook of one sheet, row n = corpus line n, cells split on ','; the
    shared strings come after the sheet. Lines that XML cannot hold stay empty."""
    strings, index, sheet, found = [], {}, [], []
    for n, row in enumerate(rows):
        try:
            line = row.rstrip(b"\r").decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(c) < 32 and c != "\t" for c in line):
            continue
        cells = []
        for col, cell in enumerate(line.split(",")):
            ref = "%s%d" % (chr(ord("A") + col) if col < 26 else "Z", n + 1)
            if cell.isdigit() and len(cell) < 15 and not cell.startswith("0"):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, cell))
            else:
                if cell not in index:
                    index[cell] = len(strings)
                    strings.append(cell)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[cell]))
        sheet.append('<row r="%d">%s</row>' % (n + 1, "".join(cells)))
        found += [(n + 1, k, v) for (k, v) in labels.get(n, [])]
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    files = [
        ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
         '2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'),
        ("xl/workbook.xml", '<?xml version="1.0"?><workbook %s><sheets><sheet name="users" sheetId="1"/>'
         '</sheets></workbook>' % ns),
        ("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s'
         '</sheetData></worksheet>' % (ns, "".join(sheet))),
        ("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d">%s</sst>' % (
            ns, len(strings), "".join('<si><t xml:space="preserve">%s</t></si>' % escape(s) for s in strings))),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files:
            z.writestr(zipfile.ZipInfo(name, date_time=(2017, 6, 8, 12, 0, 0)), body.encode("utf-8"),
                       zipfile.ZIP_DEFLATED)
    return buf.getvalue(), found


def nested(parts):
    """nested.zip: inner.tar.gz (parts 1-2) and deeper.zip (part 3, and part 4 gzipped)."""
    inner = gzip.compress(tar_bytes(parts[:2]), mtime=0)
    gz4 = (parts[3][0] + ".gz", gzip.compress(parts[3][1], mtime=0), parts[3][2])
    deeper = zip_bytes([parts[2], gz4])
    outer = zip_bytes([("inner.tar.gz", inner, []), ("deeper.zip", deeper, [])])
    labels = [("inner.tar.gz!" + name, found) for name, _, found in parts[:2]]
    labels += [("deeper.zip!" + parts[2][0], parts[2][2]), ("deeper.zip!" + gz4[0], gz4[2])]
    return outer, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--helper", required=True, help="scripts/bench/phone_valid, built")
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    files = os.path.join(args.out, "files")
    os.makedirs(files, exist_ok=True)
    rows, labels = corpus(os.path.join(args.out, "corpus"), args.lines, args.seed, args.helper)
    parts = split(rows, labels)
    whole = b"\n".join(rows) + b"\n"
    whole_labels = [("", [(n + 1, k, v) for n in sorted(labels) for (k, v) in labels[n]])]
    members = [(name, found) for name, _, found in parts]
    work = os.path.join(args.out, "work")
    os.makedirs(work, exist_ok=True)

    forms = [  # format, file name, bytes, [(member, [(line, kind, value)])]
        ("text", "leak.txt", whole, whole_labels),
        ("gzip", "leak.csv.gz", gzip.compress(whole, mtime=0), whole_labels),
        ("bzip2", "leak.csv.bz2", bz2.compress(whole), whole_labels),
        ("xz", "leak.csv.xz", lzma.compress(whole), whole_labels),
        ("zstd", "leak.csv.zst", zstd(whole), whole_labels),
        ("zip-stored", "leak-stored.zip", zip_bytes(parts, zipfile.ZIP_STORED), members),
        ("zip-deflate", "leak.zip", zip_bytes(parts), members),
        ("zip64", "leak64.zip", zip_bytes(parts, zip64=True), members),
        ("zip-named-txt", "notes.txt", zip_bytes(parts), members),
        ("zip-encrypted", "locked.zip", seven_zip(parts, work, ["-tzip", "-mem=ZipCrypto", "-p" + PASSWORD]),
         members),
        ("7z", "leak.7z", seven_zip(parts, work), members),
        ("rar", "leak.rar", rar4_stored(parts), members),
        ("tar", "leak.tar", tar_bytes(parts), members),
        ("tar.gz", "leak.tar.gz", gzip.compress(tar_bytes(parts), mtime=0), members),
        ("tar.bz2", "leak.tar.bz2", bz2.compress(tar_bytes(parts)), members),
        ("tar.xz", "leak.tar.xz", lzma.compress(tar_bytes(parts)), members),
        ("tar.zst", "leak.tar.zst", zstd(tar_bytes(parts)), members),
    ]
    outer, nested_labels = nested(parts)
    forms.append(("nested", "nested.zip", outer, nested_labels))
    book, sheet_labels = xlsx(rows, labels)
    forms.append(("xlsx", "leak.xlsx", book, [("xl/worksheets/sheet1.xml", sheet_labels)]))

    with open(os.path.join(args.out, "labels.tsv"), "w", encoding="utf-8") as out:
        for fmt, name, data, member_labels in forms:
            with open(os.path.join(files, name), "wb") as f:
                f.write(data)
            for member, found in member_labels:
                for line, kind, value in found:
                    out.write("%s\t%s\t%s\t%d\t%s\t%s\n" % (fmt, name, member, line, kind, value))
    with open(os.path.join(args.out, "password"), "w") as f:
        f.write(PASSWORD + "\n")
    print("%d leak files in %s" % (len(forms), files))


if __name__ == "__main__":
    main()
