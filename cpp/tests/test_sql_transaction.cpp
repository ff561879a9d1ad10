// The store contract (StoreTransaction), run on every backend: SQLite, and PostgreSQL when
// scripts/test has started one. What one backend keeps, returns and refuses, the other does too.
#include <portout/errors.hpp>
#include <portout/store.hpp>

#include "store_backends.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::Backend;
using testing_support::BackendStore;
using testing_support::BackendTest;

class StoreContract : public BackendTest {
protected:
    template <class F>
    void write(F f) {
        auto tx = store_->begin(TxMode::Write);
        f(*tx);
        tx->commit();
    }
    template <class F>
    auto read(F f) {
        auto tx = store_->begin(TxMode::Read);
        return f(*tx);
    }

    static TenantRecord tenant(const std::string& id) {
        TenantRecord t;
        t.tenant_id = id;
        t.display_name = "Name of " + id;
        t.country = "US";
        t.created_at = 1000;
        t.modified_at = 2000;
        t.modified_by = "admin";
        return t;
    }
    static OrderRecord order(const std::string& id, const std::string& tenant_id, const std::string& status) {
        OrderRecord o;
        o.order_id = id;
        o.tenant_id = tenant_id;
        o.carrier = "Fabrikam Mobile";
        o.submitted_by = "carrier-1";
        o.status = status;
        o.created_at = 5000;
        o.modified_at = 5000;
        o.modified_by = "carrier-1";
        return o;
    }
    std::int64_t notify(const std::string& tenant_id) {
        NotificationRecord n{0, 7000, "OrderSubmitted", tenant_id, "PO-1", "summary", "{}", ""};
        std::int64_t id = 0;
        write([&](StoreTransaction& tx) { id = tx.insert_notification(n); });
        EXPECT_EQ(id, n.notification_id);
        return id;
    }
    std::vector<std::int64_t> pending(const std::string& consumer, const std::vector<std::string>& tenants) {
        return read([&](StoreTransaction& tx) {
            std::vector<std::int64_t> ids;
            for (const auto& n : tx.unacknowledged(consumer, tenants, "", 100)) ids.push_back(n.notification_id);
            return ids;
        });
    }
    std::vector<std::vector<Field>> rows_of(std::string_view table) {
        const TableSpec* spec = nullptr;
        for (const auto& t : store_tables()) {
            if (t.name == table) spec = &t;
        }
        EXPECT_NE(spec, nullptr) << table;
        std::vector<std::vector<Field>> rows;
        read([&](StoreTransaction& tx) {
            tx.export_rows(*spec, [&](const std::vector<Field>& row) { rows.push_back(row); });
            return 0;
        });
        return rows;
    }
};

// Bytes no text column could hold: a NUL, a byte above 0x7F, a backslash.
const std::string kBytes = std::string("sealed\0record\xff\\x00", 18);

TEST_P(StoreContract, MetaValuesAreBytesKeptExactly) {
    write([](StoreTransaction& tx) {
        tx.set_meta("key", kBytes);
        tx.set_meta("other", "1");
    });
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.meta("key"); }), kBytes);
    write([](StoreTransaction& tx) {
        tx.set_meta("key", "replaced");
        tx.delete_meta("other");
    });
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.meta("key"); }), "replaced");
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.meta("other"); }), std::nullopt);
}

