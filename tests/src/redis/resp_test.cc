#include "src/redis/resp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nokv::redis {
namespace {

// A string literal with embedded NULs, whole.
template <size_t N>
std::string Lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}

struct Parsed {
  std::vector<Argv> commands;
  std::string error;
  size_t consumed = 0;
};

Parsed ParseAll(std::string_view input, RespLimits limits = RespLimits(), bool auth = true) {
  Parsed p;
  RespParser parser(limits);
  parser.set_authenticated(auth);
  size_t pos = 0;
  while (true) {
    Argv argv;
    auto r = parser.Next(input, &pos, &argv);
    if (r == RespParser::Result::kCommand) {
      p.commands.push_back(argv);
    } else {
      if (r == RespParser::Result::kError) p.error = parser.error();
      break;
    }
  }
  p.consumed = pos;
  return p;
}

TEST(RespParserTest, MultibulkAndInline) {
  struct Case {
    std::string input;
    std::vector<Argv> want;
  };
  const std::vector<Case> cases = {
      {"*1\r\n$4\r\nPING\r\n", {{"PING"}}},
      {"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", {{"GET", ""}}},
      {"PING\r\n", {{"PING"}}},
      {"PING\n", {{"PING"}}},
      {"  set  a   b \r\n", {{"set", "a", "b"}}},
      {"SET k \"a b\" 'c d'\r\n", {{"SET", "k", "a b", "c d"}}},
      {"SET k \"\\x41\\n\\t\\\\\\\"\"\r\n", {{"SET", "k", "A\n\t\\\""}}},
      {"ECHO '\\''\r\n", {{"ECHO", "'"}}},
      {"ECHO \"\\x4\"\r\n", {{"ECHO", "x4"}}},
      {"\r\n\r\nPING\r\n", {{"PING"}}},
      {"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", {{"PING"}}},
      {Lit("a\0b c\r\nPING\r\n"), {{"a"}, {"PING"}}},
      {Lit("*3\r\n$3\r\nSET\r\n$1\r\n\0\r\n$3\r\n\r\n\r\r\n"),
       {{"SET", std::string(1, '\0'), "\r\n\r"}}},
  };
  for (const auto& c : cases) {
    Parsed p = ParseAll(c.input);
    EXPECT_EQ(p.error, "") << c.input;
    EXPECT_EQ(p.commands, c.want) << c.input;
  }
}

TEST(RespParserTest, BinarySafeBulk) {
  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  Argv argv = {"SET", std::string("k\0\r\n", 4), value};
  Parsed p = ParseAll(EncodeCommand(argv));
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0], argv);
}

TEST(RespParserTest, ProtocolErrorsMatchRedis) {
  struct Case {
    std::string input;
    std::string error;
    bool auth = true;
  };
  const std::vector<Case> cases = {
      {"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*x\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*01\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "ERR Protocol error: expected '$', got 'f'"},
      {"*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"},
      {"SET k \"abc\r\n", "ERR Protocol error: unbalanced quotes in request"},
      {"SET k \"abc\"d\r\n", "ERR Protocol error: unbalanced quotes in request"},
      {std::string(70000, 'a'), "ERR Protocol error: too big inline request"},
      // Complete but over-long lines too: the outcome must not depend on read boundaries.
      {std::string(70000, 'a') + "\r\n", "ERR Protocol error: too big inline request"},
      {"*" + std::string(70000, '1'), "ERR Protocol error: too big mbulk count string"},
      {"*1\r\n$" + std::string(70000, '1'), "ERR Protocol error: too big bulk count string"},
      {"*11\r\n", "ERR Protocol error: unauthenticated multibulk length", false},
      {"*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length", false},
  };
  for (const auto& c : cases) {
    Parsed p = ParseAll(c.input, RespLimits(), c.auth);
    EXPECT_EQ(p.error, c.error) << c.input.substr(0, 40);
  }
}

TEST(RespParserTest, CommandsBeforeAnErrorAreDelivered) {
  Parsed p = ParseAll("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\nPING\r\n");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.error, "ERR Protocol error: invalid bulk length");
}

