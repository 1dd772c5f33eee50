#pragma once
// Opening a study in the real main window, for the GUI tests (tests only).

#include "MainWindow.h"

#include <QtTest>

namespace bmsc::test {

/// Shows `window`, opens `path` in it and waits (up to 20 s, events processed) until the study
/// is loaded; false if it was not.
inline bool openStudy(app::MainWindow& window, const QString& path) {
    window.show();
    window.openPath(path);
    return QTest::qWaitFor([&window] { return window.document()->hasStudy(); }, 20000);
}

}  // namespace bmsc::test
