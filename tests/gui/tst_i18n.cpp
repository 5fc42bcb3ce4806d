// The desktop app's translations: DesktopApp::applyLanguage installs the .qm files built into
// tincan_gui (German, Arabic right to left, English back to the source texts), and every
// message of translations/tincan_<lang>.ts is finished with the same placeholders, HTML tags
// and line breaks as its source.
#include "app/gui/Composer.h"
#include "app/gui/DesktopApp.h"

#include <QApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

using namespace Tincan;

namespace {

const char *const ComposerContext = "Tincan::Gui::Composer";
const char *const MainWindowContext = "Tincan::Gui::MainWindow";
const char *const WriteAMessage = "Write a message…";

QString translate(const char *context, const char *source, int n = -1)
{
    return QCoreApplication::translate(context, source, nullptr, n);
}

//! One <message> of a .ts file.
struct Message
{
    QString context;
    QString source;
    bool numerus = false;
    bool unfinished = false;
    QStringList translations; // the text, or one per <numerusform>
};

QList<Message> readTs(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Message> messages;
    QString context;
    Message message;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("name")) {
                context = xml.readElementText();
            } else if (name == QLatin1String("message")) {
                message = Message();
                message.context = context;
                message.numerus =
                    xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (name == QLatin1String("source")) {
                message.source = xml.readElementText();
            } else if (name == QLatin1String("translation")) {
                const auto type = xml.attributes().value(QLatin1String("type"));
                message.unfinished = type == QLatin1String("unfinished");
                if (!message.numerus) {
                    message.translations.append(xml.readElementText());
                }
            } else if (name == QLatin1String("numerusform")) {
                message.translations.append(xml.readElementText());
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            messages.append(message);
        }
    }
    if (xml.hasError()) {
        *error = QStringLiteral("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(xml.errorString());
        return {};
    }
    return messages;
}

QSet<QString> matches(const QRegularExpression &pattern, const QString &text)
{
    QSet<QString> found;
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        found.insert(it.next().captured());
    }
    return found;
}

QStringList sorted(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list;
}

QStringList tagsOf(const QString &text)
{
    static const QRegularExpression tag(QStringLiteral("</?[a-zA-Z][^>]*>"));
    QStringList tags;
    for (auto it = tag.globalMatch(text); it.hasNext();) {
        tags.append(it.next().captured());
    }
    return tags;
}

} // namespace

class TestI18n : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void german();
    void arabicIsRightToLeft();
    void arabicPluralForms();
    void englishIsTheSource();
    void everyMessageIsTranslated_data();
    void everyMessageIsTranslated();
    void cleanupTestCase();
};

void TestI18n::german()
{
    Gui::DesktopApp::applyLanguage(QStringLiteral("de"));
    QCOMPARE(translate(ComposerContext, WriteAMessage), QStringLiteral("Nachricht schreiben…"));
    QCOMPARE(QApplication::layoutDirection(), Qt::LeftToRight);
    // The context lupdate wrote is the one tr() uses at run time (the class's full name).
    Gui::Composer composer;
    QCOMPARE(composer.placeholderText(), QStringLiteral("Nachricht schreiben…"));
    QCOMPARE(composer.layoutDirection(), Qt::LeftToRight);
    QCOMPARE(translate(MainWindowContext, "%n members", 1), QStringLiteral("1 Mitglied"));
    QCOMPARE(translate(MainWindowContext, "%n members", 5), QStringLiteral("5 Mitglieder"));
    QCOMPARE(translate(MainWindowContext, "&New chat…"), QStringLiteral("&Neuer Chat…"));
    // Qt's own strings (standard buttons) follow (qt6-translations-l10n).
    QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Abbrechen"));
}

void TestI18n::arabicIsRightToLeft()
{
    Gui::DesktopApp::applyLanguage(QStringLiteral("ar"));
    QCOMPARE(translate(ComposerContext, WriteAMessage), QStringLiteral("اكتب رسالة…"));
    QCOMPARE(QApplication::layoutDirection(), Qt::RightToLeft);
    Gui::Composer composer;
    QCOMPARE(composer.layoutDirection(), Qt::RightToLeft);
    QCOMPARE(composer.placeholderText(), QStringLiteral("اكتب رسالة…"));
    QCOMPARE(translate(MainWindowContext, "Send"), QStringLiteral("إرسال"));
}

