#include "src/redis/command_meta.h"

#include <unordered_map>

namespace nokv::redis {
namespace {

constexpr CommandMeta kCommandMeta[] = {
#include "src/redis/command_meta.inc"
};

}  // namespace

const CommandMeta* FindCommandMeta(std::string_view lower_name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const CommandMeta*>();
    for (const CommandMeta& meta : kCommandMeta) m->emplace(meta.name, &meta);
    return m;
  }();
  auto it = index->find(lower_name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace nokv::redis
