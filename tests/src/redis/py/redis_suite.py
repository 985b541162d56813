#!/usr/bin/python3
"""Functional suite for nokv-redis through python3-redis (redis-py), the way applications use it.

    /usr/bin/python3 redis_suite.py --gateway build/nokv-redis   # starts its own gateways
    /usr/bin/python3 redis_suite.py --port 6379                  # against a running server

Every server-agnostic test class runs twice: against the gateway and, as a "...OnRedis" twin,
against a redis-server this suite starts on a free 127.0.0.1 port, so each expectation is
checked against the reference server in the same run (the twins skip if redis-server is not
installed). Restart/auth tests need --gateway.
"""
import argparse
import sys
import threading
import time
import unittest

import redis

from gateway_harness import Gateway, RedisServer

ARGS = None
SERVER = {}


def client(target="gateway", **kw):
    return redis.Redis(host="127.0.0.1", port=SERVER[target], socket_timeout=30, **kw)


def setUpModule():
    if ARGS.gateway:
        SERVER["gateway_process"] = Gateway(ARGS.gateway)
        SERVER["gateway"] = SERVER["gateway_process"].port
    else:
        SERVER["gateway"] = ARGS.port
    if RedisServer.available():
        SERVER["redis_process"] = RedisServer()
        SERVER["redis"] = SERVER["redis_process"].port


def tearDownModule():
    if "gateway_process" in SERVER:
        SERVER["gateway_process"].cleanup()
    if "redis_process" in SERVER:
        SERVER["redis_process"].stop()


class Base(unittest.TestCase):
    target = "gateway"

    def setUp(self):
        if self.target not in SERVER:
            self.skipTest("redis-server is not installed: no comparison run")
        self.r = self.client()
        self.r.flushall()

    def client(self, **kw):
        return client(self.target, **kw)

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
            c = self.client()
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
        # "COMMAND DOCS" as one name: redis-py would parse a reply to COMMAND as COMMAND's.
        docs = r.execute_command("COMMAND DOCS", "set")
        self.assertEqual(docs[0], b"set")
        self.assertIn(b"summary", docs[1])

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
        c = self.client(decode_responses=True)
        c.set("greeting", "héllo")
        self.assertEqual(c.get("greeting"), "héllo")
        c.close()


class DatabaseTest(Base):
    def test_select_isolates_databases(self):
        db3 = self.client(db=3)
        self.assertTrue(db3.set("k", "three"))
        self.assertTrue(self.r.set("k", "zero"))
        self.assertEqual(db3.get("k"), b"three")
        self.assertEqual(self.r.get("k"), b"zero")
        self.assertEqual(db3.dbsize(), 1)
        keyspace = self.r.info("keyspace")
        self.assertEqual(keyspace["db0"]["keys"], 1)
        self.assertEqual(keyspace["db3"]["keys"], 1)
        self.assertTrue(db3.flushdb())
        self.assertEqual(self.r.get("k"), b"zero")
        self.assertEqual(db3.dbsize(), 0)
        with self.assertRaisesRegex(redis.ResponseError, "^DB index is out of range$"):
            self.client(db=16).ping()
        db3.close()

    def test_swapdb_move_copy(self):
        r = self.r
        db1 = self.client(db=1)
        r.set("a", "in0", ex=1000)
        db1.set("b", "in1")
        self.assertTrue(r.swapdb(0, 1))
        self.assertEqual(r.get("b"), b"in1")
        self.assertEqual(db1.get("a"), b"in0")
        self.assertTrue(1 <= db1.ttl("a") <= 1000)
        self.assertTrue(db1.move("a", 0))
        self.assertFalse(db1.move("a", 0))
        self.assertEqual(r.get("a"), b"in0")
        self.assertTrue(r.copy("a", "a", destination_db=2))
        self.assertFalse(r.copy("a", "a", destination_db=2))
        r.set("a", "new")
        self.assertTrue(r.copy("a", "a", destination_db=2, replace=True))
        self.assertEqual(self.client(db=2).get("a"), b"new")
        self.assertTrue(r.flushall())
        self.assertEqual(db1.dbsize() + r.dbsize(), 0)
        db1.close()


