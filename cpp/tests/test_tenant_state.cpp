// Tenants' security state against someone who can write the database but has no key: every
// edit, rollback, copy, insertion or deletion of a tenant's PIN record, counters, lock, freeze,
// country or policy (or of the store's default policy) is refused on the next read, recorded,
// and never obeyed; a StoreAdmin takes the tenant back into use with a repair.
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;

class TenantStateTest : public ServiceTest {
protected:
    // Two tenants with PINs and numbers; contoso has two wrong attempts behind it.
    std::unique_ptr<PortOutService> prepare() {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
        s->set_pin("contoso", "602917");
        s->set_pin("fabrikam", "481605");
        s->add_number("contoso", "+1 425 555 0100");
        EXPECT_FALSE(s->check_pin("contoso", "111111"));
        EXPECT_FALSE(s->check_pin("contoso", "222222"));
        return s;
    }

    std::string tampered_findings(const std::string& tenant) {
        return column("SELECT count(*) FROM audit_events WHERE event_type = 'StoreTampered' AND tenant_id = '" +
                      tenant + "'");
    }

    // What a refused tenant shows on every path: reads and changes refused, the right PIN
    // refused as a wrong one would be, an order rejected as for a wrong PIN; the other tenant
    // untouched.
    void expect_refused(PortOutService& s, const std::string& why) {
        EXPECT_EQ(error_id_of([&] { s.get_tenant("contoso"); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.pin_status("contoso"); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.get_policy("contoso"); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.unlock_pin("contoso"); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.set_freeze("contoso", true); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.set_pin("contoso", "735284"); }), "StoreTampered") << why;
        EXPECT_EQ(error_id_of([&] { s.list_pin_status("", 10); }), "StoreTampered") << why;
        EXPECT_FALSE(s.check_pin("contoso", "602917")) << why;
        const auto order = s.submit_order("contoso", {"+1 425 555 0100"}, "602917", "Fabrikam Telecom", std::nullopt);
        EXPECT_EQ(order.status, "Rejected") << why;
        EXPECT_EQ(order.reason, "PinNotAccepted") << why;
        EXPECT_EQ(order.internal_reason, "StoreTampered") << why;
        EXPECT_TRUE(s.check_pin("fabrikam", "481605")) << why;
        EXPECT_EQ(s.pin_status("fabrikam").tenant_id, "fabrikam") << why;
        EXPECT_TRUE(s.verify_audit().is_valid) << why;
    }
};

TEST_F(TenantStateTest, EachEditOfATenantsStateIsRefusedNotObeyed) {
    {
        auto s = prepare();
        s->set_freeze("contoso", true);
        for (const char* wrong : {"333333", "444444", "555555"}) EXPECT_FALSE(s->check_pin("contoso", wrong));
        const auto status = s->pin_status("contoso");
        ASSERT_EQ(status.carriers.size(), 1U);
        EXPECT_TRUE(status.carriers[0].locked_until) << "this carrier's lock";
    }
    const std::string saved = dir.file("saved.db");
    std::filesystem::copy_file(db, saved);
    for (const std::string edit : {
             "UPDATE tenants SET failed_attempts = 0 WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET locked_until = NULL, lock_level = 0, failed_attempts = 0 WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET locked_until = 1 WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET carrier_attempts = '' WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET carrier_attempts = replace(carrier_attempts, char(9) || '5' || char(9), "
             "char(9) || '0' || char(9)) WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET frozen = 0 WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET country = 'GB' WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET pin_version = pin_version + 1 WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET pin_record = NULL WHERE tenant_id = 'contoso'",
             "UPDATE tenants SET pin_record = (SELECT pin_record FROM tenants WHERE tenant_id = 'fabrikam') "
             "WHERE tenant_id = 'contoso'",
             "INSERT INTO policies (scope, max_failed_attempts, modified_at, modified_by) "
             "VALUES ('contoso', 100, 0, 'dba')",
         }) {
        std::filesystem::copy_file(saved, db, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(db + "-wal");
        sql(edit);
        auto s = open();
        expect_refused(*s, edit);
        EXPECT_NE(tampered_findings("contoso"), "0") << edit;
    }
}

TEST_F(TenantStateTest, APinRolledBackToItsOlderRecordIsRefused) {
    {
        auto s = prepare();
        sql("CREATE TABLE backup AS SELECT * FROM tenants WHERE tenant_id = 'contoso'");
        s->set_pin("contoso", "735284");  // the customer changes the PIN the attacker knew
    }
    // The whole row as the older backup had it: a genuine record, sealed under the store key.
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'; INSERT INTO tenants SELECT * FROM backup");
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "602917")) << "the old PIN is not taken back";
    EXPECT_FALSE(s->check_pin("contoso", "735284"));
    expect_refused(*s, "rollback");
}

