// telemetry-collector rejections: lists refused requests and opens one sealed body for an
// operator. Bodies are stored sealed (IdHasher::Seal) because they may carry raw ids; only a
// holder of the HMAC key file can open them, and only on purpose.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "collector/cli/commands.h"
#include "collector/cli/key_options.h"
#include "collector/cli/store_options.h"
#include "collector/codec/content_coding.h"
#include "telemetry/base/utc_date.h"

namespace telemetry::collector::cli {
namespace {

constexpr size_t kMaxShownBytes = 8 * 1024 * 1024;  // The collector's decoded-size cap.

struct RejectionsArgs {
  StoreFlags store;
  int64_t show = 0;
  bool raw = false;
  KeyOptions key;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "telemetry-collector rejections: %s\n", message.c_str());
  return kExitFailure;
}

void List(const std::vector<StoredRejection>& rows) {
  std::printf("%-8s %-10s %-6s %-24s %10s  %s\n", "id", "day", "status", "reason", "body", "path");
  for (const StoredRejection& row : rows) {
    const Rejection& r = row.rejection;
    std::printf("%-8lld %-10s %-6d %-24s %10zu  %s\n", static_cast<long long>(row.id),
                UtcDate(r.received_ms).c_str(), r.http_status, r.reason.c_str(), r.body.size(),
                r.path.substr(0, 200).c_str());
  }
}

// The opened body, decoded by its Content-Encoding unless `raw` (or it cannot be decoded).
std::string Decoded(const StoredRejection& row, std::string opened, bool raw) {
  if (raw) return opened;
  nlohmann::json headers = nlohmann::json::parse(row.headers_json, nullptr, false);
  if (!headers.is_object() || !headers.contains("Content-Encoding") ||
      !headers["Content-Encoding"].is_string()) {
    return opened;
  }
  std::optional<ContentCoding> coding =
      ParseContentCoding(headers["Content-Encoding"].get<std::string>());
  if (!coding) return opened;
  Result<std::string> decoded = Decode(*coding, opened, kMaxShownBytes);
  return decoded.ok() ? std::move(*decoded) : opened;
}

int Show(Storage& storage, const RejectionsArgs& args) {
  Result<IdHasher> hasher = LoadHasher(args.key);
  if (!hasher.ok()) return Fail(hasher.status().message());
  Result<std::vector<StoredRejection>> rows = storage.ReadRejections(args.show);
  if (!rows.ok()) return Fail(rows.status().message());
  if (rows->empty()) return Fail("no rejection with id " + std::to_string(args.show));
  const StoredRejection& row = rows->front();
  const Rejection& r = row.rejection;
  std::fprintf(stderr, "rejection %lld: %d %s: %s\npath: %s\nheaders: %s\n",
               static_cast<long long>(row.id), r.http_status, r.reason.c_str(), r.detail.c_str(),
               r.path.c_str(), row.headers_json.c_str());
  if (r.body.empty()) return kExitOk;
  std::string opened;
  if (IdHasher::IsSealed(r.body)) {
    Result<std::string> plain = hasher->Open(r.body);
    if (!plain.ok()) return Fail(plain.status().message());
    opened = std::move(*plain);
  } else {
    opened = r.body;  // Stored before bodies were sealed.
  }
  const std::string body = Decoded(row, std::move(opened), args.raw);
  std::fwrite(body.data(), 1, body.size(), stdout);
  return kExitOk;
}

int RunRejections(const RejectionsArgs& args) {
  Result<StoreUrl> url = StoreUrlOf(args.store.store, args.store.db);
  if (!url.ok()) return Fail(url.status().message());
  // On ClickHouse a rejection's id is its collector instance's: --show opens the first match.
  Result<std::unique_ptr<Storage>> storage = OpenStore(*url, "", false);
  if (!storage.ok()) return Fail(storage.status().message());
  if (args.show > 0) return Show(**storage, args);
  Result<std::vector<StoredRejection>> rows = (*storage)->ReadRejections(0);
  if (!rows.ok()) return Fail(rows.status().message());
  List(*rows);
  return kExitOk;
}

}  // namespace

void AddRejectionsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RejectionsArgs>();
  CLI::App* command = app.add_subcommand(
      "rejections", "List refused requests; --show ID opens one sealed body (needs the key)");
  AddStoreOptions(command, &args->store, "The collector's SQLite database");
  command->add_option("--show", args->show,
                      "Print the body of rejection ID on stdout, opened and decoded "
                      "(its metadata on stderr)");
  command->add_flag("--raw", args->raw, "With --show: the body as received, not decoded");
  AddKeyOptions(command, &args->key);
  command->callback([args, exit_code] { *exit_code = RunRejections(*args); });
}

}  // namespace telemetry::collector::cli
