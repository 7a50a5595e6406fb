# Warnings for the project's own targets (not for third-party headers).
function(fastio_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(FASTIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
