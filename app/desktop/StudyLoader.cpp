#include "StudyLoader.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/StudyReader.h"

#include <QtConcurrent>

namespace bmsc::app {
namespace {

// Bridges the io layer's Progress to a queued Qt signal.
class SignalProgress final : public io::Progress {
public:
    SignalProgress(StudyLoader* loader, std::shared_ptr<std::atomic<bool>> cancelled)
        : loader_(loader), cancelled_(std::move(cancelled)) {}
    void report(double fraction, std::string_view what) override {
        const int percent = static_cast<int>(fraction * 100.0);
        if (percent == last_) {
            return;
        }
        last_ = percent;
        QMetaObject::invokeMethod(
            loader_,
            [l = loader_, percent,
             text = QString::fromUtf8(what.data(), static_cast<qsizetype>(what.size()))] {
                Q_EMIT l->progress(percent, text);
            },
            Qt::QueuedConnection);
    }
    bool cancelled() const override { return cancelled_->load(); }

private:
    StudyLoader* loader_;
    std::shared_ptr<std::atomic<bool>> cancelled_;
    int last_ = -1;
};

}  // namespace

StudyLoader::StudyLoader(QObject* parent)
    : QObject(parent), cancelled_(std::make_shared<std::atomic<bool>>(false)) {
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
        const Outcome outcome = watcher_.result();
        busy_ = false;  // the result is here: the receivers may start the next load
        if (outcome.study) {
            Q_EMIT loaded(outcome.study, label_);
        } else {
            Q_EMIT failed(outcome.error, outcome.cancelled);
        }
    });
}

StudyLoader::~StudyLoader() {
    cancel();
    watcher_.waitForFinished();
}

void StudyLoader::load(const QString& folder, const QString& label,
                       const io::StudyReadOptions& options) {
    if (busy()) {
        return;
    }
    busy_ = true;
    cancelled_ = std::make_shared<std::atomic<bool>>(false);
    label_ = label;
    const std::string path = folder.toStdString();
    watcher_.setFuture(QtConcurrent::run([this, path, options, flag = cancelled_]() -> Outcome {
        SignalProgress progress(this, flag);
        try {
            // The views show the grid's own planes: a study stored RAS or with its rows and
            // columns swapped is shown as axial, right on the left and anterior up, once its
            // voxels run along LPS (an exact reordering; physical positions are unchanged).
            return {std::make_shared<const io::Study>(
                        io::withNearestLpsAxes(io::readStudy(path, options, &progress))),
                    {},
                    false};
        } catch (const io::IoError& e) {
            return {nullptr, QString::fromStdString(e.what()),
                    e.code() == io::ErrorCode::Cancelled};
        } catch (const std::exception& e) {
            return {nullptr, QString::fromStdString(path + ": " + io::reasonOf(e)), false};
        }
    }));
}

}  // namespace bmsc::app
