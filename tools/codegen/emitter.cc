#include "emitter.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "cpp_names.h"

namespace telemetry::codegen {
namespace {

// The generated code of one C++ namespace (one probe category).
struct NamespaceBlock {
  std::string category;  // The first category that claimed this namespace.
  std::set<std::string> names;
  std::string code;
};

class HeaderBuilder {
 public:
  explicit HeaderBuilder(std::vector<Diagnostic>* problems) : problems_(problems) {}

  // Claims `identifier` in the namespace of `probe`'s category; false (and a problem) if taken.
  NamespaceBlock* Claim(const ProbeCommon& probe, const std::vector<std::string>& identifiers) {
    std::string ns = NamespaceName(probe.category);
    auto [it, inserted] = blocks_.try_emplace(ns);
    if (inserted) {
      order_.push_back(ns);
      it->second.category = probe.category;
    } else if (it->second.category != probe.category) {
      Problem(probe, "category '" + probe.category + "' and category '" + it->second.category +
                         "' both become the C++ namespace '" + ns + "'");
      return nullptr;
    }
    for (const std::string& identifier : identifiers) {
      if (!it->second.names.insert(identifier).second) {
        Problem(probe, "its C++ name '" + ns + "::" + identifier +
                           "' is taken by another probe of the same category");
        return nullptr;
      }
    }
    return &it->second;
  }

  void Problem(const ProbeCommon& probe, std::string message) {
    problems_->push_back(Diagnostic{Diagnostic::Severity::kError, probe.location, probe.FullName(),
                                    std::move(message)});
  }

  std::string Code() const {
    std::string out;
    for (const std::string& ns : order_) {
      out += "namespace " + ns + " {\n\n" + blocks_.at(ns).code + "}  // namespace " + ns + "\n\n";
    }
    return out;
  }

 private:
  std::vector<Diagnostic>* problems_;
  std::map<std::string, NamespaceBlock> blocks_;
  std::vector<std::string> order_;
};

// The first line of a description, safe inside a // comment.
std::string Summary(const std::string& description) {
  std::string line = description.substr(0, description.find('\n'));
  while (!line.empty() && (line.back() == '\\' || line.back() == ' ')) line.pop_back();
  if (line.size() > 94) line = line.substr(0, 91) + "...";
  return line;
}

std::string Join(const std::vector<std::string>& values, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i > 0 ? separator : "") + values[i];
  return out;
}

std::string StringList(const std::vector<std::string>& values) {
  std::vector<std::string> literals;
  for (const std::string& value : values) literals.push_back(Literal(value));
  return "{" + Join(literals, ", ") + "}";
}

std::string IntList(const std::vector<int64_t>& values) {
  std::vector<std::string> numbers;
  for (int64_t value : values) numbers.push_back(std::to_string(value));
  return "{" + Join(numbers, ", ") + "}";
}

std::string Enum(const std::string& name, const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (size_t i = 0; i < values.size(); ++i) {
    items.push_back(ConstantName(values[i]) + " = " + std::to_string(i));
  }
  return "  enum class " + name + " : uint32_t { " + Join(items, ", ") + " };\n";
}

// The first value whose C++ constant repeats an earlier one, or nothing.
std::optional<std::string> ConstantClash(const std::vector<std::string>& values) {
  std::set<std::string> seen;
  for (const std::string& value : values) {
    if (!seen.insert(ConstantName(value)).second) return value;
  }
  return std::nullopt;
}

std::string HandleType(const ScalarInfo& scalar) {
  std::string kind = TypeName(ScalarKindName(scalar.kind));
  return std::string("::telemetry::") + (scalar.keyed ? "Keyed" : "") + kind + "Scalar";
}

std::string KindConstant(ScalarKind kind) {
  return "::telemetry::ScalarKind::k" + TypeName(ScalarKindName(kind));
}

// Statements that fill the ProbeCommon fields of `p`.
std::string CommonFields(const ProbeCommon& probe) {
  std::ostringstream out;
  out << "    p.category = " << Literal(probe.category) << ";\n"
      << "    p.name = " << Literal(probe.name) << ";\n"
      << "    p.description = " << Literal(probe.description) << ";\n"
      << "    p.bug_numbers = " << IntList(probe.bug_numbers) << ";\n"
      << "    p.notification_emails = " << StringList(probe.notification_emails) << ";\n"
      << "    p.record_in_processes = " << StringList(probe.record_in_processes) << ";\n"
      << "    p.products = " << StringList(probe.products) << ";\n"
      << "    p.record_into_store = " << StringList(probe.record_into_store) << ";\n"
      << "    p.operating_systems = " << StringList(probe.operating_systems) << ";\n"
      << "    p.collection = ::telemetry::CollectionPolicy::"
      << (probe.collection == CollectionPolicy::kOptOut ? "kOptOut" : "kOptIn") << ";\n"
      << "    p.location = {"
      << Literal(std::filesystem::path(probe.location.file).filename().string()) << ", "
      << probe.location.line << ", " << probe.location.column << "};\n";
  return out.str();
}

std::string Guard(const std::string& include_path) {
  std::string guard;
  for (char c : include_path) {
    guard += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                 : '_';
  }
  return guard + "_";
}

}  // namespace

