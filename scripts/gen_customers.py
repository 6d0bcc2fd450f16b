#!/usr/bin/env python3
"""Writes a generated customer CSV (fixed seed): customer_id,apple_id,email,phone,name.

The identifiers come in the forms real customer exports hold: mixed-case
addresses, phones with and without +86 / 0086, separators, some full-width
digits, Apple IDs that are phone numbers, Chinese and Latin names, and a few
foreign numbers. All are valid, so every row imports.

  scripts/gen_customers.py N [--seed S] [--plain-out FILE]

--plain-out writes the normalized identifiers (customer_id,kind,value) for
tests that plant them in a fixture market; it is test data, never real data.
"""
import argparse
import random
import sys

FAMILY = ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu"]
GIVEN = ["Wei", "Na", "Fang", "Min", "Jing", "Lei", "Qiang", "Yan", "Jun", "Yong", "Jie", "Tao", "Ming", "Xia", "Hui"]
HANZI_FAMILY = ["张", "王", "李", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
HANZI_GIVEN = ["伟", "娜", "芳", "敏", "静", "磊", "强", "艳", "军", "勇", "杰", "涛"]
DOMAINS = ["icloud.com", "me.com", "qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "foxmail.com"]
# Chinese mobile prefixes (all valid in libphonenumber's metadata).
CN_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
               "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
               "185", "186", "187", "188", "189", "198", "199"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def cn_phone(rng):
    digits = rng.choice(CN_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
    form = rng.randrange(8)
    shown = {
        0: digits,
        1: "+86 %s %s %s" % (digits[:3], digits[3:7], digits[7:]),
        2: "0086-%s-%s-%s" % (digits[:3], digits[3:7], digits[7:]),
        3: "(+86)" + digits,
        4: "+86" + digits,
        5: "%s-%s-%s" % (digits[:3], digits[3:7], digits[7:]),
        6: "%s %s %s" % (digits[:3], digits[3:7], digits[7:]),
        7: digits.translate(FULLWIDTH),
    }[form]
    return shown, "+86" + digits


def foreign_phone(rng):
    if rng.random() < 0.5:  # US
        area = rng.choice(["415", "646", "312", "213"])
        exch = str(rng.randrange(200, 999))
        line = "%04d" % rng.randrange(10000)
        return "+1 (%s) %s-%s" % (area, exch, line), "+1" + area + exch + line
    # UK mobile
    rest = "7" + rng.choice(["400", "500", "800", "900"]) + "%06d" % rng.randrange(1000000)
    return "+44 %s %s" % (rest[:4], rest[4:]), "+44" + rest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=20170608)
    ap.add_argument("--plain-out")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    plain = open(args.plain_out, "w", encoding="utf-8") if args.plain_out else None
    out.write("customer_id,apple_id,email,phone,name\n")
    for i in range(args.count):
        cid = "C%08d" % (i + 1)
        if rng.random() < 0.3:
            name = rng.choice(HANZI_FAMILY) + rng.choice(HANZI_GIVEN)
            name_norm = name
        else:
            g, f = rng.choice(GIVEN), rng.choice(FAMILY)
            name = "%s %s" % (g, f)
            name_norm = name.lower()
        local = "%s.%s%d" % (rng.choice(FAMILY), rng.choice(GIVEN), i + 1)
        email = local + "@" + rng.choice(DOMAINS)
        shown_email = email if rng.random() < 0.5 else email.upper() if rng.random() < 0.2 else email.capitalize()
        if rng.random() < 0.93:
            phone, phone_norm = cn_phone(rng)
        else:
            phone, phone_norm = foreign_phone(rng)
        r = rng.random()
        if r < 0.2:
            # The Apple ID is the phone number; no email on file.
            apple_id, email_col = phone_norm, ""
            email_norm = None
        elif r < 0.6:
            apple_id, email_col = "", shown_email
            email_norm = email.lower()
        else:
            apple_id, email_col = shown_email, ""
            email_norm = email.lower()
        out.write('%s,%s,%s,"%s",%s\n' % (cid, apple_id, email_col, phone, name))
        if plain:
            if email_norm:
                plain.write("%s,email,%s\n" % (cid, email_norm))
            plain.write("%s,phone,%s\n" % (cid, phone_norm))
            plain.write("%s,name,%s\n" % (cid, name_norm))
    if plain:
        plain.close()


if __name__ == "__main__":
    main()
