#!/usr/bin/env python3
"""Writes a labelled corpus of leak-like text for scoring `leakwatch scan --all`.

  scripts/gen_leak_corpus.py --out DIR [--lines N] [--seed S] [--helper PATH]

DIR/corpus.txt  realistic leak material (mostly UTF-8; a few dumps in GBK,
                a few with CRLF line ends), exactly N lines.
DIR/labels.tsv  one line per true identifier on a line:
                <0-based line number> TAB <email|phone> TAB <normalized value>
                (a value that occurs twice on one line is listed once: the
                scorer compares sets of (line, kind, value)).

Written by someone who has not read the extractor, its tests or the project's
other corpus generator; it follows the forms listed in issue 3 and DESIGN.md.
Python standard library only. Phone validity comes from libphonenumber itself
through scripts/bench/phone_valid.cpp (built by CMake as
build/scripts/bench/phone_valid, against the system libphonenumber), so every labelled phone is valid
and every phone-shaped decoy that could be read on its own is checked invalid.

LABELLING RULES AND DECISIONS (read these before arguing with a label)
----------------------------------------------------------------------
Emails (label = NFKC, de-obfuscated, whole address lowercased; +tags are kept,
dots in gmail local parts are kept: nothing provider-specific is applied):
  * any case; quoted, in <...>, (...), after `mailto:` (also with ?subject=),
    followed by sentence punctuation (`.`, `,`, `;`, `，`, `。`, `）`).
  * obfuscated: `name [at] dom [dot] com`, `name[at]dom[dot]com`,
    `name [at] dom.com`, `name(at)dom.com`, `name at dom dot com` (only the
    ` at `/` dot ` form with a one-dot domain such as qq.com), the at/dot
    tokens always lower case; full-width `＠`, whole address in full-width
    letters/digits/`．`; `&#64;` (decimal entity only, never `&#x40;` or
    `&commat;`); `%40` inside URLs and query strings (never `%2B` etc.).
  * Chinese characters glued on the LEFT of an address (`邮箱abc@outlook.com`)
    are not part of it (the issue lists this). Nothing is ever glued on the
    RIGHT of a domain (IDN ambiguity): there is always punctuation or space.
  * NOT emails (decoys): image names (`logo@2x.png`), `user@localhost`,
    RFC 2606/6761 reserved names (example.com/.org/.net and their subdomains,
    *.test, *.invalid, *.localhost, *.example), `root@10.0.0.5` (IP literal,
    no TLD), `deploy@web01` (no TLD), typo TLDs `.con`/`.cmo` (not a real
    TLD, DESIGN.md says a real TLD), npm/CSS/handle noise (`lodash@4.17.21`,
    `@media`, `@zhangwei`), passwords such as `Abc@123456`.
  * Left out entirely (doubtful): .onion mail addresses, `git@github.com`,
    masked addresses (`z***@icloud.com`: `*` is legal in a local part),
    upper-case `AT`/`DOT` tokens, `(dot)`, `{at}`, mailbox names made of an
    11-digit mobile (`13812345678@163.com` would be both an email and maybe a
    phone); numeric local parts are QQ numbers of 5-10 digits at qq.com.
Phones (label = E.164):
  * Chinese mobiles (real allocated ranges: candidates are random 1[3-9]x
    numbers kept only when libphonenumber says MOBILE for region CN):
    `13812345678`, `138 1234 5678`, `138-1234-5678`, `138.1234.5678`,
    `+86 138...`, `+86138...`, `+86-138-...`, `0086 138...`, `0086138...`,
    `(+86)138...`, `(+86) 138 ...`, `（+86）`, full-width digits/`＋`/`－`,
    ideographic or no-break spaces between groups, numbers split by invisible
    characters (U+200B/200C/200D/2060/FEFF), `tel:` links, `Apple ID:` phones,
    `?mobile=138...&` in query strings, followed by `.` at a sentence end.
    An 11-digit 1[3-9] number without + is Chinese, never +1.
  * Chinese characters glued on either side of a number (`手机13812345678`,
    `13812345678张三`) are boundaries: such a number IS labelled (Chinese has
    no spaces; `电话13812345678` is the normal way to write it).
  * ASCII letters or digits glued to a number make it NOT a phone:
    `ID13812345678X`, `user13812345678`, `13812345678abc`, 18-digit order
    numbers, 18-digit ID-card numbers, 15-digit IMEIs, 14-digit timestamps,
    numbers one digit short or long (checked invalid by libphonenumber).
  * International: `+` country code from US/CA, GB, HK, MO, TW, JP, SG, AU,
    DE, KR, FR, MY, RU, IN, in libphonenumber's own international grouping,
    or compact E.164, or groups joined by `-`, or US `+1 (415) 555-0123`.
    Mobile and fixed-line numbers both count when valid. Never written
    without `+` (a national `07911 123456` would be parsed as CN: left out).
  * Left out entirely (doubtful): Chinese landlines (`010-12345678`,
    `0571-...`, 400/95xxx numbers), `86-138...` without `+`/`00`,
    `00` prefixes for non-CN numbers, dotted international (`+1.415...`),
    `%2B86...`, numbers inside URL paths, `No.138...`, `#138...`, a spaced or
    dotted or hyphenated phone that touches another digit through a single
    separator (e.g. `25 138 1234 5678`): the generator re-draws such lines.
  * NOT phones (decoys): QQ numbers labelled QQ (5-10 digits, checked invalid
    as CN numbers anyway), IPv4 addresses whose digits make a valid mobile
    (`182.17.178.167`), prices (`¥138.00`, `$13.99`), version strings
    (`13.8.1234`), dates/times, unix timestamps (10 and 13 digits), bank card
    numbers in groups of 4, tracking numbers, BTC addresses, MD5/SHA1 hex,
    UUIDs, `+` numbers that libphonenumber rejects, 11-digit 1xx numbers in
    unallocated ranges.
GBK dumps: a few sections are written in GBK (as old Chinese dumps are);
there every identifier is ASCII and delimited by ASCII punctuation, and a
line is re-drawn if its GBK bytes contain a stray '@' byte.
"""
import argparse
import os
import random
import sys

