// The store's schema, written once, as data: every table and index with the schema version
// that brought it. Each backend renders it in its own type names (its Dialect) and keeps its
// own record of the version a database is at; `store_tables()` (store.hpp) reads the same data.
#pragma once

#include <string>

namespace portout::sql {

inline constexpr int kSchemaVersion = 7;

// How a backend spells what the schema needs.
struct Dialect {
    const char* integer;     // a 64-bit integer column
    const char* text;        // a text column, compared byte by byte
    const char* blob;        // a column of bytes
    const char* serial_key;  // an integer primary key the database numbers itself
    const char* keyed_table_suffix;  // after a table whose key is not a serial (SQLite: WITHOUT ROWID)
};

// The statements that take a database from version `to - 1` to `to` (1 creates the first
// tables), separated by semicolons.
std::string migration(const Dialect& dialect, int to);

}  // namespace portout::sql
