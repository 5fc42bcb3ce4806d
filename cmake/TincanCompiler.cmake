# Compiler settings shared by every Tincan target: warnings, strict Qt defines, sanitizers.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_library(tincan_options INTERFACE)
add_library(Tincan::Options ALIAS tincan_options)

target_compile_definitions(tincan_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_FOREACH
    QT_NO_KEYWORDS)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(tincan_options INTERFACE
        -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wcast-align -Wunused
        -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
    if(TINCAN_WARNINGS_AS_ERRORS)
        target_compile_options(tincan_options INTERFACE -Werror)
    endif()
elseif(MSVC)
    target_compile_options(tincan_options INTERFACE /W4 /permissive-)
    if(TINCAN_WARNINGS_AS_ERRORS)
        target_compile_options(tincan_options INTERFACE /WX)
    endif()
endif()

if(TINCAN_SANITIZERS)
    target_compile_options(tincan_options INTERFACE
        -fsanitize=${TINCAN_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(tincan_options INTERFACE -fsanitize=${TINCAN_SANITIZERS})
endif()
