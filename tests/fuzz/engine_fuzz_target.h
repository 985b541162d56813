// The engine's on-disk parsers as one fuzz entry point, shared by the libFuzzer binary
// (engine_fuzz.cc) and the gtest that replays mutations of real files
// (tests/src/db/db_fuzz_replay_test.cc).
//
// Every input goes through every parser: as a WAL segment and as a MANIFEST (log framing, then
// each record as a write group or a version edit), as an SST (open, iterate with checksums,
// point lookups of the keys it holds), and raw as a write-group payload and a version edit (so
// the payload decoders are reached without passing a checksum). Checks: no crash, no
// out-of-bounds read (ASan), and every failure is a status, never an abort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "engine/format/dbformat.h"
#include "engine/manifest/version_edit.h"
#include "engine/sst/table.h"
#include "engine/vfs/mem_vfs.h"
#include "engine/wal/log_format.h"
#include "engine/wal/log_reader.h"
#include "src/db/write_batch_format.h"

namespace nokv::fuzz {

inline absl::Status DecodeWriteGroup(std::string_view payload) {
  if (payload.size() < batch::kHeaderSize) return absl::DataLossError("short group");
  return batch::ForEachRecord(payload, [](const batch::Record& r) {
    // Touch every byte the decoder hands out, so ASan sees any view past the input.
    volatile size_t sum = 0;
    for (char c : r.key) sum = sum + static_cast<unsigned char>(c);
    for (char c : r.value) sum = sum + static_cast<unsigned char>(c);
    return absl::OkStatus();
  });
}

inline void ReadLog(MemVFS& vfs, const std::string& path, log::FileKind kind) {
  auto reader = log::Reader::Open(vfs, path, kind);
  if (!reader.ok()) return;
  std::string_view payload;
  while ((*reader)->ReadRecord(&payload)) {
    if (kind == log::FileKind::kWal) {
      DecodeWriteGroup(payload).IgnoreError();
    } else {
      VersionEdit edit;
      edit.DecodeFrom(payload, path).IgnoreError();
    }
  }
  if ((*reader)->valid_end() > (*reader)->file_size()) std::abort();
}

inline void ReadTable(MemVFS& vfs, const std::string& path) {
  auto file = vfs.NewRandomAccessFile(path);
  if (!file.ok()) std::abort();
  auto table = Table::Open(TableOptions(), std::move(*file), path, 1, /*cache=*/nullptr);
  if (!table.ok()) return;
  std::string first_key;
  auto it = (*table)->NewIterator(/*fill_cache=*/false, /*verify_checksums=*/true);
  int entries = 0;
  for (it->SeekToFirst(); it->Valid() && entries < 10000; it->Next(), ++entries) {
    if (first_key.empty()) first_key.assign(it->key());
    volatile size_t sum = it->key().size() + it->value().size();
    (void)sum;
  }
  it->status().IgnoreError();
  for (it->SeekToLast(); it->Valid() && entries < 20000; it->Prev(), ++entries) {
  }
  if (!first_key.empty()) {
    ParsedInternalKey parsed;
    if (ParseInternalKey(first_key, &parsed)) {
      TableGetResult result;
      (*table)
          ->Get(MakeInternalKey(parsed.user_key, kMaxSequenceNumber, kValueKindForSeek), &result,
                false, true)
          .IgnoreError();
    }
  }
  for (const auto& t : (*table)->range_tombstones()) {
    volatile size_t sum = t.begin.size() + t.end.size();
    (void)sum;
  }
}

inline int EngineFuzzOne(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  MemVFS vfs;
  if (!vfs.CreateDir("/f").ok()) std::abort();
  const std::string path = "/f/000001.bin";
  if (!WriteStringToFile(vfs, input, path, /*sync=*/true).ok()) std::abort();
  ReadLog(vfs, path, log::FileKind::kWal);
  ReadLog(vfs, path, log::FileKind::kManifest);
  ReadTable(vfs, path);
  DecodeWriteGroup(input).IgnoreError();
  VersionEdit edit;
  edit.DecodeFrom(input, "fuzz").IgnoreError();
  return 0;
}

}  // namespace nokv::fuzz
