// The collector over real HTTP on 127.0.0.1: every rule at the door, the real Glean and
// Firefox pings, deduplication, group commit under concurrent clients, slow clients, metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using testing::Count;
using testing::Gzip;
using testing::InProcessCollector;
using testing::MakePing;
using testing::NewUuid;
using testing::PostPing;
using testing::Query;
using testing::RawExchange;
using testing::SubmitPath;
using testing::TempDir;
using testing::Zstd;

std::string GleanSchemaPath() {
  return testing::SharedDir() + "/fixtures/glean/glean.1.schema.json";
}

class CollectorHttpTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("collector.db"); }
  // The rejection rows of one reason.
  std::vector<std::vector<std::string>> Rejections(const std::string& reason) {
    return Query(db(),
                 "SELECT http_status, path, headers, length(body), detail FROM rejections "
                 "WHERE reason = '" +
                     reason + "'");
  }

  TempDir dir_;
};

TEST_F(CollectorHttpTest, HealthAndMetrics) {
  InProcessCollector server(db());
  auto client = server.Client();
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  ASSERT_EQ(PostPing(client, MakePing(NewUuid())), 200);
  client.Post(SubmitPath("nope"), "{}", "application/json");
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  for (const char* line :
       {"collector_requests_total{status=\"200\"}", "collector_requests_total{status=\"400\"} 1",
        "collector_rejections_total{reason=\"invalid_document_id\"} 1", "collector_bytes_in_total ",
        "collector_ingest_seconds_bucket{le=", "collector_ingest_seconds_count 2",
        "collector_commit_batch_size_bucket{le=\"+Inf\"} 2", "collector_pings_stored_total 1"}) {
    EXPECT_NE(metrics->body.find(line), std::string::npos) << line << "\n" << metrics->body;
  }
}

TEST_F(CollectorHttpTest, ProtobufPingIsStoredWithItsRows) {
  InProcessCollector server(db());
  auto client = server.Client();
  const std::string id = NewUuid();
  ASSERT_EQ(PostPing(client, MakePing(id, "uid-1", "device-1", 2)), 200);
  // The 200 came after the commit: the rows are there now.
  auto pings = Query(db(),
                     "SELECT namespace, doc_type, doc_version, submission_date <> '', "
                     "content_encoding, redacted FROM pings WHERE document_id = '" +
                         id + "'");
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0], (std::vector<std::string>{"firefox-desktop", "account-ecosystem", "1", "1",
                                                "zstd", "1"}));
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events WHERE document_id = '" + id + "'"),
            3);
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  auto rows = Query(db(),
                    "SELECT type, uid, deviceId, newUser, seqTime, userAgentOS, service, "
                    "sample_id FROM activity_events ORDER BY type, timestamp");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"account.login", hasher.Hash("uid-1"),
                                      hasher.Hash("device-1"), "1", "20412", "Linux", "sync",
                                      std::to_string(IdHasher::SampleId(hasher.Hash("uid-1")))}));
  EXPECT_EQ(rows[2][0], "ping.account-ecosystem");
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM scalars WHERE document_id = '" + id + "'"), 2);
}

TEST_F(CollectorHttpTest, RepeatedDocumentIdIsAcknowledgedAndStoredOnce) {
  InProcessCollector server(db());
  auto client = server.Client();
  const std::string id = NewUuid();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PostPing(client, MakePing(id)), 200);
  // Upper case is the same id.
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto res = client.Post(SubmitPath(upper), {{"Content-Encoding", "zstd"}},
                         Zstd(MakePing(upper).SerializeAsString()), "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 1);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events"), 2);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM scalars"), 2);
}

TEST_F(CollectorHttpTest, ConcurrentClientsShareCommitsAndLoseNothing) {
  InProcessCollector server(db());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kThreads * kPerThread; ++i) ids.push_back(NewUuid());
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server.Client();
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread also repeats a neighbour's id: duplicates race across batches.
        const std::string& id = ids[t * kPerThread + i];
        const std::string& other = ids[((t + 1) % kThreads) * kPerThread + i];
        if (PostPing(client, MakePing(id)) == 200) ++acknowledged;
        if (PostPing(client, MakePing(other)) == 200) ++acknowledged;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acknowledged.load(), 2 * kThreads * kPerThread);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), kThreads * kPerThread);
  EXPECT_EQ(Count(db(), "SELECT COUNT(DISTINCT document_id) FROM activity_events"),
            kThreads * kPerThread);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events"), 2 * kThreads * kPerThread);
  auto metrics = server.Client().Get("/metrics");
  ASSERT_TRUE(metrics);
  // Every record went through exactly one commit.
  EXPECT_NE(metrics->body.find("collector_commit_batch_size_sum " +
                               std::to_string(2 * kThreads * kPerThread)),
            std::string::npos)
      << metrics->body;
}

