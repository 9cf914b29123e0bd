// The collector's HTTP server under attack (issue 15): framing that cannot be abused, clients
// that cannot stall it or one another, SIGTERM within a drain deadline whatever the clients do,
// and backpressure instead of unbounded queues. Black-box, over real sockets on 127.0.0.1,
// against the real server: a CollectorService in-process, or the telemetry-collector binary.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using namespace std::chrono_literals;
using testing::CollectorProcess;
using testing::Count;
using testing::ExpectAllStored;
using testing::InProcessCollector;
using testing::Load;
using testing::MakePing;
using testing::NewUuid;
using testing::PostPing;
using testing::RawConnection;
using testing::RawResponse;
using testing::SubmitPath;
using testing::TempDir;
using testing::WaitForAcknowledged;
using testing::Zstd;
using Steady = std::chrono::steady_clock;

constexpr size_t kMiB = 1024 * 1024;
constexpr const char* kPingHeaders =
    "Host: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: zstd\r\n";

std::string Hex(size_t n) {
  char text[32];
  std::snprintf(text, sizeof(text), "%zx", n);
  return text;
}

std::string PingBody(const std::string& id) { return Zstd(MakePing(id).SerializeAsString()); }

// One of our pings as a POST with a Content-Length.
std::string PingRequest(const std::string& id) {
  const std::string body = PingBody(id);
  return "POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The head of a chunked POST of the ping `id`.
std::string ChunkedPingHead(const std::string& id) {
  return "POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
         "Transfer-Encoding: chunked\r\n\r\n";
}

// `body` in chunks of `piece` bytes, and the last chunk.
std::string Chunked(std::string_view body, size_t piece) {
  std::string out;
  for (size_t at = 0; at < body.size(); at += piece) {
    const std::string_view part = body.substr(at, piece);
    out += Hex(part.size()) + "\r\n" + std::string(part) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

int ExitCode(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// Every refusal is answered "<reason>: <detail>".
void ExpectReasonAndDetail(const RawResponse& response) {
  const size_t colon = response.body.find(": ");
  ASSERT_NE(colon, std::string::npos) << response.body;
  EXPECT_GT(colon, 0u) << response.body;
  EXPECT_EQ(response.body.substr(0, colon).find_first_not_of("abcdefghijklmnopqrstuvwxyz_"),
            std::string::npos)
      << response.body;
  EXPECT_GT(response.body.size(), colon + 2) << response.body;
}

class CollectorServerTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("collector.db"); }
  int64_t Pings() { return Count(db(), "SELECT COUNT(*) FROM pings"); }
  int64_t Stored(const std::string& id) {
    return Count(db(), "SELECT COUNT(*) FROM pings WHERE document_id = '" + id + "'");
  }
  int64_t RejectedWith(int status) {
    return Count(db(),
                 "SELECT COUNT(*) FROM rejections WHERE http_status = " + std::to_string(status));
  }

  TempDir dir_;
};

// ---- Framing --------------------------------------------------------------------------------

TEST_F(CollectorServerTest, ChunkedTogetherWithContentLengthIs400AndClosesTheConnection) {
  InProcessCollector server(db());
  const std::string id = NewUuid();
  const std::string body = PingBody(id);
  const std::string chunked = Chunked(body, 16);
  // Either order; the length naming the chunked bytes or the body's.
  for (const std::string& framing :
       {"Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(chunked.size()) + "\r\n",
        "Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n"}) {
    RawConnection connection(server.port());
    ASSERT_TRUE(connection.Send("POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
                                framing + "\r\n" + chunked +
                                "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response) << framing;
    EXPECT_EQ(response->status, 400) << framing << response->body;
    ExpectReasonAndDetail(*response);
    // Where the body ends is in doubt, so is anything after it: the server closes instead of
    // reading the smuggled GET as a next request (RFC 9112, 6.3).
    EXPECT_TRUE(connection.WaitForClose(20s)) << framing;
    EXPECT_EQ(connection.unread(), "") << framing;
  }
  EXPECT_EQ(Pings(), 0);
  EXPECT_EQ(RejectedWith(400), 2);
}

TEST_F(CollectorServerTest, AValidPingSentChunkedIsStoredOnce) {
  InProcessCollector server(db());
  const std::string id = NewUuid();
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(ChunkedPingHead(id) + Chunked(PingBody(id), 7)));
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(Stored(id), 1);
  // Its body was put together whole: the event and the ping's own activity row.
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events WHERE document_id = '" + id + "'"),
            2);
  // The connection is still in step: the same ping again, in one chunk, is a duplicate.
  ASSERT_TRUE(connection.Send(ChunkedPingHead(id) + Chunked(PingBody(id), 1 << 20)));
  response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(Pings(), 1);
}

// Streams a chunked POST of up to `offered` bytes in 64 KiB chunks until the server answers;
// the bytes the server let the client write before.
size_t StreamChunked(RawConnection& connection, const std::string& head, std::string_view body) {
  constexpr size_t kChunk = 64 * 1024;
  size_t at = 0;
  bool head_sent = false;
  return connection.StreamUntilAnswered([&]() -> std::string {
    if (!head_sent) {
      head_sent = true;
      return head;
    }
    if (at > body.size()) return "";
    const std::string_view part = body.substr(at, kChunk);
    at += kChunk;
    if (part.empty()) return "0\r\n\r\n";
    return Hex(part.size()) + "\r\n" + std::string(part) + "\r\n";
  });
}

TEST_F(CollectorServerTest, ChunkedBodiesOverTheCapAre413BeforeMostOfThemIsSent) {
  InProcessCollector server(db());
  {
    // 200 MB offered: the answer comes after a few MB at most, whatever the client goes on
    // sending (the 1 MB cap, plus what the sockets' buffers hold).
    const std::string offered(200 * kMiB, 'x');
    RawConnection connection(server.port());
    const size_t written =
        StreamChunked(connection,
                      "POST " + SubmitPath(NewUuid()) +
                          " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n",
                      offered);
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response) << "no answer after " << written << " bytes";
    EXPECT_EQ(response->status, 413) << response->body;
    ExpectReasonAndDetail(*response);
    EXPECT_LT(written, 16 * kMiB);
    EXPECT_TRUE(connection.WaitForClose(20s));
  }
  {
    // A real ping of 7 MB (a long string scalar), sent chunked.
    const std::string id = NewUuid();
    telemetry::ping::Ping ping = MakePing(id);
    auto* scalar = ping.mutable_payload()->add_scalars();
    scalar->set_name("big.text");
    scalar->mutable_value()->set_string_value(std::string(7 * kMiB, 'a'));
    RawConnection connection(server.port());
    const size_t written = StreamChunked(connection,
                                         "POST " + SubmitPath(id) +
                                             " HTTP/1.1\r\nHost: x\r\n"
                                             "Content-Type: application/x-protobuf\r\n"
                                             "Transfer-Encoding: chunked\r\n\r\n",
                                         ping.SerializeAsString());
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response) << "no answer after " << written << " bytes";
    EXPECT_EQ(response->status, 413) << response->body;
    EXPECT_EQ(Stored(id), 0);
  }
  EXPECT_EQ(Pings(), 0);
  EXPECT_EQ(RejectedWith(413), 2);
  // And the server is well.
  auto client = server.Client();
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

TEST_F(CollectorServerTest, ATransferEncodingOtherThanChunkedIs400) {
  InProcessCollector server(db());
  const std::string id = NewUuid();
  for (const char* coding : {"gzip", "gzip, chunked", "deflate", "identity"}) {
    RawConnection connection(server.port());
    ASSERT_TRUE(connection.Send("POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
                                "Transfer-Encoding: " + coding + "\r\n\r\n" +
                                Chunked(PingBody(id), 64)));
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response) << coding;
    EXPECT_EQ(response->status, 400) << coding << ": " << response->body;
    ExpectReasonAndDetail(*response);
    EXPECT_TRUE(connection.WaitForClose(20s)) << coding;
  }
  EXPECT_EQ(Pings(), 0);
  EXPECT_EQ(RejectedWith(400), 4);
}

