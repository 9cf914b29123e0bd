// The KPI pass's reader thread (collector/kpi/row_stream.h) over a real SQLite file: every row
// in order, across batches, with NULL kept apart from ''; the bounds bound; a failed read ends
// with its error; a consumer that stops early is not kept waiting; long texts end a batch early.
#include "collector/kpi/row_stream.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "telemetry/base/sqlite.h"
#include "test_support.h"

namespace telemetry::collector::kpi {
namespace {

using sqlite::Database;

// Row i of the test table, as the test expects to read it back.
struct Expected {
  std::optional<std::string> a, b;
  bool flag = false;
  std::optional<int64_t> seq;
};

Expected RowOf(int i) {
  Expected e;
  if (i % 7 != 0) e.a = i % 5 == 0 ? std::string() : "a" + std::to_string(i);
  if (i % 11 != 0) e.b = std::string(static_cast<size_t>(i % 300), static_cast<char>('b' + i % 3));
  e.flag = i % 2 == 1;
  if (i % 3 != 0) e.seq = int64_t{i} * 1000;
  return e;
}

class RowStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(Database::Open(dir_.Sub("t.db"), Database::Mode::kReadWrite)).value();
    ASSERT_TRUE(db_->Execute("CREATE TABLE t (ts INTEGER, a TEXT, b TEXT, n INTEGER, s INTEGER);"
                             "BEGIN")
                    .ok());
    auto insert = std::move(db_->Prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")).value();
    for (int i = 0; i < kRows; ++i) {
      const Expected e = RowOf(i);
      insert->Bind(1, int64_t{i});
      e.a ? insert->Bind(2, *e.a) : insert->BindNull(2);
      e.b ? insert->Bind(3, *e.b) : insert->BindNull(3);
      insert->Bind(4, int64_t{e.flag ? 7 : 0});
      e.seq ? insert->Bind(5, *e.seq) : insert->BindNull(5);
      ASSERT_TRUE(insert->Run().ok());
    }
    ASSERT_TRUE(db_->Execute("COMMIT").ok());
  }

  static constexpr int kRows = 30000;  // Several batches.
  const RowShape shape_{.text_columns = {1, 2}, .new_user_column = 3, .seq_time_column = 4};
  testing::ScopedTempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(RowStreamTest, EveryRowInOrderAcrossBatchesWithNullApartFromEmpty) {
  const int64_t from = 150, to = 29000;
  RowStream rows(*db_, "SELECT ts, a, b, n, s FROM t WHERE ts >= ? AND ts < ? ORDER BY ts",
                 {from, to}, shape_);
  int64_t next = from;
  int batches = 0;
  while (const RowBatch* batch = rows.Next()) {
    ++batches;
    for (const RawRow& row : batch->rows) {
      ASSERT_EQ(row.timestamp_ms, next);
      const Expected e = RowOf(static_cast<int>(next));
      EXPECT_EQ(batch->IsNull(row, 0), !e.a.has_value()) << next;
      if (e.a) {
        EXPECT_EQ(batch->Text(row, 0), *e.a) << next;
      }
      EXPECT_EQ(batch->IsNull(row, 1), !e.b.has_value()) << next;
      if (e.b) {
        EXPECT_EQ(batch->Text(row, 1), *e.b) << next;
      }
      EXPECT_EQ(row.new_user, e.flag) << next;
      EXPECT_EQ(row.has_seq_time, e.seq.has_value()) << next;
      if (e.seq) {
        EXPECT_EQ(row.seq_time_ms, *e.seq) << next;
      }
      ++next;
    }
  }
  EXPECT_TRUE(rows.status().ok()) << rows.status().message();
  EXPECT_EQ(next, to);
  EXPECT_GT(batches, 2);
  EXPECT_EQ(rows.Next(), nullptr);  // Stays at the end.
}

TEST_F(RowStreamTest, AFailedReadEndsWithItsError) {
  RowStream missing(*db_, "SELECT ts FROM no_such_table WHERE ts >= ? AND ts < ?", {0, 1}, {});
  EXPECT_EQ(missing.Next(), nullptr);
  EXPECT_FALSE(missing.status().ok());
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos)
      << missing.status().message();
}

// The reader is ahead, blocked on a full queue, when the consumer leaves: the destructor wakes
// and joins it (a hang here fails the test by ctest's timeout), and the database is usable after.
TEST_F(RowStreamTest, AConsumerThatStopsEarlyIsNotKeptWaiting) {
  for (int round = 0; round < 20; ++round) {
    RowStream rows(*db_, "SELECT ts, a, b, n, s FROM t WHERE ts >= ? AND ts < ? ORDER BY ts",
                   {0, kRows}, shape_);
    if (round % 2 == 0) {
      ASSERT_NE(rows.Next(), nullptr);
    }
  }
  EXPECT_TRUE(db_->Execute("SELECT count(*) FROM t").ok());
}

// Long texts end a batch before its row count, so a batch's memory stays bounded.
TEST_F(RowStreamTest, LongTextsEndABatchEarly) {
  ASSERT_TRUE(db_->Execute("CREATE TABLE big (ts INTEGER, a TEXT);"
                           "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                           "WHERE i < 39) INSERT INTO big SELECT i, zeroblob(1 << 20) FROM n;")
                  .ok());
  RowStream rows(*db_, "SELECT ts, CAST(a AS TEXT) FROM big WHERE ts >= ? AND ts < ? ORDER BY ts",
                 {0, 40}, {.text_columns = {1}});
  size_t total = 0;
  while (const RowBatch* batch = rows.Next()) {
    EXPECT_LE(batch->rows.size(), 17u);
    for (const RawRow& row : batch->rows) EXPECT_EQ(batch->Text(row, 0).size(), 1u << 20);
    total += batch->rows.size();
  }
  EXPECT_TRUE(rows.status().ok());
  EXPECT_EQ(total, 40u);
}

}  // namespace
}  // namespace telemetry::collector::kpi
