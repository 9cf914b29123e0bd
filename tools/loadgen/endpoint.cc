#include "tools/loadgen/endpoint.h"

#include <boost/asio/io_context.hpp>

namespace telemetry::loadgen {

Result<boost::asio::ip::tcp::endpoint> ResolveEndpoint(const std::string& host, int port) {
  boost::system::error_code error;
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, std::to_string(port), error);
  if (error || results.empty()) {
    return Status::InvalidArgument("cannot resolve " + host + ": " +
                                   (error ? error.message() : "no address"));
  }
  return results.begin()->endpoint();
}

}  // namespace telemetry::loadgen
