#include "src/redis/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

constexpr size_t kReadChunk = 64 << 10;
// Consecutive pipelined plain SETs (or INCR-family commands) of one connection are committed as
// one engine batch of at most this many (ExecuteSetRun, ExecuteCounterRun): one WAL record and
// one writer-queue turn instead of one each.
constexpr size_t kMaxRunPerWrite = 128;
// Bytes read from one connection per readiness event, so one fast sender cannot starve others.
constexpr size_t kReadBudgetPerEvent = 1 << 20;
constexpr size_t kMaxCommandsPerJob = 1024;

// Approximate memory held by a parsed command.
size_t CommandBytes(const Argv& argv) {
  size_t bytes = 32;
  for (const auto& a : argv) bytes += a.size() + 32;
  return bytes;
}

absl::Status SysError(std::string_view what) {
  return absl::InternalError(StrCat(what, ": ", std::strerror(errno)));
}

std::string PeerName(const sockaddr_in& addr) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr.sin_addr, buf, sizeof(buf));
  return StrCat(buf, ":", ntohs(addr.sin_port));
}

}  // namespace

struct RedisServer::Connection {
  int fd = -1;
  std::string in;
  size_t in_pos = 0;
  RespParser parser;
  std::deque<Argv> pending;
  size_t pending_bytes = 0;
  std::string out;
  size_t out_pos = 0;
  bool busy = false;         // a batch is running on a worker
  bool read_closed = false;  // the peer sent EOF
  bool closing = false;      // close once the output is flushed
  bool error_replied = false;
  bool ready = false;     // in ready_: has something to do this event-loop round
  uint32_t interest = 0;  // events registered with epoll
  // The reactor's copy of session.authenticated, refreshed when a batch completes: the session
  // itself belongs to the worker while a batch runs.
  bool authenticated = false;
  Session session;

  explicit Connection(RespLimits limits) : parser(limits) {}
  size_t unsent() const { return out.size() - out_pos; }
};

RedisServer::RedisServer(ServerState* state, ServerOptions options)
    : state_(state), options_(std::move(options)), read_buf_(new char[kReadChunk]) {}

RedisServer::~RedisServer() { Stop(); }

absl::Status RedisServer::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return SysError("socket");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (inet_pton(AF_INET, options_.bind_host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        StrCat("bind address '", options_.bind_host, "' is not an IPv4 address"));
  }
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return SysError(StrCat("bind ", options_.bind_host, ":", options_.port));
  }
  if (listen(listen_fd_, 511) != 0) return SysError("listen");
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  state_->bound_port.store(port_);
  state_->config.set_port(port_);

  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return SysError("epoll_create1");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return SysError("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);

  started_ = true;
  // CLIENT KILL from a worker: the reactor owns the sockets, so it closes them when woken.
  state_->clients.set_close_notifier([this] { WakeReactor(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  reactor_ = std::thread([this] { ReactorLoop(); });
  return absl::OkStatus();
}

void RedisServer::Stop() {
  if (!started_) {
    if (listen_fd_ >= 0) close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  started_ = false;
  stopping_.store(true);
  state_->clients.set_close_notifier(nullptr);
  WakeReactor();
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    jobs_cv_.notify_all();
  }
  if (reactor_.joinable()) reactor_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
  for (auto& [fd, conn] : by_fd_) {
    close(fd);
    state_->clients.Remove(conn->session.id);
  }
  by_fd_.clear();
  by_id_.clear();
  jobs_.clear();
  close(listen_fd_);
  close(epoll_fd_);
  close(wake_fd_);
  listen_fd_ = epoll_fd_ = wake_fd_ = -1;
}

void RedisServer::WakeReactor() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) {
    ssize_t n = write(wake_fd_, &one, sizeof(one));
    (void)n;  // EAGAIN means a wakeup is already pending
  }
}

void RedisServer::ReactorLoop() {
  std::vector<epoll_event> events(256);
  uint64_t next_timeout_check_us = 0;
  while (!stopping_.load()) {
    const int wait_ms = ready_.empty() ? 1000 : 0;
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const uint64_t now_us = state_->clock->NowMonotonicMicros();
    if (now_us >= next_timeout_check_us) {
      CloseIdleConnections(now_us);
      next_timeout_check_us = now_us + 1000000;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        Accept();
        continue;
      }
      if (fd == wake_fd_) {
        uint64_t v;
        while (read(wake_fd_, &v, sizeof(v)) > 0) {
        }
        // Kills before replies: the connection that asked sees its victim gone, as in Redis.
        CloseRequested();
        DrainCompletions();
        continue;
      }
      auto it = by_fd_.find(fd);
      if (it == by_fd_.end()) continue;
      std::shared_ptr<Connection> conn = it->second;
      uint32_t e = events[i].events;
      if (e & (EPOLLHUP | EPOLLERR)) {
        // Both directions are gone (reset, or closed after our side stopped reading): nobody
        // is left to reply to.
        CloseConnection(conn);
        continue;
      }
      if (e & (EPOLLIN | EPOLLRDHUP)) HandleReadable(conn);
      if (conn->fd >= 0 && (e & EPOLLOUT)) MarkReady(conn);
    }
    RunReady();
  }
}

