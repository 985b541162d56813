#include "engine/manifest/version_edit.h"

#include "gtest/gtest.h"

namespace nokv {
namespace {

VersionEdit Sample() {
  VersionEdit e;
  e.SetLogNumber(7);
  e.SetNextFileNumber(12);
  e.SetLastSequence(99);
  e.DeleteFile(0, 4);
  FileMetaData f;
  f.number = 11;
  f.file_size = 4096;
  f.smallest = MakeInternalKey("a", 5, ValueKind::kValue);
  f.largest = MakeInternalKey("z", 9, ValueKind::kDeletion);
  f.unbounded_right = true;
  f.smallest_seq = 5;
  f.largest_seq = 9;
  f.num_entries = 3;
  f.num_deletions = 1;
  f.num_range_deletions = 1;
  e.AddFile(1, f);
  return e;
}

TEST(VersionEditTest, RoundTrip) {
  std::string encoded;
  Sample().EncodeTo(&encoded);
  VersionEdit decoded;
  ASSERT_TRUE(decoded.DecodeFrom(encoded, "test").ok());
  std::string again;
  decoded.EncodeTo(&again);
  EXPECT_EQ(encoded, again);
  EXPECT_EQ(*decoded.log_number(), 7u);
  ASSERT_EQ(decoded.new_files().size(), 1u);
  EXPECT_TRUE(decoded.new_files()[0].second.unbounded_right);
  EXPECT_NE(decoded.DebugString().find("add L1 #11"), std::string::npos);
}

TEST(VersionEditTest, EveryTruncationAndBadTagIsDataLoss) {
  std::string encoded;
  Sample().EncodeTo(&encoded);
  for (size_t len = 1; len < encoded.size(); ++len) {
    VersionEdit decoded;
    absl::Status s = decoded.DecodeFrom(encoded.substr(0, len), "MANIFEST-000001 offset 32");
    // A prefix may end exactly on a field boundary and decode; otherwise it must be DataLoss.
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << len;
      EXPECT_NE(s.message().find("MANIFEST-000001 offset 32"), std::string::npos);
    }
  }
  VersionEdit decoded;
  EXPECT_EQ(decoded.DecodeFrom(std::string("\x63\x01", 2), "m").code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace nokv
