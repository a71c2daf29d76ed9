# make install: what another project needs to use sdboot.
#  component "cli": the sdboot command, its man pages (generated from --help,
#                   see scripts/manpages.sh) and its bash completion;
#  component "dev": the core as one static library libsdboot.a (every layer of
#                   src/ plus the hash/inflate backends a host links), the
#                   public headers of include/sdboot/,
#                   sdboot.pc for pkg-config and a CMake package for
#                   find_package(sdboot) with the imported target sdboot::core.
# The pkg-config and CMake files find the prefix from their own place, so a
# tree installed under DESTDIR or moved elsewhere still works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The layers that make up the core, bottom to top (add a new core library here).
# sdb_mbedtls and sdb_zlib are the host's hash/signature and inflate backends
# (ports/mbedtls, ports/zlib): a host program needs them, a firmware links its own.
set(SDB_CORE_LAYERS sdb_util sdb_blockdev sdb_fat sdb_mbedtls sdb_zlib sdb_release sdb_boot
    sdb_ota sdb_common)
# What a program linking libsdboot.a needs besides it (the host backends' libraries).
set(SDB_CORE_LINK_LIBS mbedcrypto z)

set(sdb_core_objects "")
foreach(layer ${SDB_CORE_LAYERS})
  list(APPEND sdb_core_objects $<TARGET_OBJECTS:${layer}>)
endforeach()
add_library(sdboot_core STATIC ${sdb_core_objects})
set_target_properties(sdboot_core PROPERTIES OUTPUT_NAME sdboot EXPORT_NAME core)
target_include_directories(sdboot_core INTERFACE
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(sdboot_core INTERFACE ${SDB_CORE_LINK_LIBS})

install(TARGETS sdboot_core EXPORT sdbootTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# include/sdboot/ holds the public headers only (host-only ones live in ports/posix/include/).
file(GLOB sdb_public_headers ${PROJECT_SOURCE_DIR}/include/sdboot/*.h)
install(FILES ${sdb_public_headers} ${PROJECT_BINARY_DIR}/include/sdboot/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sdboot COMPONENT dev)

# pkg-config: prefix relative to the .pc file itself.
file(RELATIVE_PATH SDB_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" SDB_PC_TO_PREFIX "${SDB_PC_TO_PREFIX}")
set(SDB_PC_LIBS "")
foreach(lib ${SDB_CORE_LINK_LIBS})
  string(APPEND SDB_PC_LIBS " -l${lib}")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/sdboot.pc.in ${PROJECT_BINARY_DIR}/sdboot.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sdboot.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# find_package(sdboot [VERSION]) -> sdboot::core
set(SDB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sdboot)
install(EXPORT sdbootTargets NAMESPACE sdboot:: DESTINATION ${SDB_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sdbootConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sdbootConfig.cmake INSTALL_DESTINATION ${SDB_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sdbootConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sdbootConfig.cmake
              ${PROJECT_BINARY_DIR}/sdbootConfigVersion.cmake
        DESTINATION ${SDB_CMAKE_DIR} COMPONENT dev)

if(SDB_HOST)
  install(TARGETS sdboot RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
  install(DIRECTORY ${PROJECT_BINARY_DIR}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          COMPONENT cli FILES_MATCHING PATTERN "sdboot*.1")
  install(FILES ${PROJECT_SOURCE_DIR}/tools/sdboot/sdboot.bash-completion
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME sdboot
          COMPONENT cli)
endif()
