// CPU time used so far, by the load generator itself or by another process: what a phase's
// "CPU %" columns are made of (client and server share the machine's cores, so the generator's
// share is the server's loss).
//
//   const double before = SelfCpuSeconds();
//   ... run a phase ...
//   const double percent = 100 * (SelfCpuSeconds() - before) / wall_seconds;
//
// ProcessCpuSeconds returns -1 when /proc/PID/stat cannot be read (the process is gone).
// Thread-safe.
#ifndef TELEMETRY_TOOLS_LOADGEN_CPU_TIME_H_
#define TELEMETRY_TOOLS_LOADGEN_CPU_TIME_H_

#include <sys/types.h>

namespace telemetry::loadgen {

// User plus system time of this process, all its threads.
double SelfCpuSeconds();
// User plus system time of process `pid`, all its threads.
double ProcessCpuSeconds(pid_t pid);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_CPU_TIME_H_
