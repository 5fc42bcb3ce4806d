#pragma once

#include <QByteArray>

namespace Tincan::Server::Tokens {

//! A new bearer token: 256 random bits from the OS CSPRNG, base64url without padding.
QByteArray generate();
//! The form stored in the database: SHA-256 of the token. The token itself is never stored.
QByteArray hash(const QByteArray &token);
//! Extracts the token from an "Authorization: Bearer <token>" header value; empty if malformed.
QByteArray fromAuthorizationHeader(const QByteArray &value);

} // namespace Tincan::Server::Tokens