void RedisServer::Accept() {
  while (true) {
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE...): retry on the next event
    if (static_cast<int64_t>(by_fd_.size()) >= state_->config.maxclients()) {
      state_->metrics.connections_rejected->Add();
      static constexpr char kMsg[] = "-ERR max number of clients reached\r\n";
      ssize_t n = send(fd, kMsg, sizeof(kMsg) - 1, MSG_NOSIGNAL);
      (void)n;
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto conn = std::make_shared<Connection>(options_.limits);
    conn->fd = fd;
    conn->session.id = state_->next_client_id.fetch_add(1);
    sockaddr_in local{};
    socklen_t local_len = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
    conn->session.info = std::make_shared<ClientInfo>(
        conn->session.id, PeerName(addr), PeerName(local), fd, state_->clock->NowMonotonicMicros());
    state_->clients.Add(conn->session.info);
    // As Redis: a client is authenticated from the start when no password is set.
    conn->session.authenticated = !state_->config.requirepass_set();
    conn->authenticated = !state_->AuthRequired(conn->session);
    conn->parser.set_authenticated(conn->authenticated);
    by_fd_[fd] = conn;
    by_id_[conn->session.id] = conn;
    state_->metrics.connections_accepted->Add();
    state_->metrics.connections_active->Add(1);
    conn->interest = EPOLLIN | EPOLLRDHUP;
    epoll_event ev{};
    ev.events = conn->interest;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void RedisServer::HandleReadable(const std::shared_ptr<Connection>& conn) {
  size_t budget = kReadBudgetPerEvent;
  while (budget > 0 && !conn->read_closed && !conn->closing) {
    // Receive into the reactor's scratch buffer and append what arrived: growing `in` by a
    // whole chunk first would zero-fill 64 KiB per recv (7.5% of the CPU under SET load).
    ssize_t n = recv(conn->fd, read_buf_.get(), kReadChunk, 0);
    if (n > 0) {
      conn->session.info->last_interaction_us.store(state_->clock->NowMonotonicMicros(),
                                                    std::memory_order_relaxed);
      conn->in.append(read_buf_.get(), static_cast<size_t>(n));
      state_->metrics.bytes_read->Add(static_cast<uint64_t>(n));
      budget -= std::min(budget, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < kReadChunk) break;
      continue;
    }
    if (n == 0) {
      conn->read_closed = true;  // half-close: finish what was sent, then close
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    CloseConnection(conn);  // ECONNRESET and friends
    return;
  }
  MarkReady(conn);
}

void RedisServer::MarkReady(const std::shared_ptr<Connection>& conn) {
  if (conn->ready || conn->fd < 0) return;
  conn->ready = true;
  ready_.push_back(conn);
}

void RedisServer::ParseInput(Connection& conn) {
  conn.parser.set_max_bulk_bytes(state_->config.proto_max_bulk_len());  // CONFIG SET may move it
  while (!conn.parser.in_error() && !conn.closing) {
    // Before AUTH, parse one command at a time so the commands after a successful AUTH get the
    // authenticated limits (Redis processes them one by one too).
    if (!conn.authenticated && (conn.busy || !conn.pending.empty())) break;
    if (conn.pending_bytes >= options_.pending_high_watermark) break;
    Argv argv;
    RespParser::Result r = conn.parser.Next(conn.in, &conn.in_pos, &argv);
    if (r == RespParser::Result::kCommand) {
      conn.pending_bytes += CommandBytes(argv);
      conn.pending.push_back(std::move(argv));
      continue;
    }
    if (r == RespParser::Result::kError) state_->metrics.protocol_errors->Add();
    break;
  }
  // Drop consumed input. A partial command keeps only its unconsumed tail.
  if (conn.in_pos > 0) {
    conn.in.erase(0, conn.in_pos);
    conn.in_pos = 0;
  }
  if (!conn.parser.in_error() &&
      conn.parser.pending_bytes() + conn.in.size() > options_.max_query_bytes) {
    conn.closing = true;  // Redis closes clients that exceed the query buffer limit
    conn.pending.clear();
  }
}

void RedisServer::RunReady() {
  std::vector<std::shared_ptr<Connection>> ready;
  ready.swap(ready_);
  for (const auto& conn : ready) {
    if (conn->fd < 0) continue;
    ParseInput(*conn);
    // Flush first: sending frees output room, which may allow more commands to run.
    if (!FlushOutput(*conn)) CloseConnection(conn);
  }
  ExecuteRound(ready);
  CloseRequested();  // CLIENT KILL run this round: close before its reply is sent
  for (const auto& conn : ready) {
    conn->ready = false;
    if (conn->fd >= 0) Finish(conn);
  }
}

bool RedisServer::RunsOnReactor(const Connection& conn, const Argv& argv) const {
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr) return true;  // answered with an error at once
  if (options_.execution == Execution::kWorkers) {
    return options_.inline_reads && (spec->flags & kCmdInline) != 0;
  }
  // Commands that may take long (a scan of the keyspace, a flush) go to a worker, so other
  // clients keep being served meanwhile; inside MULTI everything is only queued.
  if (conn.session.in_multi && !(spec->flags & kCmdTxnControl)) return true;
  if (spec->flags & kCmdKeyspace) return false;
  if (spec->handler == handlers::Save) return false;
  if (spec->handler == handlers::Exec) {
    for (const Argv& queued : conn.session.queued) {
      const CommandSpec* q = ResolveCommand(queued);
      if (q != nullptr && (q->flags & kCmdKeyspace)) return false;
    }
  }
  return true;
}

void RedisServer::PopPending(Connection& conn, size_t n) {
  for (size_t i = 0; i < n && !conn.pending.empty(); ++i) {
    conn.pending_bytes -= std::min(conn.pending_bytes, CommandBytes(conn.pending.front()));
    conn.pending.pop_front();
  }
}

void RedisServer::ExecuteRound(const std::vector<std::shared_ptr<Connection>>& ready) {
  // Repeats until no connection can move: each pass runs what can run at once and gathers, from
  // every connection, its leading run of blind writes (or of counter steps) into one group,
  // committed as one store operation after the pass. So the SETs of many clients that arrive
  // in one event-loop round cost one engine write (one WAL record), as Redis's one AOF write
  // per event-loop iteration; a connection's later commands wait for its group (order).
  bool progress = true;
  while (progress) {
    progress = false;
    std::vector<BatchItem> groups[2];  // kBlindWrite, kCounter
    std::vector<std::pair<Connection*, size_t>> taken;
    for (const auto& conn : ready) {
      while (conn->fd >= 0 && !conn->busy && !conn->closing && !conn->pending.empty() &&
             conn->unsent() < options_.output_high_watermark) {
        const Argv& head = conn->pending.front();
        const BatchKind kind = options_.execution == Execution::kReactor
                                   ? BatchKindOf(*state_, conn->session, head)
                                   : BatchKind::kNone;
        if (kind != BatchKind::kNone) {
          auto& group = groups[kind == BatchKind::kBlindWrite ? 0 : 1];
          size_t n = 0;
          for (const Argv& argv : conn->pending) {
            if (n == kMaxRunPerWrite || BatchKindOf(*state_, conn->session, argv) != kind) break;
            group.push_back(BatchItem{&conn->session, &argv, &conn->out});
            ++n;
          }
          taken.emplace_back(conn.get(), n);
          break;
        }
        if (!RunsOnReactor(*conn, head)) {
          Submit(conn);
          break;
        }
        ExecuteCommand(state_, &conn->session, head, &conn->out);
        PopPending(*conn, 1);
        progress = true;
        if (conn->session.close_after_reply) {
          conn->closing = true;
          PopPending(*conn, conn->pending.size());
          break;
        }
        RefreshAuth(*conn);
        // Before AUTH only one command is parsed at a time: parse the next one now.
        if (conn->pending.empty()) ParseInput(*conn);
      }
    }
    for (int g = 0; g < 2; ++g) {
      if (groups[g].empty()) continue;
      ExecuteBatch(state_, g == 0 ? BatchKind::kBlindWrite : BatchKind::kCounter, groups[g]);
      state_->metrics.write_groups->Add();
      progress = true;
    }
    for (const auto& [conn, n] : taken) PopPending(*conn, n);
  }
}

void RedisServer::RefreshAuth(Connection& conn) {
  conn.authenticated = !state_->AuthRequired(conn.session);
  conn.parser.set_authenticated(conn.authenticated);
}

void RedisServer::Finish(const std::shared_ptr<Connection>& conn) {
  if (!FlushOutput(*conn)) {
    CloseConnection(conn);
    return;
  }
  if (!conn->busy && !conn->closing && conn->pending.empty() && conn->parser.in_error() &&
      !conn->error_replied) {
    // Every command before the bad bytes has been answered; now the error, then close.
    AppendError(&conn->out, conn->parser.error());
    conn->error_replied = true;
    conn->closing = true;
    if (!FlushOutput(*conn)) {
      CloseConnection(conn);
      return;
    }
  }
  bool idle = !conn->busy && conn->pending.empty() && conn->unsent() == 0;
  if (idle && (conn->closing || conn->read_closed)) {
    CloseConnection(conn);
    return;
  }
  // Output room freed by this flush lets parsed commands run: no socket event will come for
  // them, so take the connection into the next round (which then does not wait in epoll).
  if (!conn->busy && !conn->closing && !conn->pending.empty() &&
      conn->unsent() < options_.output_high_watermark) {
    MarkReady(conn);
  }
  UpdateInterest(*conn);
}

void RedisServer::Submit(const std::shared_ptr<Connection>& conn) {
  Job job;
  job.conn = conn;
  size_t n = std::min(conn->pending.size(), kMaxCommandsPerJob);
  job.commands.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    job.commands.push_back(std::move(conn->pending.front()));
    conn->pending.pop_front();
  }
  conn->pending_bytes = 0;
  for (const auto& argv : conn->pending) conn->pending_bytes += CommandBytes(argv);
  conn->busy = true;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    jobs_.push_back(std::move(job));
  }
  jobs_cv_.notify_one();
}

