#pragma once
// Asserts that running `f` throws an io::IoError with `code` whose message mentions a text
// (the file it names, the reason's words).

#include "breastmsc/io/Error.h"

#include <QtTest>

#include <string>

namespace bmsc::test {

template <typename F>
void expectIoError(io::ErrorCode code, const std::string& mustMention, F&& f) {
    try {
        f();
        QFAIL("no IoError was thrown");
    } catch (const io::IoError& e) {
        QCOMPARE(io::errorCodeName(e.code()), io::errorCodeName(code));
        QVERIFY2(std::string(e.what()).find(mustMention) != std::string::npos, e.what());
    }
}

}  // namespace bmsc::test
