#pragma once

#include <QString>
#include <QStringView>

namespace Tincan::Protocol {

//! Usernames: 3-32 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit.
//! Lower case only, so that two users can never differ only by case.
bool isValidUsername(QStringView username);
QString usernameRules();

//! Client message ids are canonical lower-case UUIDs (8-4-4-4-12 hex digits).
bool isValidClientMessageId(QStringView id);

//! Device names: 1-64 printable characters, no control characters.
bool isValidDeviceName(QStringView name);

//! The conversation id of a 1:1 chat: "dm:<a>:<b>" with the two usernames sorted, so both
//! sides compute the same id. A note-to-self conversation is "dm:<a>:<a>".
QString directConversationId(const QString &userA, const QString &userB);

//! The other participant of a 1:1 conversation, seen from `self`; empty if not a dm id.
QString directPeer(const QString &conversationId, const QString &self);

//! Group ids are 32 lower-case hex digits, chosen by the server.
bool isValidGroupId(QStringView id);
//! The conversation id of a group: "group:<id>".
QString groupConversationId(const QString &groupId);
//! The group id of a group conversation id; empty if it is not one.
QString groupIdOf(const QString &conversationId);

//! Group names: 1-100 characters, no control characters.
bool isValidGroupName(QStringView name);

//! Media ids are 32 lower-case hex digits, chosen by the server.
bool isValidMediaId(QStringView id);
//! Names of attached files: 1-255 characters, no '/', no control (NUL...) or format (bidi
//! override...) characters, not "." or "..". (A receiver still makes its own safe name before
//! saving.)
bool isValidAttachmentName(QStringView name);
//! MIME types as "type/subtype" (RFC 6838 names, no parameters), at most 255 characters.
bool isValidMimeType(QStringView mime);

} // namespace Tincan::Protocol
