// Real coordinator processes for tests: spawn nokv-coordinator from a generated config on
// 127.0.0.1, signal them (SIGKILL, SIGTERM, SIGSTOP/SIGCONT), wait with deadlines, run the CLI.
// Header-only, test-only (fork/exec and POSIX signals live here, never in the libraries).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/client/grpc_coordinator_client.h"
#include "engine/vfs/vfs.h"
#include "src/config/cluster_config.h"
#include "tests/config/test_cluster_config.h"

namespace nokv::test {

class ChildProcess {
 public:
  // Starts argv[0] with stdout and stderr appended to `log_path`.
  static std::unique_ptr<ChildProcess> Spawn(const std::vector<std::string>& argv,
                                             const std::string& log_path) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      // Dies with the test process, even if that one crashes: no daemon outlives its test.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(args[0], args.data());
      _exit(127);
    }
    return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
  }
  ~ChildProcess() {
    if (!exited_) {
      kill(pid_, SIGKILL);
      int status;
      waitpid(pid_, &status, 0);
    }
  }
  void Signal(int sig) { kill(pid_, sig); }
  // The exit status (or 128 + signal), or nullopt if it is still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    if (exited_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return status_;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool exited_ = false;
  int status_ = 0;
};

// Runs a command to completion; returns (exit status, combined output).
inline std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                              const std::string& scratch) {
  auto p = ChildProcess::Spawn(argv, scratch);
  auto status = p->Wait(std::chrono::seconds(60));
  std::string out;
  ReadFileToString(*VFS::Default(), scratch, &out).IgnoreError();
  VFS::Default()->RemoveFile(scratch).IgnoreError();
  return {status.value_or(-1), out};
}

// A set of nokv-coordinator processes over one generated config.
class CoordinatorCluster {
 public:
  // Short timings so failovers take about a second.
  CoordinatorCluster(int coordinators, const std::string& name) {
    char tmpl[] = "/tmp/nokv-coord-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    TestClusterShape shape;
    shape.coordinators = coordinators;
    shape.workdir_root = root_;
    shape.metrics = true;
    config_ = MakeTestClusterConfig(shape);
    config_.set_name(name);
    auto* t = config_.mutable_timing();
    t->set_lease_ms(1000);
    t->set_renew_interval_ms(250);
    t->set_max_clock_drift_ms(100);
    t->set_tso_window_ms(3000);  // longer than the lease: only the lease check stops a zombie
    t->set_id_window(1000);
    t->set_meta_tick_ms(20);
    config_path_ = root_ + "/cluster.json";
    WriteStringToFile(*VFS::Default(), config::ClusterConfigToJson(config_), config_path_, true)
        .IgnoreError();
  }
  ~CoordinatorCluster() {
    procs_.clear();
    if (std::getenv("NOKV_KEEP_TEST_DIRS") == nullptr)
      RemoveTree(*VFS::Default(), root_).IgnoreError();
  }

  void Start(uint64_t id) {
    procs_[id] = ChildProcess::Spawn(
        {NOKV_COORDINATOR_PATH, "--config", config_path_, "--id", std::to_string(id)}, LogPath(id));
  }
  void StartAll() {
    for (const auto& c : config_.coordinators()) Start(c.id());
  }
  ChildProcess* process(uint64_t id) { return procs_.count(id) ? procs_[id].get() : nullptr; }
  void Kill(uint64_t id) {
    procs_[id]->Signal(SIGKILL);
    procs_[id]->Wait(std::chrono::seconds(10));
    procs_.erase(id);
  }
  std::string LogPath(uint64_t id) const {
    return root_ + "/coordinator-" + std::to_string(id) + ".log";
  }
  std::string Address(uint64_t id) const { return config::FindCoordinator(config_, id)->addr(); }
  std::vector<std::string> Addresses() const {
    std::vector<std::string> out;
    for (const auto& c : config_.coordinators()) out.push_back(c.addr());
    return out;
  }
  const configpb::ClusterConfig& config() const { return config_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& root() const { return root_; }

  coordinator::CoordinatorClientOptions ClientOptions() const {
    coordinator::CoordinatorClientOptions o;
    o.addresses = Addresses();
    o.rpc_timeout = std::chrono::milliseconds(500);
    o.call_deadline = std::chrono::milliseconds(15000);
    o.max_clock_drift_ms = config_.timing().max_clock_drift_ms();
    return o;
  }

  // The id of the coordinator that reports itself the serving holder, polled until `timeout`;
  // 0 if none.
  uint64_t WaitForHolder(std::chrono::milliseconds timeout, uint64_t not_id = 0) {
    coordinator::GrpcCoordinatorClient probe(ClientOptions());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& c : config_.coordinators()) {
        if (c.id() == not_id || process(c.id()) == nullptr) continue;
        auto st = probe.StatusOf(c.addr());
        if (st.ok() && st->is_holder()) return c.id();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

 private:
  std::string root_;
  std::string config_path_;
  configpb::ClusterConfig config_;
  std::map<uint64_t, std::unique_ptr<ChildProcess>> procs_;
};

}  // namespace nokv::test