void TestI18n::arabicPluralForms()
{
    // Qt's six Arabic forms: 0, 1, 2, 3-10, 11-99 and the rest (100-102, ...), each by n % 100.
    Gui::DesktopApp::applyLanguage(QStringLiteral("ar"));
    const auto members = [](int n) {
        return translate(MainWindowContext, "%n members", n);
    };
    QCOMPARE(members(0), QStringLiteral("لا أعضاء"));
    QCOMPARE(members(1), QStringLiteral("عضو واحد"));
    QCOMPARE(members(2), QStringLiteral("عضوان"));
    QCOMPARE(members(3), QStringLiteral("3 أعضاء"));
    QCOMPARE(members(10), QStringLiteral("10 أعضاء"));
    QCOMPARE(members(11), QStringLiteral("11 عضوًا"));
    QCOMPARE(members(99), QStringLiteral("99 عضوًا"));
    QCOMPARE(members(100), QStringLiteral("100 عضو"));
    QCOMPARE(members(102), QStringLiteral("102 عضو"));
    QCOMPARE(members(103), QStringLiteral("103 أعضاء"));
}

void TestI18n::englishIsTheSource()
{
    Gui::DesktopApp::applyLanguage(QStringLiteral("en"));
    QCOMPARE(translate(ComposerContext, WriteAMessage), QString::fromUtf8(WriteAMessage));
    QCOMPARE(QApplication::layoutDirection(), Qt::LeftToRight);
    Gui::Composer composer;
    QCOMPARE(composer.placeholderText(), QString::fromUtf8(WriteAMessage));
    QCOMPARE(composer.layoutDirection(), Qt::LeftToRight);
}

void TestI18n::everyMessageIsTranslated_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("pluralForms");
    QTest::newRow("de") << QStringLiteral("de") << 2;
    QTest::newRow("ar") << QStringLiteral("ar") << 6;
}

void TestI18n::everyMessageIsTranslated()
{
    QFETCH(QString, language);
    QFETCH(int, pluralForms);
    const QString path =
        QStringLiteral(TINCAN_SOURCE_DIR "/translations/tincan_%1.ts").arg(language);
    QString error;
    const QList<Message> messages = readTs(path, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!messages.isEmpty());

    static const QRegularExpression placeholder(QStringLiteral("%[1-9]"));
    QStringList problems;
    for (const Message &message : messages) {
        const QString where =
            message.context + QLatin1String(": \"") + message.source + QLatin1Char('"');
        if (message.unfinished) {
            problems.append(where + QLatin1String(" is unfinished"));
        }
        if (message.numerus && message.translations.size() != pluralForms) {
            problems.append(where + QStringLiteral(" has %1 plural forms, not %2")
                                        .arg(message.translations.size())
                                        .arg(pluralForms));
        }
        if (message.translations.isEmpty()) {
            problems.append(where + QLatin1String(" has no translation"));
        }
        const QStringList wanted = sorted(matches(placeholder, message.source));
        for (const QString &translation : message.translations) {
            if (translation.isEmpty()) {
                problems.append(where + QLatin1String(" has an empty translation"));
                continue;
            }
            const QStringList found = sorted(matches(placeholder, translation));
            if (found != wanted) {
                problems.append(where + QLatin1String(": placeholders ") +
                                found.join(QLatin1Char(' ')) + QLatin1String(" instead of ") +
                                wanted.join(QLatin1Char(' ')));
            }
            if (tagsOf(translation) != tagsOf(message.source)) {
                problems.append(where + QLatin1String(": HTML tags differ in \"") + translation +
                                QLatin1Char('"'));
            }
            if (translation.count(QLatin1Char('\n')) != message.source.count(QLatin1Char('\n'))) {
                problems.append(where + QLatin1String(": line breaks differ"));
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestI18n::cleanupTestCase()
{
    Gui::DesktopApp::applyLanguage(QStringLiteral("en"));
}

QTEST_MAIN(TestI18n)
#include "tst_i18n.moc"
