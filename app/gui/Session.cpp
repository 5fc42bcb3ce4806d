#include "app/gui/Session.h"

#include "app/core/ClientCore.h"

#include <QApplication>
#include <QEventLoop>
#include <QInputDialog>
#include <QLineEdit>
#include <QPointer>

namespace Tincan::Gui {

Session::Session(const QString &profileDirectory, QObject *parent)
    : QObject(parent)
    , m_profileDirectory(profileDirectory)
{
    qRegisterMetaType<Client::StoredMessage>();
    qRegisterMetaType<Client::StoredMessage::Status>();
    m_thread.setObjectName(QStringLiteral("tincan-core"));
}

Session::~Session()
{
    if (m_thread.isRunning()) {
        // The core (its sockets, timers, database connection) is destroyed on its own thread.
        QMetaObject::invokeMethod(
            m_anchor,
            [this] {
                delete m_core;
                m_core = nullptr;
                delete m_anchor;
                m_anchor = nullptr;
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool Session::open(QString *error)
{
    m_thread.start();
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);

    bool opened = false;
    QString openError;
    QEventLoop loop;
    QPointer<QEventLoop> waiting(&loop);
    QObject *ui = this;
    QMetaObject::invokeMethod(m_anchor, [this, ui, &opened, &openError, waiting] {
        m_core = new Client::ClientCore(m_profileDirectory);
        // Without a keychain the database key comes from a passphrase: ask on the UI thread
        // (which runs a local event loop in open() meanwhile).
        m_core->setPassphrasePrompt(
            [ui](bool creating, const QString &reason) -> std::optional<QString> {
                QString answer;
                bool accepted = false;
                QMetaObject::invokeMethod(
                    ui,
                    [&] {
                        const QString label =
                            creating ? tr("No keychain is available (%1).\nChoose a passphrase "
                                          "that protects this profile's messages:")
                                           .arg(reason)
                                     : tr("Enter the passphrase of this profile (%1):").arg(reason);
                        answer = QInputDialog::getText(nullptr, tr("Tincan"), label,
                                                       QLineEdit::Password, {}, &accepted);
                    },
                    Qt::BlockingQueuedConnection);
                if (!accepted || answer.isEmpty()) {
                    return std::nullopt;
                }
                return answer;
            });
        QString failure;
        const bool ok = m_core->open(&failure);
        QMetaObject::invokeMethod(ui, [&opened, &openError, ok, failure, waiting] {
            opened = ok;
            openError = failure;
            if (waiting) {
                waiting->quit();
            }
        });
    });
    loop.exec();
    if (!opened) {
        *error = openError;
        return false;
    }
    // The read connection is opened here: a Qt Sql connection belongs to the thread that
    // opened it, and the reader is only ever used on the UI thread.
    if (!m_core->openReader(m_reader, error)) {
        return false;
    }
    refreshIdentity();
    return true;
}

void Session::post(std::function<void(Client::ClientCore &)> work)
{
    QMetaObject::invokeMethod(m_anchor, [this, work = std::move(work)] {
        if (m_core) {
            work(*m_core);
        }
    });
}

void Session::run(const std::function<void(Client::ClientCore &)> &work)
{
    QMetaObject::invokeMethod(
        m_anchor,
        [this, &work] {
            if (m_core) {
                work(*m_core);
            }
        },
        Qt::BlockingQueuedConnection);
}

Client::ApiCallback Session::uiCallback(QObject *context, Client::ApiCallback done)
{
    QPointer<QObject> target(context);
    return [target, done = std::move(done)](const Client::ApiResult &result) {
        if (!target) {
            return;
        }
        QMetaObject::invokeMethod(target.data(), [target, done, result] {
            if (target) {
                done(result);
            }
        });
    };
}

void Session::onUi(QObject *context, std::function<void()> call)
{
    QMetaObject::invokeMethod(context, std::move(call));
}

void Session::refreshIdentity()
{
    run([this](Client::ClientCore &core) {
        m_username = core.profile().username();
        m_deviceId = core.profile().deviceId();
        m_serverUrl = core.profile().serverUrl();
        m_fingerprint = core.profile().serverFingerprint();
        m_signedIn = core.profile().isSignedIn();
    });
    Q_EMIT identityChanged();
}

QByteArray Session::uiSetting(const QString &key, const QByteArray &fallback)
{
    const QString name = QStringLiteral("ui/") + key;
    auto cached = m_settingCache.constFind(name);
    if (cached == m_settingCache.constEnd()) {
        cached = m_settingCache.insert(name, m_reader.setting(name));
    }
    return cached->isNull() ? fallback : *cached;
}

void Session::setUiSetting(const QString &key, const QByteArray &value)
{
    const QString name = QStringLiteral("ui/") + key;
    const bool changed = uiSetting(key) != value;
    m_settingCache.insert(name, value);
    post([name, value](Client::ClientCore &core) { core.store().setSetting(name, value); });
    if (changed) {
        Q_EMIT uiSettingChanged(key, value);
    }
}

} // namespace Tincan::Gui
