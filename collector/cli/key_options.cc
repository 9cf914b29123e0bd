#include "collector/cli/key_options.h"

#include <cstdio>

namespace telemetry::collector::cli {

void AddKeyOptions(CLI::App* command, KeyOptions* options) {
  command->add_option("--hmac-key-file", options->key_file,
                      "File holding the secret key account and device ids are HMACed with");
  command->add_flag("--insecure-dev-key", options->insecure_dev_key,
                    "Development only: HMAC ids under a fixed, public key");
}

Result<IdHasher> LoadHasher(const KeyOptions& options) {
  if (!options.key_file.empty()) return IdHasher::FromKeyFile(options.key_file);
  if (options.insecure_dev_key) {
    std::fprintf(stderr,
                 "telemetry-collector: WARNING: --insecure-dev-key: ids are HMACed under a "
                 "public key; never use this with real data\n");
    return IdHasher::InsecureDevelopmentKey();
  }
  return Status::FailedPrecondition(
      "no --hmac-key-file: account uids and device ids must be replaced by their HMAC under a "
      "secret key before they are stored, so the collector will not start without one. Pass "
      "--hmac-key-file FILE (at least 16 bytes of secret), or --insecure-dev-key for a "
      "development server");
}

}  // namespace telemetry::collector::cli