bool RedisServer::FlushOutput(Connection& conn) {
  while (conn.unsent() > 0) {
    ssize_t n = send(conn.fd, conn.out.data() + conn.out_pos, conn.unsent(), MSG_NOSIGNAL);
    if (n > 0) {
      conn.out_pos += static_cast<size_t>(n);
      state_->metrics.bytes_written->Add(static_cast<uint64_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return false;  // EPIPE / ECONNRESET: the peer is gone
  }
  if (conn.out_pos == conn.out.size()) {
    conn.out.clear();
    conn.out_pos = 0;
    // A burst can leave a huge buffer behind; do not keep it for an idle connection.
    if (conn.out.capacity() > (1 << 20)) conn.out.shrink_to_fit();
  } else if (conn.out_pos > (1 << 20)) {
    conn.out.erase(0, conn.out_pos);
    conn.out_pos = 0;
  }
  return true;
}

void RedisServer::UpdateInterest(Connection& conn) {
  uint32_t want = 0;
  bool backpressure = conn.unsent() >= options_.output_high_watermark ||
                      conn.pending_bytes >= options_.pending_high_watermark ||
                      (!conn.authenticated && (conn.busy || !conn.pending.empty()));
  if (!conn.read_closed && !conn.closing && !conn.parser.in_error() && !backpressure) {
    want |= EPOLLIN | EPOLLRDHUP;
  }
  if (conn.unsent() > 0) want |= EPOLLOUT;
  if (want == conn.interest) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = conn.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd, &ev);
  conn.interest = want;
}

void RedisServer::CloseConnection(const std::shared_ptr<Connection>& conn) {
  if (conn->fd < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd, nullptr);
  if (conn->closing && !conn->read_closed) {
    // Closing with unread input makes the kernel send a reset, which can destroy the error or
    // QUIT reply still in flight; send FIN first and discard what is already buffered.
    shutdown(conn->fd, SHUT_WR);
    char scratch[16384];
    for (int i = 0; i < 64 && recv(conn->fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0; ++i) {
    }
  }
  close(conn->fd);
  by_fd_.erase(conn->fd);
  by_id_.erase(conn->session.id);
  state_->clients.Remove(conn->session.id);
  conn->fd = -1;
  state_->metrics.connections_active->Add(-1);
  // A batch still running on a worker holds its own reference; its completion is dropped.
}

void RedisServer::CloseIdleConnections(uint64_t now_us) {
  const int64_t timeout_s = state_->config.timeout_seconds();
  if (timeout_s <= 0) return;
  std::vector<std::shared_ptr<Connection>> idle;
  for (const auto& [fd, conn] : by_fd_) {
    const uint64_t last = conn->session.info->last_interaction_us.load(std::memory_order_relaxed);
    if (!conn->busy && now_us > last &&
        now_us - last > static_cast<uint64_t>(timeout_s) * 1000000) {
      idle.push_back(conn);
    }
  }
  for (const auto& conn : idle) CloseConnection(conn);
}

void RedisServer::CloseRequested() {
  for (uint64_t id : state_->clients.TakeCloseRequests()) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    std::shared_ptr<Connection> conn = it->second;  // CloseConnection erases the entry
    CloseConnection(conn);
  }
}

void RedisServer::DrainCompletions() {
  std::vector<Completion> done;
  {
    std::lock_guard<std::mutex> lock(completions_mu_);
    done.swap(completions_);
  }
  for (Completion& c : done) {
    auto it = by_id_.find(c.conn_id);
    if (it == by_id_.end()) continue;
    std::shared_ptr<Connection> conn = it->second;
    conn->busy = false;
    if (conn->out.empty()) {
      conn->out = std::move(c.reply);
      conn->out_pos = 0;
    } else {
      conn->out += c.reply;
    }
    RefreshAuth(*conn);
    if (conn->session.close_after_reply) {
      conn->closing = true;
      conn->pending.clear();
      conn->pending_bytes = 0;
    } else {
      for (auto it2 = c.leftover.rbegin(); it2 != c.leftover.rend(); ++it2) {
        conn->pending.push_front(std::move(*it2));
      }
      conn->pending_bytes = 0;
      for (const auto& argv : conn->pending) conn->pending_bytes += CommandBytes(argv);
    }
    MarkReady(conn);
  }
}

void RedisServer::WorkerLoop() {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(jobs_mu_);
      jobs_cv_.wait(lock, [this] { return stopping_.load() || !jobs_.empty(); });
      if (stopping_.load()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Completion done;
    done.conn_id = job.conn->session.id;
    size_t i = 0;
    for (; i < job.commands.size(); ++i) {
      if (stopping_.load()) break;
      size_t ran =
          ExecuteSetRun(state_, &job.conn->session, job.commands, i, kMaxRunPerWrite, &done.reply);
      if (ran == 0) {
        ran = ExecuteCounterRun(state_, &job.conn->session, job.commands, i, kMaxRunPerWrite,
                                &done.reply);
      }
      if (ran > 0) {
        i += ran - 1;
        if (done.reply.size() >= options_.output_high_watermark) {
          ++i;
          break;
        }
        continue;
      }
      ExecuteCommand(state_, &job.conn->session, job.commands[i], &done.reply);
      if (job.conn->session.close_after_reply) {
        ++i;
        break;
      }
      // Bound the reply a batch can build; the rest runs once it has been sent.
      if (done.reply.size() >= options_.output_high_watermark) {
        ++i;
        break;
      }
    }
    for (; i < job.commands.size(); ++i) done.leftover.push_back(std::move(job.commands[i]));
    {
      std::lock_guard<std::mutex> lock(completions_mu_);
      completions_.push_back(std::move(done));
    }
    WakeReactor();
  }
}

}  // namespace nokv::redis