std::optional<GeneratedCode> Emit(const Registry& registry, const EmitOptions& options,
                                  std::vector<Diagnostic>* problems) {
  const size_t problems_before = problems->size();
  HeaderBuilder header(problems);
  std::ostringstream table;

  const std::vector<ScalarInfo>& scalars = registry.scalars();
  for (size_t id = 0; id < scalars.size(); ++id) {
    const ScalarInfo& scalar = scalars[id];
    std::string constant = ConstantName(scalar.name);
    if (NamespaceBlock* block = header.Claim(scalar, {constant})) {
      block->code += "// " + Summary(scalar.description) + "\n// " +
                     std::string(ScalarKindName(scalar.kind)) + (scalar.keyed ? ", keyed" : "") +
                     "; stores: " + Join(scalar.record_into_store, ", ") + "\ninline constexpr " +
                     HandleType(scalar) + " " + constant + "{" + std::to_string(id) + "};\n\n";
    }
    table << "  {\n    ::telemetry::ScalarInfo p;\n"
          << CommonFields(scalar) << "    p.kind = " << KindConstant(scalar.kind) << ";\n"
          << "    p.keyed = " << (scalar.keyed ? "true" : "false") << ";\n"
          << "    p.keys = " << StringList(scalar.keys) << ";\n"
          << "    p.expires = " << Literal(scalar.expires) << ";\n"
          << "    builder.AddScalar(std::move(p));\n  }\n";
  }

  const std::vector<EventInfo>& events = registry.events();
  for (size_t id = 0; id < events.size(); ++id) {
    const EventInfo& event = events[id];
    std::vector<std::string> extra_names;
    for (const EventExtraKey& extra : event.extra_keys) extra_names.push_back(extra.name);
    bool clash = false;
    const std::vector<std::string>* lists[] = {&event.methods, &event.objects, &extra_names};
    for (const std::vector<std::string>* list : lists) {
      if (std::optional<std::string> value = ConstantClash(*list)) {
        header.Problem(event, "'" + *value + "' gives the same C++ name '" + ConstantName(*value) +
                                  "' as another of its list");
        clash = true;
      }
    }
    std::string type = TypeName(event.name) + "Event";
    std::string constant = "k" + type;  // Firefox lets a scalar and an event share a name.
    NamespaceBlock* block = clash ? nullptr : header.Claim(event, {type, constant});
    if (block != nullptr) {
      std::ostringstream code;
      code << "// " << Summary(event.description)
           << "\n// stores: " << Join(event.record_into_store, ", ") << "\nstruct " << type
           << " {\n"
           << "  static constexpr uint32_t kId = " << id << ";\n"
           << Enum("Method", event.methods) << Enum("Object", event.objects)
           << Enum("Extra", extra_names)
           << "  static constexpr uint32_t kMethodCount = " << event.methods.size() << ";\n"
           << "  static constexpr uint32_t kObjectCount = " << event.objects.size() << ";\n"
           << "  static constexpr uint32_t kExtraCount = " << extra_names.size() << ";\n"
           << "};\ninline constexpr ::telemetry::EventHandle<" << type << "> " << constant
           << "{};\n\n";
      block->code += code.str();
    }
    table << "  {\n    ::telemetry::EventInfo p;\n"
          << CommonFields(event) << "    p.methods = " << StringList(event.methods) << ";\n"
          << "    p.objects = " << StringList(event.objects) << ";\n"
          << "    p.extra_keys = {";
    for (size_t i = 0; i < event.extra_keys.size(); ++i) {
      table << (i > 0 ? ", " : "") << "{" << Literal(event.extra_keys[i].name) << ", "
            << Literal(event.extra_keys[i].description) << "}";
    }
    table << "};\n    p.expiry_version = " << Literal(event.expiry_version) << ";\n"
          << "    builder.AddEvent(std::move(p));\n  }\n";
  }
  if (problems->size() != problems_before) return std::nullopt;

  const std::string generated_from = "// Generated by telemetry-codegen from " +
                                     Join(options.inputs, " and ") + ". Do not edit.\n";
  const std::string guard = Guard(options.include_path);
  GeneratedCode code;
  code.header = generated_from + "#ifndef " + guard + "\n#define " + guard +
                "\n\n#include <cstdint>\n#include <memory>\n\n"
                "#include \"telemetry/probe_handles.h\"\n#include \"telemetry/registry.h\"\n\n"
                "namespace " +
                options.cpp_namespace +
                " {\n\n"
                "// The compiled-in registry: every probe below, with the ids its handle holds.\n"
                "// Built once, on first use, without reading YAML; never null; thread-safe.\n"
                "std::shared_ptr<const ::telemetry::Registry> CompiledRegistry();\n\n"
                "inline constexpr uint32_t kScalarCount = " +
                std::to_string(scalars.size()) +
                ";\ninline constexpr uint32_t kEventCount = " + std::to_string(events.size()) +
                ";\n\n" + header.Code() + "}  // namespace " + options.cpp_namespace +
                "\n\n#endif  // " + guard + "\n";
  code.source = generated_from + "#include \"" + options.include_path +
                "\"\n\n#include <utility>\n\nnamespace " + options.cpp_namespace +
                " {\nnamespace {\n\nvoid AddProbes(::telemetry::RegistryBuilder& builder) {\n" +
                table.str() +
                "}\n\n}  // namespace\n\n"
                "std::shared_ptr<const ::telemetry::Registry> CompiledRegistry() {\n"
                "  static const std::shared_ptr<const ::telemetry::Registry> registry = [] {\n"
                "    ::telemetry::RegistryBuilder builder;\n"
                "    AddProbes(builder);\n"
                "    return builder.Build();\n"
                "  }();\n"
                "  return registry;\n"
                "}\n\n}  // namespace " +
                options.cpp_namespace + "\n";
  return code;
}

}  // namespace telemetry::codegen
