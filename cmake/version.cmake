# The build's identity, worked out at configure time (make reconfigures on every
# run, so it follows the checkout): SDBOOT_GIT_COMMIT is the commit of the
# source tree when it is itself a git checkout (not merely inside one), ""
# otherwise; SDBOOT_GIT_DIRTY is 1 when tracked files differ from that commit.
# The version number itself is project(VERSION) in CMakeLists.txt.
set(SDBOOT_GIT_COMMIT "")
set(SDBOOT_GIT_DIRTY 0)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --show-toplevel
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE sdb_git_top RESULT_VARIABLE sdb_git_rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(sdb_git_rc EQUAL 0)
    file(REAL_PATH "${sdb_git_top}" sdb_git_top)
    file(REAL_PATH "${PROJECT_SOURCE_DIR}" sdb_src_real)
  endif()
  if(sdb_git_rc EQUAL 0 AND sdb_git_top STREQUAL sdb_src_real)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE SDBOOT_GIT_COMMIT
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE sdb_git_changes ERROR_QUIET)
    if(NOT sdb_git_changes STREQUAL "")
      set(SDBOOT_GIT_DIRTY 1)
    endif()
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/include/sdboot/version.h.in
               ${PROJECT_BINARY_DIR}/include/sdboot/version.h @ONLY)
