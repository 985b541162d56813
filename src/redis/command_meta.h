// Redis's own metadata for the commands nokv-redis serves (COMMAND INFO / COMMAND DOCS), as
// generated from redis-server by tools/redis/gen_command_meta.py into command_meta.inc.
#pragma once

#include <string_view>

namespace nokv::redis {

struct CommandMeta {
  std::string_view name;  // lower case; "container|sub" for a subcommand
  int arity;
  int first_key;
  int last_key;
  int key_step;
  std::string_view flags;  // Redis's command flags, space separated
  std::string_view info;   // the COMMAND INFO entry, RESP3
  std::string_view docs;   // the COMMAND DOCS entry's value (a map), RESP3
};

// nullptr if Redis 7.0 has no entry of that name.
const CommandMeta* FindCommandMeta(std::string_view lower_name);

}  // namespace nokv::redis
