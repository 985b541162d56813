#include "coordinator/client/era_guard.h"

#include <algorithm>

#include "src/util/str_cat.h"

namespace nokv::coordinator {

absl::Status EraGuard::Admit(const coordinatorpb::ResponseHeader& header, bool allocator) {
  std::lock_guard<std::mutex> lock(mu_);
  sealed_through_ = std::max(sealed_through_, header.sealed_through());
  if (header.era() < newest_era_ || header.era() <= sealed_through_) {
    ++refused_;
    return absl::FailedPreconditionError(
        StrCat("reply of era ", header.era(), " from coordinator ", header.responder_id(),
               " refused: era ", std::max(newest_era_, sealed_through_),
               header.era() <= sealed_through_ ? " is sealed" : " is newer"));
  }
  if (allocator) {
    const uint64_t now = clock_->NowUnixMillis();
    if (now + drift_ms_ >= header.lease_expires_ms()) {
      ++refused_;
      return absl::FailedPreconditionError(
          StrCat("reply of era ", header.era(), " from coordinator ", header.responder_id(),
                 " refused: it arrived at ", now, " ms, its lease ends at ",
                 header.lease_expires_ms(), " ms (drift bound ", drift_ms_, " ms)"));
    }
  }
  newest_era_ = std::max(newest_era_, header.era());
  return absl::OkStatus();
}

void EraGuard::Observe(const coordinatorpb::ResponseHeader& header) {
  std::lock_guard<std::mutex> lock(mu_);
  newest_era_ = std::max(newest_era_, header.era());
  sealed_through_ = std::max(sealed_through_, header.sealed_through());
}

uint64_t EraGuard::newest_era() const {
  std::lock_guard<std::mutex> lock(mu_);
  return newest_era_;
}

uint64_t EraGuard::sealed_through() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sealed_through_;
}

uint64_t EraGuard::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

}  // namespace nokv::coordinator
