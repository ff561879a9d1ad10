// The store contract (StoreTransaction), written once in SQL for every backend: the
// statements, the row mapping and what a refused row means. A backend hands it a Session.
#pragma once

#include "store/sql.hpp"

#include <portout/store.hpp>

#include <memory>

namespace portout {

std::unique_ptr<StoreTransaction> make_sql_transaction(std::unique_ptr<sql::Session> session);

}  // namespace portout
