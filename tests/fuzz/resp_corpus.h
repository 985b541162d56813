// Tricky RESP inputs: seeds for the fuzzer and the replay test. Each exercises a parser path
// (limits, partial headers, inline quoting, empty commands, bad lengths).
#pragma once

#include <string_view>

namespace nokv::redis::fuzz {

using namespace std::string_view_literals;

inline constexpr std::string_view kRespCorpus[] = {
    ""sv,
    "\r\n"sv,
    "\n"sv,
    "PING\r\n"sv,
    "PING\n"sv,
    "  PING   \r\n"sv,
    "SET k \"a b\" 'c d'\r\n"sv,
    "SET k \"\\x41\\x4\\n\\\\\"\r\n"sv,
    "SET k \"unterminated\r\n"sv,
    "SET k 'x'y\r\n"sv,
    "SET k \"x\"y\r\n"sv,
    "a\0b c\r\n"sv,
    "*0\r\n"sv,
    "*-1\r\n*1\r\n$4\r\nPING\r\n"sv,
    "*1\r\n$4\r\nPING\r\n"sv,
    "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"sv,
    "*2\r\n$3\r\nGET\r\n$-1\r\n"sv,
    "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"sv,
    "*1\r\n$4\r\nPINGxx"sv,
    "*1\r\n$4\r\nPING\r\n*1\r\n$x\r\nPING\r\n"sv,
    "*20000000000000000000\r\n"sv,
    "*9223372036854775807\r\n"sv,
    "*11\r\n"sv,
    "*1\r\n$20000\r\n"sv,
    "*1\r\n$65537\r\n"sv,
    "*01\r\n$4\r\nPING\r\n"sv,
    "*+1\r\n$4\r\nPING\r\n"sv,
    "*1\r\n$04\r\nPING\r\n"sv,
    "*1\r\n$ 4\r\nPING\r\n"sv,
    "*1\r"sv,
    "*1\r\n$4\r"sv,
    "*1\rX$4\rXPING\r\n"sv,
    "*2\r\n$1\r\na\r\n:1\r\n"sv,
    "$4\r\nPING\r\n"sv,
    "*1\r\n*1\r\n$4\r\nPING\r\n"sv,
    "*3\r\n$3\r\nSET\r\n$1\r\n\x00\r\n$3\r\n\r\n\r\r\n"sv,
    "*1\r\n$-0\r\n"sv,
    "*-0\r\n"sv,
    "\"\\xzz\"\r\n"sv,
    "'\\''\r\n"sv,
    "\"\\\r\n"sv,
};

}  // namespace nokv::redis::fuzz