class TransactionTest(Base):
    def test_pipeline_transaction(self):
        with self.r.pipeline(transaction=True) as p:
            p.set("a", 1).incr("a").get("a").mset({"b": 1, "c": 2}).mget("a", "b", "c")
            self.assertEqual(p.execute(), [True, 2, b"2", True, [b"2", b"1", b"2"]])

    def test_errors_inside_a_transaction(self):
        self.r.set("s", "text")
        with self.r.pipeline(transaction=True) as p:
            p.set("x", 1).incr("s").set("y", 2)
            out = p.execute(raise_on_error=False)
        self.assertEqual(out[0], True)
        self.assertIsInstance(out[1], redis.ResponseError)
        self.assertEqual(out[2], True)
        self.assertEqual(self.r.mget("x", "y"), [b"1", b"2"])

    def test_watch_retries_on_a_concurrent_change(self):
        r = self.r
        other = self.client()
        r.set("balance", 100)
        calls = []

        def debit(pipe):
            calls.append(1)
            balance = int(pipe.get("balance"))
            if len(calls) == 1:
                other.incrby("balance", 50)  # a change between WATCH and EXEC
            pipe.multi()
            pipe.set("balance", balance - 30)

        r.transaction(debit, "balance")
        self.assertEqual(len(calls), 2)
        self.assertEqual(r.get("balance"), b"120")
        with r.pipeline() as p:
            p.watch("balance")
            other.set("balance", 0)
            p.multi()
            p.set("balance", 1)
            with self.assertRaises(redis.WatchError):
                p.execute()
        self.assertEqual(r.get("balance"), b"0")
        other.close()

    def test_concurrent_watch_increments(self):
        def increment(pipe):
            value = int(pipe.get("n") or 0)
            pipe.multi()
            pipe.set("n", value + 1)

        def work():
            c = self.client()
            for _ in range(50):
                c.transaction(increment, "n")  # retries on WatchError
            c.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.r.get("n"), b"200")


class ServerCommandsTest(Base):
    def test_config(self):
        r = self.r
        self.assertEqual(r.config_get("maxclients"), {"maxclients": "10000"})
        self.assertEqual(r.config_get("databases"), {"databases": "16"})
        self.assertTrue(r.config_set("timeout", 0))
        self.assertTrue(r.config_resetstat())
        self.assertEqual(r.info("stats")["keyspace_hits"], 0)
        with self.assertRaisesRegex(redis.ResponseError, "^Unknown option"):
            r.config_set("no-such-parameter", 1)

    def test_client_list_info_kill(self):
        r = self.r
        other = self.client()
        other.client_setname("other")
        other_id = other.client_id()
        clients = r.client_list()
        self.assertIn("other", [c["name"] for c in clients])
        me = r.client_info()
        self.assertEqual(int(me["id"]), r.client_id())
        self.assertEqual(me["db"], 0)
        self.assertTrue(r.client_no_evict("on"))
        self.assertEqual(r.client_kill_filter(_id=other_id), 1)
        self.assertNotIn("other", [c["name"] for c in r.client_list()])
        # The killed connection is closed before the reply to CLIENT KILL: redis-py finds it
        # closed when it next takes it from its pool and reconnects.
        self.assertTrue(other.ping())
        self.assertNotEqual(other.client_id(), other_id)

    def test_save_lastsave_time_reset(self):
        r = self.r
        self.assertTrue(r.save())
        self.assertLessEqual(abs(r.lastsave().timestamp() - time.time()), 5)
        seconds, micros = r.time()
        self.assertLessEqual(abs(seconds - time.time()), 5)
        r.execute_command("SELECT", 2)
        self.assertEqual(r.execute_command("RESET"), "RESET")


class StringAndKeyExtrasTest(Base):
    def test_expiretime_object_lcs(self):
        r = self.r
        r.set("k", "v", exat=4000000000)
        self.assertEqual(r.expiretime("k"), 4000000000)
        self.assertEqual(r.execute_command("PEXPIRETIME", "k"), 4000000000000)
        self.assertEqual(r.expiretime("missing"), -2)
        r.set("n", 12345)
        self.assertEqual(r.object("encoding", "n"), b"int")
        self.assertEqual(r.object("encoding", "k"), b"embstr")
        r.mset({"key1": "ohmytext", "key2": "mynewtext"})
        self.assertEqual(r.lcs("key1", "key2"), b"mytext")
        self.assertEqual(r.lcs("key1", "key2", len=True), 6)
        self.assertEqual(r.execute_command("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"),
                         [b"matches", [[[4, 7], [5, 8]]], b"len", 6])

    def test_getex_getdel_setrange_incrbyfloat(self):
        r = self.r
        r.set("g", "v")
        self.assertEqual(r.getex("g", ex=100), b"v")
        self.assertTrue(98 <= r.ttl("g") <= 100)
        self.assertEqual(r.getdel("g"), b"v")
        self.assertEqual(r.setrange("s", 5, "x"), 6)
        self.assertEqual(r.get("s"), b"\x00\x00\x00\x00\x00x")
        self.assertEqual(r.incrbyfloat("f", "10.5"), 10.5)
        self.assertEqual(r.set("s", "new", get=True), b"\x00\x00\x00\x00\x00x")

    def test_unsupported_commands_answer_as_unknown(self):
        if self.target == "redis":
            self.skipTest("redis-server serves every data type")
        with self.assertRaisesRegex(redis.ResponseError,
                                    "^unknown command 'HSET', with args beginning with: 'h' 'f' 'v' $"):
            self.r.hset("h", "f", "v")


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


# The same tests against redis-server: every expectation above is Redis's own behaviour.
for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, Base) and _cls is not Base:
        globals()[_cls.__name__ + "OnRedis"] = type(_cls.__name__ + "OnRedis", (_cls,),
                                                    {"target": "redis"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", help="path to nokv-redis")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--no-persistence", action="store_true",
                        help="the gateway keeps no data across restarts (test build)")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