TEST_F(TenantStateTest, ARowCopiedFromAnotherTenantOrInsertedIsRefused) {
    {
        auto s = prepare();
    }
    // fabrikam's whole security state, PIN record included, put over contoso's.
    sql("UPDATE tenants SET (pin_record, pin_key_id, pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, "
        "locked_until, lock_level, pin_version, frozen, carrier_attempts) = (SELECT pin_record, pin_key_id, "
        "pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, locked_until, lock_level, pin_version, frozen, "
        "carrier_attempts FROM tenants WHERE tenant_id = 'fabrikam') WHERE tenant_id = 'contoso'");
    // And a tenant portout never made.
    sql("INSERT INTO tenants SELECT 'northwind', display_name, country, created_at, modified_at, modified_by, "
        "pin_record, pin_key_id, pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, locked_until, "
        "lock_level, last_check_at, last_check_result, pin_version, frozen, '', service_zip, authorized_name, "
        "time_zone, carrier_attempts FROM tenants WHERE tenant_id = 'fabrikam'");
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "481605"));
    expect_refused(*s, "copied");
    EXPECT_EQ(error_id_of([&] { s->get_tenant("northwind"); }), "StoreTampered");
    EXPECT_FALSE(s->check_pin("northwind", "481605"));
}

TEST_F(TenantStateTest, ATenantDeletedInTheDatabaseIsNotMadeAnewOverItsHistory) {
    {
        auto s = prepare();
    }
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'");
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(error_id_of([&] { s->get_tenant("contoso"); }), "StoreTampered");
    EXPECT_EQ(error_id_of([&] { s->create_tenant("contoso", "Contoso", "US"); }), "StoreTampered");
    // The repair records the removal as it stands; the tenant may then be made again.
    s->repair_tenant_state("contoso");
    s->create_tenant("contoso", "Contoso", "US");
    EXPECT_FALSE(s->get_tenant("contoso").pin_is_set);
    // A tenant removed by portout stays removed: its row put back is refused.
    sql("CREATE TABLE backup AS SELECT * FROM tenants WHERE tenant_id = 'fabrikam'");
    s->remove_tenant("fabrikam");
    sql("INSERT INTO tenants SELECT * FROM backup");
    EXPECT_EQ(error_id_of([&] { s->get_tenant("fabrikam"); }), "StoreTampered");
}

TEST_F(TenantStateTest, ALoosenedDefaultPolicyStopsEveryCheckUntilRepaired) {
    {
        auto s = prepare();
    }
    sql("UPDATE policies SET max_failed_attempts = 1000, block_weak = 0 WHERE scope = ''");
    auto s = open();
    EXPECT_EQ(error_id_of([&] { s->get_policy(std::nullopt); }), "StoreTampered");
    EXPECT_EQ(error_id_of([&] { s->get_policy("fabrikam"); }), "StoreTampered");
    EXPECT_FALSE(s->check_pin("fabrikam", "481605"));
    EXPECT_EQ(tampered_findings(""), "3");
    EXPECT_EQ(error_id_of([&] { as(Role::TelephonyAdmin)->repair_default_policy(); }), "AccessDenied");
    const auto repaired = s->repair_default_policy();
    EXPECT_EQ(repaired.max_failed_attempts, 5);
    EXPECT_TRUE(repaired.pin_policy.block_weak());
    EXPECT_TRUE(s->check_pin("fabrikam", "481605"));
    EXPECT_EQ(error_id_of([&] { s->repair_default_policy(); }), "NothingToRepair");
}

