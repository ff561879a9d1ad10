// The schema, written once as data: what each version's migration renders, and that a database
// built by the migrations has exactly the tables and columns store_tables() lists.
#include "store/schema.hpp"

#include <portout/store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace portout {
namespace {

constexpr sql::Dialect kPlain = {"INTEGER", "TEXT", "BLOB", "INTEGER PRIMARY KEY", " WITHOUT ROWID"};
constexpr sql::Dialect kServer = {"BIGINT", "TEXT COLLATE \"C\"", "BYTEA", "BIGSERIAL PRIMARY KEY", ""};

TEST(Schema, EachVersionBringsItsOwnTablesColumnsAndIndexes) {
    const auto v1 = sql::migration(kPlain, 1);
    const auto v2 = sql::migration(kPlain, 2);
    EXPECT_NE(v1.find("CREATE TABLE tenants ("), std::string::npos);
    EXPECT_EQ(v1.find("frozen"), std::string::npos);
    EXPECT_EQ(v1.find("orders"), std::string::npos);
    EXPECT_NE(v2.find("ALTER TABLE tenants ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0;"), std::string::npos);
    EXPECT_NE(v2.find("CREATE TABLE orders ("), std::string::npos);
    EXPECT_NE(v2.find("CREATE INDEX order_numbers_open ON order_numbers (number) WHERE open = 1;"),
              std::string::npos);
    EXPECT_EQ(v2.find("CREATE TABLE tenants"), std::string::npos);
    EXPECT_TRUE(sql::migration(kPlain, sql::kSchemaVersion + 1).empty());
}

TEST(Schema, EachBackendSpellsItsOwnTypes) {
    const auto plain = sql::migration(kPlain, 2);
    const auto server = sql::migration(kServer, 2);
    EXPECT_NE(plain.find("seq INTEGER PRIMARY KEY"), std::string::npos);
    EXPECT_NE(server.find("seq BIGSERIAL PRIMARY KEY"), std::string::npos);
    EXPECT_NE(server.find("number TEXT COLLATE \"C\" PRIMARY KEY"), std::string::npos);
    // Keyed tables of short rows are kept in key order on SQLite; numbered ones are not.
    EXPECT_NE(plain.find("added_by TEXT NOT NULL\n) WITHOUT ROWID;\nCREATE TABLE orders"), std::string::npos)
        << "phone_numbers is keyed: " << plain;
    EXPECT_NE(plain.find("modified_by TEXT NOT NULL\n);\nCREATE TABLE order_numbers"), std::string::npos)
        << "orders is numbered: " << plain;
    EXPECT_EQ(server.find("WITHOUT ROWID"), std::string::npos);
}

std::vector<std::string> columns_of(sqlite3* db, std::string_view table) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "SELECT name FROM pragma_table_info('" + std::string(table) + "') ORDER BY cid";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return out;
}

TEST(Schema, TheMigrationsBuildExactlyTheTablesStoreTablesLists) {
    testing_support::TempDir dir;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("s.db").c_str(), &db), SQLITE_OK);
    for (int v = 1; v <= sql::kSchemaVersion; ++v) {
        char* err = nullptr;
        ASSERT_EQ(sqlite3_exec(db, sql::migration(kPlain, v).c_str(), nullptr, nullptr, &err), SQLITE_OK)
            << (err ? err : "");
    }
    int tables = 0;
    for (const auto& table : store_tables()) {
        std::vector<std::string> want;
        for (const auto& [name, kind] : table.columns) want.emplace_back(name);
        EXPECT_EQ(columns_of(db, table.name), want) << table.name;
        ++tables;
    }
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), tables);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

}  // namespace
}  // namespace portout
