# DICOM study reader tests. Reference values come from pydicom (python3-pydicom) and real files
# shipped by python3-pydicom and python3-nibabel; a missing package makes the tests fail.

# Debian's interpreter, chosen in tests/CMakeLists.txt (it has pydicom, nibabel, numpy).
set(BMSC_DICOM_PYTHON "${Python3_EXECUTABLE}")

set(_bmsc_dicom_defs
    BMSC_DICOM_PYTHON="${BMSC_DICOM_PYTHON}"
    BMSC_DICOM_SCRIPTS="${CMAKE_CURRENT_LIST_DIR}/dicom")

bmsc_add_qtest(test_dicom_files SOURCES ${CMAKE_CURRENT_LIST_DIR}/dicom/TestDicomFiles.cpp
    LIBS breastmsc_io LABELS "unit;io" TIMEOUT 120)
target_compile_definitions(test_dicom_files PRIVATE ${_bmsc_dicom_defs})

bmsc_add_qtest(test_dicom_study SOURCES ${CMAKE_CURRENT_LIST_DIR}/dicom/TestDicomStudy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dicom/DicomTestSupport.h
    LIBS breastmsc_io LABELS "unit;io" TIMEOUT 180)
target_compile_definitions(test_dicom_study PRIVATE ${_bmsc_dicom_defs})
target_include_directories(test_dicom_files PRIVATE ${CMAKE_CURRENT_LIST_DIR}/dicom)
target_include_directories(test_dicom_study PRIVATE ${CMAKE_CURRENT_LIST_DIR}/dicom)
