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
import string
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- oracle


def build_helper(path=None):
    """The phone_valid oracle CMake builds (scripts/bench/CMakeLists.txt)."""
    path = path or os.path.join(HERE, "..", "build", "scripts", "bench", "phone_valid")
    if not os.access(path, os.X_OK):
        sys.exit("gen_leak_corpus.py: no phone_valid at %s; build it with "
                 "`cmake --build build --target phone_valid` or pass --helper PATH" % path)
    return path


class Oracle:
    def __init__(self, exe):
        self.exe = exe

    def check(self, items):
        """items: list of (region, text). Returns list of None or (e164, type, intl, national)."""
        if not items:
            return []
        data = "".join("%s\t%s\n" % (r, t) for r, t in items)
        out = subprocess.run([self.exe], input=data, capture_output=True, text=True, check=True).stdout
        res = []
        for line in out.split("\n")[: len(items)]:
            f = line.split("\t")
            res.append(tuple(f[1:5]) if f[0] == "valid" else None)
        assert len(res) == len(items)
        return res


# ---------------------------------------------------------------- vocab

PINYIN = ("zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng "
          "liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye "
          "cheng wei su lu ding ren shen yao jin wen xin hao jie ming hua jun ping yan fang lei tao "
          "qiang bin hui ling xiu ying mei na jing fei kai xiang long hong yun chao bo lan qing").split()
EN_FIRST = ("james john robert michael william david richard joseph thomas daniel mary patricia jennifer "
            "linda elizabeth susan jessica sarah karen emily kevin brian jason ryan eric amy anna chris "
            "alex kate tom ben lucy grace henry jack oliver sophie").split()
EN_LAST = ("smith johnson williams brown jones miller davis garcia wilson anderson taylor thomas moore "
           "martin lee white harris clark lewis walker young allen king wright scott green baker adams "
           "nelson hill campbell chan wong ng cheung lam tan lim").split()
HANZI_FAMILY = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚"
HANZI_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲燕凤梅琳晨宇浩然子轩欣怡思雨佳琪"
PROVINCES = ["浙江省杭州市西湖区", "浙江省宁波市鄞州区", "广东省深圳市南山区", "广东省广州市天河区", "北京市朝阳区",
             "上海市浦东新区", "江苏省南京市鼓楼区", "四川省成都市武侯区", "湖北省武汉市洪山区", "福建省厦门市思明区",
             "山东省青岛市市南区", "河南省郑州市金水区", "浙江省温州市鹿城区", "重庆市渝中区", "天津市和平区"]
STREETS = ["文三路", "中山路", "人民路", "解放路", "建设路", "科技园南路", "长江路", "滨江大道", "学院路", "天目山路"]
EN_CITIES = ["London", "New York", "Hong Kong", "Taipei", "Tokyo", "Singapore", "Sydney", "Berlin", "Toronto", "Kuala Lumpur"]

# (domain, weight)
DOMAINS = [("icloud.com", 14), ("me.com", 5), ("mac.com", 2), ("qq.com", 16), ("vip.qq.com", 2), ("foxmail.com", 3),
           ("163.com", 10), ("126.com", 5), ("yeah.net", 1), ("vip.163.com", 1), ("sina.com", 3), ("sina.cn", 1),
           ("sina.com.cn", 1), ("sohu.com", 2), ("139.com", 2), ("189.cn", 1), ("aliyun.com", 1), ("21cn.com", 1),
           ("tom.com", 1), ("gmail.com", 10), ("outlook.com", 5), ("hotmail.com", 4), ("live.cn", 1), ("live.com", 1),
           ("yahoo.com", 3), ("yahoo.com.hk", 1), ("yahoo.com.tw", 1), ("yahoo.co.jp", 1), ("hinet.net", 1),
           ("netvigator.com", 1), ("singnet.com.sg", 1), ("bigpond.com", 1), ("gmx.de", 1), ("web.de", 1),
           ("btinternet.com", 1), ("yandex.ru", 1), ("mail.ru", 1), ("naver.com", 1), ("proton.me", 1),
           ("protonmail.com", 2), ("cock.li", 1), ("tutanota.com", 1), ("zju.edu.cn", 1), ("mail.ustc.edu.cn", 1),
           ("pku.edu.cn", 1), ("stu.xmu.edu.cn", 1), ("huawei.com", 1), ("foxconn.com", 1), ("alumni.hku.hk", 1),
           ("ntu.edu.tw", 1), ("shop-mall.top", 1), ("fastmail.fm", 1), ("mail.co.uk", 1), ("ox.ac.uk", 1)]
