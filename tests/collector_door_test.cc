// The ingestion door under attack (issue 13, items 1, 2, 3 and 6): no raw id at rest, bounded
// cost per request, plausible times and strict names, the Glean rules applied by default.
#include <gtest/gtest.h>

#include <climits>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "collector/codec/content_coding.h"
#include "collector/ingest/json_input.h"
#include "collector/ingest/limits.h"
#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using nlohmann::json;
using testing::Count;
using testing::Gzip;
using testing::InProcessCollector;
using testing::MakePing;
using testing::NewUuid;
using testing::PostPing;
using testing::Query;
using testing::SubmitPath;
using testing::TempDir;
using testing::Zstd;

// A Glean ping the built-in rules accept, with server-side ids when `uid` is not empty.
json GleanPing(const std::string& uid = "") {
  json ping = {
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
      {"metrics", {{"string", {{"syncstorage.platform", "desktop"}}}}},
      {"events",
       {{{"timestamp", 1728468000000}, {"category", "syncstorage"}, {"name", "get_collections"}}}}};
  if (!uid.empty()) ping["metrics"]["string"]["syncstorage.hashed_fxa_uid"] = uid;
  return ping;
}

std::string GleanPath() { return "/submit/syncstorage/events/1/" + NewUuid(); }

class DoorTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.Path("collector.db"); }
  int Post(httplib::Client& client, const std::string& path, const std::string& body,
           const std::string& type = "application/json", const std::string& encoding = "") {
    auto res = client.Post(path, {{"Content-Encoding", encoding}}, body, type);
    last_body_ = res ? res->body : "";
    return res ? res->status : -1;
  }
  int64_t Rejected(const std::string& reason) {
    return Count(db(), "SELECT COUNT(*) FROM rejections WHERE reason = '" + reason + "'");
  }
  TempDir dir_;
  std::string last_body_;
};

// ---- Item 1: no raw account or device id at rest --------------------------------------------

constexpr const char* kRawIds[] = {"RAWUID0a1b2c3d", "RAWDEV4e5f6a7b", "RAWUIDLABELED9",
                                   "RAWUIDTEXT8642", "RAWUIDDUPKEY55", "987654321987",
                                   "RAWUIDFIREFOX3"};

// Every file under `dir` (database, WAL, shm, anything else), plus the stored ping bodies
// decoded, must hold none of kRawIds.
void ExpectNoRawIdUnder(const std::string& dir, const std::string& db, const std::string& extra) {
  std::string everything = extra;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) everything += testing::ReadFile(entry.path().string());
  }
  for (const auto& row : Query(db, "SELECT content_encoding, body FROM pings")) {
    Result<std::string> decoded =
        Decode(*ParseContentCoding(row[0] == "identity" ? "" : row[0]), row[1], 64 << 20);
    ASSERT_TRUE(decoded.ok());
    everything += *decoded;
  }
  for (const char* id : kRawIds) {
    EXPECT_EQ(everything.find(id), std::string::npos) << id << " is at rest";
  }
}

