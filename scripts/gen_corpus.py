#!/usr/bin/env python3
"""Writes a labelled corpus of leak-like text for extraction quality tests and
benchmarks: CSV/TSV/pipe dumps, forum posts, HTML fragments, Chinese and
English, with the lookalikes that fool extractors (image names, order numbers,
timestamps, prices, versions, IPv4 addresses, BTC addresses, hashes, IMEIs,
tracking numbers, numbers a digit short or long).

  gen_corpus.py --out DIR [--lines N | --megabytes M] [--seed S]

Writes DIR/corpus.txt and DIR/labels.tsv. labels.tsv has one row per true
identifier: <line number, 0-based> TAB <kind: email|phone> TAB <normalized
value: lowercase email or E.164 phone>. Lines are records; a line with no row
in labels.tsv holds no identifier. Same seed, same bytes.

Python 3 standard library only. Truth is written from what the generator
meant, never by running the extractor.
"""

import argparse
import os
import random
import sys

SURNAMES = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
            "xu", "sun", "ma", "zhu", "hu", "guo", "he", "lin", "gao", "luo"]
GIVEN = ["wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong",
         "yan", "jie", "tao", "ming", "chao", "xiuying", "xia", "ping", "gang", "hui"]
HAN_SURNAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
HAN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英霞平刚桂英华"
EN_FIRST = ["James", "Mary", "John", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Olivia"]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall", "Lee"]
DOMAINS = ["qq.com", "163.com", "126.com", "icloud.com", "me.com", "gmail.com", "outlook.com",
           "hotmail.com", "sina.com", "foxmail.com", "yahoo.com.cn", "sohu.com", "139.com",
           "aliyun.com", "mac.com", "live.cn"]
# Chinese mobile prefixes long in service (2015-2020 numbering plans).
CN_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
               "152", "153", "155", "156", "157", "158", "159", "176", "177", "180", "181",
               "182", "183", "184", "185", "186", "187", "188", "189", "199"]
