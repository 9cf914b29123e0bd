// The telemetry-collector binary as an operator runs it: key handling, SIGKILL and SIGTERM
// under load, privacy of the key and of raw ids, import and stats.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using testing::CollectorProcess;
using testing::Count;
using testing::ExpectAllStored;
using testing::Load;
using testing::MakePing;
using testing::NewUuid;
using testing::PostPing;
using testing::Query;
using testing::ReadFile;
using testing::TempDir;
using testing::WaitForAcknowledged;
using testing::WriteFile;

int ExitCode(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

std::string Collector(const std::string& args, int* code) {
  std::string output;
  *code = telemetry::collector::testing::RunCommandForTest(
      std::string(TELEMETRY_COLLECTOR) + " " + args, &output);
  return output;
}

TEST(CollectorProcess, RefusesToStartWithoutAKeyAndSaysWhy) {
  TempDir dir;
  CollectorProcess server({"--db", dir.Path("db")}, dir.Path("out"));
  EXPECT_EQ(ExitCode(server.Wait()), 2);
  const std::string out = server.Output();
  EXPECT_NE(out.find("refusing to start"), std::string::npos) << out;
  EXPECT_NE(out.find("--hmac-key-file"), std::string::npos) << out;
  EXPECT_NE(out.find("--insecure-dev-key"), std::string::npos) << out;
  WriteFile(dir.Path("short-key"), "short\n");
  CollectorProcess short_key({"--db", dir.Path("db"), "--hmac-key-file", dir.Path("short-key")},
                             dir.Path("out2"));
  EXPECT_EQ(ExitCode(short_key.Wait()), 2);
  EXPECT_NE(short_key.Output().find("too short"), std::string::npos);
}

TEST(CollectorProcess, KillDashNineLosesNothingAcknowledged) {
  TempDir dir;
  const std::string db = dir.Path("db");
  std::vector<std::string> acknowledged;
  {
    CollectorProcess server({"--db", db, "--insecure-dev-key"}, dir.Path("out"));
    ASSERT_GT(server.port(), 0) << server.Output();
    Load load(server.port(), 6);
    WaitForAcknowledged(load, 300);
    server.Signal(SIGKILL);  // In the middle of the load.
    server.Wait();
    load.Stop();
    acknowledged = load.ids();
  }
  // The restarted server opens the same database (recovering its WAL) and serves on.
  CollectorProcess again({"--db", db, "--insecure-dev-key"}, dir.Path("out2"));
  ASSERT_GT(again.port(), 0) << again.Output();
  httplib::Client client("127.0.0.1", again.port());
  EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
  ExpectAllStored(db, acknowledged);
  // Resending an acknowledged ping changes nothing.
  EXPECT_EQ(PostPing(client, MakePing(acknowledged.front())), 200);
  EXPECT_EQ(
      Count(db, "SELECT COUNT(*) FROM pings WHERE document_id = '" + acknowledged.front() + "'"),
      1);
}

TEST(CollectorProcess, SigtermDrainsAndExitsZero) {
  TempDir dir;
  const std::string db = dir.Path("db");
  CollectorProcess server({"--db", db, "--insecure-dev-key", "--idle-timeout-ms", "1000"},
                          dir.Path("out"));
  ASSERT_GT(server.port(), 0) << server.Output();
  Load load(server.port(), 4);
  WaitForAcknowledged(load, 100);
  server.Signal(SIGTERM);
  EXPECT_EQ(ExitCode(server.Wait()), 0) << server.Output();
  load.Stop();
  ExpectAllStored(db, load.ids());
  EXPECT_NE(server.Output().find("stopped"), std::string::npos);
}

TEST(CollectorProcess, TheKeyAndRawIdsNeverReachStorageOrOutput) {
  TempDir dir;
  const std::string db = dir.Path("db");
  const std::string key = "Zq8-very-secret-collector-key-4711";
  WriteFile(dir.Path("key"), key + "\n");
  {
    CollectorProcess server({"--db", db, "--hmac-key-file", dir.Path("key")}, dir.Path("out"));
    ASSERT_GT(server.port(), 0) << server.Output();
    httplib::Client client("127.0.0.1", server.port());
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(PostPing(client, MakePing(NewUuid(), "raw-account-" + std::to_string(i),
                                          "raw-device-" + std::to_string(i), 2)),
                200);
    }
    client.Post("/submit/x/y/1/not-a-uuid", "{}", "application/json");
    client.Post(testing::SubmitPath(NewUuid()), {{"Content-Encoding", "zstd"}}, "junk",
                "application/x-protobuf");
    auto metrics = client.Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_EQ(metrics->body.find(key), std::string::npos);
    server.Signal(SIGTERM);
    EXPECT_EQ(ExitCode(server.Wait()), 0);
    EXPECT_EQ(server.Output().find(key), std::string::npos);
  }
  // Import through the same key, with a bad row whose error is printed.
  WriteFile(dir.Path("rows.csv"),
            "timestamp,type,uid\n1456387200000,account.login,raw-account-x\n"
            "bad,account.login,raw-account-y\n");
  int code = 0;
  const std::string import_out =
      Collector("import --db " + db + " --format fxa-csv --hmac-key-file " + dir.Path("key") + " " +
                    dir.Path("rows.csv"),
                &code);
  EXPECT_EQ(code, 3) << import_out;
  EXPECT_EQ(import_out.find(key), std::string::npos);
  const std::string files = ReadFile(db) + ReadFile(db + "-wal");
  EXPECT_EQ(files.find(key), std::string::npos);
  EXPECT_EQ(files.find("raw-account-"), std::string::npos);
  EXPECT_EQ(files.find("raw-device-"), std::string::npos);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM rejections WHERE headers LIKE '%" + key +
                          "%' OR detail LIKE '%" + key + "%' OR body LIKE '%" + key + "%'"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM rejections"), 2);
  EXPECT_EQ(Count(db, "SELECT COUNT(DISTINCT uid) FROM activity_events"), 21);
}