TEST_F(CollectorServerTest, AFloodOfHeadersIs431BeforeItIsAllSent) {
  InProcessCollector server(db());
  RawConnection connection(server.port());
  const std::string value(8192, 'v');
  int fields = 0;
  const size_t written = connection.StreamUntilAnswered([&]() -> std::string {
    if (fields == 0) {
      ++fields;
      return "GET /health HTTP/1.1\r\nHost: x\r\n";
    }
    // 20,000 headers of 8 KB (160 MB), then the end of the head: a server that takes them all
    // answers 200 to the GET.
    if (fields > 20000) return fields++ == 20001 ? "\r\n" : "";
    return "X-Flood-" + std::to_string(fields++) + ": " + value + "\r\n";
  });
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response) << "no answer after " << written << " bytes";
  EXPECT_EQ(response->status, 431) << response->body;
  ExpectReasonAndDetail(*response);
  EXPECT_LT(written, 16 * kMiB);
  EXPECT_TRUE(connection.WaitForClose(20s));
}

// The head of a ping POST with `extra` header fields of `size` bytes each beside its four.
std::string PingWithFields(const std::string& id, int extra, size_t size) {
  const std::string body = PingBody(id);
  std::string head = "POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (int i = 0; i < extra; ++i)
    head += "X-F" + std::to_string(i) + ": " + std::string(size, 'v') + "\r\n";
  return head + "\r\n" + body;
}

