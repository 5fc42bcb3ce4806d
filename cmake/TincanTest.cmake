# tincan_add_test(NAME LABEL SOURCES... LIBS libs...)
# A Qt Test executable registered with CTest under a label (unit, integration, gui, cluster,
# fuzz, bench). Each test gets its own HOME and XDG dirs so nothing touches the developer's.
function(tincan_add_test name label)
    cmake_parse_arguments(ARG "" "TIMEOUT" "LIBS" ${ARGN})
    add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
    target_link_libraries(${name} PRIVATE Qt6::Test Tincan::Options ${ARG_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set(home "${CMAKE_CURRENT_BINARY_DIR}/home/${name}")
    set_tests_properties(${name} PROPERTIES
        LABELS ${label}
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "HOME=${home};XDG_DATA_HOME=${home}/data;XDG_CONFIG_HOME=${home}/config;QT_QPA_PLATFORM=offscreen")
endfunction()
