// telemetry-loadgen's parts: the response parser and percentiles against hand-worked inputs,
// and the event-driven client against a real HTTP server on 127.0.0.1 (cpp-httplib, sharing no
// code with the client).
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tools/loadgen/http_client.h"
#include "tools/loadgen/http_request.h"
#include "tools/loadgen/latency_summary.h"
#include "tools/loadgen/response_parser.h"
#include "tools/loadgen/slow_clients.h"

namespace telemetry::loadgen {
namespace {

using State = ResponseParser::State;

// A port of 127.0.0.1 that was free a moment ago, and that no one listens on now.
int PortNoOneListensOn() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor bound(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return bound.local_endpoint().port();
}

TEST(LoadgenResponseParser, ReadsStatusAndBodyGivenOneByteAtATime) {
  const std::string response = "HTTP/1.1 201 Created\r\ncontent-length: 5\r\nX-A: b\r\n\r\nhello";
  ResponseParser parser;
  for (size_t i = 0; i + 1 < response.size(); ++i) {
    ASSERT_EQ(parser.Feed(response.substr(i, 1)), State::kNeedMore) << "after byte " << i;
  }
  EXPECT_EQ(parser.Feed(response.substr(response.size() - 1)), State::kDone);
  EXPECT_EQ(parser.status(), 201);
  EXPECT_EQ(parser.body(), "hello");
  EXPECT_TRUE(parser.keep_alive());
}

TEST(LoadgenResponseParser, ConnectionCloseAndHttp10EndTheConnection) {
  ResponseParser parser;
  ASSERT_EQ(parser.Feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            State::kDone);
  EXPECT_FALSE(parser.keep_alive());
  parser.Reset();
  ASSERT_EQ(parser.Feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), State::kDone);
  EXPECT_FALSE(parser.keep_alive());
  parser.Reset();
  ASSERT_EQ(parser.Feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"),
            State::kDone);
  EXPECT_TRUE(parser.keep_alive());
}

TEST(LoadgenResponseParser, KeepsTheBytesPastAResponseForTheNext) {
  ResponseParser parser;
  ASSERT_EQ(parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 503 Busy\r\n"),
            State::kDone);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_EQ(parser.body(), "ok");
  parser.Reset();
  EXPECT_EQ(parser.Feed("Content-Length: 0\r\n\r\n"), State::kDone);
  EXPECT_EQ(parser.status(), 503);
}

TEST(LoadgenResponseParser, ABodilessStatusNeedsNoContentLength) {
  ResponseParser parser;
  EXPECT_EQ(parser.Feed("HTTP/1.1 204 No Content\r\n\r\n"), State::kDone);
  EXPECT_EQ(parser.status(), 204);
}

TEST(LoadgenResponseParser, RefusesWhatItCannotFrame) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding"},
      {"HTTP/1.1 200 OK\r\n\r\n", "without Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", "bad Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "bad Content-Length"},
      {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP/1.x status line"},
      {"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "bad status code"},
      {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "without ':'"},
  };
  for (const auto& [response, reason] : cases) {
    ResponseParser parser;
    EXPECT_EQ(parser.Feed(response), State::kError) << response;
    EXPECT_NE(parser.error().find(reason), std::string::npos) << parser.error();
    EXPECT_EQ(parser.Feed("HTTP/1.1 200 OK\r\n"), State::kError) << "an error stays an error";
  }
}

TEST(LoadgenResponseParser, RefusesAHeadThatNeverEnds) {
  ResponseParser parser;
  ASSERT_EQ(parser.Feed("HTTP/1.1 200 OK\r\nX-Long: "), State::kNeedMore);
  EXPECT_EQ(parser.Feed(std::string(70 * 1024, 'a')), State::kError);
  EXPECT_NE(parser.error().find("64 KiB"), std::string::npos);
}

TEST(LoadgenLatencySummary, IsTheNearestRank) {
  std::vector<float> latencies;
  for (int i = 1000; i >= 1; --i) latencies.push_back(static_cast<float>(i));  // unsorted
  const LatencySummary summary = Summarize(latencies);
  EXPECT_EQ(summary.count, 1000u);
  EXPECT_EQ(summary.p50, 500);
  EXPECT_EQ(summary.p99, 990);
  EXPECT_EQ(summary.p999, 999);
  EXPECT_EQ(summary.max, 1000);
  EXPECT_EQ(Summarize({7}).p999, 7);
  EXPECT_EQ(Summarize({}).count, 0u);
}

// A real server answering by path: /ok 200, /teapot 418, /close 200 and closes the connection.
class LoadgenClient : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/ok", [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
    server_.Post("/teapot", [](const httplib::Request&, httplib::Response& res) {
      res.status = 418;
      res.set_content("short and stout", "text/plain");
    });
    server_.Get("/close", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Connection", "close");
      res.status = 200;
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      res.status = 200;
    });
    server_.set_keep_alive_max_count(1000);  // (its default closes every 5th request)
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(LoadgenClient, AnswersEveryRequestOnceWithItsOwnStatus) {
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> requests;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0) requests.push_back(PostRequest(host, "/ok", std::string(i, 'x')));
    if (i % 3 == 1) requests.push_back(PostRequest(host, "/teapot", "tea"));
    if (i % 3 == 2) requests.push_back(GetRequest(host, "/close"));
  }
  const LoadResult result = RunLoad({.port = port_, .connections = 4, .threads = 2}, requests);
  ASSERT_EQ(result.status.size(), 300u);
  for (size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(result.status[i], i % 3 == 1 ? 418 : 200) << "request " << i;
  }
  EXPECT_EQ(result.answered(200), 200u);
  EXPECT_EQ(result.failed(), 100u);  // the teapots
  EXPECT_EQ(result.unsent(), 0u);
  EXPECT_EQ(result.reconnects, 100u);  // once after every /close
  EXPECT_NE(result.first_error.find("418 \"short and stout\""), std::string::npos)
      << result.first_error;
}

