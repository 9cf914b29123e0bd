// The collector's building blocks without HTTP: datetimes, ids, decoding under the cap (real
// zip and zstd bombs), HMAC, CSV lines, and the normalisation of our protobuf pings (and of
// Glean pings the fuzzer found a way in with), and the group committer over a real SQLite file.
#include <gtest/gtest.h>

#include <tuple>

#include "collector/codec/content_coding.h"
#include "collector/common/time_format.h"
#include "collector/import/csv_line.h"
#include "collector/import/importer.h"
#include "collector/ingest/glean_ping.h"
#include "collector/ingest/ingester.h"
#include "collector/ingest/reasons.h"
#include "collector/storage/group_committer.h"
#include "collector/storage/sqlite_storage.h"
#include "collector_test_support.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"

namespace telemetry::collector {
namespace {

using testing::Gzip;
using testing::MakePing;
using testing::Zstd;

constexpr size_t kCap = 8 * 1024 * 1024;

TEST(CollectorTime, AcceptsTheShapesRealClientsSend) {
  EXPECT_EQ(ParseMozillaDatetime("2018-10-23 11:23:15-04:00"), 1540308195000);
  EXPECT_EQ(ParseMozillaDatetime("2018-10-23T15:23:15Z"), 1540308195000);
  EXPECT_EQ(ParseMozillaDatetime("2019-04-26T15:37+00:00"), 1556293020000);
  EXPECT_EQ(ParseMozillaDatetime("2019-06-10T13:46:17.267-07:00"), 1560199577267);
  EXPECT_EQ(ParseMozillaDatetime("2018-10-23-04:25"), 1540268700000);
  EXPECT_EQ(ParseMozillaDatetime("2019-04-26+00:00"), 1556236800000);
  EXPECT_EQ(ParseMozillaDatetime("2015-11-05T01:25:43.312Z"), 1446686743312);
}

TEST(CollectorTime, RejectsWhatIsBroken) {
  for (const char* bad : {"", "banana", "2018-13-01", "2018-02-30T00:00Z", "2018-10-23T25:00",
                          "2018-10-23T11:23:15+0", "2018-10-23T11:23:15.Z", "2018-10-23 x"}) {
    EXPECT_FALSE(ParseMozillaDatetime(bad).has_value()) << bad;
  }
  EXPECT_EQ(UtcDate(1456387200000), "2016-02-25");
  EXPECT_EQ(UtcDate(-1), "1969-12-31");
}

TEST(CollectorUuid, OnlyCanonicalUuids) {
  EXPECT_TRUE(IsUuid("0fdac909-d2ec-454c-b625-261a3e5d5c9b"));
  EXPECT_TRUE(IsUuid("0FDAC909-D2EC-454C-B625-261A3E5D5C9B"));
  EXPECT_FALSE(IsUuid("0fdac909d2ec454cb625261a3e5d5c9b"));
  EXPECT_FALSE(IsUuid("0fdac909-d2ec-454c-b625-261a3e5d5c9"));
  EXPECT_FALSE(IsUuid("0fdac909-d2ec-454c-b625-261a3e5d5c9g"));
  EXPECT_EQ(CanonicalUuid("0FDAC909-D2EC-454C-B625-261A3E5D5C9B"),
            "0fdac909-d2ec-454c-b625-261a3e5d5c9b");
}

TEST(CollectorCoding, RoundTripsEveryCoding) {
  const std::string text(100000, 'x');
  for (ContentCoding coding :
       {ContentCoding::kIdentity, ContentCoding::kGzip, ContentCoding::kZstd}) {
    Result<std::string> encoded = Encode(coding, text);
    ASSERT_TRUE(encoded.ok());
    Result<std::string> decoded = Decode(coding, *encoded, kCap);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(ParseContentCoding("GZIP"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentCoding(""), ContentCoding::kIdentity);
  EXPECT_FALSE(ParseContentCoding("br").has_value());
  EXPECT_FALSE(ParseContentCoding("deflate").has_value());
  EXPECT_FALSE(ParseContentCoding("gzip, zstd").has_value());
}

// A gzip stream of `bytes` zero bytes, compressed as it is produced (never held whole).
std::string GzipBomb(size_t bytes) {
  z_stream s{};
  deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  for (size_t done = 0; done < bytes; done += zeros.size()) {
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    s.avail_in = static_cast<uInt>(zeros.size());
    const int flush = done + zeros.size() >= bytes ? Z_FINISH : Z_NO_FLUSH;
    do {
      s.next_out = reinterpret_cast<Bytef*>(buffer);
      s.avail_out = sizeof(buffer);
      deflate(&s, flush);
      out.append(buffer, sizeof(buffer) - s.avail_out);
    } while (s.avail_out == 0);
  }
  deflateEnd(&s);
  return out;
}

// 1 GiB of zeros as 1024 zstd frames of 1 MiB each: about 40 KB.
std::string ZstdBomb() {
  const std::string frame = Zstd(std::string(1 << 20, '\0'));
  std::string out;
  for (int i = 0; i < 1024; ++i) out += frame;
  return out;
}

TEST(CollectorCoding, GzipBombStopsAtTheCap) {
  const std::string bomb = GzipBomb(64 << 20);
  ASSERT_LT(bomb.size(), 1u << 20);  // It fits the 1 MB body limit.
  Result<std::string> decoded = Decode(ContentCoding::kGzip, bomb, kCap);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(ReasonOf(decoded.status()), Reason::kDecompressedTooLarge);
}

TEST(CollectorCoding, ZstdBombStopsAtTheCap) {
  const std::string bomb = ZstdBomb();
  ASSERT_LT(bomb.size(), 1u << 20);
  Result<std::string> decoded = Decode(ContentCoding::kZstd, bomb, kCap);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(ReasonOf(decoded.status()), Reason::kDecompressedTooLarge);
}

TEST(CollectorCoding, ExactlyTheCapIsAccepted) {
  const std::string body(kCap, 'a');
  for (ContentCoding coding : {ContentCoding::kGzip, ContentCoding::kZstd}) {
    Result<std::string> decoded = Decode(coding, *Encode(coding, body), kCap);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->size(), kCap);
    EXPECT_FALSE(Decode(coding, *Encode(coding, body + "a"), kCap).ok());
  }
}

TEST(CollectorCoding, CorruptAndTruncatedStreamsAreRefused) {
  const std::string text(5000, 'q');
  for (ContentCoding coding : {ContentCoding::kGzip, ContentCoding::kZstd}) {
    std::string encoded = *Encode(coding, text);
    for (const std::string& bad :
         {std::string("not compressed at all"), encoded.substr(0, encoded.size() / 2),
          encoded + "garbage", std::string()}) {
      Result<std::string> decoded = Decode(coding, bad, kCap);
      ASSERT_FALSE(decoded.ok());
      EXPECT_EQ(ReasonOf(decoded.status()), Reason::kCorruptBody) << decoded.status().message();
    }
  }
}

TEST(CollectorHasher, HmacSha256AndSampleId) {
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  const std::string a = hasher.Hash("uid-1");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, hasher.Hash("uid-1"));
  EXPECT_NE(a, hasher.Hash("uid-2"));
  EXPECT_EQ(IdHasher::SampleId("00000064ffff"), 0);  // 0x64 = 100
  EXPECT_EQ(IdHasher::SampleId("0000006500"), 1);
  EXPECT_EQ(IdHasher::SampleId("ffffffff"), static_cast<int>(0xffffffffULL % 100));
  EXPECT_EQ(IdHasher::SampleId("xyz"), -1);
}

TEST(CollectorHasher, KeyFileRulesNeverEchoTheKey) {
  testing::TempDir dir;
  testing::WriteFile(dir.Path("short"), "tooShortSecret\n");
  Result<IdHasher> refused = IdHasher::FromKeyFile(dir.Path("short"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find("tooShortSecret"), std::string::npos);
  EXPECT_FALSE(IdHasher::FromKeyFile(dir.Path("missing")).ok());
  testing::WriteFile(dir.Path("key"), "a-secret-key-of-enough-length\n");
  testing::WriteFile(dir.Path("key2"), "a-secret-key-of-enough-length");
  Result<IdHasher> one = IdHasher::FromKeyFile(dir.Path("key"));
  Result<IdHasher> two = IdHasher::FromKeyFile(dir.Path("key2"));
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(one->Hash("x"), two->Hash("x"));  // The trailing line break is not key.
  EXPECT_NE(one->Hash("x"), IdHasher::InsecureDevelopmentKey().Hash("x"));
}

TEST(CollectorCsv, SplitsQuotedFieldsAndReportsBrokenQuoting) {
  auto fields = SplitCsvLine("a,\"b,c\",\"d \"\"e\"\"\",,\r");
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(*fields, (std::vector<std::string>{"a", "b,c", "d \"e\"", "", ""}));
  EXPECT_FALSE(SplitCsvLine("a,\"open").ok());
  EXPECT_FALSE(SplitCsvLine("a,b\"c").ok());
  EXPECT_FALSE(SplitCsvLine("a,\"b\"c").ok());
}

class IngesterTest : public ::testing::Test {
 protected:
  Submission SubmissionFor(const std::string& id, const std::string& body) {
    Submission s;
    s.path = testing::SubmitPath(id);
    s.namespace_name = "firefox-desktop";
    s.doc_type = "account-ecosystem";
    s.doc_version = "1";
    s.doc_id = id;
    s.content_type = "application/x-protobuf";
    s.content_encoding = "zstd";
    body_ = body;
    s.body = body_;
    s.received_ms = 1456400000000;
    return s;
  }
  IdHasher hasher_ = IdHasher::InsecureDevelopmentKey();
  Ingester ingester_{&hasher_, nullptr};
  std::string body_;
};

TEST_F(IngesterTest, ProtobufPingBecomesActivityAndScalarRows) {
  const std::string id = testing::NewUuid();
  telemetry::ping::Ping ping = MakePing(id, "raw-uid", "raw-device", 2);
  (*ping.mutable_payload()->mutable_events(1)->mutable_extras())["uid"] = "other-uid";
  (*ping.mutable_payload()->mutable_events(1)->mutable_extras())["ua_os"] = "Windows 10";
  Result<Document> doc = ingester_.Ingest(SubmissionFor(id, Zstd(ping.SerializeAsString())));
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  ASSERT_EQ(doc->activity.size(), 3u);
  const ActivityEvent& first = doc->activity[0];
  EXPECT_EQ(first.type, "account.login");
  EXPECT_EQ(first.timestamp_ms, 1456387200000);
  EXPECT_EQ(first.uid, hasher_.Hash("raw-uid"));  // From the account block.
  EXPECT_EQ(first.device_id, hasher_.Hash("raw-device"));
  EXPECT_EQ(first.sample_id, IdHasher::SampleId(hasher_.Hash("raw-uid")));
  EXPECT_EQ(first.seq_time_ms, 20412);
  EXPECT_TRUE(first.new_user);
  EXPECT_EQ(first.service, "sync");
  EXPECT_EQ(first.ua_browser, "Firefox");
  EXPECT_EQ(first.ua_version, "120.0");
  EXPECT_EQ(first.ua_os, "Linux");
  EXPECT_EQ(doc->activity[1].uid, hasher_.Hash("other-uid"));  // The extra wins.
  EXPECT_EQ(doc->activity[1].ua_os, "Windows 10");
  EXPECT_EQ(doc->activity[2].type, "ping.account-ecosystem");
  EXPECT_EQ(doc->activity[2].timestamp_ms, 1456387200000);
  ASSERT_EQ(doc->scalars.size(), 2u);
  EXPECT_EQ(doc->scalars[0].probe, "sync.engines");
  EXPECT_EQ(doc->scalars[0].value, "3");
  EXPECT_EQ(doc->scalars[1].key, "tabs");
  EXPECT_EQ(doc->scalars[1].value, "true");
  EXPECT_EQ(doc->ping.submission_date, "2016-02-25");
  // The stored body is the ping with its ids HMACed, zstd as received.
  EXPECT_TRUE(doc->ping.redacted);
  telemetry::ping::Ping stored;
  ASSERT_TRUE(stored.ParseFromString(*Decode(ContentCoding::kZstd, doc->ping.body, kCap)));
  EXPECT_EQ(stored.account().uid(), hasher_.Hash("raw-uid"));
  EXPECT_EQ(stored.payload().events(1).extras().at("uid"), hasher_.Hash("other-uid"));
}

TEST_F(IngesterTest, PingWithoutIdsIsStoredAsReceived) {
  const std::string id = testing::NewUuid();
  const std::string body = Zstd(MakePing(id, "", "", 1).SerializeAsString());
  Result<Document> doc = ingester_.Ingest(SubmissionFor(id, body));
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->ping.redacted);
  EXPECT_EQ(doc->ping.body, body);
  ASSERT_EQ(doc->activity.size(), 1u);  // The event; no ping row without an account.
  EXPECT_FALSE(doc->activity[0].uid.has_value());
}

TEST_F(IngesterTest, RefusalsCarryTheirReason) {
  const std::string id = testing::NewUuid();
  const std::string good = Zstd(MakePing(id).SerializeAsString());
  auto reason = [&](Submission s) { return ReasonOf(ingester_.Ingest(s).status()); };
  Submission s = SubmissionFor("not-a-uuid", good);
  EXPECT_EQ(reason(s), Reason::kInvalidDocumentId);
  s = SubmissionFor(id, good);
  s.content_encoding = "br";
  EXPECT_EQ(reason(s), Reason::kUnsupportedEncoding);
  s = SubmissionFor(id, good);
  s.doc_version = "v1";
  EXPECT_EQ(reason(s), Reason::kInvalidUri);
  EXPECT_EQ(reason(SubmissionFor(id, Zstd("\xff\xff\xff garbage"))), Reason::kInvalidProtobuf);
  EXPECT_EQ(reason(SubmissionFor(testing::NewUuid(), good)), Reason::kInvalidPing);  // id differs
  telemetry::ping::Ping no_method = MakePing(id);
  no_method.mutable_payload()->mutable_events(0)->clear_method();
  EXPECT_EQ(reason(SubmissionFor(id, Zstd(no_method.SerializeAsString()))), Reason::kInvalidPing);
  s = SubmissionFor(id, Gzip(MakePing(id).SerializeAsString()));
  s.content_encoding = "gzip";
  EXPECT_TRUE(ingester_.Ingest(s).ok());
}

// Found with fuzz/glean_ping_fuzzer: a relative event timestamp is made absolute by adding
// start_time; INT64_MIN plus a start before 1970 overflowed (UBSan: signed integer overflow),
// and a value past INT64_MAX became negative. glean.1 requires timestamps >= 0.
TEST(CollectorGlean, EventTimestampsOutOfRangeAreRefusedNotOverflowed) {
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  Submission submission;
  submission.doc_type = "events";
  submission.doc_id = testing::NewUuid();
  auto ping = [](const std::string& timestamp) {
    return R"({"client_info": {"client_id": "6ff20eb7-e80d-4452-b45f-2ea7e63547aa"},
               "ping_info": {"seq": 1, "start_time": "0001-01-01T00:00:00+00:00",
                             "end_time": "2018-10-23T11:23:15+00:00"},
               "events": [{"timestamp": )" +
           timestamp + R"(, "category": "a", "name": "b", "extra": {"uid": "x"}}]})";
  };
  for (const char* bad : {"-9223372036854775808", "-1", "18446744073709551615"}) {
    Result<Normalized> rows = NormalizeGleanPing(ping(bad), submission, nullptr, hasher);
    EXPECT_EQ(ReasonOf(rows.status()), Reason::kInvalidPing) << bad;
  }
  Result<Normalized> rows = NormalizeGleanPing(ping("9223372036854775807"), submission, nullptr,
                                               hasher);  // Absolute: kept as sent.
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_FALSE(rows->activity.empty());
  EXPECT_EQ(rows->activity[0].timestamp_ms, INT64_MAX);
  rows = NormalizeGleanPing(ping("1000"), submission, nullptr, hasher);  // Relative.
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->activity[0].timestamp_ms, -62135596800000 + 1000);
}

Document DocumentWithId(const std::string& id) {
  Document document;
  document.ping.document_id = id;
  document.ping.namespace_name = "test";
  document.ping.doc_type = "t";
  document.ping.doc_version = "1";
  document.ping.uri = "/submit/test/t/1/" + id;
  document.ping.submission_date = "2026-12-01";
  document.ping.content_encoding = "identity";
  document.ping.body = "x";
  return document;
}

// Every record's `done` runs exactly once, after its commit, with "stored now" for a first copy
// and "duplicate" for a repeat, whichever thread submitted it.
TEST(GroupCommit, EveryRecordIsAnsweredOnceAfterItsCommit) {
  testing::TempDir dir;
  auto storage = OpenSqliteStorage(dir.Path("c.db"), {.sync_every_commit = false});
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(testing::NewUuid());
  std::vector<Document> documents;
  for (int copy = 0; copy < 3; ++copy) {
    for (const std::string& id : ids) documents.push_back(DocumentWithId(id));
  }
  std::vector<std::atomic<int>> answers(documents.size());
  std::atomic<int> stored_now{0};
  std::atomic<int> failed{0};
  {
    GroupCommitter committer(storage->get());
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t * ids.size(); i < (t + 1) * ids.size(); ++i) {
          ASSERT_TRUE(committer
                          .Submit(&documents[i],
                                  [&, i](const Result<bool>& outcome) {
                                    answers[i].fetch_add(1);
                                    if (!outcome.ok()) failed.fetch_add(1);
                                    if (outcome.ok() && *outcome) stored_now.fetch_add(1);
                                  })
                          .ok());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    committer.Shutdown();  // Commits what is queued and answers it before returning.
  }
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i].load(), 1) << i;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stored_now.load(), 100);
  EXPECT_EQ(testing::Query(dir.Path("c.db"), "SELECT count(*) FROM pings")[0][0], "100");
}

