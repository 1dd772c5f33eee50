# bench_viewer: frame time while scrolling slices at 1024×1024 with an overlay on, channel-switch
# time and cold start-up time to the first rendered study, under an X server (Xvfb + Mesa).
# A program that prints figures next to the issue's goals; not a test.
if(BREASTMSC_BUILD_APP)
    add_executable(bench_viewer ${CMAKE_CURRENT_LIST_DIR}/viewer/BenchViewer.cpp)
    set_target_properties(bench_viewer PROPERTIES AUTOMOC ON)
    target_link_libraries(bench_viewer PRIVATE breastmsc_desktop breastmsc_viewer breastmsc_io
        breastmsc_warnings Qt6::Widgets)
endif()
