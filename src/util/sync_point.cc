#include "src/util/sync_point.h"

#include <map>
#include <mutex>

namespace nokv {
namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, SyncPoints::Callback, std::less<>>& Callbacks() {
  static std::map<std::string, SyncPoints::Callback, std::less<>> callbacks;
  return callbacks;
}

}  // namespace

std::atomic<int> SyncPoints::installed_{0};

void SyncPoints::Set(std::string_view name, Callback cb) {
  std::lock_guard<std::mutex> lock(Mu());
  Callbacks()[std::string(name)] = std::move(cb);
  installed_.store(static_cast<int>(Callbacks().size()));
}

void SyncPoints::Clear(std::string_view name) {
  std::lock_guard<std::mutex> lock(Mu());
  auto it = Callbacks().find(name);
  if (it != Callbacks().end()) Callbacks().erase(it);
  installed_.store(static_cast<int>(Callbacks().size()));
}

void SyncPoints::ClearAll() {
  std::lock_guard<std::mutex> lock(Mu());
  Callbacks().clear();
  installed_.store(0);
}

void SyncPoints::Process(std::string_view name, void* arg) {
  Callback cb;
  {
    std::lock_guard<std::mutex> lock(Mu());
    auto it = Callbacks().find(name);
    if (it == Callbacks().end()) return;
    cb = it->second;  // run outside the lock so callbacks may block or re-enter
  }
  cb(arg);
}

}  // namespace nokv
