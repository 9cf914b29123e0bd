#include "tools/browser/headless_chromium.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace telemetry::browser {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::vector<std::string> ChromiumArgs(const ChromiumOptions& options, const std::string& profile) {
  return {options.binary,
          "--headless",
          "--no-sandbox",  // Needed as root; the pages are our own.
          "--disable-gpu",
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-extensions",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--hide-scrollbars",
          "--mute-audio",
          "--remote-debugging-port=0",  // Any free port, written to DevToolsActivePort.
          "--user-data-dir=" + profile,
          "--window-size=" + std::to_string(options.width) + "," + std::to_string(options.height),
          "about:blank"};
}

[[noreturn]] void ExecChromium(const ChromiumOptions& options, const std::string& profile) {
  setpgid(0, 0);  // Its own group: the browser's helpers end with it.
  const int fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  std::vector<std::string> args = ChromiumArgs(options, profile);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  _exit(127);
}

std::string Base64Decode(const std::string& text) {
  std::string bytes(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  bytes.resize(static_cast<size_t>(n) - padding);
  return bytes;
}

std::string TextOfConsoleCall(const json& params) {
  std::string text;
  for (const json& arg : params.value("args", json::array())) {
    if (!text.empty()) text += " ";
    if (arg.contains("value")) {
      text += arg["value"].is_string() ? arg["value"].get<std::string>() : arg["value"].dump();
    } else {
      text += arg.value("description", arg.value("type", std::string("?")));
    }
  }
  return text;
}

}  // namespace

// One WebSocket to a DevTools endpoint (the browser's or a page's).
class HeadlessChromium::Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(int port, const std::string& path) {
    auto connection = std::unique_ptr<Connection>(new Connection());
    beast::error_code ec;
    tcp::resolver resolver(connection->io_);
    auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port), ec);
    if (!ec) asio::connect(connection->ws_.next_layer(), endpoints, ec);
    if (!ec) {
      connection->ws_.read_message_max(256u << 20);  // Screenshots of long pages.
      connection->ws_.handshake("127.0.0.1:" + std::to_string(port), path, ec);
    }
    if (ec)
      return Status::Unavailable("DevTools at 127.0.0.1:" + std::to_string(port) + path + ": " +
                                 ec.message());
    return connection;
  }
  Status Send(const json& message) {
    beast::error_code ec;
    ws_.write(asio::buffer(message.dump()), ec);
    if (ec) return Status::Unavailable("DevTools write: " + ec.message());
    return Status::Ok();
  }
  Result<json> Receive() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return Status::Unavailable("DevTools read: " + ec.message());
    json message = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    if (message.is_discarded()) return Status::Internal("DevTools sent a message that is not JSON");
    return message;
  }
  void Close() {
    beast::error_code ignored;
    ws_.close(websocket::close_code::normal, ignored);
  }

 private:
  Connection() : ws_(io_) {}
  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

namespace {

// "PORT\n/devtools/browser/ID" once the browser listens; nullopt until then.
std::optional<std::pair<int, std::string>> ReadActivePort(const std::string& profile) {
  std::ifstream in(profile + "/DevToolsActivePort");
  int port = 0;
  std::string path;
  if (!(in >> port >> path) || port <= 0) return std::nullopt;
  return std::make_pair(port, path);
}

}  // namespace

Result<std::unique_ptr<HeadlessChromium>> HeadlessChromium::Launch(const ChromiumOptions& options) {
  auto browser = std::unique_ptr<HeadlessChromium>(new HeadlessChromium());
  std::string pattern = std::filesystem::temp_directory_path() / "chromium-profile-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return Status::IoError("cannot make a profile dir");
  browser->profile_dir_ = pattern;
  browser->pid_ = fork();
  if (browser->pid_ < 0) return Status::Internal("fork failed");
  if (browser->pid_ == 0) ExecChromium(options, browser->profile_dir_);
  setpgid(browser->pid_, browser->pid_);  // Also here: no race with the child's own call.
  std::optional<std::pair<int, std::string>> active;
  const auto deadline = Clock::now() + options.start_timeout;
  while (!(active = ReadActivePort(browser->profile_dir_))) {
    int status = 0;
    if (waitpid(browser->pid_, &status, WNOHANG) == browser->pid_) {
      browser->pid_ = -1;
      return Status::Unavailable(options.binary + " exited before it listened (log: " +
                                 options.log_path + "); is Debian's chromium installed?");
    }
    if (Clock::now() > deadline) return Status::Unavailable(options.binary + " did not start");
    std::this_thread::sleep_for(milliseconds(50));  // Polling for start-up.
  }
  // The browser's endpoint names the page it opened; the page's own endpoint drives it.
  Result<std::unique_ptr<Connection>> root = Connection::Open(active->first, active->second);
  if (!root.ok()) return root.status();
  browser->connection_ = std::move(*root);
  Result<json> targets = browser->Call("Target.getTargets");
  if (!targets.ok()) return targets.status();
  std::string page;
  for (const json& target : (*targets)["targetInfos"]) {
    if (target.value("type", "") == "page") page = target.value("targetId", "");
  }
  browser->connection_->Close();
  if (page.empty()) return Status::Internal("the browser opened no page");
  Result<std::unique_ptr<Connection>> opened =
      Connection::Open(active->first, "/devtools/page/" + page);
  if (!opened.ok()) return opened.status();
  browser->connection_ = std::move(*opened);
  for (const char* domain : {"Runtime.enable", "Log.enable", "Page.enable"}) {
    if (Result<json> r = browser->Call(domain); !r.ok()) return r.status();
  }
  return browser;
}

