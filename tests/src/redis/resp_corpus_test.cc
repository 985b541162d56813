// Replays the fuzz corpus and random mutations of it through the fuzz entry point, so CI
// exercises the fuzzer's invariants without libFuzzer.
#include "tests/fuzz/resp_corpus.h"

#include <gtest/gtest.h>

#include "src/util/random.h"
#include "tests/fuzz/resp_fuzz_target.h"

namespace nokv::redis::fuzz {
namespace {

int FuzzOne(std::string_view input) {
  return RespFuzzOne(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(RespCorpusTest, SeedsHoldTheInvariants) {
  for (std::string_view input : kRespCorpus) EXPECT_EQ(FuzzOne(input), 0);
}

TEST(RespCorpusTest, MutatedSeedsHoldTheInvariants) {
  const uint64_t seed = 20261124;
  Random rnd(seed);
  const std::string_view alphabet = "*$\r\n-0123456789 \"'\\xPINGa";
  for (int i = 0; i < 20000; ++i) {
    std::string input(kRespCorpus[rnd.Uniform(std::size(kRespCorpus))]);
    // Splice two seeds, then flip, insert and delete a few bytes.
    if (rnd.OneIn(3)) input += kRespCorpus[rnd.Uniform(std::size(kRespCorpus))];
    int edits = 1 + static_cast<int>(rnd.Uniform(4));
    for (int e = 0; e < edits; ++e) {
      size_t at = input.empty() ? 0 : rnd.Uniform(input.size() + 1);
      char ch = rnd.OneIn(4) ? static_cast<char>(rnd.Uniform(256))
                             : alphabet[rnd.Uniform(alphabet.size())];
      switch (rnd.Uniform(3)) {
        case 0:
          input.insert(input.begin() + at, ch);
          break;
        case 1:
          if (at < input.size()) input[at] = ch;
          break;
        default:
          if (at < input.size()) input.erase(at, 1);
          break;
      }
    }
    ASSERT_EQ(FuzzOne(input), 0) << "seed " << seed << " iteration " << i;
  }
}

}  // namespace
}  // namespace nokv::redis::fuzz
