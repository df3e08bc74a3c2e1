# Fully static, stripped tools for machines without MLIR (SWIN_STATIC_TOOLS).
#
# Debian's static libMLIR*.a archives name the shared libLLVM in their link
# interface (LLVM was built with LLVM_LINK_LLVM_DYLIB). Rewrite every MLIR
# target's interface to the static LLVM component archives instead, then link
# libstdc++/libgcc statically. glibc stays dynamic (2.36 or newer).

set(SWIN_STATIC_LLVM_LIBS LLVMSupport LLVMDemangle)

function(swin_rewrite_llvm_dylib target)
  get_property(visited GLOBAL PROPERTY SWIN_STATIC_VISITED)
  if(NOT TARGET ${target} OR "${target}" IN_LIST visited)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY SWIN_STATIC_VISITED ${target})
  get_target_property(imported ${target} IMPORTED)
  set(properties INTERFACE_LINK_LIBRARIES)
  if(NOT imported)
    list(APPEND properties LINK_LIBRARIES)
  endif()
  foreach(property IN LISTS properties)
    get_target_property(deps ${target} ${property})
    if(NOT deps)
      continue()
    endif()
    set(rewritten)
    foreach(dep IN LISTS deps)
      if(dep STREQUAL "LLVM" OR dep MATCHES "libLLVM(-[0-9]+)?\\.so")
        list(APPEND rewritten ${SWIN_STATIC_LLVM_LIBS})
      else()
        list(APPEND rewritten ${dep})
        swin_rewrite_llvm_dylib(${dep})
      endif()
    endforeach()
    set_target_properties(${target} PROPERTIES ${property} "${rewritten}")
  endforeach()
endfunction()

find_library(SWIN_LIBZ_STATIC libz.a REQUIRED)
find_library(SWIN_LIBZSTD_STATIC libzstd.a REQUIRED)
find_library(SWIN_PROTOBUF_STATIC libprotobuf.a REQUIRED)
# Debian's static OpenBLAS carries kernels for every x86 generation (about
# 26 MB once linked), so the static tools use netlib's reference BLAS (1 MB,
# single-threaded and several times slower): the GPU machine runs the CPU
# reference only for spot checks. Development builds keep OpenBLAS.
find_library(SWIN_NETLIB_BLAS_STATIC libblas.a
  PATHS /usr/lib/x86_64-linux-gnu/blas REQUIRED NO_DEFAULT_PATH)
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libgfortran.a
  OUTPUT_VARIABLE SWIN_LIBGFORTRAN_STATIC OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libquadmath.a
  OUTPUT_VARIABLE SWIN_LIBQUADMATH_STATIC OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS "${SWIN_LIBGFORTRAN_STATIC}")
  message(FATAL_ERROR "libgfortran.a not found: install libgfortran-12-dev")
endif()
set(SWIN_STATIC_BLAS_LIBS ${SWIN_NETLIB_BLAS_STATIC} ${SWIN_LIBGFORTRAN_STATIC})
if(EXISTS "${SWIN_LIBQUADMATH_STATIC}")
  list(APPEND SWIN_STATIC_BLAS_LIBS ${SWIN_LIBQUADMATH_STATIC})
endif()

# Static LLVMSupport pulls system libs through its own interface; make them
# the static archives.
foreach(lib LLVMSupport LLVMDemangle)
  if(TARGET ${lib})
    get_target_property(deps ${lib} INTERFACE_LINK_LIBRARIES)
    if(deps)
      list(TRANSFORM deps REPLACE "^(ZLIB::ZLIB|z|/.*libz\\.so)$" "${SWIN_LIBZ_STATIC}")
      list(TRANSFORM deps REPLACE "^(zstd::libzstd_shared|zstd::libzstd_static|zstd|/.*libzstd\\.so)$" "${SWIN_LIBZSTD_STATIC}")
      set_target_properties(${lib} PROPERTIES INTERFACE_LINK_LIBRARIES "${deps}")
    endif()
  endif()
endforeach()
