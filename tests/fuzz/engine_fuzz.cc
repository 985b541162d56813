// libFuzzer target for the engine's on-disk parsers (WAL, MANIFEST, SST, write groups,
// version edits). Build and run: docs/format.md ("Fuzzing the parsers").
#include "tests/fuzz/engine_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return nokv::fuzz::EngineFuzzOne(data, size);
}
