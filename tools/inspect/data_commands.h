// telemetry-inspect's verbs over a client data directory, read-only.
//
// They open <data_dir>/telemetry.db with SQLite in read-only mode (no lock, no writes, no
// recovery), so they are safe while the application runs: under WAL, readers never block the
// writer. What they show is the state of the last checkpoint.
#ifndef TELEMETRY_TOOLS_INSPECT_DATA_COMMANDS_H_
#define TELEMETRY_TOOLS_INSPECT_DATA_COMMANDS_H_

#include <ostream>
#include <string>

namespace telemetry::inspect {

struct DataOptions {
  std::string data_dir;
  bool json = false;
  int width = 0;         // Of tables; 0: no limit.
  std::string store;     // scalars, events: only this store.
  std::string filter;    // scalars: a glob on the probe name.
  std::string category;  // events: only this category.
  int limit = 0;         // events: at most this many (the newest); 0: all.
  std::string type;      // pings: only this ping type.
  bool raw = false;      // ping show: the stored bytes, not JSON.
};

// Each returns the exit code: 0, or 1 with a message on `err` (missing directory, unreadable
// or corrupt database, unknown id, ...).
int RunClient(const DataOptions& options, std::ostream& out, std::ostream& err);
int RunStores(const DataOptions& options, std::ostream& out, std::ostream& err);
int RunScalars(const DataOptions& options, std::ostream& out, std::ostream& err);
int RunEvents(const DataOptions& options, std::ostream& out, std::ostream& err);
// `which` is "pending" or "archived".
int RunPings(const DataOptions& options, const std::string& which, std::ostream& out,
             std::ostream& err);
int RunPingShow(const DataOptions& options, const std::string& id, std::ostream& out,
                std::ostream& err);

}  // namespace telemetry::inspect

#endif  // TELEMETRY_TOOLS_INSPECT_DATA_COMMANDS_H_
