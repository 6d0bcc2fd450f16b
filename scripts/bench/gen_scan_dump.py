#!/usr/bin/env python3
"""Writes a leak dump for scripts/bench/scan_match.sh (fixed seed).

  gen_scan_dump.py PLAIN N [--fraction F] [--seed S] > dump.txt

PLAIN is the normalized identifier list of the generated customers
(`gen_customers.py --plain-out`: customer_id,kind,value). The dump holds
exactly N identifiers (emails and phones) in lines as leak dumps hold them:
`email----password` and `email:password` combo lines, CSV/TSV/pipe rows with
a name, an email and a phone, Chinese and English forum posts. A fraction F
(default 0.1) of the N are distinct customer identifiers, written in the
forms people write them (mixed case, +86/0086, separators); the rest are
identifiers no customer holds. Passwords, prices, order numbers and times in
the lines are never identifiers.

Prints to stderr, as `key=value` lines: `identifiers` (N), `planted`
(customer identifiers in the dump) and `matches` (the lines `leakwatch scan`
must print: one per customer holding a planted identifier; a few generated
phones belong to two customers). Generated test data only, no real person's.
"""
import argparse
import random
import sys

DOMAINS = ["icloud.com", "me.com", "qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com",
           "foxmail.com", "yahoo.com", "hotmail.com", "139.com"]
CN_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
               "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
               "185", "186", "187", "188", "189", "198", "199"]
NAMES = ["Zhang Wei", "Wang Fang", "Li Na", "Liu Yang", "Chen Jie", "张伟", "王芳", "李娜", "刘洋", "陈杰"]
CITIES = ["Beijing", "Shanghai", "Hangzhou", "Shenzhen", "北京", "上海", "杭州", "深圳"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def password(rng):
    # Never an identifier: letters first, at most 6 digits in a row.
    return rng.choice(LETTERS) + "".join(rng.choice(LETTERS + "0123456789") for _ in range(rng.randrange(5, 10)))


def reg_time(rng):
    return "2017-%02d-%02d %02d:%02d:%02d" % (rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
                                              rng.randrange(60), rng.randrange(60))


def write_email(rng, value):
    r = rng.random()
    if r < 0.6:
        return value
    if r < 0.8:
        local, domain = value.split("@")
        return local.capitalize() + "@" + domain
    return value.upper()


def write_phone(rng, value):
    if not value.startswith("+86"):
        return value  # foreign numbers as E.164
    d = value[3:]
    return rng.choice([
        d,
        d,
        value,
        "+86 %s %s %s" % (d[:3], d[3:7], d[7:]),
        "%s-%s-%s" % (d[:3], d[3:7], d[7:]),
        "0086-%s-%s-%s" % (d[:3], d[3:7], d[7:]),
        "%s %s %s" % (d[:3], d[3:7], d[7:]),
    ])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plain")
    ap.add_argument("count", type=int)
    ap.add_argument("--fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    holders = {}  # (kind, value) -> number of customers holding it
    with open(args.plain, encoding="utf-8") as f:
        for row in f:
            _, kind, value = row.rstrip("\n").split(",", 2)
            if kind in ("email", "phone"):
                holders[(kind, value)] = holders.get((kind, value), 0) + 1
    planted_n = round(args.count * args.fraction)
    pool = sorted(holders)
    if planted_n > len(pool):
        sys.exit("gen_scan_dump.py: only %d customer identifiers, %d asked" % (len(pool), planted_n))
    planted = rng.sample(pool, planted_n)
    matches = sum(holders[p] for p in planted)

    used = set(holders)
    ids = [(kind, value, True) for kind, value in planted]
    while len(ids) < args.count:
        if rng.random() < 0.5:
            local = "".join(rng.choice(LETTERS) for _ in range(rng.randrange(3, 8))) + str(rng.randrange(1, 99999))
            key = ("email", local + "@" + rng.choice(DOMAINS))
        else:
            key = ("phone", "+86" + rng.choice(CN_PREFIXES) + "%08d" % rng.randrange(10 ** 8))
        if key in used:
            continue
        used.add(key)
        ids.append((key[0], key[1], False))
    rng.shuffle(ids)

    out = sys.stdout
    i = 0
    uid = 100000
    while i < len(ids):
        uid += rng.randrange(1, 50)
        kind, value, _ = ids[i]
        shown = write_email(rng, value) if kind == "email" else write_phone(rng, value)
        nxt = ids[i + 1] if i + 1 < len(ids) else None
        pair = nxt is not None and kind == "email" and nxt[0] == "phone"
        if pair:
            phone = write_phone(rng, nxt[1])
            form = rng.randrange(4)
            name = rng.choice(NAMES)
            if form == 0:
                out.write("%d,%s,%s,%s,%s\n" % (uid, name, shown, phone, rng.choice(CITIES)))
            elif form == 1:
                out.write("%d\t%s\t%s\t%s\n" % (uid, shown, phone, reg_time(rng)))
            elif form == 2:
                out.write("%s|%s|%s|%s\n" % (name, phone, shown, password(rng)))
            else:
                out.write("出售苹果ID %s 密码 %s 绑定手机 %s 价格 ¥%d\n" % (shown, password(rng), phone,
                                                                    rng.randrange(2, 30)))
            i += 2
            continue
        form = rng.randrange(4)
        if kind == "email" and form == 0:
            out.write("%s----%s\n" % (shown, password(rng)))
        elif kind == "email" and form == 1:
            out.write("%s:%s\n" % (shown, password(rng)))
        elif form == 2:
            out.write("Fresh Apple ID for sale: %s pass %s, $%d.%02d each\n" % (shown, password(rng),
                                                                                 rng.randrange(1, 27),
                                                                                 rng.randrange(100)))
        else:
            out.write("%d|%s|%s|%s\n" % (uid, rng.choice(NAMES), shown, reg_time(rng)))
        i += 1
    print("identifiers=%d" % len(ids), file=sys.stderr)
    print("planted=%d" % planted_n, file=sys.stderr)
    print("matches=%d" % matches, file=sys.stderr)


if __name__ == "__main__":
    main()
