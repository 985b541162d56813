// Data-driven tests (etcd/raft's and Pebble's testdata style): a text file of cases, each an
// input, a line "----", and the expected output, cases separated by blank lines; lines starting
// with '#' are comments. A test turns each case's input into actual output; a mismatch fails
// with both. NOKV_REWRITE_TESTDATA=1 writes the actual outputs back into the file instead, for
// review in the diff.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nokv::test {

struct DataCase {
  int line = 0;  // where the case starts (1-based)
  std::vector<std::string> input;
  std::vector<std::string> expected;
};

// Runs `fn` over every case of `path` (see above). Returns false (after reporting through
// gtest) when the file cannot be read or is malformed.
bool RunDataDriven(const std::string& path,
                   const std::function<std::vector<std::string>(const DataCase&)>& fn);

}  // namespace nokv::test
