// ResolveEndpoint: the one TCP address a load run connects to, looked up once before it starts.
//
//   Result<boost::asio::ip::tcp::endpoint> endpoint = ResolveEndpoint("127.0.0.1", 8080);
//
// A host that does not resolve is an error naming it. Thread-safe (no shared state).
#ifndef TELEMETRY_TOOLS_LOADGEN_ENDPOINT_H_
#define TELEMETRY_TOOLS_LOADGEN_ENDPOINT_H_

#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "telemetry/base/status.h"

namespace telemetry::loadgen {

Result<boost::asio::ip::tcp::endpoint> ResolveEndpoint(const std::string& host, int port);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_ENDPOINT_H_
