#include "collector/storage/clickhouse_storage.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "collector/clickhouse/schema.h"
#include "collector/clickhouse/tsv.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"

namespace telemetry::collector {
namespace {

using clickhouse::Cluster;
using clickhouse::ParseTsv;
using clickhouse::TsvInt;
using clickhouse::TsvRow;
using clickhouse::TsvWriter;

// One insert's rows per table, for one shard.
struct ShardRows {
  TsvWriter pings, activity, scalars, rejections;
};

std::optional<int64_t> Widen(const std::optional<int>& value) {
  if (!value) return std::nullopt;
  return *value;
}

void AddEvent(const ActivityEvent& e, const std::string& event_key,
              const std::optional<std::string>& document_id, TsvWriter* out) {
  out->Int(UtcDayOf(e.timestamp_ms))
      .Text(event_key)
      .Text(document_id)
      .Int(e.timestamp_ms)
      .Text(e.seq_id)
      .Int(e.seq_time_ms)
      .Text(e.type)
      .Text(e.uid.value_or(""))
      .Text(e.device_id.value_or(""))
      .Int(e.new_user ? 1 : 0)
      .Text(e.ua_browser)
      .Text(e.ua_version)
      .Text(e.ua_os)
      .Text(e.service)
      .Text(e.context)
      .Text(e.entrypoint)
      .Text(e.campaign)
      .Text(e.migration)
      .Int(Widen(e.sample_id))
      .Text(e.import_key)
      .EndRow();
}

// A document lives with its account: the first uid among its events, else its own id.
const std::string& PlacementKey(const Document& doc) {
  for (const ActivityEvent& e : doc.activity) {
    if (e.uid) return *e.uid;
  }
  return doc.ping.document_id;
}

void AddDocument(const Document& doc, ShardRows* out) {
  const StoredPing& p = doc.ping;
  out->pings.Text(p.document_id)
      .Text(p.namespace_name)
      .Text(p.doc_type)
      .Text(p.doc_version)
      .Text(p.uri)
      .Int(p.received_ms)
      .Text(p.submission_date)
      .Text(p.content_type)
      .Text(p.content_encoding)
      .Int(p.redacted ? 1 : 0)
      .Text(p.body)
      .EndRow();
  // An event's identity is its place in its document: the same ping ingested again, by this
  // collector or another, gives the same keys.
  for (size_t i = 0; i < doc.activity.size(); ++i) {
    AddEvent(doc.activity[i], p.document_id + "/" + std::to_string(i), p.document_id,
             &out->activity);
  }
  const int64_t day = UtcDayOf(p.received_ms);
  for (size_t i = 0; i < doc.scalars.size(); ++i) {
    const ScalarRow& s = doc.scalars[i];
    out->scalars.Int(day)
        .Text(p.document_id)
        .Int(static_cast<int64_t>(i))
        .Text(s.process)
        .Text(s.probe)
        .Text(s.key)
        .Text(s.kind)
        .Text(s.value)
        .EndRow();
  }
}

void AddRejection(const std::string& instance_id, const StoredRejection& r, TsvWriter* out) {
  out->Int(UtcDayOf(r.rejection.received_ms))
      .Text(instance_id)
      .Int(r.id)
      .Int(r.rejection.received_ms)
      .Text(r.rejection.path)
      .Int(r.rejection.http_status)
      .Text(r.rejection.reason)
      .Text(r.rejection.detail)
      .Text(r.headers_json)
      .Text(r.rejection.body)
      .EndRow();
}

// An imported row without an import key (not made by the importer) still needs an identity.
std::string ImportedKey(const ActivityEvent& e) {
  if (e.import_key) return *e.import_key;
  return "row/" + std::to_string(e.timestamp_ms) + "/" + e.type + "/" + e.uid.value_or("") + "/" +
         e.device_id.value_or("") + "/" + e.seq_id.value_or("");
}

Status InsertAll(Cluster& cluster, const std::vector<ShardRows>& shards) {
  for (int i = 0; i < cluster.shards(); ++i) {
    const ShardRows& rows = shards[i];
    const std::pair<const TsvWriter*, std::pair<const char*, const char*>> tables[] = {
        {&rows.activity, {"activity_events", clickhouse::kActivityColumns}},
        {&rows.scalars, {"scalars", clickhouse::kScalarColumns}},
        {&rows.rejections, {"rejections", clickhouse::kRejectionColumns}},
        {&rows.pings, {"pings", clickhouse::kPingColumns}},
    };
    for (const auto& [writer, table] : tables) {
      if (writer->empty()) continue;
      if (Status s =
              cluster.shard(i).Insert(Cluster::Local(table.first), table.second, writer->data());
          !s.ok()) {
        return s;
      }
    }
  }
  return Status::Ok();
}

// Runs `sql` on every shard and hands each result row to `on_row`.
template <typename OnRow>
Status EachShardRow(Cluster& cluster, const std::string& sql, OnRow on_row) {
  for (int i = 0; i < cluster.shards(); ++i) {
    Result<std::string> body = cluster.shard(i).Query(sql + " FORMAT TabSeparated");
    if (!body.ok()) return body.status();
    Result<std::vector<TsvRow>> rows = ParseTsv(*body);
    if (!rows.ok()) return rows.status();
    for (TsvRow& row : *rows) {
      if (Status s = on_row(row); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status NeedColumns(const TsvRow& row, size_t n) {
  if (row.size() == n) return Status::Ok();
  return Status::Corruption("ClickHouse gave a row of " + std::to_string(row.size()) +
                            " columns, expected " + std::to_string(n));
}

}  // namespace

Result<std::unique_ptr<ClickHouseStorage>> ClickHouseStorage::Open(
    const StoreUrl& url, const std::string& key_fingerprint, std::chrono::milliseconds timeout) {
  Result<std::unique_ptr<Cluster>> cluster = Cluster::Connect(url, timeout);
  if (!cluster.ok()) return cluster.status();
  if (Status s = clickhouse::EnsureSchema(**cluster, key_fingerprint); !s.ok()) return s;
  return std::unique_ptr<ClickHouseStorage>(new ClickHouseStorage(std::move(*cluster)));
}

Status ClickHouseStorage::Forward(const std::string& instance_id, const SpoolBatch& batch) {
  std::vector<ShardRows> shards(cluster_->shards());
  for (const Document& doc : batch.documents) {
    AddDocument(doc, &shards[cluster_->ShardOf(PlacementKey(doc))]);
  }
  for (const StoredRejection& r : batch.rejections) {
    AddRejection(instance_id, r,
                 &shards[cluster_->ShardOf(instance_id + "/" + std::to_string(r.id))].rejections);
  }
  return InsertAll(*cluster_, shards);
}

Status ClickHouseStorage::Commit(const WriteBatch& batch, std::vector<bool>* stored) {
  SpoolBatch copy;
  for (const Document* doc : batch.documents) copy.documents.push_back(*doc);
  for (const Rejection* r : batch.rejections) {
    copy.rejections.push_back({.id = static_cast<int64_t>(copy.rejections.size()) + 1,
                               .rejection = *r,
                               .headers_json = HeadersJson(*r)});
  }
  stored->assign(batch.documents.size(), false);
  // Without a spool there is no instance: each commit numbers its rejections under an id of its
  // own.
  if (Status s = Forward(NewUuid(), copy); !s.ok()) return s;
  stored->assign(batch.documents.size(), true);
  return Status::Ok();
}

Result<int64_t> ClickHouseStorage::AppendActivity(const std::vector<ActivityEvent>& rows) {
  std::vector<ShardRows> shards(cluster_->shards());
  for (const ActivityEvent& e : rows) {
    const std::string key = ImportedKey(e);
    AddEvent(e, key, std::nullopt,
             &shards[cluster_->ShardOf(e.uid ? std::string_view(*e.uid) : key)].activity);
  }
  if (Status s = InsertAll(*cluster_, shards); !s.ok()) return s;
  return static_cast<int64_t>(rows.size());
}

Result<Stats> ClickHouseStorage::ReadStats() {
  // Duplicates always share a shard, so FINAL per shard and a sum over shards count each once.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> pings;
  std::map<std::pair<int64_t, std::string>, int64_t> events;
  std::map<std::string, int64_t> rejections;
  Status status =
      EachShardRow(*cluster_,
                   "SELECT namespace, doc_type, submission_date, count() FROM pings_local FINAL "
                   "GROUP BY namespace, doc_type, submission_date",
                   [&](const TsvRow& row) -> Status {
                     if (Status s = NeedColumns(row, 4); !s.ok()) return s;
                     Result<int64_t> n = TsvInt(row[3]);
                     if (!n.ok()) return n.status();
                     pings[{row[2].value_or(""), row[0].value_or(""), row[1].value_or("")}] += *n;
                     return Status::Ok();
                   });
  if (status.ok()) {
    status = EachShardRow(
        *cluster_, "SELECT type, day, count() FROM activity_events_local FINAL GROUP BY type, day",
        [&](const TsvRow& row) -> Status {
          if (Status s = NeedColumns(row, 3); !s.ok()) return s;
          Result<int64_t> day = TsvInt(row[1]);
          Result<int64_t> n = TsvInt(row[2]);
          if (!day.ok() || !n.ok()) return day.ok() ? n.status() : day.status();
          events[{*day, row[0].value_or("")}] += *n;
          return Status::Ok();
        });
  }
  if (status.ok()) {
    status = EachShardRow(*cluster_,
                          "SELECT reason, count() FROM rejections_local FINAL GROUP BY reason",
                          [&](const TsvRow& row) -> Status {
                            if (Status s = NeedColumns(row, 2); !s.ok()) return s;
                            Result<int64_t> n = TsvInt(row[1]);
                            if (!n.ok()) return n.status();
                            rejections[row[0].value_or("")] += *n;
                            return Status::Ok();
                          });
  }
  if (!status.ok()) return status;
  Stats stats;
  for (const auto& [key, n] : pings) {
    stats.pings.push_back({std::get<1>(key), std::get<2>(key), std::get<0>(key), n});
  }
  for (const auto& [key, n] : events)
    stats.activity.push_back({key.second, UtcDateOfDay(key.first), n});
  for (const auto& [reason, n] : rejections) stats.rejections.push_back({reason, n});
  std::stable_sort(stats.rejections.begin(), stats.rejections.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  return stats;
}

Result<std::vector<StoredRejection>> ClickHouseStorage::ReadRejections(int64_t id) {
  std::vector<std::pair<std::pair<int64_t, std::string>, StoredRejection>> found;
  Status status = EachShardRow(
      *cluster_,
      "SELECT id, received_ms, path, http_status, reason, detail, headers, body, instance "
      "FROM rejections_local FINAL" +
          (id > 0 ? " WHERE id = " + std::to_string(id) : std::string()),
      [&](const TsvRow& row) -> Status {
        if (Status s = NeedColumns(row, 9); !s.ok()) return s;
        Result<int64_t> row_id = TsvInt(row[0]);
        Result<int64_t> received = TsvInt(row[1]);
        Result<int64_t> http_status = TsvInt(row[3]);
        if (!row_id.ok() || !received.ok() || !http_status.ok()) {
          return Status::Corruption("ClickHouse gave a rejection row that is not one");
        }
        StoredRejection r;
        r.id = *row_id;
        r.rejection.received_ms = *received;
        r.rejection.path = row[2].value_or("");
        r.rejection.http_status = static_cast<int>(*http_status);
        r.rejection.reason = row[4].value_or("");
        r.rejection.detail = row[5].value_or("");
        r.headers_json = row[6].value_or("");
        r.rejection.body = row[7].value_or("");
        found.push_back({{*received, row[8].value_or("")}, std::move(r)});
        return Status::Ok();
      });
  if (!status.ok()) return status;
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  std::vector<StoredRejection> out;
  for (auto& [key, r] : found) out.push_back(std::move(r));
  return out;
}

}  // namespace telemetry::collector
