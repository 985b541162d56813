// The RESP fuzz entry point, shared by the libFuzzer binary (resp_fuzz.cc) and the gtest that
// replays a corpus of tricky inputs (tests/src/redis/resp_corpus_test.cc).
//
// Checks, for any input: the parser never crashes or over-reads; parsing the input in one piece
// and in small pieces yields the same commands and the same error; every command parsed
// re-encodes to RESP that parses back to the same argv. Then the commands run, one connection's
// worth, through the command layer on an in-memory store (MULTI queueing, HELLO 3, CONFIG and
// CLIENT argument parsing, transactions...): each must append exactly one well-formed reply,
// with no RESP3-only type while the connection speaks RESP2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/metrics/registry.h"
#include "src/redis/command.h"
#include "src/redis/resp.h"
#include "src/util/clock.h"
#include "tests/src/redis/mem_kv_store.h"

namespace nokv::redis::fuzz {

struct ParseTrace {
  std::vector<Argv> commands;
  std::string error;
};

inline RespLimits FuzzLimits() {
  RespLimits limits;
  limits.max_bulk_bytes = 1 << 16;  // small, so the fuzzer reaches the limit paths
  limits.max_inline_bytes = 1 << 10;
  return limits;
}

// Feeds `data` in pieces of `chunk` bytes (0 = all at once), the way a connection would.
inline ParseTrace ParseInChunks(std::string_view data, size_t chunk, bool authenticated) {
  ParseTrace trace;
  RespParser parser(FuzzLimits());
  parser.set_authenticated(authenticated);
  std::string buffer;
  size_t pos = 0;
  size_t fed = 0;
  while (true) {
    size_t take = chunk == 0 ? data.size() - fed : std::min(chunk, data.size() - fed);
    buffer.append(data.substr(fed, take));
    fed += take;
    while (true) {
      Argv argv;
      RespParser::Result r = parser.Next(buffer, &pos, &argv);
      if (r == RespParser::Result::kCommand) {
        if (argv.empty()) std::abort();  // a command always has a name
        trace.commands.push_back(std::move(argv));
        continue;
      }
      if (r == RespParser::Result::kError) {
        trace.error = parser.error();
        return trace;
      }
      break;
    }
    if (pos > buffer.size()) std::abort();
    buffer.erase(0, pos);
    pos = 0;
    if (fed == data.size()) return trace;
  }
}

// Parses one reply at reply[*pos]; false if it is not well-formed RESP2/RESP3, or uses a
// RESP3-only type while `resp3` is false.
inline bool ParseReply(std::string_view reply, size_t* pos, bool resp3, int depth = 0) {
  if (depth > 32 || *pos >= reply.size()) return false;
  const size_t eol = reply.find("\r\n", *pos);
  if (eol == std::string_view::npos) return false;
  const char type = reply[*pos];
  const std::string_view head = reply.substr(*pos + 1, eol - *pos - 1);
  *pos = eol + 2;
  int64_t n = 0;
  switch (type) {
    case '+':
    case '-':
      return head.find('\r') == std::string_view::npos;
    case ':':
      return ParseInt64Strict(head, &n);
    case '_':
    case '#':
    case ',':
      return resp3;
    case '$':
    case '=':
      if (type == '=' && !resp3) return false;
      if (!ParseInt64Strict(head, &n) || n < -1) return false;
      if (n == -1) return type == '$' && !resp3;  // RESP3 spells nulls "_"
      if (reply.size() - *pos < static_cast<size_t>(n) + 2 ||
          reply.substr(*pos + static_cast<size_t>(n), 2) != "\r\n") {
        return false;
      }
      *pos += static_cast<size_t>(n) + 2;
      return true;
    case '*':
    case '~':
    case '%': {
      if (type != '*' && !resp3) return false;
      if (!ParseInt64Strict(head, &n) || n < -1) return false;
      if (n == -1) return type == '*' && !resp3;
      for (int64_t i = 0; i < (type == '%' ? 2 * n : n); ++i) {
        if (!ParseReply(reply, pos, resp3, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Runs `commands` as one connection would; aborts on a missing, extra or malformed reply.
inline void ExecuteAndCheckReplies(const std::vector<Argv>& commands) {
  ManualClock clock;
  MemKvStore store(&clock);
  metrics::Registry registry;
  ServerConfig config;
  config.proto_max_bulk_len = 1 << 20;  // bounds SETRANGE / APPEND / LCS memory
  ServerState state(&store, &clock, config, &registry);
  Session session;
  for (const Argv& argv : commands) {
    // proto-max-bulk-len set high would let one SETRANGE allocate gigabytes: keep it bounded.
    bool unbounded = false;
    for (const std::string& a : argv) unbounded |= EqualsIgnoreCase(a, "proto-max-bulk-len");
    if (unbounded && EqualsIgnoreCase(argv[0], "config")) continue;
    const bool resp3 = session.protocol == 3;
    std::string out;
    ExecuteCommand(&state, &session, argv, &out);
    size_t pos = 0;
    // HELLO answers in the protocol it switches to.
    const bool reply_resp3 = EqualsIgnoreCase(argv[0], "hello") ? session.protocol == 3 : resp3;
    if (!ParseReply(out, &pos, reply_resp3) || pos != out.size()) std::abort();
    if (session.close_after_reply) break;
  }
}

inline int RespFuzzOne(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool authenticated : {true, false}) {
    ParseTrace whole = ParseInChunks(input, 0, authenticated);
    ParseTrace pieces = ParseInChunks(input, 1 + size % 7, authenticated);
    if (whole.commands != pieces.commands || whole.error != pieces.error) std::abort();
    for (const Argv& argv : whole.commands) {
      if (!authenticated) break;
      std::string encoded = EncodeCommand(argv);
      ParseTrace again = ParseInChunks(encoded, 0, true);
      // Arguments can exceed the limits only if the original did not parse them; so re-parsing
      // must succeed and give the same command back.
      if (!again.error.empty() || again.commands.size() != 1 || again.commands[0] != argv) {
        std::abort();
      }
    }
    // Error replies must stay one line whatever the input was.
    std::string reply;
    if (!whole.error.empty()) AppendError(&reply, whole.error);
    if (reply.find('\n') != reply.size() - 1 && !reply.empty()) std::abort();
    if (authenticated) ExecuteAndCheckReplies(whole.commands);
  }
  return 0;
}

}  // namespace nokv::redis::fuzz
