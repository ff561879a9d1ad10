// Checkpoints of the audit chain kept outside the store: what one holds and proves, and what a
// walk against them finds when a database writer without the key removed the newest events
// (putting an older genuine head back), restored an older copy of the store, or forged one.
#include "service/audit_checkpoint.hpp"

#include <portout/crypto.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::digest_of;
using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;
using testing_support::TempDir;

class AuditCheckpointTest : public ServiceTest {
protected:
    // The genuine head as the store keeps it now: what an attacker copies to put back later.
    std::string head_now() { return column("SELECT hex(value) FROM meta WHERE name = 'audit_head'"); }
    void put_head_back(const std::string& hex) {
        sql("UPDATE meta SET value = X'" + hex + "' WHERE name = 'audit_head'");
    }
    std::int64_t newest_event() { return std::stoll(column("SELECT max(event_id) FROM audit_events")); }
    // Closes nothing itself: every session must be closed (so the WAL is folded into the file).
    void restore(const std::string& backup) {
        std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(db + "-wal");
        std::filesystem::remove(db + "-shm");
    }
};

TEST_F(AuditCheckpointTest, ACheckpointNamesTheSignedHeadAndIsAudited) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    const auto c = s->audit_checkpoint();
    // The checkpoint names the event that records its taking: the newest.
    EXPECT_EQ(c.event_id, newest_event());
    EXPECT_EQ(c.event_count, c.event_id);
    EXPECT_EQ(column("SELECT event_type FROM audit_events ORDER BY event_id DESC LIMIT 1"), "AuditCheckpointTaken");
    EXPECT_EQ(c.event_mac, column("SELECT lower(hex(mac)) FROM audit_events ORDER BY event_id DESC LIMIT 1"));
    EXPECT_EQ(c.store_id, s->store_id());
    EXPECT_EQ(c.key_id, s->key_id());
    EXPECT_EQ(c.taken_at, "2026-09-21T14:13:20.000Z");
    EXPECT_EQ(c.taken_at_ms, testing_support::kStart);
    // Signed over the documented bytes, with the key derived from the store key.
    const auto key = StoreKey::load(key_path);
    const SigningKey signer(key, kPurposeAuditCheckpoint);
    EXPECT_EQ(c.public_key, to_hex(signer.public_key()));
    EXPECT_EQ(c.signed_bytes(), "portout-audit-checkpoint-v1\nstore_id=" + c.store_id + "\nevent_id=" +
                                    std::to_string(c.event_id) + "\nevent_mac=" + c.event_mac + "\nevent_count=" +
                                    std::to_string(c.event_count) + "\ntaken_at=" + c.taken_at + "\nkey_id=" +
                                    c.key_id + "\npublic_key=" + c.public_key + "\n");
    EXPECT_TRUE(verify_signature(signer.public_key(), c.signed_bytes(), *from_hex(c.signature)));
    // The document reads back as the same checkpoint, and holds no PIN.
    const auto back = parse_audit_checkpoint(c.document);
    EXPECT_EQ(back.signature, c.signature);
    EXPECT_EQ(back.signed_bytes(), c.signed_bytes());
    EXPECT_EQ(c.document.find("602917"), std::string::npos);
    // Handed to the outbox, for a consumer to keep elsewhere.
    const auto notes = s->receive_notifications("archive", 100);
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes.back().kind, "AuditCheckpoint");
    EXPECT_EQ(notes.back().details, c.document);
}

