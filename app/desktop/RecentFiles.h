#pragma once

#include <QObject>
#include <QStringList>

class QMenu;
class QWidget;

namespace bmsc::app {

/// File ▸ Open Recent: the last eight study or cohort folders opened, newest first, kept in
/// QSettings ("recent/paths"), and a "Clear" entry. A folder that no longer exists is removed
/// when chosen, with a message.
class RecentFiles : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaximum = 8;

    /// Fills `menu` (and keeps it up to date); messages are parented to `window`.
    RecentFiles(QMenu* menu, QWidget* window);

    QStringList paths() const;
    /// Puts `path` first (moving it up if listed, dropping the oldest beyond kMaximum).
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

Q_SIGNALS:
    void chosen(const QString& path);  ///< an existing folder was chosen

private:
    void store(const QStringList& paths);
    void rebuild();
    void choose(const QString& path);

    QMenu* menu_;
    QWidget* window_;
};

}  // namespace bmsc::app
