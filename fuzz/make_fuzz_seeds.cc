// Writes the seeds that cannot be plain files of ../shared/fixtures: fixtures compressed with
// gzip and zstd, protobuf pings, and a client database. scripts/fuzz.sh runs it before fuzzing.
//
//   make_fuzz_seeds OUT_DIR SHARED_DIR
// makes OUT_DIR/{decode_gzip,decode_zstd,protobuf_ping,client_db}/.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "collector/codec/content_coding.h"
#include "fuzz/fuzz_support.h"
#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"
#include "telemetry/wire/ping_codec.h"

namespace telemetry::fuzz {
namespace {

namespace fs = std::filesystem;
constexpr char kDocumentId[] = "6f1e4b39-7d1a-4c2e-9a55-0b3c2d4e5f60";  // The fuzzers' URI id.

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ping::Ping SamplePing(bool with_account) {
  wire::Envelope envelope;
  envelope.document_id = kDocumentId;
  envelope.document_type = "main";
  envelope.app_name = "firefox";
  envelope.app_version = "130.0";
  envelope.channel = "release";
  envelope.creation_time_ms = 1700000000000;
  envelope.end_time_ms = 1700000000000;
  envelope.reason = "daily";
  envelope.client_id = "0fdac909-d2ec-454c-b625-261a3e5d5c9b";
  if (with_account) {
    ping::Account account;
    account.set_uid("1161b57840f20ad4ea19ea0a87a99632");
    account.set_device_id("3ccdd1cb9c3bee8a2d1750c4754d00c6");
    envelope.account = account;
  }
  ping::Ping ping = wire::MakePing(envelope);
  ping::Scalar* scalar = ping.mutable_payload()->add_scalars();
  scalar->set_name("browser.engagement.tab_open_event_count");
  scalar->mutable_value()->set_uint_value(7);
  ping::KeyedScalar* keyed = ping.mutable_payload()->add_keyed_scalars();
  keyed->set_name("browser.search.counts");
  (*keyed->mutable_values())["google"].set_string_value("x");
  ping::Event* event = ping.mutable_payload()->add_events();
  event->set_timestamp_ms(1700000000000);
  event->set_category("device");
  event->set_method("connected");
  (*event->mutable_extras())["uid"] = "1161b57840f20ad4ea19ea0a87a99632";
  (*event->mutable_extras())["seqTime"] = "20412";
  return ping;
}

void WriteCodings(const fs::path& out, const std::string& shared) {
  int n = 0;
  for (const char* dir : {"/fixtures/firefox/pings", "/fixtures/glean/validation"}) {
    for (const fs::directory_entry& entry : fs::directory_iterator(shared + dir)) {
      if (entry.path().extension() != ".json" || entry.file_size() > 64 * 1024) continue;
      const std::string json = ReadFile(entry.path());
      const std::string name = std::to_string(n++);
      WriteFile(out / "decode_gzip" / name,
                *collector::Encode(collector::ContentCoding::kGzip, json));
      WriteFile(out / "decode_zstd" / name,
                *collector::Encode(collector::ContentCoding::kZstd, json));
    }
  }
  WriteFile(out / "decode_zstd" / "ping", *wire::EncodePing(SamplePing(true), 1 << 20));
}

void WriteClientDatabase(const fs::path& out) {
  const fs::path dir = out / "client_db.tmp";
  fs::remove_all(dir);
  TelemetryConfig config;
  config.app_name = "firefox";
  config.app_version = "130.0";
  config.channel = "release";
  config.registry = probes::CompiledRegistry();
  config.data_dir = dir;
  config.checkpoint_interval_ms = 0;
  Result<std::unique_ptr<Telemetry>> t = Telemetry::Open(config);
  if (!t.ok()) std::abort();
  (*t)->Add(probes::browser_engagement::kTabOpenEventCount, 3);
  (*t)->Set(probes::browser_engagement::kSyncSignedIn, true);
  PendingPing pending{kDocumentId, "main", "metrics", 1700000000000, "a body", 0, 0};
  if (!(*t)->ping_storage()->Enqueue(pending).ok()) std::abort();
  (*t)->Shutdown();
  t->reset();
  fs::copy_file(dir / "telemetry.db", out / "client_db" / "telemetry.db",
                fs::copy_options::overwrite_existing);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace telemetry::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 3) {
    std::cerr << "usage: make_fuzz_seeds OUT_DIR SHARED_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* dir : {"decode_gzip", "decode_zstd", "protobuf_ping", "client_db"}) {
    fs::create_directories(out / dir);
  }
  telemetry::fuzz::WriteCodings(out, argv[2]);
  for (bool account : {false, true}) {
    telemetry::fuzz::WriteFile(out / "protobuf_ping" / (account ? "account" : "plain"),
                               telemetry::fuzz::SamplePing(account).SerializeAsString());
  }
  telemetry::fuzz::WriteClientDatabase(out);
  return 0;
}
