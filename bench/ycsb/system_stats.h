// Process and disk measurements for the report: I/O byte counters, CPU time, peak RSS,
// directory size and the disk's fdatasync latency. Linux only (reads /proc/self). This is
// benchmark-harness code: it uses POSIX directly, the engines under test do their own I/O.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace nokv::bench {

// From /proc/self/io (all threads of the process, including engine background threads).
struct IoCounters {
  uint64_t wchar = 0;                  // bytes passed to write-like system calls
  uint64_t write_bytes = 0;            // bytes the process caused to be sent to storage
  uint64_t cancelled_write_bytes = 0;  // dirty bytes dropped (file deleted or truncated)

  // Bytes that reached (or will reach) the device.
  uint64_t DeviceBytes() const {
    return write_bytes > cancelled_write_bytes ? write_bytes - cancelled_write_bytes : 0;
  }
};
IoCounters ReadIoCounters();
IoCounters operator-(const IoCounters& a, const IoCounters& b);

// User + system CPU seconds consumed by the whole process so far.
double ProcessCpuSeconds();

// Resets the kernel's peak-RSS mark (VmHWM) so PeakRssBytes() measures from now on. Best
// effort: on kernels without the feature the peak covers the whole process lifetime.
void ResetPeakRss();
uint64_t PeakRssBytes();

// Sum of the sizes of regular files under `dir` (recursively).
uint64_t DirectorySize(const std::string& dir);

// Flushes dirty pages of the file system holding `dir`, so one engine's write-back does not
// land in the next one's measurement.
void SyncFileSystem(const std::string& dir);

// "2 cores (AMD EPYC), 23.5 GiB RAM, ext4 on /dev/vda" style description of the machine and
// of the file system holding `dir`.
std::string DescribeMachine(const std::string& dir);
// The 1/5/15-minute load averages from /proc/loadavg.
std::string LoadAverage();

// Machine-wide CPU time from /proc/stat, to tell how busy the rest of the machine was.
struct MachineCpu {
  double busy_seconds = 0;   // all CPUs, every non-idle state
  double total_seconds = 0;  // all CPUs, busy + idle + iowait
};
MachineCpu ReadMachineCpu();
// Share of the machine's CPU capacity used by other processes between `before` and `after`,
// given this process's own CPU seconds over the same interval. In [0, 1].
double OtherProcessesCpuShare(const MachineCpu& before, const MachineCpu& after,
                              double own_cpu_seconds);

struct FdatasyncProbe {
  int samples = 0;
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;
};
// Appends 4 KiB and calls fdatasync `samples` times on a scratch file in `dir` (removed
// afterwards), the pattern of a WAL commit.
absl::StatusOr<FdatasyncProbe> ProbeFdatasync(const std::string& dir, int samples);

}  // namespace nokv::bench
