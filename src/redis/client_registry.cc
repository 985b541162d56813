#include "src/redis/client_registry.h"

namespace nokv::redis {

void ClientRegistry::set_close_notifier(std::function<void()> on_close_request) {
  std::lock_guard<std::mutex> lock(mu_);
  on_close_request_ = std::move(on_close_request);
}

void ClientRegistry::Add(std::shared_ptr<ClientInfo> info) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = info->id;
  clients_[id] = std::move(info);
}

void ClientRegistry::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  clients_.erase(id);
}

std::vector<std::shared_ptr<ClientInfo>> ClientRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<ClientInfo>> out;
  out.reserve(clients_.size());
  for (const auto& [id, info] : clients_) out.push_back(info);
  return out;
}

std::shared_ptr<ClientInfo> ClientRegistry::Find(uint64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void ClientRegistry::RequestClose(uint64_t id) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    close_requests_.push_back(id);
    notify = on_close_request_;
  }
  if (notify) notify();
}

std::vector<uint64_t> ClientRegistry::TakeCloseRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> out;
  out.swap(close_requests_);
  return out;
}

}  // namespace nokv::redis
