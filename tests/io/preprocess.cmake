# Preprocessing into the network geometry and back (io/src/preprocess, breastmsc-cli preprocess).
bmsc_add_qtest(test_preprocess SOURCES preprocess/TestPreprocess.cpp LIBS breastmsc_io
    LABELS "unit;io" TIMEOUT 120)
bmsc_add_qtest(test_preprocess_cli SOURCES preprocess/TestPreprocessCli.cpp LIBS breastmsc_io
    LABELS "app;io" TIMEOUT 240)
add_dependencies(test_preprocess_cli breastmsc-cli)