TEST_F(CollectorHttpTest, PostWithNeitherLengthNorChunkedIs411) {
  InProcessCollector server(db());
  const std::string path = SubmitPath(NewUuid());
  std::string reply = RawExchange(server.port(), "POST " + path +
                                                     " HTTP/1.1\r\nHost: x\r\n"
                                                     "Content-Type: application/json\r\n\r\n{}");
  EXPECT_EQ(reply.rfind("HTTP/1.1 411", 0), 0u) << reply;
  EXPECT_NE(reply.find("length_required"), std::string::npos);
  // A chunked body has its length in its framing (issue 15): it is read, under the same cap, and
  // refused for what it is (an empty Glean ping), not for its framing.
  reply = RawExchange(server.port(), "POST " + path +
                                         " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                         "Content-Type: application/json\r\n"
                                         "\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("schema_violation: "), std::string::npos) << reply;
  auto rows = Rejections("length_required");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "411");
  EXPECT_EQ(rows[0][1], path);
}

TEST_F(CollectorHttpTest, BodyOverOneMegabyteIs413) {
  InProcessCollector server(db());
  auto client = server.Client();
  auto res =
      client.Post(SubmitPath(NewUuid()), std::string(1024 * 1024 + 1, 'x'), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("body_too_large"), std::string::npos);
  ASSERT_EQ(Rejections("body_too_large").size(), 1u);
  // Exactly 1 MB is read (and refused for what it is, not for its size).
  res = client.Post(SubmitPath(NewUuid()), std::string(1024 * 1024, 'x'), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("invalid_json"), std::string::npos);
}

