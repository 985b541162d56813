// FetchHttp against a real MetricsHttpServer on 127.0.0.1, and URL parsing.
#include "src/metrics/http_client.h"

#include <gtest/gtest.h>

#include "src/metrics/http_server.h"

namespace nokv::metrics {
namespace {

TEST(HttpClientTest, ParsesUrlForms) {
  auto full = ParseHttpUrl("http://127.0.0.1:6381/metrics", "/debug/vars");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->host, "127.0.0.1");
  EXPECT_EQ(full->port, 6381);
  EXPECT_EQ(full->path, "/metrics");
  auto bare = ParseHttpUrl("localhost:80", "/debug/vars");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->host, "localhost");
  EXPECT_EQ(bare->path, "/debug/vars");
  auto no_host = ParseHttpUrl(":7000/x", "/debug/vars");
  ASSERT_TRUE(no_host.ok()) << no_host.status();
  EXPECT_EQ(no_host->host, "127.0.0.1");
  EXPECT_EQ(no_host->path, "/x");
  EXPECT_EQ(ParseHttpUrl("https://127.0.0.1:1/", "/").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("127.0.0.1", "/").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("127.0.0.1:x", "/").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("127.0.0.1:0", "/").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpClientTest, FetchesFromARunningEndpointAndReportsFailures) {
  Registry registry;
  registry.GetGauge("nokv_test_gauge", "a gauge")->Set(42);
  MetricsHttpServer server(&registry);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  const int port = server.port();
  auto target = ParseHttpUrl("127.0.0.1:" + std::to_string(port), "/debug/vars");
  ASSERT_TRUE(target.ok());
  auto body = FetchHttp(*target, 2000);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "{\"nokv_test_gauge\":42}");

  target->path = "/missing";
  auto missing = FetchHttp(*target, 2000);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("404"), std::string::npos);

  server.Stop();
  target->path = "/debug/vars";
  auto down = FetchHttp(*target, 500);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
}

}  // namespace
}  // namespace nokv::metrics