TEST_P(StoreContract, ATenantComesBackAsItWasWritten) {
    TenantRecord t = tenant("contoso.com");
    t.pin_record = kBytes;
    t.pin_key_id = "k1";
    t.pin_set_at = 3000;
    t.pin_changed_at = 3500;
    t.pin_changed_by = "admin2";
    t.failed_attempts = 4;
    t.locked_until = 9000;
    t.lock_level = 2;
    t.last_check_at = 8000;
    t.last_check_result = "WrongPin";
    t.pin_version = 7;
    t.frozen = true;
    write([&](StoreTransaction& tx) { tx.insert_tenant(t); });
    const auto back = read([](StoreTransaction& tx) { return tx.tenant("contoso.com"); });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->display_name, t.display_name);
    EXPECT_EQ(back->pin_record, kBytes);
    EXPECT_EQ(back->pin_key_id, "k1");
    EXPECT_EQ(back->pin_set_at, 3000);
    EXPECT_EQ(back->pin_changed_at, 3500);
    EXPECT_EQ(back->pin_changed_by, "admin2");
    EXPECT_EQ(back->failed_attempts, 4);
    EXPECT_EQ(back->locked_until, 9000);
    EXPECT_EQ(back->lock_level, 2);
    EXPECT_EQ(back->last_check_at, 8000);
    EXPECT_EQ(back->last_check_result, "WrongPin");
    EXPECT_EQ(back->pin_version, 7);
    EXPECT_TRUE(back->frozen);

    // Missing values stay missing.
    write([](StoreTransaction& tx) { tx.insert_tenant(tenant("fabrikam.com")); });
    const auto bare = read([](StoreTransaction& tx) { return tx.tenant("fabrikam.com"); });
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->pin_record);
    EXPECT_FALSE(bare->locked_until);
    EXPECT_FALSE(bare->frozen);
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.tenant("nobody.com"); }));
}

TEST_P(StoreContract, ATakenTenantIdIsRefusedAndTheFirstKept) {
    write([](StoreTransaction& tx) { tx.insert_tenant(tenant("contoso.com")); });
    try {
        write([](StoreTransaction& tx) {
            auto t = tenant("contoso.com");
            t.display_name = "Impostor";
            tx.insert_tenant(t);
        });
        FAIL() << "a second tenant with the same id was stored";
    } catch (const ResourceExistsError& e) {
        EXPECT_EQ(e.error_id(), "TenantExists");
    }
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.tenant("contoso.com"); })->display_name,
              "Name of contoso.com");
}

TEST_P(StoreContract, TenantsPageInByteOrder) {
    write([](StoreTransaction& tx) {
        for (const char* id : {"b.com", "a.com", "C.com", "c.com", "B.com"}) tx.insert_tenant(tenant(id));
    });
    const auto first = read([](StoreTransaction& tx) { return tx.tenants_after("", 3); });
    ASSERT_EQ(first.size(), 3U);
    // Upper case sorts before lower case on both backends.
    EXPECT_EQ(first[0].tenant_id, "B.com");
    EXPECT_EQ(first[1].tenant_id, "C.com");
    EXPECT_EQ(first[2].tenant_id, "a.com");
    const auto rest = read([&](StoreTransaction& tx) { return tx.tenants_after(first.back().tenant_id, 3); });
    ASSERT_EQ(rest.size(), 2U);
    EXPECT_EQ(rest[0].tenant_id, "b.com");
    EXPECT_EQ(rest[1].tenant_id, "c.com");
}

TEST_P(StoreContract, UpdateAndDeleteTouchOnlyTheirTenant) {
    write([](StoreTransaction& tx) {
        tx.insert_tenant(tenant("a.com"));
        tx.insert_tenant(tenant("b.com"));
    });
    write([](StoreTransaction& tx) {
        auto t = *tx.tenant("a.com");
        t.failed_attempts = 3;
        t.pin_version = 2;
        tx.update_tenant(t);
        tx.delete_tenant("b.com");
    });
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.tenant("a.com"); })->failed_attempts, 3);
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.tenant("b.com"); }));
}

TEST_P(StoreContract, PinRecordsNotUnderAKeyAreFoundInPages) {
    write([](StoreTransaction& tx) {
        for (int i = 0; i < 5; ++i) {
            auto t = tenant("t" + std::to_string(i) + ".com");
            if (i != 4) t.pin_record = kBytes;
            t.pin_key_id = i < 2 ? "new" : "old";
            tx.insert_tenant(t);
        }
    });
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.count_pin_records_not_under("new"); }), 2);
    const auto page = read([](StoreTransaction& tx) { return tx.pin_records_not_under("new", "", 1); });
    ASSERT_EQ(page.size(), 1U);
    EXPECT_EQ(page[0].tenant_id, "t2.com");
    const auto next = read([&](StoreTransaction& tx) { return tx.pin_records_not_under("new", "t2.com", 10); });
    ASSERT_EQ(next.size(), 1U);
    EXPECT_EQ(next[0].tenant_id, "t3.com");
}

