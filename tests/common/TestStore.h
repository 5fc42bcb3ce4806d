#pragma once

#include "app/core/LocalStore.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace Tincan::Test {

//! The SQLCipher key of the unit tests' local stores.
inline const QByteArray StoreKey =
    QByteArray::fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

//! Opens (creating and migrating) a client store at `path` with StoreKey; null (with a warning
//! saying why) if that fails.
inline std::unique_ptr<Client::LocalStore> openTestStore(const QString &path)
{
    auto store = std::make_unique<Client::LocalStore>();
    if (!store->open(path, StoreKey)) {
        qWarning("LocalStore::open failed: %s", qPrintable(store->lastError()));
        return nullptr;
    }
    return store;
}

} // namespace Tincan::Test