TEST_F(DoorTest, NoRawIdAtRestFromRefusedOrAcceptedPingsOfEveryFormat) {
  const std::string key_file = dir_.Path("key");
  testing::WriteFile(key_file, "a test key of thirty-two bytes!!\n");
  std::filesystem::create_directory(dir_.Path("data"));
  const std::string database = dir_.Path("data/collector.db");
  const std::string out = dir_.Path("server.out");
  int refused = 0;
  {
    testing::CollectorProcess server({"--db", database, "--hmac-key-file", key_file}, out);
    ASSERT_GT(server.port(), 0) << server.Output();
    httplib::Client client("127.0.0.1", server.port());
    // Protobuf: an account block and one scalar without a value.
    telemetry::ping::Ping ping = MakePing(NewUuid(), kRawIds[0], kRawIds[1]);
    ping.mutable_payload()->add_scalars()->set_name("bad.scalar");
    EXPECT_EQ(PostPing(client, ping), 400);
    // Glean: server-side ids and a field the schema does not allow.
    json glean = GleanPing(kRawIds[0]);
    glean["unknown_field"] = 1;
    EXPECT_EQ(Post(client, GleanPath(), Gzip(glean.dump()), "application/json", "gzip"), 400);
    // Glean: the id hidden by a duplicated key (a parser keeping the last copy sees no id).
    std::string dup = GleanPing().dump();
    dup.replace(
        dup.find("\"metrics\":{"), 11,
        "\"metrics\":{\"string\":{\"a.hashed_fxa_uid\":\"" + std::string(kRawIds[4]) + "\"},");
    EXPECT_EQ(Post(client, GleanPath(), dup), 400) << last_body_;
    // Glean: a numeric uid in an event's extras.
    json numeric = GleanPing();
    numeric["events"][0]["extra"] = {{"uid", 987654321987}};
    const int numeric_status = Post(client, GleanPath(), numeric.dump());
    EXPECT_TRUE(numeric_status == 400 || numeric_status == 200) << last_body_;
    // Firefox: an id in the body, a broken envelope field.
    json firefox = {{"type", "main"},
                    {"id", NewUuid()},
                    {"creationDate", "2024-10-09T10:00:00Z"},
                    {"version", "four"},
                    {"application", json::object()},
                    {"payload", {{"info", {{"uid", kRawIds[6]}}}}}};
    EXPECT_EQ(Post(client,
                   "/submit/telemetry/" + firefox["id"].get<std::string>() +
                       "/main/Firefox/45.0/beta/20151103030248",
                   firefox.dump()),
              400);
    refused = 4 + (numeric_status == 400);
    // Accepted: ids in a labeled_string and a text metric named *.hashed_fxa_uid.
    json labeled = GleanPing("plain-uid-1");
    labeled["metrics"]["labeled_string"] = {{"x.hashed_fxa_uid", {{"label", kRawIds[2]}}}};
    labeled["metrics"]["text"] = {{"y.hashed_fxa_uid", kRawIds[3]}};
    EXPECT_EQ(Post(client, GleanPath(), labeled.dump()), 200) << last_body_;
    server.Signal(SIGTERM);
    server.Wait();
  }
  ASSERT_EQ(Count(database, "SELECT COUNT(*) FROM rejections"), refused);
  ExpectNoRawIdUnder(dir_.Path("data"), database, testing::ReadFile(out));
  // The bodies are kept for debugging: the operator's command opens the first one.
  std::string shown;
  EXPECT_EQ(
      testing::RunCommandForTest(std::string(TELEMETRY_COLLECTOR) + " rejections --db " + database +
                                     " --hmac-key-file " + key_file + " --show 1 2>/dev/null",
                                 &shown),
      0);
  EXPECT_NE(shown.find(kRawIds[0]), std::string::npos) << shown;
  // And not without the key.
  testing::WriteFile(dir_.Path("other-key"), "another key of thirty-two bytes!\n");
  EXPECT_NE(
      testing::RunCommandForTest(std::string(TELEMETRY_COLLECTOR) + " rejections --db " + database +
                                     " --hmac-key-file " + dir_.Path("other-key") + " --show 1",
                                 &shown),
      0);
  EXPECT_EQ(shown.find(kRawIds[0]), std::string::npos) << shown;
}

TEST(SealedBodies, OpenOnlyUnderTheirKeyAndUnchanged) {
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  const std::string body = std::string("raw body \0 with a NUL", 21);
  const std::string sealed = hasher.Seal(body);
  EXPECT_TRUE(IdHasher::IsSealed(sealed));
  EXPECT_EQ(sealed.find("raw body"), std::string::npos);
  EXPECT_NE(hasher.Seal(body), sealed);  // A fresh nonce each time.
  Result<std::string> opened = hasher.Open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(*opened, body);
  std::string changed = sealed;
  changed[20] ^= 1;
  EXPECT_FALSE(hasher.Open(changed).ok());
  TempDir dir;
  testing::WriteFile(dir.Path("key"), "a test key of thirty-two bytes!!");
  Result<IdHasher> other = IdHasher::FromKeyFile(dir.Path("key"));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Open(sealed).ok());
  // The sealing key is no HMAC of any id: HKDF, not HMAC(key, label).
  EXPECT_EQ(sealed.find(hasher.Hash("telemetry-collector rejected bodies v1").substr(0, 8)),
            std::string::npos);
}