TEST(RespParserTest, ConfigurableBulkLimit) {
  RespLimits limits;
  limits.max_bulk_bytes = 10;
  EXPECT_EQ(ParseAll("*1\r\n$11\r\n", limits).error, "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("*1\r\n$10\r\n0123456789\r\n", limits).commands.size(), 1u);
}

TEST(RespParserTest, ByteAtATimeMatchesWhole) {
  std::string input = EncodeCommand({"SET", "key", std::string(1000, 'v')}) + "PING\r\n" +
                      EncodeCommand({"MGET", "a", "b", "c"}) + "*0\r\n";
  Parsed whole = ParseAll(input);
  ASSERT_EQ(whole.commands.size(), 3u);
  RespParser parser;
  std::string buffer;
  size_t pos = 0;
  std::vector<Argv> got;
  for (char ch : input) {
    buffer.push_back(ch);
    Argv argv;
    while (parser.Next(buffer, &pos, &argv) == RespParser::Result::kCommand) got.push_back(argv);
    buffer.erase(0, pos);
    pos = 0;
  }
  EXPECT_EQ(got, whole.commands);
  EXPECT_EQ(parser.pending_bytes(), 0u);
}

TEST(RespParserTest, LargeBulkIsNotPreallocatedFromTheHeader) {
  // A client claiming 512 MiB and sending 5 bytes must not make the parser hold 512 MiB.
  Parsed p = ParseAll("*1\r\n$536870912\r\nhello");
  EXPECT_EQ(p.error, "");
  EXPECT_TRUE(p.commands.empty());
  EXPECT_EQ(p.consumed, 16u);  // the headers; the payload waits in the caller's buffer
}

TEST(RespParserTest, ParseInt64Strict) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64Strict("0", &v));
  EXPECT_TRUE(ParseInt64Strict("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseInt64Strict("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "9223372036854775808",
                          "-9223372036854775809", "1e3", "0x10"}) {
    EXPECT_FALSE(ParseInt64Strict(bad, &v)) << bad;
  }
}

TEST(RespWriterTest, Replies) {
  std::string out;
  AppendSimpleString(&out, "OK");
  AppendError(&out, "ERR bad\r\nthing");
  AppendInteger(&out, -42);
  AppendBulk(&out, std::string("a\0b", 3));
  AppendNull(&out, 2);
  AppendArrayHeader(&out, 2);
  AppendNullArray(&out, 2);
  EXPECT_EQ(out, Lit("+OK\r\n-ERR bad  thing\r\n:-42\r\n$3\r\na\0b\r\n$-1\r\n*2\r\n*-1\r\n"));
}

TEST(RespWriterTest, Resp3Replies) {
  std::string out;
  AppendNull(&out, 3);
  AppendNullArray(&out, 3);
  AppendMapHeader(&out, 2, 3);
  AppendMapHeader(&out, 2, 2);
  AppendSetHeader(&out, 3, 3);
  AppendSetHeader(&out, 3, 2);
  AppendVerbatim(&out, "a:1\n", 3);
  AppendVerbatim(&out, "a:1\n", 2);
  EXPECT_EQ(out, "_\r\n_\r\n%2\r\n*4\r\n~3\r\n*3\r\n=8\r\ntxt:a:1\n\r\n$4\r\na:1\n\r\n");
}

TEST(RespWriterTest, Resp3ToResp2Conversion) {
  const std::string resp3 =
      "%2\r\n$1\r\na\r\n~2\r\n+x\r\n:1\r\n$1\r\nb\r\n*3\r\n_\r\n#t\r\n=8\r\ntxt:v:1\n\r\n";
  std::string out;
  ASSERT_TRUE(AppendResp3(&out, resp3, 3));
  EXPECT_EQ(out, resp3);
  out.clear();
  ASSERT_TRUE(AppendResp3(&out, resp3, 2));
  EXPECT_EQ(out,
            "*4\r\n$1\r\na\r\n*2\r\n+x\r\n:1\r\n$1\r\nb\r\n*3\r\n$-1\r\n:1\r\n$4\r\nv:1\n\r\n");
  // Anything but one complete value is refused and appends nothing.
  for (const char* bad : {"", "*2\r\n:1\r\n", "$5\r\nab\r\n", "?x\r\n", ":1\r\n:2\r\n", "%1\r\n"}) {
    out.clear();
    EXPECT_FALSE(AppendResp3(&out, bad, 2)) << bad;
    EXPECT_EQ(out, "");
  }
}

}  // namespace
}  // namespace nokv::redis