TEST(CollectorProcess, ImportKeepsGoodRowsAndReportsBadOnesByLine) {
  TempDir dir;
  const std::string db = dir.Path("db");
  // Columns in another order than KPI.md's; NULL and empty are NULL.
  WriteFile(dir.Path("events.csv"),
            "type,timestamp,uid,deviceId,seqTime,newUser,service,userAgentOS\n"
            "account.created,1456387200000,u1,d1,0,1,sync,Windows 10\n"
            "device.connected,not-a-time,u1,d1,20412,1,sync,\n"
            "device.connected,1456387220412,u1,d1,20412,1,sync,NULL\n"
            "account.login,1456387200000,\"broken,u2,d2,,0,,\n"
            "account.login,1456387200000,u2,d2\n"
            "\n"
            "sequence.begin,1456387100000,,,,0,sync,\"Mac OS, X\"\n");
  WriteFile(dir.Path("events.ndjson"),
            "{\"timestamp\": 1456387300000, \"type\": \"account.login\", \"uid\": \"u3\", "
            "\"newUser\": 0}\n"
            "{\"timestamp\": 1456387300000, \"type\": \"account.login\", \"colour\": \"red\"}\n"
            "{\"timestamp\": 1456387300000, \"type\": \n"
            "{\"timestamp\": 1456387400000, \"type\": \"device.created\", \"deviceId\": null}\n");
  int code = 0;
  std::string out = Collector(
      "import --db " + db + " --format fxa-csv --insecure-dev-key " + dir.Path("events.csv"),
      &code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find(dir.Path("events.csv") + ":3: timestamp is not an integer"), std::string::npos)
      << out;
  EXPECT_NE(out.find(dir.Path("events.csv") + ":5: "), std::string::npos) << out;
  EXPECT_NE(out.find(dir.Path("events.csv") + ":6: expected 8 fields, found 4"), std::string::npos)
      << out;
  EXPECT_NE(out.find("rows read 6, imported 3, already there 0, rejected 3"), std::string::npos)
      << out;
  EXPECT_EQ(out.find('\r'), std::string::npos);  // No progress bar without a terminal.
  out = Collector(
      "import --db " + db + " --format fxa-ndjson --insecure-dev-key " + dir.Path("events.ndjson"),
      &code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("events.ndjson:2: unknown column \"colour\""), std::string::npos) << out;
  EXPECT_NE(out.find("events.ndjson:3: not a JSON object"), std::string::npos) << out;
  EXPECT_NE(out.find("rows read 4, imported 2, already there 0, rejected 2"), std::string::npos)
      << out;

  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  auto rows = Query(db,
                    "SELECT type, timestamp, uid, deviceId, seqTime, newUser, userAgentOS, "
                    "document_id FROM activity_events ORDER BY timestamp, type");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"sequence.begin", "1456387100000", "NULL", "NULL",
                                               "NULL", "0", "Mac OS, X", "NULL"}));
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"account.created", "1456387200000", hasher.Hash("u1"),
                                      hasher.Hash("d1"), "0", "1", "Windows 10", "NULL"}));
  EXPECT_EQ(rows[2][0], "device.connected");
  EXPECT_EQ(rows[2][6], "NULL");
  EXPECT_EQ(rows[3][2], hasher.Hash("u3"));
  EXPECT_EQ(rows[4][3], "NULL");

  // A header with an unknown column makes the file unreadable.
  WriteFile(dir.Path("bad-header.csv"), "timestamp,type,colour\n1,a.b,red\n");
  out = Collector(
      "import --db " + db + " --format fxa-csv --insecure-dev-key " + dir.Path("bad-header.csv"),
      &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("bad-header.csv:1: unknown column \"colour\""), std::string::npos) << out;
  // And import refuses to run without a key, like serve.
  out = Collector("import --db " + db + " --format fxa-csv " + dir.Path("events.csv"), &code);
  EXPECT_EQ(code, 2) << out;
}

