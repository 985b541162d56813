// src/rpc: status conversion both ways, server bootstrap on 127.0.0.1 (free port, refusal of a
// taken port), a real call through a generated stub, per-method metrics and structured logs.
#include <gtest/gtest.h>

#include <cstdio>

#include "coordinator/coordinator.grpc.pb.h"
#include "src/metrics/registry.h"
#include "src/rpc/channel.h"
#include "src/rpc/log.h"
#include "src/rpc/rpc_metrics.h"
#include "src/rpc/server.h"
#include "src/rpc/status.h"

namespace nokv::rpc {
namespace {

TEST(RpcStatusTest, CodesAndMessagesSurviveBothWays) {
  const absl::Status cases[] = {
      absl::OkStatus(),
      absl::InvalidArgumentError("bad key range"),
      absl::UnavailableError("not the holder"),
      absl::DataLossError("meta/000003.log offset 40: checksum mismatch"),
      absl::FailedPreconditionError("sealed era"),
  };
  for (const absl::Status& s : cases) {
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), static_cast<int>(s.code()));
    EXPECT_EQ(g.error_message(), std::string(s.message()));
    EXPECT_EQ(FromGrpcStatus(g), s);
  }
  absl::Status with_context =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"), "Tso");
  EXPECT_EQ(with_context.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(with_context.message(), "Tso: connection refused");
}

// A MetaPeer service that records who sent what and refuses batches for another member.
class RecordingPeer final : public coordinatorpb::MetaPeer::Service {
 public:
  grpc::Status Send(grpc::ServerContext*, const coordinatorpb::MetaRaftBatch* batch,
                    coordinatorpb::MetaRaftAck*) override {
    if (batch->to_id() != 7) {
      return ToGrpcStatus(absl::FailedPreconditionError("this is member 7"));
    }
    messages += batch->messages_size();
    return grpc::Status::OK;
  }
  std::atomic<int> messages{0};
};

TEST(GrpcServerTest, ServesOnAFreeLoopbackPortAndRefusesATakenOne) {
  RecordingPeer service;
  GrpcServer server;
  ASSERT_TRUE(server.Start(":0", {&service}).ok());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));

  auto stub = coordinatorpb::MetaPeer::NewStub(MakeChannel(server.address()));
  coordinatorpb::MetaRaftBatch batch;
  batch.set_to_id(7);
  batch.add_messages()->set_term(3);
  batch.add_messages()->set_term(4);
  coordinatorpb::MetaRaftAck ack;
  {
    grpc::ClientContext ctx;
    SetTimeout(&ctx, std::chrono::seconds(5));
    ASSERT_TRUE(stub->Send(&ctx, batch, &ack).ok());
  }
  EXPECT_EQ(service.messages.load(), 2);
  batch.set_to_id(8);
  {
    grpc::ClientContext ctx;
    SetTimeout(&ctx, std::chrono::seconds(5));
    absl::Status s = FromGrpcStatus(stub->Send(&ctx, batch, &ack), "MetaPeer.Send");
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message(), "MetaPeer.Send: this is member 7");
  }

  GrpcServer second;
  absl::Status taken = second.Start(server.address(), {&service});
  EXPECT_EQ(taken.code(), absl::StatusCode::kUnavailable) << taken;
  server.Shutdown();

  // After shutdown the call fails as a transport error, not as an answer.
  grpc::ClientContext ctx;
  SetTimeout(&ctx, std::chrono::milliseconds(500));
  absl::Status gone = FromGrpcStatus(stub->Send(&ctx, batch, &ack));
  EXPECT_TRUE(gone.code() == absl::StatusCode::kUnavailable ||
              gone.code() == absl::StatusCode::kDeadlineExceeded)
      << gone;
}

TEST(RpcMetricsTest, CountsOutcomesAndLatency) {
  metrics::Registry registry;
  ManualClock clock;
  RpcMetrics rpc(&registry, "Coordinator", &clock);
  RpcMetrics::Method* tso = rpc.GetMethod("Tso");
  EXPECT_EQ(rpc.GetMethod("Tso"), tso);
  {
    CallTimer t(&rpc, tso);
    clock.Advance(300);
    t.set_outcome(CallOutcome::kOk);
  }
  { CallTimer t(&rpc, tso); }
  {
    CallTimer t(&rpc, tso);
    t.set_outcome(CallOutcome::kRedirect);
  }
  EXPECT_EQ(tso->ok->value(), 1u);
  EXPECT_EQ(tso->error->value(), 1u);
  EXPECT_EQ(tso->redirect->value(), 1u);
  EXPECT_EQ(tso->latency->Take().count, 3u);
  EXPECT_EQ(tso->latency->Take().sum, 300u);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("nokv_rpc_requests_total{service=\"Coordinator\",method=\"Tso\",outcome="
                      "\"redirect\"} 1"),
            std::string::npos)
      << text;
}

TEST(LoggerTest, WritesOneJsonObjectPerLine) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  ASSERT_NE(out, nullptr);
  ManualClock clock(1'700'000'000'123);
  Logger log("coordinator", &clock, out);
  log.Info("tenure_issued", {{"era", 3}, {"holder", uint64_t{2}}, {"addr", "127.0.0.1:1"}});
  log.Warn("odd \"name\"", {{"ok", false}});
  std::fclose(out);
  const std::string text(buf, len);
  free(buf);
  EXPECT_EQ(text,
            "{\"ts_ms\":1700000000123,\"level\":\"info\",\"component\":\"coordinator\","
            "\"event\":\"tenure_issued\",\"era\":3,\"holder\":2,\"addr\":\"127.0.0.1:1\"}\n"
            "{\"ts_ms\":1700000000123,\"level\":\"warn\",\"component\":\"coordinator\","
            "\"event\":\"odd \\\"name\\\"\",\"ok\":false}\n");
}

}  // namespace
}  // namespace nokv::rpc
