// ServerProcess: the `telemetry-collector serve` a load run starts, watches and stops.
//
//   Result<std::unique_ptr<ServerProcess>> server =
//       ServerProcess::Start(binary, {"serve", "--db", db, "--listen", "127.0.0.1:0"}, log);
//   if (!server.ok()) Die(server.status().message());   // it exited, or never said its port
//   RunLoad({.port = (*server)->port()}, ...);
//   ServerMemory memory = (*server)->Memory();           // VmRSS, VmHWM from /proc/PID/status
//   if (auto how = (*server)->Exited()) Die(*how);       // "exited with status 1", "killed by..."
//   std::string how = (*server)->Stop();                 // SIGTERM, then SIGKILL past 30 s
//
// The server's stdout and stderr go to `log_path` (truncated first), where its
// "listening on http://HOST:PORT" line is read. The destructor stops a server still running.
// Not thread-safe: one owner.
#ifndef TELEMETRY_TOOLS_LOADGEN_SERVER_PROCESS_H_
#define TELEMETRY_TOOLS_LOADGEN_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/base/status.h"

namespace telemetry::loadgen {

struct ServerMemory {
  long rss_kib = -1;  // VmRSS: resident now
  long hwm_kib = -1;  // VmHWM: the peak resident set so far
};

class ServerProcess {
 public:
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                      const std::vector<std::string>& args,
                                                      const std::string& log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& log_path() const { return log_path_; }

  // How it ended, once it has; nullopt while it runs.
  std::optional<std::string> Exited();
  // -1 figures when /proc cannot be read (the process is gone).
  ServerMemory Memory() const;
  // SIGTERM, waits up to 30 s (then SIGKILL); how it ended ("exited with status 0", ...).
  std::string Stop();
  // True when Stop() found it ended with status 0.
  bool stopped_cleanly() const { return clean_; }

 private:
  ServerProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  Status AwaitPort();

  pid_t pid_;
  int port_ = -1;
  std::string log_path_;
  std::optional<std::string> ended_;
  bool clean_ = false;
};

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_SERVER_PROCESS_H_
