#include "src/metrics/registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace nokv::metrics {
namespace {

TEST(RegistryTest, SameNameAndLabelsGiveTheSameMetric) {
  Registry r;
  Counter* a = r.GetCounter("x_total", "help");
  EXPECT_EQ(a, r.GetCounter("x_total", "help"));
  Counter* get = r.GetCounter("cmd_total", "h", {{"command", "get"}});
  Counter* set = r.GetCounter("cmd_total", "h", {{"command", "set"}});
  EXPECT_NE(get, set);
  EXPECT_EQ(get, r.GetCounter("cmd_total", "h", {{"command", "get"}}));
}

TEST(RegistryTest, PrometheusText) {
  Registry r;
  r.GetCounter("requests_total", "All requests")->Add(3);
  r.GetCounter("cmd_total", "Per command", {{"command", "get"}})->Add(2);
  r.GetCounter("cmd_total", "Per command", {{"command", "we\"ird\n"}})->Add(1);
  r.GetGauge("active", "Open connections")->Set(-2);
  Histogram* h = r.GetHistogram("latency_us", "Latency");
  h->Observe(1);
  h->Observe(3);
  h->Observe(100);
  r.AddSource("engine", "nokv_engine_", [] {
    return std::map<std::string, uint64_t>{{"wal.bytes", 7}};
  });
  std::string text = r.RenderPrometheus();
  for (const char* want : {
           "# HELP requests_total All requests\n# TYPE requests_total counter\nrequests_total 3\n",
           "cmd_total{command=\"get\"} 2\n",
           "cmd_total{command=\"we\\\"ird\\n\"} 1\n",
           "# TYPE active gauge\nactive -2\n",
           "# TYPE latency_us histogram\n",
           "latency_us_bucket{le=\"1\"} 1\n",
           "latency_us_bucket{le=\"4\"} 2\n",
           "latency_us_bucket{le=\"128\"} 3\n",
           "latency_us_bucket{le=\"+Inf\"} 3\n",
           "latency_us_sum 104\n",
           "latency_us_count 3\n",
           "nokv_engine_wal_bytes 7\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\nin:\n" << text;
  }
}

TEST(RegistryTest, ExpvarJson) {
  Registry r;
  r.GetCounter("requests_total", "h")->Add(3);
  r.GetCounter("cmd_total", "h", {{"command", "get"}})->Add(2);
  r.GetCounter("cmd_total", "h", {{"command", "set"}})->Add(1);
  r.GetHistogram("lat", "h")->Observe(10);
  r.AddSource("engine", "e_", [] { return std::map<std::string, uint64_t>{{"a\"b", 1}}; });
  EXPECT_EQ(r.RenderJson(),
            "{\"cmd_total\":{\"get\":2,\"set\":1},"
            "\"lat\":{\"count\":1,\"sum\":10,\"p50\":16,\"p99\":16,\"p999\":16,\"max\":16},"
            "\"requests_total\":3,\"engine\":{\"a\\\"b\":1}}");
}

TEST(RegistryTest, ConcurrentUpdates) {
  Registry r;
  Counter* c = r.GetCounter("c", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c->Add();
        r.GetHistogram("h", "h")->Observe(static_cast<uint64_t>(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->value(), 40000u);
  EXPECT_EQ(r.GetHistogram("h", "h")->Take().count, 40000u);
}

TEST(RegistryTest, SanitizeName) {
  EXPECT_EQ(Registry::SanitizeName("wal.bytes-written"), "wal_bytes_written");
  EXPECT_EQ(Registry::SanitizeName("1abc"), "_abc");
}

}  // namespace
}  // namespace nokv::metrics