TEST_F(CollectorServerTest, TooManyOrTooLargeHeadersAre431AndHeadsJustUnderAreServed) {
  InProcessCollector server(db());
  struct Case {
    int extra_fields;  // beside Host, Content-Type, Content-Encoding and Content-Length
    size_t field_size;
    int status;
  };
  // 100 fields are allowed and 101 are not; so are ~62 KB of head and not ~68 KB (64 KiB).
  // Each in one write, and in writes of 1000 bytes: the limit is on the head, however it
  // arrives (Beast's own header_limit applied to each read only).
  for (const size_t piece : {size_t{0}, size_t{1000}}) {
    for (const Case& c :
         {Case{96, 1, 200}, Case{97, 1, 431}, Case{10, 6200, 200}, Case{11, 6200, 431}}) {
      const std::string id = NewUuid();
      const std::string request = PingWithFields(id, c.extra_fields, c.field_size);
      RawConnection connection(server.port());
      for (size_t at = 0; at < request.size(); at += piece == 0 ? request.size() : piece) {
        if (at > 0) std::this_thread::sleep_for(1ms);  // Separate reads on the server's side.
        ASSERT_TRUE(connection.Send(
            std::string_view(request).substr(at, piece == 0 ? request.size() : piece)));
      }
      std::optional<RawResponse> response = connection.Read();
      ASSERT_TRUE(response) << c.extra_fields << " x " << c.field_size << " in " << piece;
      EXPECT_EQ(response->status, c.status)
          << c.extra_fields << " x " << c.field_size << " in " << piece << ": " << response->body;
      EXPECT_EQ(Stored(id), c.status == 200 ? 1 : 0);
    }
  }
  // 101 small fields on a GET.
  std::string head = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) head += "X-F" + std::to_string(i) + ": v\r\n";
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(head + "\r\n"));
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  ExpectReasonAndDetail(*response);
}

TEST_F(CollectorServerTest, PipelinedRequestsAreAnsweredInOrder) {
  InProcessCollector server(db());
  const std::string a = NewUuid();
  const std::string b = NewUuid();
  RawConnection connection(server.port());
  // Five requests in one write: a GET, a ping, a chunked ping, a bad ping and a GET.
  ASSERT_TRUE(
      connection.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + PingRequest(a) +
                      ChunkedPingHead(b) + Chunked(PingBody(b), 10) +
                      "POST /submit/firefox-desktop/main/1/not-a-uuid HTTP/1.1\r\nHost: x\r\n"
                      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                      "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::vector<RawResponse> responses;
  for (int i = 0; i < 5; ++i) {
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response) << "response " << i << " of 5 missing";
    responses.push_back(std::move(*response));
  }
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "ok\n");
  EXPECT_EQ(responses[1].status, 200) << responses[1].body;
  EXPECT_EQ(responses[2].status, 200) << responses[2].body;
  EXPECT_EQ(responses[3].status, 400);
  EXPECT_EQ(responses[3].body.rfind("invalid_document_id: ", 0), 0u) << responses[3].body;
  EXPECT_EQ(responses[4].status, 200);
  EXPECT_NE(responses[4].body.find("collector_requests_total"), std::string::npos)
      << responses[4].body;
  EXPECT_EQ(Stored(a), 1);
  EXPECT_EQ(Stored(b), 1);
  EXPECT_EQ(connection.unread(), "");
  // And the connection serves on.
  ASSERT_TRUE(connection.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::optional<RawResponse> more = connection.Read();
  ASSERT_TRUE(more);
  EXPECT_EQ(more->status, 200);
}

