# Install rules: the client libraries and their public headers, the command-line tools, a CMake
# package (find_package(telemetry CONFIG)) with a version file, and telemetry.pc.
include(CMakePackageConfigHelpers)

set(TELEMETRY_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/telemetry")

install(TARGETS telemetry_base telemetry_wire_proto telemetry_wire telemetry_registry
                telemetry_recorder telemetry_pings telemetry-codegen
        EXPORT telemetryTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
foreach(tool telemetry-inspect telemetry-collector)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  endif()
endforeach()

foreach(part base wire telemetry pings)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${part}/include/"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" FILES_MATCHING PATTERN "*.h")
endforeach()
install(FILES "${TELEMETRY_WIRE_PROTO_HEADER}"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/telemetry/wire")
install(FILES "${PROJECT_SOURCE_DIR}/wire/ping.proto"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/telemetry")

install(EXPORT telemetryTargets NAMESPACE telemetry:: DESTINATION "${TELEMETRY_CMAKE_DIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/telemetryConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/telemetryConfig.cmake"
                              INSTALL_DESTINATION "${TELEMETRY_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/telemetryConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/telemetryConfig.cmake"
              "${PROJECT_BINARY_DIR}/telemetryConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/TelemetryProbes.cmake"
        DESTINATION "${TELEMETRY_CMAKE_DIR}")

# Relocatable: the prefix is found from where the .pc file lies.
file(RELATIVE_PATH TELEMETRY_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file("${PROJECT_SOURCE_DIR}/cmake/telemetry.pc.in" "${PROJECT_BINARY_DIR}/telemetry.pc"
               @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/telemetry.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
