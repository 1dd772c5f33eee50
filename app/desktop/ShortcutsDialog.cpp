#include "ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

namespace bmsc::app {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    QList<QPair<QString, QString>> rows;
    QList<QAction*> seen;
    for (QAction* a : actions) {
        if (a->shortcut().isEmpty() || seen.contains(a)) {
            continue;
        }
        seen << a;
        QString name = a->text();
        name.remove(QRegularExpression(QStringLiteral("&(?!&)")));
        name.remove(QStringLiteral("..."));
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts()) {
            keys << k.toString(QKeySequence::NativeText);
        }
        rows.append({name, keys.join(tr(" or "))});
    }
    const QList<QPair<QString, QString>> gestures{
        {tr("Next / previous slice"), tr("Wheel, Up/Down, PageUp/PageDown")},
        {tr("Zoom about the cursor"), tr("Ctrl+Wheel")},
        {tr("Pan"), tr("Middle drag, or Shift+left drag")},
        {tr("Window (horizontal) and level (vertical)"), tr("Right drag")},
        {tr("Move the crosshair (on a MIP: to the brightest voxel)"), tr("Left click")},
        {tr("Open a study or cohort folder"), tr("Drop the folder on the window")},
    };
    rows += gestures;

    auto* table = new QTableWidget(static_cast<int>(rows.size()), 2, this);
    table->setObjectName(QStringLiteral("shortcutsTable"));
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    for (int r = 0; r < rows.size(); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[r].first));
        table->setItem(r, 1, new QTableWidgetItem(rows[r].second));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table);
    layout->addWidget(buttons);
    resize(560, 620);
}

}  // namespace bmsc::app
