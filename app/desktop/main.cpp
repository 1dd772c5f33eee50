// breastmsc: the desktop application.
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
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

    // The language follows the settings ("ui/language": "de", "en"; empty or absent: the
    // system's), chosen in File > Settings and applied at start-up. Qt's own strings (dialog
    // buttons) follow it too where Qt ships a translation.
    QString language = QSettings().value(QStringLiteral("ui/language")).toString();
    if (language.isEmpty()) {
        language = QLocale::system().name();
    }
    language = language.left(2);
    QTranslator translator;
    if (translator.load(QStringLiteral(":/i18n/breastmsc_") + language)) {
        QApplication::installTranslator(&translator);
    }
    QTranslator qtTranslator;
    if (language != QStringLiteral("en") &&
        qtTranslator.load(QStringLiteral("qtbase_") + language,
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QApplication::installTranslator(&qtTranslator);
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
