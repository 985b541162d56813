// The network server over real sockets on 127.0.0.1 (backed by MemKvStore so these tests isolate
// the networking): pipelining, half-close, protocol errors, large values, many and slow clients.
#include "src/redis/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "src/util/str_cat.h"
#include "tests/src/redis/mem_kv_store.h"
#include "tests/src/redis/resp_client.h"

namespace nokv::redis {
namespace {

using testing::Reply;
using testing::RespClient;

// Every test runs in both execution modes (commands on the network thread with cross-connection
// write groups, and on the worker pool).
class ServerTest : public ::testing::TestWithParam<Execution> {
 protected:
  void StartServer(ServerConfig config = ServerConfig(), ServerOptions options = ServerOptions()) {
    store_ = std::make_unique<MemKvStore>(Clock::Real());
    state_ = std::make_unique<ServerState>(store_.get(), Clock::Real(), config, &registry_);
    options.port = 0;
    options.workers = 4;
    options.execution = GetParam();
    server_ = std::make_unique<RedisServer>(state_.get(), options);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  int port() const { return server_->port(); }

  metrics::Registry registry_;
  std::unique_ptr<MemKvStore> store_;
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<RedisServer> server_;
};

TEST_P(ServerTest, PipelinedRepliesKeepRequestOrder) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.connected());
  std::string batch;
  constexpr int kN = 3000;
  for (int i = 0; i < kN; ++i) batch += EncodeCommand({"SET", StrCat("k", i), StrCat("v", i)});
  for (int i = 0; i < kN; ++i) batch += EncodeCommand({"GET", StrCat("k", i)});
  ASSERT_TRUE(c.SendRaw(batch));
  for (int i = 0; i < kN; ++i) ASSERT_EQ(c.Read().str, "OK") << i;
  for (int i = 0; i < kN; ++i) ASSERT_EQ(c.Read().str, StrCat("v", i)) << i;
}

TEST_P(ServerTest, InlineCommandsAndBytesSplitAnywhere) {
  StartServer();
  RespClient c(port());
  std::string input = "SET greeting \"hello world\"\r\nGET greeting\r\n" +
                      EncodeCommand({"APPEND", "greeting", "!"});
  for (char ch : input) ASSERT_TRUE(c.SendRaw(std::string_view(&ch, 1)));
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_EQ(c.Read().str, "hello world");
  EXPECT_EQ(c.Read().str, "12");
}

TEST_P(ServerTest, LargeValuesRoundTrip) {
  StartServer();
  RespClient c(port());
  std::string big(16 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>(i % 251);
  ASSERT_EQ(c.Call({"SET", "big", big}).str, "OK");
  Reply r = c.Call({"GET", "big"});
  ASSERT_EQ(r.type, '$');
  EXPECT_TRUE(r.str == big);
  EXPECT_EQ(c.Call({"STRLEN", "big"}).str, StrCat(big.size()));
}

TEST_P(ServerTest, HalfClosedClientGetsEveryReply) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("SET a 1\r\nINCR a\r\nGET a\r\n"));
  c.ShutdownWrite();
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_EQ(c.Read().str, "2");
  EXPECT_EQ(c.Read().str, "2");
  EXPECT_TRUE(c.AtEof());
}

TEST_P(ServerTest, ProtocolErrorRepliesThenCloses) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\nPING\r\n"));
  EXPECT_EQ(c.Read().str, "PONG");
  Reply e = c.Read();
  EXPECT_EQ(e.type, '-');
  EXPECT_EQ(e.str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(c.AtEof());
  // The server keeps serving others.
  RespClient d(port());
  EXPECT_EQ(d.Call({"PING"}).str, "PONG");
}

TEST_P(ServerTest, OversizeBulkIsRefusedBeforeItArrives) {
  ServerConfig config;
  config.proto_max_bulk_len = 1024;
  StartServer(config);
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n"));
  EXPECT_EQ(c.Read().str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(c.AtEof());
}

TEST_P(ServerTest, UnknownCommandKeepsConnectionUsable) {
  StartServer();
  RespClient c(port());
  EXPECT_EQ(c.Call({"FOO", "bar"}).str,
            "ERR unknown command 'FOO', with args beginning with: 'bar' ");
  EXPECT_EQ(c.Call({"GET"}).type, '-');
  EXPECT_EQ(c.Call({"PING"}).str, "PONG");
}

TEST_P(ServerTest, QuitRepliesThenCloses) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("PING\r\nQUIT\r\nPING\r\n"));
  EXPECT_EQ(c.Read().str, "PONG");
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_TRUE(c.AtEof());
}

