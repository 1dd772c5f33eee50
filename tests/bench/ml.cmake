# ML benchmarks (issue 3, section 7): programs that print figures next to the issue's goals and
# next to the same work done in Python PyTorch / scipy (tests/bench/ml/reference_resnet3d.py,
# run with Debian's interpreter). Not tests: a smoke test per program runs it with --quick and
# checks only that it ran and printed its table, never a time.
#   bench_ml_inference  one 256x256x32 breast through the paper network, fp32 / bf16 vs Python
#                       (--device cuda: on a GPU, vs Python on the same GPU)
#   bench_ml_training   samples/s of training steps with augmentation, Stage 1 and 2, demo/paper
#   bench_ml_augment    ml::augment vs scipy.ndimage on 6x256x256x32
if(BREASTMSC_BUILD_ML)
    set(BMSC_ML_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR}/ml)
    add_library(bench_ml_support STATIC
        ${BMSC_ML_BENCH_DIR}/BenchMlSupport.cpp
        ${BMSC_ML_BENCH_DIR}/NetworkProfile.cpp)
    target_link_libraries(bench_ml_support PUBLIC breastmsc_ml PRIVATE breastmsc_warnings)
    target_include_directories(bench_ml_support PUBLIC ${BMSC_ML_BENCH_DIR})
    target_compile_definitions(bench_ml_support PUBLIC
        BMSC_BENCH_PYTHON="${Python3_EXECUTABLE}"
        BMSC_ML_REFERENCE_SCRIPT="${BMSC_ML_BENCH_DIR}/reference_resnet3d.py")
    foreach(bench inference training augment)
        string(SUBSTRING ${bench} 0 1 first)
        string(TOUPPER ${first} first)
        string(SUBSTRING ${bench} 1 -1 rest)
        add_executable(bench_ml_${bench} ${BMSC_ML_BENCH_DIR}/BenchMl${first}${rest}.cpp)
        target_link_libraries(bench_ml_${bench} PRIVATE bench_ml_support breastmsc_warnings)
        add_test(NAME bench_ml_${bench}_smoke
            COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:bench_ml_${bench}>
                "-DMARKER=bench_ml_${bench}: table complete" -P ${BMSC_ML_BENCH_DIR}/RunSmoke.cmake)
        set_tests_properties(bench_ml_${bench}_smoke PROPERTIES LABELS "bench" TIMEOUT 300)
    endforeach()
    # bench_ml_inference --device cuda: the same network on a GPU next to Python on that GPU.
    target_sources(bench_ml_inference PRIVATE ${BMSC_ML_BENCH_DIR}/BenchMlInferenceDevice.cpp)
    # That comparison's code on the CPU (--device cpu), the Python side's batch 2 and training
    # steps included: without a GPU, CI runs it here.
    add_test(NAME bench_ml_inference_device_smoke
        COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:bench_ml_inference>
            "-DARGS=--device cpu" "-DCOLUMNS=C++/Py|training step"
            "-DMARKER=bench_ml_inference: table complete" -P ${BMSC_ML_BENCH_DIR}/RunSmoke.cmake)
    set_tests_properties(bench_ml_inference_device_smoke PROPERTIES LABELS "bench" TIMEOUT 300)
endif()
