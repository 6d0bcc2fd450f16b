#!/usr/bin/env python3
"""A SOCKS5 test proxy that plays Tor for leakwatch's tests (stdlib only).

RFC 1928, no authentication, CONNECT only. Destinations:
  - a domain name ending in ".onion" (ATYP 0x03)  -> 127.0.0.1:--target-port
  - the IPv4 address 127.0.0.1 (ATYP 0x01)        -> 127.0.0.1:<requested port>
  - anything else                                 -> refused: reply 0x04 (host
    unreachable) for other names, 0x02 (not allowed by ruleset) for other
    addresses, 0x08 for an unknown ATYP, 0x07 for commands other than CONNECT
On the same port, told apart by the first byte, it also speaks SOCKS4/4a
(CONNECT; 4a's name as a SOCKS5 name) and plays an HTTP proxy (CONNECT
host:port, or a request in absolute form, "GET http://host:port/path",
forwarded with Connection: close), for the tests of every proxy mode a
config may name. An HTTP proxy resolves names itself, so here a name is
routed when it ends in ".onion" (to the market) or when this machine
resolves it to loopback only (as a real proxy on this machine would reach
it); anything else is refused (403 / SOCKS4 reply 91).
Every request is logged (stderr with --verbose, and as JSON lines to
--log-file, with "protocol") so a test can assert that nothing tried to
leave the machine. It never connects anywhere but 127.0.0.1.
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
import urllib.parse

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


def loopback_only(name):
    """True when this machine resolves `name` to loopback addresses only."""
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(a.startswith("127.") or a == "::1" for a in addresses)


class Handler(socketserver.BaseRequestHandler):
    protocol = "socks5"

    def handle(self):
        client = self.request
        client.settimeout(30)
        try:
            first = client.recv(1, socket.MSG_PEEK)
            if first == b"\x04":
                self.protocol = "socks4"
                return self.handle_socks4(client)
            if first and first != b"\x05":
                self.protocol = "http"
                return self.handle_http(client)
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

    def route_name(self, host, port):
        """Where an HTTP proxy (or SOCKS4a) on this machine would connect for `host`."""
        if host.endswith(".onion"):
            return ("127.0.0.1", self.server.target_port)
        if host == "127.0.0.1" or loopback_only(host):
            return ("127.0.0.1", port)
        return None

    def connect_logged(self, destination, port, target):
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError as e:
            self.log(destination, port, "failed", str(e))
            return None
        self.log(destination, port, "connected", "%s:%d" % target)
        return upstream

    def handle_socks4(self, client):
        version, command, port = struct.unpack("!BBH", recv_exact(client, 4))
        ip = socket.inet_ntoa(recv_exact(client, 4))
        while recv_exact(client, 1) != b"\x00":  # user id
            pass
        destination = ip
        if ip.startswith("0.0.0.") and ip != "0.0.0.0":  # SOCKS4a: the name follows
            name = b""
            while (c := recv_exact(client, 1)) != b"\x00":
                name += c
            destination = name.decode("ascii", errors="replace").lower()
        target = self.route_name(destination, port) if command == 0x01 else None
        upstream = self.connect_logged(destination, port, target) if target else None
        if upstream is None:
            client.sendall(struct.pack("!BBH4s", 0, 91, 0, b"\x00" * 4))
            if target is None:
                self.log(destination, port, "refused", "destination not allowed")
            return
        with upstream:
            client.sendall(struct.pack("!BBH4s", 0, 90, 0, b"\x00" * 4))
            relay(client, upstream)

    def handle_http(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(65536)
            if not data or len(head) > 65536:
                return
            head += data
        head, rest = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            url_path = None
        else:
            url = urllib.parse.urlsplit(target)
            host, port = url.hostname or "", str(url.port or 80)
            url_path = (url.path or "/") + ("?" + url.query if url.query else "")
        host = host.strip("[]").lower()
        route = self.route_name(host, int(port)) if port.isdigit() else None
        upstream = self.connect_logged(host, int(port or 0), route) if route else None
        if upstream is None:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            if route is None:
                self.log(host, int(port) if port.isdigit() else 0, "refused", "destination not allowed")
            return
        with upstream:
            if url_path is None:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                kept = [l for l in lines[1:] if l.split(":", 1)[0].lower() not in
                        ("proxy-connection", "connection", "keep-alive", "proxy-authorization")]
                request = "\r\n".join(["%s %s %s" % (method, url_path, version)] + kept + ["Connection: close"])
                upstream.sendall(request.encode("latin-1") + b"\r\n\r\n" + rest)
            relay(client, upstream)

    def reply(self, client, code, address="0.0.0.0", port=0):
        try:
            packed = socket.inet_aton(address)
        except OSError:
            packed = b"\x00\x00\x00\x00"
        client.sendall(struct.pack("!BBBB", 5, code, 0, 1) + packed + struct.pack("!H", port))

    def log(self, destination, port, action, detail):
        self.server.log({"time": round(time.time(), 3), "client": "%s:%d" % self.client_address[:2],
                         "protocol": self.protocol, "destination": destination, "port": port, "action": action, "detail": detail})


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
