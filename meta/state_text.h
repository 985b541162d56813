// Human-readable renderings of meta's state and events: the data-driven tests compare them
// with their expected output, and diagnostics print them. Stable, one fact per line.
#pragma once

#include <string>

#include "meta/meta.pb.h"
#include "meta/state.h"

namespace nokv::meta {

std::string DescribeState(const MetaState& state);
std::string DescribeAuthority(const metapb::AuthorityState& authority);
std::string DescribeRegion(const metapb::RegionDescriptor& region);
std::string DescribeFrontiers(const metapb::Frontiers& frontiers);
const char* PhaseName(metapb::AuthorityPhase phase);
const char* StageName(metapb::HandoverStage stage);

}  // namespace nokv::meta
