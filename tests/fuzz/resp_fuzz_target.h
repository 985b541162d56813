// The RESP parser fuzz entry point, shared by the libFuzzer binary (resp_fuzz.cc) and the gtest
// that replays a corpus of tricky inputs (tests/src/redis/resp_corpus_test.cc).
//
// Checks, for any input: the parser never crashes or over-reads; parsing the input in one piece
// and in small pieces yields the same commands and the same error; and every command parsed
// re-encodes to RESP that parses back to the same argv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/redis/resp.h"

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
  }
  return 0;
}

}  // namespace nokv::redis::fuzz
