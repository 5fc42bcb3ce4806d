// docs/openapi.yaml must describe exactly the routes the server registers.
#include "server/http/Router.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

class TestOpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void routesMatchTheDocument();
};

void TestOpenApi::routesMatchTheDocument()
{
    QFile file(QStringLiteral(TINCAN_SOURCE_DIR "/docs/openapi.yaml"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "docs/openapi.yaml is missing");
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));

    static const QRegularExpression pathLine(QStringLiteral("^  (/[^:\\s]*):\\s*$"));
    static const QRegularExpression methodLine(
        QStringLiteral("^    (get|post|put|delete|patch|head|options):\\s*$"));
    QSet<QString> documented;
    bool inPaths = false;
    QString currentPath;
    for (const QString &line : lines) {
        if (!line.startsWith(QLatin1Char(' ')) && !line.trimmed().isEmpty()) {
            inPaths = line.startsWith(QLatin1String("paths:"));
            continue;
        }
        if (!inPaths) {
            continue;
        }
        if (const auto match = pathLine.match(line); match.hasMatch()) {
            currentPath = match.captured(1);
        } else if (const auto method = methodLine.match(line);
                   method.hasMatch() && !currentPath.isEmpty()) {
            documented.insert(method.captured(1).toUpper() + QLatin1Char(' ') + currentPath);
        }
    }

    QSet<QString> served;
    for (const auto &route : Tincan::Server::Router::api().routes()) {
        served.insert(QString::fromLatin1(route.method) + QLatin1Char(' ') + route.pattern);
    }
    const QStringList undocumented = QStringList((served - documented).values());
    const QStringList unserved = QStringList((documented - served).values());
    QVERIFY2(undocumented.isEmpty(), qPrintable(QStringLiteral("not in openapi.yaml: ") +
                                                undocumented.join(QStringLiteral(", "))));
    QVERIFY2(unserved.isEmpty(), qPrintable(QStringLiteral("documented but not served: ") +
                                            unserved.join(QStringLiteral(", "))));
    QVERIFY(served.size() >= 10);
}

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
