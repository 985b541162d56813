"""A minimal blocking RESP2/RESP3 client: raw replies, nothing interpreted.

Used by tools/redis/gen_command_meta.py and the gateway's Python tests. A Reply is its type
byte and its value: bytes for simple/error/bulk/verbatim/double/boolean/big-number strings, int
for integers, None for nulls, a list for arrays, sets and pushes, and a flat [key, value, ...]
list for maps.
"""
import socket


class Reply:
    def __init__(self, kind, value):
        self.kind = kind  # the RESP type byte, e.g. "+", "$", "%"
        self.value = value

    def pairs(self):
        """A map's (key, value) pairs."""
        return list(zip(self.value[0::2], self.value[1::2]))


class Conn:
    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def call(self, *args):
        """Sends one command (str or bytes arguments) and reads its reply."""
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = chr(line[0]), line[1:]
        if kind in "+-,#(":
            return Reply(kind, rest)
        if kind == ":":
            return Reply(kind, int(rest))
        if kind == "_":
            return Reply(kind, None)
        if kind in "$=":
            n = int(rest)
            return Reply(kind, None if n < 0 else self._exact(n))
        if kind in "*~>%":
            n = int(rest)
            if n < 0:
                return Reply(kind, None)
            return Reply(kind, [self.read() for _ in range(2 * n if kind == "%" else n)])
        raise ValueError("bad RESP type %r" % kind)


def encode(reply):
    """The RESP3 bytes of a Reply (as read, or as built by a caller)."""
    k, v = reply.kind, reply.value
    if k in "+-,#(":
        return k.encode() + v + b"\r\n"
    if k == ":":
        return b":%d\r\n" % v
    if k == "_":
        return b"_\r\n"
    if k in "$=":
        return b"$-1\r\n" if v is None else b"%s%d\r\n%s\r\n" % (k.encode(), len(v), v)
    if v is None:
        return b"*-1\r\n"
    count = len(v) // 2 if k == "%" else len(v)
    return b"%s%d\r\n" % (k.encode(), count) + b"".join(encode(e) for e in v)
