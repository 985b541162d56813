// libFuzzer target for the RESP parser. Build and run: docs/redis.md ("Fuzzing").
#include "tests/fuzz/resp_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return nokv::redis::fuzz::RespFuzzOne(data, size);
}
