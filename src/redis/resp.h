// RESP2 request parsing and reply serialization.
//
// RespParser turns the bytes a client sends into commands (argument vectors). It accepts the
// two request forms Redis accepts: multibulk arrays ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline
// commands (a text line split on spaces, with Redis's quoting rules). It is incremental: feed it
// whatever has arrived; it consumes complete commands and keeps partial ones in its own state,
// so a 16 MiB bulk arriving in 4 KiB pieces is scanned once.
//
// Allocation is bounded by what the client actually sent: a declared bulk or array length is
// validated against RespLimits and never used to reserve memory up front beyond a small cap.
// After a protocol error the parser stays in the error state (Redis closes the connection after
// sending the error reply); Reset() clears it.
//
// Thread-safety: none; one parser per connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nokv::redis {

struct RespLimits {
  // Largest accepted bulk string (Redis: proto-max-bulk-len, default 512 MiB).
  int64_t max_bulk_bytes = 512LL << 20;
  // Largest accepted multibulk element count (Redis accepts up to INT_MAX).
  int64_t max_array_len = 2147483647;
  // Longest inline command line, and longest "*<n>" / "$<n>" header line (Redis: 64 KiB).
  size_t max_inline_bytes = 64 << 10;
  // Before AUTH succeeds Redis caps requests much lower so that an unauthenticated peer cannot
  // make the server buffer large requests.
  int64_t unauthenticated_max_array_len = 10;
  int64_t unauthenticated_max_bulk_bytes = 16384;
};

using Argv = std::vector<std::string>;

class RespParser {
 public:
  enum class Result {
    kCommand,   // *argv holds one complete command (never empty)
    kNeedMore,  // every complete command was consumed; wait for more bytes
    kError,     // protocol error; error() holds the reply text without the leading '-'
  };

  explicit RespParser(RespLimits limits = RespLimits()) : limits_(limits) {}

  // Parses from input[*pos...]. Advances *pos past what was consumed (complete commands and
  // fully parsed headers/elements of a command in progress). Bytes before the new *pos are not
  // looked at again, so the caller may drop them.
  Result Next(std::string_view input, size_t* pos, Argv* argv);

  // Unauthenticated clients get the stricter limits (see RespLimits).
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
  // proto-max-bulk-len can change at run time (CONFIG SET).
  void set_max_bulk_bytes(int64_t bytes) { limits_.max_bulk_bytes = bytes; }
  // Bytes of the command being assembled (arguments parsed so far); 0 between commands.
  size_t pending_bytes() const { return pending_bytes_; }
  bool in_error() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void Reset();

 private:
  Result ParseInline(std::string_view input, size_t* pos, Argv* argv);
  Result ParseMultibulk(std::string_view input, size_t* pos, Argv* argv);
  Result Fail(std::string message);

  RespLimits limits_;
  bool authenticated_ = true;
  int64_t multibulk_remaining_ = 0;  // elements still to read; 0 = not inside an array
  int64_t bulk_len_ = -1;            // length of the bulk being read; -1 = header not read yet
  Argv args_;
  size_t pending_bytes_ = 0;
  bool skipped_empty_ = false;
  std::string error_;
};

// Redis's string2ll: an optional '-', no '+', no leading zeros, no spaces, fits in int64.
bool ParseInt64Strict(std::string_view s, int64_t* out);

// Splits an inline command line like Redis's sdssplitargs: spaces separate arguments; "..."
// understands \n \r \t \b \a \\ \" and \xHH; '...' understands only \'. A closing quote must be
// followed by a space or the end. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, Argv* out);

// Reply serialization. Each appends one complete reply to *out. Replies that RESP3 (HELLO 3)
// spells differently take the connection's `protocol` (2 or 3).
void AppendSimpleString(std::string* out, std::string_view s);
// `message` is the full error text, e.g. "ERR syntax error" or "WRONGTYPE ..."; CR and LF in it
// become spaces so a message can never break the framing.
void AppendError(std::string* out, std::string_view message);
void AppendInteger(std::string* out, int64_t value);
void AppendBulk(std::string* out, std::string_view value);
void AppendArrayHeader(std::string* out, int64_t count);
void AppendOk(std::string* out);
// RESP2 "$-1" / "*-1" (a missing value / a missing array); RESP3 "_".
void AppendNull(std::string* out, int protocol);
void AppendNullArray(std::string* out, int protocol);
// A map of `pairs` key/value pairs: RESP2 a flat array of 2*pairs, RESP3 "%".
void AppendMapHeader(std::string* out, int64_t pairs, int protocol);
// A set: RESP2 an array, RESP3 "~".
void AppendSetHeader(std::string* out, int64_t count, int protocol);
// Human-readable text (INFO, CLIENT LIST): RESP2 a bulk string, RESP3 a verbatim "txt" string.
void AppendVerbatim(std::string* out, std::string_view text, int protocol);

// Appends a reply given as RESP3 bytes (e.g. Redis's command metadata), as is for protocol 3;
// for protocol 2 maps become flat arrays, sets arrays, nulls "$-1", booleans integers, doubles
// and verbatim strings bulk strings. Returns false, appending nothing, if `resp3` is not one
// complete RESP3 value.
bool AppendResp3(std::string* out, std::string_view resp3, int protocol);

// Encodes argv as a multibulk request (what a client sends).
std::string EncodeCommand(const Argv& argv);

}  // namespace nokv::redis
