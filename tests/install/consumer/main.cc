// A program outside the source tree, built only against the installed package.
#include <cstdio>

#include "nokv/db.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto db = nokv::DB::Open(nokv::Options(), argv[1]);
  if (!db.ok()) return 1;
  if (!(*db)->Set("hello", "world").ok()) return 1;
  auto v = (*db)->Get("hello");
  if (!v.ok() || *v != "world") return 1;
  std::printf("consumer read hello=%s\n", v->c_str());
  return (*db)->Close().ok() ? 0 : 1;
}
