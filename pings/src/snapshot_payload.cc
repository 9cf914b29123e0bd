#include "snapshot_payload.h"

namespace pings::internal {
namespace {

void SetValue(const telemetry::ScalarValue& value, telemetry::ping::ScalarValue* out) {
  if (const uint32_t* u = std::get_if<uint32_t>(&value)) {
    out->set_uint_value(*u);
  } else if (const bool* b = std::get_if<bool>(&value)) {
    out->set_bool_value(*b);
  } else {
    out->set_string_value(std::get<std::string>(value));
  }
}

}  // namespace

void FillPayload(const telemetry::StoreSnapshot& snapshot, const PingFields& fields,
                 telemetry::ping::Payload* out) {
  for (const telemetry::ScalarEntry& scalar : snapshot.scalars) {
    telemetry::ping::Scalar* s = out->add_scalars();
    s->set_name(scalar.name);
    SetValue(scalar.value, s->mutable_value());
  }
  for (const telemetry::KeyedScalarEntry& keyed : snapshot.keyed_scalars) {
    telemetry::ping::KeyedScalar* k = out->add_keyed_scalars();
    k->set_name(keyed.name);
    for (const auto& [key, value] : keyed.values) SetValue(value, &(*k->mutable_values())[key]);
  }
  for (const telemetry::EventEntry& event : snapshot.events) {
    telemetry::ping::Event* ev = out->add_events();
    ev->set_timestamp_ms(event.timestamp_ms);
    ev->set_category(event.category);
    ev->set_method(event.method);
    ev->set_object(event.object);
    if (event.value) ev->set_value(*event.value);
    for (const auto& [key, value] : event.extras) (*ev->mutable_extras())[key] = value;
  }
  for (const auto& [name, value] : fields) (*out->mutable_fields())[name] = value;
}

}  // namespace pings::internal
