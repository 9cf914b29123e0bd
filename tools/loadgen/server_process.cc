#include "tools/loadgen/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace telemetry::loadgen {
namespace {

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// In the child: stdout and stderr to the log, then exec; never returns.
[[noreturn]] void ExecServer(const std::string& binary, const std::vector<std::string>& args,
                             int log) {
  dup2(log, STDOUT_FILENO);
  dup2(log, STDERR_FILENO);
  signal(SIGPIPE, SIG_DFL);  // ignored by the load generator; the server decides for itself
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  const std::string error =
      "telemetry-loadgen: cannot run " + binary + ": " + std::strerror(errno) + "\n";
  (void)!write(STDERR_FILENO, error.data(), error.size());
  _exit(127);
}

}  // namespace

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& binary,
                                                            const std::vector<std::string>& args,
                                                            const std::string& log_path) {
  // Truncated here, before the fork, so that no line of an earlier run is read as this one's.
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) return Status::IoError("cannot write " + log_path + ": " + std::strerror(errno));
  const pid_t pid = fork();
  if (pid == 0) ExecServer(binary, args, log);
  close(log);
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  std::unique_ptr<ServerProcess> server(new ServerProcess(pid, log_path));
  if (Status status = server->AwaitPort(); !status.ok()) return status;
  return server;
}

Status ServerProcess::AwaitPort() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = ReadFile(log_path_);
    const size_t line = log.find("listening on ");
    const size_t line_end = line == std::string::npos ? line : log.find('\n', line);
    if (line_end != std::string::npos) {
      const size_t colon = log.rfind(':', line_end);
      port_ = colon > line ? std::atoi(log.c_str() + colon + 1) : -1;
      if (port_ > 0) return Status::Ok();
      return Status::Unavailable("no port in the server's line: " +
                                 log.substr(line, line_end - line));
    }
    if (std::optional<std::string> how = Exited()) {
      return Status::Unavailable("the server " + *how + " before listening; its log (" + log_path_ +
                                 "):\n" + Tail(log, 2000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return Status::Unavailable("the server did not say its port within 30 s; its log: " + log_path_);
}

std::optional<std::string> ServerProcess::Exited() {
  if (ended_) return ended_;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  ended_ = DescribeStatus(status);
  clean_ = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return ended_;
}

ServerMemory ServerProcess::Memory() const {
  ServerMemory memory;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) memory.rss_kib = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) memory.hwm_kib = std::atol(line.c_str() + 6);
  }
  return memory;
}

std::string ServerProcess::Stop() {
  if (ended_) return *ended_;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!Exited() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (ended_) return *ended_;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  ended_ = "did not stop within 30 s of SIGTERM; " + DescribeStatus(status);
  return *ended_;
}

ServerProcess::~ServerProcess() { Stop(); }

}  // namespace telemetry::loadgen