TEST_F(CollectorServerTest, ExpectContinueGets100ThenTheAnswer) {
  InProcessCollector server(db());
  const std::string id = NewUuid();
  const std::string body = PingBody(id);
  RawConnection connection(server.port());
  // As libcurl sends a large POST: the head alone, then the body after "100 Continue".
  ASSERT_TRUE(connection.Send("POST " + SubmitPath(id) + " HTTP/1.1\r\n" + kPingHeaders +
                              "Content-Length: " + std::to_string(body.size()) +
                              "\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<RawResponse> interim = connection.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection.Send(body));
  std::optional<RawResponse> response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(Stored(id), 1);
  // A body over the cap is refused at once, never invited.
  RawConnection big(server.port());
  ASSERT_TRUE(big.Send("POST " + SubmitPath(NewUuid()) + " HTTP/1.1\r\n" + kPingHeaders +
                       "Content-Length: " + std::to_string(2 * kMiB) +
                       "\r\nExpect: 100-continue\r\n\r\n"));
  response = big.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413) << response->body;
}

// ---- Slow clients ---------------------------------------------------------------------------

TEST_F(CollectorServerTest, AHalfHeadIsAnswered408AndClosedAfterTheHeadTimeout) {
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.head_timeout = 500ms;
    config.server.idle_timeout = 60s;  // Longer than the test waits: only the head deadline acts.
    config.server.body_grace = 60s;
  });
  const auto start = Steady::now();
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send("POST " + SubmitPath(NewUuid()) + " HTTP/1.1\r\nHost: x\r\nCont"));
  std::optional<RawResponse> response = connection.Read(20s);
  const auto elapsed = Steady::now() - start;
  ASSERT_TRUE(response) << (connection.closed() ? "closed without an answer" : "not answered");
  EXPECT_EQ(response->status, 408) << response->body;
  ExpectReasonAndDetail(*response);
  EXPECT_TRUE(connection.WaitForClose(20s));
  EXPECT_GE(elapsed, 500ms);  // Not before its deadline.
  auto client = server.Client();
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

TEST_F(CollectorServerTest, ABodyTrickleIsCutAfterTheGraceWhileASlowButSteadyOneIsServed) {
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.body_grace = 500ms;
    config.server.min_body_bytes_per_second = 1024;
    config.server.head_timeout = 60s;
    config.server.idle_timeout = 60s;
  });
  // An uncompressed ping of about 4 KB.
  const std::string steady_id = NewUuid();
  const std::string body = MakePing(steady_id, "uid", "device", 40).SerializeAsString();
  ASSERT_GE(body.size(), 3000u);
  const auto Head = [&](const std::string& id) {
    return "POST " + SubmitPath(id) +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n";
  };
  {
    // 400 bytes every 100 ms: four times the minimum rate, for longer than the grace.
    RawConnection connection(server.port());
    ASSERT_TRUE(connection.Send(Head(steady_id)));
    for (size_t at = 0; at < body.size(); at += 400) {
      std::this_thread::sleep_for(100ms);  // The client's pace, not a wait for the server.
      ASSERT_TRUE(connection.Send(std::string_view(body).substr(at, 400)));
    }
    std::optional<RawResponse> response = connection.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(Stored(steady_id), 1);
  }
  // One byte every 500 ms: its whole body would take more than half an hour.
  const std::string trickle_id = NewUuid();
  const auto start = Steady::now();
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send(Head(trickle_id)));
  std::optional<RawResponse> response;
  for (size_t at = 0; at < body.size() && Steady::now() - start < 30s; ++at) {
    if (!connection.Send(std::string_view(body).substr(at, 1))) break;
    response = connection.Read(500ms);
    if (response || connection.closed()) break;
  }
  if (!response && !connection.closed()) response = connection.Read(1s);
  const auto elapsed = Steady::now() - start;
  ASSERT_TRUE(response) << (connection.closed() ? "closed without an answer" : "not cut");
  EXPECT_EQ(response->status, 408) << response->body;
  EXPECT_TRUE(connection.WaitForClose(20s));
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 15s);
  EXPECT_EQ(Stored(trickle_id), 0);
}