HeadlessChromium::~HeadlessChromium() { End(); }

void HeadlessChromium::End() {
  if (connection_) connection_->Close();
  connection_.reset();
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));  // Waiting for it to end.
    }
    if (kill(pid_, 0) == 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (!profile_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(profile_dir_, ignored);
    profile_dir_.clear();
  }
}

Result<json> HeadlessChromium::Call(const std::string& method, const json& params) {
  if (!connection_) return Status::FailedPrecondition("no browser");
  const int id = next_id_++;
  if (Status s = connection_->Send({{"id", id}, {"method", method}, {"params", params}}); !s.ok()) {
    return s;
  }
  while (true) {
    Result<json> message = connection_->Receive();
    if (!message.ok()) return message.status();
    if (message->contains("method")) Note(*message);
    if (message->value("id", -1) != id) continue;
    if (message->contains("error")) {
      return Status::Internal(method + ": " + (*message)["error"].value("message", "error"));
    }
    return message->value("result", json::object());
  }
}

void HeadlessChromium::Note(const json& event) {
  const std::string method = event.value("method", "");
  const json& params = event.contains("params") ? event["params"] : json::object();
  if (method == "Runtime.consoleAPICalled" && params.value("type", "") == "error") {
    console_errors_.push_back("console.error: " + TextOfConsoleCall(params));
  } else if (method == "Runtime.exceptionThrown") {
    const json& details = params["exceptionDetails"];
    std::string text = details.value("text", "");
    if (details.contains("exception")) text += " " + details["exception"].value("description", "");
    console_errors_.push_back("exception: " + text);
  } else if (method == "Log.entryAdded" && params["entry"].value("level", "") == "error") {
    console_errors_.push_back("log: " + params["entry"].value("text", "") + " (" +
                              params["entry"].value("url", "") + ")");
  }
}

Status HeadlessChromium::Navigate(const std::string& url) {
  Result<json> result = Call("Page.navigate", {{"url", url}});
  if (!result.ok()) return result.status();
  if (result->contains("errorText")) {
    return Status::Unavailable(url + ": " + (*result)["errorText"].get<std::string>());
  }
  return Status::Ok();
}

Result<json> HeadlessChromium::Evaluate(const std::string& expression) {
  Result<json> result =
      Call("Runtime.evaluate",
           {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (!result.ok()) return result.status();
  if (result->contains("exceptionDetails")) {
    const json& details = (*result)["exceptionDetails"];
    std::string text = details.value("text", "exception");
    if (details.contains("exception")) text += " " + details["exception"].value("description", "");
    return Status::InvalidArgument(expression.substr(0, 80) + ": " + text);
  }
  const json& value = (*result)["result"];
  return value.contains("value") ? value["value"] : json(nullptr);
}

Result<bool> HeadlessChromium::WaitFor(const std::string& expression, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    // A page still loading has no such variables yet: that is "not yet", not an error.
    Result<json> value = Evaluate("(() => { try { return !!(" + expression +
                                  "); } catch (e) { return false; } })()");
    if (!value.ok()) return value.status();
    if (value->is_boolean() && value->get<bool>()) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(25));  // Polling the page.
  }
}

Status HeadlessChromium::Screenshot(const std::string& path) {
  Result<json> metrics = Call("Page.getLayoutMetrics");
  if (!metrics.ok()) return metrics.status();
  const json& size = (*metrics)["cssContentSize"];
  json clip = {{"x", 0},
               {"y", 0},
               {"width", size.value("width", 1200.0)},
               {"height", size.value("height", 900.0)},
               {"scale", 1}};
  Result<json> shot = Call("Page.captureScreenshot",
                           {{"format", "png"}, {"captureBeyondViewport", true}, {"clip", clip}});
  if (!shot.ok()) return shot.status();
  std::ofstream out(path, std::ios::binary);
  out << Base64Decode(shot->value("data", ""));
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace telemetry::browser
