#include "src/redis/resp.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "src/util/str_cat.h"

namespace nokv::redis {

bool ParseInt64Strict(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  // The first digit must be 1-9: rejects "+1", " 1", "01", "-0".
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = s[i] - '0';
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

}  // namespace

bool SplitInlineArgs(std::string_view line, Argv* out) {
  out->clear();
  // Redis splits a C string: a NUL ends the line.
  line = line.substr(0, line.find('\0'));
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    std::string current;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;  // unterminated "..."
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && IsHexDigit(line[i + 2]) &&
            IsHexDigit(line[i + 3])) {
          current.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          switch (line[i]) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(line[i]);
              break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or the end of the line.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          current.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else {
        if (i >= n) break;
        char c = line[i];
        if (IsSpace(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          current.push_back(c);
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(current));
  }
}

void RespParser::Reset() {
  multibulk_remaining_ = 0;
  bulk_len_ = -1;
  args_.clear();
  pending_bytes_ = 0;
  error_.clear();
}

RespParser::Result RespParser::Fail(std::string message) {
  error_ = std::move(message);
  return Result::kError;
}

RespParser::Result RespParser::Next(std::string_view input, size_t* pos, Argv* argv) {
  if (in_error()) return Result::kError;
  while (*pos < input.size()) {
    skipped_empty_ = false;
    Result r = (multibulk_remaining_ == 0 && input[*pos] != '*') ? ParseInline(input, pos, argv)
                                                                 : ParseMultibulk(input, pos, argv);
    // An ignored empty command ("\r\n", "*0\r\n") consumed bytes: look at what follows.
    if (r == Result::kNeedMore && skipped_empty_) continue;
    return r;
  }
  return Result::kNeedMore;
}

RespParser::Result RespParser::ParseInline(std::string_view input, size_t* pos, Argv* argv) {
  std::string_view rest = input.substr(*pos);
  size_t newline = rest.find('\n');
  // The limit applies whether or not the newline has arrived yet, so the outcome does not
  // depend on how the bytes were split into reads.
  if ((newline == std::string_view::npos ? rest.size() : newline) > limits_.max_inline_bytes) {
    return Fail("ERR Protocol error: too big inline request");
  }
  if (newline == std::string_view::npos) return Result::kNeedMore;
  std::string_view line = rest.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Argv args;
  if (!SplitInlineArgs(line, &args)) {
    return Fail("ERR Protocol error: unbalanced quotes in request");
  }
  *pos += newline + 1;
  if (args.empty()) {
    skipped_empty_ = true;  // a blank line is ignored, as Redis does
    return Result::kNeedMore;
  }
  *argv = std::move(args);
  return Result::kCommand;
}

RespParser::Result RespParser::ParseMultibulk(std::string_view input, size_t* pos, Argv* argv) {
  if (multibulk_remaining_ == 0) {
    // "*<count>\r\n"
    std::string_view rest = input.substr(*pos);
    size_t cr = rest.find('\r');
    if ((cr == std::string_view::npos ? rest.size() : cr) > limits_.max_inline_bytes) {
      return Fail("ERR Protocol error: too big mbulk count string");
    }
    if (cr == std::string_view::npos) return Result::kNeedMore;
    if (cr + 2 > rest.size()) return Result::kNeedMore;  // the '\n' has not arrived
    int64_t count = 0;
    bool ok = ParseInt64Strict(rest.substr(1, cr - 1), &count);
    if (!ok || count > limits_.max_array_len) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    if (!authenticated_ && count > limits_.unauthenticated_max_array_len) {
      return Fail("ERR Protocol error: unauthenticated multibulk length");
    }
    *pos += cr + 2;
    if (count <= 0) {
      skipped_empty_ = true;  // "*0" and "*-1" are ignored
      return Result::kNeedMore;
    }
    multibulk_remaining_ = count;
    args_.clear();
    args_.reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
    pending_bytes_ = 0;
  }
  while (multibulk_remaining_ > 0) {
    std::string_view rest = input.substr(*pos);
    if (bulk_len_ < 0) {
      size_t cr = rest.find('\r');
      if ((cr == std::string_view::npos ? rest.size() : cr) > limits_.max_inline_bytes) {
        return Fail("ERR Protocol error: too big bulk count string");
      }
      if (cr == std::string_view::npos) return Result::kNeedMore;
      if (cr + 2 > rest.size()) return Result::kNeedMore;
      if (rest[0] != '$') {
        return Fail(StrCat("ERR Protocol error: expected '$', got '", rest[0], "'"));
      }
      int64_t len = 0;
      bool ok = ParseInt64Strict(rest.substr(1, cr - 1), &len);
      if (!ok || len < 0 || len > limits_.max_bulk_bytes) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      if (!authenticated_ && len > limits_.unauthenticated_max_bulk_bytes) {
        return Fail("ERR Protocol error: unauthenticated bulk length");
      }
      *pos += cr + 2;
      bulk_len_ = len;
      rest = input.substr(*pos);
    }
    // Like Redis, the two bytes after the payload are skipped without being inspected.
    if (rest.size() < static_cast<size_t>(bulk_len_) + 2) return Result::kNeedMore;
    args_.emplace_back(rest.substr(0, static_cast<size_t>(bulk_len_)));
    pending_bytes_ += static_cast<size_t>(bulk_len_);
    *pos += static_cast<size_t>(bulk_len_) + 2;
    bulk_len_ = -1;
    --multibulk_remaining_;
  }
  *argv = std::move(args_);
  args_.clear();
  pending_bytes_ = 0;
  return Result::kCommand;
}

void AppendSimpleString(std::string* out, std::string_view s) {
  out->push_back('+');
  out->append(s);
  out->append("\r\n");
}

void AppendError(std::string* out, std::string_view message) {
  out->push_back('-');
  size_t start = out->size();
  out->append(message);
  for (size_t i = start; i < out->size(); ++i) {
    if ((*out)[i] == '\r' || (*out)[i] == '\n') (*out)[i] = ' ';
  }
  out->append("\r\n");
}

namespace {
void AppendPrefixedNumber(std::string* out, char prefix, int64_t value) {
  char buf[24];
  buf[0] = prefix;
  auto res = std::to_chars(buf + 1, buf + sizeof(buf), value);
  out->append(buf, res.ptr - buf);
  out->append("\r\n");
}
}  // namespace

void AppendInteger(std::string* out, int64_t value) { AppendPrefixedNumber(out, ':', value); }

void AppendBulk(std::string* out, std::string_view value) {
  AppendPrefixedNumber(out, '$', static_cast<int64_t>(value.size()));
  out->append(value);
  out->append("\r\n");
}

void AppendArrayHeader(std::string* out, int64_t count) { AppendPrefixedNumber(out, '*', count); }
void AppendOk(std::string* out) { out->append("+OK\r\n"); }

void AppendNull(std::string* out, int protocol) {
  out->append(protocol >= 3 ? "_\r\n" : "$-1\r\n");
}
void AppendNullArray(std::string* out, int protocol) {
  out->append(protocol >= 3 ? "_\r\n" : "*-1\r\n");
}
void AppendMapHeader(std::string* out, int64_t pairs, int protocol) {
  if (protocol >= 3) return AppendPrefixedNumber(out, '%', pairs);
  AppendPrefixedNumber(out, '*', pairs * 2);
}
void AppendSetHeader(std::string* out, int64_t count, int protocol) {
  AppendPrefixedNumber(out, protocol >= 3 ? '~' : '*', count);
}
void AppendVerbatim(std::string* out, std::string_view text, int protocol) {
  if (protocol < 3) return AppendBulk(out, text);
  AppendPrefixedNumber(out, '=', static_cast<int64_t>(text.size() + 4));
  out->append("txt:");
  out->append(text);
  out->append("\r\n");
}

namespace {

// Converts the RESP3 value at in[*pos] into RESP2 (or copies it for `protocol` 3).
bool ConvertResp3(std::string_view in, size_t* pos, int protocol, std::string* out, int depth) {
  if (depth > 64 || *pos >= in.size()) return false;
  const size_t start = *pos;
  const size_t eol = in.find("\r\n", start);
  if (eol == std::string_view::npos) return false;
  const char type = in[start];
  const std::string_view head = in.substr(start + 1, eol - start - 1);
  *pos = eol + 2;
  int64_t n = 0;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case '#':
    case ',':
    case '(':
      if (protocol >= 3 || type == '+' || type == '-' || type == ':') {
        out->append(in.substr(start, *pos - start));
      } else if (type == '_') {
        AppendNull(out, 2);
      } else if (type == '#') {
        AppendInteger(out, head == "t" ? 1 : 0);
      } else {
        AppendBulk(out, head);
      }
      return true;
    case '$':
    case '=':
      if (!ParseInt64Strict(head, &n) || n < 0 || in.size() - *pos < static_cast<size_t>(n) + 2) {
        return false;
      }
      if (protocol >= 3 || type == '$') {
        out->append(in.substr(start, *pos - start + static_cast<size_t>(n) + 2));
      } else {
        AppendBulk(out, in.substr(*pos + std::min<size_t>(4, static_cast<size_t>(n)),
                                  static_cast<size_t>(n) - std::min<size_t>(4, n)));
      }
      *pos += static_cast<size_t>(n) + 2;
      return true;
    case '*':
    case '~':
    case '%': {
      if (!ParseInt64Strict(head, &n) || n < 0) return false;
      const int64_t items = type == '%' ? 2 * n : n;
      if (protocol >= 3) {
        out->append(in.substr(start, *pos - start));
      } else {
        AppendArrayHeader(out, items);
      }
      for (int64_t i = 0; i < items; ++i) {
        if (!ConvertResp3(in, pos, protocol, out, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

bool AppendResp3(std::string* out, std::string_view resp3, int protocol) {
  std::string converted;
  size_t pos = 0;
  if (!ConvertResp3(resp3, &pos, protocol, &converted, 0) || pos != resp3.size()) return false;
  out->append(converted);
  return true;
}

std::string EncodeCommand(const Argv& argv) {
  std::string out;
  AppendArrayHeader(&out, static_cast<int64_t>(argv.size()));
  for (const auto& a : argv) AppendBulk(&out, a);
  return out;
}

}  // namespace nokv::redis
