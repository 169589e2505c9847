# cmake -DCXX=<compiler> -DINCLUDE=<dir> -DSOURCE=<file> -DEXPECT=<regex> -DCOUNT=<n> -P check.cmake
# Passes when compiling SOURCE fails and the compiler's output matches EXPECT at least COUNT times.
execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${INCLUDE} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must not")
endif()
string(REGEX MATCHALL "${EXPECT}" hits "${out}")
list(LENGTH hits n)
if(n LESS COUNT)
  message(FATAL_ERROR "expected ${COUNT} errors matching '${EXPECT}', found ${n}:\n${out}")
endif()
message(STATUS "${n} expected errors")
