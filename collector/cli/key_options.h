// --hmac-key-file / --insecure-dev-key, shared by `serve` and `import`.
#ifndef TELEMETRY_COLLECTOR_CLI_KEY_OPTIONS_H_
#define TELEMETRY_COLLECTOR_CLI_KEY_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "collector/privacy/id_hasher.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::cli {

struct KeyOptions {
  std::string key_file;
  bool insecure_dev_key = false;
};

void AddKeyOptions(CLI::App* command, KeyOptions* options);

// The hasher the options ask for. Without a key file and without --insecure-dev-key: an error
// that says why the collector refuses. Prints a warning on stderr for the development key.
Result<IdHasher> LoadHasher(const KeyOptions& options);

}  // namespace telemetry::collector::cli

#endif  // TELEMETRY_COLLECTOR_CLI_KEY_OPTIONS_H_