TEST_P(StoreContract, PoliciesKeepWhatIsSetAndLeaveTheRestMissing) {
    PolicyRecord p;
    p.scope = "contoso.com";
    p.min_length = 8;
    p.block_weak = false;
    p.blocklist = std::vector<std::string>{"12345678", "11112222"};
    p.lockout_ms = 60000;
    p.modified_at = 4000;
    p.modified_by = "admin";
    write([&](StoreTransaction& tx) { tx.put_policy(p); });
    auto back = read([](StoreTransaction& tx) { return tx.policy("contoso.com"); });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->min_length, 8);
    EXPECT_FALSE(back->max_length);
    EXPECT_EQ(back->block_weak, false);
    EXPECT_EQ(back->blocklist, p.blocklist);
    EXPECT_FALSE(back->max_failed_attempts);
    EXPECT_EQ(back->lockout_ms, 60000);
    EXPECT_FALSE(back->max_lockout_ms);

    p.min_length.reset();
    p.max_length = 9;
    write([&](StoreTransaction& tx) { tx.put_policy(p); });
    back = read([](StoreTransaction& tx) { return tx.policy("contoso.com"); });
    EXPECT_FALSE(back->min_length);
    EXPECT_EQ(back->max_length, 9);
    write([](StoreTransaction& tx) { tx.delete_policy("contoso.com"); });
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.policy("contoso.com"); }));
}

TEST_P(StoreContract, ANumberBelongsToOneInventory) {
    write([](StoreTransaction& tx) {
        tx.insert_number({"+14255550100", "a.com", 100, "admin"});
        tx.insert_number({"+14255550102", "b.com", 100, "admin"});
        tx.insert_number({"+14255550101", "a.com", 100, "admin"});
    });
    try {
        write([](StoreTransaction& tx) { tx.insert_number({"+14255550100", "b.com", 200, "admin"}); });
        FAIL() << "a number went into a second inventory";
    } catch (const ResourceExistsError& e) {
        EXPECT_EQ(e.error_id(), "PhoneNumberInUse");
    }
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.number("+14255550100"); })->tenant_id, "a.com");

    const auto of_a = read([](StoreTransaction& tx) { return tx.numbers({"a.com"}, "", 10); });
    ASSERT_EQ(of_a.size(), 2U);
    EXPECT_EQ(of_a[0].number, "+14255550100");
    EXPECT_EQ(of_a[1].number, "+14255550101");
    const auto all_after = read([](StoreTransaction& tx) { return tx.numbers({}, "+14255550100", 1); });
    ASSERT_EQ(all_after.size(), 1U);
    EXPECT_EQ(all_after[0].number, "+14255550101");
    const auto both = read([](StoreTransaction& tx) { return tx.numbers({"a.com", "b.com"}, "", 10); });
    EXPECT_EQ(both.size(), 3U);

    write([](StoreTransaction& tx) { tx.delete_number("+14255550100"); });
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.number("+14255550100"); }));
}