TEST_F(AuditCheckpointTest, AnUntamperedChainAgreesWithEveryCheckpoint) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto first = s->audit_checkpoint();
    s->set_pin("contoso", "602917");
    clock->advance_ms(kMinute);
    const auto second = s->audit_checkpoint();
    s->check_pin("contoso", "000001");
    const auto v = s->verify_audit({}, {first.document, second.document});
    EXPECT_TRUE(v.is_valid) << v.problem;
    EXPECT_EQ(v.checkpoints_checked, 2);
    EXPECT_FALSE(v.failed_checkpoint);
    EXPECT_EQ(v.event_count, newest_event());
    // Any whitespace and field order: the signature covers the fields, not the layout.
    const std::string reordered =
        "{\"signature\":\"" + first.signature + "\",\"public_key\":\"" + first.public_key + "\",\"key_id\":\"" +
        first.key_id + "\",\"taken_at\":\"" + first.taken_at + "\",\"event_count\":" +
        std::to_string(first.event_count) + ",\"event_mac\":\"" + first.event_mac + "\",\"event_id\":" +
        std::to_string(first.event_id) + ",\"store_id\":\"" + first.store_id +
        "\",\"format\":\"portout-audit-checkpoint-v1\"}";
    EXPECT_TRUE(s->verify_audit({}, {reordered}).is_valid);
    EXPECT_EQ(s->verify_audit({}, {}).checkpoints_checked, 0);
}

// The attack: the newest events removed, and an older genuine head put back. The chain by itself
// cannot tell; a checkpoint taken after those events can.
TEST_F(AuditCheckpointTest, NewestEventsRemovedWithAnOlderHeadPutBackAreTruncated) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    const auto kept = newest_event();
    const auto old_head = head_now();
    s->create_tenant("fabrikam", "Fabrikam", "US");
    s->set_pin("fabrikam", "602917");
    s->set_pin("contoso", "481605");  // PinChanged
    s->remove_tenant("fabrikam");     // TenantRemoved
    const auto checkpoint = s->audit_checkpoint();
    s.reset();

    sql("DELETE FROM audit_events WHERE event_id > " + std::to_string(kept));
    put_head_back(old_head);
    s = open();
    // Without the checkpoint: valid, the events gone without a trace.
    const auto alone = s->verify_audit();
    EXPECT_TRUE(alone.is_valid);
    EXPECT_EQ(alone.event_count, kept);
    // With it: truncated, from the first event removed.
    const auto v = s->verify_audit({}, {checkpoint.document});
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Truncated");
    EXPECT_EQ(v.first_broken_event_id, kept + 1);
    EXPECT_EQ(v.failed_checkpoint, 0);
    EXPECT_EQ(v.checkpoints_checked, 1);
    EXPECT_EQ(v.event_count, kept);
}

TEST_F(AuditCheckpointTest, ADeletionWithoutTheHeadPutBackIsTheChainsOwnFinding) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto checkpoint = s->audit_checkpoint();
    s.reset();
    sql("DELETE FROM audit_events WHERE event_id = " + std::to_string(checkpoint.event_id));
    s = open();
    const auto v = s->verify_audit({}, {checkpoint.document});
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Deleted");  // the chain's break is named first
    EXPECT_EQ(v.first_broken_event_id, checkpoint.event_id);
    EXPECT_FALSE(v.failed_checkpoint);
}

TEST_F(AuditCheckpointTest, AnOlderCopyOfTheWholeStoreIsTruncatedThenRolledBack) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    const std::string backup = dir.file("backup.db");
    std::filesystem::copy_file(db, backup);  // every session closed: the WAL is in the file
    const auto backed_up = std::stoll(testing_support::column_of(backup, "SELECT max(event_id) FROM audit_events"));
    std::string document;
    {
        auto s = open();
        s->set_pin("contoso", "481605");
        s->remove_tenant("contoso");
        document = s->audit_checkpoint().document;
        EXPECT_TRUE(s->verify_audit({}, {document}).is_valid);
    }
    restore(backup);
    {
        auto s = open();
        EXPECT_TRUE(s->verify_audit().is_valid);  // a genuine older store, by itself
        const auto v = s->verify_audit({}, {document});
        EXPECT_FALSE(v.is_valid);
        EXPECT_EQ(v.problem, "Truncated");
        EXPECT_EQ(v.first_broken_event_id, backed_up + 1);
        // The restored store lives on: the checkpointed id is reached by another history.
        for (int i = 0; i < 5; ++i) s->create_tenant("t" + std::to_string(i) + ".example", "T", "US");
        const auto later = s->verify_audit({}, {document});
        EXPECT_FALSE(later.is_valid);
        EXPECT_EQ(later.problem, "RolledBack");
        EXPECT_EQ(later.first_broken_event_id, parse_audit_checkpoint(document).event_id);
    }
}

