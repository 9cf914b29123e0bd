# Warnings as errors for the project's own targets (not for third-party code).
function(telemetry_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers  # C++20 designated initializers rely on defaults.
    -Werror)
endfunction()