// With another process holding the database's write lock, the queue fills and refuses at once
// (ResourceExhausted, never blocking the caller); what was queued is answered with the storage
// error once SQLite's busy timeout passes, never as stored; after the lock is gone, it stores.
TEST(GroupCommit, ABlockedStorageRefusesPastTheQueueAndNeverReportsStored) {
  testing::TempDir dir;
  const std::string path = dir.Path("c.db");
  auto storage = OpenSqliteStorage(path, {.sync_every_commit = false, .busy_timeout_ms = 300});
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<Document> documents;
  for (int i = 0; i < 20; ++i) documents.push_back(DocumentWithId(testing::NewUuid()));
  std::atomic<int> answered{0};
  std::atomic<int> reported_stored{0};
  int refused = 0;
  GroupCommitter committer(storage->get(), {.max_queued = 4});
  for (Document& document : documents) {
    const Status queued = committer.Submit(&document, [&](const Result<bool>& outcome) {
      if (outcome.ok()) reported_stored.fetch_add(1);
      answered.fetch_add(1);
    });
    if (!queued.ok()) {
      EXPECT_EQ(queued.code(), Status::Code::kResourceExhausted) << queued.message();
      ++refused;
    }
  }
  // At most a full queue, plus the batch the writer took out of it before the lock stopped it.
  EXPECT_GE(refused, 20 - 2 * 4);
  const int accepted = 20 - refused;
  for (int i = 0; i < 200 && answered.load() < accepted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(answered.load(), accepted);
  EXPECT_EQ(reported_stored.load(), 0);
  ASSERT_EQ(sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(locker);
  Document later = DocumentWithId(testing::NewUuid());
  std::atomic<bool> stored{false};
  ASSERT_TRUE(
      committer
          .Submit(&later, [&](const Result<bool>& outcome) { stored = outcome.ok() && *outcome; })
          .ok());
  committer.Shutdown();
  EXPECT_TRUE(stored.load());
  EXPECT_EQ(testing::Query(path, "SELECT count(*) FROM pings")[0][0], "1");
}

}  // namespace
}  // namespace telemetry::collector

