// breastmsc: the desktop application.
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BreastMSC"));
    QApplication::setApplicationName(QStringLiteral("BreastMSC"));
    QApplication::setApplicationVersion(QStringLiteral(BREASTMSC_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/breastmsc.svg")));
    QApplication::setDesktopFileName(QStringLiteral("breastmsc"));

    // The language follows the settings ("ui/language": "de", "en"), else the system locale.
    QTranslator translator;
    const QString language =
        QSettings().value(QStringLiteral("ui/language"), QLocale::system().name()).toString();
    if (translator.load(QStringLiteral(":/i18n/breastmsc_") + language.left(2))) {
        QApplication::installTranslator(&translator);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Breast DCE-MRI review and malignancy classification"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QApplication::translate("main", "Study or cohort folder to open"));
    parser.process(app);

    bmsc::app::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        window.openPath(parser.positionalArguments().constFirst());
    }
    return QApplication::exec();
}
