// The spool (collector/storage/spool.h) on a real SQLite file, without ClickHouse: batches hand
// back exactly what was committed, each ping with its own events and scalars in order, across
// batch boundaries and reopenings; Forget removes what a batch read and nothing more; the bound
// refuses commits; rejection ids never repeat, even after the table was emptied.
#include "collector/storage/spool.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using testing::TempDir;

// A document with `events` events and `scalars` scalars, each naming its document and place.
Document Doc(const std::string& id, int events, int scalars) {
  Document doc;
  doc.ping.document_id = id;
  doc.ping.namespace_name = "ns";
  doc.ping.doc_type = "t";
  doc.ping.doc_version = "1";
  doc.ping.uri = "/submit/ns/t/1/" + id;
  doc.ping.received_ms = 1456387200000;
  doc.ping.submission_date = "2016-02-25";
  doc.ping.content_type = "application/x-protobuf";
  doc.ping.content_encoding = "zstd";
  doc.ping.body = std::string("body\0of\t", 8) + id;
  for (int i = 0; i < events; ++i) {
    ActivityEvent e;
    e.timestamp_ms = 1456387200000 + i;
    e.type = id + "/event/" + std::to_string(i);
    e.uid = "uid-" + id;
    if (i % 2 == 0) e.device_id = "device-" + std::to_string(i);
    e.seq_time_ms = i * 10;
    e.service = "sync";
    e.sample_id = 7;
    doc.activity.push_back(e);
  }
  for (int i = 0; i < scalars; ++i) {
    doc.scalars.push_back({"parent", id + ".probe" + std::to_string(i),
                           i % 2 ? std::optional<std::string>("k") : std::nullopt, "uint",
                           std::to_string(i)});
  }
  return doc;
}

Status Commit(Spool& spool, const std::vector<Document>& docs,
              const std::vector<Rejection>& rejections = {}) {
  WriteBatch batch;
  for (const Document& d : docs) batch.documents.push_back(&d);
  for (const Rejection& r : rejections) batch.rejections.push_back(&r);
  std::vector<bool> stored;
  return spool.storage().Commit(batch, &stored);
}

void ExpectSame(const Document& want, const Document& got) {
  EXPECT_EQ(got.ping.document_id, want.ping.document_id);
  EXPECT_EQ(got.ping.body, want.ping.body);
  EXPECT_EQ(got.ping.uri, want.ping.uri);
  ASSERT_EQ(got.activity.size(), want.activity.size()) << want.ping.document_id;
  for (size_t i = 0; i < want.activity.size(); ++i) {
    EXPECT_EQ(got.activity[i].type, want.activity[i].type);
    EXPECT_EQ(got.activity[i].device_id, want.activity[i].device_id);
    EXPECT_EQ(got.activity[i].seq_time_ms, want.activity[i].seq_time_ms);
    EXPECT_EQ(got.activity[i].sample_id, want.activity[i].sample_id);
  }
  ASSERT_EQ(got.scalars.size(), want.scalars.size()) << want.ping.document_id;
  for (size_t i = 0; i < want.scalars.size(); ++i) {
    EXPECT_EQ(got.scalars[i].probe, want.scalars[i].probe);
    EXPECT_EQ(got.scalars[i].key, want.scalars[i].key);
  }
}