TEST_F(AuditCheckpointTest, AForgedCheckpointIsReportedInvalid) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto c = s->audit_checkpoint();
    auto check = [&](const std::string& document, const std::string& problem) {
        const auto v = s->verify_audit({}, {c.document, document});
        EXPECT_FALSE(v.is_valid) << document;
        EXPECT_EQ(v.problem, problem) << document;
        EXPECT_EQ(v.failed_checkpoint, 1) << document;
        EXPECT_FALSE(v.first_broken_event_id) << document;
    };
    auto edited = [&](const std::string& from, const std::string& to) {
        auto d = c.document;
        const auto at = d.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return d.replace(at, from.size(), to);
    };
    // A field edited: the signature no longer holds.
    check(edited("\"event_id\": " + std::to_string(c.event_id), "\"event_id\": " + std::to_string(c.event_id + 1)),
          "CheckpointInvalid");
    check(edited("\"event_count\": " + std::to_string(c.event_count), "\"event_count\": 1"), "CheckpointInvalid");
    check(edited(c.taken_at, "2027-01-01T00:00:00.000Z"), "CheckpointInvalid");
    check(edited(c.signature.substr(0, 4), c.signature.substr(0, 4) == "0000" ? "1111" : "0000"), "CheckpointInvalid");
    // Signed with a key that is not the store's (the writer made one of their own): the
    // signature holds, but the key is not this store's.
    const SigningKey stranger(StoreKey::generate(), kPurposeAuditCheckpoint);
    AuditRecord head;
    head.event_id = c.event_id + 10;
    head.mac = std::string(32, 'x');
    const auto forged = sign_checkpoint(stranger, c.key_id, c.store_id, head, c.event_count + 10, testing_support::kStart);
    check(forged.document, "CheckpointInvalid");
    // Even the store's own key id and public key named with the stranger's signature.
    auto claimed = forged;
    claimed.public_key = c.public_key;
    check(edited(c.signature, claimed.signature), "CheckpointInvalid");
}

TEST_F(AuditCheckpointTest, ACheckpointOfAnotherStoreIsReported) {
    TempDir other_dir;
    ServiceOptions o;
    o.profile = HashProfile::Test;
    o.allow_test_profile = true;
    o.clock = clock;
    auto other = PortOutService::open(SqliteStore::open(other_dir.file("other.db")), other_dir.file("other.key"), o);
    const auto theirs = other->audit_checkpoint();
    auto s = open();
    const auto ours = s->audit_checkpoint();
    const auto v = s->verify_audit({}, {ours.document, theirs.document});
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "CheckpointOfAnotherStore");
    EXPECT_EQ(v.failed_checkpoint, 1);
    EXPECT_EQ(v.checkpoints_checked, 2);
    // Their store, with our checkpoint: the same finding.
    EXPECT_EQ(other->verify_audit({}, {ours.document}).problem, "CheckpointOfAnotherStore");
}

TEST_F(AuditCheckpointTest, OnlyAnUnscopedStoreAdminOrAuditorTakesOne) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
    }
    for (auto role : {Role::Carrier, Role::TelephonyAdmin}) {
        auto s = as(role);
        const auto events = newest_event();
        EXPECT_EQ(error_id_of([&] { s->audit_checkpoint(); }), "AccessDenied") << to_string(role);
        // The refusal is audited, and nothing else is written.
        EXPECT_EQ(newest_event(), events + 1);
        EXPECT_EQ(column("SELECT event_type FROM audit_events ORDER BY event_id DESC LIMIT 1"), "AccessDenied");
        EXPECT_EQ(column("SELECT reason FROM audit_events ORDER BY event_id DESC LIMIT 1"), "CheckpointAudit");
    }
    EXPECT_EQ(error_id_of([&] { as(Role::Auditor, {"contoso"})->audit_checkpoint(); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { as(Role::StoreAdmin, {"contoso"})->audit_checkpoint(); }), "AccessDenied");
    const auto c = as(Role::Auditor)->audit_checkpoint();
    EXPECT_EQ(column("SELECT actor FROM audit_events WHERE event_id = " + std::to_string(c.event_id)),
              "Auditor@example");
    EXPECT_TRUE(open()->verify_audit({}, {c.document}).is_valid);
}

