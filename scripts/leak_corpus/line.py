"""A corpus line assembled from pieces; labelled pieces remember their span,
and ok() re-draws lines whose labels could be read otherwise.
"""

import unicodedata

from leak_corpus.vocab import ASCII_ALNUM, is_cjk, nk


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