DOMAIN_LIST = [d for d, _ in DOMAINS]
DOMAIN_W = [w for _, w in DOMAINS]
SIMPLE_DOMAINS = [d for d in DOMAIN_LIST if d.count(".") == 1]

RESERVED_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org",
                    "foo.test", "shop.test", "bar.invalid", "nowhere.invalid", "host.localhost", "site.example"]
IMAGE_NAMES = ["logo@2x.png", "icon@3x.jpg", "banner@2x.webp", "avatar_small@2x.gif", "btn_close@2x.png",
               "bg_header@3x.png", "arrow-left@2x.svg", "splash@2x.jpeg", "tabbar_home@3x.png", "icon@1.5x.png"]

FULL = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "@.+-_()"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
ASCII_ALNUM = set(string.ascii_letters + string.digits)


def to_full(s, keep=""):
    return "".join(FULL.get(c, c) if c not in keep else c for c in s)


def nk(ch):
    return unicodedata.normalize("NFKC", ch) if ch else ""


def is_cjk(ch):
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


# ---------------------------------------------------------------- line builder


class Line:
    """A line assembled from pieces; labelled pieces remember their span."""

    def __init__(self):
        self.parts = []
        self.pos = 0
        self.spans = []  # (start, end, kind, value)
        self.crlf = False
        self.gbk = False

    def add(self, text, kind=None, value=None):
        assert "\n" not in text and "\r" not in text, repr(text)
        if kind:
            self.spans.append((self.pos, self.pos + len(text), kind, value))
        self.parts.append(text)
        self.pos += len(text)
        return self

    def text(self):
        return "".join(self.parts)

    def labels(self):
        return sorted({(k, v) for _, _, k, v in self.spans})

    def ok(self):
        t = self.text()
        for s, e, kind, _ in self.spans:
            prev = nk(t[s - 1]) if s > 0 else ""
            prev2 = nk(t[s - 2]) if s > 1 else ""
            nxt = nk(t[e]) if e < len(t) else ""
            nxt2 = nk(t[e + 1]) if e + 1 < len(t) else ""
            p = prev[-1:] if prev else ""
            n = nxt[:1] if nxt else ""
            if kind == "phone":
                seps = " -.\u200b\u200c\u200d\u2060\ufeff"
                if p and (p in ASCII_ALNUM or p in "+_" or (unicodedata.category(p).startswith("L") and not is_cjk(p))):
                    return False
                if n and (n in ASCII_ALNUM or n in "_" or (unicodedata.category(n).startswith("L") and not is_cjk(n))):
                    return False
                if p and p in seps and prev2[-1:].isdigit():
                    return False
                if n and n in seps and nxt2[:1].isdigit():
                    return False
            else:
                if p and (p in ASCII_ALNUM or p in "._%+-@'" or (unicodedata.category(p).startswith("L") and not is_cjk(p))):
                    return False
                if n and (n in ASCII_ALNUM or n in "_-@%+" or unicodedata.category(n).startswith("L")):
                    return False
                if n == "." and nxt2[:1] and (nxt2[:1] in ASCII_ALNUM):
                    return False
        if self.gbk:
            try:
                b = t.encode("gbk")
            except UnicodeEncodeError:
                return False
            if b.count(b"@") != t.count("@"):
                return False
        return True


