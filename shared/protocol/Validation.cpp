#include "shared/protocol/Validation.h"

#include <QStringList>

namespace Tincan::Protocol {

static bool isLowerAlnum(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

bool isValidUsername(QStringView username)
{
    if (username.size() < 3 || username.size() > 32 || !isLowerAlnum(username.front())) {
        return false;
    }
    for (const QChar c : username) {
        if (!isLowerAlnum(c) && c != QLatin1Char('_') && c != QLatin1Char('.') &&
            c != QLatin1Char('-')) {
            return false;
        }
    }
    return true;
}

QString usernameRules()
{
    return QStringLiteral("3 to 32 characters: lower-case letters a-z, digits, '_', '.' or '-', "
                          "starting with a letter or digit");
}

bool isValidClientMessageId(QStringView id)
{
    if (id.size() != 36) {
        return false;
    }
    for (qsizetype i = 0; i < id.size(); ++i) {
        const QChar c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != QLatin1Char('-')) {
                return false;
            }
        } else if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
                     (c >= QLatin1Char('a') && c <= QLatin1Char('f')))) {
            return false;
        }
    }
    return true;
}

bool isValidDeviceName(QStringView name)
{
    if (name.isEmpty() || name.size() > 64 || name.trimmed().isEmpty()) {
        return false;
    }
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format) {
            return false;
        }
    }
    return true;
}

QString directConversationId(const QString &userA, const QString &userB)
{
    return userA <= userB ? QStringLiteral("dm:%1:%2").arg(userA, userB)
                          : QStringLiteral("dm:%1:%2").arg(userB, userA);
}

QString directPeer(const QString &conversationId, const QString &self)
{
    const QStringList parts = conversationId.split(QLatin1Char(':'));
    if (parts.size() != 3 || parts[0] != QLatin1String("dm")) {
        return {};
    }
    if (parts[1] == self) {
        return parts[2];
    }
    if (parts[2] == self) {
        return parts[1];
    }
    return {};
}

bool isValidGroupId(QStringView id)
{
    if (id.size() != 32) {
        return false;
    }
    for (const QChar c : id) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f')))) {
            return false;
        }
    }
    return true;
}

QString groupConversationId(const QString &groupId)
{
    return QStringLiteral("group:") + groupId;
}

QString groupIdOf(const QString &conversationId)
{
    if (!conversationId.startsWith(QLatin1String("group:"))) {
        return {};
    }
    const QString id = conversationId.mid(6);
    return isValidGroupId(id) ? id : QString();
}

bool isValidGroupName(QStringView name)
{
    if (name.isEmpty() || name.size() > 100 || name.trimmed().isEmpty()) {
        return false;
    }
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format) {
            return false;
        }
    }
    return true;
}

bool isValidMediaId(QStringView id)
{
    // The same shape as group ids: 128 random bits from the server.
    return isValidGroupId(id);
}

bool isValidAttachmentName(QStringView name)
{
    if (name.isEmpty() || name.size() > 255 || name == u"." || name == u"..") {
        return false;
    }
    for (const QChar c : name) {
        // Format characters include the bidirectional overrides that disguise extensions.
        if (c == QLatin1Char('/') || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Format) {
            return false;
        }
    }
    return true;
}

bool isValidMimeType(QStringView mime)
{
    const auto isNameChar = [](QChar c) {
        return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
               (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
               (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
               QStringView(u"!#$&-^_.+").contains(c);
    };
    const qsizetype slash = mime.indexOf(QLatin1Char('/'));
    if (mime.size() > 255 || slash <= 0 || slash == mime.size() - 1) {
        return false;
    }
    for (qsizetype i = 0; i < mime.size(); ++i) {
        if (i != slash && !isNameChar(mime.at(i))) {
            return false;
        }
    }
    return true;
}

} // namespace Tincan::Protocol