TEST_F(CollectorServerTest, IdleConnectionsAreClosedAfterTheIdleTimeoutWithoutAnAnswer) {
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.idle_timeout = 500ms;
    config.server.head_timeout = 60s;
  });
  // Between requests on a keep-alive connection.
  auto start = Steady::now();
  RawConnection keep_alive(server.port());
  ASSERT_TRUE(keep_alive.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::optional<RawResponse> response = keep_alive.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(keep_alive.WaitForClose(20s));
  EXPECT_GE(Steady::now() - start, 500ms);
  EXPECT_EQ(keep_alive.unread(), "");  // Not in a request: closed, not answered.
  // A new connection that never sends a byte.
  start = Steady::now();
  RawConnection silent(server.port());
  EXPECT_TRUE(silent.WaitForClose(20s));
  EXPECT_GE(Steady::now() - start, 500ms);
  EXPECT_EQ(silent.unread(), "");
}

// Raises this process's open-file limit to its hard limit; the limit now.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

TEST_F(CollectorServerTest, ThousandsOfSlowConnectionsDoNotDelayANormalClient) {
  // Each connection costs two descriptors here: the client's and the in-process server's.
  const size_t per_kind = std::min<size_t>(500, (RaiseFileLimit() - 200) / 6);
  ASSERT_GE(per_kind, 300u) << "the open-file limit is too low for this test";
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.idle_timeout = 60s;  // Nobody is cut while the test runs.
    config.server.head_timeout = 60s;
    config.server.body_grace = 60s;
  });
  std::vector<RawConnection> idle, heads, bodies;
  for (size_t i = 0; i < per_kind; ++i) {
    idle.emplace_back(server.port());
    heads.emplace_back(server.port());
    bodies.emplace_back(server.port());
    ASSERT_TRUE(idle.back().connected() && heads.back().connected() && bodies.back().connected());
    ASSERT_TRUE(heads.back().Send("POST " + SubmitPath(NewUuid()) + " HTTP/1.1\r\nHost: x\r\n"));
    ASSERT_TRUE(bodies.back().Send("POST " + SubmitPath(NewUuid()) +
                                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
  }
  // Half heads and bodies trickle on, a byte each every 200 ms.
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      for (auto& c : heads) c.Send("X");
      for (auto& c : bodies) c.Send("x");
      std::this_thread::sleep_for(200ms);  // The slow clients' pace.
    }
  });
  Steady::duration slowest{0};
  int answered = 0;
  auto pings = server.Client();
  for (int i = 0; i < 20; ++i) {
    auto start = Steady::now();
    httplib::Client fresh("127.0.0.1", server.port());
    fresh.set_read_timeout(30);
    auto health = fresh.Get("/health");
    answered += health && health->status == 200;
    slowest = std::max(slowest, Steady::now() - start);
    start = Steady::now();
    answered += PostPing(pings, MakePing(NewUuid())) == 200;
    slowest = std::max(slowest, Steady::now() - start);
  }
  stop = true;
  trickler.join();
  EXPECT_EQ(answered, 40);
  // A generous bound (the thread-per-connection server took 29.5 s beside a few hundred).
  EXPECT_LT(slowest, 5s) << "the slowest request took "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()
                         << " ms";
  EXPECT_EQ(Pings(), 20);
  // The slow ones were held open all along, not shed to make room.
  size_t stirred = 0;
  for (auto* kind : {&idle, &heads, &bodies}) {
    for (auto& c : *kind) stirred += c.Stirred();
  }
  EXPECT_EQ(stirred, 0u) << "of " << 3 * per_kind << " slow connections";
}

