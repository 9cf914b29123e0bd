# telemetry_generate_probes(TARGET t [SCALARS file] [EVENTS file] NAME n [NAMESPACE ns])
#
# (SCALARS and EVENTS: at least one.)
# Runs telemetry-codegen over the probe files at build time and builds the result into the
# static library `t`, linked to telemetry::recorder: <n>.h (typed handles, included as
# "telemetry/<n>.h") and <n>.cc (the compiled-in registry table). The handles live in C++
# namespace `ns` (default telemetry::probes). The files are regenerated when the YAML or the
# generator changes; a file with an error fails the build with the generator's
# file:line:column messages.
#
# The same function serves this tree (the telemetry-codegen target) and an installed package
# (the imported telemetry::codegen), so in-tree and installed use read alike.
function(telemetry_generate_probes)
  cmake_parse_arguments(ARG "" "TARGET;SCALARS;EVENTS;NAME;NAMESPACE" "" ${ARGN})
  foreach(required TARGET NAME)
    if(NOT ARG_${required})
      message(FATAL_ERROR "telemetry_generate_probes: ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_SCALARS AND NOT ARG_EVENTS)
    message(FATAL_ERROR "telemetry_generate_probes: name SCALARS, EVENTS or both")
  endif()
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "telemetry::probes")
  endif()
  set(inputs "")
  set(arguments "")
  foreach(kind SCALARS EVENTS)
    if(ARG_${kind})
      get_filename_component(file "${ARG_${kind}}" ABSOLUTE)
      string(TOLOWER "${kind}" flag)
      list(APPEND inputs "${file}")
      list(APPEND arguments "--${flag}" "${file}")
    endif()
  endforeach()
  set(root "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_generated")
  set(header "${root}/telemetry/${ARG_NAME}.h")
  set(source "${root}/telemetry/${ARG_NAME}.cc")
  file(MAKE_DIRECTORY "${root}/telemetry")
  # In this tree: depend on the generator target, so it is built first.
  get_target_property(codegen_target telemetry::codegen ALIASED_TARGET)
  if(NOT codegen_target)
    set(codegen_target "$<TARGET_FILE:telemetry::codegen>")
  endif()
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND telemetry::codegen
            ${arguments}
            --header "${header}" --source "${source}"
            --include "telemetry/${ARG_NAME}.h" --namespace "${ARG_NAMESPACE}"
    DEPENDS "${codegen_target}" ${inputs}
    COMMENT "Generating typed probes ${ARG_NAME}.h from ${inputs}"
    VERBATIM)
  add_library(${ARG_TARGET} STATIC "${source}" "${header}")
  target_include_directories(${ARG_TARGET} PUBLIC "${root}")
  target_link_libraries(${ARG_TARGET} PUBLIC telemetry::recorder)
  if(COMMAND telemetry_warnings)
    telemetry_warnings(${ARG_TARGET})
  endif()
endfunction()
