"""Phone validity from libphonenumber itself: the phone_valid helper
(scripts/bench/phone_valid.cpp) asked in one batch per call.
"""

import subprocess


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
