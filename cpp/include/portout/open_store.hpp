// Where stores are and how one is opened: the one place that knows both backends. The service
// works on the Store interface and includes neither.
#pragma once

#include <portout/store.hpp>

#include <memory>
#include <string>

namespace portout {

// The store at `location`: a PostgreSQL connection URI (postgresql://...) or a SQLite path.
// `create`: a SQLite file that does not exist is created (a PostgreSQL schema always is).
std::unique_ptr<Store> open_store(const std::string& location, bool create, int busy_timeout_ms);

// Default locations: $PORTOUT_STORE, else $XDG_DATA_HOME/portout/store.db (~/.local/share/...);
// the key beside its store (<store>.key), or $PORTOUT_KEY_FILE. A PostgreSQL store has no
// folder of its own: its key file must be named.
std::string default_store_path();
std::string default_key_path(const std::string& store_path);

}  // namespace portout
