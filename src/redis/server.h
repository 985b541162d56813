// RedisServer: the network side of the gateway.
//
// One reactor thread owns every socket (epoll, level-triggered): it accepts, reads, parses RESP
// and writes replies. Parsed commands run on a pool of worker threads, at most one batch per
// connection at a time, so a connection's replies keep its request order while different
// connections run in parallel (which also lets the engine's group commit share one fsync among
// many clients in --sync mode). Pipelined commands that arrive together run as one batch.
//
// Flow control: a connection stops being read while its unsent output or its parsed-but-not-
// executed commands exceed their watermarks, so a client that writes without reading cannot make
// the server buffer without bound. A client that half-closes (shutdown(SHUT_WR)) still gets the
// replies to everything it sent before the connection is closed.
//
// Protocol errors get Redis's error reply, after the replies of the commands before them, and
// then the connection is closed (as Redis does). Nothing a client sends can crash the server.
//
// Thread-safety: Start/Stop from one controlling thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "src/redis/resp.h"
#include "src/redis/server_state.h"

namespace nokv::redis {

// Where commands run.
//  kReactor: on the network thread, as Redis does, except commands that may take long (KEYS,
//    SCAN, DBSIZE, FLUSHDB, SAVE, ...), which go to a worker. Blind writes (plain SET, MSET)
//    and INCR-family commands ready on any number of connections in one event-loop round are
//    committed as one store operation. Best when a write costs microseconds (no fsync).
//  kWorkers: on the worker pool, point reads excepted (inline_reads). Best when every write
//    waits for an fsync (--sync): the waits overlap and the engine's group commit shares them.
// Design note: docs/notes/2026-11-29-redis-event-loop-batching.md.
enum class Execution { kReactor, kWorkers };

struct ServerOptions {
  std::string bind_host = "127.0.0.1";
  int port = 6380;  // 0 = pick a free port (see RedisServer::port())
  int workers = 8;
  Execution execution = Execution::kReactor;
  // kWorkers: run point reads (commands flagged kCmdInline) on the network thread: saves two
  // thread handoffs per request; a read that misses the block cache delays others briefly.
  bool inline_reads = true;
  // max_bulk_bytes is replaced by the live proto-max-bulk-len (ServerState::config); the
  // connection limit is the live maxclients.
  RespLimits limits;
  // Stop reading a connection while this many reply bytes are unsent.
  size_t output_high_watermark = 4 << 20;
  // Stop reading while this many bytes of parsed commands wait for execution.
  size_t pending_high_watermark = 8 << 20;
  // A single request larger than this closes the connection (Redis: client-query-buffer-limit).
  size_t max_query_bytes = size_t{1} << 30;
};

class RedisServer {
 public:
  // `state` is not owned and must outlive the server.
  RedisServer(ServerState* state, ServerOptions options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Binds and starts the reactor and workers. Fails if the address cannot be bound.
  absl::Status Start();
  // The bound port (useful with port 0). Valid after Start.
  int port() const { return port_; }
  // Closes the listener and every connection, stops the threads. Idempotent.
  void Stop();

 private:
  struct Connection;
  struct Job {
    std::shared_ptr<Connection> conn;
    std::vector<Argv> commands;
  };
  struct Completion {
    uint64_t conn_id;
    std::string reply;
    std::vector<Argv> leftover;  // not executed (output budget reached or QUIT)
  };

  void ReactorLoop();
  void WorkerLoop();
  void Accept();
  void HandleReadable(const std::shared_ptr<Connection>& conn);
  void DrainCompletions();
  // Closes the connections CLIENT KILL asked for.
  void CloseRequested();
  // Queues the connection for this event-loop round's RunReady.
  void MarkReady(const std::shared_ptr<Connection>& conn);
  // The round: parses the ready connections' input, executes (ExecuteRound), then Finish.
  void RunReady();
  void ExecuteRound(const std::vector<std::shared_ptr<Connection>>& ready);
  bool RunsOnReactor(const Connection& conn, const Argv& argv) const;
  void PopPending(Connection& conn, size_t n);
  void RefreshAuth(Connection& conn);
  // Sends protocol-error replies, flushes output, updates epoll interest; closes the
  // connection when it is finished.
  void Finish(const std::shared_ptr<Connection>& conn);
  void ParseInput(Connection& conn);
  // Moves the connection's pending commands (up to a limit) into a job for the workers.
  void Submit(const std::shared_ptr<Connection>& conn);
  bool FlushOutput(Connection& conn);
  void UpdateInterest(Connection& conn);
  void CloseConnection(const std::shared_ptr<Connection>& conn);
  // Closes connections idle longer than the `timeout` setting (Redis's clientsCronHandleTimeout).
  void CloseIdleConnections(uint64_t now_us);
  void WakeReactor();

  ServerState* const state_;
  const ServerOptions options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  std::unique_ptr<char[]> read_buf_;  // reactor thread only: one recv at a time
  int wake_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  std::thread reactor_;
  std::vector<std::thread> workers_;

  std::unordered_map<int, std::shared_ptr<Connection>> by_fd_;  // reactor thread only
  std::vector<std::shared_ptr<Connection>> ready_;              // reactor thread only
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> by_id_;

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<Job> jobs_;

  std::mutex completions_mu_;
  std::vector<Completion> completions_;
};

}  // namespace nokv::redis