TEST_P(StoreContract, OrdersArriveInOrderAndHoldTheirNumbersWhileOpen) {
    auto first = order("PO-1", "a.com", "Submitted");
    first.requested_foc = 90000;
    auto second = order("PO-2", "b.com", "Rejected");
    second.reason = "PinNotAccepted";
    second.internal_reason = "WrongPin";
    write([&](StoreTransaction& tx) {
        tx.insert_order(first, {{"+14255550100", ""}, {"+14255550101", ""}});
        tx.insert_order(second, {{"+14255550102", "NumberNotOwned"}});
    });
    EXPECT_GT(first.seq, 0);
    EXPECT_GT(second.seq, first.seq);

    auto back = read([](StoreTransaction& tx) { return tx.order("PO-1"); });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seq, first.seq);
    EXPECT_EQ(back->requested_foc, 90000);
    EXPECT_FALSE(back->foc);
    EXPECT_EQ(back->carrier, "Fabrikam Mobile");
    const auto lines = read([](StoreTransaction& tx) { return tx.order_numbers("PO-2"); });
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].problem, "NumberNotOwned");

    // An open order holds its numbers; a rejected one never did.
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.open_order_holding("+14255550101"); }), "PO-1");
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.open_order_holding("+14255550102"); }));

    write([&](StoreTransaction& tx) {
        auto o = *tx.order("PO-1");
        o.status = "Confirmed";
        o.foc = 95000;
        o.modified_by = "admin";
        tx.update_order(o);
    });
    back = read([](StoreTransaction& tx) { return tx.order("PO-1"); });
    EXPECT_EQ(back->status, "Confirmed");
    EXPECT_EQ(back->foc, 95000);
    EXPECT_EQ(back->modified_by, "admin");
    write([](StoreTransaction& tx) { tx.close_order_numbers("PO-1"); });
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.open_order_holding("+14255550101"); }));
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.order("PO-9"); }));
}

TEST_P(StoreContract, OrderQueriesFilterAndPage) {
    write([&](StoreTransaction& tx) {
        for (int i = 0; i < 6; ++i) {
            auto o = order("PO-" + std::to_string(i), i % 2 ? "b.com" : "a.com", i < 3 ? "Submitted" : "Completed");
            if (i == 5) o.carrier = "Other Carrier";
            if (i == 4) o.submitted_by = "carrier-2";
            tx.insert_order(o, {});
        }
    });
    auto ids = [&](const OrderQuery& q) {
        std::vector<std::string> out;
        for (const auto& o : read([&](StoreTransaction& tx) { return tx.orders(q); })) out.push_back(o.order_id);
        return out;
    };
    OrderQuery q;
    EXPECT_EQ(ids(q).size(), 6U);
    q.tenant_ids = {"b.com"};
    EXPECT_EQ(ids(q), (std::vector<std::string>{"PO-1", "PO-3", "PO-5"}));
    q.status = "Completed";
    EXPECT_EQ(ids(q), (std::vector<std::string>{"PO-3", "PO-5"}));
    q.carrier = "Other Carrier";
    EXPECT_EQ(ids(q), (std::vector<std::string>{"PO-5"}));
    OrderQuery by_submitter;
    by_submitter.submitted_by = "carrier-2";
    EXPECT_EQ(ids(by_submitter), (std::vector<std::string>{"PO-4"}));
    OrderQuery one;
    one.order_id = "PO-2";
    EXPECT_EQ(ids(one), (std::vector<std::string>{"PO-2"}));

    OrderQuery page;
    page.limit = 4;
    const auto first = read([&](StoreTransaction& tx) { return tx.orders(page); });
    ASSERT_EQ(first.size(), 4U);
    page.after_seq = first.back().seq;
    EXPECT_EQ(ids(page), (std::vector<std::string>{"PO-4", "PO-5"}));
}

TEST_P(StoreContract, NotificationsWaitForEachConsumerUntilAcknowledged) {
    const auto a1 = notify("a.com");
    const auto b1 = notify("b.com");
    const auto a2 = notify("a.com");
    EXPECT_LT(a1, b1);
    EXPECT_LT(b1, a2);
    EXPECT_EQ(pending("pager", {}), (std::vector<std::int64_t>{a1, b1, a2}));
    EXPECT_EQ(pending("pager", {"a.com"}), (std::vector<std::int64_t>{a1, a2}));

    std::int64_t added = 0;
    write([&](StoreTransaction& tx) { added = tx.acknowledge("pager", {}, "", {a2, 999999}); });
    EXPECT_EQ(added, 1);  // the unknown id is ignored
    EXPECT_EQ(pending("pager", {}), (std::vector<std::int64_t>{a1, b1}));
    EXPECT_EQ(pending("mail", {}), (std::vector<std::int64_t>{a1, b1, a2}));  // each consumer its own
    write([&](StoreTransaction& tx) { added = tx.acknowledge("pager", {}, "", {a2}); });
    EXPECT_EQ(added, 0);  // once is enough

    // Acknowledging everything moves the mark and forgets the single acknowledgements.
    write([&](StoreTransaction& tx) { added = tx.acknowledge("pager", {}, "", {a1, b1}); });
    EXPECT_EQ(added, 2);
    EXPECT_TRUE(pending("pager", {}).empty());
    EXPECT_TRUE(rows_of("notification_acks").empty());
    const auto consumers = rows_of("notification_consumers");
    ASSERT_EQ(consumers.size(), 1U);
    EXPECT_EQ(consumers[0][1].value, std::to_string(a2));
}

