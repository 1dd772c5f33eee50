# Smoke run of an ML benchmark program: cmake -DPROGRAM=<exe> -DMARKER=<text> -P RunSmoke.cmake
# Runs it with --quick and fails when it exits non-zero or did not print its table (MARKER, the
# line printed after the table). Asserts nothing about times.
execute_process(COMMAND ${PROGRAM} --quick
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT status EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} --quick exited with ${status}")
endif()
string(FIND "${out}" "${MARKER}" at)
if(at EQUAL -1)
    message(FATAL_ERROR "${PROGRAM} --quick did not print its table ('${MARKER}')")
endif()
foreach(column "goal")
    string(FIND "${out}" "${column}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${PROGRAM} --quick printed no '${column}' column")
    endif()
endforeach()