# ---------------------------------------------------------------- generator


class Gen:
    def __init__(self, rng, oracle):
        self.r = rng
        self.o = oracle
        self._build_pools()

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

    # ---------------------------------------------------------------- sections

    def person(self, with_intl=0.08):
        r = self.r
        p = {}
        cn = self.chance(0.8)
        p["name"] = self.name_cn() if cn else self.name_en()
        if self.chance(0.85):
            if self.chance(with_intl):
                rec = self.pick(self.intl)
                p["phone"] = (self.intl_surface(rec), rec[1])
            else:
                m = self.mobile()
                p["phone"] = (self.cn_surface(m), "+86" + m)
        elif self.chance(0.4):
            p["phone"] = (self.pick(self.cn_bad11 + self.cn_short_long), None)  # a junk value in the phone column
        if self.chance(0.8):
            lo, d = self.email()
            p["email"] = (self.email_surface(lo, d), self.norm_email(lo, d))
        elif self.chance(0.3):
            p["email"] = (self.fake_email(), None)
        p["qq"] = self.qq()
        p["idcard"] = self.idcard()
        p["addr"] = self.pick(PROVINCES) + self.pick(STREETS) + "%d号" % r.randrange(1, 999) if cn else "%d %s Road, %s" % (r.randrange(1, 300), self.pick(EN_LAST).capitalize(), self.pick(EN_CITIES))
        p["pwd"] = self.password()
        p["md5"] = self.md5()
        p["ts"] = self.ts()
        p["ip"] = self.ip()
        p["order"] = self.order_no()
        p["imei"] = self.imei()
        p["price"] = self.price()
        p["card"] = self.card()
        return p

    def sec_dump(self, gbk=False):
        r = self.r
        cols_all = ["id", "name", "phone", "email", "qq", "idcard", "addr", "pwd", "md5", "ts", "ip", "order", "imei", "card"]
        hdr_cn = {"id": "序号", "name": "姓名", "phone": r.choice(["手机", "手机号", "电话", "联系电话", "AppleID"]),
                  "email": r.choice(["邮箱", "电子邮箱", "Email", "苹果ID"]), "qq": "QQ", "idcard": "身份证", "addr": "地址",
                  "pwd": "密码", "md5": "密码MD5", "ts": "注册时间", "ip": "注册IP", "order": "订单号", "imei": "IMEI",
                  "card": "银行卡"}
        hdr_en = {"id": "id", "name": r.choice(["name", "full_name", "Name"]), "phone": r.choice(["mobile", "phone", "tel", "Phone"]),
                  "email": r.choice(["email", "apple_id", "Email", "login"]), "qq": "qq", "idcard": "id_no", "addr": "address",
                  "pwd": "password", "md5": "pass_md5", "ts": "created_at", "ip": "last_ip", "order": "order_no", "imei": "imei",
                  "card": "card_no"}
        cols = ["id", "name"] + r.sample(cols_all[2:], r.randrange(3, 8))
        if "phone" not in cols and "email" not in cols:
            cols.append(r.choice(["phone", "email"]))
        if self.chance(0.3):
            cols = [cols[0]] + r.sample(cols[1:], len(cols) - 1)
        sep = "," if gbk else r.choice([",", ",", ",", "\t", "|", ";", "----", " | "])
        quote = sep == "," and self.chance(0.25)
        hdr = hdr_cn if (gbk or self.chance(0.6)) else hdr_en
        lines = []
        crlf = self.chance(0.12)
        if self.chance(0.8):
            ln = Line()
            ln.add(sep.join(('"%s"' % hdr[c]) if quote else hdr[c] for c in cols))
            lines.append(ln)
        start = r.randrange(1, 100000)
        for i in range(r.randrange(4, 40)):
            for _try in range(30):
                p = self.person()
                if gbk:  # ASCII identifiers only
                    if "phone" in p and p["phone"][1] and not p["phone"][0].isascii():
                        continue
                    if "email" in p and p["email"][1] and not p["email"][0].isascii():
                        continue
                ln = Line()
                ln.gbk = gbk
                for j, c in enumerate(cols):
                    if j:
                        ln.add(sep)
                    if quote:
                        ln.add('"')
                    if c == "id":
                        ln.add(str(start + i))
                    elif c in ("phone", "email"):
                        v = p.get(c)
                        if v:
                            ln.add(v[0], c if v[1] else None, v[1])
                    else:
                        ln.add(str(p[c]))
                    if quote:
                        ln.add('"')
                if ln.ok():
                    break
            else:
                continue
            ln.crlf = crlf
            lines.append(ln)
        return lines

    def sec_combo(self):
        r = self.r
        lines = []
        sep = r.choice([":", ":", "|", "----", ";", "\t", " : "])
        kind = r.choice(["email", "email", "phone", "mix"])
        if self.chance(0.5):
            lines.append(Line().add(r.choice(["# combo %d lines, fresh, no dupes" % r.randrange(1000, 90000), "==== Apple ID 账号密码 ====",
                                              "-- hits from %s --" % r.choice(["icloud", "qq", "163", "mix"]), "[+] checked %s valid" % self.ts()])))
        for _ in range(r.randrange(8, 60)):
            for _try in range(20):
                ln = Line()
                k = kind if kind != "mix" else r.choice(["email", "phone"])
                if k == "email":
                    lo, d = self.email()
                    ln.add(self.email_surface(lo, d, "plain" if self.chance(0.9) else None), "email", self.norm_email(lo, d))
                else:
                    m = self.mobile()
                    ln.add(self.cn_surface(m, "plain" if self.chance(0.8) else "p86"), "phone", "+86" + m)
                ln.add(sep + self.password())
                if self.chance(0.15):
                    extra = r.choice(["name", "phone", "decoy", "date"])
                    if extra == "name":
                        ln.add(sep + self.name_cn())
                    elif extra == "phone" and k == "email":
                        s, e = self.any_phone()
                        ln.add(sep).add(s, "phone", e)
                    elif extra == "date":
                        ln.add(sep + self.ts())
                    else:
                        ln.add(sep + self.decoy())
                if ln.ok():
                    lines.append(ln)
                    break
        return lines

    def forum_cn(self):
        r = self.r
        out = []
        t = r.choice(["【出售】", "[供应]", "【长期收】", "[一手]", "【最新】"]) + r.choice([
            "苹果ID实名数据，手机号+邮箱+姓名", "2017年最新苹果用户资料", "iCloud账号密码数据一手货源", "淘宝快递单号+手机号数据",
            "银行卡四件套", "学生家长数据精准到区"]) + "，" + self.price()
        out.append(Line().add(t))
        for _ in range(r.randrange(1, 5)):
            for _try in range(20):
                ln = Line()
                k = r.randrange(9)
                if k == 0:
                    s, e = self.any_phone(0.05)
                    ln.add(r.choice(["联系电话", "手机", "电话：", "联系方式:", "TEL：", "咨询", "微信同号"])).add(s, "phone", e)
                    ln.add(r.choice(["，", "。", " ", "，非诚勿扰", "（微信同号）", ""]))
                    if self.chance(0.5):
                        ln.add("QQ" + r.choice([":", "：", " ", ""]) + self.qq())
                elif k == 1:
                    lo, d = self.email()
                    ln.add(r.choice(["样例：", "邮箱", "邮箱：", "Apple ID：", "苹果ID", "账号"])).add(self.email_surface(lo, d), "email", self.norm_email(lo, d))
                    ln.add(r.choice(["，", "。", " 密码：" + self.password(), "；", " "]))
                elif k == 2:
                    m = self.mobile()
                    ln.add(r.choice(["Apple ID: ", "Apple ID：", "AppleID:", "苹果ID：", "ID："])).add(self.cn_surface(m, r.choice(["e164", "p86", "plain", "p86sp"])), "phone", "+86" + m)
                    ln.add(" 密码：" + self.password())
                elif k == 3:
                    ln.add("样例 " + self.name_cn() + " ")
                    s, e = self.any_phone(0.03)
                    ln.add(s, "phone", e).add(" ")
                    lo, d = self.email()
                    ln.add(self.email_surface(lo, d), "email", self.norm_email(lo, d))
                    ln.add(" " + self.pick(PROVINCES))
                elif k == 4:
                    ln.add(r.choice(["价格", "单价", "报价"]) + self.price() + "，" + r.choice(["一万条起", "量大从优", "先款后货", "可走担保"]) + "，" + r.choice(["比特币地址 ", "BTC: ", "收款 "]) + self.btc())
                elif k == 5:
                    ln.add(r.choice(["订单号：", "单号："]) + self.order_no() + "，" + r.choice(["快递", "顺丰"]) + self.tracking() + "，" + r.choice(["下单时间 ", ""]) + self.ts())
                elif k == 6:
                    lo, d = self.email()
                    ln.add(r.choice(["有意者联系 ", "联系邮箱 ", "邮件 ", "投诉 "])).add(self.email_surface(lo, d, r.choice(["at_br", "at_par", "at_word", "fw_at", "fw_all", "plain"])), "email", self.norm_email(lo, d))
                    ln.add(r.choice(["（防爬）", " 谢谢", "。", ""]))
                elif k == 7:
                    ln.add(r.choice(["系统版本 ", "固件 "]) + self.version() + "，IMEI " + self.imei() + "，" + r.choice(["序列号 ", "SN "]) + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(12)))
                elif k == 8 and self.chance(0.5):
                    ln.add(r.choice(["批量号码：", "以下号码已验证：", "样号 "]))
                    for j in range(r.randrange(2, 6)):
                        if j:
                            ln.add(r.choice(["、", "、", "，", "/", " "]))
                        m = self.mobile()
                        ln.add(self.cn_surface(m, "plain"), "phone", "+86" + m)
                    ln.add(r.choice(["等", "。", "（脱敏样例 " + self.masked() + "）", ""]))
                else:
                    ln.add(r.choice(["共", "总计", "剩余"]) + str(r.randrange(100, 100000)) + "条，" + r.choice(["去重后", "已验证"]) + "，" + r.choice(["截图见", "样本"]) + " " + r.choice(IMAGE_NAMES) + " " + self.decoy())
                if ln.ok():
                    out.append(ln)
                    break
        return out

    def forum_en(self):
        r = self.r
        out = []
        out.append(Line().add(r.choice(["[SELLING] ", "WTS: ", "*** FRESH *** ", "[Leak] ", "Selling "]) + r.choice([
            "Apple ID combos (email:pass) ", "China mobile + iCloud DB ", "HK/TW phone leads ", "Verified Apple IDs with phone ",
            "US/UK/AU mixed leads "]) + r.choice(["- ", "| ", ""]) + self.price() + " per 1k"))
        for _ in range(r.randrange(1, 5)):
            for _try in range(20):
                ln = Line()
                k = r.randrange(8)
                if k == 0:
                    lo, d = self.email()
                    ln.add(r.choice(["Contact me at ", "email me at ", "Mail: ", "Reach me: ", "PM or write to "])).add(
                        self.email_surface(lo, d, r.choice(["plain", "plain", "at_br", "at_par", "at_word"])), "email", self.norm_email(lo, d))
                    ln.add(r.choice([".", " for samples.", ", no time wasters", " (escrow ok)", ""]))
                elif k == 1:
                    ln.add(r.choice(["Sample: ", "Proof: ", "e.g. "]))
                    lo, d = self.email()
                    ln.add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d)).add(":" + self.password())
                    if self.chance(0.5):
                        ln.add(" / ")
                        s, e = self.any_phone(0.3)
                        ln.add(s, "phone", e)
                elif k == 2:
                    rec = self.pick(self.intl)
                    ln.add(r.choice(["WhatsApp ", "Call/Telegram: ", "Phone: ", "tel "])).add(self.intl_surface(rec), "phone", rec[1])
                    ln.add(r.choice([" (24/7)", ".", "", " ask for Mike"]))
                elif k == 3:
                    ln.add("Payment BTC only: " + self.btc() + " - escrow fee " + self.price())
                elif k == 4:
                    ln.add("Updated " + self.ts() + ", works on iOS " + self.version() + ", screenshots " + r.choice(IMAGE_NAMES) + ", do not use " + self.fake_email())
                elif k == 5:
                    m = self.mobile()
                    ln.add("Apple ID: ").add(self.cn_surface(m, r.choice(["e164", "p86", "p86sp", "paren86"])), "phone", "+86" + m).add(" | pass: " + self.password() + " | 2FA off")
                elif k == 6:
                    ln.add("hash check: md5 " + self.md5() + " sha1 " + self.sha1())
                else:
                    ln.add("Lines like ").add(self.decoy()).add(" or ").add(self.decoy()).add(" are NOT included")
                if ln.ok():
                    out.append(ln)
                    break
        return out

    def sec_html_table(self):
        r = self.r
        out = [Line().add(r.choice(['<table class="data">', "<table border=1>", '<table id="leak-sample" style="width:100%">']))]
        out.append(Line().add("<tr><th>" + "</th><th>".join(r.choice([["序号", "姓名", "手机", "邮箱", "备注"], ["#", "Name", "Phone", "Apple ID", "Note"]])) + "</th></tr>"))
        for i in range(r.randrange(3, 25)):
            for _try in range(20):
                p = self.person(0.1)
                ln = Line().add("<tr><td>%d</td><td>%s</td><td>" % (i + 1, p["name"]))
                if "phone" in p:
                    s, e = p["phone"]
                    if e and self.chance(0.25):
                        ln.add('<a href="tel:').add(e if self.chance(0.6) or not e.startswith("+86") else e[3:], "phone", e).add('">').add(s, "phone", e).add("</a>")
                    else:
                        ln.add(s, "phone" if e else None, e)
                ln.add("</td><td>")
                if "email" in p:
                    s, e = p["email"]
                    if e and self.chance(0.3):
                        lo, d = e.split("@")
                        ln.add('<a href="mailto:').add(self.email_surface(lo, d, "plain"), "email", e).add(r.choice(['">', '?subject=order">'])).add(s, "email", e).add("</a>")
                    elif e and self.chance(0.2):
                        lo, d = e.split("@")
                        ln.add(self.email_surface(lo, d, "entity"), "email", e)
                    else:
                        ln.add(s, "email" if e else None, e)
                ln.add("</td><td>" + r.choice([self.decoy(), '<img src="/static/' + self.pick(IMAGE_NAMES) + '">', self.price(), ""]) + "</td></tr>")
                if ln.ok():
                    out.append(ln)
                    break
        out.append(Line().add("</table>"))
        return out

    def sec_html_list(self):
        r = self.r
        out = [Line().add(r.choice(["<ul>", '<ol class="samples">', '<ul class="list-unstyled">']))]
        for _ in range(r.randrange(3, 15)):
            for _try in range(20):
                ln = Line().add("<li>")
                k = r.randrange(5)
                if k == 0:
                    lo, d = self.email()
                    e = self.norm_email(lo, d)
                    ln.add('<a href="mailto:').add(self.email_surface(lo, d, r.choice(["plain", "entity"])), "email", e).add('">').add(self.email_surface(lo, d, r.choice(["plain", "entity", "at_br"])), "email", e).add("</a>")
                elif k == 1:
                    s, e = self.any_phone(0.25)
                    ln.add(self.name_cn() + " &mdash; ").add(s, "phone", e)
                elif k == 2:
                    lo, d = self.email()
                    ln.add("<b>" + self.name_en() + "</b> ").add(self.email_surface(lo, d, r.choice(["entity", "plain", "at_br"])), "email", self.norm_email(lo, d)).add(" &middot; " + self.price())
                elif k == 3:
                    m = self.mobile()
                    ln.add('<a href="tel:').add(self.cn_surface(m, r.choice(["e164", "plain", "p86dash"])), "phone", "+86" + m).add('">' + r.choice(["拨打", "Call", "电话"]) + "</a>")
                else:
                    ln.add('<img src="' + self.pick(IMAGE_NAMES) + '" alt="' + self.fake_email() + '"> ' + self.decoy())
                ln.add("</li>")
                if ln.ok():
                    out.append(ln)
                    break
        out.append(Line().add("</ol>" if out[0].text().startswith("<ol") else "</ul>"))
        return out

    def sec_pre(self):
        r = self.r
        out = [Line().add("<pre>")]
        sep = r.choice(["  ", "\t", " | ", "----"])
        for _ in range(r.randrange(3, 20)):
            for _try in range(20):
                p = self.person(0.1)
                ln = Line().add(p["name"])
                for c in r.sample(["phone", "email", "qq", "ts", "ip", "pwd"], 4):
                    ln.add(sep)
                    if c in ("phone", "email"):
                        v = p.get(c)
                        if v:
                            ln.add(v[0], c if v[1] else None, v[1])
                    else:
                        ln.add(str(p[c]))
                if ln.ok():
                    out.append(ln)
                    break
        out.append(Line().add("</pre>"))
        return out

    def sec_log(self):
        r = self.r
        out = []
        for _ in range(r.randrange(5, 30)):
            for _try in range(20):
                ln = Line().add(self.ts() + " " + r.choice(["INFO", "WARN", "DEBUG", "ERROR"]) + " ")
                k = r.randrange(7)
                if k == 0:
                    lo, d = self.email()
                    ln.add("[auth] login ok user=").add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d)).add(" ip=" + self.ip() + " dev=" + self.imei())
                elif k == 1:
                    s, e = self.any_phone(0.15)
                    ln.add("[sms] code %06d sent to " % r.randrange(1000000)).add(s, "phone", e).add(" req=" + self.md5()[:16])
                elif k == 2:
                    lo, d = self.email(no_plus=True)
                    ln.add(self.ip() + ' "GET /api/v1/user?email=').add(self.email_surface(lo, d, "pct"), "email", self.norm_email(lo, d)).add('&t=%d HTTP/1.1" 200 %d' % (r.randrange(1420070400, 1577836800), r.randrange(100, 9000)))
                elif k == 3:
                    m = self.mobile()
                    ln.add(self.ip() + ' "POST /sms/send?mobile=').add(m, "phone", "+86" + m).add('&ts=%s HTTP/1.1" 200 -' % self.ts().replace(" ", "T"))
                elif k == 4:
                    ln.add("[pay] order=" + self.order_no() + " amount=" + self.price() + " card=" + self.card().replace(" ", ""))
                elif k == 5:
                    ln.add("[asset] missing " + self.pick(IMAGE_NAMES) + " for " + self.fake_email() + " from " + self.ip())
                else:
                    ln.add("[ship] " + self.tracking() + " imei=" + self.imei() + " fw=" + self.version())
                if ln.ok():
                    out.append(ln)
                    break
        return out

    def sec_json(self):
        r = self.r
        out = []
        for i in range(r.randrange(3, 25)):
            for _try in range(20):
                p = self.person(0.12)
                ln = Line().add('{"id": %d, "name": "%s"' % (r.randrange(1, 10 ** 7), p["name"]))
                if "phone" in p:
                    s, e = p["phone"]
                    ln.add(', "%s": "' % r.choice(["mobile", "phone", "tel", "apple_id"])).add(s, "phone" if e else None, e).add('"')
                if "email" in p:
                    s, e = p["email"]
                    if e and not s.isascii():
                        lo, d = e.split("@")
                        s = self.email_surface(lo, d, "plain")
                    ln.add(', "%s": "' % r.choice(["email", "apple_id", "login"])).add(s, "email" if e else None, e).add('"')
                for c in r.sample(["qq", "ts", "ip", "order", "imei", "md5", "idcard"], 3):
                    ln.add(', "%s": "%s"' % (c, p[c]))
                if self.chance(0.3):
                    ln.add(', "avatar": "https://img.cdn.cn/u/%s"' % self.pick(IMAGE_NAMES))
                ln.add("}" + ("," if self.chance(0.3) else ""))
                if ln.ok():
                    out.append(ln)
                    break
        return out

    def sec_paste(self):
        r = self.r
        out = [Line().add(r.choice(["Pastebin", "Ghostbin", "paste.ee", "Rentry"]) + " | Posted by %s on %s | %.1f KB" % (r.choice(["anon", "Guest", "xiaoyu", "d4rk"]), self.ts(), r.randrange(10, 900) / 10))]
        out.append(Line().add(r.choice(["==========", "-----BEGIN DUMP-----", "#######", "=== leaked from %s ===" % r.choice(["shop", "forum", "crm", "apple repair store"])])))
        for _ in range(r.randrange(3, 25)):
            for _try in range(20):
                ln = Line()
                k = r.randrange(6)
                if k == 0:
                    lo, d = self.email()
                    ln.add(self.email_surface(lo, d), "email", self.norm_email(lo, d))
                    if self.chance(0.5):
                        ln.add(" ")
                        s, e = self.any_phone(0.2)
                        ln.add(s, "phone", e)
                elif k == 1:
                    s, e = self.any_phone(0.3)
                    ln.add(r.choice(["tel: ", "mob ", "phone=", "", "Tel:"])).add(s, "phone", e).add(r.choice(["", " " + self.name_en(), " " + self.name_cn(), "  # dup"]))
                elif k == 2:
                    m = self.mobile()
                    ln.add(r.choice(["tel:", "sms:", "Apple ID "])).add(self.cn_surface(m, r.choice(["e164", "plain"])), "phone", "+86" + m)
                elif k == 3 and self.chance(0.5):
                    ln.add(r.choice(["To: ", "Cc: ", "Reply-To: "]))
                    for j in range(r.randrange(1, 4)):
                        if j:
                            ln.add(r.choice(["; ", ", "]))
                        lo, d = self.email()
                        if self.chance(0.5):
                            ln.add('"' + self.name_en() + '" <').add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d)).add(">")
                        else:
                            ln.add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d))
                elif k == 3:
                    ln.add(self.decoy() + " " + self.decoy())
                elif k == 4:
                    lo, d = self.email()
                    ln.add(self.name_en() + " <").add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d)).add(">" + r.choice(["", ", " + self.ts()]))
                else:
                    lo, d = self.email()
                    ln.add(r.choice(["邮箱", "Email:", "mail: ", "电邮"])).add(self.email_surface(lo, d, "plain"), "email", self.norm_email(lo, d)).add(r.choice([",", "，", ";", " ", "。"]) + self.decoy())
                if ln.ok():
                    out.append(ln)
                    break
        return out

    def sec_noise(self):
        """Text with no identifiers at all, full of lookalikes."""
        r = self.r
        out = []
        for _ in range(r.randrange(2, 10)):
            parts = [self.decoy() for _ in range(r.randrange(2, 6))]
            glue = r.choice([" ", ", ", " | ", "\t", "；"])
            pre = r.choice(["", "注：", "NB: ", "备注：", "// ", "> "])
            ln = Line().add(pre + glue.join(parts))
            out.append(ln)
        return out

    def sec_gbk(self):
        lines = self.sec_dump(gbk=True)
        for ln in lines:
            ln.gbk = True
        return lines

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
