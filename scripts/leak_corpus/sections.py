"""The corpus's sections, each a list of Lines: dumps (also in GBK),
combolists, Chinese and English forum posts, HTML tables and lists, <pre>
blocks, logs, JSON, pastes and noise.
"""

import string

from leak_corpus.line import Line
from leak_corpus.vocab import EN_CITIES, EN_LAST, IMAGE_NAMES, PROVINCES, STREETS


class Sections:
    """Mixed into gen_leak_corpus.Gen, over Primitives."""

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
