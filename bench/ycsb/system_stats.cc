#include "bench/ycsb/system_stats.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/ycsb/histogram.h"
#include "src/util/str_cat.h"

namespace nokv::bench {

IoCounters ReadIoCounters() {
  IoCounters io;
  std::ifstream in("/proc/self/io");
  std::string name;
  uint64_t value = 0;
  while (in >> name >> value) {
    if (name == "wchar:") io.wchar = value;
    if (name == "write_bytes:") io.write_bytes = value;
    if (name == "cancelled_write_bytes:") io.cancelled_write_bytes = value;
  }
  return io;
}

IoCounters operator-(const IoCounters& a, const IoCounters& b) {
  IoCounters d;
  d.wchar = a.wchar - b.wchar;
  d.write_bytes = a.write_bytes - b.write_bytes;
  d.cancelled_write_bytes = a.cancelled_write_bytes - b.cancelled_write_bytes;
  return d;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void ResetPeakRss() {
  // Hand memory freed by earlier trials back to the OS first, so it does not count here.
  malloc_trim(0);
  // "5" resets VmHWM to the current RSS (Linux >= 4.0, proc(5)).
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

uint64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

uint64_t DirectorySize(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

std::string DescribeMachine(const std::string& dir) {
  std::string cpu_model = "unknown CPU";
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("model name", 0) == 0) {
        const size_t colon = line.find(':');
        if (colon != std::string::npos) cpu_model = line.substr(colon + 2);
        break;
      }
    }
  }
  uint64_t mem_kib = 0;
  {
    std::ifstream in("/proc/meminfo");
    std::string name;
    while (in >> name) {
      if (name == "MemTotal:") {
        in >> mem_kib;
        break;
      }
      in.ignore(1 << 10, '\n');
    }
  }
  // The mount with the longest mount point that prefixes `dir`.
  std::string fs = "?";
  std::string device = "?";
  {
    std::error_code ec;
    const std::string canonical = std::filesystem::weakly_canonical(dir, ec).string();
    std::ifstream in("/proc/mounts");
    std::string dev, mount, type, rest;
    size_t best = 0;
    while (in >> dev >> mount >> type && std::getline(in, rest)) {
      if (canonical.rfind(mount, 0) == 0 && mount.size() >= best) {
        best = mount.size();
        fs = type;
        device = dev;
      }
    }
  }
  char mem[32];
  std::snprintf(mem, sizeof(mem), "%.1f", mem_kib / 1048576.0);
  return StrCat(std::thread::hardware_concurrency(), " cores (", cpu_model, "), ", mem,
                " GiB RAM, ", fs, " on ", device);
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return StrCat(one, " ", five, " ", fifteen);
}

MachineCpu ReadMachineCpu() {
  MachineCpu cpu;
  std::ifstream in("/proc/stat");
  std::string label;
  in >> label;
  if (label != "cpu") return cpu;
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  uint64_t v[8] = {};
  for (uint64_t& x : v) in >> x;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const uint64_t idle = v[3] + v[4];
  uint64_t all = 0;
  for (uint64_t x : v) all += x;
  cpu.total_seconds = all / hz;
  cpu.busy_seconds = (all - idle) / hz;
  return cpu;
}

double OtherProcessesCpuShare(const MachineCpu& before, const MachineCpu& after,
                              double own_cpu_seconds) {
  const double total = after.total_seconds - before.total_seconds;
  if (total <= 0) return 0;
  const double other = after.busy_seconds - before.busy_seconds - own_cpu_seconds;
  return std::clamp(other / total, 0.0, 1.0);
}

void SyncFileSystem(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

absl::StatusOr<FdatasyncProbe> ProbeFdatasync(const std::string& dir, int samples) {
  const std::string path = dir + "/fdatasync-probe.tmp";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(StrCat("open ", path, ": ", std::strerror(errno)));
  }
  std::vector<char> block(4096, 'x');
  LatencyHistogram hist;
  absl::Status status;
  for (int i = 0; i < samples && status.ok(); ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      status = absl::InternalError(StrCat("write ", path, ": ", std::strerror(errno)));
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    if (::fdatasync(fd) != 0) {
      status = absl::InternalError(StrCat("fdatasync ", path, ": ", std::strerror(errno)));
      break;
    }
    hist.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!status.ok()) return status;
  FdatasyncProbe probe;
  probe.samples = samples;
  probe.p50_us = hist.PercentileNanos(50) / 1e3;
  probe.p99_us = hist.PercentileNanos(99) / 1e3;
  probe.max_us = hist.max_nanos() / 1e3;
  return probe;
}

}  // namespace nokv::bench
