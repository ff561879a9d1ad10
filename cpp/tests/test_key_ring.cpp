// The key ring on its own: records bound to their tenant, keys named by the store, a rotation's
// new key loaded when the store names it, and what a session without a key is told.
#include "service/key_ring.hpp"

#include <portout/errors.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>

namespace portout {
namespace {

using testing_support::TempDir;

class KeyRingTest : public ::testing::Test {
protected:
    KeyRing ring(StoreKey key) {
        return KeyRing(std::move(key), [](const std::string& path) { return StoreKey::load(path); }, db);
    }
    // The store names `keys`'s current key and, when `pending` is given, a rotation to it
    // recorded as a rotation records it: sealed under the current key.
    void name_keys(KeyRing& keys, const std::string& pending = "", const std::string& path = "") {
        auto tx = store->begin(TxMode::Write);
        tx->set_meta(KeyRing::kMetaKeyId, keys.current_id());
        if (!pending.empty()) tx->set_meta(KeyRing::kMetaRotation, KeyRing::seal_rotation(*keys.current(), {pending, path}));
        tx->commit();
    }
    void set_meta(std::string_view name, const std::string& value) {
        auto tx = store->begin(TxMode::Write);
        tx->set_meta(name, value);
        tx->commit();
    }
    std::string error_of_sealing(KeyRing& keys) {
        auto tx = store->begin(TxMode::Write);
        std::string key_id;
        try {
            keys.seal_pin_record(*tx, "contoso", "encoded-hash", key_id);
        } catch (const Error& e) {
            EXPECT_TRUE(key_id.empty());
            return e.error_id();
        }
        return "sealed under " + key_id;
    }
    TenantRecord sealed_for(KeyRing& keys, const std::string& tenant, const std::string& encoded) {
        TenantRecord t;
        t.tenant_id = tenant;
        auto tx = store->begin(TxMode::Write);
        t.pin_record = keys.seal_pin_record(*tx, tenant, encoded, t.pin_key_id);
        return t;
    }

    TempDir dir;
    std::string db = dir.file("store.db");
    std::unique_ptr<SqliteStore> store = SqliteStore::open(db);
};

TEST_F(KeyRingTest, ARecordOpensForItsTenantOnly) {
    auto keys = ring(StoreKey::generate());
    name_keys(keys);
    auto t = sealed_for(keys, "contoso", "encoded-hash");
    EXPECT_EQ(t.pin_key_id, keys.current_id());
    EXPECT_EQ(keys.open_pin_record(t).view(), "encoded-hash");
    t.tenant_id = "fabrikam";  // a record copied to another tenant's row
    EXPECT_THROW(keys.open_pin_record(t), InvalidDataError);
}

TEST_F(KeyRingTest, ARecordUnderAKeyNotHeldIsKeyUnavailable) {
    auto keys = ring(StoreKey::generate());
    name_keys(keys);
    auto t = sealed_for(keys, "contoso", "encoded-hash");
    auto other = ring(StoreKey::generate());
    try {
        other.open_pin_record(t);
        ADD_FAILURE() << "opened under a key it does not hold";
    } catch (const ResourceUnavailableError& e) {
        EXPECT_EQ(e.error_id(), "KeyUnavailable");
        EXPECT_EQ(e.target(), db);
    }
}

TEST_F(KeyRingTest, NewRecordsGoUnderTheKeyTheStoreNamesLoadedFromItsFile) {
    auto keys = ring(StoreKey::generate());
    auto next = StoreKey::generate();
    const auto next_path = dir.file("next.key");
    next.save_new(next_path);
    name_keys(keys, next.key_id(), next_path);  // another session began a rotation
    auto t = sealed_for(keys, "contoso", "encoded-hash");
    EXPECT_EQ(t.pin_key_id, next.key_id());
    EXPECT_EQ(keys.open_pin_record(t).view(), "encoded-hash");
    keys.finish_rotation(keys.current_id(), next.key_id());
    EXPECT_EQ(keys.current_id(), next.key_id());
    EXPECT_EQ(keys.open_pin_record(t).view(), "encoded-hash");
}

TEST_F(KeyRingTest, ARotationWhoseKeyCannotBeLoadedIsKeyRotated) {
    auto keys = ring(StoreKey::generate());
    name_keys(keys, "0123456789abcdef", dir.file("missing.key"));
    auto tx = store->begin(TxMode::Write);
    std::string key_id;
    try {
        keys.seal_pin_record(*tx, "contoso", "encoded-hash", key_id);
        ADD_FAILURE() << "sealed under a key it could not load";
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "KeyRotated");
    }
    EXPECT_TRUE(key_id.empty());
}

// The attack: someone who can write the database but has no key file names a key of their own
// as a rotation's new key, in the form an earlier portout kept it (in the open). It is never
// loaded; new records go under the store's key.
TEST_F(KeyRingTest, AKeyNamedInTheOpenIsNeverUsed) {
    auto keys = ring(StoreKey::generate());
    name_keys(keys);
    auto planted = StoreKey::generate();
    const auto planted_path = dir.file("attacker.key");
    planted.save_new(planted_path);
    set_meta(KeyRing::kMetaLegacyPendingKeyId, planted.key_id());
    set_meta(KeyRing::kMetaLegacyPendingKeyPath, planted_path);
    auto t = sealed_for(keys, "contoso", "encoded-hash");
    EXPECT_EQ(t.pin_key_id, keys.current_id());
    EXPECT_THROW(keys.entry(planted.key_id()), ResourceUnavailableError);
}

// The same attack in today's form: a rotation record not sealed under the store key.
TEST_F(KeyRingTest, ARotationRecordWrittenWithoutTheKeyIsTampering) {
    auto keys = ring(StoreKey::generate());
    name_keys(keys);
    auto planted = StoreKey::generate();
    const auto planted_path = dir.file("attacker.key");
    planted.save_new(planted_path);
    set_meta(KeyRing::kMetaRotation, planted.key_id() + "\n" + planted_path);
    EXPECT_EQ(error_of_sealing(keys), "StoreTampered");
    // Sealed, but under the attacker's own key (as if copied from a store of theirs).
    KeyRing theirs = ring(StoreKey::load(planted_path));
    set_meta(KeyRing::kMetaRotation, KeyRing::seal_rotation(*theirs.current(), {planted.key_id(), planted_path}));
    EXPECT_EQ(error_of_sealing(keys), "StoreTampered");
    // A genuine record whose id was edited to name another key.
    auto genuine = KeyRing::seal_rotation(*keys.current(), {"0123456789abcdef", dir.file("next.key")});
    genuine.replace(0, 16, planted.key_id());
    set_meta(KeyRing::kMetaRotation, genuine);
    EXPECT_EQ(error_of_sealing(keys), "StoreTampered");
    EXPECT_THROW(keys.entry(planted.key_id()), ResourceUnavailableError);
}

TEST_F(KeyRingTest, TheAuditKeyIsBoundToItsStore) {
    auto keys = ring(StoreKey::generate());
    const Secret audit_key(std::string(32, 'a'));
    const auto sealed = KeyRing::seal_audit_key(*keys.current(), audit_key, "store-1");
    EXPECT_EQ(keys.open_audit_key(sealed, "store-1").view(), audit_key.view());
    EXPECT_THROW(keys.open_audit_key(sealed, "store-2"), InvalidDataError);
}

}  // namespace
}  // namespace portout
