// SlowClients: N connections that hold a server's doors open the way a slow or hostile client
// does, for the slow-client phase. Most send a request head one byte at a time and never
// finish it; the rest (idle_percent) connect and send nothing. A connection the server closes
// (its head or idle deadline passed: expected) is counted as cut and reopened at once, so N
// stay open.
//
//   SlowClients slow({.host = "127.0.0.1", .port = port, .count = 1000});
//   if (Status opened = slow.Start(std::chrono::seconds(30)); !opened.ok()) Die(opened);
//   ... measure a normal client ...
//   SlowStats stats = slow.Stop();   // stats.cut, stats.min_open, ...
//
// The connections run on one thread of their own (Boost.Asio). stats() may be called from any
// thread; Start() and Stop() from the owner's. The destructor stops them.
#ifndef TELEMETRY_TOOLS_LOADGEN_SLOW_CLIENTS_H_
#define TELEMETRY_TOOLS_LOADGEN_SLOW_CLIENTS_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "telemetry/base/status.h"

namespace telemetry::loadgen {

struct SlowOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int count = 1000;
  int idle_percent = 25;  // this share connects and sends nothing; the rest trickle a head
  std::chrono::milliseconds byte_interval{1000};  // a trickling connection's pace
};

struct SlowStats {
  size_t open = 0;              // connected now
  size_t min_open = 0;          // fewest connected at once since Start() returned
  size_t cut = 0;               // closed by the server, each reopened since
  size_t answered_408 = 0;      // of the cut: answered 408 before the close
  size_t answered_other = 0;    // of the cut: answered with another status (503: the cap)
  size_t connect_failures = 0;  // connects refused or failed (retried after 100 ms)
  size_t bytes_sent = 0;
};

class SlowClients {
 public:
  explicit SlowClients(SlowOptions options);
  ~SlowClients();
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  // Opens them all; fails (and stops them) when not all are open within `within`.
  Status Start(std::chrono::milliseconds within);
  SlowStats stats() const;
  // Closes them all and returns the final figures.
  SlowStats Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_SLOW_CLIENTS_H_
