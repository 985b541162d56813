// Record framing shared by the WAL and the MANIFEST (docs/format.md "Log files").
//
//   file   = header | record*
//   header = magic (8 bytes) | fixed32 version | fixed32 file kind | fixed64 file number
//            | fixed64 XXH3(preceding 24 bytes)                                    (32 bytes)
//   record = fixed64 XXH3(length | type | payload) | fixed32 length | u8 type | payload
//
// One record carries one whole unit (a write group for the WAL, a version edit for the
// MANIFEST), so a unit is applied entirely or not at all.
#pragma once

#include <cstdint>

namespace nokv::log {

inline constexpr char kMagic[8] = {'N', 'O', 'K', 'V', 'L', 'O', 'G', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 13;  // checksum 8 + length 4 + type 1
// Bound on one record so a corrupt length cannot make a reader allocate absurd buffers.
inline constexpr uint32_t kMaxRecordSize = 1u << 30;

enum class FileKind : uint32_t { kWal = 1, kManifest = 2 };
enum class RecordType : uint8_t { kFull = 1 };

}  // namespace nokv::log
