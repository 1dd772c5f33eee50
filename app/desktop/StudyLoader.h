#pragma once

#include "breastmsc/io/Study.h"
#include "breastmsc/io/StudyReader.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace bmsc::app {

/// Loads a study folder on a worker thread (QtConcurrent). Progress and the result come back
/// as queued signals on the loader's thread; cancel() stops the reader at its next check.
/// busy() is true from load() until the result has arrived on the loader's thread (it turns
/// false just before `loaded` or `failed` is emitted), not only while the worker runs: between
/// the worker's end and the delivery of its result a second load would otherwise start.
class StudyLoader : public QObject {
    Q_OBJECT

public:
    explicit StudyLoader(QObject* parent = nullptr);
    ~StudyLoader() override;

    bool busy() const { return busy_; }
    /// Reads `folder`; `options` force a DICOM series assignment (the default: automatic).
    void load(const QString& folder, const QString& label,
              const io::StudyReadOptions& options = {});
    void cancel() { cancelled_->store(true); }

Q_SIGNALS:
    void progress(int percent, const QString& what);
    void loaded(std::shared_ptr<const bmsc::io::Study> study, const QString& label);
    void failed(const QString& message, bool cancelled);

private:
    struct Outcome {
        std::shared_ptr<const io::Study> study;
        QString error;
        bool cancelled = false;
    };
    QFutureWatcher<Outcome> watcher_;
    std::shared_ptr<std::atomic<bool>> cancelled_;
    QString label_;
    bool busy_ = false;
};

}  // namespace bmsc::app
