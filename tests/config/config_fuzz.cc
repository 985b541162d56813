// libFuzzer target for the cluster-config parser. Build with -DNOKV_BUILD_FUZZ=ON and clang:
//   CC=clang-14 CXX=clang++-14 cmake -B build-fuzz -G Ninja -DNOKV_BUILD_FUZZ=ON
//   cmake --build build-fuzz --target config_fuzz && build-fuzz/tests/config/config_fuzz
#include "tests/config/config_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return nokv::config::fuzz::ConfigFuzzOne(data, size);
}
