#!/usr/bin/env python3
"""Picks demo customers to plant in the fixture market's listings.

  scripts/demo_exposures.py PLAIN_CSV N > exposures.json

PLAIN_CSV is gen_customers.py --plain-out (customer_id,kind,value). Every
7th customer, up to N, is planted: in shop listings, forum threads and
pastes in turn, written the ways leak ads write them (with separators, upper
case, obfuscated "at"), so the demo exercises extraction as well as matching.
"""
import csv
import json
import sys


def shown_phone(e164, k):
    if e164.startswith("+86") and k % 3 == 1:
        n = e164[3:]
        return "%s %s %s" % (n[:3], n[3:7], n[7:])
    if e164.startswith("+86") and k % 3 == 2:
        return "0086-" + e164[3:]
    return e164


def shown_email(email, k):
    if k % 4 == 1:
        return email.upper()
    if k % 4 == 2:
        local, domain = email.split("@")
        return "%s [at] %s" % (local, domain.replace(".", " [dot] "))
    return email


def main():
    people = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for cid, kind, value in csv.reader(f):
            people.setdefault(cid, {})[kind] = value
    limit = int(sys.argv[2])
    markets = [("shop", 20), ("forum", 3), ("paste", 3)]  # within what --pages 40 serves
    planted = []
    for k, cid in enumerate(sorted(people)[::7][:limit]):
        market, count = markets[k % 3]
        person = people[cid]
        entry = {"market": market, "listing": (k // 3) % count + 1, "name": person["name"],
                 "phone": shown_phone(person["phone"], k)}
        if "email" in person:
            entry["email"] = shown_email(person["email"], k)
        planted.append(entry)
    json.dump(planted, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
