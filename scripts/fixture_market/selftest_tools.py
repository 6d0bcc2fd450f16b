"""The self-test's means (selftest.py): checks counted and reported, the
programs started on free ports and stopped, and requests made by hand (HTTP
on raw sockets, SOCKS5, gzip sizes).
"""

import http.client
import os
import socket
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = "-v" in sys.argv
SERVER_MODE = ["--cache"] if "--cache" in sys.argv else []
failures = []
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    elif VERBOSE:
        print("ok: " + what)


class Process:
    def __init__(self, script, args, tmp):
        self.port_file = os.path.join(tmp, "%s-%d.port" % (script, id(self)))
        cmd = [sys.executable, os.path.join(HERE, script), "--port", "0", "--port-file", self.port_file] + args
        if script == "server.py":
            cmd += SERVER_MODE
        self.proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL if not VERBOSE else None)
        deadline = time.time() + 10
        while not os.path.exists(self.port_file):
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit("%s did not start" % script)
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.port = int(f.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port, path, host=None, headers=None, method="GET", timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = dict(headers or {})
    if host:
        all_headers["Host"] = host
    conn.request(method, path, headers=all_headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def socks_connect(proxy_port, atyp, address, port, command=1):
    """Returns (reply code, socket or None)."""
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=10)
    s.sendall(b"\x05\x01\x00")
    if s.recv(2) != b"\x05\x00":
        s.close()
        return None, None
    if atyp == 3:
        addr = bytes([len(address)]) + address.encode("ascii")
    elif atyp == 1:
        addr = socket.inet_aton(address)
    else:
        addr = socket.inet_pton(socket.AF_INET6, address)
    s.sendall(struct.pack("!BBBB", 5, command, 0, atyp) + addr + struct.pack("!H", port))
    reply = b""
    while len(reply) < 10:
        chunk = s.recv(10 - len(reply))
        if not chunk:
            break
        reply += chunk
    code = reply[1] if len(reply) >= 2 else None
    if code != 0:
        s.close()
        return code, None
    return code, s


def read_http(sock):
    """(status, body) of the response on `sock`, read to its end."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None), body


def http_over(sock, host, path, cookie=None):
    request = "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (path, host)
    if cookie:
        request += "Cookie: %s\r\n" % cookie
    sock.sendall((request + "\r\n").encode("ascii"))
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body


def raw_request(port, path, host="127.0.0.1", read_for=None, timeout=10):
    """Sends one GET with Connection: close on a raw socket and returns
    (head bytes, body bytes as received, seconds until the server closed or
    `read_for` ran out, whether the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode("ascii"))
    started = time.time()
    data, closed = b"", False
    while True:
        if read_for is not None:
            left = read_for - (time.time() - started)
            if left <= 0:
                break
            s.settimeout(left)
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body, time.time() - started, closed


def gunzip_size(data):
    """(decoded size, first decoded bytes, complete) without holding the whole output."""
    inflater = zlib.decompressobj(31)
    total, first = 0, b""
    while data:
        out = inflater.decompress(data, 1 << 26)
        if not first:
            first = out[:4096]
        total += len(out)
        data = inflater.unconsumed_tail
    return total, first, inflater.eof

