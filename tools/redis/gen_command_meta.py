#!/usr/bin/python3
"""Generates src/redis/command_meta.inc: Redis's own COMMAND INFO / COMMAND DOCS entries for the
commands nokv-redis serves, so COMMAND answers (and redis-cli hints built from them) are the
reference server's, byte for byte.

    /usr/bin/python3 tools/redis/gen_command_meta.py [--redis-server redis-server] [--out FILE]

Starts a throwaway redis-server on a free 127.0.0.1 port, asks it over RESP3 for every command
in COMMANDS (subcommands filtered to the ones served here), and writes each entry as RESP3
bytes plus the fields the dispatcher needs (arity, key positions, flags). Rerun it when a
command is added; the redis_commands_test checks the table and this file agree.
"""
import argparse
import os
import socket
import subprocess
import tempfile
import time

# Served commands; a container lists the subcommands served (others are dropped from its entry).
COMMANDS = {
    # connection
    "auth": None, "client": ["getname", "help", "id", "info", "kill", "list", "no-evict",
                             "setname"],
    "echo": None, "hello": None, "ping": None, "quit": None, "reset": None, "select": None,
    # server
    "bgsave": None, "command": ["count", "docs", "help", "info", "list"],
    "config": ["get", "help", "resetstat", "rewrite", "set"], "dbsize": None, "flushall": None,
    "flushdb": None, "info": None, "lastsave": None, "save": None, "swapdb": None, "time": None,
    # strings
    "append": None, "decr": None, "decrby": None, "get": None, "getdel": None, "getex": None,
    "getrange": None, "getset": None, "incr": None, "incrby": None, "incrbyfloat": None,
    "lcs": None, "mget": None, "mset": None, "msetnx": None, "psetex": None, "set": None,
    "setex": None, "setnx": None, "setrange": None, "strlen": None, "substr": None,
    # keys
    "copy": None, "del": None, "exists": None, "expire": None, "expireat": None,
    "expiretime": None, "keys": None, "move": None,
    "object": ["encoding", "freq", "help", "idletime", "refcount"], "persist": None,
    "pexpire": None, "pexpireat": None, "pexpiretime": None, "pttl": None, "randomkey": None,
    "rename": None, "renamenx": None, "scan": None, "touch": None, "ttl": None, "type": None,
    "unlink": None,
    # transactions
    "discard": None, "exec": None, "multi": None, "unwatch": None, "watch": None,
}


class Node:
    """A RESP3 value: kind is the type byte, value a str/int or a list of Nodes."""

    def __init__(self, kind, value):
        self.kind = kind
        self.value = value


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = chr(line[0]), line[1:]
        if kind in "+-":
            return Node(kind, rest.decode())
        if kind == ":":
            return Node(kind, int(rest))
        if kind == "$":
            return Node(kind, self._exact(int(rest)).decode())
        if kind in "*~":
            return Node(kind, [self.read() for _ in range(int(rest))])
        if kind == "%":
            return Node(kind, [self.read() for _ in range(2 * int(rest))])
        raise ValueError("unexpected RESP3 type %r" % kind)


def encode(node):
    k, v = node.kind, node.value
    if k in "+-":
        return ("%s%s\r\n" % (k, v)).encode()
    if k == ":":
        return b":%d\r\n" % v
    if k == "$":
        data = v.encode()
        return b"$%d\r\n%s\r\n" % (len(data), data)
    count = len(v) // 2 if k == "%" else len(v)
    return ("%s%d\r\n" % (k, count)).encode() + b"".join(encode(c) for c in v)


def filter_info(info, subs):
    """Drops unserved subcommands from a COMMAND INFO entry (element 10)."""
    if subs is None:
        return info
    kept = [s for s in info.value[9].value if s.value[0].value.split("|")[1] in subs]
    info.value[9] = Node(info.value[9].kind, kept)
    return info


def filter_docs(docs, subs):
    """Drops unserved subcommands from a COMMAND DOCS map (its "subcommands" entry)."""
    if subs is None:
        return docs
    items = docs.value
    for i in range(0, len(items), 2):
        if items[i].value == "subcommands":
            m = items[i + 1].value
            kept = []
            for j in range(0, len(m), 2):
                if m[j].value.split("|")[1] in subs:
                    kept += [m[j], m[j + 1]]
            items[i + 1] = Node(items[i + 1].kind, kept)
    return docs


def cxx_string(data):
    """A C++ string literal for arbitrary bytes, split into readable lines."""
    out, line = [], ""
    for b in data:
        ch = chr(b)
        if ch == "\r":
            piece = "\\r"
        elif ch == "\n":
            piece = "\\n"
        elif ch in "\"\\":
            piece = "\\" + ch
        elif 32 <= b < 127 and ch != "?":
            piece = ch
        else:
            piece = "\\%03o" % b
        line += piece
        if ch == "\n" and len(line) > 70:
            out.append('"%s"' % line)
            line = ""
    if line or not out:
        out.append('"%s"' % line)
    return "\n        ".join(out)


def entry(name, info, docs):
    arity, flags = info.value[1].value, [f.value for f in info.value[2].value]
    first, last, step = info.value[3].value, info.value[4].value, info.value[5].value
    return ('    {"%s", %d, %d, %d, %d, "%s",\n        %s,\n        %s},\n' %
            (name, arity, first, last, step, " ".join(flags), cxx_string(encode(info)),
             cxx_string(encode(docs))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-server", default="redis-server")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "src", "redis", "command_meta.inc"))
    args = parser.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    workdir = tempfile.mkdtemp(prefix="gen-command-meta-")
    proc = subprocess.Popen([args.redis_server, "--bind", "127.0.0.1", "--port", str(port),
                             "--save", "", "--dir", workdir], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = Conn(port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        hello = conn.call("HELLO", "3").value
        version = hello[hello.index(next(n for n in hello if n.value == "version")) + 1].value
        body = []
        for name in sorted(COMMANDS):
            subs = COMMANDS[name]
            info = filter_info(conn.call("COMMAND", "INFO", name).value[0], subs)
            docs = filter_docs(conn.call("COMMAND", "DOCS", name).value[1], subs)
            body.append(entry(name, info, docs))
            for sub in sorted(subs or []):
                full = "%s|%s" % (name, sub)
                info = conn.call("COMMAND", "INFO", full).value[0]
                docs = conn.call("COMMAND", "DOCS", full).value[1]
                body.append(entry(full, info, docs))
    finally:
        proc.terminate()
        proc.wait()
    with open(args.out, "w") as f:
        f.write("// Generated by tools/redis/gen_command_meta.py from redis-server %s. Do not edit.\n"
                "// {name, arity, first key, last key, key step, flags, COMMAND INFO entry (RESP3),\n"
                "//  COMMAND DOCS entry (RESP3)}; containers list only the subcommands served.\n"
                % version)
        f.write("// clang-format off\n")
        f.writelines(body)
        f.write("// clang-format on\n")


if __name__ == "__main__":
    main()