TEST_F(AuditCheckpointTest, AScopedAuditorSeesTheTruncationToo) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto kept = newest_event();
    const auto old_head = head_now();
    s->set_pin("contoso", "602917");
    const auto c = s->audit_checkpoint();
    s.reset();
    sql("DELETE FROM audit_events WHERE event_id > " + std::to_string(kept));
    put_head_back(old_head);
    const auto v = as(Role::Auditor, {"contoso"})->verify_audit({}, {c.document});
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Truncated");
    EXPECT_EQ(v.failed_checkpoint, 0);
}

TEST_F(AuditCheckpointTest, ABrokenChainGetsNoCheckpointAndNothingIsWritten) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    sql("UPDATE audit_events SET outcome = 'Failure' WHERE event_id = 2");
    const auto before = digest_of(db);
    auto s = open();
    EXPECT_EQ(error_id_of([&] { s->audit_checkpoint(); }), "AuditChainBroken");
    s.reset();
    EXPECT_EQ(digest_of(db), before);
}

TEST_F(AuditCheckpointTest, ADocumentThatIsNoCheckpointIsRefusedAndChangesNothing) {
    auto s = open();
    const auto c = s->audit_checkpoint();
    auto without = [&](const std::string& field) {
        auto d = c.document;
        const auto at = d.find("\"" + field + "\"");
        return d.erase(at, d.find('\n', at) - at + 1);
    };
    auto replaced = [&](const std::string& from, const std::string& to) {
        auto d = c.document;
        return d.replace(d.find(from), from.size(), to);
    };
    const auto before = digest_of(db);
    for (const auto& bad : std::vector<std::string>{
             "",
             "not json",
             "[]",
             "{}",
             c.document + "{}",
             without("signature"),
             without("store_id"),
             replaced("\"format\": \"portout-audit-checkpoint-v1\"", "\"format\": \"portout-audit-checkpoint-v2\""),
             replaced("\"format\"", "\"extra\": \"x\", \"format\""),
             replaced("\"format\"", "\"event_id\": 1, \"format\""),
             replaced("\"event_id\": ", "\"event_id\": -"),
             replaced("\"event_id\": ", "\"event_id\": \"") ,
             replaced(c.taken_at, "2026-02-30T00:00:00.000Z"),
             replaced(c.event_mac, c.event_mac.substr(2)),
             replaced(c.key_id, "ZZ" + c.key_id.substr(2)),
             replaced(c.store_id, "a\\u0062"),
             std::string(70000, ' '),
         }) {
        EXPECT_EQ(error_id_of([&] { s->verify_audit({}, {c.document, bad}); }), "CheckpointMalformed") << bad;
    }
    try {
        s->verify_audit({}, {c.document, "{}"});
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Checkpoint 2 of 2"), std::string::npos) << e.what();
    }
    s.reset();
    EXPECT_EQ(digest_of(db), before);
}

TEST_F(AuditCheckpointTest, CheckpointsSignedBeforeAKeyRotationStillHold) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    const auto before = s->audit_checkpoint();
    const auto new_key = dir.file("new.key");
    s->rotate_key(new_key);
    const auto after = s->audit_checkpoint();
    EXPECT_NE(before.public_key, after.public_key);
    EXPECT_NE(before.key_id, after.key_id);
    s.reset();
    s = open(HashProfile::Test, new_key);
    const auto v = s->verify_audit({}, {before.document, after.document});
    EXPECT_TRUE(v.is_valid) << v.problem;
    EXPECT_EQ(v.checkpoints_checked, 2);
}

}  // namespace
}  // namespace portout
