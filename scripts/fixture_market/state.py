"""The server state the handlers share: the request log, rate windows,
first-visit sets, caches, the crawl account and the session cookie.
"""

import collections
import hashlib
import itertools
import random
import threading
import time

import attachments
from variants import CrawlAccount


class State:
    def __init__(self, args, catalog):
        self.args = args
        self.catalog = catalog
        self.attachments = attachments.Attachments(catalog.seed)  # /dump and its files
        self.lock = threading.Lock()
        self.requests = collections.OrderedDict()  # (host, path) -> {"count": n, "statuses": {}, "answered": {}, ...}
        self.rate_windows = collections.defaultdict(collections.deque)
        self.flaky_seen = set()
        self.sid_counter = itertools.count(1)
        self.huge_gzip = None
        self.page_cache = None  # --cache: (base, path, number) -> Response
        self.hostile = None     # --hostile: hostile.HostileState
        self.port = 0
        self.account = CrawlAccount()  # /__crawl: fetches, distinct pages, variant fetches per host
        self.jitter = random.Random(args.seed)
        cookie_name, _, cookie_value = args.cookie.partition("=")
        self.cookie_name, self.cookie_value = cookie_name.strip(), cookie_value.strip()

    def log_request(self, host, path, status):
        with self.lock:
            entry = self.requests.get((host, path))
            if entry is None:
                entry = self.requests[(host, path)] = {"count": 0, "statuses": collections.Counter(), "at": []}
            entry["count"] += 1
            entry["at"].append(round(time.monotonic(), 4))
            entry["statuses"][str(status)] += 1

    def log_answer(self, host, path, status, conditional, body_bytes):
        """What was sent for a request log_request logged: the status after
        conditional headers (a routed 200 may go out as 304), whether the
        request was conditional (If-None-Match / If-Modified-Since), and the
        body's bytes (0 for a 304 or a HEAD; streamed bodies are not counted)."""
        with self.lock:
            entry = self.requests.get((host, path))
            if entry is None:
                return
            entry.setdefault("answered", collections.Counter())[str(status)] += 1
            entry["conditional"] = entry.get("conditional", 0) + (1 if conditional else 0)
            entry["bytes"] = entry.get("bytes", 0) + body_bytes

    def over_rate(self, key):
        limit = self.args.rate_limit
        if limit <= 0:
            return False
        now = time.monotonic()
        with self.lock:
            window = self.rate_windows[key]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                return True  # rejected requests are not counted: a polite retry gets through
            window.append(now)
            return False

    def latency(self):
        """Seconds to wait before answering: --latency-ms plus up to --latency-jitter-ms, like Tor."""
        jitter = self.args.latency_jitter_ms
        if jitter <= 0:
            return self.args.latency_ms / 1000.0
        with self.lock:
            extra = self.jitter.random() * jitter
        return (self.args.latency_ms + extra) / 1000.0

    def first_flaky(self, key):
        with self.lock:
            if key in self.flaky_seen:
                return False
            self.flaky_seen.add(key)
            return True

    def new_sid(self):
        return hashlib.md5(b"sid%d" % next(self.sid_counter)).hexdigest()