TEST_P(StoreContract, AScopedAcknowledgementLeavesOtherTenantsAlone) {
    const auto a1 = notify("a.com");
    const auto b1 = notify("b.com");
    const auto a2 = notify("a.com");
    std::int64_t added = 0;
    write([&](StoreTransaction& tx) { added = tx.acknowledge("pager", {"a.com"}, "", {a1, b1, a2}); });
    EXPECT_EQ(added, 2);  // b1 is not in the scope: not acknowledged
    EXPECT_TRUE(pending("pager", {"a.com"}).empty());
    EXPECT_EQ(pending("pager-b", {"b.com"}), (std::vector<std::int64_t>{b1}));
    // A consumer is used with one scope (the service names a scoped session's consumer after
    // its scope): its mark moves over notifications that scope never shows, so b1 is no gap
    // and nothing is left to remember one by one.
    EXPECT_TRUE(rows_of("notification_acks").empty());
    const auto consumers = rows_of("notification_consumers");
    ASSERT_EQ(consumers.size(), 1U);
    EXPECT_EQ(consumers[0][1].value, std::to_string(a2));
}

TEST_P(StoreContract, ARemovedTenantTakesItsNumbersAndOrdersAlong) {
    write([](StoreTransaction& tx) {
        tx.insert_number({"+14255550100", "a.com", 100, "admin"});
        tx.insert_number({"+14255550101", "a.com", 100, "admin"});
        tx.insert_number({"+14255550102", "b.com", 100, "admin"});
        auto o = order("PO-1", "a.com", "Completed");
        tx.insert_order(o, {{"+14255550100", ""}});
        auto other = order("PO-2", "b.com", "Submitted");
        tx.insert_order(other, {{"+14255550102", ""}});
    });
    notify("a.com");
    notify("b.com");
    TenantLeftovers left;
    write([&](StoreTransaction& tx) { left = tx.remove_tenant_data("a.com"); });
    EXPECT_EQ(left.numbers, 2);
    EXPECT_EQ(left.orders, 1);
    EXPECT_EQ(left.notifications, 1);
    EXPECT_TRUE(read([](StoreTransaction& tx) { return tx.numbers({"a.com"}, "", 10); }).empty());
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.order("PO-1"); }));
    EXPECT_TRUE(read([](StoreTransaction& tx) { return tx.order_numbers("PO-1"); }).empty());
    EXPECT_TRUE(pending("pager", {"a.com"}).empty());
    EXPECT_EQ(pending("pager", {""}).size(), 1U);  // store-wide now
    // The other tenant keeps everything.
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.numbers({"b.com"}, "", 10); }).size(), 1U);
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.open_order_holding("+14255550102"); }), "PO-2");
}

AuditRecord event(std::int64_t id, Millis at, const std::string& type, const std::string& tenant_id) {
    AuditRecord e;
    e.event_id = id;
    e.occurred_at = at;
    e.event_type = type;
    e.tenant_id = tenant_id;
    e.actor = "admin";
    e.outcome = "Success";
    e.details = "{}";
    e.prev_mac = kBytes;
    e.mac = std::string(32, '\0');
    return e;
}

