# The project's warnings for its own targets (not for third-party or generated code); errors
# only with TELEMETRY_WARNINGS_AS_ERRORS (the presets and CI), never for someone building the
# package with another compiler or flags (GCC 12 at -O3 raises false -Wrestrict warnings).
function(telemetry_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers)  # C++20 designated initializers rely on defaults.
  if(TELEMETRY_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
