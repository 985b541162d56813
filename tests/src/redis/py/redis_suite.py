#!/usr/bin/python3
"""Functional suite for nokv-redis through python3-redis (redis-py), the way applications use it.

    /usr/bin/python3 redis_suite.py --gateway build/nokv-redis   # starts its own gateways
    /usr/bin/python3 redis_suite.py --port 6379                  # against a running server

The second form runs the server-agnostic tests against any server (used to check the suite
itself against redis-server); restart/auth tests need --gateway.
"""
import argparse
import sys
import threading
import time
import unittest

import redis

from gateway_harness import Gateway

ARGS = None
SERVER = {}


def client(**kw):
    return redis.Redis(host="127.0.0.1", port=SERVER["port"], socket_timeout=30, **kw)


def setUpModule():
    if ARGS.gateway:
        SERVER["gateway"] = Gateway(ARGS.gateway)
        SERVER["port"] = SERVER["gateway"].port
    else:
        SERVER["port"] = ARGS.port


def tearDownModule():
    if "gateway" in SERVER:
        SERVER["gateway"].cleanup()


class Base(unittest.TestCase):
    def setUp(self):
        self.r = client()
        self.r.flushdb()

    def tearDown(self):
        self.r.close()


class StringTest(Base):
    def test_get_set_basic(self):
        r = self.r
        self.assertTrue(r.set("k", "v"))
        self.assertEqual(r.get("k"), b"v")
        self.assertIsNone(r.get("missing"))
        self.assertTrue(r.set("", ""))
        self.assertEqual(r.get(""), b"")

    def test_binary_safe(self):
        key = bytes(range(256))
        value = bytes(reversed(range(256))) * 10
        self.r.set(key, value)
        self.assertEqual(self.r.get(key), value)
        self.assertEqual(self.r.strlen(key), len(value))

    def test_large_value(self):
        value = (b"0123456789abcdef" * (1 << 20)) + b"tail"  # 16 MiB + 4
        self.r.set("big", value)
        self.assertEqual(self.r.get("big"), value)

    def test_set_options(self):
        r = self.r
        self.assertTrue(r.set("k", "1", nx=True))
        self.assertIsNone(r.set("k", "2", nx=True))
        self.assertTrue(r.set("k", "3", xx=True))
        self.assertIsNone(r.set("nope", "3", xx=True))
        self.assertEqual(r.set("k", "4", get=True), b"3")
        self.assertTrue(r.set("t", "v", px=1500))
        self.assertTrue(1400 <= r.pttl("t") <= 1500)
        self.assertTrue(r.set("t", "w", keepttl=True))
        self.assertTrue(0 < r.pttl("t") <= 1500)
        self.assertTrue(r.set("t2", "v", exat=int(time.time()) + 100))
        self.assertTrue(95 <= r.ttl("t2") <= 100)
        self.assertTrue(r.set("t3", "v", pxat=int(time.time() * 1000) + 60000))
        self.assertTrue(59000 <= r.pttl("t3") <= 60000)
        with self.assertRaisesRegex(redis.ResponseError, "^invalid expire time in 'set' command$"):
            r.set("k", "v", ex=0)
        with self.assertRaisesRegex(redis.ResponseError, "^syntax error$"):
            r.execute_command("SET", "k", "v", "NX", "XX")

    def test_setnx_setex_getset_getdel_getex(self):
        r = self.r
        self.assertTrue(r.setnx("a", "1"))
        self.assertFalse(r.setnx("a", "2"))
        self.assertTrue(r.setex("b", 100, "x"))
        self.assertTrue(98 <= r.ttl("b") <= 100)
        self.assertTrue(r.psetex("c", 5000, "y"))
        self.assertEqual(r.getset("a", "3"), b"1")
        self.assertEqual(r.getdel("a"), b"3")
        self.assertIsNone(r.getdel("a"))
        self.assertEqual(r.getex("b", px=2500), b"x")
        self.assertTrue(2400 <= r.pttl("b") <= 2500)
        self.assertEqual(r.getex("b", persist=True), b"x")
        self.assertEqual(r.ttl("b"), -1)

    def test_mget_mset_msetnx(self):
        r = self.r
        self.assertTrue(r.mset({"a": "1", "b": "2"}))
        self.assertEqual(r.mget("a", "b", "c"), [b"1", b"2", None])
        self.assertFalse(r.msetnx({"c": "3", "a": "9"}))
        self.assertIsNone(r.get("c"))
        self.assertTrue(r.msetnx({"c": "3", "d": "4"}))

    def test_append_ranges(self):
        r = self.r
        self.assertEqual(r.append("s", "Hello"), 5)
        self.assertEqual(r.append("s", " World"), 11)
        self.assertEqual(r.getrange("s", 0, 4), b"Hello")
        self.assertEqual(r.getrange("s", -5, -1), b"World")
        self.assertEqual(r.setrange("s", 6, "Redis"), 11)
        self.assertEqual(r.get("s"), b"Hello Redis")
        self.assertEqual(r.setrange("p", 2, "x"), 3)
        self.assertEqual(r.get("p"), b"\x00\x00x")

    def test_counters(self):
        r = self.r
        self.assertEqual(r.incr("n"), 1)
        self.assertEqual(r.incrby("n", 10), 11)
        self.assertEqual(r.decr("n"), 10)
        self.assertEqual(r.decrby("n", 20), -10)
        self.assertAlmostEqual(r.incrbyfloat("f", 1.5), 1.5)
        self.assertEqual(r.incrbyfloat("f", "0.1"), 1.6)
        r.set("s", "abc")
        with self.assertRaisesRegex(redis.ResponseError, "^value is not an integer or out of range$"):
            r.incr("s")
        with self.assertRaisesRegex(redis.ResponseError, "^value is not a valid float$"):
            r.incrbyfloat("s", 1)
        r.set("m", str(2**63 - 1))
        with self.assertRaisesRegex(redis.ResponseError, "^increment or decrement would overflow$"):
            r.incr("m")

    def test_concurrent_incr_and_append_are_atomic(self):
        threads, n_threads, per = [], 8, 150

        def work():
            c = client()
            for _ in range(per):
                c.incr("counter")
                c.append("log", "x")
            c.close()

        for _ in range(n_threads):
            threads.append(threading.Thread(target=work))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(int(self.r.get("counter")), n_threads * per)
        self.assertEqual(self.r.strlen("log"), n_threads * per)


