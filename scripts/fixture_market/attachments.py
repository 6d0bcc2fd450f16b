"""The shop's file listing, /dump: a listing page (title, price, seller) that
links three files holding customers who appear nowhere else on the markets
(issue #17): a zip (two CSV members, one in a folder), a 7z (one member)
and a raw .txt. The files are made once per server from the seed (the 7z by
the 7z program, Debian p7zip-full) and served with ETag and Last-Modified,
so a revisit can be answered 304."""

import gzip
import io
import os
import subprocess
import tempfile
import zipfile

from content import esc, make_person, page, rng_for

LISTING = "/dump"
FILES = "/dump/files/"
# A second listing, linked from nowhere on the shop (a test seeds it), whose
# files' links have no extension: a zip served as application/zip and a gzip
# served as application/octet-stream (its first bytes decide).
BARE_LISTING = "/dump-by-id"
BARE_FILES = "/download/"
TITLE = "Full customer dump, 3 files"
BARE_TITLE = "Customer exports by id"
PRICE = "$450"
SELLER = "dumpmaster"
# Lines of filler after each file's header, so the files are a few KB (the caps tests).
FILLER = ["# export %04d: no record on this line" % i for i in range(60)]


def people(seed, name, count):
    rng = rng_for(seed, "attachment", name)
    return [make_person(rng) for _ in range(count)]


def csv_member(rows):
    """CSV text and each person's 1-based line."""
    lines = ["name,email,phone"] + FILLER
    where = []
    for p in rows:
        lines.append("%s,%s,%s" % (p.name, p.email, p.phone))
        where.append(len(lines))
    return ("\n".join(lines) + "\n").encode("utf-8"), where


def seven_zip(name, data):
    with tempfile.TemporaryDirectory(prefix="market-7z-") as work:
        with open(os.path.join(work, name), "wb") as f:
            f.write(data)
        out = os.path.join(work, "out.7z")
        subprocess.run(["7z", "a", "-bd", "-bso0", "-bsp0", out, name], cwd=work, check=True)
        with open(out, "rb") as f:
            return f.read()


def build(seed):
    """{file name: (bytes, content type)} and the manifest's entries."""
    files, entries = {}, []
    zip_members = [("part1.csv", people(seed, "zip-1", 2)), ("users/part2.csv", people(seed, "zip-2", 2))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for member, rows in zip_members:
            data, where = csv_member(rows)
            z.writestr(member, data)
            entries += [dict(p.as_dict(), file="customers.zip", member=member, line=line)
                        for p, line in zip(rows, where)]
    files["customers.zip"] = (buf.getvalue(), "application/zip")
    rows = people(seed, "7z", 2)
    data, where = csv_member(rows)
    files["part3.7z"] = (seven_zip("part3.csv", data), "application/x-7z-compressed")
    entries += [dict(p.as_dict(), file="part3.7z", member="part3.csv", line=line) for p, line in zip(rows, where)]
    rows = people(seed, "txt", 2)
    data, where = csv_member(rows)
    files["leak.txt"] = (data, "text/plain; charset=utf-8")
    entries += [dict(p.as_dict(), file="leak.txt", member="", line=line) for p, line in zip(rows, where)]
    return files, entries


def build_bare(seed):
    """{id: (bytes, content type)} and the manifest's entries, for BARE_LISTING."""
    files, entries = {}, []
    rows = people(seed, "bare-zip", 2)
    data, where = csv_member(rows)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/users.csv", data)
    files["4411"] = (buf.getvalue(), "application/zip")
    entries += [dict(p.as_dict(), file="4411", member="export/users.csv", line=line) for p, line in zip(rows, where)]
    rows = people(seed, "bare-gz", 2)
    data, where = csv_member(rows)
    files["4412"] = (gzip.compress(data, mtime=0), "application/octet-stream")
    entries += [dict(p.as_dict(), file="4412", member="", line=line) for p, line in zip(rows, where)]
    return files, entries


class Attachments:
    def __init__(self, seed):
        self.files, self.entries = build(seed)
        self.bare_files, self.bare_entries = build_bare(seed)

    def bare_listing_html(self, ctx):
        links = "".join("<li><a href=\"%s\">file %s</a></li>" % (ctx.link(BARE_FILES + n), esc(n))
                        for n in self.bare_files)
        body = ("<h1 class=\"title\">%s</h1><div class=\"meta\">Price: <span class=\"price\">%s</span> "
                "Seller: <span class=\"seller\">%s</span></div><ul class=\"files\">%s</ul>"
                % (esc(BARE_TITLE), PRICE, esc(SELLER), links))
        return page(BARE_TITLE, body)

    def listing_html(self, ctx):
        links = "".join("<li><a href=\"%s\">%s</a> (%d bytes)</li>" % (ctx.link(FILES + n), esc(n), len(b))
                        for n, (b, _) in self.files.items())
        body = ("<h1 class=\"title\">%s</h1><div class=\"meta\">Price: <span class=\"price\">%s</span> "
                "Seller: <span class=\"seller\">%s</span></div><p>Files below, no records on this page.</p>"
                "<ul class=\"files\">%s</ul>" % (esc(TITLE), PRICE, esc(SELLER), links))
        return page(TITLE, body)

    def manifest(self):
        return {"listing": LISTING, "title": TITLE, "price": PRICE, "seller": SELLER,
                "files": {n: {"path": FILES + n, "bytes": len(b), "content_type": t}
                          for n, (b, t) in self.files.items()},
                "customers": self.entries,
                "bare": {"listing": BARE_LISTING, "title": BARE_TITLE,
                         "files": {n: {"path": BARE_FILES + n, "bytes": len(b), "content_type": t}
                                   for n, (b, t) in self.bare_files.items()},
                         "customers": self.bare_entries}}
