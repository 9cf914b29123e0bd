// A store's snapshot as a ping's payload.
#ifndef PINGS_SRC_SNAPSHOT_PAYLOAD_H_
#define PINGS_SRC_SNAPSHOT_PAYLOAD_H_

#include "pings/ping_type.h"
#include "telemetry/snapshot.h"
#include "telemetry/wire/ping.pb.h"

namespace pings::internal {

// Fills `out` with the snapshot's scalars, keyed scalars and events, and the application's
// fields.
void FillPayload(const telemetry::StoreSnapshot& snapshot, const PingFields& fields,
                 telemetry::ping::Payload* out);

}  // namespace pings::internal

#endif  // PINGS_SRC_SNAPSHOT_PAYLOAD_H_