class KeyTest(Base):
    def test_del_exists_type(self):
        r = self.r
        r.mset({"a": 1, "b": 2})
        self.assertEqual(r.exists("a", "b", "c", "a"), 3)
        self.assertEqual(r.delete("a", "c"), 1)
        self.assertEqual(r.unlink("b"), 1)
        r.set("s", "x")
        self.assertEqual(r.type("s"), b"string")
        self.assertEqual(r.type("none"), b"none")

    def test_expire_family(self):
        r = self.r
        r.set("k", "v")
        self.assertTrue(r.expire("k", 100))
        self.assertTrue(98 <= r.ttl("k") <= 100)
        self.assertTrue(r.pexpire("k", 5000))
        self.assertTrue(4900 <= r.pttl("k") <= 5000)
        self.assertTrue(r.expireat("k", int(time.time()) + 50))
        self.assertTrue(r.pexpireat("k", int(time.time() * 1000) + 20000))
        self.assertTrue(r.persist("k"))
        self.assertEqual(r.ttl("k"), -1)
        self.assertEqual(r.ttl("missing"), -2)
        self.assertFalse(r.expire("missing", 10))
        self.assertEqual(r.execute_command("EXPIRE", "k", 10, "NX"), 1)
        self.assertEqual(r.execute_command("EXPIRE", "k", 10, "NX"), 0)

    def test_expired_keys_are_invisible_at_once(self):
        r = self.r
        r.set("short", "v", px=50)
        deadline = time.monotonic() + 5
        while r.get("short") is not None and time.monotonic() < deadline:
            time.sleep(0.005)
        self.assertIsNone(r.get("short"))
        self.assertEqual(r.exists("short"), 0)
        self.assertNotIn(b"short", r.keys("*"))

    def test_rename(self):
        r = self.r
        r.set("a", "1", px=60000)
        self.assertTrue(r.rename("a", "b"))
        self.assertIsNone(r.get("a"))
        self.assertEqual(r.get("b"), b"1")
        self.assertTrue(r.pttl("b") > 50000)
        r.set("c", "2")
        self.assertFalse(r.renamenx("b", "c"))
        with self.assertRaisesRegex(redis.ResponseError, "^no such key$"):
            r.rename("nope", "x")

    def test_keys_scan_randomkey_dbsize(self):
        r = self.r
        self.assertIsNone(r.randomkey())
        with r.pipeline(transaction=False) as p:
            for i in range(300):
                p.set("user:%d" % i, i)
            p.set("other", 1)
            p.execute()
        self.assertEqual(r.dbsize(), 301)
        self.assertEqual(len(r.keys("user:*")), 300)
        self.assertEqual(sorted(r.keys("user:1?")), sorted(b"user:1%d" % i for i in range(10)))
        self.assertEqual(len(set(r.scan_iter(count=17))), 301)
        self.assertEqual(set(r.scan_iter(match="oth*", count=50)), {b"other"})
        self.assertIn(r.randomkey(), set(r.keys("*")))
        self.assertTrue(r.flushdb())
        self.assertEqual(r.dbsize(), 0)