// The newest event of each tenant asked for, in one statement, with its neighbours' links and
// the chain's newest event; a tenant without any event is left out.
TEST_P(StoreContract, StateMarksAreEachTenantsNewestEventWithItsNeighboursLinks) {
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.has_state_marks(); }));
    write([](StoreTransaction& tx) {
        auto e1 = event(1, 100, "TenantCreated", "a.com");
        e1.mac = std::string(32, '\x01');
        e1.state_mac = std::string(32, '\xA1');
        tx.insert_audit_event(e1);
        auto e2 = event(2, 200, "PinSet", "a.com");
        e2.prev_mac = e1.mac;
        e2.mac = std::string(32, '\x02');
        e2.state_mac = std::string(32, '\xA2');
        tx.insert_audit_event(e2);
        auto e3 = event(3, 300, "PinCheckAttempt", "b.com");
        e3.prev_mac = e2.mac;
        e3.mac = std::string(32, '\x03');
        tx.insert_audit_event(e3);
        auto e4 = event(4, 400, "StoreCreated", "");
        e4.prev_mac = e3.mac;
        e4.mac = std::string(32, '\x04');
        e4.state_mac = std::string(32, '\xB4');
        tx.insert_audit_event(e4);
    });
    EXPECT_TRUE(read([](StoreTransaction& tx) { return tx.has_state_marks(); }));
    const auto marks = read([](StoreTransaction& tx) { return tx.state_marks({"a.com", "", "nobody.com"}); });
    ASSERT_EQ(marks.size(), 2U);
    const auto& a = marks[0].event.tenant_id == "a.com" ? marks[0] : marks[1];
    const auto& d = marks[0].event.tenant_id == "a.com" ? marks[1] : marks[0];
    EXPECT_EQ(a.event.event_id, 2);
    EXPECT_EQ(a.event.state_mac, std::string(32, '\xA2'));
    EXPECT_EQ(a.mac_before, std::string(32, '\x01'));
    EXPECT_EQ(a.prev_of_next, std::string(32, '\x02')) << "the next event's link";
    EXPECT_EQ(d.event.event_id, 4);
    EXPECT_EQ(d.prev_of_next, std::nullopt) << "the newest event has no successor";
    EXPECT_EQ(d.newest_event_id, 4);
    EXPECT_EQ(a.newest_event_id, 4);
    EXPECT_TRUE(read([](StoreTransaction& tx) { return tx.state_marks({}); }).empty());
    // The event reads back with its state MAC; others with none.
    const auto all = read([](StoreTransaction& tx) { return tx.audit_events({}); });
    ASSERT_EQ(all.size(), 4U);
    EXPECT_EQ(all[0].state_mac, std::string(32, '\xA1'));
    EXPECT_TRUE(all[2].state_mac.empty());
}

TEST_P(StoreContract, TheAuditLogKeepsItsOrderAndRefusesAReusedNumber) {
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.last_audit_event(); }));
    write([](StoreTransaction& tx) {
        tx.insert_audit_event(event(1, 100, "TenantCreated", "a.com"));
        tx.insert_audit_event(event(2, 200, "PinSet", "a.com"));
        tx.insert_audit_event(event(3, 300, "TenantCreated", "b.com"));
        tx.insert_audit_event(event(4, 400, "PinChecked", "a.com"));
    });
    const auto last = read([](StoreTransaction& tx) { return tx.last_audit_event(); });
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event_id, 4);
    EXPECT_EQ(last->prev_mac, kBytes);
    EXPECT_EQ(last->mac, std::string(32, '\0'));
    try {
        write([](StoreTransaction& tx) { tx.insert_audit_event(event(4, 500, "PinSet", "b.com")); });
        FAIL() << "an audit number was used twice";
    } catch (const InvalidDataError& e) {
        EXPECT_EQ(e.error_id(), "AuditSequenceConflict");
    }

    auto ids = [&](const AuditQuery& q) {
        std::vector<std::int64_t> out;
        for (const auto& e : read([&](StoreTransaction& tx) { return tx.audit_events(q); })) out.push_back(e.event_id);
        return out;
    };
    AuditQuery q;
    EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 2, 3, 4}));
    q.tenant_ids = {"a.com"};
    EXPECT_EQ(ids(q), (std::vector<std::int64_t>{1, 2, 4}));
    q.since = 200;
    q.until = 400;
    EXPECT_EQ(ids(q), (std::vector<std::int64_t>{2}));
    AuditQuery types;
    types.event_types = {"TenantCreated", "PinChecked"};
    types.after_event_id = 1;
    types.limit = 2;
    EXPECT_EQ(ids(types), (std::vector<std::int64_t>{3, 4}));
}