TEST_F(CollectorServerTest, PastMaxConnectionsANewOneGets503UntilSomeClose) {
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.max_connections = 50;
    config.server.idle_timeout = 60s;
  });
  const auto Served = [](RawConnection& c) {
    if (!c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) return false;
    std::optional<RawResponse> response = c.Read();
    return response && response->status == 200;
  };
  std::vector<RawConnection> held;
  for (int i = 0; i < 50; ++i) {
    held.emplace_back(server.port());
    ASSERT_TRUE(Served(held.back())) << "connection " << i + 1;
  }
  {
    RawConnection refused(server.port());
    std::optional<RawResponse> response = refused.Read();
    ASSERT_TRUE(response) << "connection 51 was not answered";
    EXPECT_EQ(response->status, 503) << response->body;
    EXPECT_TRUE(refused.WaitForClose(20s));
  }
  held.erase(held.begin(), held.begin() + 10);
  // Ten new ones are served once the server has seen those close (a bounded poll).
  int served = 0;
  for (const auto start = Steady::now(); served < 10 && Steady::now() - start < 20s;) {
    RawConnection c(server.port());
    if (Served(c)) {
      held.push_back(std::move(c));
      ++served;
    } else {
      std::this_thread::sleep_for(20ms);  // Polling: the closes are noticed asynchronously.
    }
  }
  EXPECT_EQ(served, 10);
  // Full again.
  RawConnection refused(server.port());
  std::optional<RawResponse> response = refused.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  // Those held were never dropped.
  for (auto& c : held) EXPECT_TRUE(Served(c));
}

// ---- SIGTERM --------------------------------------------------------------------------------

// Bodies held in memory are bounded across connections: a request whose announced body would
// pass max_pending_body_bytes is answered 503 with Retry-After before its body is read, while
// the one holding the memory is served; once it is answered, the memory is free again.
TEST_F(CollectorServerTest, BodiesInMemoryAreBoundedAcrossConnections) {
  InProcessCollector server(db(), [&](CollectorConfig& config) {
    config.server.max_pending_body_bytes = 100 * 1024;
    config.server.body_grace = 30s;
  });
  const std::string head = "POST /noop HTTP/1.1\r\nHost: x\r\nContent-Length: ";
  RawConnection holder(server.port());
  // Its 100 Continue says the head passed the door and its 80 KiB are reserved.
  ASSERT_TRUE(holder.Send(head + "81920\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<RawResponse> go_on = holder.Read();
  ASSERT_TRUE(go_on);
  ASSERT_EQ(go_on->status, 100);
  RawConnection second(server.port());
  ASSERT_TRUE(second.Send(head + "40960\r\n\r\n"));
  std::optional<RawResponse> refused = second.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_NE(refused->body.find("overloaded"), std::string::npos) << refused->body;
  EXPECT_TRUE(refused->Header("Retry-After").has_value());
  // The holder is served when its body is whole, and then the memory is given back.
  ASSERT_TRUE(holder.Send(std::string(81920, 'a')));
  std::optional<RawResponse> held = holder.Read();
  ASSERT_TRUE(held);
  EXPECT_EQ(held->status, 200);
  RawConnection after(server.port());
  ASSERT_TRUE(after.Send(head + "40960\r\n\r\n" + std::string(40960, 'b')));
  std::optional<RawResponse> served = after.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200) << served->body;
}

TEST(CollectorServerProcess, SigtermExitsWithinTheDrainDeadlineWhateverTheClientsDo) {
  TempDir dir;
  const std::string db = dir.Path("db");
  // Only the drain deadline can end the slow clients' requests.
  CollectorProcess server(
      {"--db", db, "--insecure-dev-key", "--drain-timeout-ms", "1000", "--idle-timeout-ms", "60000",
       "--head-timeout-ms", "60000", "--body-grace-ms", "60000"},
      dir.Path("out"));
  ASSERT_GT(server.port(), 0) << server.Output();
  // One client trickling a body a byte every 2 s, one holding half a head, one idle.
  RawConnection trickle(server.port());
  ASSERT_TRUE(trickle.Send("POST " + SubmitPath(NewUuid()) +
                           " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  RawConnection half(server.port());
  ASSERT_TRUE(half.Send("POST " + SubmitPath(NewUuid()) + " HTTP/1.1\r\nHost: x\r\n"));
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.Read());
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    while (!stop) {
      trickle.Send("x");
      for (int i = 0; i < 20 && !stop; ++i) std::this_thread::sleep_for(100ms);  // Its pace.
    }
  });
  Load load(server.port(), 3);
  WaitForAcknowledged(load, 50);
  server.Signal(SIGTERM);
  const std::optional<int> status = server.WaitAtMost(10s);
  stop = true;
  trickler.join();
  load.Stop();
  ASSERT_TRUE(status) << "still running 10 s after SIGTERM with a 1 s drain deadline";
  EXPECT_EQ(ExitCode(*status), 0) << server.Output();
  EXPECT_NE(server.Output().find("stopped"), std::string::npos) << server.Output();
  ExpectAllStored(db, load.ids());
}

