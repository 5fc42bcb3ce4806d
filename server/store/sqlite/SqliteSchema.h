#pragma once

#include "shared/storage/Migrations.h"

namespace Tincan::Server {

//! The daemon's schema history. Append steps; never edit a released one.
Storage::Migrations serverMigrations();

} // namespace Tincan::Server