from leak_corpus.line import Line
from leak_corpus.oracle import Oracle
from leak_corpus.primitives import Primitives
from leak_corpus.sections import Sections

HERE = os.path.dirname(os.path.abspath(__file__))


def build_helper(path=None):
    """The phone_valid oracle CMake builds (scripts/bench/CMakeLists.txt)."""
    path = path or os.path.join(HERE, "..", "build", "scripts", "bench", "phone_valid")
    if not os.access(path, os.X_OK):
        sys.exit("gen_leak_corpus.py: no phone_valid at %s; build it with "
                 "`cmake --build build --target phone_valid` or pass --helper PATH" % path)
    return path


class Gen(Sections, Primitives):
    def __init__(self, rng, oracle):
        self.r = rng
        self.o = oracle
        self._build_pools()

    def generate(self, n):
        secs = [(self.sec_dump, 26), (self.sec_combo, 12), (self.forum_cn, 10), (self.forum_en, 8), (self.sec_html_table, 9),
                (self.sec_html_list, 5), (self.sec_pre, 4), (self.sec_log, 7), (self.sec_json, 7), (self.sec_paste, 6),
                (self.sec_noise, 6), (self.sec_gbk, 2)]
        fns = [f for f, _ in secs]
        ws = [w for _, w in secs]
        lines = []
        while len(lines) < n:
            f = self.r.choices(fns, ws)[0]
            lines.extend(f())
            if self.chance(0.3):
                lines.append(Line())
        return lines[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--lines", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=424242)
    ap.add_argument("--helper", help="path of the built phone_valid (default: build/scripts/bench/phone_valid)")
    a = ap.parse_args()
    oracle = Oracle(a.helper or build_helper())
    g = Gen(random.Random(a.seed), oracle)
    lines = g.generate(a.lines)

    # final safety net: every labelled phone is valid per libphonenumber
    phones = sorted({v for ln in lines for k, v in ln.labels() if k == "phone"})
    res = oracle.check([("ZZ", p) for p in phones])
    bad = [p for p, v in zip(phones, res) if not v or v[0] != p]
    assert not bad, bad[:10]

    os.makedirs(a.out, exist_ok=True)
    nlab = {"email": 0, "phone": 0}
    with open(os.path.join(a.out, "corpus.txt"), "wb") as fc, open(os.path.join(a.out, "labels.tsv"), "w", encoding="utf-8") as fl:
        for i, ln in enumerate(lines):
            t = ln.text()
            b = t.encode("gbk") if ln.gbk else t.encode("utf-8")
            fc.write(b + (b"\r\n" if ln.crlf else b"\n"))
            for k, v in ln.labels():
                fl.write("%d\t%s\t%s\n" % (i, k, v))
                nlab[k] += 1
    sys.stderr.write("wrote %d lines, %d email and %d phone labels to %s\n" % (len(lines), nlab["email"], nlab["phone"], a.out))


if __name__ == "__main__":
    main()
