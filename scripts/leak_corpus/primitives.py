"""The generator's pools (valid and invalid mobiles, international numbers,
IPs made of mobiles) and primitives: names, e-mail addresses and phones in
their written forms, and the decoys (hashes, IMEIs, ID cards, orders,
cards, timestamps, prices, versions, QQ numbers, fake addresses).
"""

import string
import sys

from leak_corpus.vocab import (DOMAIN_LIST, DOMAIN_W, EN_FIRST, EN_LAST, FULL, HANZI_FAMILY, HANZI_GIVEN, IMAGE_NAMES,
                               INVISIBLE, PINYIN, RESERVED_DOMAINS, SIMPLE_DOMAINS, to_full)


class Primitives:
    """Mixed into gen_leak_corpus.Gen: needs self.r (random.Random) and self.o (Oracle)."""

    # ---- pools
    def _build_pools(self):
        r = self.r
        cands = []
        seen = set()
        while len(cands) < 40000:
            n = "1" + r.choice("3456789") + "".join(r.choice(string.digits) for _ in range(9))
            if n not in seen:
                seen.add(n)
                cands.append(n)
        res = self.o.check([("CN", c) for c in cands])
        self.cn_mobile = [c for c, v in zip(cands, res) if v and v[1] == "MOBILE" and v[0] == "+86" + c]
        self.cn_bad11 = [c for c, v in zip(cands, res) if v is None]
        extra = ["1" + r.choice("012") + "".join(r.choice(string.digits) for _ in range(9)) for _ in range(500)]
        res = self.o.check([("CN", c) for c in extra])
        self.cn_bad11 += [c for c, v in zip(extra, res) if v is None]
        prefixes = sorted({c[:3] for c in self.cn_mobile})
        sys.stderr.write("CN mobiles: %d valid, %d invalid 11-digit; 3-digit prefixes seen valid: %s\n"
                         % (len(self.cn_mobile), len(self.cn_bad11), " ".join(prefixes)))

        # one digit short / long (must be invalid for CN)
        sl = []
        for _ in range(4000):
            m = r.choice(self.cn_mobile)
            if r.random() < 0.5:
                i = r.randrange(3, 11)
                sl.append(m[:i] + m[i + 1:])
            else:
                i = r.randrange(3, 12)
                sl.append(m[:i] + r.choice(string.digits) + m[i:])
        res = self.o.check([("CN", c) for c in sl])
        self.cn_short_long = [c for c, v in zip(sl, res) if v is None]

        # international
        gens = {
            "US": lambda: "1" + r.choice(["212", "415", "646", "718", "408", "650", "917", "312", "206", "213", "305", "617", "702", "512"]) + r.choice("23456789") + "%02d" % r.randrange(100) + "%04d" % r.randrange(10000),
            "CA": lambda: "1" + r.choice(["416", "647", "604", "778", "514", "613", "403", "780"]) + r.choice("23456789") + "%02d" % r.randrange(100) + "%04d" % r.randrange(10000),
            "GB": lambda: "44" + (("7" + r.choice("123456789") + self.digits(8)) if r.random() < 0.8 else ("20" + r.choice("378") + self.digits(7))),
            "HK": lambda: "852" + r.choice("5679") + self.digits(7),
            "MO": lambda: "853" + "6" + r.choice("2345678") + self.digits(6),
            "TW": lambda: "886" + ("9" + self.digits(8) if r.random() < 0.8 else "2" + r.choice("23456789") + self.digits(7)),
            "JP": lambda: "81" + ((r.choice("789") + "0" + self.digits(8)) if r.random() < 0.75 else ("3" + r.choice("3456") + self.digits(7))),
            "SG": lambda: "65" + r.choice("89") + self.digits(7),
            "AU": lambda: "61" + ("4" + self.digits(8) if r.random() < 0.8 else r.choice("23") + r.choice("89") + self.digits(7)),
            "DE": lambda: "49" + r.choice(["151" + self.digits(8), "160" + self.digits(7), "170" + self.digits(7), "171" + self.digits(7), "176" + self.digits(8), "30" + self.digits(8), "89" + self.digits(7)]),
            "KR": lambda: "82" + "10" + r.choice("2345678") + self.digits(7),
            "FR": lambda: "33" + r.choice("67") + self.digits(8),
            "MY": lambda: "60" + "1" + r.choice("2346789") + self.digits(7),
            "RU": lambda: "7" + "9" + self.digits(9),
            "IN": lambda: "91" + r.choice("6789") + self.digits(9),
        }
        weights = {"US": 8, "CA": 2, "GB": 5, "HK": 6, "MO": 2, "TW": 5, "JP": 4, "SG": 3, "AU": 3, "DE": 3, "KR": 2, "FR": 2, "MY": 2, "RU": 1, "IN": 1}
        items = []
        for reg in sorted(gens):
            for _ in range(weights[reg] * 120):
                items.append((reg, "+" + gens[reg]()))
        res = self.o.check([("ZZ", t) for _, t in items])
        self.intl = []  # (region, e164, intl, national)
        for (reg, t), v in zip(items, res):
            if v and v[0] == t:
                self.intl.append((reg, v[0], v[2], v[3]))
        sys.stderr.write("international valid: %d of %d\n" % (len(self.intl), len(items)))
        # invalid '+' decoys: valid numbers with one digit dropped/added
        bad = []
        for _ in range(1500):
            e = r.choice(self.intl)[1] if r.random() < 0.6 else "+86" + r.choice(self.cn_mobile)
            i = r.randrange(4, len(e))
            bad.append(e[:i] + e[i + 1:] if r.random() < 0.5 else e[:i] + r.choice(string.digits) + e[i:])
        res = self.o.check([("ZZ", b) for b in bad])
        self.plus_invalid = [b for b, v in zip(bad, res) if v is None]

        # QQ numbers (5..10 digits), kept only if not a valid CN number
        qq = [str(r.randrange(10 ** (k - 1), 10 ** k)) for k in [r.choice([5, 6, 7, 8, 8, 9, 9, 9, 10, 10]) for _ in range(3000)]]
        res = self.o.check([("CN", q) for q in qq])
        self.qq_numbers = [q for q, v in zip(qq, res) if v is None]

        # IPv4 addresses whose digits make a valid Chinese mobile
        ips = []
        for m in self.cn_mobile[:6000]:
            for _ in range(6):
                cuts = sorted(r.sample(range(1, 11), 3))
                parts = [m[:cuts[0]], m[cuts[0]:cuts[1]], m[cuts[1]:cuts[2]], m[cuts[2]:]]
                if all(len(p) <= 3 and int(p) <= 255 and not (len(p) > 1 and p[0] == "0") for p in parts):
                    ips.append(".".join(parts))
                    break
        self.mobile_ips = ips

    def digits(self, k):
        return "".join(self.r.choice(string.digits) for _ in range(k))

    # ---- primitives
    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def name_cn(self):
        return self.pick(HANZI_FAMILY) + "".join(self.pick(HANZI_GIVEN) for _ in range(self.r.choice([1, 2, 2])))

    def name_en(self):
        return self.pick(EN_FIRST).capitalize() + " " + self.pick(EN_LAST).capitalize()

    def local_part(self, domain):
        r = self.r
        k = r.random()
        if domain in ("qq.com", "vip.qq.com") and k < 0.45:
            return self.pick(self.qq_numbers)
        if k < 0.55:
            a, b = self.pick(PINYIN), self.pick(PINYIN)
            s = r.choice([a + b, a + "." + b, a + "_" + b, b + a, a + b + self.pick(PINYIN)])
        elif k < 0.8:
            f, l = self.pick(EN_FIRST), self.pick(EN_LAST)
            s = r.choice([f + "." + l, f[0] + l, l + "_" + f[0], f + l, f + "-" + l, f + "." + l[0]])
        else:
            s = r.choice(["dark", "xiao", "lucky", "sky", "ice", "moon", "tiger", "apple", "cat", "king"]) + \
                r.choice(["star", "yu", "boy", "girl", "fish", "lover", "wind", "_fan", "fox", "ming"])
        if self.chance(0.45):
            s += r.choice([str(r.randrange(1970, 2010)), str(r.randrange(1, 100)), "520", "888", "666", str(r.randrange(100, 1000))])
        if self.chance(0.05):
            s += "+" + r.choice(["shop", "apple", "news", "bank", "2017", "spam", "taobao"])
        return s

    def email(self, domain=None, no_plus=False):
        d = domain or self.r.choices(DOMAIN_LIST, DOMAIN_W)[0]
        lo = self.local_part(d)
        if no_plus:
            lo = lo.split("+")[0]
        return lo, d

    def case(self, s):
        k = self.r.random()
        if k < 0.72:
            return s
        if k < 0.82:
            return s[:1].upper() + s[1:]
        if k < 0.9:
            return s.upper()
        return "".join(c.upper() if self.chance(0.3) else c for c in s)

    def email_surface(self, local, dom, style=None):
        """Returns the written form. style None: picked; plain forms mostly."""
        r = self.r
        L = self.case(local)
        D = dom if self.chance(0.8) else self.case(dom)
        if style is None:
            k = r.random()
            style = ("plain" if k < 0.80 else "at_br" if k < 0.85 else "at_par" if k < 0.88 else
                     "at_word" if k < 0.91 else "fw_at" if k < 0.95 else "fw_all")
        if style == "at_word" and dom not in SIMPLE_DOMAINS:
            style = "at_br"
        if style == "plain":
            return L + "@" + D
        if style == "at_br":
            if self.chance(0.5):
                return L + " [at] " + D.replace(".", " [dot] ")
            if self.chance(0.5):
                return L + "[at]" + D.replace(".", "[dot]")
            return L + " [at] " + D
        if style == "at_par":
            return L + "(at)" + D
        if style == "at_word":
            return L + " at " + D.replace(".", " dot ")
        if style == "fw_at":
            return L + "＠" + D
        if style == "fw_all":
            return to_full(L + "@" + D)
        if style == "entity":
            return L + "&#64;" + D
        if style == "pct":
            return L + "%40" + D
        raise ValueError(style)

    def norm_email(self, local, dom):
        return (local + "@" + dom).lower()

    def mobile(self):
        return self.pick(self.cn_mobile)

    def cn_surface(self, m, style=None, fullwidth=None):
        r = self.r
        a, b, c = m[:3], m[3:7], m[7:]
        if style is None:
            k = r.random()
            style = ("plain" if k < 0.55 else "space" if k < 0.62 else "dash" if k < 0.68 else "dot" if k < 0.71 else
                     "p86" if k < 0.79 else "p86sp" if k < 0.83 else "p86dash" if k < 0.86 else "0086" if k < 0.90 else
                     "paren86" if k < 0.94 else "invis" if k < 0.96 else "wsp" if k < 0.97 else "plain")
        if style == "plain":
            s = m
        elif style == "space":
            s = " ".join([a, b, c])
        elif style == "dash":
            s = "-".join([a, b, c])
        elif style == "dot":
            s = ".".join([a, b, c])
        elif style == "p86":
            s = r.choice(["+86 ", "+86", "+86 "]) + m
        elif style == "p86sp":
            s = "+86 " + " ".join([a, b, c])
        elif style == "p86dash":
            s = r.choice(["+86-" + "-".join([a, b, c]), "+86-" + m, "+86 " + "-".join([a, b, c])])
        elif style == "0086":
            s = r.choice(["0086 " + m, "0086" + m, "0086-" + "-".join([a, b, c]), "0086 " + " ".join([a, b, c])])
        elif style == "paren86":
            s = r.choice(["(+86)" + m, "(+86) " + m, "(+86) " + " ".join([a, b, c]), "(+86)" + "-".join([a, b, c]), "（+86）" + m])
        elif style == "invis":
            z = self.pick(INVISIBLE)
            s = r.choice([a + z + b + z + c, m[:7] + z + c, a + z + b + c])
        elif style == "wsp":
            z = r.choice(["\u00a0", "\u3000"])
            s = r.choice([z.join([a, b, c]), "+86" + z + m])
        elif style == "e164":
            s = "+86" + m
        else:
            raise ValueError(style)
        if fullwidth is None:
            fullwidth = self.chance(0.05)
        if fullwidth and style != "invis":
            s = "".join(FULL.get(ch, ch) if ch not in "()" else ch for ch in s)
        return s

    def intl_surface(self, rec):
        reg, e164, intl, national = rec
        r = self.r
        k = r.random()
        if k < 0.5:
            return intl
        if k < 0.7:
            return e164
        if k < 0.85:
            return intl.replace(" ", "-")
        if reg in ("US", "CA") and k < 0.95:
            return "+1 " + national
        if k < 0.97:
            return to_full(e164)
        return intl

    def any_phone(self, intl_p=0.15):
        """(surface, e164) for a random phone, Chinese mostly."""
        if self.chance(intl_p):
            rec = self.pick(self.intl)
            return self.intl_surface(rec), rec[1]
        m = self.mobile()
        return self.cn_surface(m), "+86" + m

    def password(self):
        r = self.r
        k = r.random()
        if k < 0.25:
            return r.choice(["123456", "123456789", "111111", "5201314", "woaini", "qwerty", "abc123", "iloveyou", "a123456", "123123", "888888"])
        if k < 0.4:
            return self.pick(PINYIN) + str(r.randrange(1, 10000))
        if k < 0.5:
            return r.choice(["Abc", "P", "Zhang", "Pass", "Qwe", "woaini", "Admin", "apple"]) + "@" + str(r.randrange(100, 1000000))
        if k < 0.6:
            return str(r.randrange(19600101, 20101231))
        return "".join(r.choice(string.ascii_letters + string.digits) for _ in range(r.randrange(6, 14)))

    def md5(self):
        return "%032x" % self.r.getrandbits(128)

    def sha1(self):
        return "%040x" % self.r.getrandbits(160)

    def btc(self):
        r = self.r
        b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        if self.chance(0.25):
            return "bc1q" + "".join(r.choice("023456789acdefghjklmnpqrstuvwxyz") for _ in range(38))
        return r.choice("13") + "".join(r.choice(b58) for _ in range(r.randrange(25, 34)))

    def imei(self):
        body = self.r.choice(["35", "86", "01", "99"]) + self.digits(12)
        s = 0
        for i, ch in enumerate(body):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            s += d
        return body + str((10 - s % 10) % 10)

    def idcard(self):
        r = self.r
        return (r.choice(["330102", "330106", "440305", "110105", "310115", "320106", "510107", "420111", "350203"]) +
                "%04d%02d%02d" % (r.randrange(1960, 2005), r.randrange(1, 13), r.randrange(1, 29)) + self.digits(3) +
                r.choice(string.digits + "X"))

    def order_no(self):
        """18-digit order number with a valid mobile inside it."""
        m = self.mobile()
        r = self.r
        k = r.random()
        if k < 0.4:
            return "2017%02d%01d" % (r.randrange(1, 13), r.randrange(1, 4)) + m
        if k < 0.7:
            return m + self.digits(7)
        return self.digits(3) + m + self.digits(4)

    def card(self):
        r = self.r
        pre = r.choice(["6222", "6228", "6217", "6225", "4392", "6214", "6259", "5187"])
        body = pre + self.digits(r.choice([12, 15]))
        groups = [body[i:i + 4] for i in range(0, len(body), 4)]
        return r.choice([" ", " ", "-"]).join(groups) if self.chance(0.8) else body

    def tracking(self):
        r = self.r
        return r.choice(["SF" + self.digits(13), "YT" + self.digits(13), "JD00" + self.digits(11), "EA" + self.digits(9) + "CN",
                         "1Z" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                         "75" + self.digits(12), "77" + self.digits(13), "LP" + self.digits(14)])

    def ts(self):
        r = self.r
        y, mo, d, h, mi, s = r.randrange(2015, 2020), r.randrange(1, 13), r.randrange(1, 29), r.randrange(24), r.randrange(60), r.randrange(60)
        k = r.random()
        if k < 0.4:
            return "%d-%02d-%02d %02d:%02d:%02d" % (y, mo, d, h, mi, s)
        if k < 0.6:
            return "%d-%02d-%02d %02d:%02d" % (y, mo, d, h, mi)
        if k < 0.75:
            return "%d/%02d/%02d %02d:%02d" % (y, mo, d, h, mi)
        if k < 0.85:
            return "%d%02d%02d%02d%02d%02d" % (y, mo, d, h, mi, s)
        return str(r.randrange(1420070400, 1577836800))

    def ip(self):
        r = self.r
        if self.chance(0.5) and self.mobile_ips:
            return self.pick(self.mobile_ips)
        return "%d.%d.%d.%d" % (r.choice([1, 14, 27, 36, 58, 59, 60, 61, 101, 106, 110, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 180, 182, 183, 202, 211, 218, 219, 220, 221, 222, 223]),
                                r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def price(self):
        r = self.r
        return r.choice(["¥%d.00" % r.randrange(1, 2000), "￥%d" % r.randrange(1, 20000), "$%d.%02d" % (r.randrange(1, 100), r.randrange(100)),
                         "%d元/条" % r.randrange(1, 30), "USD %d" % r.randrange(50, 5000), "¥138.00", "$13.99", "%.1f元" % (r.randrange(5, 300) / 10)])

    def version(self):
        r = self.r
        return r.choice(["%d.%d.%d" % (r.randrange(9, 16), r.randrange(0, 10), r.randrange(1000, 9999)),
                         "13.8.1234", "iOS %d.%d.%d" % (r.randrange(9, 17), r.randrange(0, 8), r.randrange(0, 5)),
                         "v%d.%d.%d" % (r.randrange(0, 5), r.randrange(0, 30), r.randrange(0, 200)),
                         "build %d%s%d" % (r.randrange(14, 21), r.choice("ABCDEFG"), r.randrange(1, 300))])

    def glued(self):
        m = self.mobile()
        r = self.r
        return r.choice(["ID" + m + "X", "user" + m, m + "abc", "a" + m, "uid_" + m + "x", "U" + m, m + "A1", "tb" + m,
                         "wx" + m, self.digits(2) + m, m + self.digits(2), "1" + m, m + "0"])

    def qq(self):
        return self.pick(self.qq_numbers)

    def fake_email(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return self.pick(IMAGE_NAMES)
        if k < 0.5:
            return r.choice(["user", "root", "admin", "postgres", "www-data", "test"]) + "@localhost"
        if k < 0.75:
            return self.local_part("example.com") + "@" + self.pick(RESERVED_DOMAINS)
        if k < 0.82:
            return r.choice(["root", "ubuntu", "deploy", "git"]) + "@" + r.choice(["10.0.0.%d" % r.randrange(2, 250), "192.168.1.%d" % r.randrange(2, 250), "web01", "db-master", "srv3"])
        if k < 0.88:
            return self.local_part("x.com") + "@" + r.choice(["gmail.con", "qq.cmo", "hotmail.con", "163.con"])
        if k < 0.94:
            return r.choice(["lodash@4.17.21", "react@18.2.0", "@types/node", "@media", "@import", "vue@2.6.14", "@zhangwei", "@" + self.pick(PINYIN) + "_" + self.pick(PINYIN)])
        return r.choice(["Abc@123456", "zhang@2017", "P@ssw0rd", "woaini@520"])

    def masked(self):
        m = self.mobile()
        return self.r.choice([m[:3] + "****" + m[7:], m[:3] + "xxxx" + m[7:], "+86" + m[:3] + "****" + m[7:], m[:3] + " **** " + m[7:]])

    def decoy(self):
        """Some non-identifier that looks like one."""
        r = self.r
        k = r.randrange(17)
        if k == 16:
            return self.masked()
        return [lambda: self.fake_email(), lambda: self.fake_email(), lambda: "订单号:" + self.order_no(),
                lambda: self.ts(), lambda: self.ip(), lambda: self.price(), lambda: self.version(),
                lambda: self.glued(), lambda: self.btc(), lambda: self.md5(), lambda: self.sha1(),
                lambda: "IMEI:" + self.imei(), lambda: self.card(), lambda: self.tracking(),
                lambda: "QQ:" + self.qq(), lambda: self.pick(self.cn_short_long if self.chance(0.7) else self.cn_bad11)][k]()