TEST_F(TenantStateTest, ARepairRemovesThePinKeepsTheRestAndIsAStoreAdminsAlone) {
    {
        auto s = prepare();
        s->set_freeze("contoso", true);
    }
    sql("UPDATE tenants SET failed_attempts = 0, frozen = 0 WHERE tenant_id = 'contoso'");
    auto s = open();
    EXPECT_EQ(error_id_of([&] { s->repair_tenant_state("fabrikam"); }), "NothingToRepair");
    EXPECT_EQ(error_id_of([&] { as(Role::TelephonyAdmin)->repair_tenant_state("contoso"); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { as(Role::Auditor)->repair_tenant_state("contoso"); }), "AccessDenied");
    const auto status = s->repair_tenant_state("contoso");
    EXPECT_FALSE(status.pin_is_set);
    EXPECT_EQ(status.failed_attempt_count, 0);
    EXPECT_FALSE(s->get_tenant("contoso").port_out_frozen) << "the freeze as the database held it, for review";
    EXPECT_NE(column("SELECT details FROM audit_events WHERE event_type = 'TenantStateRepaired'").find("frozen=false"),
              std::string::npos);
    EXPECT_FALSE(s->check_pin("contoso", "602917")) << "no PIN until a new one is set";
    s->set_pin("contoso", "735284");
    EXPECT_TRUE(s->check_pin("contoso", "735284"));
    EXPECT_TRUE(s->verify_audit().is_valid);
    EXPECT_EQ(column("SELECT count(*) FROM notifications WHERE kind = 'TenantStateRepaired'"), "1");
}

// Hiding a rollback takes removing the events that anchored the newer state: the chain then no
// longer verifies, and an anchor moved out of its place is not taken on read.
TEST_F(TenantStateTest, RemovingTheAnchorsToHideARollbackBreaksTheChain) {
    {
        auto s = prepare();
        sql("CREATE TABLE backup AS SELECT * FROM tenants WHERE tenant_id = 'contoso'");
        s->set_pin("contoso", "735284");
        s->create_tenant("northwind", "Northwind", "US");  // the log goes on after the change
    }
    const auto anchor = column("SELECT max(event_id) FROM audit_events WHERE tenant_id = 'contoso' "
                               "AND state_mac IS NOT NULL");
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'; INSERT INTO tenants SELECT * FROM backup; "
        "DELETE FROM audit_events WHERE event_id = " + anchor);
    auto s = open();
    const auto v = s->verify_audit();
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Deleted");
    // The same older anchor moved up to stand where the deleted one stood is not taken either.
    sql("UPDATE audit_events SET event_id = " + anchor + " WHERE event_id = (SELECT max(event_id) FROM "
        "audit_events WHERE tenant_id = 'contoso' AND state_mac IS NOT NULL)");
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(error_id_of([&] { s->pin_status("contoso"); }), "StoreTampered");
}

// A page of many tenants is checked at once (in groups: SQLite joins at most 500 SELECTs).
TEST_F(TenantStateTest, ALongPageIsCheckedWholeAndOneEditedTenantInItIsNamed) {
    auto s = open();
    std::vector<std::array<std::string, 3>> rows;
    for (int i = 0; i < 1200; ++i) rows.push_back({"t" + std::to_string(10000 + i) + ".example", "T", "US"});
    s->import_tenants(rows);
    EXPECT_EQ(s->list_pin_status("", 5000).size(), 1200U);
    sql("UPDATE tenants SET frozen = 1 WHERE tenant_id = 't10777.example'");
    try {
        s->list_tenants("", 5000);
        ADD_FAILURE() << "an edited tenant in the page was not found";
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "StoreTampered");
        EXPECT_EQ(e.target(), "t10777.example");
    }
}

// Found by attacking it: every way around the anchor a database writer has.
TEST_F(TenantStateTest, TheNewestAnchorNulledDoesNotMakeAnOlderStateAuthentic) {
    {
        auto s = prepare();
        sql("CREATE TABLE backup AS SELECT * FROM tenants WHERE tenant_id = 'contoso'");
        s->set_pin("contoso", "735284");
    }
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'; INSERT INTO tenants SELECT * FROM backup; "
        "UPDATE audit_events SET state_mac = NULL WHERE event_id = (SELECT max(event_id) FROM audit_events "
        "WHERE tenant_id = 'contoso')");
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(error_id_of([&] { s->pin_status("contoso"); }), "StoreTampered");
    // The refusals carry no state of their own: the tenant stays refused, read after read.
    EXPECT_EQ(error_id_of([&] { s->pin_status("contoso"); }), "StoreTampered");
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
}

