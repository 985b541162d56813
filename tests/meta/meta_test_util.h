// Event builders and a reference fold for meta tests.
#pragma once

#include <string>
#include <vector>

#include "meta/meta.pb.h"
#include "meta/state.h"
#include "meta/state_text.h"

namespace nokv::meta::test {

inline metapb::Event StoreJoined(uint64_t id, const std::string& address) {
  metapb::Event e;
  auto* s = e.mutable_store_joined()->mutable_store();
  s->set_store_id(id);
  s->set_address(address);
  return e;
}

inline metapb::Event TenureBootstrap(uint64_t holder, uint64_t issued_ms, uint64_t expires_ms) {
  metapb::Event e;
  auto* t = e.mutable_tenure_issued()->mutable_tenure();
  t->set_era(1);
  t->set_holder_id(holder);
  t->set_issued_at_ms(issued_ms);
  t->set_expires_ms(expires_ms);
  return e;
}

inline metapb::Event TsoFenced(uint64_t era, uint64_t fence) {
  metapb::Event e;
  e.mutable_tso_fenced()->set_era(era);
  e.mutable_tso_fenced()->set_fence(fence);
  return e;
}

inline metapb::Event IdFenced(uint64_t era, uint64_t fence) {
  metapb::Event e;
  e.mutable_id_fenced()->set_era(era);
  e.mutable_id_fenced()->set_fence(fence);
  return e;
}

// A workload of `n` valid batches: era 1 for holder 1, then stores joining and fences growing,
// some batches with several events.
inline std::vector<std::vector<metapb::Event>> FenceWorkload(int n) {
  std::vector<std::vector<metapb::Event>> batches;
  batches.push_back({TenureBootstrap(1, 1000, 4000)});
  for (int i = 1; i < n; ++i) {
    std::vector<metapb::Event> batch = {TsoFenced(1, 1000 * i)};
    if (i % 3 == 0) batch.push_back(IdFenced(1, 100 * i));
    if (i % 7 == 0) batch.push_back(StoreJoined(i, "store-" + std::to_string(i)));
    batches.push_back(std::move(batch));
  }
  return batches;
}

// The fold of the first `revision` batches, rendered.
inline std::string ExpectedAfter(const std::vector<std::vector<metapb::Event>>& batches,
                                 uint64_t revision) {
  MetaState state;
  for (uint64_t r = 0; r < revision && r < batches.size(); ++r) {
    metapb::EventBatch b;
    b.set_revision(r + 1);
    for (const auto& e : batches[r]) *b.add_events() = e;
    if (!state.ApplyBatch(b).ok()) return "workload batch rejected";
  }
  return DescribeState(state);
}

}  // namespace nokv::meta::test