TEST_F(CollectorHttpTest, PathOver1024BytesIs414) {
  InProcessCollector server(db());
  auto client = server.Client();
  const std::string id = NewUuid();
  const std::string path = "/submit/" + std::string(1000, 'n') + "/main/1/" + id;
  auto res = client.Post(path, {{"Content-Encoding", "zstd"}},
                         Zstd(MakePing(id).SerializeAsString()), "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 414);
  EXPECT_NE(res->body.find("uri_too_long"), std::string::npos);
  // Beyond the HTTP library's own limit (8 KiB), still 414, still recorded.
  res =
      client.Post("/submit/" + std::string(9000, 'n') + "/main/1/" + id, "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 414);
  EXPECT_EQ(Rejections("uri_too_long").size(), 2u);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 0);
}

TEST_F(CollectorHttpTest, DocumentIdThatIsNotAUuidIs400) {
  InProcessCollector server(db());
  auto client = server.Client();
  auto res =
      client.Post("/submit/firefox-desktop/main/1/not-a-uuid", {{"Content-Encoding", "zstd"}},
                  Zstd(MakePing("").SerializeAsString()), "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("invalid_document_id"), std::string::npos);
  auto rows = Rejections("invalid_document_id");
  ASSERT_EQ(rows.size(), 1u);
  auto headers = nlohmann::json::parse(rows[0][2]);
  EXPECT_EQ(headers["Content-Type"], "application/x-protobuf");
  EXPECT_EQ(headers["Content-Encoding"], "zstd");
  EXPECT_NE(rows[0][3], "0");  // The body is kept.
}

TEST_F(CollectorHttpTest, UnknownEncodingIs415) {
  InProcessCollector server(db());
  auto client = server.Client();
  for (const char* encoding : {"br", "deflate", "compress", "gzip, zstd"}) {
    auto res = client.Post(SubmitPath(NewUuid()), {{"Content-Encoding", encoding}}, "whatever",
                           "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 415) << encoding;
    EXPECT_NE(res->body.find("unsupported_encoding"), std::string::npos);
  }
  EXPECT_EQ(Rejections("unsupported_encoding").size(), 4u);
}

TEST_F(CollectorHttpTest, ZipAndZstdBombsAre413AndKeptCompressed) {
  InProcessCollector server(db());
  auto client = server.Client();
  // 64 MiB of zeros compressed as they are produced, and 1 GiB as repeated zstd frames.
  std::string gzip_bomb;
  {
    z_stream s{};
    deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    const std::string zeros(1 << 20, '\0');
    char buffer[1 << 16];
    for (int i = 0; i < 64; ++i) {
      s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
      s.avail_in = static_cast<uInt>(zeros.size());
      do {
        s.next_out = reinterpret_cast<Bytef*>(buffer);
        s.avail_out = sizeof(buffer);
        deflate(&s, i == 63 ? Z_FINISH : Z_NO_FLUSH);
        gzip_bomb.append(buffer, sizeof(buffer) - s.avail_out);
      } while (s.avail_out == 0);
    }
    deflateEnd(&s);
  }
  std::string zstd_bomb;
  const std::string frame = Zstd(std::string(1 << 20, '\0'));
  for (int i = 0; i < 1024; ++i) zstd_bomb += frame;
  for (const auto& [encoding, bomb] :
       {std::pair<std::string, std::string>{"gzip", gzip_bomb}, {"zstd", zstd_bomb}}) {
    ASSERT_LT(bomb.size(), 1u << 20);
    auto res = client.Post(SubmitPath(NewUuid()), {{"Content-Encoding", encoding}}, bomb,
                           encoding == "zstd" ? "application/x-protobuf" : "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413) << encoding;
    EXPECT_NE(res->body.find("decompressed_too_large"), std::string::npos) << res->body;
  }
  auto rows = Query(db(),
                    "SELECT length(body) FROM rejections WHERE reason = "
                    "'decompressed_too_large' ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  // Kept as received, sealed: magic, nonce and tag add 32 bytes (collector_door_test opens them).
  EXPECT_EQ(rows[0][0], std::to_string(gzip_bomb.size() + 32));
  EXPECT_EQ(rows[1][0], std::to_string(zstd_bomb.size() + 32));
  // And the server is still well.
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

TEST_F(CollectorHttpTest, InvalidBodiesAre400WithAReason) {
  InProcessCollector server(db());
  auto client = server.Client();
  struct Case {
    std::string content_type, encoding, body, reason;
  };
  const std::string id = NewUuid();
  for (const Case& c : std::vector<Case>{
           {"application/x-protobuf", "zstd", Zstd("\x0a\xff\xff\xff\xff garbage"),
            "invalid_protobuf"},
           {"application/x-protobuf", "zstd", "not zstd at all", "corrupt_body"},
           {"application/json", "gzip", Gzip("{\"ping_info\": "), "invalid_json"},
           {"application/json", "", "[1, 2]", "invalid_json"},
           {"application/json", "", std::string(100, '[') + std::string(100, ']'), "invalid_json"},
           {"application/json", "", "{\"client_info\": {}}", "schema_violation"}}) {
    auto res =
        client.Post(SubmitPath(id), {{"Content-Encoding", c.encoding}}, c.body, c.content_type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.reason;
    EXPECT_EQ(res->body.rfind(c.reason + ": ", 0), 0u) << res->body;
    EXPECT_EQ(Rejections(c.reason).size() > 0, true) << c.reason;
  }
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 0);
}

TEST_F(CollectorHttpTest, UnreadableHttpIsAnsweredAndRecorded) {
  InProcessCollector server(db());
  const std::string reply = RawExchange(server.port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_EQ(Rejections("bad_request").size(), 1u);
  auto client = server.Client();
  auto res = client.Post("/elsewhere", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

// Issue 13, item 7: a negative or non-numeric Content-Length is a malformed request (400), not
// a body too large (413), which the library made of "-1" read as 2^64 - 1.
TEST_F(CollectorHttpTest, AMalformedContentLengthIsABadRequest) {
  InProcessCollector server(db());
  for (const char* length : {"-1", "0x10", "12abc"}) {
    const std::string reply =
        RawExchange(server.port(), "POST " + SubmitPath(NewUuid()) +
                                       " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                       "Content-Length: " +
                                       length + "\r\n\r\n{}");
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << length << "\n" << reply;
    EXPECT_NE(reply.find("bad_request: the Content-Length is not a number of bytes"),
              std::string::npos)
        << reply;
  }
  EXPECT_EQ(Rejections("bad_request").size(), 3u);
  EXPECT_EQ(Rejections("body_too_large").size(), 0u);
  auto client = server.Client();
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

TEST_F(CollectorHttpTest, StalledClientTimesOutWhileOthersAreServed) {
  InProcessCollector server(db(), "", std::chrono::milliseconds(300));
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server.port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  // Half a request, then silence.
  const std::string half = "POST " + SubmitPath(NewUuid()) +
                           " HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"ping";
  ASSERT_EQ(send(fd, half.data(), half.size(), MSG_NOSIGNAL), static_cast<ssize_t>(half.size()));
  auto client = server.Client();
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
  // The server gives up on the stalled connection and closes it (recv sees the end of the
  // stream, not our own 60 s guard).
  timeval guard{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
  }
  EXPECT_EQ(n, 0) << "the connection was not closed by the server";
  close(fd);
}

class GleanFixtureTest : public CollectorHttpTest {
 protected:
  static std::vector<std::filesystem::path> Fixtures(const std::string& suffix) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(testing::SharedDir() + "/fixtures/glean/validation")) {
      const std::string name = entry.path().filename().string();
      if (name.size() > suffix.size() && name.ends_with(suffix)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
};

TEST_F(GleanFixtureTest, EveryPassFixtureIsAcceptedGzipOrPlain) {
  InProcessCollector server(db(), GleanSchemaPath());
  auto client = server.Client();
  const auto files = Fixtures(".pass.json");
  ASSERT_GE(files.size(), 7u);
  int n = 0;
  for (const auto& file : files) {
    const std::string body = testing::ReadFile(file.string());
    for (bool gzip : {true, false}) {
      auto res = client.Post("/submit/org-mozilla-fenix/baseline/1/" + NewUuid(),
                             {{"Content-Encoding", gzip ? "gzip" : "identity"}},
                             gzip ? Gzip(body) : body, "application/json; charset=utf-8");
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200) << file.filename() << ": " << res->body;
      ++n;
    }
  }
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), n);
  EXPECT_GT(Count(db(), "SELECT COUNT(*) FROM scalars"), 0);
}

TEST_F(GleanFixtureTest, EveryFailFixtureIsRejectedWithItsReason) {
  InProcessCollector server(db(), GleanSchemaPath());
  auto client = server.Client();
  const auto files = Fixtures(".fail.json");
  ASSERT_GE(files.size(), 7u);
  for (const auto& file : files) {
    auto res = client.Post("/submit/org-mozilla-fenix/baseline/1/" + NewUuid(),
                           {{"Content-Encoding", "gzip"}}, Gzip(testing::ReadFile(file.string())),
                           "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << file.filename();
    EXPECT_EQ(res->body.rfind("schema_violation: ", 0), 0u) << file.filename() << ": " << res->body;
  }
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 0);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM rejections WHERE reason = 'schema_violation'"),
            static_cast<int64_t>(files.size()));
}

TEST_F(GleanFixtureTest, WithoutSchemaPassFixturesAreStillAccepted) {
  InProcessCollector server(db());
  auto client = server.Client();
  for (const auto& file : Fixtures(".pass.json")) {
    auto res = client.Post("/submit/org-mozilla-fenix/baseline/1/" + NewUuid(),
                           testing::ReadFile(file.string()), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << file.filename() << ": " << res->body;
  }
}

TEST_F(GleanFixtureTest, BrokenTimestampsAreRejected) {
  InProcessCollector server(db(), GleanSchemaPath());
  auto client = server.Client();
  nlohmann::json ping = nlohmann::json::parse(testing::ReadFile(
      testing::SharedDir() + "/fixtures/glean/validation/glean.1.baseline.pass.json"));
  ping["ping_info"]["end_time"] = "yesterday-ish";
  auto res = client.Post("/submit/org-mozilla-fenix/baseline/1/" + NewUuid(), ping.dump(),
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body.rfind("invalid_ping: end_time", 0), 0u) << res->body;
}

TEST_F(GleanFixtureTest, ServerSideHashedIdsGiveActivityRows) {
  InProcessCollector server(db(), GleanSchemaPath());
  auto client = server.Client();
  nlohmann::json ping = {
      {"ping_info",
       {{"seq", 3},
        {"start_time", "2024-10-09T10:00+00:00"},
        {"end_time", "2024-10-09T10:05+00:00"}}},
      {"client_info",
       {{"telemetry_sdk_build", "glean_parser v15"},
        {"os", "Linux"},
        {"os_version", "6.1"},
        {"architecture", "x86_64"},
        {"app_build", "1"},
        {"first_run_date", "2024-10-01+00:00"},
        {"app_display_version", "0.17.0"}}},
      {"metrics",
       {{"string",
         {{"syncstorage.hashed_fxa_uid", "fxa-hash-abc"},
          {"syncstorage.hashed_device_id", "device-hash-def"},
          {"syncstorage.platform", "desktop"}}}}},
      {"events",
       {{{"timestamp", 1728468000000}, {"category", "syncstorage"}, {"name", "get_collections"}}}}};
  auto res = client.Post("/submit/syncstorage/events/1/" + NewUuid(),
                         {{"Content-Encoding", "gzip"}}, Gzip(ping.dump()), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  auto rows = Query(db(),
                    "SELECT type, timestamp, uid, deviceId, userAgentOS FROM activity_events "
                    "ORDER BY type");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"ping.events", "1728468300000", hasher.Hash("fxa-hash-abc"),
                                      hasher.Hash("device-hash-def"), "Linux"}));
  EXPECT_EQ(rows[1][0], "syncstorage.get_collections");
  EXPECT_EQ(rows[1][1], "1728468000000");
  EXPECT_EQ(rows[1][2], hasher.Hash("fxa-hash-abc"));
  // Neither the scalar rows nor the stored ping keep the ids as sent.
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM scalars WHERE value LIKE '%hash-%'"), 0);
  EXPECT_EQ(Count(db(), "SELECT redacted FROM pings"), 1);
  const std::string file = testing::ReadFile(db()) + testing::ReadFile(db() + "-wal");
  EXPECT_EQ(file.find("fxa-hash-abc"), std::string::npos);
}

TEST_F(CollectorHttpTest, RealFirefoxPingsAreAcceptedAndMainScalarsStored) {
  InProcessCollector server(db());
  auto client = server.Client();
  int n = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::SharedDir() + "/fixtures/firefox/pings")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  // Reverse order: main.4.sample (with scalars) before main.4.min, which repeats its id.
  std::sort(files.rbegin(), files.rend());
  for (const auto& file : files) {
    const std::string body = testing::ReadFile(file.string());
    const nlohmann::json ping = nlohmann::json::parse(body);
    const std::string path = "/submit/telemetry/" + ping["id"].get<std::string>() + "/" +
                             ping["type"].get<std::string>() + "/Firefox/45.0/beta/20151103030248";
    const bool gzip = n % 2 == 0;
    auto res = client.Post(path, {{"Content-Encoding", gzip ? "gzip" : "identity"}},
                           gzip ? Gzip(body) : body, "application/json; charset=UTF-8");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << file.filename() << ": " << res->body;
    ++n;
  }
  EXPECT_EQ(n, 5);
  // main.4.min and main.4.sample share their document id: the second is a duplicate.
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings WHERE namespace = 'telemetry'"), 4);
  // main.4.sample: 3 scalars and 2 keyed scalars of 2 keys in the parent process; new-profile: 1.
  auto rows = Query(db(),
                    "SELECT s.process, s.probe, s.key, s.kind, s.value FROM scalars s JOIN "
                    "pings p USING (document_id) WHERE p.doc_type = 'main' "
                    "ORDER BY s.probe, s.key");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"parent", "telemetry.test.boolean_kind", "NULL",
                                               "bool", "true"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"parent", "telemetry.test.keyed_boolean_kind",
                                               "key1", "bool", "false"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"parent", "telemetry.test.keyed_unsigned_int",
                                               "search_enter", "uint", "1"}));
  EXPECT_EQ(rows[5], (std::vector<std::string>{"parent", "telemetry.test.string_kind", "NULL",
                                               "string", "I'm a cool test string."}));
  EXPECT_EQ(rows[6], (std::vector<std::string>{"parent", "telemetry.test.unsigned_int_kind", "NULL",
                                               "uint", "2"}));
  EXPECT_EQ(Count(db(),
                  "SELECT COUNT(*) FROM scalars WHERE probe = "
                  "'startup.profile_selection_reason'"),
            1);
}

TEST_F(CollectorHttpTest, FirefoxPingWhoseIdDiffersFromTheUriIsRejected) {
  InProcessCollector server(db());
  auto client = server.Client();
  const std::string body =
      testing::ReadFile(testing::SharedDir() + "/fixtures/firefox/pings/main.4.min.pass.json");
  auto res = client.Post("/submit/telemetry/" + NewUuid() + "/main/Firefox/45.0/beta/1", body,
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body.rfind("invalid_ping: id ", 0), 0u) << res->body;
}

}  // namespace
}  // namespace telemetry::collector
