#pragma once
// Helpers of the DICOM reader tests: the pydicom reference reader and the study writer.

#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <filesystem>

namespace bmsc::test {

inline QString dicomPython() {
    return QStringLiteral(BMSC_DICOM_PYTHON);
}

inline QString dicomScript(const char* name) {
    return QStringLiteral(BMSC_DICOM_SCRIPTS) + QLatin1Char('/') + QLatin1String(name);
}

/// Runs one of the helper scripts and parses its JSON output; failures land in `error`.
inline QJsonObject runDicomScript(const char* script, const QStringList& arguments,
                                  QString* error) {
    const ProcessResult r = runProgram(dicomPython(), QStringList{dicomScript(script)} + arguments);
    if (r.exitCode != 0) {
        *error = QStringLiteral("%1 %2 failed (exit %3): %4")
                     .arg(dicomPython(), QLatin1String(script))
                     .arg(r.exitCode)
                     .arg(QString::fromUtf8(r.err.right(2000)));
        return {};
    }
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("%1 printed no JSON: %2")
                     .arg(QLatin1String(script), parse.errorString());
        return {};
    }
    return doc.object();
}

/// Runs a test body; an exception becomes a test failure with its message (not an abort).
template <typename Body>
void noThrow(Body body) {
    try {
        body();
    } catch (const std::exception& e) {
        QTest::qFail(e.what(), __FILE__, __LINE__);
    }
}

inline std::filesystem::path jsonPath(const QJsonValue& v) {
    return toPath(v.toString());
}

}  // namespace bmsc::test
