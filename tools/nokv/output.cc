// Output helpers shared by the `nokv` commands.
#include <cstdio>

#include "engine/format/dbformat.h"
#include "src/util/json_string.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string U(uint64_t v) { return std::to_string(v); }

std::string ProblemsJson(const std::vector<Problem>& problems) {
  std::string out = "[";
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) out += ",";
    out += StrCat("{\"file\":", JsonEscape(problems[i].file),
                  ",\"message\":", JsonEscape(problems[i].message), "}");
  }
  return out + "]";
}

std::string NotesJson(const std::vector<std::string>& notes) {
  std::string out = "[";
  for (size_t i = 0; i < notes.size(); ++i) out += (i > 0 ? "," : "") + JsonEscape(notes[i]);
  return out + "]";
}

void PrintProblems(const std::vector<Problem>& problems) {
  for (const auto& p : problems) std::printf("PROBLEM %s: %s\n", p.file.c_str(), p.message.c_str());
}

void PrintNotes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
}

std::string KindName(uint8_t kind) {
  switch (kind) {
    case static_cast<uint8_t>(ValueKind::kDeletion):
      return "del";
    case static_cast<uint8_t>(ValueKind::kValue):
      return "value";
    case static_cast<uint8_t>(ValueKind::kRangeDeletion):
      return "range-del";
    default:
      return StrCat("kind", U(kind));
  }
}

}  // namespace nokv::cli