TEST_P(StoreContract, NothingIsKeptOrSeenBeforeCommit) {
    {
        auto tx = store_->begin(TxMode::Write);
        tx->insert_tenant(tenant("a.com"));
        tx->set_meta("k", "v");
        // Not committed: rolled back when it ends.
    }
    EXPECT_FALSE(read([](StoreTransaction& tx) { return tx.tenant("a.com"); }));
    auto writer = store_->begin(TxMode::Write);
    writer->insert_tenant(tenant("b.com"));
    {
        auto reader = store_->begin(TxMode::ReadOneStatement);
        EXPECT_FALSE(reader->tenant("b.com"));
    }
    writer->commit();
    auto reader = store_->begin(TxMode::ReadOneStatement);
    EXPECT_TRUE(reader->tenant("b.com"));
}

TEST_P(StoreContract, AnUnsyncedWriteIsKeptLikeAnyOther) {
    {
        auto tx = store_->begin(TxMode::WriteUnsynced);
        tx->set_meta("k", "v");
        tx->commit();
    }
    EXPECT_EQ(read([](StoreTransaction& tx) { return tx.meta("k"); }), "v");
}

TEST_P(StoreContract, EveryTableMovesRowByRowAndNewIdsFollowTheImportedOnes) {
    write([](StoreTransaction& tx) {
        auto t = tenant("a.com");
        t.pin_record = kBytes;
        tx.insert_tenant(t);
        tx.set_meta("audit_key", kBytes);
        tx.insert_number({"+14255550100", "a.com", 100, "admin"});
        auto o = order("PO-1", "a.com", "Submitted");
        tx.insert_order(o, {{"+14255550100", ""}});
        tx.insert_audit_event(event(1, 100, "TenantCreated", "a.com"));
        PolicyRecord p;
        p.modified_by = "admin";
        p.blocklist = std::vector<std::string>{};
        tx.put_policy(p);
    });
    notify("a.com");
    std::map<std::string, std::vector<std::vector<Field>>> before;
    for (const auto& table : store_tables()) before[std::string(table.name)] = rows_of(table.name);

    BackendStore other_place(GetParam());
    auto other = other_place.open();
    {
        auto tx = other->begin(TxMode::Write);
        for (const auto& table : store_tables()) {
            for (const auto& row : before[std::string(table.name)]) tx->import_row(table, row);
        }
        tx->after_import();
        tx->commit();
    }
    store_ = std::move(other);
    for (const auto& table : store_tables()) {
        const auto after = rows_of(table.name);
        const auto& want = before[std::string(table.name)];
        ASSERT_EQ(after.size(), want.size()) << table.name;
        for (std::size_t r = 0; r < after.size(); ++r) {
            for (std::size_t c = 0; c < after[r].size(); ++c) {
                EXPECT_EQ(after[r][c].kind, want[r][c].kind) << table.name << " column " << c;
                EXPECT_EQ(after[r][c].value, want[r][c].value) << table.name << " column " << c;
            }
        }
    }
    auto next = order("PO-2", "a.com", "Submitted");
    write([&](StoreTransaction& tx) { tx.insert_order(next, {}); });
    EXPECT_GT(next.seq, read([](StoreTransaction& tx) { return tx.order("PO-1"); })->seq);
    EXPECT_GT(notify("a.com"), 1);
    store_.reset();  // before other_place removes it
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, testing::Values(Backend::Sqlite, Backend::Postgres),
                         testing_support::backend_name);

}  // namespace
}  // namespace portout