TEST(SpoolTest, BatchesGiveBackEveryPingWithItsOwnRowsInOrderAndForgetOnlyThose) {
  TempDir dir;
  std::vector<Document> docs;
  for (int i = 0; i < 23; ++i) docs.push_back(Doc("doc-" + std::to_string(i), i % 4, (i * 7) % 3));
  {
    Result<std::unique_ptr<Spool>> spool = Spool::Open(dir.Path("s.db"), {});
    ASSERT_TRUE(spool.ok()) << spool.status().message();
    // Several group commits, one of them with a duplicate (kept once).
    ASSERT_TRUE(Commit(**spool, {docs.begin(), docs.begin() + 10}).ok());
    ASSERT_TRUE(Commit(**spool, {docs[3]}).ok());
    ASSERT_TRUE(Commit(**spool, {docs.begin() + 10, docs.end()}).ok());
    EXPECT_EQ((*spool)->pending(), 23);
    // A first batch read and forwarded, the rest left for the next start.
    Result<SpoolBatch> first = (*spool)->ReadBatch(5, 1 << 30);
    ASSERT_TRUE(first.ok()) << first.status().message();
    ASSERT_EQ(first->documents.size(), 5u);
    for (size_t i = 0; i < 5; ++i) ExpectSame(docs[i], first->documents[i]);
    ASSERT_TRUE((*spool)->Forget(*first).ok());
    EXPECT_EQ((*spool)->pending(), 18);
  }
  Result<std::unique_ptr<Spool>> spool = Spool::Open(dir.Path("s.db"), {});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  EXPECT_EQ((*spool)->pending(), 18);
  // New pings beside the old ones; batches end at a byte budget as well as a count.
  std::vector<Document> more = {Doc("late-1", 3, 1), Doc("late-2", 0, 0)};
  ASSERT_TRUE(Commit(**spool, more).ok());
  docs.insert(docs.end(), more.begin(), more.end());
  size_t next = 5;
  while (true) {
    Result<SpoolBatch> batch = (*spool)->ReadBatch(4, 20);  // Bodies are ~20 bytes: 1-2 a batch.
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    if (batch->empty()) break;
    ASSERT_LE(batch->documents.size(), 2u);
    for (const Document& got : batch->documents) ExpectSame(docs[next++], got);
    ASSERT_TRUE((*spool)->Forget(*batch).ok());
  }
  EXPECT_EQ(next, docs.size());
  EXPECT_EQ((*spool)->pending(), 0);
}

TEST(SpoolTest, TheBoundRefusesCommitsUntilTheForwarderCatchesUp) {
  TempDir dir;
  Result<std::unique_ptr<Spool>> spool = Spool::Open(dir.Path("s.db"), {.max_records = 3});
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(Commit(**spool, {Doc("a", 1, 0), Doc("b", 1, 0), Doc("c", 1, 0)}).ok());
  const Status refused = Commit(**spool, {Doc("d", 1, 0)});
  EXPECT_EQ(refused.code(), Status::Code::kUnavailable) << refused.message();
  EXPECT_NE(refused.message().find("spool is full"), std::string::npos) << refused.message();
  Result<SpoolBatch> batch = (*spool)->ReadBatch(2, 1 << 30);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE((*spool)->Forget(*batch).ok());
  EXPECT_TRUE(Commit(**spool, {Doc("d", 1, 0)}).ok());
}

TEST(SpoolTest, RejectionIdsNeverRepeatEvenAfterTheTableWasEmptied) {
  TempDir dir;
  Rejection r;
  r.received_ms = 1456387200000;
  r.path = "/submit/x";
  r.reason = "invalid_ping";
  r.headers = {{"Content-Type", "text/plain"}};
  std::set<int64_t> ids;
  std::string instance;
  for (int round = 0; round < 3; ++round) {
    Result<std::unique_ptr<Spool>> spool = Spool::Open(dir.Path("s.db"), {});
    ASSERT_TRUE(spool.ok());
    if (round == 0) instance = (*spool)->instance_id();
    EXPECT_EQ((*spool)->instance_id(), instance);  // Kept with the file.
    ASSERT_TRUE(Commit(**spool, {}, {r, r}).ok());
    Result<SpoolBatch> batch = (*spool)->ReadBatch(10, 1 << 30);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->rejections.size(), 2u);
    for (const StoredRejection& s : batch->rejections) {
      EXPECT_TRUE(ids.insert(s.id).second) << "id " << s.id << " again in round " << round;
      EXPECT_EQ(s.headers_json, "{\"Content-Type\":\"text/plain\"}");
    }
    ASSERT_TRUE((*spool)->Forget(*batch).ok());  // Empties the table: SQLite restarts ids at 1.
  }
  EXPECT_EQ(ids.size(), 6u);
}

}  // namespace
}  // namespace telemetry::collector
