// Quickstart: opens a workdir, writes, reads, iterates, reopens and prints what it saw.
//   ./build/quickstart [workdir]     (default /tmp/nokv-quickstart, recreated each run)
#include <chrono>
#include <cstdio>
#include <string>

#include "nokv/db.h"

namespace {

int Fail(const char* what, const absl::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "/tmp/nokv-quickstart";
  nokv::Options options;
  if (auto s = nokv::DestroyDB(options, dir); !s.ok()) return Fail("destroy", s);
  auto opened = nokv::DB::Open(options, dir);
  if (!opened.ok()) return Fail("open", opened.status());
  std::unique_ptr<nokv::DB> db = std::move(*opened);

  constexpr int kKeys = 100000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kKeys; ++i) {
    char key[32], value[64];
    std::snprintf(key, sizeof(key), "user%08d", i);
    std::snprintf(value, sizeof(value), "value-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
    if (auto s = db->Set(key, value); !s.ok()) return Fail("set", s);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("wrote %d keys in %.3f s (%.0f ops/s)\n", kKeys, secs, kKeys / secs);

  nokv::WriteBatch batch;
  batch.Set("apple", "red");
  batch.Set("banana", "yellow");
  batch.Delete("user00000000");
  batch.DeleteRange("user00000010", "user00000020");
  if (auto s = db->Write(nokv::WriteOptions{.sync = true}, batch); !s.ok()) {
    return Fail("write batch", s);
  }
  if (auto s = db->SetWithTTL("session", "expires-soon", 60'000); !s.ok()) {
    return Fail("set ttl", s);
  }

  start = std::chrono::steady_clock::now();
  int hits = 0;
  for (int i = 0; i < kKeys; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "user%08d", i);
    if (db->Get(key).ok()) ++hits;
  }
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("read %d keys, %d found, in %.3f s (%.0f ops/s)\n", kKeys, hits, secs, kKeys / secs);

  auto apple = db->Get("apple");
  std::printf("get apple -> %s\n", apple.ok() ? apple->c_str() : apple.status().ToString().c_str());
  std::printf("first keys in order:");
  auto it = db->NewIterator(nokv::ReadOptions());
  int shown = 0;
  for (it->SeekToFirst(); it->Valid() && shown < 5; it->Next(), ++shown) {
    std::printf(" %.*s", static_cast<int>(it->key().size()), it->key().data());
  }
  std::printf("\n");
  it.reset();
  if (auto s = db->Flush(); !s.ok()) return Fail("flush", s);
  if (auto s = db->Close(); !s.ok()) return Fail("close", s);
  db.reset();

  auto reopened = nokv::DB::Open(options, dir);
  if (!reopened.ok()) return Fail("reopen", reopened.status());
  db = std::move(*reopened);
  int count = 0;
  auto it2 = db->NewIterator(nokv::ReadOptions());
  for (it2->SeekToFirst(); it2->Valid(); it2->Next()) ++count;
  if (!it2->status().ok()) return Fail("iterate", it2->status());
  it2.reset();
  auto banana = db->Get("banana");
  auto deleted = db->Get("user00000015");
  std::printf("after reopen: %d keys; banana -> %s; user00000015 -> %s\n", count,
              banana.ok() ? banana->c_str() : "missing",
              deleted.ok() ? "present (wrong!)" : "deleted");
  std::string levels;
  db->GetProperty("nokv.sstables", &levels);
  std::printf("sstables:\n%s", levels.c_str());
  int expected = kKeys - 1 - 10 + 3;
  if (count != expected || !banana.ok() || deleted.ok()) {
    std::fprintf(stderr, "unexpected state: %d keys, expected %d\n", count, expected);
    return 1;
  }
  return db->Close().ok() ? 0 : 1;
}
