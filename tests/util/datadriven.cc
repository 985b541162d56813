#include "tests/util/datadriven.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace nokv::test {

bool RunDataDriven(const std::string& path,
                   const std::function<std::vector<std::string>(const DataCase&)>& fn) {
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return false;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const bool rewrite = std::getenv("NOKV_REWRITE_TESTDATA") != nullptr;
  std::vector<std::string> rewritten;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      rewritten.push_back(lines[i++]);
      continue;
    }
    DataCase c;
    c.line = static_cast<int>(i) + 1;
    while (i < lines.size() && lines[i] != "----") {
      if (lines[i].empty()) {
        ADD_FAILURE() << path << ":" << c.line << ": case without a \"----\" line";
        return false;
      }
      rewritten.push_back(lines[i]);
      c.input.push_back(lines[i++]);
    }
    if (i == lines.size()) {
      ADD_FAILURE() << path << ":" << c.line << ": case without a \"----\" line";
      return false;
    }
    rewritten.push_back(lines[i++]);  // ----
    while (i < lines.size() && !lines[i].empty()) c.expected.push_back(lines[i++]);
    const std::vector<std::string> actual = fn(c);
    rewritten.insert(rewritten.end(), actual.begin(), actual.end());
    if (!rewrite && actual != c.expected) {
      std::ostringstream msg;
      msg << path << ":" << c.line << ": output differs\n--- input\n";
      for (const auto& l : c.input) msg << l << "\n";
      msg << "--- expected\n";
      for (const auto& l : c.expected) msg << l << "\n";
      msg << "--- actual\n";
      for (const auto& l : actual) msg << l << "\n";
      ADD_FAILURE() << msg.str();
    }
  }
  if (rewrite) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& l : rewritten) out << l << "\n";
  }
  return true;
}

}  // namespace nokv::test
