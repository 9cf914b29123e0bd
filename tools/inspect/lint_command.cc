#include "lint_command.h"

namespace telemetry::inspect {

int RunLint(const LintOptions& options, std::ostream& out, std::ostream& err) {
  RegistryBuilder builder(options.registry);
  for (const std::string& file : options.files) builder.AddFile(file);
  for (const std::string& file : options.scalars_files) builder.AddScalarsFile(file);
  for (const std::string& file : options.events_files) builder.AddEventsFile(file);
  for (const Diagnostic& d : builder.diagnostics()) err << d.ToString() << "\n";
  int errors = CountErrors(builder.diagnostics());
  std::shared_ptr<const Registry> registry = builder.Build();
  if (!registry) {
    err << errors << (errors == 1 ? " error" : " errors") << " found\n";
    return 1;
  }
  out << registry->scalars().size() << " scalars, " << registry->events().size() << " events\n";
  return 0;
}

}  // namespace telemetry::inspect