// ---- Item 2: small input, bounded cost -----------------------------------------------------

TEST(BoundedJson, DepthIsRefusedWhileParsingNotAfter) {
  // Never closed: a parser that checks depth afterwards sees broken JSON, not the depth.
  const std::string body = "{\"a\":" + std::string(1 << 20, '[');
  Result<json> parsed = ParseJsonPing(body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "invalid_json: nested deeper than 64 levels");
}

TEST(BoundedJson, DuplicateKeysAndTooManyValuesAreRefused) {
  EXPECT_EQ(ParseJsonPing("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}").status().message(),
            "invalid_json: an object key appears twice in one object");
  std::string many = "{\"a\":[0";
  for (size_t i = 0; i < kMaxJsonValues; ++i) many += ",0";
  many += "]}";
  EXPECT_EQ(ParseJsonPing(many).status().message().rfind("over_limit: ", 0), 0u);
  EXPECT_TRUE(ParseJsonPing("{\"a\":[0,1],\"b\":{\"c\":1}}").ok());
}

TEST_F(DoorTest, PingsExpandingIntoHugeRowCountsAreRefusedAndCounted) {
  InProcessCollector server(db());
  auto client = server.Client();
  // Protobuf: 20,000 events (a few hundred bytes of zstd).
  telemetry::ping::Ping events = MakePing(NewUuid(), "uid", "device", 20000);
  const std::string compressed = Zstd(events.SerializeAsString());
  EXPECT_EQ(
      Post(client, SubmitPath(events.document_id()), compressed, "application/x-protobuf", "zstd"),
      400);
  EXPECT_EQ(last_body_.rfind("over_limit: ", 0), 0u) << last_body_;
  // Protobuf: one keyed scalar of 101 keys.
  telemetry::ping::Ping keyed = MakePing(NewUuid());
  for (int i = 0; i < 101; ++i) {
    (*keyed.mutable_payload()->mutable_keyed_scalars(0)->mutable_values())["k" + std::to_string(i)]
        .set_uint_value(1);
  }
  EXPECT_EQ(PostPing(client, keyed), 400);
  // Firefox: 20,000 scalars.
  json firefox = json::parse(
      testing::ReadFile(testing::SharedDir() + "/fixtures/firefox/pings/main.4.min.pass.json"));
  firefox["id"] = NewUuid();
  json& scalars = firefox["payload"]["processes"]["parent"]["scalars"];
  for (int i = 0; i < 20000; ++i) scalars["s.n" + std::to_string(i)] = i;
  EXPECT_EQ(Post(client,
                 "/submit/telemetry/" + firefox["id"].get<std::string>() +
                     "/main/Firefox/45.0/beta/20151103030248",
                 Gzip(firefox.dump()), "application/json", "gzip"),
            400);
  // Glean: 1001 events with ids.
  json glean = GleanPing("uid-1");
  for (int i = 0; i < 1000; ++i) glean["events"].push_back(glean["events"][0]);
  EXPECT_EQ(Post(client, GleanPath(), Gzip(glean.dump()), "application/json", "gzip"), 400);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events"), 0);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM scalars"), 0);
  EXPECT_EQ(Rejected("over_limit"), 4);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("collector_rejections_total{reason=\"over_limit\"} 4"),
            std::string::npos)
      << metrics->body;
  // A ping at the caps is taken.
  EXPECT_EQ(PostPing(client, MakePing(NewUuid(), "uid", "device", 999)), 200);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events"), 1000);
}

// ---- Item 3: times and names that cannot break the job -------------------------------------

