// The KvStore backends every command-level test runs against: "mem" (MemKvStore, the reference
// model) and, when the engine is built, "embedded" (EmbeddedKvStore on a DB over MemVFS), both
// on a ManualClock.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/util/clock.h"
#include "tests/src/redis/command_test_util.h"
#include "tests/src/redis/mem_kv_store.h"
#ifdef NOKV_HAVE_ENGINE
#include "engine/vfs/mem_vfs.h"
#include "nokv/db.h"
#include "src/redis/embedded_kv_store.h"
#endif

namespace nokv::redis::testing {

// A backend under test: owns whatever the store needs.
struct Backend {
  std::unique_ptr<ManualClock> clock = std::make_unique<ManualClock>();
  std::unique_ptr<KvStore> store;
  std::function<void()> close;
#ifdef NOKV_HAVE_ENGINE
  std::unique_ptr<MemVFS> vfs;
  std::unique_ptr<DB> db;
#endif
  ~Backend() {
    store.reset();
    if (close) close();
  }
};

inline std::unique_ptr<Backend> MakeBackend(const std::string& name) {
  auto b = std::make_unique<Backend>();
  if (name == "mem") {
    b->store = std::make_unique<MemKvStore>(b->clock.get());
    return b;
  }
#ifdef NOKV_HAVE_ENGINE
  b->vfs = std::make_unique<MemVFS>();
  Options options;
  options.vfs = b->vfs.get();
  options.clock = b->clock.get();
  auto db = DB::Open(options, "/redis");
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  b->db = std::move(*db);
  auto store = EmbeddedKvStore::Open(b->db.get(), b->clock.get(), EmbeddedKvStoreOptions());
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  b->store = std::move(*store);
  Backend* raw = b.get();
  b->close = [raw] { EXPECT_TRUE(raw->db->Close().ok()); };
#endif
  return b;
}

inline std::vector<std::string> BackendNames() {
#ifdef NOKV_HAVE_ENGINE
  return {"mem", "embedded"};
#else
  return {"mem"};
#endif
}

// A command harness on a fresh backend named by the test parameter.
class BackendCommandTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = MakeBackend(GetParam());
    ASSERT_NE(backend_, nullptr);
    h_ = std::make_unique<CommandHarness>(backend_->store.get(), backend_->clock.get());
  }
  std::string Run(const Argv& argv) { return h_->Run(argv); }
  // Runs a command for another connection.
  std::string RunAs(Session* session, const Argv& argv) {
    std::string out;
    ExecuteCommand(h_->state(), session, argv, &out);
    return out;
  }
  void Advance(uint64_t ms) { backend_->clock->AdvanceMillis(ms); }
  uint64_t NowMs() { return backend_->clock->NowUnixMillis(); }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<CommandHarness> h_;
};

}  // namespace nokv::redis::testing
