#!/usr/bin/env python3
"""A SOCKS5 test proxy that plays Tor for leakwatch's tests (stdlib only).

RFC 1928, no authentication, CONNECT only. Destinations:
  - a domain name ending in ".onion" (ATYP 0x03)  -> 127.0.0.1:--target-port
  - the IPv4 address 127.0.0.1 (ATYP 0x01)        -> 127.0.0.1:<requested port>
  - anything else                                 -> refused: reply 0x04 (host
    unreachable) for other names, 0x02 (not allowed by ruleset) for other
    addresses, 0x08 for an unknown ATYP, 0x07 for commands other than CONNECT
Every request is logged (stderr with --verbose, and as JSON lines to
--log-file) so a test can assert that nothing tried to leave the machine.
It never connects anywhere but 127.0.0.1.
"""

import argparse
import json
import os
import selectors
import socket
import socketserver
import struct
import sys
import threading
import time

REPLY_OK = 0x00
REPLY_FAILURE = 0x01
REPLY_NOT_ALLOWED = 0x02
REPLY_HOST_UNREACHABLE = 0x04
REPLY_CONNECTION_REFUSED = 0x05
REPLY_COMMAND_NOT_SUPPORTED = 0x07
REPLY_ATYP_NOT_SUPPORTED = 0x08


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed during handshake")
        data += chunk
    return data


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        client = self.request
        client.settimeout(30)
        try:
            version, nmethods = recv_exact(client, 2)
            if version != 5:
                return
            methods = recv_exact(client, nmethods)
            if 0x00 not in methods:
                client.sendall(b"\x05\xff")
                return
            client.sendall(b"\x05\x00")
            version, command, _, atyp = recv_exact(client, 4)
            if atyp == 0x01:
                destination = socket.inet_ntop(socket.AF_INET, recv_exact(client, 4))
            elif atyp == 0x03:
                (length,) = recv_exact(client, 1)
                destination = recv_exact(client, length).decode("ascii", errors="replace").lower()
            elif atyp == 0x04:
                destination = socket.inet_ntop(socket.AF_INET6, recv_exact(client, 16))
            else:
                self.reply(client, REPLY_ATYP_NOT_SUPPORTED)
                self.log("?", 0, "refused", "address type %d not supported" % atyp)
                return
            (port,) = struct.unpack("!H", recv_exact(client, 2))
            if command != 0x01:
                self.reply(client, REPLY_COMMAND_NOT_SUPPORTED)
                self.log(destination, port, "refused", "command %d not supported" % command)
                return
            target = self.route(atyp, destination, port)
            if target is None:
                # Names Tor cannot reach: "host unreachable"; addresses: "not allowed".
                code = REPLY_HOST_UNREACHABLE if atyp == 0x03 else REPLY_NOT_ALLOWED
                self.reply(client, code)
                self.log(destination, port, "refused", "destination not allowed")
                return
            try:
                upstream = socket.create_connection(target, timeout=10)
            except OSError as e:
                self.reply(client, REPLY_CONNECTION_REFUSED)
                self.log(destination, port, "failed", str(e))
                return
            self.log(destination, port, "connected", "%s:%d" % target)
            with upstream:
                bound = upstream.getsockname()
                self.reply(client, REPLY_OK, bound[0], bound[1])
                relay(client, upstream)
        except (ConnectionError, OSError, ValueError) as e:
            self.log("?", 0, "error", "%s: %s" % (type(e).__name__, e))

    def route(self, atyp, destination, port):
        if atyp == 0x03 and destination.endswith(".onion"):
            return ("127.0.0.1", self.server.target_port)
        if atyp == 0x01 and destination == "127.0.0.1":
            return ("127.0.0.1", port)
        return None

    def reply(self, client, code, address="0.0.0.0", port=0):
        try:
            packed = socket.inet_aton(address)
        except OSError:
            packed = b"\x00\x00\x00\x00"
        client.sendall(struct.pack("!BBBB", 5, code, 0, 1) + packed + struct.pack("!H", port))

    def log(self, destination, port, action, detail):
        self.server.log({"time": round(time.time(), 3), "client": "%s:%d" % self.client_address[:2],
                         "destination": destination, "port": port, "action": action, "detail": detail})


def relay(a, b):
    a.settimeout(None)
    b.settimeout(None)
    selector = selectors.DefaultSelector()
    selector.register(a, selectors.EVENT_READ, b)
    selector.register(b, selectors.EVENT_READ, a)
    open_sides = 2
    try:
        while open_sides:
            events = selector.select(timeout=300)
            if not events:
                break  # idle for five minutes
            for key, _ in events:
                source, sink = key.fileobj, key.data
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    # Half-close: pass the EOF on, keep relaying the other way.
                    selector.unregister(source)
                    open_sides -= 1
                    try:
                        sink.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                sink.sendall(data)
    except OSError:
        pass
    finally:
        selector.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, target_port, log_file, verbose):
        super().__init__(address, Handler)
        self.target_port = target_port
        self.log_file = log_file
        self.verbose = verbose
        self.log_lock = threading.Lock()

    def log(self, entry):
        line = json.dumps(entry)
        with self.log_lock:
            if self.verbose or entry["action"] != "connected":
                sys.stderr.write("socks5: %s\n" % line)
                sys.stderr.flush()
            if self.log_file:
                with open(self.log_file, "a") as f:
                    f.write(line + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description="SOCKS5 test proxy: *.onion -> the fixture market")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--target-port", type=int, required=True, help="the fixture market's port on 127.0.0.1")
    parser.add_argument("--log-file", help="append one JSON line per CONNECT request")
    parser.add_argument("--verbose", action="store_true", help="log successful connects to stderr too")
    args = parser.parse_args(argv)

    server = Server(("127.0.0.1", args.port), args.target_port, args.log_file, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stderr.write("socks5 proxy on 127.0.0.1:%d -> *.onion at 127.0.0.1:%d\n" % (port, args.target_port))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