TEST_F(DoorTest, ImplausibleTimestampsAreRefusedAtTheDoor) {
  InProcessCollector server(db());
  auto client = server.Client();
  const int64_t now = SystemClock().NowMillis();
  for (int64_t bad : {int64_t{-1'000'000'000'000'000}, int64_t{INT64_MIN}, int64_t{INT64_MAX},
                      int64_t{946684799999}, now + 2 * 86400000}) {
    telemetry::ping::Ping ping = MakePing(NewUuid());
    ping.mutable_payload()->mutable_events(0)->set_timestamp_ms(bad);
    EXPECT_EQ(PostPing(client, ping), 400) << bad;
  }
  telemetry::ping::Ping end = MakePing(NewUuid());
  end.set_end_time_ms(INT64_MAX);
  EXPECT_EQ(PostPing(client, end), 400);
  EXPECT_EQ(Rejected("implausible_time"), 6);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM activity_events"), 0);
  // Late (2016) and slightly ahead (an hour) are real clients' times.
  telemetry::ping::Ping ahead = MakePing(NewUuid());
  ahead.mutable_payload()->mutable_events(0)->set_timestamp_ms(now + 3600000);
  EXPECT_EQ(PostPing(client, ahead), 200);
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
}

TEST_F(DoorTest, NamesOutsideTheStrictCharsetAreRefused) {
  InProcessCollector server(db());
  auto client = server.Client();
  const std::string body = Zstd(MakePing(NewUuid()).SerializeAsString());
  for (const std::string& prefix :
       {std::string("/submit/%FF/account-ecosystem/1/"), std::string("/submit/a%00b/type/1/"),
        std::string("/submit/firefox-desktop/a..b/1/"), std::string("/submit/a%20b/type/1/"),
        std::string("/submit/firefox-desktop/t%C3%A9/1/"), std::string("/submit/../type/1/")}) {
    EXPECT_EQ(Post(client, prefix + NewUuid(), body, "application/x-protobuf", "zstd"), 400)
        << prefix;
    EXPECT_EQ(last_body_.rfind("invalid_uri: ", 0), 0u) << prefix << ": " << last_body_;
  }
  const std::string firefox =
      testing::ReadFile(testing::SharedDir() + "/fixtures/firefox/pings/main.4.min.pass.json");
  const std::string id = json::parse(firefox)["id"];
  EXPECT_EQ(Post(client, "/submit/telemetry/" + id + "/main/Firefox/45.0/be%FFta/2015", firefox),
            400);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 0);
  EXPECT_EQ(Rejected("invalid_uri"), 7);
}

// ---- Item 6: the Glean rules by default ----------------------------------------------------

TEST_F(DoorTest, WithoutASchemaFileEveryFailFixtureAndAPingWithoutSeqAreRefused) {
  InProcessCollector server(db());  // Only a database and a key.
  auto client = server.Client();
  int n = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::SharedDir() + "/fixtures/glean/validation")) {
    if (!entry.path().string().ends_with(".fail.json")) continue;
    EXPECT_EQ(Post(client, "/submit/org-mozilla-fenix/baseline/1/" + NewUuid(),
                   Gzip(testing::ReadFile(entry.path().string())), "application/json", "gzip"),
              400)
        << entry.path().filename();
    EXPECT_EQ(last_body_.rfind("schema_violation: ", 0), 0u) << entry.path() << last_body_;
    ++n;
  }
  EXPECT_GE(n, 8);
  json no_seq = GleanPing();
  no_seq["ping_info"].erase("seq");
  EXPECT_EQ(Post(client, GleanPath(), no_seq.dump()), 400);
  EXPECT_EQ(last_body_, "schema_violation: ping_info: lacks the required field seq\n");
  EXPECT_EQ(Rejected("schema_violation"), n + 1);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM pings"), 0);
  EXPECT_EQ(Post(client, GleanPath(), GleanPing().dump()), 200) << last_body_;
}

}  // namespace
}  // namespace telemetry::collector