// Issue 13, item 7: options that are wrong get one clear line and exit 2, instead of an abort
// or a server started on something else than what was asked. `timeout` guards against a
// server that would start anyway.
TEST(CollectorProcess, WrongServeOptionsAreRefusedWithOneClearLine) {
  TempDir dir;
  const std::string serve = "serve --insecure-dev-key --db " + dir.Path("db") + " ";
  struct Case {
    std::string args, says;
  };
  for (const Case& c : std::vector<Case>{
           {"--listen 127.0.0.1:0 --io-threads 0", "--io-threads"},
           {"--listen 127.0.0.1:0 --io-threads 0x50", "not a plain decimal number"},
           {"--listen 127.0.0.1:0 --idle-timeout-ms 0", "--idle-timeout-ms"},
           {"--listen 127.0.0.1:0 --max-connections 0", "--max-connections"},
           {"--listen 127.0.0.1:0 --min-body-rate 1e3", "not a plain decimal number"},
           {"--listen 127.0.0.1:0 --drain-timeout-ms -1", "--drain-timeout-ms"},
           {"--listen 127.0.0.1:0 --synchronous sometimes", "--synchronous"},
           // The thread-per-connection server's options are gone, and said to be.
           {"--listen 127.0.0.1:0 --threads 4", "--threads"},
           {"--listen 127.0.0.1:0 --keep-alive-timeout 1", "--keep-alive-timeout"},
           {"--listen 127.0.0.1:99999", "a decimal port from 0 to 65535"},
           {"--listen 127.0.0.1:0x50", "a decimal port from 0 to 65535"},
           {"--listen 127.0.0.1:", "a decimal port from 0 to 65535"},
       }) {
    std::string output;
    const int code = telemetry::collector::testing::RunCommandForTest(
        "timeout 30 " + std::string(TELEMETRY_COLLECTOR) + " " + serve + c.args, &output);
    EXPECT_EQ(code, 2) << c.args << "\n" << output;
    EXPECT_NE(output.find(c.says), std::string::npos) << c.args << "\n" << output;
    EXPECT_EQ(output.find("listening"), std::string::npos) << c.args << "\n" << output;
  }
  // A directory given as the key file: said, not an uncaught std::ios_failure.
  int code = 0;
  std::string out =
      Collector("serve --db " + dir.Path("db") + " --hmac-key-file " + dir.Path("."), &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("cannot read the HMAC key file " + dir.Path(".") + ": it is a directory"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("terminate"), std::string::npos) << out;
}

// Issue 13, item 7: a byte-order mark before the header is not part of the first column's name,
// and a bad row quoting a huge field quotes 80 bytes of it.
TEST(CollectorProcess, ImportTakesABomAndCutsHugeQuotes) {
  TempDir dir;
  const std::string db = dir.Path("db");
  WriteFile(dir.Path("bom.csv"),
            "\xEF\xBB\xBFtimestamp,type,uid\n1456387200000,account.login,u1\n");
  int code = 0;
  std::string out = Collector(
      "import --db " + db + " --format fxa-csv --insecure-dev-key " + dir.Path("bom.csv"), &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rows read 1, imported 1, already there 0, rejected 0"), std::string::npos)
      << out;
  const std::string huge(5 << 20, '7');
  WriteFile(dir.Path("huge.csv"), "timestamp,type\n" + huge + "x,account.login\n");
  out = Collector(
      "import --db " + db + " --format fxa-csv --insecure-dev-key " + dir.Path("huge.csv"), &code);
  EXPECT_EQ(code, 3);
  EXPECT_LT(out.size(), 1000u);
  EXPECT_NE(out.find("huge.csv:2: timestamp is not an integer (ms): \"" + std::string(80, '7') +
                     "...\" (" + std::to_string(huge.size() + 1) + " bytes)"),
            std::string::npos)
      << out.substr(0, 1000);
}

// Issue 13, item 3: imported rows meet the same time window as pings at the door, so no import
// can make the KPI job walk millions of days.
TEST(CollectorProcess, ImportRefusesImplausibleTimes) {
  TempDir dir;
  const std::string db = dir.Path("db");
  WriteFile(dir.Path("times.csv"),
            "timestamp,type,uid\n"
            "-1000000000000000,account.login,u1\n"
            "-9223372036854775808,account.login,u2\n"
            "946684799999,account.login,u3\n"     // 1999-12-31T23:59:59.999Z
            "99999999999999,account.login,u4\n"   // the year 5138
            "1456387200000,account.login,u5\n");  // 2016-02-25: a real backfill row
  int code = 0;
  std::string out = Collector(
      "import --db " + db + " --format fxa-csv --insecure-dev-key " + dir.Path("times.csv"), &code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("rows read 5, imported 1, already there 0, rejected 4"), std::string::npos)
      << out;
  for (int line = 2; line <= 5; ++line) {
    EXPECT_NE(out.find("times.csv:" + std::to_string(line) + ": implausible_time"),
              std::string::npos)
        << out;
  }
}

TEST(CollectorProcess, StatsByNamespaceTypeDayAndReason) {
  TempDir dir;
  const std::string db = dir.Path("db");
  {
    testing::InProcessCollector server(db);
    auto client = server.Client();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(PostPing(client, MakePing(NewUuid())), 200);
    client.Post("/submit/x/y/1/not-a-uuid", "{}", "application/json");
  }
  WriteFile(dir.Path("e.ndjson"),
            "{\"timestamp\": 1456444800000, \"type\": \"device.connected\", \"uid\": \"u\"}\n");
  int code = 0;
  Collector("import --db " + db + " --format fxa-ndjson --insecure-dev-key " + dir.Path("e.ndjson"),
            &code);
  ASSERT_EQ(code, 0);
  const std::string text = Collector("stats --db " + db, &code);
  EXPECT_EQ(code, 0) << text;
  for (const char* expected :
       {"pings by namespace, type and day:", "firefox-desktop", "account-ecosystem",
        "activity events by type and day:", "account.login          2016-02-25      3",
        "device.connected       2016-02-26      1", "invalid_document_id          1"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  const std::string json_text = Collector("stats --json --db " + db, &code);
  EXPECT_EQ(code, 0);
  const nlohmann::json stats = nlohmann::json::parse(json_text);
  ASSERT_EQ(stats["pings"].size(), 1u);
  EXPECT_EQ(stats["pings"][0]["namespace"], "firefox-desktop");
  EXPECT_EQ(stats["pings"][0]["count"], 3);
  EXPECT_EQ(stats["activity_events"].size(), 3u);  // login and ping rows, and the import
  EXPECT_EQ(stats["rejections"][0]["reason"], "invalid_document_id");
  EXPECT_EQ(stats["rejections"][0]["count"], 1);
  Collector("stats --db " + dir.Path("missing.db"), &code);
  EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace telemetry::collector
