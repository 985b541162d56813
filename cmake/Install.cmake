# Installs libnokv: the public headers, the static libraries behind nokv::nokv, a CMake package
# config (find_package(nokv)) and a pkg-config file (nokv.pc).
if(NOT TARGET nokv)
  return()
endif()
include(CMakePackageConfigHelpers)

set(NOKV_INSTALL_LIBS nokv nokv_engine nokv_sst nokv_wal nokv_memtable nokv_manifest nokv_vfs
    nokv_util)
set(_present "")
foreach(lib IN LISTS NOKV_INSTALL_LIBS)
  if(TARGET ${lib})
    list(APPEND _present ${lib})
  endif()
endforeach()

install(TARGETS ${_present} EXPORT nokvTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/nokv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT nokvTargets NAMESPACE nokv:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nokv)
configure_package_config_file(cmake/nokvConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nokvConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nokv)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nokvConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nokvConfig.cmake ${PROJECT_BINARY_DIR}/nokvConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nokv)

# pkg-config: static archives must be listed innermost-last.
set(NOKV_PC_LIBS "")
foreach(lib IN LISTS _present)
  string(APPEND NOKV_PC_LIBS " -l${lib}")
endforeach()
configure_file(cmake/nokv.pc.in ${PROJECT_BINARY_DIR}/nokv.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nokv.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
