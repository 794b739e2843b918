#!/usr/bin/env python3
"""A stand-in for the bia helper, for trying the preload library by hand.

    fake_helper.py SOCKET [--network ipv6-only] [--pool 198.18.0.0/15] [--ttl 5]
                   [--name NAME=KIND,V4,V6[,TTL]]...

Answers HELLO, RESOLVE (family 4), MAP4, MAP6 and NAME4 per docs/protocol.md from
the --name table (KIND: NATIVE, PAIRED or POOL; one --name per entry, in
order; a final dot is ignored, an IPv6 literal is answered as by MAP6, as the
helper does). Unknown names get NOT_FOUND, unknown IPv4 addresses NOT_FOUND, and
unknown IPv6 addresses a fresh pool address. Two names misbehave on
purpose: "slow.test" is never answered, "garbage.test" gets a malformed
frame; "restart.test" is answered NOT_FOUND, then every client connection is
closed, as a helper restart would. "countTTL.test" and "countTTL-X.test"
answer two POOL entries, 198.18.1.N with ttl TTL and 198.18.2.N with ttl
300, N counting how often that name was asked. USE and RELEASE
notifications are logged and, as by the helper, not answered. Every
request is logged on stderr.
"""
import argparse
import ipaddress
import os
import re
import socket
import struct
import sys
import threading
import time

KINDS = {"NATIVE": 1, "PAIRED": 2, "POOL": 3}
NETWORKS = {"none": 0, "dual": 1, "ipv6-only": 2, "ipv4-only": 3}
HELLO, RESOLVE, MAP4, MAP6, NAME4, USE, RELEASE = 1, 2, 3, 4, 5, 6, 7
OK, NOT_FOUND, POOL_EXHAUSTED = 0, 1, 4


def frame(type_, status, id_, body=b""):
    return struct.pack("!IBBHI", 8 + len(body), 1, type_, status, id_) + body


def entry(kind, v4, v6, ttl):
    return struct.pack("!B4s16sI", kind, v4.packed, v6.packed, ttl)


class Helper:
    def __init__(self, args):
        self.args = args
        self.pool = ipaddress.ip_network(args.pool)
        self.names = {}
        self.entries = []
        self.name_of = {}  # pool and paired IPv4 addresses of --name entries
        for spec in args.name:
            name, rest = spec.split("=", 1)
            parts = rest.split(",")
            e = (KINDS[parts[0]], ipaddress.ip_address(parts[1]), ipaddress.ip_address(parts[2]),
                 int(parts[3]) if len(parts) > 3 else 300)
            self.names.setdefault(name, []).append(e)
            self.entries.append(e)
            if e[0] != KINDS["NATIVE"]:
                self.name_of.setdefault(e[1], name)
        self.next_pool = self.pool.network_address + 100
        self.lock = threading.Lock()
        self.conns = set()
        self.asked = {}

    def answer(self, type_, id_, body):
        if type_ in (USE, RELEASE):
            addrs = [str(ipaddress.IPv4Address(body[1 + 4 * i:5 + 4 * i])) for i in range(body[0])]
            log(f"{'USE' if type_ == USE else 'RELEASE'} {','.join(addrs)}")
            return None
        if type_ == HELLO:
            return frame(HELLO, OK, id_, struct.pack("!B4sBB", NETWORKS[self.args.network],
                                                     self.pool.network_address.packed,
                                                     self.pool.prefixlen, self.args.ttl))
        if type_ == RESOLVE:
            name = body[2:2 + body[1]].decode("latin1")
            log(f"RESOLVE {name}")
            if name == "slow.test":
                time.sleep(3600)
            if name == "restart.test":
                return frame(RESOLVE, NOT_FOUND, id_)
            counted = re.fullmatch(r"count(\d+)(-\w+)?\.test", name)
            if counted:
                return self.counted(id_, name, int(counted.group(1)))
            if name == "garbage.test":
                return frame(RESOLVE, OK, id_, b"\x00")  # count 0: malformed
            found = self.names.get(name[:-1] if name.endswith(".") else name)
            if not found and ":" in name:
                found = [self.map6(ipaddress.ip_address(name))]
            if not found:
                return frame(RESOLVE, NOT_FOUND, id_)
            canon = name.encode()
            return frame(RESOLVE, OK, id_, bytes([len(found), len(canon)]) + canon +
                         b"".join(entry(*e) for e in found))
        if type_ == MAP4:
            v4 = ipaddress.ip_address(body)
            log(f"MAP4 {v4}")
            for e in self.entries:
                if e[1] == v4 and e[0] != KINDS["NATIVE"]:
                    return frame(MAP4, OK, id_, entry(*e))
            return frame(MAP4, NOT_FOUND, id_)
        if type_ == MAP6:
            v6 = ipaddress.ip_address(body)
            log(f"MAP6 {v6}")
            e = self.map6(v6)
            return frame(MAP6, OK, id_, entry(*e)) if e else frame(MAP6, POOL_EXHAUSTED, id_)
        if type_ == NAME4:
            v4 = ipaddress.ip_address(body)
            log(f"NAME4 {v4}")
            name = self.name_of.get(v4)
            if not name:
                return frame(NAME4, NOT_FOUND, id_)
            return frame(NAME4, OK, id_, bytes([len(name)]) + name.encode("latin1"))
        return frame(type_, 5, id_)

    def counted(self, id_, name, ttl):
        with self.lock:
            n = self.asked[name] = self.asked.get(name, 0) + 1
        a = entry(KINDS["POOL"], ipaddress.ip_address(f"198.18.1.{n}"),
                  ipaddress.ip_address(f"2001:db8:c::{n:x}"), ttl)
        b = entry(KINDS["POOL"], ipaddress.ip_address(f"198.18.2.{n}"),
                  ipaddress.ip_address(f"2001:db8:d::{n:x}"), 300)
        canon = name.encode()
        return frame(RESOLVE, OK, id_, bytes([2, len(canon)]) + canon + a + b)

    def map6(self, v6):
        with self.lock:
            for e in self.entries:
                if e[2] == v6 and e[0] != KINDS["NATIVE"]:
                    return e
            if self.next_pool not in self.pool:
                return None
            e = (KINDS["POOL"], self.next_pool, v6, 300)
            self.next_pool += 1
            self.entries.append(e)
            return e

    def serve(self, conn):
        with self.lock:
            self.conns.add(conn)
        with conn:
            while True:
                head = recv_exact(conn, 12)
                if not head:
                    break
                length, _version, type_, _status, id_ = struct.unpack("!IBBHI", head)
                body = recv_exact(conn, length - 8)
                reply = self.answer(type_, id_, body)
                if reply is not None:
                    conn.sendall(reply)
                if type_ == RESOLVE and body[2:2 + body[1]] == b"restart.test":
                    self.hang_up_all()
        with self.lock:
            self.conns.discard(conn)

    def hang_up_all(self):
        with self.lock:
            for c in self.conns:
                c.shutdown(socket.SHUT_RDWR)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def log(text):
    print(f"fake-helper: {text}", file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("--network", default="ipv6-only", choices=NETWORKS)
    p.add_argument("--pool", default="198.18.0.0/15")
    p.add_argument("--ttl", type=int, default=5)
    p.add_argument("--name", action="append", default=[])
    args = p.parse_args()
    helper = Helper(args)
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(16)
    log(f"listening on {args.socket}")
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=helper.serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
