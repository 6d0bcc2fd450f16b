#!/usr/bin/env python3
"""Writes the multi-region phone corpus, from libphonenumber's side.

  scripts/gen_region_corpus.py --out DIR --helper PHONE_MATCHER_REF [--regions US,GB,...]

For each region and each number type libphonenumber has an example of, up to
three valid numbers (scripts/bench/phone_matcher_ref.cpp `examples`), written
the ways libphonenumber formats them (national, international, E.164,
RFC 3966) and the ways people write them (brackets, dots, slashes, mixed
separators, digits only, extensions, glued letters), each set in a sentence
or a dump line. Deterministic: no randomness, the same corpus on every run.

DIR/REGION.txt  one text per line
DIR/REGION.ref  the reference for the same line: the numbers libphonenumber's
                PhoneNumberMatcher finds in it for REGION at VALID leniency,
                E.164, space-separated (empty when none)

The reference is the matcher itself (`match` mode, one short text at a time),
not an opinion of the extractor's; a text may hold no number at all
("+39 02-36618 300forme": the matcher refuses a number glued to a word).
"""
import argparse
import os
import re
import subprocess

REGIONS = ("US,CA,GB,DE,FR,IT,ES,NL,BE,CH,AT,SE,NO,PL,RU,TR,BR,MX,AR,IN,JP,KR,AU,NZ,ZA,HK,SG,TW,CN")

SENTENCES = (
    "Call me at {} tomorrow.",
    "Tel: {}",
    "{}",
    "电话：{}。",
    "contact {}, thanks",
    "Please ring {} after 6pm",
)
DUMP_LINES = (
    "1024|John Smith|{}|premium",
    "user;{};active",
    "\"{}\",\"Berlin\"",
    "id=77 phone={} level=3",
)


def groups(formatted):
    """The digit groups of a formatted number, without '+' and country code."""
    return re.findall(r"\d+", formatted)


def variants(national, international, e164, rfc3966, other_national):
    """(name, text) pairs: libphonenumber's four forms and human ones."""
    out = [("national", national), ("international", international), ("e164", e164),
           ("rfc3966", rfc3966)]
    intl = groups(international)  # [cc, g1, g2, ...]
    nat = groups(national)
    cc, rest = intl[0], intl[1:]
    if len(rest) >= 2:
        out.append(("intl_dashes", "+" + cc + "-" + "-".join(rest)))
        out.append(("intl_dots", "+" + cc + "." + ".".join(rest)))
        out.append(("intl_bracket_area", "+" + cc + " (" + rest[0] + ") " + " ".join(rest[1:])))
        mixed = rest[0]
        for k, g in enumerate(rest[1:]):
            mixed += ("-" if k % 2 == 0 else " ") + g
        out.append(("intl_mixed", "+" + cc + " " + mixed))
    if len(nat) >= 2:
        out.append(("national_dots", ".".join(nat)))
        out.append(("national_dashes", "-".join(nat)))
        out.append(("national_bracket_area", "(" + nat[0] + ") " + "-".join(nat[1:])))
        out.append(("national_bracket_glued", "(" + nat[0] + ")" + "-".join(nat[1:])))
        out.append(("national_slash", nat[0] + "/" + "-".join(nat[1:])))
    out.append(("national_digits", "".join(nat)))
    out.append(("intl_ext_x", international + " x123"))
    out.append(("national_ext_glued", national + "x45"))
    out.append(("national_ext_word", national + " ext. 6789"))
    out.append(("intl_glued_letters_left", "abc" + e164))
    out.append(("intl_glued_word_left", "at" + international))
    out.append(("national_glued_word_right", national + "forme"))
    out.append(("two_in_a_row", international + ", " + other_national))
    out.append(("next_to_other_number", "CA 34215 - " + national))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--helper", required=True, help="built scripts/bench/phone_matcher_ref")
    ap.add_argument("--regions", default=REGIONS)
    args = ap.parse_args()
    regions = [r.strip().upper() for r in args.regions.split(",") if r.strip()]
    os.makedirs(args.out, exist_ok=True)
    examples = subprocess.run([args.helper, "examples"] + regions, check=True, capture_output=True,
                              text=True).stdout.splitlines()
    texts = {r: [] for r in regions}
    seen = set()
    previous = {}  # region -> the national form of its last number
    for line in examples:
        region, _type, e164, national, international, rfc3966 = line.split("\t")
        if (region, e164) in seen:
            continue
        seen.add((region, e164))
        other = previous.get(region, national)
        previous[region] = national
        for k, (_name, form) in enumerate(variants(national, international, e164, rfc3966, other)):
            template = SENTENCES[k % len(SENTENCES)] if k % 3 else DUMP_LINES[(k // 3) % len(DUMP_LINES)]
            texts[region].append(template.format(form))
    for region in regions:
        lines = texts[region]
        query = "".join(region + "\t" + t + "\n" for t in lines)
        ref = subprocess.run([args.helper, "match"], input=query, check=True, capture_output=True,
                             text=True).stdout
        with open(os.path.join(args.out, region + ".txt"), "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in lines))
        with open(os.path.join(args.out, region + ".ref"), "w", encoding="utf-8") as f:
            f.write(ref)
        print("%s: %d texts" % (region, len(lines)))


if __name__ == "__main__":
    main()
