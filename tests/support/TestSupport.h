#pragma once
// Helpers shared by the Qt Test executables (tests only; never linked into the product).

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

#include <filesystem>
#include <string>

namespace bmsc::test {

struct ProcessResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/// Runs a program to completion (timeout in ms) and captures its output.
inline ProcessResult runProgram(const QString& program, const QStringList& arguments,
                                int timeoutMs = 120000) {
    QProcess process;
    process.start(program, arguments);
    ProcessResult r;
    if (!process.waitForStarted(10000)) {
        r.err = "could not start " + program.toUtf8();
        return r;
    }
    process.waitForFinished(timeoutMs);
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

/// Runs breastmsc-cli with the given arguments.
inline ProcessResult runCli(const QStringList& arguments, int timeoutMs = 240000) {
    return runProgram(QStringLiteral(BMSC_CLI_PATH), arguments, timeoutMs);
}

/// Runs a Python snippet with the system interpreter (numpy, pydicom, nibabel available
/// after the test set-up) and returns its stdout.
inline ProcessResult runPython(const QString& code, const QStringList& arguments = {}) {
    QStringList args{QStringLiteral("-c"), code};
    args += arguments;
    return runProgram(QStringLiteral(BMSC_PYTHON), args);
}

inline std::filesystem::path toPath(const QString& s) {
    return std::filesystem::path(s.toStdString());
}

}  // namespace bmsc::test
