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
    // Commands the fuzz target also executes: RESP3, MULTI queueing, CONFIG / CLIENT arguments.
    "HELLO 3\r\nGET nosuch\r\nMGET a b\r\nCONFIG GET max*\r\nCLIENT INFO\r\nHELLO 2\r\n"sv,
    "HELLO 3 AUTH default x SETNAME n\r\nCOMMAND INFO get nosuch\r\nCOMMAND DOCS set\r\n"sv,
    "MULTI\r\nSET a 1\r\nINCR a\r\nNOSUCH\r\nEXEC\r\n"sv,
    "MULTI\r\nSELECT 3\r\nSET a 1\r\nSWAPDB 3 0\r\nKEYS *\r\nDBSIZE\r\nFLUSHDB\r\nEXEC\r\n"sv,
    "WATCH a b\r\nSET a 2\r\nMULTI\r\nGET a\r\nEXEC\r\nUNWATCH\r\nDISCARD\r\n"sv,
    "CONFIG SET maxclients 5 timeout 0\r\nCONFIG SET save \"1 2\"\r\nCONFIG GET *\r\n"sv,
    "CONFIG SET nosuch 1 maxclients\r\nCONFIG RESETSTAT\r\nCONFIG REWRITE\r\nCONFIG x\r\n"sv,
    "CLIENT SETNAME a\r\nCLIENT LIST ID 1 x\r\nCLIENT KILL ID 1 SKIPME yes TYPE normal\r\n"sv,
    "CLIENT KILL 1.2.3.4:5\r\nCLIENT NO-EVICT on\r\nCLIENT LIST TYPE pubsub\r\nRESET\r\n"sv,
    "SET k1 ohmytext\r\nSET k2 mynewtext\r\nLCS k1 k2 IDX MINMATCHLEN 2 WITHMATCHLEN\r\n"sv,
    "COPY a b DB 1 REPLACE\r\nMOVE b 2\r\nOBJECT ENCODING a\r\nEXPIRETIME a\r\n"sv,
};

}  // namespace nokv::redis::fuzz
