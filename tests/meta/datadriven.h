// A small data-driven test runner (etcd/raft's datadriven idea). A test file is a sequence of
// cases:
//
//   # comments and blank lines between cases are kept as they are
//   <command> [args...]
//   <input lines...>
//   ----
//   <expected output lines...>
//   <blank line>
//
// The handler turns (command line, input) into output; the runner compares it with the
// expected text. NOKV_REWRITE=1 rewrites the file with the actual outputs instead (review the
// diff before committing). Expected output may not contain blank lines.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "engine/vfs/vfs.h"

namespace nokv::test {

using DataDrivenHandler =
    std::function<std::string(const std::string& command, const std::string& input)>;

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

inline void RunDataDriven(const std::string& path, const DataDrivenHandler& handler) {
  std::string text;
  ASSERT_TRUE(ReadFileToString(*VFS::Default(), path, &text).ok()) << path;
  const bool rewrite = std::getenv("NOKV_REWRITE") != nullptr;
  const std::vector<std::string> lines = SplitLines(text);
  std::string rewritten;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      rewritten += line + "\n";
      ++i;
      continue;
    }
    const size_t case_line = i + 1;
    const std::string command = line;
    std::string input;
    ++i;
    while (i < lines.size() && lines[i] != "----") input += lines[i++] + "\n";
    ASSERT_LT(i, lines.size()) << path << ":" << case_line << ": case without ----";
    ++i;  // ----
    std::string expected;
    while (i < lines.size() && !lines[i].empty()) expected += lines[i++] + "\n";
    std::string actual = handler(command, input);
    if (!actual.empty() && actual.back() != '\n') actual += "\n";
    rewritten += command + "\n" + input + "----\n" + actual;
    if (!rewrite) {
      EXPECT_EQ(actual, expected) << path << ":" << case_line << ": " << command << "\n" << input;
    }
  }
  if (rewrite) {
    ASSERT_TRUE(WriteStringToFile(*VFS::Default(), rewritten, path, true).ok()) << path;
  }
}

}  // namespace nokv::test
