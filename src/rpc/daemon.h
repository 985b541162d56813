// Process glue shared by the daemons' mains: SIGINT/SIGTERM become an orderly shutdown.
//
// Usage: construct StopSignals first thing in main (before any thread starts, so every thread
// inherits the blocked mask and only Wait() receives the signals), start the servers, then
// Wait(). SIGPIPE is ignored (a peer closing a socket is an error return, not a crash).
#pragma once

namespace nokv::rpc {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGINT or SIGTERM arrives; returns the signal number.
  int Wait();
};

}  // namespace nokv::rpc
