// Replays seed configs and random mutations of them through the fuzz entry point, so CI checks
// the parser's invariants (no crash, named rejections, lossless round trip) without libFuzzer.
#include <gtest/gtest.h>

#include "src/util/random.h"
#include "tests/config/config_fuzz_target.h"
#include "tests/config/test_cluster_config.h"
#include "tests/test_seed.h"

namespace nokv::config::fuzz {
namespace {

int FuzzOne(std::string_view input) {
  return ConfigFuzzOne(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (int coordinators : {1, 3}) {
    test::TestClusterShape shape;
    shape.coordinators = coordinators;
    shape.split_keys = coordinators == 1 ? std::vector<std::string>{"m"}
                                         : std::vector<std::string>{"c", "hex:6d00", "x"};
    seeds.push_back(ClusterConfigToJson(test::MakeTestClusterConfig(shape)));
  }
  seeds.push_back("{}");
  seeds.push_back("{\"regions\":[{\"id\":1,\"peers\":[{\"peer_id\":2,\"store_id\":1}]}]}");
  return seeds;
}

TEST(ConfigFuzzReplayTest, SeedsHoldTheInvariants) {
  for (const std::string& seed : Seeds()) EXPECT_EQ(FuzzOne(seed), 0);
}

TEST(ConfigFuzzReplayTest, MutatedSeedsHoldTheInvariants) {
  const uint64_t seed = test::SeedFromEnv(20261129);
  Random rnd(seed);
  const std::vector<std::string> seeds = Seeds();
  const std::string_view alphabet = "{}[]:,\"0123456789-.e hex:abcdefmz\\u";
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string input = seeds[rnd.Uniform(seeds.size())];
    const int edits = 1 + static_cast<int>(rnd.Uniform(3));
    for (int e = 0; e < edits; ++e) {
      const size_t at = input.empty() ? 0 : rnd.Uniform(input.size() + 1);
      const char ch = rnd.OneIn(5) ? static_cast<char>(rnd.Uniform(256))
                                   : alphabet[rnd.Uniform(alphabet.size())];
      switch (rnd.Uniform(4)) {
        case 0:
          input.insert(input.begin() + at, ch);
          break;
        case 1:
          if (at < input.size()) input[at] = ch;
          break;
        case 2:
          if (at < input.size()) input.erase(at, 1);
          break;
        default:
          // Change one digit: ids, ports and counts are where validation lives.
          for (size_t p = at; p < input.size(); ++p) {
            if (input[p] >= '0' && input[p] <= '9') {
              input[p] = static_cast<char>('0' + rnd.Uniform(10));
              break;
            }
          }
          break;
      }
    }
    ASSERT_EQ(FuzzOne(input), 0) << "seed " << seed << " iteration " << i;
    accepted += ParseClusterConfig(input, "x").ok();
  }
  // The mutations must reach both sides of validation, or the replay checks nothing.
  EXPECT_GT(accepted, 50) << "seed " << seed;
  EXPECT_LT(accepted, 4900) << "seed " << seed;
}

}  // namespace
}  // namespace nokv::config::fuzz
