#include "collector/import/activity_row.h"

#include <openssl/evp.h>

#include <charconv>

#include "collector/ingest/activity_builder.h"
#include "collector/ingest/limits.h"

namespace telemetry::collector {
namespace {

enum Column {
  kTimestamp,
  kSeqId,
  kSeqTime,
  kType,
  kUid,
  kDeviceId,
  kNewUser,
  kUaBrowser,
  kUaVersion,
  kUaOs,
  kService,
  kContext,
  kEntrypoint,
  kCampaign,
  kMigration,
};

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

void AddField(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += 'N';
    return;
  }
  out += 'V' + std::to_string(value->size()) + ':' + *value;
}

std::optional<std::string> Decimal(const std::optional<int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace

std::string QuoteValue(std::string_view value) {
  constexpr size_t kMaxQuoted = 80;
  if (value.size() <= kMaxQuoted) return "\"" + std::string(value) + "\"";
  size_t cut = kMaxQuoted;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(value.substr(0, cut)) + "...\" (" + std::to_string(value.size()) +
         " bytes)";
}

std::string ImportKey(const ActivityEvent& e) {
  // Length-prefixed fields: no two different rows have the same canonical form.
  std::string canonical;
  for (const std::optional<std::string>& field :
       {std::optional<std::string>(std::to_string(e.timestamp_ms)), e.seq_id,
        Decimal(e.seq_time_ms), std::optional<std::string>(e.type), e.uid, e.device_id,
        std::optional<std::string>(e.new_user ? "1" : "0"), e.ua_browser, e.ua_version, e.ua_os,
        e.service, e.context, e.entrypoint, e.campaign, e.migration}) {
    AddField(canonical, field);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return canonical;  // Not reached with a working OpenSSL; still an exact identity.
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

int ActivityColumnIndex(std::string_view name) {
  for (size_t i = 0; i < kActivityColumns.size(); ++i) {
    if (kActivityColumns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<ActivityEvent> ActivityFromRow(const RawActivityRow& row, const IdHasher& hasher,
                                      int64_t now_ms) {
  ActivityEvent event;
  if (!row[kTimestamp]) return Status::InvalidArgument("timestamp is missing");
  std::optional<int64_t> timestamp = ParseInt(*row[kTimestamp]);
  if (!timestamp) {
    return Status::InvalidArgument("timestamp is not an integer (ms): " +
                                   QuoteValue(*row[kTimestamp]));
  }
  if (Status s = CheckPlausibleTime(*timestamp, now_ms, "timestamp"); !s.ok()) return s;
  event.timestamp_ms = *timestamp;
  if (!row[kType] || row[kType]->empty()) return Status::InvalidArgument("type is missing");
  event.type = *row[kType];
  event.seq_id = row[kSeqId];
  if (row[kSeqTime]) {
    event.seq_time_ms = ParseInt(*row[kSeqTime]);
    if (!event.seq_time_ms) {
      return Status::InvalidArgument("seqTime is not an integer: " + QuoteValue(*row[kSeqTime]));
    }
  }
  if (row[kNewUser]) {
    const std::string& v = *row[kNewUser];
    if (v == "1" || v == "true") {
      event.new_user = true;
    } else if (v != "0" && v != "false") {
      return Status::InvalidArgument("newUser is not 0 or 1: " + QuoteValue(v));
    }
  }
  SetHashedIds(row[kUid], row[kDeviceId], hasher, &event);
  event.ua_browser = row[kUaBrowser];
  event.ua_version = row[kUaVersion];
  event.ua_os = row[kUaOs];
  event.service = row[kService];
  event.context = row[kContext];
  event.entrypoint = row[kEntrypoint];
  event.campaign = row[kCampaign];
  event.migration = row[kMigration];
  event.import_key = ImportKey(event);
  return event;
}

}  // namespace telemetry::collector
