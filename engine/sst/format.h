// SST framing shared by the builder and the reader: block handles, the per-block trailer
// (compression type + XXH3 checksum), the fixed-size footer, and reading a block back with every
// check done before its bytes are handed out. docs/format.md ("SST") describes the byte layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"

namespace nokv {
namespace sst {

// "NOKVSST1" when the 8 little-endian bytes are read as ASCII.
inline constexpr uint64_t kTableMagic = 0x31545353564B4F4EULL;
inline constexpr uint32_t kFormatVersion = 1;
// u8 compression type + fixed64 checksum over (block bytes + type byte).
inline constexpr size_t kBlockTrailerSize = 9;
// Upper bound on a decompressed block; protects the reader from absurd sizes in a frame whose
// checksum happened to match (or a bug in a writer).
inline constexpr uint32_t kMaxUncompressedBlockBytes = 1u << 30;

// Location of a block: `size` excludes the trailer.
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;

  bool IsNull() const { return offset == 0 && size == 0; }
  // Varint form, used in index entries.
  void EncodeVarintTo(std::string* dst) const;
  bool DecodeVarintFrom(std::string_view* input);
};

// Fixed-size tail of every table.
struct Footer {
  BlockHandle index;
  BlockHandle filter;  // null when the table has no filter
  BlockHandle range_del;
  BlockHandle properties;

  // 4 handles x 16 + fixed32 version + fixed64 checksum + fixed64 magic.
  static constexpr size_t kEncodedLength = 4 * 16 + 4 + 8 + 8;
  void EncodeTo(std::string* dst) const;
  // `input` must be exactly kEncodedLength bytes that start at `offset` of `file_name`.
  static absl::StatusOr<Footer> Decode(std::string_view input, const std::string& file_name,
                                       uint64_t offset, uint64_t file_size);
};

// Frames `contents` as it goes to disk: optionally zstd-compressed (kept only when it saves at
// least 1/8), then the 9-byte trailer. `out` is cleared first. Returns the stored type.
class BlockCompressor {
 public:
  BlockCompressor(BlockCompression compression, int zstd_level);
  ~BlockCompressor();
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  void Frame(std::string_view contents, bool allow_compression, std::string* out);

 private:
  BlockCompression compression_;
  int zstd_level_;
  void* cctx_ = nullptr;  // ZSTD_CCtx, reused across blocks
  std::string scratch_;
};

// Reads the block at `handle`, checks that it lies inside [0, data_limit), verifies its checksum
// and decompresses it. Errors are Corruption naming `file_name` and the block offset, or the
// file's own I/O error.
absl::StatusOr<std::shared_ptr<const std::string>> ReadBlock(const RandomAccessFile& file,
                                                             const std::string& file_name,
                                                             const BlockHandle& handle,
                                                             uint64_t data_limit);

}  // namespace sst
}  // namespace nokv
