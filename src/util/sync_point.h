// Named sync points (RocksDB's test_util/sync_point.h idea): production code marks interesting
// moments with NOKV_SYNC_POINT("Component::Phase"); tests install callbacks to force
// interleavings or inject failures without sleeps. Compiled out unless NOKV_SYNC_POINTS is set;
// when compiled in but no callback is installed, the cost is one relaxed atomic load.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

namespace nokv {

class SyncPoints {
 public:
  using Callback = std::function<void(void* arg)>;
  static void Set(std::string_view name, Callback cb);
  static void Clear(std::string_view name);
  static void ClearAll();
  static void Process(std::string_view name, void* arg);
  static bool AnyInstalled() { return installed_.load(std::memory_order_relaxed) > 0; }

 private:
  static std::atomic<int> installed_;
};

}  // namespace nokv

#ifdef NOKV_SYNC_POINTS
#define NOKV_SYNC_POINT(name) NOKV_SYNC_POINT_ARG(name, nullptr)
#define NOKV_SYNC_POINT_ARG(name, arg)                                              \
  do {                                                                              \
    if (::nokv::SyncPoints::AnyInstalled()) ::nokv::SyncPoints::Process(name, arg); \
  } while (0)
#else
#define NOKV_SYNC_POINT(name) ((void)0)
#define NOKV_SYNC_POINT_ARG(name, arg) ((void)(arg))
#endif
