#include "tools/loadgen/pings.h"

#include <cstdint>
#include <utility>

#include "telemetry/base/clock.h"
#include "telemetry/base/uuid.h"
#include "telemetry/wire/ping_codec.h"

namespace telemetry::loadgen {
namespace {

void AddPayload(size_t i, int64_t now, telemetry::ping::Ping* ping) {
  auto* payload = ping->mutable_payload();
  for (const char* name : {"sync.engines", "sync.tabs", "sync.logins"}) {
    auto* scalar = payload->add_scalars();
    scalar->set_name(name);
    scalar->mutable_value()->set_uint_value(static_cast<uint32_t>(i % 17));
  }
  for (const char* method : {"login", "verified"}) {
    auto* event = payload->add_events();
    event->set_timestamp_ms(now - 1000);
    event->set_category("account");
    event->set_method(method);
    event->set_object("account");
    (*event->mutable_extras())["service"] = "sync";
    (*event->mutable_extras())["seq_id"] = "seq-" + std::to_string(i);
    (*event->mutable_extras())["seq_time"] = "1200";
  }
}

}  // namespace

std::vector<Ping> MakePings(size_t count) {
  std::vector<Ping> pings;
  pings.reserve(count);
  const int64_t now = telemetry::SystemClock().NowMillis();
  for (size_t i = 0; i < count; ++i) {
    telemetry::ping::Ping ping;
    const std::string id = telemetry::NewUuid();
    ping.set_document_id(id);
    ping.set_document_type("account-ecosystem");
    ping.set_document_version(1);
    ping.mutable_app()->set_name("loadgen");
    ping.mutable_app()->set_version("1.0");
    ping.mutable_app()->set_channel("release");
    ping.set_creation_time_ms(now);
    ping.set_start_time_ms(now - 60000);
    ping.set_end_time_ms(now);
    ping.set_reason("daily");
    ping.mutable_environment()->set_os("Linux");
    ping.mutable_account()->set_uid("uid-" + std::to_string(i % 5000));
    ping.mutable_account()->set_device_id("device-" + std::to_string(i % 7000));
    ping.set_store("account-ecosystem");
    AddPayload(i, now, &ping);
    telemetry::Result<std::string> body = telemetry::wire::EncodePing(ping, 1 << 20);
    if (!body.ok()) continue;  // (A small ping always encodes.)
    pings.push_back({"/submit/loadgen/account-ecosystem/1/" + id, std::move(*body)});
  }
  return pings;
}

}  // namespace telemetry::loadgen
