# Synthetic cohort generator and DICOM writer tests. pydicom (python3-pydicom) reads the
# written DICOM back and dciodvfy (dicom3tools) validates it; both are required packages.

# Debian's interpreter, chosen in tests/CMakeLists.txt (it has pydicom, nibabel, numpy).
set(BMSC_SYNTH_PYTHON "${Python3_EXECUTABLE}")
find_program(BMSC_DCIODVFY dciodvfy)
if(NOT BMSC_DCIODVFY)
    set(BMSC_DCIODVFY dciodvfy)  # the test fails and says the package dicom3tools is missing
endif()

bmsc_add_qtest(test_synthetic_patient
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/synthetic/TestSyntheticPatient.cpp
    LIBS breastmsc_io LABELS "unit;io" TIMEOUT 180)

bmsc_add_qtest(test_synthetic_cohort
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/synthetic/TestSyntheticCohort.cpp
    LIBS breastmsc_io LABELS "unit;io" TIMEOUT 180)
add_dependencies(test_synthetic_cohort breastmsc-cli)

bmsc_add_qtest(test_dicom_writer
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/synthetic/TestDicomWriter.cpp
    LIBS breastmsc_io LABELS "unit;io" TIMEOUT 240)
target_compile_definitions(test_dicom_writer PRIVATE
    BMSC_SYNTH_PYTHON="${BMSC_SYNTH_PYTHON}"
    BMSC_DCIODVFY="${BMSC_DCIODVFY}"
    BMSC_SYNTH_SCRIPTS="${CMAKE_CURRENT_LIST_DIR}/synthetic")
