// The metrics endpoint over real HTTP on 127.0.0.1 (cpp-httplib client).
#include "src/metrics/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace nokv::metrics {
namespace {

TEST(MetricsHttpServerTest, ServesVarsMetricsAndHealth) {
  Registry registry;
  registry.GetCounter("nokv_redis_commands_total", "Commands")->Add(5);
  bool healthy = true;
  MetricsHttpServer server(
      &registry, [&] { return healthy ? absl::OkStatus() : absl::UnavailableError("db closed"); });
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());
  auto vars = client.Get("/debug/vars");
  ASSERT_TRUE(vars);
  EXPECT_EQ(vars->status, 200);
  EXPECT_EQ(vars->body, "{\"nokv_redis_commands_total\":5}");
  EXPECT_EQ(vars->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_FALSE(vars->has_header("Access-Control-Allow-Origin"));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("nokv_redis_commands_total 5\n"), std::string::npos);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  healthy = false;
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  server.Stop();
}

TEST(MetricsHttpServerTest, RejectsBadAddresses) {
  Registry registry;
  MetricsHttpServer server(&registry);
  EXPECT_FALSE(server.Start("127.0.0.1").ok());
  EXPECT_FALSE(server.Start("127.0.0.1:99999").ok());
}

TEST(MetricsHttpServerTest, StartStopQuickly) {
  Registry registry;
  for (int i = 0; i < 5; ++i) {
    MetricsHttpServer server(&registry);
    ASSERT_TRUE(server.Start(":0").ok());
    server.Stop();
  }
}

}  // namespace
}  // namespace nokv::metrics
