#pragma once

#include <QtGlobal>

namespace Tincan::Protocol {

//! Server-side limits; every one is configurable in tincand's config file (section [limits]) and
//! documented in docs/protocol.md and docs/admin.md.
struct Limits
{
    //! Largest HTTP request body accepted (bytes). Larger requests get 413 before being buffered.
    qint64 maxRequestBody = 4 * 1024 * 1024;
    //! Largest payload for a single recipient device (decoded bytes).
    qint64 maxPayloadBytes = 256 * 1024;
    //! Most payloads (recipient devices plus own other devices) in one message.
    qint64 maxDevicesPerMessage = 64;
    //! Most devices one account may have signed in at once.
    qint64 maxDevicesPerUser = 10;
    //! Largest page of GET /v1/inbox.
    qint64 maxInboxPage = 500;
    //! Largest WebSocket frame accepted from a client (bytes).
    qint64 maxClientFrame = 64 * 1024;
    //! Unacknowledged envelopes pushed to one device before the server waits for ACKs.
    qint64 streamWindow = 256;
};

} // namespace Tincan::Protocol
