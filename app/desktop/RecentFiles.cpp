#include "RecentFiles.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>

namespace bmsc::app {

namespace {
const QString kKey = QStringLiteral("recent/paths");
}

RecentFiles::RecentFiles(QMenu* menu, QWidget* window)
    : QObject(window), menu_(menu), window_(window) {
    menu_->setObjectName(QStringLiteral("recentMenu"));
    rebuild();
}

QStringList RecentFiles::paths() const {
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::store(const QStringList& paths) {
    QSettings().setValue(kKey, paths);
    rebuild();
}

void RecentFiles::add(const QString& path) {
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QStringList list = paths();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaximum) {
        list.removeLast();
    }
    store(list);
}

void RecentFiles::remove(const QString& path) {
    QStringList list = paths();
    list.removeAll(path);
    store(list);
}

void RecentFiles::clear() {
    store({});
}

void RecentFiles::rebuild() {
    menu_->clear();
    const QStringList list = paths();
    for (int n = 0; n < list.size(); ++n) {
        const QString& path = list[n];
        // "&1 folder-name  (/full/path)": a mnemonic per entry, the name first.
        QAction* a =
            menu_->addAction(tr("&%1 %2  (%3)")
                                 .arg(n + 1)
                                 .arg(QFileInfo(path).fileName(), QDir::toNativeSeparators(path)));
        a->setObjectName(QStringLiteral("recent_%1").arg(n));
        a->setData(path);
        connect(a, &QAction::triggered, this, [this, path] { choose(path); });
    }
    if (!list.isEmpty()) {
        menu_->addSeparator();
    }
    QAction* clearAction = menu_->addAction(tr("&Clear Recent Folders"), this, &RecentFiles::clear);
    clearAction->setObjectName(QStringLiteral("recent_clear"));
    clearAction->setEnabled(!list.isEmpty());
    menu_->setEnabled(true);
}

void RecentFiles::choose(const QString& path) {
    if (!QFileInfo(path).isDir()) {
        remove(path);
        QMessageBox::information(window_, tr("Folder not found"),
                                 tr("%1 no longer exists; it was removed from the recent folders.")
                                     .arg(QDir::toNativeSeparators(path)));
        return;
    }
    add(path);
    Q_EMIT chosen(path);
}

}  // namespace bmsc::app
