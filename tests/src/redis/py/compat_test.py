#!/usr/bin/python3
"""Reply-for-reply comparison of nokv-redis with redis-server, driven by data files.

    /usr/bin/python3 compat_test.py --gateway build/nokv-redis            # check
    /usr/bin/python3 compat_test.py --gateway build/nokv-redis --rewrite  # regenerate expectations

Each tests/src/redis/testdata/*.txt file is a script of commands, each followed by the reply
it must get, rendered on one line (see render()). Every file runs on fresh connections after a
FLUSHALL, against the gateway and against a redis-server this test starts on a free 127.0.0.1
port; both must produce exactly the replies in the file. With --rewrite the expectations are
taken from redis-server (review the diff). Without redis-server installed only the gateway is
checked (the file still holds Redis's replies).

Script syntax:
    # comment
    > SET k "a b"          a command (shlex quoting; x:4142 is the bytes "AB")
    >@b GET k              the same on connection "b" (connections open on first use)
    >~ KEYS *              sort the reply's elements (map pairs) first: order unspecified
    ?                      (as the expected reply) anything is fine
    /regex/                the rendered reply must match the regex (fullmatch)
"""
import argparse
import os
import re
import shlex
import sys
import unittest

from gateway_harness import Gateway, RedisServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..",
                                "tools", "redis"))
from resp3 import Conn  # noqa: E402  (tools/redis/resp3.py)

ARGS = None
SERVERS = {}
TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata")


def quote(data):
    out = []
    for b in data:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % b)
    return '"%s"' % "".join(out)


def render(r, sort=False):
    """One line per reply: +OK  -ERR x  :1  "bulk"  nil  nil*  _  [a, b]  ~[a]  {k: v}  =txt:".." """
    k, v = r.kind, r.value
    if k in "+-":
        return k + v.decode(errors="replace")
    if k in ",#(":
        return k + v.decode()
    if k == ":":
        return ":%d" % v
    if k == "_":
        return "_"
    if k == "$":
        return "nil" if v is None else quote(v)
    if k == "=":
        return "=" + quote(v)
    if k in "*~>":
        if v is None:
            return "nil*"
        items = [render(e) for e in v]
        if sort:
            items.sort()
        return (k if k != "*" else "") + "[" + ", ".join(items) + "]"
    if k == "%":
        pairs = ["%s: %s" % (render(a), render(b)) for a, b in r.pairs()]
        if sort:
            pairs.sort()
        return "{" + ", ".join(pairs) + "}"
    raise ValueError(k)


def parse_args(text):
    args = []
    for tok in shlex.split(text):
        if tok.startswith("x:"):
            args.append(bytes.fromhex(tok[2:]))
        else:
            args.append(tok.encode())
    return args


CMD_RE = re.compile(r"^>(@(\w+))?(~)?\s+(.*)$")


def parse_script(path):
    """[(line number, connection, sort, args, expected line index or None)] and the lines."""
    with open(path) as f:
        lines = f.read().split("\n")
    steps = []
    i = 0
    while i < len(lines):
        m = CMD_RE.match(lines[i])
        if m:
            expected = i + 1 if i + 1 < len(lines) and not CMD_RE.match(lines[i + 1]) else None
            steps.append((i + 1, m.group(2) or "a", bool(m.group(3)), parse_args(m.group(4)),
                          expected))
            i += 2 if expected is not None else 1
        else:
            i += 1
    return steps, lines


def run_script(port, steps):
    conns = {}
    try:
        setup = Conn(port)
        setup.call(b"FLUSHALL")
        setup.close()
        out = []
        for _, name, sort, args, _ in steps:
            if name not in conns:
                conns[name] = Conn(port)
            try:
                out.append(render(conns[name].call(*args), sort))
            except EOFError:
                out.append("<closed>")
                del conns[name]
        return out
    finally:
        for c in conns.values():
            c.close()


def matches(expected, got):
    if expected == "?":
        return True
    if len(expected) > 1 and expected.startswith("/") and expected.endswith("/"):
        return re.fullmatch(expected[1:-1], got) is not None
    return expected == got


def setUpModule():
    SERVERS["gateway"] = Gateway(ARGS.gateway)
    SERVERS["redis"] = RedisServer() if RedisServer.available() else None


def tearDownModule():
    SERVERS["gateway"].cleanup()
    if SERVERS["redis"]:
        SERVERS["redis"].stop()


class CompatTest(unittest.TestCase):
    def check_file(self, path):
        steps, lines = parse_script(path)
        redis = SERVERS["redis"]
        if ARGS.rewrite:
            if not redis:
                self.skipTest("--rewrite needs redis-server")
            got = run_script(redis.port, steps)
            for (_, _, _, _, exp), reply in zip(steps, got):
                if exp is None or lines[exp] == "?" or lines[exp].startswith("/"):
                    continue
                lines[exp] = reply
            with open(path, "w") as f:
                f.write("\n".join(lines))
            steps, lines = parse_script(path)
        targets = [("nokv", SERVERS["gateway"].port)]
        if redis:
            targets.append(("redis-server", redis.port))
        for who, port in targets:
            got = run_script(port, steps)
            for (lineno, _, _, args, exp), reply in zip(steps, got):
                want = lines[exp] if exp is not None else "?"
                self.assertTrue(matches(want, reply),
                                "%s, %s:%d %s\n  want: %s\n  got:  %s" % (
                                    who, os.path.basename(path), lineno,
                                    b" ".join(args).decode(errors="replace"), want, reply))


def add_file_tests():
    for name in sorted(os.listdir(TESTDATA)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(TESTDATA, name)
        setattr(CompatTest, "test_" + name[:-4], lambda self, p=path: self.check_file(p))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True, help="path to nokv-redis (or the mem gateway)")
    parser.add_argument("--rewrite", action="store_true",
                        help="regenerate the expected replies from redis-server")
    ARGS, rest = parser.parse_known_args()
    add_file_tests()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