// ---- Backpressure ---------------------------------------------------------------------------

// Another connection's write lock on the database, as a slow or stuck writer elsewhere holds
// it: the collector's writer waits behind it (SQLite's busy timeout), then fails.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  ~WriteLock() { Release(); }
  void Release() {
    if (db_ == nullptr) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
};

struct Answer {
  int status = -1;
  std::optional<std::string> retry_after;
};

Answer PostRaw(int port, const std::string& id) {
  RawConnection connection(port);
  Answer answer;
  if (!connection.Send(PingRequest(id))) return answer;
  std::optional<RawResponse> response = connection.Read(60s);
  if (!response) return answer;
  answer.status = response->status;
  answer.retry_after = response->Header("Retry-After");
  return answer;
}

TEST_F(CollectorServerTest, WhileStorageIsLockedNewSubmissionsGet503WithRetryAfter) {
  constexpr size_t kQueue = 4;
  InProcessCollector server(db(),
                            [&](CollectorConfig& config) { config.max_queued_records = kQueue; });
  WriteLock lock(db());
  constexpr int kClients = 32;
  std::vector<std::string> ids;
  for (int i = 0; i < kClients; ++i) ids.push_back(NewUuid());
  std::mutex mutex;
  std::vector<Answer> answers(kClients);
  int answered = 0;
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Answer answer = PostRaw(server.port(), ids[i]);
      std::lock_guard hold(mutex);
      answers[i] = answer;
      ++answered;
    });
  }
  // The writer holds a batch and the queue the next few; everyone else is answered at once.
  const int held_at_most = 2 * static_cast<int>(kQueue);
  std::vector<Answer> while_locked;
  for (const auto start = Steady::now(); Steady::now() - start < 8s;) {
    {
      std::lock_guard hold(mutex);
      if (answered >= kClients - held_at_most) {
        for (const Answer& a : answers) {
          if (a.status != -1) while_locked.push_back(a);
        }
        break;
      }
    }
    std::this_thread::sleep_for(10ms);  // Polling for the refusals.
  }
  lock.Release();
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered, kClients);
  // Nothing was acknowledged while nothing could be committed.
  for (const Answer& a : while_locked) EXPECT_EQ(a.status, 503);
  EXPECT_GE(static_cast<int>(while_locked.size()), kClients - held_at_most);
  int ok = 0;
  int refused = 0;
  for (int i = 0; i < kClients; ++i) {
    if (answers[i].status == 200) {
      ++ok;
      EXPECT_EQ(Stored(ids[i]), 1) << "acknowledged, not stored: " << ids[i];
    } else {
      ++refused;
      EXPECT_EQ(answers[i].status, 503);
      EXPECT_EQ(Stored(ids[i]), 0) << "refused, stored: " << ids[i];
      ASSERT_TRUE(answers[i].retry_after) << "a 503 without Retry-After";
      EXPECT_GT(std::atoi(answers[i].retry_after->c_str()), 0) << *answers[i].retry_after;
    }
  }
  EXPECT_GE(ok, 1);  // Those held waited for the lock and were committed after it.
  EXPECT_EQ(Pings(), ok);
  // Storage is free again: a new ping is taken.
  EXPECT_EQ(PostRaw(server.port(), NewUuid()).status, 200);
}

TEST_F(CollectorServerTest, AStorageErrorIsAnswered503Never200) {
  InProcessCollector server(db(),
                            [&](CollectorConfig& config) { config.storage_busy_timeout_ms = 200; });
  const std::string id = NewUuid();
  Answer answer;
  {
    WriteLock lock(db());
    answer = PostRaw(server.port(), id);  // The lock outlasts the busy timeout.
  }
  EXPECT_EQ(answer.status, 503);
  EXPECT_TRUE(answer.retry_after);
  EXPECT_EQ(Stored(id), 0);
  // The client's retry, once storage is back, is stored.
  EXPECT_EQ(PostRaw(server.port(), id).status, 200);
  EXPECT_EQ(Stored(id), 1);
}

}  // namespace
}  // namespace telemetry::collector
