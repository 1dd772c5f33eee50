# Smoke run of an ML benchmark program:
#   cmake -DPROGRAM=<exe> -DMARKER=<text> [-DARGS="<a b>"] [-DCOLUMNS="<c|d>"] -P RunSmoke.cmake
# Runs it with --quick (and ARGS, split at spaces) and fails when it exits non-zero or did not
# print its table (MARKER, the line printed after the table) with its COLUMNS (split at '|';
# default: goal). Asserts nothing about times.
if(NOT DEFINED COLUMNS)
    set(COLUMNS "goal")
endif()
string(REPLACE "|" ";" columns "${COLUMNS}")
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PROGRAM} --quick ${args}
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT status EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} --quick exited with ${status}")
endif()
string(FIND "${out}" "${MARKER}" at)
if(at EQUAL -1)
    message(FATAL_ERROR "${PROGRAM} --quick did not print its table ('${MARKER}')")
endif()
foreach(column IN LISTS columns)
    string(FIND "${out}" "${column}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${PROGRAM} --quick printed no '${column}' column")
    endif()
endforeach()