US_AREAS = ["212", "310", "415", "646", "650", "718", "917", "202", "617", "312"]
MARKETS = ["DreamMarket", "暗网中文网", "Hydra", "Empire", "WallStreet", "Tochka"]
PLATFORMS = ["苹果ID", "Apple ID", "iCloud账号", "AppleID"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # ---- true identifiers -------------------------------------------------
    def pinyin(self):
        r = self.r
        return r.choice(SURNAMES), r.choice(GIVEN)

    def han_name(self):
        r = self.r
        return r.choice(HAN_SURNAMES) + "".join(r.choice(HAN_GIVEN) for _ in range(r.choice([1, 1, 2])))

    def en_name(self):
        return self.r.choice(EN_FIRST) + " " + self.r.choice(EN_LAST)

    def email(self):
        """(as written, normalized)."""
        r = self.r
        s, g = self.pinyin()
        style = r.randrange(8)
        if style == 0:
            local = str(r.randrange(10000, 3999999999))  # QQ number
            domain = "qq.com"
        elif style == 1:
            local = s + "." + g
        elif style == 2:
            local = g + s + str(r.randrange(1, 9999))
        elif style == 3:
            local = s[0] + g + "_" + str(r.randrange(1970, 2005))
        elif style == 4:
            local = s + g
        elif style == 5:
            local = g + "-" + s
        elif style == 6:
            local = s + str(r.randrange(100, 999))
        else:
            local = s + "." + g + "+" + r.choice(["shop", "apple", "x"])
        if style != 0:
            domain = r.choice(DOMAINS)
        norm = (local + "@" + domain).lower()
        written = local + "@" + domain
        case = r.randrange(6)
        if case == 0:
            written = written.upper()
        elif case == 1:
            written = written[0].upper() + written[1:]
        elif case == 2:
            l, d = written.split("@")
            written = l.capitalize() + "@" + d.capitalize()
        return written, norm

    def obfuscate(self, written):
        r = self.r
        l, d = written.split("@")
        style = r.randrange(9)
        if style == 0:
            return l + " [at] " + d.replace(".", " [dot] ")
        if style == 1:
            return l + "(at)" + d
        if style == 2:
            return l + " at " + d.replace(".", " dot ")
        if style == 3:
            return l + "&#64;" + d
        if style == 4:
            return l + "%40" + d
        if style == 5:
            return fullwidth(written)
        if style == 6:
            return l + "＠" + d
        if style == 7:
            return l + "[AT]" + d.replace(".", "[DOT]")
        return l + " (at) " + d.replace(".", " (dot) ")

    def cn_mobile(self):
        r = self.r
        national = r.choice(CN_PREFIXES) + "".join(str(r.randrange(10)) for _ in range(8))
        return national, "+86" + national

    def write_cn(self, national):
        r = self.r
        a, b, c = national[:3], national[3:7], national[7:]
        style = r.randrange(18)
        forms = [
            national, national, national, national,
            f"{a} {b} {c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}",
            f"+86 {a} {b} {c}", f"+86{national}", f"0086{national}", f"0086-{a}-{b}-{c}",
            f"(+86){national}", f"(+86) {a}-{b}-{c}", f"+86-{a}-{b}-{c}", f"86{national}",
            fullwidth(national), a + "\u200b" + b + "\u200b" + c, f"+86 {national}",
        ]
        return forms[style]

    def cn_landline(self):
        """(as written, E.164): big-city landlines with their area code."""
        r = self.r
        area, first = r.choice([("10", "5678"), ("21", "5678"), ("20", "38"), ("571", "8"), ("755", "2")])
        local = r.choice(first) + "".join(str(r.randrange(10)) for _ in range(7))
        e164 = "+86" + area + local
        written = r.choice([f"0{area}-{local}", f"0{area}-{local[:4]} {local[4:]}", f"(0{area}) {local[:4]} {local[4:]}",
                            f"0{area} {local}", f"0{area}{local}", f"+86 {area} {local[:4]} {local[4:]}",
                            f"+86-{area}-{local}"])
        return written, e164

    def intl(self):
        """(as written, E.164) for US, UK, HK numbers with a + country code."""
        r = self.r
        k = r.randrange(3)
        if k == 0:
            area = r.choice(US_AREAS)
            ex = str(r.randrange(2, 10)) + str(r.randrange(10)) + str(r.randrange(1, 10))
            if ex[1:] == "11":
                ex = ex[0] + "21"
            line = "".join(str(r.randrange(10)) for _ in range(4))
            written = r.choice([f"+1 ({area}) {ex}-{line}", f"+1 {area} {ex} {line}",
                                f"+1-{area}-{ex}-{line}", f"+1{area}{ex}{line}"])
            return written, f"+1{area}{ex}{line}"
        if k == 1:
            n = "7" + r.choice("123") + "".join(str(r.randrange(10)) for _ in range(8))
            written = r.choice([f"+44 {n[:4]} {n[4:]}", f"+44{n}", f"0044 {n[:4]} {n[4:]}"])
            return written, "+44" + n
        n = r.choice(["61", "63", "64", "65", "69", "92", "94", "96", "97"]) + \
            "".join(str(r.randrange(10)) for _ in range(6))
        written = r.choice([f"+852 {n[:4]} {n[4:]}", f"+852{n}", f"(+852) {n}"])
        return written, "+852" + n

    # ---- lookalikes (never identifiers) -----------------------------------
    def lookalike(self):
        r = self.r
        k = r.randrange(26)
        if k == 22:  # bank card in groups of four
            return " ".join("".join(str(r.randrange(10)) for _ in range(4)) for _ in range(4)) + \
                r.choice(["", " " + str(r.randrange(100, 999))])
        if k == 23:  # resident ID number
            return f"33{r.randrange(1000, 9999)}19{r.randrange(60, 99)}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}" + \
                f"{r.randrange(100, 999)}{r.choice('0123456789X')}"
        if k == 24:
            return r.choice([f"2017.0{r.randrange(1, 10)}.{r.randrange(10, 29)}", f"2017/0{r.randrange(1, 10)}/{r.randrange(10, 29)}",
                             f"{r.randrange(8, 11)}:00-{r.randrange(18, 23)}:00"])
        if k == 25:
            return f"{r.randrange(1, 99)},{r.randrange(100, 999)},{r.randrange(100, 999)}"
        if k == 0:
            return r.choice(["logo@2x.png", "icon@2x.png", "banner@3x.jpg", "sprite@2x.webp", "avatar@2x.gif",
                             "bg@1.5x.svg"])
        if k == 1:
            return r.choice(["root@localhost", "admin@localhost", "user@example.com", "test@example.org",
                             "noreply@mail.example.net", "foo@bar.test", "x@y.invalid"])
        if k == 2:  # order number with a date and a mobile-like tail
            return "2017" + "".join(str(r.randrange(10)) for _ in range(14))
        if k == 3:
            return str(r.randrange(1483228800, 1514764800))  # 2017 unix time
        if k == 4:
            return f"20170{r.randrange(1, 10)}{r.randrange(10, 29)}{r.randrange(100000, 999999)}"
        if k == 5:
            return r.choice(["¥", "$", "USD ", "价格"]) + f"{r.randrange(1, 27)}.{r.randrange(0, 100):02d}"
        if k == 6:
            return f"{r.randrange(10, 16)}.{r.randrange(0, 10)}.{r.randrange(1000, 9999)}"
        if k == 7:
            return ".".join(str(r.randrange(1, 255)) for _ in range(4))
        if k == 8:
            alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
            return r.choice("13") + "".join(r.choice(alphabet) for _ in range(r.randrange(25, 34)))
        if k == 9:
            return "".join(r.choice("0123456789abcdef") for _ in range(r.choice([32, 40, 64])))
        if k == 10:
            return "86" + "".join(str(r.randrange(10)) for _ in range(13))  # IMEI, 15 digits
        if k == 11:
            return r.choice(["SF", "YT", "JD", "ZTO"]) + "".join(str(r.randrange(10)) for _ in range(13))
        if k == 12:
            n, _ = self.cn_mobile()
            return n[:-1]  # one digit short
        if k == 13:
            n, _ = self.cn_mobile()
            return n + str(r.randrange(10))  # one digit long
        if k == 14:
            return "12" + "".join(str(r.randrange(10)) for _ in range(9))  # 12x: no such mobile
        if k == 15:
            n, _ = self.cn_mobile()
            return "ID" + n  # glued in a word
        if k == 16:
            n, _ = self.cn_mobile()
            return "订单" + str(r.randrange(1000, 9999)) + n  # glued in a longer digit run
        if k == 17:
            return f"2017-0{r.randrange(1, 10)}-{r.randrange(10, 29)} {r.randrange(10, 24)}:{r.randrange(10, 60)}:{r.randrange(10, 60)}"
        if k == 18:
            return "QQ:" + str(r.randrange(10000, 999999999))
        if k == 19:
            return f"v{r.randrange(1, 20)}.{r.randrange(0, 20)}.{r.randrange(0, 200)}"
        if k == 20:
            return "0x" + "".join(r.choice("0123456789abcdef") for _ in range(40))
        return f"{r.randrange(100, 999)}-{r.randrange(100, 999)}"

    # ---- lines ------------------------------------------------------------
    def ident(self, ids, allow_obfuscation=True):
        """An identifier in some written form, recording its truth in ids."""
        r = self.r
        k = r.randrange(10)
        if k < 4:
            w, n = self.email()
            if allow_obfuscation and r.random() < 0.15:
                w = self.obfuscate(w)
            ids.append(("email", n))
            return w
        if k < 9:
            national, e164 = self.cn_mobile()
            ids.append(("phone", e164))
            return self.write_cn(national)
        w, e = self.intl() if r.random() < 0.6 else self.cn_landline()
        ids.append(("phone", e))
        return w

    def csv_header(self, delim):
        cols = self.r.choice([["id", "name", "apple_id", "phone", "pwd", "price"],
                              ["序号", "姓名", "苹果ID", "手机", "密码", "地址"],
                              ["uid", "Name", "email", "mobile", "created"]])
        return delim.join(cols)

    def csv_row(self, delim, ids):
        r = self.r
        name = r.choice([self.han_name(), self.en_name(), " ".join(self.pinyin()).title()])
        email_w, email_n = self.email()
        ids.append(("email", email_n))
        cells = [str(r.randrange(1, 99999)), name, email_w]
        if r.random() < 0.8:
            national, e164 = self.cn_mobile()
            ids.append(("phone", e164))
            cells.append(r.choice([national, national, f"{national[:3]}-{national[3:7]}-{national[7:]}",
                                   "+86" + national, "86" + national]))
        else:
            cells.append("")
        cells.append(r.choice(["".join(r.choice("0123456789abcdef") for _ in range(32)),
                               "pass" + str(r.randrange(1000)), "******"]))
        cells.append(r.choice([f"{r.randrange(1, 27)}.{r.randrange(0, 100):02d}", "2017-06-08",
                               str(r.randrange(1483228800, 1514764800)), "浙江省杭州市", "N/A"]))
        if delim == "," and r.random() < 0.2:
            cells[1] = '"' + cells[1] + '"'
        return delim.join(cells)

    def forum_post(self, ids):
        r = self.r
        a = self.ident(ids)
        b = self.ident(ids) if r.random() < 0.5 else None
        junk = self.lookalike()
        price = f"${r.randrange(1, 27)}.{r.randrange(0, 100):02d}"
        templates = [
            f"出售{r.choice(PLATFORMS)} {self.han_name()} 手机{a} 价格{price} 联系QQ{r.randrange(10000, 99999999)}",
            f"[{r.choice(MARKETS)}] Fresh {r.choice(PLATFORMS)} dump, sample: {a} -- {price}/record, ref {junk}",
            f"姓名：{self.han_name()}，电话：{a}，备注：{junk}",
            f"Name: {self.en_name()} Phone: {a} Order: {junk}",
            f"Apple ID: {a} pwd: {'*' * r.randrange(6, 12)} seen {junk}",
            f"{r.choice(PLATFORMS)}----{a}----{junk}",
            f"dump line {r.randrange(1, 100000)}: {a} | {junk} | {price}",
            f"联系人{self.han_name()}{a}，订单号{junk}",
        ]
        line = r.choice(templates)
        if b is not None:
            line += r.choice([f" 备用:{b}", f" alt {b}", f", {b}", f" / {b}"])
        return line

    def html(self, ids):
        r = self.r
        k = r.randrange(5)
        if k == 0:
            w, n = self.email()
            ids.append(("email", n))
            national, e164 = self.cn_mobile()
            ids.append(("phone", e164))
            return f"<tr><td>{self.han_name()}</td><td>{self.write_cn(national)}</td><td>{w}</td><td>{self.lookalike()}</td></tr>"
        if k == 1:
            w, n = self.email()
            ids.append(("email", n))
            return f'<li><a href="mailto:{w}">{w.split("@")[0]}</a> <img src="/static/{self.r.choice(["logo@2x.png", "icon@2x.png"])}"></li>'
        if k == 2:
            national, e164 = self.cn_mobile()
            ids.append(("phone", e164))
            return f'<a href="tel:{self.write_cn(national)}">call</a><span class="ver">{self.lookalike()}</span>'
        if k == 3:
            return f'<div class="price">{self.lookalike()}</div><div class="ts">{self.lookalike()}</div>'
        return f"<pre>{self.ident(ids)}\t{self.lookalike()}</pre>"

    def noise(self):
        r = self.r
        k = r.randrange(6)
        if k == 0:
            return f"{self.lookalike()} GET /item/{r.randrange(100000)} HTTP/1.1 200 {r.randrange(100, 99999)} from {'.'.join(str(r.randrange(1, 255)) for _ in range(4))}"
        if k == 1:
            return f"BTC {self.lookalike()} sha {self.lookalike()} at block {r.randrange(400000, 500000)}"
        if k == 2:
            return r.choice(["Look at this offer, best price on the market.",
                             "Meet me at the usual place at 10.",
                             "本店信誉第一，货源稳定，量大从优。",
                             "We ship worldwide. Escrow only. PGP key below.",
                             "更新时间 2017-06-08，共计 12000 条数据。"])
        if k == 3:
            return f"{self.lookalike()} {self.lookalike()} {self.lookalike()}"
        if k == 4:
            return f"iOS {r.randrange(9, 14)}.{r.randrange(0, 4)}.{r.randrange(0, 3)} build {r.randrange(10000, 99999)}, IMEI {self.lookalike()}"
        return ""

    def line(self, state, ids):
        r = self.r
        if state["rows_left"] > 0:
            state["rows_left"] -= 1
            return self.csv_row(state["delim"], ids)
        k = r.randrange(10)
        if k == 0:
            state["delim"] = r.choice([",", "\t", "|", ";"])
            state["rows_left"] = r.randrange(5, 60)
            return self.csv_header(state["delim"])
        if k < 5:
            return self.forum_post(ids)
        if k < 7:
            return self.html(ids)
        return self.noise()


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--megabytes", type=float, default=0, help="write at least this much instead of --lines")
    ap.add_argument("--seed", type=int, default=20170608)
    ap.add_argument("--no-labels", action="store_true", help="corpus only (benchmarks)")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    g = Gen(args.seed)
    state = {"rows_left": 0, "delim": ","}
    target = int(args.megabytes * 1024 * 1024)
    written = 0
    n = 0
    with open(os.path.join(args.out, "corpus.txt"), "w", encoding="utf-8", newline="\n") as corpus, \
            open(os.path.join(args.out, "labels.tsv") if not args.no_labels else os.devnull, "w",
                 encoding="utf-8") as labels:
        while (written < target) if target else (n < args.lines):
            ids = []
            text = g.line(state, ids)
            corpus.write(text + "\n")
            written += len(text.encode("utf-8")) + 1
            for kind, value in ids:
                labels.write(f"{n}\t{kind}\t{value}\n")
            n += 1
    print(f"gen_corpus: {n} lines, {written} bytes in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