TEST_F(TenantStateTest, EveryAnchorNulledIsNotTakenForAStoreWrittenBeforeAnchors) {
    {
        auto s = prepare();
        s->set_freeze("contoso", true);
    }
    sql("UPDATE tenants SET frozen = 0 WHERE tenant_id = 'contoso'; UPDATE audit_events SET state_mac = NULL");
    auto s = open();
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'SecurityStateAnchored'"), "0");
    EXPECT_EQ(column("SELECT reason FROM audit_events WHERE event_type = 'StoreTampered'"), "StateAnchorsRemoved");
    const auto order = s->submit_order("contoso", {"+1 425 555 0100"}, "602917", "Fabrikam Telecom", std::nullopt);
    EXPECT_EQ(order.status, "Rejected");
    EXPECT_FALSE(s->check_pin("fabrikam", "481605")) << "every tenant is refused";
    s.reset();
    s = open();  // and stays so: nothing is anchored on the next open either
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'SecurityStateAnchored'"), "0");
    EXPECT_EQ(error_id_of([&] { s->get_policy(std::nullopt); }), "StoreTampered");
    s->repair_default_policy();
    s->repair_tenant_state("fabrikam");
    s->set_pin("fabrikam", "481605");
    EXPECT_TRUE(s->check_pin("fabrikam", "481605"));
}

TEST_F(TenantStateTest, AnImportDoesNotMakeADeletedTenantAnew) {
    {
        auto s = prepare();
    }
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'");
    auto s = open();
    EXPECT_EQ(error_id_of([&] { s->import_tenants({{"northwind", "Northwind", "US"}, {"contoso", "Contoso", "US"}}); }),
              "StoreTampered");
    EXPECT_EQ(error_id_of([&] { s->get_tenant("northwind"); }), "TenantNotFound") << "nothing imported";
}

TEST_F(TenantStateTest, AKeyIdEditedIsTamperingNotAMissingKey) {
    {
        auto s = prepare();
    }
    sql("UPDATE tenants SET pin_key_id = '00000000deadbeef' WHERE tenant_id = 'contoso'");
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    const auto order = s->submit_order("contoso", {"+1 425 555 0100"}, "602917", "Fabrikam Telecom", std::nullopt);
    EXPECT_EQ(order.reason, "PinNotAccepted");
    EXPECT_EQ(error_id_of([&] { s->pin_status("contoso"); }), "StoreTampered");
    s->repair_tenant_state("contoso");
    s->set_pin("contoso", "735284");
    EXPECT_TRUE(s->check_pin("contoso", "735284"));
}

TEST_F(TenantStateTest, AnOlderAnchorLeftAfterAGapInTheChainIsNotTaken) {
    {
        auto s = prepare();
        sql("CREATE TABLE backup AS SELECT * FROM tenants WHERE tenant_id = 'contoso'");
        s->set_pin("contoso", "735284");
        s->create_tenant("northwind", "Northwind", "US");
    }
    // Every event of contoso since the backup removed, from the middle of the chain.
    const auto since = column("SELECT min(event_id) FROM audit_events WHERE event_type = 'PinChanged'");
    sql("DELETE FROM tenants WHERE tenant_id = 'contoso'; INSERT INTO tenants SELECT * FROM backup; "
        "DELETE FROM audit_events WHERE tenant_id = 'contoso' AND event_id >= " + since);
    auto s = open();
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(error_id_of([&] { s->pin_status("contoso"); }), "StoreTampered");
}

TEST_F(TenantStateTest, StateHoldsAcrossAKeyRotationAndLockExpiry) {
    auto s = prepare();
    s->set_policy("contoso", [] {
        PolicyChange c;
        c.max_failed_attempts = 3;
        return c;
    }());
    EXPECT_FALSE(s->check_pin("contoso", "333333"));  // the third: locked
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
    clock->advance_ms(16 * kMinute);
    s->rotate_key(dir.file("next.key"));
    s.reset();
    s = open(HashProfile::Test, dir.file("next.key"));
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_TRUE(s->check_pin("fabrikam", "481605"));
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 0);
    EXPECT_TRUE(s->verify_audit().is_valid);
}

}  // namespace
}  // namespace portout
