// The fold and its validation, driven by testdata/*.txt: event logs in, folded state or the
// rejection out. Commands:
//   append        one event per input line (protobuf text format of metapb.Event); prints
//                 "ok revision N" or "rejected: <why>" (the state is unchanged then)
//   state         DescribeState of the fold so far
//   roundtrip     checkpoint (ToProto/FromProto) and compare the rendering; prints "ok"
//   reset         start from the empty state
// "$LEGACY" in an event stands for the digest of the current legacy (what a successor
// computes after reading it). Regenerate expected outputs with NOKV_REWRITE=1.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "google/protobuf/text_format.h"
#include "meta/state.h"
#include "meta/state_text.h"
#include "tests/meta/datadriven.h"

namespace nokv::meta {
namespace {

std::string Substitute(std::string line, const MetaState& state) {
  const std::string placeholder = "$LEGACY";
  size_t at = line.find(placeholder);
  if (at != std::string::npos) {
    std::string digest = absl::CEscape(LegacyDigest(state.authority().legacy()));
    line.replace(at, placeholder.size(), digest);
  }
  return line;
}

class StateDriver {
 public:
  std::string Run(const std::string& command, const std::string& input) {
    if (command == "reset") {
      state_ = MetaState();
      return "ok";
    }
    if (command == "state") return DescribeState(state_);
    if (command == "roundtrip") {
      auto again = MetaState::FromProto(state_.ToProto());
      if (!again.ok()) return "error: " + std::string(again.status().message());
      return DescribeState(*again) == DescribeState(state_) ? "ok" : "MISMATCH";
    }
    if (command == "append") {
      metapb::EventBatch batch;
      batch.set_revision(state_.revision() + 1);
      for (const std::string& line : test::SplitLines(input)) {
        if (line.empty()) continue;
        if (!google::protobuf::TextFormat::ParseFromString(Substitute(line, state_),
                                                           batch.add_events())) {
          return "bad event text: " + line;
        }
      }
      absl::Status s = state_.ApplyBatch(batch);
      if (!s.ok()) return "rejected: " + std::string(s.message());
      return "ok revision " + std::to_string(state_.revision());
    }
    return "unknown command " + command;
  }

 private:
  MetaState state_;
};

class StateDataDrivenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StateDataDrivenTest, Run) {
  StateDriver driver;
  test::RunDataDriven(
      std::string(NOKV_META_TESTDATA) + "/" + GetParam(),
      [&](const std::string& c, const std::string& in) { return driver.Run(c, in); });
}

INSTANTIATE_TEST_SUITE_P(Files, StateDataDrivenTest,
                         ::testing::Values("topology.txt", "split_merge.txt", "peer_changes.txt",
                                           "authority.txt", "allocators.txt"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           return name;
                         });

}  // namespace
}  // namespace nokv::meta
