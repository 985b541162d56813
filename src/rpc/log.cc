#include "src/rpc/log.h"

#include "src/util/json_string.h"
#include "src/util/str_cat.h"

namespace nokv::rpc {

LogField::LogField(std::string_view key, std::string_view value) : key_(key) {
  AppendJsonString(&json_, value);
}

LogField::LogField(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}

Logger::Logger(std::string component, Clock* clock, FILE* out)
    : component_(std::move(component)),
      clock_(clock != nullptr ? clock : Clock::Real()),
      out_(out != nullptr ? out : stderr) {}

void Logger::Write(std::string_view level, std::string_view event,
                   std::initializer_list<LogField> fields) {
  if (!enabled_) return;
  std::string line = StrCat("{\"ts_ms\":", clock_->NowUnixMillis(), ",\"level\":");
  AppendJsonString(&line, level);
  line += ",\"component\":";
  AppendJsonString(&line, component_);
  line += ",\"event\":";
  AppendJsonString(&line, event);
  for (const LogField& f : fields) {
    line += ',';
    AppendJsonString(&line, f.key());
    line += ':';
    line += f.json();
  }
  line += "}\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace nokv::rpc
