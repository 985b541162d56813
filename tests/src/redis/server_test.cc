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

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerConfig config = ServerConfig(), ServerOptions options = ServerOptions()) {
    store_ = std::make_unique<MemKvStore>(Clock::Real());
    state_ = std::make_unique<ServerState>(store_.get(), Clock::Real(), config, &registry_);
    options.port = 0;
    options.workers = 4;
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

TEST_F(ServerTest, PipelinedRepliesKeepRequestOrder) {
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

TEST_F(ServerTest, InlineCommandsAndBytesSplitAnywhere) {
  StartServer();
  RespClient c(port());
  std::string input = "SET greeting \"hello world\"\r\nGET greeting\r\n" +
                      EncodeCommand({"APPEND", "greeting", "!"});
  for (char ch : input) ASSERT_TRUE(c.SendRaw(std::string_view(&ch, 1)));
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_EQ(c.Read().str, "hello world");
  EXPECT_EQ(c.Read().str, "12");
}

TEST_F(ServerTest, LargeValuesRoundTrip) {
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

TEST_F(ServerTest, HalfClosedClientGetsEveryReply) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("SET a 1\r\nINCR a\r\nGET a\r\n"));
  c.ShutdownWrite();
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_EQ(c.Read().str, "2");
  EXPECT_EQ(c.Read().str, "2");
  EXPECT_TRUE(c.AtEof());
}

TEST_F(ServerTest, ProtocolErrorRepliesThenCloses) {
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

TEST_F(ServerTest, OversizeBulkIsRefusedBeforeItArrives) {
  ServerConfig config;
  config.proto_max_bulk_len = 1024;
  StartServer(config);
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n"));
  EXPECT_EQ(c.Read().str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(c.AtEof());
}

TEST_F(ServerTest, UnknownCommandKeepsConnectionUsable) {
  StartServer();
  RespClient c(port());
  EXPECT_EQ(c.Call({"FOO", "bar"}).str,
            "ERR unknown command 'FOO', with args beginning with: 'bar' ");
  EXPECT_EQ(c.Call({"GET"}).type, '-');
  EXPECT_EQ(c.Call({"PING"}).str, "PONG");
}

TEST_F(ServerTest, QuitRepliesThenCloses) {
  StartServer();
  RespClient c(port());
  ASSERT_TRUE(c.SendRaw("PING\r\nQUIT\r\nPING\r\n"));
  EXPECT_EQ(c.Read().str, "PONG");
  EXPECT_EQ(c.Read().str, "OK");
  EXPECT_TRUE(c.AtEof());
}

TEST_F(ServerTest, ManyConcurrentClientsIncrementWithoutLoss) {
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

TEST_F(ServerTest, SlowReaderDoesNotBlockOthersAndGetsAllReplies) {
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

TEST_F(ServerTest, AuthGatesCommandsAndRequestSizes) {
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

TEST_F(ServerTest, MaxClients) {
  ServerConfig config;
  config.maxclients = 2;
  StartServer(config);
  RespClient a(port()), b(port());
  ASSERT_EQ(a.Call({"PING"}).str, "PONG");
  ASSERT_EQ(b.Call({"PING"}).str, "PONG");
  RespClient c(port());
  EXPECT_EQ(c.Read().str, "ERR max number of clients reached");
}

TEST_F(ServerTest, StopWithConnectedClients) {
  StartServer();
  RespClient a(port());
  ASSERT_EQ(a.Call({"PING"}).str, "PONG");
  server_->Stop();
  EXPECT_TRUE(a.AtEof());
}

}  // namespace
}  // namespace nokv::redis