namespace telemetry::collector {
namespace {

// Batch boundaries lose and repeat nothing: a file whose good rows, repeats and bad rows fall
// on every side of small batches imports what one big batch would, and a second import of it
// with another batch size adds nothing.
TEST(ImportBatches, BoundariesNeitherLoseNorRepeatRows) {
  testing::TempDir dir;
  std::string csv = "timestamp,type,uid,deviceId,newUser\n";
  for (int i = 0; i < 23; ++i) {
    csv +=
        std::to_string(1456387200000 + i) + ",account.login,u" + std::to_string(i % 5) + ",d1,0\n";
    if (i % 4 == 0)
      csv += std::to_string(1456387200000 + i) + ",account.login,u" + std::to_string(i % 5) +
             ",d1,0\n";  // The same row again.
    if (i % 6 == 0) csv += "not-a-time,account.login,u1,d1,0\n";
  }
  testing::WriteFile(dir.Path("events.csv"), csv);
  const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  auto imported = [&](size_t batch_rows) {
    auto storage = OpenSqliteStorage(dir.Path("c.db"), {.sync_every_commit = false});
    EXPECT_TRUE(storage.ok()) << storage.status().message();
    ImportOptions options;
    options.batch_rows = batch_rows;
    Result<ImportReport> report =
        ImportFiles({dir.Path("events.csv")}, options, hasher, storage->get());
    EXPECT_TRUE(report.ok()) << report.status().message();
    Result<Stats> stats = (*storage)->ReadStats();
    int64_t rows = 0;
    for (const auto& day : stats->activity) rows += day.count;
    return std::make_tuple(*report, rows);
  };
  auto [first, rows_after_first] = imported(3);
  EXPECT_EQ(first.rows_read, 23 + 6 + 4);
  EXPECT_EQ(first.imported, 23);
  EXPECT_EQ(first.already_there, 6);
  EXPECT_EQ(first.rejected, 4);
  EXPECT_EQ(rows_after_first, 23);
  auto [second, rows_after_second] = imported(7);
  EXPECT_EQ(second.imported, 0);
  EXPECT_EQ(second.already_there, 23 + 6);
  EXPECT_EQ(rows_after_second, 23);
}

}  // namespace
}  // namespace telemetry::collector
