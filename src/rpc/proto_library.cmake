# nokv_proto_library(<name> PROTOS <a.proto ...> [GRPC] [DEPS <targets...>])
# A static library of the generated code for .proto files given relative to the repository root,
# compiled with the root as import path so generated headers are included as "meta/meta.pb.h"
# and protos import each other by repository path. GRPC adds the service stubs (.grpc.pb.*),
# the slowest compile units of the tree: keep services few.
include_guard(GLOBAL)

if(NOT TARGET gRPC::grpc++)
  find_package(gRPC CONFIG REQUIRED GLOBAL)
endif()

function(nokv_proto_library name)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  set(srcs "")
  set(outputs "")
  get_target_property(grpc_plugin gRPC::grpc_cpp_plugin LOCATION)
  foreach(proto IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(gen ${PROJECT_BINARY_DIR}/${stem}.pb.cc ${PROJECT_BINARY_DIR}/${stem}.pb.h)
    set(cmd protobuf::protoc --cpp_out=${PROJECT_BINARY_DIR})
    set(deps ${PROJECT_SOURCE_DIR}/${proto} protobuf::protoc)
    if(ARG_GRPC)
      list(APPEND gen ${PROJECT_BINARY_DIR}/${stem}.grpc.pb.cc ${PROJECT_BINARY_DIR}/${stem}.grpc.pb.h)
      list(APPEND cmd --grpc_out=${PROJECT_BINARY_DIR} --plugin=protoc-gen-grpc=${grpc_plugin})
      list(APPEND deps gRPC::grpc_cpp_plugin)
    endif()
    get_filename_component(out_dir ${PROJECT_BINARY_DIR}/${stem} DIRECTORY)
    add_custom_command(
      OUTPUT ${gen}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND ${cmd} -I${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${proto}
      DEPENDS ${deps}
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(FILTER gen INCLUDE REGEX "\\.cc$")
    list(APPEND srcs ${gen})
  endforeach()
  set(libs protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    list(APPEND libs gRPC::grpc++)
  endif()
  nokv_library(${name} SOURCES ${srcs} DEPS ${libs})
  # Generated code is not ours to warn about.
  target_compile_options(${name} PRIVATE -w)
endfunction()