TEST_P(ServerTest, ManyConcurrentClientsIncrementWithoutLoss) {
  StartServer();
  constexpr int kClients = 48;
  constexpr int kIncrements = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&] {
      RespClient c(port());
      for (int i = 0; i < kIncrements; ++i) {
        if (c.Call({"INCR", "counter"}).type != ':') failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  RespClient c(port());
  EXPECT_EQ(c.Call({"GET", "counter"}).str, StrCat(kClients * kIncrements));
  EXPECT_EQ(c.Call({"INFO", "clients"}).str.find("connected_clients:1\r\n") != std::string::npos,
            true);
}

TEST_P(ServerTest, SlowReaderDoesNotBlockOthersAndGetsAllReplies) {
  ServerOptions options;
  options.output_high_watermark = 256 << 10;
  StartServer(ServerConfig(), options);
  RespClient writer(port());
  ASSERT_EQ(writer.Call({"SET", "v", std::string(64 << 10, 'v')}).str, "OK");
  // The slow client pipelines 400 GETs (25 MiB of replies) and reads nothing for a while.
  RespClient slow(port());
  std::string batch;
  for (int i = 0; i < 400; ++i) batch += EncodeCommand({"GET", "v"});
  std::thread sender([&] { slow.SendRaw(batch); });
  for (int i = 0; i < 50; ++i) ASSERT_EQ(writer.Call({"INCR", "n"}).type, ':');
  for (int i = 0; i < 400; ++i) {
    Reply r = slow.Read();
    ASSERT_EQ(r.str.size(), 64u << 10) << i << " type " << r.type << " " << r.str.substr(0, 100);
  }
  sender.join();
}

TEST_P(ServerTest, AuthGatesCommandsAndRequestSizes) {
  ServerConfig config;
  config.requirepass = "pw";
  StartServer(config);
  RespClient c(port());
  EXPECT_EQ(c.Call({"GET", "a"}).str, "NOAUTH Authentication required.");
  ASSERT_TRUE(c.SendRaw("*11\r\n"));
  EXPECT_EQ(c.Read().str, "ERR Protocol error: unauthenticated multibulk length");
  EXPECT_TRUE(c.AtEof());
  RespClient d(port());
  // AUTH then a large request in one write: the request after AUTH gets the full limits.
  Argv mset = {"MSET"};
  for (int i = 0; i < 20; ++i) {
    mset.push_back(StrCat("k", i));
    mset.push_back(std::string(20000, 'x'));
  }
  ASSERT_TRUE(d.SendRaw(EncodeCommand({"AUTH", "pw"}) + EncodeCommand(mset)));
  EXPECT_EQ(d.Read().str, "OK");
  EXPECT_EQ(d.Read().str, "OK");
}

TEST_P(ServerTest, MaxClients) {
  ServerConfig config;
  config.maxclients = 2;
  StartServer(config);
  RespClient a(port()), b(port());
  ASSERT_EQ(a.Call({"PING"}).str, "PONG");
  ASSERT_EQ(b.Call({"PING"}).str, "PONG");
  RespClient c(port());
  EXPECT_EQ(c.Read().str, "ERR max number of clients reached");
}

TEST_P(ServerTest, StopWithConnectedClients) {
  StartServer();
  RespClient a(port());
  ASSERT_EQ(a.Call({"PING"}).str, "PONG");
  server_->Stop();
  EXPECT_TRUE(a.AtEof());
}

TEST_P(ServerTest, ClientKillClosesTheOtherConnection) {
  StartServer();
  RespClient victim(port());
  ASSERT_EQ(victim.Call({"CLIENT", "SETNAME", "victim"}).str, "OK");
  const std::string id = victim.Call({"CLIENT", "ID"}).str;
  RespClient killer(port());
  std::string list = killer.Call({"CLIENT", "LIST"}).str;
  EXPECT_NE(list.find("id=" + id + " "), std::string::npos) << list;
  EXPECT_NE(list.find("name=victim "), std::string::npos) << list;
  EXPECT_NE(list.find("cmd=client|list "), std::string::npos) << list;
  EXPECT_EQ(killer.Call({"CLIENT", "KILL", "ID", id}).str, "1");
  EXPECT_TRUE(victim.AtEof());
  EXPECT_EQ(killer.Call({"CLIENT", "LIST"}).str.find("name=victim"), std::string::npos);
  // SKIPME no: a client may kill itself; it still gets the reply first.
  const std::string self = killer.Call({"CLIENT", "ID"}).str;
  EXPECT_EQ(killer.Call({"CLIENT", "KILL", "ID", self, "SKIPME", "no"}).str, "1");
  EXPECT_TRUE(killer.AtEof());
}

TEST_P(ServerTest, IdleClientsAreClosedAfterTheTimeout) {
  ServerConfig config;
  config.timeout_seconds = 1;
  StartServer(config);
  RespClient idle(port());
  ASSERT_EQ(idle.Call({"PING"}).str, "PONG");
  EXPECT_TRUE(idle.AtEof());  // closed by the server within ~1-2 s; recv times out after 30 s
  // CONFIG SET timeout 0 keeps clients forever again.
  RespClient c(port());
  ASSERT_EQ(c.Call({"CONFIG", "SET", "timeout", "0"}).str, "OK");
  ASSERT_EQ(c.Call({"CONFIG", "GET", "timeout"}).elements[1].str, "0");
}

TEST_P(ServerTest, ConfigSetAppliesToNewConnections) {
  StartServer();
  RespClient admin(port());
  ASSERT_EQ(admin.Call({"CONFIG", "SET", "maxclients", "2", "requirepass", "pw"}).str, "OK");
  // The admin connection authenticated before the password existed: it stays usable.
  EXPECT_EQ(admin.Call({"GET", "k"}).type, '$');
  RespClient second(port());
  EXPECT_EQ(second.Call({"GET", "k"}).str, "NOAUTH Authentication required.");
  EXPECT_EQ(second.Call({"AUTH", "pw"}).str, "OK");
  RespClient third(port());
  EXPECT_EQ(third.Read().str, "ERR max number of clients reached");
  ASSERT_EQ(admin.Call({"CONFIG", "SET", "requirepass", "", "proto-max-bulk-len", "1mb"}).str,
            "OK");
  EXPECT_EQ(second.Call({"SET", "k", std::string((1 << 20) + 1, 'x')}).str,
            "ERR Protocol error: invalid bulk length");
}

TEST_P(ServerTest, Resp3AfterHello3) {
  StartServer();
  RespClient c(port());
  Reply hello = c.Call({"HELLO", "3"});
  EXPECT_EQ(hello.type, '%');
  ASSERT_TRUE(c.SendRaw(EncodeCommand({"GET", "nosuch"}) + EncodeCommand({"CLIENT", "INFO"})));
  EXPECT_EQ(c.Read().type, '_');
  Reply info = c.Read();
  EXPECT_EQ(info.type, '=');
  EXPECT_EQ(info.str.substr(0, 4), "txt:");
  EXPECT_NE(info.str.find(" resp=3\n"), std::string::npos) << info.str;
}

// Clients writing at once: in the reactor mode their SETs and INCRs of one event-loop round
// commit as one store operation each. Every reply and value is as if each ran alone.
TEST_P(ServerTest, ConcurrentWritersAreGroupedWithoutChangingReplies) {
  StartServer();
  constexpr int kClients = 16;
  constexpr int kRequests = 300;
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      RespClient c(port());
      for (int i = 0; i < kRequests; ++i) {
        if (c.Call({"SET", StrCat("k", t, ":", i), StrCat(i)}).str != "OK") bad++;
        if (c.Call({"INCR", "shared"}).type != ':') bad++;
        if (c.Call({"MSET", StrCat("m", t), StrCat(i), StrCat("n", t), StrCat(i)}).str != "OK") {
          bad++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  RespClient c(port());
  EXPECT_EQ(c.Call({"GET", "shared"}).str, StrCat(kClients * kRequests));
  EXPECT_EQ(c.Call({"DBSIZE"}).str, StrCat(kClients * kRequests + 1 + 2 * kClients));
  for (int t = 0; t < kClients; ++t) {
    EXPECT_EQ(c.Call({"GET", StrCat("k", t, ":", kRequests - 1)}).str, StrCat(kRequests - 1));
    EXPECT_EQ(c.Call({"MGET", StrCat("m", t), StrCat("n", t)}).elements[1].str,
              StrCat(kRequests - 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, ServerTest,
                         ::testing::Values(Execution::kReactor, Execution::kWorkers),
                         [](const auto& info) {
                           return info.param == Execution::kReactor ? "reactor" : "workers";
                         });

}  // namespace
}  // namespace nokv::redis
