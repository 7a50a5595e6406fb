# Runs the layering check over tests/layering/planted and fails unless it exits 1 naming each
# planted include, and nothing else.
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${ROOT} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the check exited ${rc}, not 1")
endif()
set(expected
    "cache/Planted.h:5: cache/ may not include \"client/RemoteStore.h\""
    "fs/Planted.cpp:3: fs/ may not include <fuse3/fuse_lowlevel.h>"
    "fs/Planted.cpp:5: fs/ may not include \"client/http/HttpRemoteStore.h\""
    "fs/Planted.cpp:7: fs/ may not include \"fs/fuse/FuseAdapter.h\"")
foreach(line IN LISTS expected)
  string(FIND "${out}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "not reported: ${line}")
  endif()
endforeach()
string(REGEX MATCHALL "may not include" reported "${out}")
list(LENGTH reported count)
if(NOT count EQUAL 4)
  message(FATAL_ERROR "reported ${count} includes, expected the 4 planted ones")
endif()
