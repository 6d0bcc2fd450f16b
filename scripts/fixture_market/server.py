#!/usr/bin/env python3
"""Fixture dark market for leakwatch's crawler tests and benchmarks.

A local HTTP server (Python standard library only) that serves several fake
markets, chosen by Host header (shop.onion, forum.onion, paste.onion,
calendar.onion) or by path prefix (/m/shop/, /m/forum/, /m/paste/,
/m/calendar/) on 127.0.0.1:PORT, with the traps real markets set for
crawlers; with --hostile also a market of pages built to hurt a crawler
(hostile.py). Content is generated lazily and deterministically from --seed, so
--pages 50000 costs no memory. See README.md next to this file.

This file is the HTTP server and the command line. What the markets say is
in content.py, how a request becomes a page in handlers.py (the shop's traps
in traps.py, the forum in forum.py; Response in response.py, the shared
state in state.py), and routing and the wire form (gzip, ETag, the manifest)
in routes.py.
"""

import argparse
import http.server
import os
import socket
import sys
import time

from content import Catalog, default_exposures, load_exposures
from handlers import prerender_shop
from hostile import HostileState
from routes import encode, log_answer, serve
from state import State

DISCONNECTS = (BrokenPipeError, ConnectionResetError, socket.timeout)


class Handler(http.server.BaseHTTPRequestHandler):
    """One thread per connection (ThreadingHTTPServer), HTTP/1.1 keep-alive.

    Two settings make it fast enough for the crawl benchmark (README.md,
    "Speed"): Nagle's algorithm off, and a buffered wfile, so that a response's
    head and body leave in one write when handle_one_request() flushes. With
    neither, every keep-alive response waited ~40 ms for the client's delayed
    ACK."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def version_string(self):
        return "nginx"

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("fixture: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.answer(head=False)

    def do_HEAD(self):
        self.answer(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.answer(head=False)

    def answer(self, head):
        state = self.server.state
        try:
            response, delay = serve(state, self.path, self.headers)
            if delay > 0:
                time.sleep(delay)
            status, headers, body, stream = encode(state, response, self.headers)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            log_answer(state, self.path, self.headers, status, 0 if head or stream is not None else len(body))
            if head or status == 304:
                return
            if stream is not None:
                stream(self.write_now)
            else:
                self.wfile.write(body)
        except DISCONNECTS:
            self.close_connection = True

    def write_now(self, data):
        """A streamed body's write: sent at once, not kept in the buffer."""
        self.wfile.write(data)
        self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], DISCONNECTS):
            return
        super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="leakwatch fixture dark market (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="loopback address to listen on (127.0.0.0/8 only), so that several markets "
                             "can be distinct hosts")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every market response")
    parser.add_argument("--latency-jitter-ms", type=float, default=0,
                        help="a further random delay of up to this much per response (Tor-like spread)")
    parser.add_argument("--variants", action="store_true",
                        help="links carry content-neutral parameters (sort, ref, from, utm_*, view) in "
                             "shuffled order, next to the content ones (variants.py)")
    parser.add_argument("--pages", type=int, default=50, help="number of shop listings (forum/paste scale with it)")
    parser.add_argument("--exposures", help="JSON or CSV file of planted identifiers (email/phone/name per listing)")
    parser.add_argument("--seed", type=int, default=1729)
    parser.add_argument("--cookie", default="session=demo", help="login cookie NAME=VALUE; empty: no login wall")
    parser.add_argument("--rate-limit", type=float, default=20,
                        help="requests per second per Host above which 429 is answered; 0 disables")
    parser.add_argument("--slow-s", type=float, default=3.0, help="delay of the /slow page")
    parser.add_argument("--huge-mb", type=float, default=20.0, help="size of the /huge page")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--asyncio", action="store_true",
                        help="accepted and ignored: the old benchmark mode, now the only server (README.md)")
    parser.add_argument("--cache", action="store_true",
                        help="keep rendered shop index and listing pages (and their gzip form) in memory")
    parser.add_argument("--prerender", action="store_true",
                        help="render the shop's index and listing pages at start-up, by host and by path "
                             "(implies --cache)")
    parser.add_argument("--hostile", action="store_true",
                        help="serve the hostile market too (hostile.onion, /m/hostile/, /canary; README.md)")
    parser.add_argument("--hostile-s", type=float, default=120.0,
                        help="seconds after which the hostile market's endless and stalled bodies are closed")
    args = parser.parse_args(argv)
    if not args.bind.startswith("127."):
        parser.error("--bind must be a loopback address (127.x.y.z)")
    return args


def main(argv=None):
    args = parse_args(argv)
    exposures = load_exposures(args.exposures) if args.exposures else default_exposures(args.seed)
    catalog = Catalog(args.seed, args.pages, exposures)
    state = State(args, catalog)
    if args.cache or args.prerender:
        state.page_cache = {}
    if args.hostile:
        state.hostile = HostileState(state)
    if args.prerender:
        started = time.monotonic()
        prerender_shop(state)
        sys.stderr.write("fixture market: %d pages rendered in %.1f s\n"
                         % (len(state.page_cache), time.monotonic() - started))
    server = Server((args.bind, args.port), Handler)
    server.state = state
    state.port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, state.port)
    sys.stderr.write("fixture market on http://%s:%d/ (%d listings)\n" % (args.bind, state.port, catalog.shop_count))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
