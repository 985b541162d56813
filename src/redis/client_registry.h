// The connected clients as other connections see them: CLIENT LIST / INFO / KILL.
//
// ClientInfo is the published part of a connection's state. The thread running the client's
// commands writes it (atomics, or the name under its mutex); any thread may read it. The
// registry maps ids to infos and queues close requests (CLIENT KILL) for the network thread,
// which owns the sockets.
//
// Thread-safety: every method of both classes is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nokv::redis {

struct ClientInfo {
  // `created_us`: the server clock's monotonic time when the connection was accepted.
  ClientInfo(uint64_t id_in, std::string addr_in, std::string laddr_in, int fd_in,
             uint64_t created_us_in)
      : id(id_in),
        addr(std::move(addr_in)),
        laddr(std::move(laddr_in)),
        fd(fd_in),
        created_us(created_us_in),
        last_interaction_us(created_us_in) {}

  const uint64_t id;
  const std::string addr;   // peer "ip:port"
  const std::string laddr;  // local "ip:port"
  const int fd;
  const uint64_t created_us;
  // Monotonic time bytes last arrived (CLIENT LIST idle=, the `timeout` setting).
  std::atomic<uint64_t> last_interaction_us;
  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<int> multi{-1};         // commands queued in MULTI; -1 = not in MULTI
  std::atomic<int> last_command{-1};  // index into AllCommands(); -1 = none yet
  std::atomic<bool> no_evict{false};

  std::string name() const {
    std::lock_guard<std::mutex> lock(mu_);
    return name_;
  }
  void set_name(std::string name) {
    std::lock_guard<std::mutex> lock(mu_);
    name_ = std::move(name);
  }

 private:
  mutable std::mutex mu_;
  std::string name_;
};

class ClientRegistry {
 public:
  // `on_close_request` runs (on the requesting thread) after RequestClose queued an id; the
  // server uses it to wake its network thread. May be empty.
  void set_close_notifier(std::function<void()> on_close_request);

  void Add(std::shared_ptr<ClientInfo> info);
  void Remove(uint64_t id);
  // Every registered client, by ascending id.
  std::vector<std::shared_ptr<ClientInfo>> List() const;
  std::shared_ptr<ClientInfo> Find(uint64_t id) const;

  // Asks the network thread to close client `id` (CLIENT KILL).
  void RequestClose(uint64_t id);
  std::vector<uint64_t> TakeCloseRequests();

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<ClientInfo>> clients_;
  std::vector<uint64_t> close_requests_;
  std::function<void()> on_close_request_;
};

}  // namespace nokv::redis
