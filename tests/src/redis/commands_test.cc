// Command semantics and exact replies, checked against every KvStore backend. Expected replies
// were confirmed against redis-server 7.0.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "tests/src/redis/backends.h"
#include "tests/src/redis/command_test_util.h"
#ifdef NOKV_HAVE_ENGINE
#include "engine/vfs/fault_fs.h"
#endif

namespace nokv::redis {
namespace {

using namespace testing;  // NOLINT

class CommandsTest : public BackendCommandTest {};

TEST_P(CommandsTest, DispatchErrors) {
  EXPECT_EQ(Run({"nope", "a", "b"}),
            Err("ERR unknown command 'nope', with args beginning with: 'a' 'b' "));
  EXPECT_EQ(Run({"NoPe"}), Err("ERR unknown command 'NoPe', with args beginning with: "));
  EXPECT_EQ(Run({"GET"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(Run({"get", "a", "b"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(Run({"PING", "a", "b"}), Err("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(Run({"MSET", "a", "1", "b"}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(Run({"PiNg"}), Simple("PONG"));
  EXPECT_EQ(Run({"ping", "hi"}), Bulk("hi"));
  EXPECT_EQ(Run({"echo", ""}), Bulk(""));
}

TEST_P(CommandsTest, PipelinedSetRunIsOneBatchWithOneReplyEach) {
  std::vector<Argv> commands = {{"SET", "a", "1"},
                                {"set", "b", "2"},
                                {"SET", "a", "3"},
                                {"SET", "c", "4", "NX"},
                                {"SET", "d", "5"}};
  std::string out;
  ServerState* state = h_->state();
  // The run stops at the SET with an option: that one goes through ExecuteCommand.
  EXPECT_EQ(ExecuteSetRun(state, h_->session(), commands, 0, 128, &out), 3u);
  EXPECT_EQ(out, Ok() + Ok() + Ok());
  EXPECT_EQ(Run({"GET", "a"}), Bulk("3"));  // the later SET of a key in the run wins
  EXPECT_EQ(Run({"GET", "b"}), Bulk("2"));
  // A lone plain SET, a non-SET and a run cut by max_run.
  out.clear();
  EXPECT_EQ(ExecuteSetRun(state, h_->session(), commands, 4, 128, &out), 0u);
  EXPECT_EQ(ExecuteSetRun(state, h_->session(), commands, 3, 128, &out), 0u);
  EXPECT_EQ(ExecuteSetRun(state, h_->session(), commands, 0, 2, &out), 2u);
  EXPECT_EQ(out, Ok() + Ok());
  // Metrics count each command of a run.
  auto json = h_->registry()->RenderJson();
  EXPECT_NE(json.find("\"nokv_redis_commands_total\":7"), std::string::npos) << json;
  // Inside MULTI nothing runs here: ExecuteCommand queues each SET.
  h_->session()->in_multi = true;
  EXPECT_EQ(ExecuteSetRun(state, h_->session(), commands, 0, 128, &out), 0u);
  EXPECT_EQ(ExecuteCounterRun(state, h_->session(), {{"INCR", "a"}, {"INCR", "b"}}, 0, 128, &out),
            0u);
}

TEST_P(CommandsTest, PipelinedCounterRunAppliesStepsInOrder) {
  ASSERT_EQ(Run({"SET", "s", "abc"}), Ok());
  ASSERT_EQ(Run({"SET", "big", "9223372036854775806"}), Ok());
  ASSERT_EQ(Run({"SET", "t", "5", "PX", "10000"}), Ok());
  std::vector<Argv> commands = {{"INCR", "a"},        {"incr", "a"},   {"INCRBY", "a", "5"},
                                {"DECR", "b"},        {"INCR", "s"},   {"DECRBY", "a", "2"},
                                {"INCR", "big"},      {"INCR", "big"}, {"INCR", "t"},
                                {"INCRBY", "a", "x"}, {"INCR", "a"}};
  std::string out;
  // The run stops before INCRBY with a bad delta: ExecuteCommand answers that one.
  EXPECT_EQ(ExecuteCounterRun(h_->state(), h_->session(), commands, 0, 128, &out), 9u);
  EXPECT_EQ(out, Int(1) + Int(2) + Int(7) + Int(-1) +
                     Err("ERR value is not an integer or out of range") + Int(5) + Int(INT64_MAX) +
                     Err("ERR increment or decrement would overflow") + Int(6));
  EXPECT_EQ(Run({"GET", "a"}), Bulk("5"));
  EXPECT_EQ(Run({"GET", "s"}), Bulk("abc"));
  EXPECT_EQ(Run({"GET", "big"}), Bulk("9223372036854775807"));
  EXPECT_EQ(Run({"PTTL", "t"}), Int(10000));  // INCR keeps the expiry
  out.clear();
  EXPECT_EQ(ExecuteCounterRun(h_->state(), h_->session(), commands, 9, 128, &out), 0u);
  EXPECT_EQ(ExecuteCounterRun(h_->state(), h_->session(), commands, 10, 128, &out), 0u);
  EXPECT_EQ(out, "");
  auto json = h_->registry()->RenderJson();
  EXPECT_NE(json.find("\"nokv_redis_errors_total\":2"), std::string::npos) << json;
}

TEST_P(CommandsTest, EmptyAndBinaryKeysAndValues) {
  std::string key("\0k\r\n", 4);
  std::string value("\0\xff\r\n", 4);
  EXPECT_EQ(Run({"SET", "", ""}), Ok());
  EXPECT_EQ(Run({"GET", ""}), Bulk(""));
  EXPECT_EQ(Run({"EXISTS", ""}), Int(1));
  EXPECT_EQ(Run({"STRLEN", ""}), Int(0));
  EXPECT_EQ(Run({"SET", key, value}), Ok());
  EXPECT_EQ(Run({"GET", key}), Bulk(value));
  EXPECT_EQ(Run({"DBSIZE"}), Int(2));
}

TEST_P(CommandsTest, SetOptions) {
  EXPECT_EQ(Run({"SET", "k", "v", "NX"}), Ok());
  EXPECT_EQ(Run({"SET", "k", "w", "NX"}), Nil());
  EXPECT_EQ(Run({"SET", "k", "w", "XX"}), Ok());
  EXPECT_EQ(Run({"SET", "missing", "w", "XX"}), Nil());
  EXPECT_EQ(Run({"SET", "k", "x", "GET"}), Bulk("w"));
  EXPECT_EQ(Run({"SET", "new", "x", "GET"}), Nil());
  EXPECT_EQ(Run({"SET", "k", "y", "NX", "GET"}), Bulk("x"));  // not set, old value returned
  EXPECT_EQ(Run({"GET", "k"}), Bulk("x"));
  EXPECT_EQ(Run({"SET", "k", "v", "NX", "XX"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SET", "k", "v", "EX", "1", "PX", "1"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SET", "k", "v", "EX"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SET", "k", "v", "KEEPTTL", "EX", "1"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SET", "k", "v", "BOGUS"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SET", "k", "v", "EX", "0"}), Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(Run({"SET", "k", "v", "PX", "-5"}), Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(Run({"SET", "k", "v", "EX", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"SET", "k", "v", "EX", "9223372036854775"}),
            Err("ERR invalid expire time in 'set' command"));
}

TEST_P(CommandsTest, ExpiryIsExactToTheMillisecond) {
  EXPECT_EQ(Run({"SET", "k", "v", "PX", "1500"}), Ok());
  EXPECT_EQ(Run({"PTTL", "k"}), Int(1500));
  EXPECT_EQ(Run({"TTL", "k"}), Int(2));  // Redis rounds to the nearest second
  Advance(1499);
  EXPECT_EQ(Run({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(1));
  Advance(1);
  EXPECT_EQ(Run({"GET", "k"}), Nil());
  EXPECT_EQ(Run({"PTTL", "k"}), Int(-2));
  EXPECT_EQ(Run({"EXISTS", "k"}), Int(0));
  EXPECT_EQ(Run({"DBSIZE"}), Int(0));

  uint64_t at = NowMs() + 12345;
  EXPECT_EQ(Run({"SET", "a", "v", "PXAT", StrCat(at)}), Ok());
  EXPECT_EQ(Run({"PTTL", "a"}), Int(12345));
  EXPECT_EQ(Run({"SET", "b", "v", "EXAT", StrCat(NowMs() / 1000 + 10)}), Ok());
  EXPECT_EQ(Run({"SET", "past", "v", "PXAT", StrCat(NowMs() - 1)}), Ok());
  EXPECT_EQ(Run({"EXISTS", "past"}), Int(0));
  EXPECT_EQ(Run({"SET", "c", "v", "EX", "10"}), Ok());
  EXPECT_EQ(Run({"PTTL", "c"}), Int(10000));
  EXPECT_EQ(Run({"SET", "c", "w"}), Ok());  // a plain SET clears the TTL
  EXPECT_EQ(Run({"TTL", "c"}), Int(-1));
  EXPECT_EQ(Run({"SET", "c", "v", "PX", "700"}), Ok());
  EXPECT_EQ(Run({"SET", "c", "x", "KEEPTTL"}), Ok());
  EXPECT_EQ(Run({"PTTL", "c"}), Int(700));
}

TEST_P(CommandsTest, KeepTtlDoesNotDriftOverManyRewrites) {
  EXPECT_EQ(Run({"SET", "n", "0", "PX", "100000"}), Ok());
  for (int i = 0; i < 200; ++i) {
    Advance(1);
    ASSERT_EQ(Run({"INCR", "n"}), Int(i + 1));
  }
  EXPECT_EQ(Run({"PTTL", "n"}), Int(100000 - 200));
}

TEST_P(CommandsTest, SetExFamily) {
  EXPECT_EQ(Run({"SETEX", "k", "10", "v"}), Ok());
  EXPECT_EQ(Run({"PTTL", "k"}), Int(10000));
  EXPECT_EQ(Run({"PSETEX", "k", "250", "v"}), Ok());
  EXPECT_EQ(Run({"PTTL", "k"}), Int(250));
  EXPECT_EQ(Run({"SETEX", "k", "0", "v"}), Err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(Run({"PSETEX", "k", "-1", "v"}), Err("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(Run({"SETNX", "k", "w"}), Int(0));
  EXPECT_EQ(Run({"SETNX", "j", "w"}), Int(1));
  EXPECT_EQ(Run({"GETSET", "k", "z"}), Bulk("v"));
  EXPECT_EQ(Run({"TTL", "k"}), Int(-1));
  EXPECT_EQ(Run({"GETSET", "none", "z"}), Nil());
  EXPECT_EQ(Run({"GETDEL", "k"}), Bulk("z"));
  EXPECT_EQ(Run({"GETDEL", "k"}), Nil());
}

TEST_P(CommandsTest, GetEx) {
  EXPECT_EQ(Run({"SET", "k", "v"}), Ok());
  EXPECT_EQ(Run({"GETEX", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"GETEX", "k", "PX", "500"}), Bulk("v"));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(500));
  EXPECT_EQ(Run({"GETEX", "k", "PERSIST"}), Bulk("v"));
  EXPECT_EQ(Run({"TTL", "k"}), Int(-1));
  EXPECT_EQ(Run({"GETEX", "k", "EX", "0"}), Err("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(Run({"GETEX", "k", "PERSIST", "EX", "1"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"GETEX", "k", "KEEPTTL"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"GETEX", "k", "PXAT", StrCat(NowMs() - 1)}), Bulk("v"));
  EXPECT_EQ(Run({"EXISTS", "k"}), Int(0));
  EXPECT_EQ(Run({"GETEX", "k", "EX", "5"}), Nil());
}

TEST_P(CommandsTest, MultiKey) {
  EXPECT_EQ(Run({"MSET", "a", "1", "b", "2", "a", "3"}), Ok());
  EXPECT_EQ(Run({"MGET", "a", "b", "c"}), Arr({Bulk("3"), Bulk("2"), Nil()}));
  EXPECT_EQ(Run({"MSETNX", "c", "1", "a", "9"}), Int(0));
  EXPECT_EQ(Run({"EXISTS", "c"}), Int(0));
  EXPECT_EQ(Run({"MSETNX", "c", "1", "d", "2"}), Int(1));
  EXPECT_EQ(Run({"EXISTS", "a", "a", "zz", "d"}), Int(3));
  EXPECT_EQ(Run({"DEL", "a", "a", "zz", "d"}), Int(2));
  EXPECT_EQ(Run({"UNLINK", "b"}), Int(1));
  EXPECT_EQ(Run({"DBSIZE"}), Int(1));
}

TEST_P(CommandsTest, AppendStrlenRanges) {
  EXPECT_EQ(Run({"APPEND", "k", "Hello"}), Int(5));
  EXPECT_EQ(Run({"APPEND", "k", " World"}), Int(11));
  EXPECT_EQ(Run({"STRLEN", "k"}), Int(11));
  EXPECT_EQ(Run({"STRLEN", "none"}), Int(0));
  EXPECT_EQ(Run({"GETRANGE", "k", "0", "4"}), Bulk("Hello"));
  EXPECT_EQ(Run({"GETRANGE", "k", "-5", "-1"}), Bulk("World"));
  EXPECT_EQ(Run({"GETRANGE", "k", "-1", "-5"}), Bulk(""));
  EXPECT_EQ(Run({"GETRANGE", "k", "5", "3"}), Bulk(""));
  EXPECT_EQ(Run({"GETRANGE", "k", "0", "100"}), Bulk("Hello World"));
  EXPECT_EQ(Run({"GETRANGE", "k", "-100", "2"}), Bulk("Hel"));
  EXPECT_EQ(Run({"GETRANGE", "none", "0", "-1"}), Bulk(""));
  EXPECT_EQ(Run({"GETRANGE", "k", "a", "1"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"SETRANGE", "k", "6", "Redis"}), Int(11));
  EXPECT_EQ(Run({"GET", "k"}), Bulk("Hello Redis"));
  EXPECT_EQ(Run({"SETRANGE", "pad", "3", "x"}), Int(4));
  EXPECT_EQ(Run({"GET", "pad"}), Bulk(std::string("\0\0\0x", 4)));
  EXPECT_EQ(Run({"SETRANGE", "none", "5", ""}), Int(0));
  EXPECT_EQ(Run({"EXISTS", "none"}), Int(0));
  EXPECT_EQ(Run({"SETRANGE", "k", "0", ""}), Int(11));
  EXPECT_EQ(Run({"SETRANGE", "k", "-1", "x"}), Err("ERR offset is out of range"));
  EXPECT_EQ(Run({"SETRANGE", "k", "536870912", "x"}),
            Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(Run({"SET", "t", "v", "PX", "900"}), Ok());
  EXPECT_EQ(Run({"APPEND", "t", "w"}), Int(2));
  EXPECT_EQ(Run({"SETRANGE", "t", "0", "x"}), Int(2));
  EXPECT_EQ(Run({"PTTL", "t"}), Int(900));  // APPEND and SETRANGE keep the TTL
}

TEST_P(CommandsTest, Counters) {
  EXPECT_EQ(Run({"INCR", "n"}), Int(1));
  EXPECT_EQ(Run({"INCRBY", "n", "41"}), Int(42));
  EXPECT_EQ(Run({"DECR", "n"}), Int(41));
  EXPECT_EQ(Run({"DECRBY", "n", "50"}), Int(-9));
  EXPECT_EQ(Run({"SET", "s", "abc"}), Ok());
  EXPECT_EQ(Run({"INCR", "s"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"SET", "s", " 1"}), Ok());
  EXPECT_EQ(Run({"INCR", "s"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"INCRBY", "n", "1.5"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"SET", "big", "9223372036854775807"}), Ok());
  EXPECT_EQ(Run({"INCR", "big"}), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"SET", "small", "-9223372036854775808"}), Ok());
  EXPECT_EQ(Run({"DECR", "small"}), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"DECRBY", "n", "-9223372036854775808"}), Err("ERR decrement would overflow"));
  EXPECT_EQ(Run({"GET", "big"}), Bulk("9223372036854775807"));
}

TEST_P(CommandsTest, IncrByFloatFormatsLikeRedis) {
  EXPECT_EQ(Run({"SET", "f", "10.5"}), Ok());
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "0.1"}), Bulk("10.6"));
  EXPECT_EQ(Run({"SET", "f", "5.0e3"}), Ok());
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "0"}), Bulk("5000"));
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "-5000"}), Bulk("0"));
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "x"}), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", " 1"}), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "inf"}), Err("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(Run({"INCRBYFLOAT", "new", "3"}), Bulk("3"));
}

TEST_P(CommandsTest, ExpireFamily) {
  EXPECT_EQ(Run({"EXPIRE", "none", "10"}), Int(0));
  EXPECT_EQ(Run({"SET", "k", "v"}), Ok());
  EXPECT_EQ(Run({"TTL", "k"}), Int(-1));
  EXPECT_EQ(Run({"EXPIRE", "k", "10", "XX"}), Int(0));
  EXPECT_EQ(Run({"EXPIRE", "k", "10", "NX"}), Int(1));
  EXPECT_EQ(Run({"EXPIRE", "k", "20", "NX"}), Int(0));
  EXPECT_EQ(Run({"EXPIRE", "k", "5", "GT"}), Int(0));
  EXPECT_EQ(Run({"EXPIRE", "k", "50", "GT"}), Int(1));
  EXPECT_EQ(Run({"EXPIRE", "k", "60", "LT"}), Int(0));
  EXPECT_EQ(Run({"PEXPIRE", "k", "1234", "LT"}), Int(1));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(1234));
  EXPECT_EQ(Run({"PEXPIREAT", "k", StrCat(NowMs() + 777)}), Int(1));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(777));
  EXPECT_EQ(Run({"EXPIREAT", "k", StrCat(NowMs() / 1000 + 100)}), Int(1));
  EXPECT_EQ(Run({"PERSIST", "k"}), Int(1));
  EXPECT_EQ(Run({"PERSIST", "k"}), Int(0));
  EXPECT_EQ(Run({"TTL", "k"}), Int(-1));
  EXPECT_EQ(Run({"EXPIRE", "k", "10", "NX", "XX"}),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(Run({"EXPIRE", "k", "10", "GT", "LT"}),
            Err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(Run({"EXPIRE", "k", "10", "foo"}), Err("ERR Unsupported option foo"));
  EXPECT_EQ(Run({"EXPIRE", "k", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"EXPIRE", "k", "9223372036854775807"}),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(Run({"EXPIRE", "k", "-1"}), Int(1));  // a past deadline deletes
  EXPECT_EQ(Run({"EXISTS", "k"}), Int(0));
  EXPECT_EQ(Run({"TTL", "k"}), Int(-2));
}

TEST_P(CommandsTest, RenameMovesValueAndTtl) {
  EXPECT_EQ(Run({"RENAME", "none", "x"}), Err("ERR no such key"));
  EXPECT_EQ(Run({"SET", "a", "1", "PX", "5000"}), Ok());
  EXPECT_EQ(Run({"RENAME", "a", "a"}), Ok());
  EXPECT_EQ(Run({"RENAME", "a", "b"}), Ok());
  EXPECT_EQ(Run({"EXISTS", "a"}), Int(0));
  EXPECT_EQ(Run({"GET", "b"}), Bulk("1"));
  EXPECT_EQ(Run({"PTTL", "b"}), Int(5000));
  EXPECT_EQ(Run({"SET", "c", "2"}), Ok());
  EXPECT_EQ(Run({"RENAMENX", "b", "c"}), Int(0));
  EXPECT_EQ(Run({"RENAMENX", "b", "d"}), Int(1));
  EXPECT_EQ(Run({"RENAMENX", "d", "d"}), Int(0));
  EXPECT_EQ(Run({"TYPE", "d"}), Simple("string"));
  EXPECT_EQ(Run({"TYPE", "b"}), Simple("none"));
}

TEST_P(CommandsTest, KeysScanRandomKey) {
  EXPECT_EQ(Run({"RANDOMKEY"}), Nil());
  for (int i = 0; i < 25; ++i) Run({"SET", StrCat("user:", i), "v"});
  Run({"SET", "other", "v"});
  Run({"SET", "gone", "v", "PX", "1"});
  Advance(1);
  std::string keys = Run({"KEYS", "user:1*"});
  EXPECT_EQ(keys, Arr({Bulk("user:1"), Bulk("user:10"), Bulk("user:11"), Bulk("user:12"),
                       Bulk("user:13"), Bulk("user:14"), Bulk("user:15"), Bulk("user:16"),
                       Bulk("user:17"), Bulk("user:18"), Bulk("user:19")}));
  EXPECT_EQ(Run({"KEYS", "gone"}), "*0\r\n");
  EXPECT_NE(Run({"RANDOMKEY"}), Nil());

  // A full SCAN returns every key exactly once.
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string reply = Run({"SCAN", cursor, "COUNT", "7"});
    ASSERT_EQ(reply.substr(0, 4), "*2\r\n");
    // Decode: cursor bulk then an array of bulks.
    size_t p = 4;
    auto read_line = [&] {
      size_t e = reply.find("\r\n", p);
      std::string line = reply.substr(p, e - p);
      p = e + 2;
      return line;
    };
    size_t len = std::stoul(read_line().substr(1));
    cursor = reply.substr(p, len);
    p += len + 2;
    size_t n = std::stoul(read_line().substr(1));
    for (size_t i = 0; i < n; ++i) {
      size_t l = std::stoul(read_line().substr(1));
      EXPECT_TRUE(seen.insert(reply.substr(p, l)).second);
      p += l + 2;
    }
    ++calls;
  } while (cursor != "0" && calls < 100);
  EXPECT_EQ(seen.size(), 26u);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(Run({"SCAN", "0", "MATCH", "oth*", "COUNT", "1000"}),
            Arr({Bulk("0"), Arr({Bulk("other")})}));
  EXPECT_EQ(Run({"SCAN", "0", "TYPE", "hash", "COUNT", "1000"}), Arr({Bulk("0"), "*0\r\n"}));
  EXPECT_EQ(Run({"SCAN", "x"}), Err("ERR invalid cursor"));
  EXPECT_EQ(Run({"SCAN", "12345"}), Err("ERR invalid cursor"));
  EXPECT_EQ(Run({"SCAN", "0", "COUNT", "0"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"SCAN", "0", "MATCH"}), Err("ERR syntax error"));
}

// KEYS with a literal prefix longer than the small-string buffer: the prefix was read after
// Scan had reset the string holding it (a use after free found by resp_fuzz).
TEST_P(CommandsTest, KeysWithALongLiteralPrefix) {
  const std::string prefix = "a-prefix-longer-than-sixteen-bytes:";
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Run({"SET", StrCat(prefix, i), "v"}), Ok());
  ASSERT_EQ(Run({"SET", "other", "v"}), Ok());
  EXPECT_EQ(Run({"KEYS", prefix + "*"}),
            Arr({Bulk(prefix + "0"), Bulk(prefix + "1"), Bulk(prefix + "2")}));
}

TEST_P(CommandsTest, FlushAndSelect) {
  Run({"SET", "a", "1"});
  EXPECT_EQ(Run({"FLUSHDB", "foo"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"FLUSHDB"}), Ok());
  EXPECT_EQ(Run({"DBSIZE"}), Int(0));
  Run({"SET", "a", "1"});
  EXPECT_EQ(Run({"FLUSHALL", "ASYNC"}), Ok());
  EXPECT_EQ(Run({"GET", "a"}), Nil());
  EXPECT_EQ(Run({"SELECT", "0"}), Ok());
  EXPECT_EQ(Run({"SELECT", "16"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(Run({"SELECT", "-1"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(Run({"SELECT", "x"}), Err("ERR value is not an integer or out of range"));
}

TEST_P(CommandsTest, ConnectionCommands) {
  EXPECT_EQ(Run({"CLIENT", "ID"}), Int(7));
  EXPECT_EQ(Run({"CLIENT", "GETNAME"}), Nil());
  EXPECT_EQ(Run({"CLIENT", "SETNAME", "worker-1"}), Ok());
  EXPECT_EQ(Run({"CLIENT", "GETNAME"}), Bulk("worker-1"));
  EXPECT_EQ(Run({"CLIENT", "SETNAME", "a b"}),
            Err("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(Run({"CLIENT", "SETNAME"}),
            Err("ERR wrong number of arguments for 'client|setname' command"));
  EXPECT_EQ(Run({"CLIENT", "foo"}), Err("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
  EXPECT_EQ(Run({"HELLO", "4"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(Run({"HELLO", "x"}), Err("ERR Protocol version is not an integer or out of range"));
  EXPECT_EQ(Run({"HELLO", "2", "AUTH", "a"}), Err("ERR Syntax error in HELLO option 'AUTH'"));
  std::string hello = Run({"HELLO", "2", "SETNAME", "n"});
  EXPECT_EQ(hello.substr(0, 5), "*14\r\n");
  EXPECT_EQ(Run({"CLIENT", "GETNAME"}), Bulk("n"));
  EXPECT_NE(hello.find(Bulk("proto") + Int(2)), std::string::npos);
  EXPECT_EQ(Run({"AUTH", "x"}),
            Err("ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(Run({"AUTH", "a", "b", "c"}), Err("ERR syntax error"));
  const auto top_level = std::count_if(
      AllCommands().begin(), AllCommands().end(),
      [](const CommandSpec& s) { return s.name.find('|') == std::string_view::npos; });
  EXPECT_EQ(Run({"COMMAND", "COUNT"}), Int(top_level));
  std::string info = Run({"COMMAND", "INFO", "get", "nosuch"});
  EXPECT_EQ(info.substr(0, 4), "*2\r\n");
  EXPECT_NE(info.find("*10\r\n$3\r\nget\r\n:2\r\n"), std::string::npos);
  EXPECT_NE(info.find("$-1\r\n"), std::string::npos);  // unknown: a null, as Redis
  EXPECT_EQ(Run({"QUIT"}), Ok());
  EXPECT_TRUE(h_->session()->close_after_reply);
}

TEST_P(CommandsTest, InfoSections) {
  Run({"SET", "a", "1"});
  Run({"SET", "b", "1", "EX", "100"});
  std::string info = Run({"INFO"});
  for (const char* section : {"# Server\r\n", "# Clients\r\n", "# Persistence\r\n", "# Stats\r\n",
                              "# Keyspace\r\n", "redis_version:", "connected_clients:",
                              "total_commands_processed:", "db0:keys=2,expires=1,avg_ttl=0"}) {
    EXPECT_NE(info.find(section), std::string::npos) << section;
  }
  std::string ks = Run({"INFO", "keyspace"});
  EXPECT_EQ(ks, Bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"));
  EXPECT_EQ(Run({"INFO", "nosuchsection"}), Bulk(""));
}

TEST_P(CommandsTest, ConcurrentIncrementsAreNotLost) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Session s;
      for (int i = 0; i < kPerThread; ++i) {
        std::string out;
        ExecuteCommand(h_->state(), &s, {"INCR", "n"}, &out);
        ExecuteCommand(h_->state(), &s, {"APPEND", "log", "x"}, &out);
        ExecuteCommand(h_->state(), &s, {"MSET", "p", "1", "q", "1"}, &out);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Run({"GET", "n"}), Bulk(StrCat(kThreads * kPerThread)));
  EXPECT_EQ(Run({"STRLEN", "log"}), Int(kThreads * kPerThread));
}

INSTANTIATE_TEST_SUITE_P(Backends, CommandsTest, ::testing::ValuesIn(BackendNames()),
                         [](const auto& info) { return info.param; });

TEST(AuthTest, RequirePass) {
  ManualClock clock;
  MemKvStore store(&clock);
  CommandHarness h(&store, &clock, "s3cret");
  EXPECT_EQ(h.Run({"GET", "a"}), Err("NOAUTH Authentication required."));
  EXPECT_EQ(h.Run({"nope"}), Err("ERR unknown command 'nope', with args beginning with: "));
  EXPECT_EQ(h.Run({"GET"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.Run({"HELLO", "2"}).substr(0, 7), "-NOAUTH");
  EXPECT_EQ(h.Run({"AUTH", "bad"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(h.Run({"AUTH", "other", "s3cret"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(h.Run({"HELLO", "2", "AUTH", "default", "bad"}),
            Err("WRONGPASS invalid username-password pair or user is disabled."));
  // Not authenticated: the batched runs leave the commands to ExecuteCommand (NOAUTH).
  std::string out;
  EXPECT_EQ(
      ExecuteSetRun(h.state(), h.session(), {{"SET", "a", "1"}, {"SET", "b", "2"}}, 0, 128, &out),
      0u);
  EXPECT_EQ(h.Run({"AUTH", "default", "s3cret"}), Ok());
  EXPECT_EQ(h.Run({"GET", "a"}), Nil());
}

#ifdef NOKV_HAVE_ENGINE
// A full disk (FaultFS ENOSPC on every append) under batched runs: every command of a run gets
// the storage error and nothing of a failed run becomes visible, while what was acknowledged
// before stays readable. (A WAL failure then stops the engine's writes until reopen.)
TEST(CommandRunsOnAFailingDiskTest, EveryCommandOfTheRunGetsTheError) {
  MemVFS base;
  FaultFS fs(&base);
  ManualClock clock;
  Options options;
  options.vfs = &fs;
  options.clock = &clock;
  auto db = DB::Open(options, "/redis");
  ASSERT_TRUE(db.ok()) << db.status();
  auto store = EmbeddedKvStore::Open(db->get(), &clock, EmbeddedKvStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  testing::CommandHarness h(store->get(), &clock);
  ASSERT_EQ(h.Run({"SET", "before", "1"}), testing::Ok());
  FaultRule rule;
  rule.op = FaultOp::kAppend;
  rule.kind = FaultKind::kNoSpace;
  fs.AddRule(rule);
  std::vector<Argv> sets = {{"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "c", "3"}};
  std::string out;
  ASSERT_EQ(ExecuteSetRun(h.state(), h.session(), sets, 0, 128, &out), 3u);
  const std::string reply = out.substr(0, out.find("\r\n") + 2);
  EXPECT_EQ(reply.rfind("-ERR storage: ", 0), 0u) << out;
  EXPECT_EQ(out, reply + reply + reply);
  out.clear();
  std::vector<Argv> incrs = {{"INCR", "n"}, {"INCRBY", "n", "2"}};
  ASSERT_EQ(ExecuteCounterRun(h.state(), h.session(), incrs, 0, 128, &out), 2u);
  EXPECT_EQ(out.rfind("-ERR storage: ", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  fs.ClearRules();
  // Nothing of the failed runs is visible; what was acknowledged before is.
  EXPECT_EQ(h.Run({"GET", "a"}), testing::Nil());
  EXPECT_EQ(h.Run({"GET", "n"}), testing::Nil());
  EXPECT_EQ(h.Run({"GET", "before"}), testing::Bulk("1"));
  (*db)->Close().IgnoreError();
}
#endif

}  // namespace
}  // namespace nokv::redis
