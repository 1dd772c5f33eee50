# bench_dicom_load: our DICOM reader against dcm2niix and ITK's GDCM series reader on a
# six-series 512×512×32 study. A program that prints figures; not a test.
# Debian's interpreter, chosen in tests/CMakeLists.txt (it has pydicom, nibabel, numpy).
set(BMSC_BENCH_PYTHON "${Python3_EXECUTABLE}")
add_executable(bench_dicom_load ${CMAKE_CURRENT_LIST_DIR}/dicom/BenchDicomLoad.cpp)
target_include_directories(bench_dicom_load PRIVATE ${ITK_INCLUDE_DIRS})
target_link_libraries(bench_dicom_load PRIVATE breastmsc_io breastmsc_warnings ${ITK_LIBRARIES})
target_compile_definitions(bench_dicom_load PRIVATE
    BMSC_BENCH_PYTHON="${BMSC_BENCH_PYTHON}"
    BMSC_STUDY_WRITER="${PROJECT_SOURCE_DIR}/tests/io/dicom/make_dicom_study.py")
