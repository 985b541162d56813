#include "src/metrics/registry.h"

#include <cstdio>

#include "src/util/json_string.h"
#include "src/util/str_cat.h"

namespace nokv::metrics {
namespace {

void AppendPromLabelValue(std::string* out, std::string_view s) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

std::string PromLabels(const Labels& labels, std::string_view extra_key = {},
                       std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    StrAppend(&out, k, "=\"");
    AppendPromLabelValue(&out, v);
    out.push_back('"');
  }
  if (!extra_key.empty()) {
    if (!first) out.push_back(',');
    StrAppend(&out, extra_key, "=\"", extra_value, "\"");
  }
  out.push_back('}');
  return out;
}

// JSON key for a labeled child: the label values joined by ',' ("get", or "a=1,b=2").
std::string JsonLabelKey(const Labels& labels) {
  if (labels.size() == 1) return labels[0].second;
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    StrAppend(&out, k, "=", v);
  }
  return out;
}

void AppendHistogramJson(std::string* out, const Histogram::Snapshot& s) {
  StrAppend(out, "{\"count\":", s.count, ",\"sum\":", s.sum, ",\"p50\":", s.Quantile(0.5),
            ",\"p99\":", s.Quantile(0.99), ",\"p999\":", s.Quantile(0.999),
            ",\"max\":", s.Quantile(1.0), "}");
}

}  // namespace

std::string Registry::SanitizeName(const std::string& name) {
  std::string out = name;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  return out;
}

Registry::Family* Registry::FamilyFor(const std::string& name, const std::string& help, Kind kind) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.kind = kind;
    it->second.help = help;
  }
  return &it->second;
}

Counter* Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kCounter);
  for (auto& [l, c] : f->counters) {
    if (l == labels) return c.get();
  }
  f->counters.emplace_back(labels, std::make_unique<Counter>());
  return f->counters.back().second.get();
}

Gauge* Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kGauge);
  for (auto& [l, g] : f->gauges) {
    if (l == labels) return g.get();
  }
  f->gauges.emplace_back(labels, std::make_unique<Gauge>());
  return f->gauges.back().second.get();
}

Histogram* Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Kind::kHistogram);
  for (auto& [l, h] : f->histograms) {
    if (l == labels) return h.get();
  }
  f->histograms.emplace_back(labels, std::make_unique<Histogram>());
  return f->histograms.back().second.get();
}

void Registry::AddSource(const std::string& json_key, const std::string& prefix,
                         std::function<std::map<std::string, uint64_t>()> source) {
  std::lock_guard<std::mutex> lock(mu_);
  sources_.push_back(Source{json_key, prefix, std::move(source)});
}

std::string Registry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter"
                       : f.kind == Kind::kGauge ? "gauge"
                                                : "histogram";
    StrAppend(&out, "# HELP ", name, " ", f.help, "\n# TYPE ", name, " ", type, "\n");
    for (const auto& [labels, c] : f.counters) {
      StrAppend(&out, name, PromLabels(labels), " ", c->value(), "\n");
    }
    for (const auto& [labels, g] : f.gauges) {
      StrAppend(&out, name, PromLabels(labels), " ", g->value(), "\n");
    }
    for (const auto& [labels, h] : f.histograms) {
      Histogram::Snapshot s = h->Take();
      uint64_t cumulative = 0;
      int last = Histogram::kBuckets - 1;
      while (last > 0 && s.buckets[last] == 0) --last;
      for (int i = 0; i <= last; ++i) {
        cumulative += s.buckets[i];
        StrAppend(&out, name, "_bucket", PromLabels(labels, "le", StrCat(Histogram::UpperBound(i))),
                  " ", cumulative, "\n");
      }
      StrAppend(&out, name, "_bucket", PromLabels(labels, "le", "+Inf"), " ", s.count, "\n");
      StrAppend(&out, name, "_sum", PromLabels(labels), " ", s.sum, "\n");
      StrAppend(&out, name, "_count", PromLabels(labels), " ", s.count, "\n");
    }
  }
  for (const Source& src : sources_) {
    for (const auto& [k, v] : src.fn()) {
      std::string metric = SanitizeName(src.prefix + k);
      StrAppend(&out, "# TYPE ", metric, " gauge\n", metric, " ", v, "\n");
    }
  }
  return out;
}

std::string Registry::RenderJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "{";
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, k);
    out.push_back(':');
  };
  for (const auto& [name, f] : families_) {
    size_t children = f.counters.size() + f.gauges.size() + f.histograms.size();
    if (children == 0) continue;
    key(name);
    bool plain = children == 1 && ((!f.counters.empty() && f.counters[0].first.empty()) ||
                                   (!f.gauges.empty() && f.gauges[0].first.empty()) ||
                                   (!f.histograms.empty() && f.histograms[0].first.empty()));
    if (plain) {
      if (!f.counters.empty()) StrAppend(&out, f.counters[0].second->value());
      if (!f.gauges.empty()) StrAppend(&out, f.gauges[0].second->value());
      if (!f.histograms.empty()) AppendHistogramJson(&out, f.histograms[0].second->Take());
      continue;
    }
    out.push_back('{');
    bool first_child = true;
    auto child = [&](const Labels& labels) {
      if (!first_child) out.push_back(',');
      first_child = false;
      AppendJsonString(&out, JsonLabelKey(labels));
      out.push_back(':');
    };
    for (const auto& [labels, c] : f.counters) {
      child(labels);
      StrAppend(&out, c->value());
    }
    for (const auto& [labels, g] : f.gauges) {
      child(labels);
      StrAppend(&out, g->value());
    }
    for (const auto& [labels, h] : f.histograms) {
      child(labels);
      AppendHistogramJson(&out, h->Take());
    }
    out.push_back('}');
  }
  for (const Source& src : sources_) {
    key(src.json_key);
    out.push_back('{');
    bool first_entry = true;
    for (const auto& [k, v] : src.fn()) {
      if (!first_entry) out.push_back(',');
      first_entry = false;
      AppendJsonString(&out, k);
      StrAppend(&out, ":", v);
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

}  // namespace nokv::metrics