class ServerTest(Base):
    def test_connection_commands(self):
        r = self.r
        self.assertTrue(r.ping())
        self.assertEqual(r.echo("hi"), b"hi")
        self.assertTrue(r.client_setname("suite"))
        self.assertIn(r.client_getname(), ("suite", b"suite"))
        self.assertIsInstance(r.client_id(), int)
        self.assertTrue(r.execute_command("SELECT", 0))
        self.assertTrue(r.flushall())
        self.assertGreater(r.command_count(), 40)

    def test_info(self):
        info = self.r.info()
        for field in ("redis_version", "connected_clients", "total_commands_processed"):
            self.assertIn(field, info)
        self.r.set("x", 1)
        self.assertEqual(self.r.info("keyspace")["db0"]["keys"], 1)

    def test_pipeline_of_mixed_commands(self):
        with self.r.pipeline(transaction=False) as p:
            for i in range(1000):
                p.set("p%d" % i, i)
                p.incr("pc")
            p.get("p999")
            p.get("pc")
            out = p.execute()
        self.assertEqual(out[-2:], [b"999", b"1000"])

    def test_pipelined_sets_keep_order_and_replies(self):
        # Runs of plain SETs are committed as one batch by nokv-redis: replies, order within
        # the run (last SET of a key wins) and interleaving with other commands must be as if
        # they ran one by one.
        with self.r.pipeline(transaction=False) as p:
            for i in range(600):
                p.set("run%d" % (i % 150), "v%d" % i)
            p.get("run0")
            p.set("run1", "nx", nx=True)
            p.set("solo", "one")
            p.append("run2", "+")
            for i in range(300):
                p.set("run%d" % (i % 50), "w%d" % i)
            p.mget(["run0", "run49", "run50", "run149", "run2"])
            out = p.execute()
        self.assertEqual(out[:600], [True] * 600)
        self.assertEqual(out[600:604], [b"v450", None, True, len("v452+")])
        self.assertEqual(out[604:904], [True] * 300)
        self.assertEqual(out[904], [b"w250", b"w299", b"v500", b"v599", b"w252"])
        self.assertEqual(self.r.get("solo"), b"one")

    def test_pipelined_counters_see_each_other(self):
        # Runs of INCR-family commands are one batch in nokv-redis; results must be as if
        # they ran one by one, errors included.
        self.r.set("str", "abc")
        with self.r.pipeline(transaction=False) as p:
            for i in range(200):
                p.incr("c%d" % (i % 7))
                p.incrby("total", i)
            p.incr("str")
            p.decrby("total", 100)
            p.decr("c0")
            out = p.execute(raise_on_error=False)
        self.assertEqual(out[0:4], [1, 0, 1, 1])
        self.assertEqual(out[398:400], [29, sum(range(200))])
        self.assertIsInstance(out[400], redis.ResponseError)
        self.assertEqual(out[401:403], [sum(range(200)) - 100, 28])
        self.assertEqual(self.r.get("str"), b"abc")

    def test_errors_keep_connection_usable(self):
        r = self.r
        with self.assertRaisesRegex(redis.ResponseError, "^unknown command 'FOO', with args beginning with: 'x' $"):
            r.execute_command("FOO", "x")
        with self.assertRaisesRegex(redis.ResponseError, "^wrong number of arguments for 'get' command$"):
            r.execute_command("GET")
        self.assertTrue(r.ping())

    def test_decode_responses_client(self):
        c = client(decode_responses=True)
        c.set("greeting", "héllo")
        self.assertEqual(c.get("greeting"), "héllo")
        c.close()


class GatewayOnlyTest(unittest.TestCase):
    """Restarts and AUTH: need gateways this suite starts itself."""

    def setUp(self):
        if not ARGS.gateway:
            self.skipTest("needs --gateway")

    def test_data_and_ttl_survive_restart(self):
        if ARGS.no_persistence:
            self.skipTest("gateway without persistence")
        g = Gateway(ARGS.gateway)
        try:
            r = redis.Redis(port=g.port)
            r.set("plain", "v")
            r.set("ttl", "v", px=600000)
            r.set("gone", "v", px=1)
            r.set("bin", b"\x00\xff" * 1000)
            r.close()
            g.restart()
            r = redis.Redis(port=g.port)
            self.assertEqual(r.get("plain"), b"v")
            self.assertTrue(590000 < r.pttl("ttl") <= 600000)
            self.assertIsNone(r.get("gone"))
            self.assertEqual(r.get("bin"), b"\x00\xff" * 1000)
            self.assertEqual(r.dbsize(), 3)
            r.close()
        finally:
            g.cleanup()

    def test_requirepass(self):
        g = Gateway(ARGS.gateway, args=["--requirepass", "s3cret"])
        try:
            r = redis.Redis(port=g.port)
            with self.assertRaises(redis.AuthenticationError):
                r.get("x")
            r.close()
            with self.assertRaisesRegex(redis.ResponseError, "^WRONGPASS invalid username-password"):
                redis.Redis(port=g.port, password="wrong").ping()
            ok = redis.Redis(port=g.port, password="s3cret")
            self.assertTrue(ok.set("x", 1))
            ok.close()
            ok = redis.Redis(port=g.port, username="default", password="s3cret")
            self.assertEqual(ok.get("x"), b"1")
            ok.close()
        finally:
            g.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", help="path to nokv-redis")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--no-persistence", action="store_true",
                        help="the gateway keeps no data across restarts (test build)")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