TEST_F(LoadgenClient, ARequestPastItsTimeoutFailsAndTheRestGoOn) {
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  const std::vector<std::string> requests = {GetRequest(host, "/slow"), GetRequest(host, "/close")};
  const LoadResult result =
      RunLoad({.port = port_, .connections = 1, .request_timeout = std::chrono::milliseconds(200)},
              requests);
  EXPECT_EQ(result.status[0], kNoResponse);
  EXPECT_EQ(result.status[1], 200);
  EXPECT_NE(result.first_error.find("no response within 200 ms"), std::string::npos)
      << result.first_error;
}

TEST(LoadgenClientWithoutServer, SaysItCouldNotConnectAndSendsNothing) {
  const int port = PortNoOneListensOn();
  const std::vector<std::string> requests(10, GetRequest("127.0.0.1", "/health"));
  const LoadResult result = RunLoad({.port = port, .connections = 3}, requests);
  EXPECT_EQ(result.unsent(), 10u);
  EXPECT_EQ(result.failed(), 0u);
  EXPECT_NE(result.first_error.find("could not connect to 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << result.first_error;
}

// A real server with short deadlines cuts slow connections; each is reopened and cut again.
TEST(LoadgenSlowClients, ReopenWhatTheServerCutsAndCountIt) {
  httplib::Server server;
  server.set_read_timeout(0, 300 * 1000);  // a head unfinished after 300 ms: cut
  server.set_keep_alive_timeout(1);        // a connection silent for 1 s: cut
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::yield();

  SlowClients slow({.port = port,
                    .count = 6,
                    .idle_percent = 50,
                    .byte_interval = std::chrono::milliseconds(50)});
  ASSERT_TRUE(slow.Start(std::chrono::seconds(30)).ok());
  EXPECT_EQ(slow.stats().open, 6u);
  // Bounded wait: every connection cut at least twice means the reopened ones were cut too.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (slow.stats().cut < 12 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const SlowStats stats = slow.Stop();
  server.stop();
  serving.join();
  EXPECT_GE(stats.cut, 12u);
  EXPECT_EQ(stats.connect_failures, 0u);
  EXPECT_GT(stats.bytes_sent, 0u);
  EXPECT_LE(stats.min_open, 6u);
  EXPECT_LE(stats.open, 6u);
}

TEST(LoadgenSlowClients, StartFailsClearlyWhenNoOneListens) {
  const int port = PortNoOneListensOn();
  SlowClients slow({.port = port, .count = 3});
  const Status started = slow.Start(std::chrono::milliseconds(300));
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find("only 0 of 3 slow connections open"), std::string::npos)
      << started.message();
}

}  // namespace
}  // namespace telemetry::loadgen
