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

from resp3 import Conn, Reply, encode

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


def filter_info(info, subs):
    """Drops unserved subcommands from a COMMAND INFO entry (element 10)."""
    if subs is None:
        return info
    kept = [s for s in info.value[9].value if s.value[0].value.decode().split("|")[1] in subs]
    # Redis lists them in its hash order, which changes between processes: sort for a stable file.
    kept.sort(key=lambda s: s.value[0].value)
    info.value[9] = Reply(info.value[9].kind, kept)
    return info


def filter_docs(docs, subs):
    """Drops unserved subcommands from a COMMAND DOCS map (its "subcommands" entry)."""
    if subs is None:
        return docs
    items = docs.value
    for i in range(0, len(items), 2):
        if items[i].value == b"subcommands":
            kept = []
            for name, doc in sorted(items[i + 1].pairs(), key=lambda p: p[0].value):
                if name.value.decode().split("|")[1] in subs:
                    kept += [name, doc]
            items[i + 1] = Reply(items[i + 1].kind, kept)
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
    arity, flags = info.value[1].value, [f.value.decode() for f in info.value[2].value]
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
        version = dict((k.value, v.value) for k, v in conn.call("HELLO", "3").pairs())[b"version"]
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
                % version.decode())
        f.write("// clang-format off\n")
        f.writelines(body)
        f.write("// clang-format on\n")


if __name__ == "__main__":
    main()
