#include "engine/sst/format.h"

#include <zstd.h>

#include <cstring>

#include "src/util/coding.h"
#include "src/util/errors.h"
#include "src/util/hash.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace sst {

void BlockHandle::EncodeVarintTo(std::string* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

bool BlockHandle::DecodeVarintFrom(std::string_view* input) {
  return GetVarint64(input, &offset) && GetVarint64(input, &size);
}

namespace {

constexpr size_t kFooterChecksummedBytes = 4 * 16 + 4;

void PutFixedHandle(std::string* dst, const BlockHandle& h) {
  PutFixed64(dst, h.offset);
  PutFixed64(dst, h.size);
}

BlockHandle GetFixedHandle(const char* p) {
  return BlockHandle{DecodeFixed64(p), DecodeFixed64(p + 8)};
}

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

// One decompression context per reading thread: ZSTD_decompress would allocate one per call.
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

void Footer::EncodeTo(std::string* dst) const {
  size_t start = dst->size();
  PutFixedHandle(dst, index);
  PutFixedHandle(dst, filter);
  PutFixedHandle(dst, range_del);
  PutFixedHandle(dst, properties);
  PutFixed32(dst, kFormatVersion);
  PutFixed64(dst, Checksum64(std::string_view(dst->data() + start, kFooterChecksummedBytes)));
  PutFixed64(dst, kTableMagic);
}

absl::StatusOr<Footer> Footer::Decode(std::string_view input, const std::string& file_name,
                                      uint64_t offset, uint64_t file_size) {
  if (input.size() != kEncodedLength) {
    return CorruptionError(file_name, offset, "short footer read");
  }
  const char* p = input.data();
  if (DecodeFixed64(p + kEncodedLength - 8) != kTableMagic) {
    return CorruptionError(file_name, offset + kEncodedLength - 8, "bad table magic number");
  }
  uint64_t stored = DecodeFixed64(p + kFooterChecksummedBytes);
  if (stored != Checksum64(input.substr(0, kFooterChecksummedBytes))) {
    return CorruptionError(file_name, offset, "footer checksum mismatch");
  }
  uint32_t version = DecodeFixed32(p + 64);
  if (version != kFormatVersion) {
    return CorruptionError(file_name, offset + 64,
                           StrCat("unsupported table format version ", version));
  }
  Footer f;
  f.index = GetFixedHandle(p);
  f.filter = GetFixedHandle(p + 16);
  f.range_del = GetFixedHandle(p + 32);
  f.properties = GetFixedHandle(p + 48);
  // Every block and its trailer must end at or before the footer.
  const BlockHandle* handles[] = {&f.index, &f.filter, &f.range_del, &f.properties};
  const char* names[] = {"index", "filter", "range-del", "properties"};
  for (int i = 0; i < 4; ++i) {
    const BlockHandle& h = *handles[i];
    if (i == 1 && h.IsNull()) continue;
    if (h.offset > offset || h.size > offset - h.offset ||
        kBlockTrailerSize > offset - h.offset - h.size) {
      return CorruptionError(file_name, offset + 16 * i,
                             StrCat(names[i], " block handle out of range (offset ", h.offset,
                                    ", size ", h.size, ", file size ", file_size, ")"));
    }
  }
  return f;
}

BlockCompressor::BlockCompressor(BlockCompression compression, int zstd_level)
    : compression_(compression), zstd_level_(zstd_level) {
  if (compression_ == BlockCompression::kZstd) cctx_ = ZSTD_createCCtx();
}

BlockCompressor::~BlockCompressor() {
  if (cctx_ != nullptr) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
}

void BlockCompressor::Frame(std::string_view contents, bool allow_compression, std::string* out) {
  out->clear();
  BlockCompression type = BlockCompression::kNone;
  if (allow_compression && cctx_ != nullptr && contents.size() <= kMaxUncompressedBlockBytes &&
      contents.size() >= 64) {
    size_t bound = ZSTD_compressBound(contents.size());
    scratch_.clear();
    PutVarint32(&scratch_, static_cast<uint32_t>(contents.size()));
    size_t header = scratch_.size();
    scratch_.resize(header + bound);
    size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), scratch_.data() + header, bound,
                                 contents.data(), contents.size(), zstd_level_);
    // Keep the compressed form only when it saves at least 12.5%.
    if (!ZSTD_isError(n) && header + n < contents.size() - contents.size() / 8) {
      scratch_.resize(header + n);
      out->append(scratch_);
      type = BlockCompression::kZstd;
    }
  }
  if (type == BlockCompression::kNone) out->append(contents.data(), contents.size());
  out->push_back(static_cast<char>(type));
  PutFixed64(out, Checksum64(*out));
}

absl::StatusOr<std::shared_ptr<const std::string>> ReadBlock(const RandomAccessFile& file,
                                                             const std::string& file_name,
                                                             const BlockHandle& handle,
                                                             uint64_t data_limit) {
  if (handle.offset > data_limit || handle.size > data_limit - handle.offset ||
      kBlockTrailerSize > data_limit - handle.offset - handle.size) {
    return CorruptionError(
        file_name, handle.offset,
        StrCat("block handle out of range (size ", handle.size, ", limit ", data_limit, ")"));
  }
  size_t n = static_cast<size_t>(handle.size) + kBlockTrailerSize;
  auto buf = std::make_shared<std::string>();
  buf->resize(n);
  auto read = file.Read(handle.offset, n, buf->data());
  if (!read.ok()) return read.status();
  if (read->size() != n) {
    return CorruptionError(
        file_name, handle.offset,
        StrCat("truncated block read: wanted ", n, " bytes, got ", read->size()));
  }
  if (read->data() != buf->data()) std::memcpy(buf->data(), read->data(), n);

  const char* trailer = buf->data() + handle.size;
  uint64_t stored = DecodeFixed64(trailer + 1);
  if (stored != Checksum64(std::string_view(buf->data(), handle.size + 1))) {
    return CorruptionError(file_name, handle.offset, "block checksum mismatch");
  }
  auto type = static_cast<uint8_t>(trailer[0]);
  if (type == static_cast<uint8_t>(BlockCompression::kNone)) {
    buf->resize(handle.size);
    return std::shared_ptr<const std::string>(std::move(buf));
  }
  if (type != static_cast<uint8_t>(BlockCompression::kZstd)) {
    return CorruptionError(file_name, handle.offset,
                           StrCat("unknown block compression type ", type));
  }
  std::string_view payload(buf->data(), handle.size);
  uint32_t raw_size = 0;
  if (!GetVarint32(&payload, &raw_size) || raw_size > kMaxUncompressedBlockBytes) {
    return CorruptionError(file_name, handle.offset, "bad compressed block header");
  }
  auto raw = std::make_shared<std::string>();
  raw->resize(raw_size);
  size_t got =
      ZSTD_decompressDCtx(ThreadDCtx(), raw->data(), raw_size, payload.data(), payload.size());
  if (ZSTD_isError(got) || got != raw_size) {
    return CorruptionError(file_name, handle.offset, "zstd block does not decompress");
  }
  return std::shared_ptr<const std::string>(std::move(raw));
}

}  // namespace sst
}  // namespace nokv
