// Who signs in to the store's server (issue 18): API credentials made by a StoreAdmin, their
// tokens authenticated by the core, the session a token opens is the principal's (role, actor,
// scope, carrier: none of them the request's), failures audited and throttled, a record changed
// in the database without the key refused; and a carrier's Idempotency-Key.
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;

const std::string kPin = "602917";
const std::string N1 = "+14255550100", N2 = "+14255550101";

class PrincipalsTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso Ltd.", "US");
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        admin->set_pin("contoso", kPin);
        admin->add_number("contoso", N1);
        admin->add_number("contoso", N2);
        // The server's own session: opened with the key file, it authenticates the others.
        server = open();
    }
    std::string carrier_token(const std::string& name = "lumen-prod", const std::string& carrier = "Lumen",
                              const std::string& spid = "6529") {
        CredentialRequest r;
        r.name = name;
        r.role = "Carrier";
        r.carrier_name = carrier;
        r.carrier_spid = spid;
        return std::string(admin->create_credential(r).token.view());
    }
    PortOutRequest request(const std::string& carrier_in_body = "Lumen") const {
        PortOutRequest r;
        r.tenant_id = "contoso";
        r.numbers = {N1};
        r.carrier_name = carrier_in_body;
        return r;
    }
    std::vector<AuditEvent> events(const std::string& type) {
        AuditQuery q;
        q.event_types = {type};
        return admin->audit_events(q);
    }

    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> server;
};

TEST_F(PrincipalsTest, ATokenOpensASessionAsItsPrincipalAndNothingElse) {
    const auto token = carrier_token();
    EXPECT_EQ(token.substr(0, 4), "pot_");
    auto lumen = server->authenticate(token, "192.0.2.7");
    EXPECT_EQ(lumen->role(), Role::Carrier);
    EXPECT_EQ(lumen->actor(), "Lumen");  // the carrier: its orders are its own across its credentials
    ASSERT_TRUE(lumen->principal());
    EXPECT_EQ(lumen->principal()->name, "lumen-prod");
    EXPECT_EQ(lumen->profile(), HashProfile::Test);
    // The carrier on the order is the credential's, whatever the body says.
    const auto o = lumen->submit_order(request("T-Mobile"), kPin);
    EXPECT_EQ(o.gaining_carrier, "Lumen");
    EXPECT_EQ(o.carrier_spid, "6529");
    EXPECT_EQ(o.submitted_by, "Lumen");
    EXPECT_EQ(o.status, "PendingReview");
    // What a Carrier may not do, it may not do.
    EXPECT_EQ(error_id_of([&] { lumen->set_pin("contoso", "918273"); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { lumen->authenticate(token, "192.0.2.7"); }), "AlreadyAuthenticated");
    // The audit log names the credential that acted.
    const auto requested = events("PortOutRequested");
    ASSERT_EQ(requested.size(), 1u);
    EXPECT_EQ(requested[0].actor, "Lumen");
    EXPECT_NE(requested[0].details.find("via=credential:lumen-prod"), std::string::npos);
    // The store keeps no token: only its keyed hash.
    lumen.reset();
    server.reset();
    admin.reset();
    std::string bytes;
    for (const auto& file : {db, db + "-wal"}) {
        std::ifstream in(file, std::ios::binary);
        bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(token.substr(token.size() - 43)), std::string::npos);
}

TEST_F(PrincipalsTest, AScopedAdminCredentialActsOnlyWithinItsScope) {
    CredentialRequest r;
    r.name = "contoso-automation";
    r.role = "TelephonyAdmin";
    r.tenant_scope = {"Contoso"};
    const auto issued = admin->create_credential(r);
    EXPECT_EQ(issued.principal.tenant_scope, std::vector<std::string>{"contoso"});
    const auto s = server->authenticate(issued.token.view(), "198.51.100.1");
    EXPECT_EQ(s->role(), Role::TelephonyAdmin);
    EXPECT_EQ(s->actor(), "contoso-automation");
    EXPECT_EQ(s->tenant_scope(), std::vector<std::string>{"contoso"});
    EXPECT_TRUE(s->set_pin("contoso", "918273").pin_is_set);
    EXPECT_EQ(error_id_of([&] { s->set_pin("fabrikam", "918273"); }), "AccessDenied");
}

TEST_F(PrincipalsTest, CredentialsAreMadeListedAndRemovedByAStoreAdminOnly) {
    const auto token = carrier_token();
    const auto listed = admin->list_principals("Credential");
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].carrier_spid, "6529");
    // A carrier has one SPID, and an SPID one carrier.
    CredentialRequest r;
    r.name = "lumen-2";
    r.role = "Carrier";
    r.carrier_name = "Lumen";
    r.carrier_spid = "1234";
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "CarrierIdentityMismatch");
    r.carrier_spid = "6529";
    EXPECT_NO_THROW(admin->create_credential(r));
    r.name = "lumen-prod";
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "PrincipalExists");
    r.name = "bad name";
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "InvalidPrincipalName");
    r.name = "x";
    r.role = "Carrier";
    r.carrier_name.clear();
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "CarrierRequired");
    r.role = "Auditor";
    r.carrier_spid.clear();
    r.expires_at = clock->now_ms() - 1;
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "ExpiryInPast");
    r.role = "Root";
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "InvalidRole");
    r.role = "Auditor";
    r.expires_at.reset();
    r.carrier_name = "Lumen";
    EXPECT_EQ(error_id_of([&] { admin->create_credential(r); }), "CarrierNotAllowed");
    EXPECT_EQ(admin->list_principals("Credential").size(), 2u);  // nothing more was made

    const auto desk = as(Role::TelephonyAdmin);
    EXPECT_EQ(error_id_of([&] { desk->list_principals("Credential"); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { desk->remove_principal("Credential", "lumen-prod"); }), "AccessDenied");

    admin->remove_principal("Credential", "lumen-prod");
    EXPECT_EQ(error_id_of([&] { server->authenticate(token, "192.0.2.7"); }), "AuthenticationFailed");
    EXPECT_EQ(error_id_of([&] { admin->remove_principal("Credential", "lumen-prod"); }), "CredentialNotFound");
    EXPECT_EQ(events("CredentialCreated").size(), 2u);
    EXPECT_EQ(events("CredentialRemoved").size(), 1u);
}

TEST_F(PrincipalsTest, EveryWrongTokenIsTheSameFailureAuditedWithItsReason) {
    const auto token = carrier_token();
    std::string wrong = token;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    std::string unknown = token;
    unknown[4] = unknown[4] == 'a' ? 'b' : 'a';
    for (const auto& t : {std::string("Bearer nonsense"), std::string(), wrong, unknown}) {
        EXPECT_EQ(error_id_of([&] { server->authenticate(t, "203.0.113.9"); }), "AuthenticationFailed");
    }
    const auto failed = events("AuthenticationFailed");
    ASSERT_EQ(failed.size(), 4u);
    EXPECT_EQ(failed[0].reason, "MalformedToken");
    EXPECT_EQ(failed[1].reason, "MalformedToken");
    EXPECT_EQ(failed[2].reason, "WrongToken");
    EXPECT_NE(failed[2].details.find("name=lumen-prod"), std::string::npos);
    EXPECT_EQ(failed[3].reason, "UnknownCredential");
    for (const auto& e : failed) {
        EXPECT_NE(e.details.find("address=203.0.113.9"), std::string::npos);
        EXPECT_EQ(e.details.find(token.substr(22)), std::string::npos);  // no secret in the log
    }
    // The right token still works from another address.
    EXPECT_NO_THROW(server->authenticate(token, "192.0.2.7"));
    // An address that is no address is refused before anything is read, counted or audited.
    for (const auto* address : {"192.0.2.7 evil", "10.0.0.1\n", "\xff"}) {
        EXPECT_EQ(error_id_of([&] { server->authenticate(wrong, address); }), "InvalidClientAddress");
    }
    EXPECT_EQ(error_id_of([&] { server->authenticate(wrong, std::string(65, '1')); }), "InvalidClientAddress");
    EXPECT_EQ(events("AuthenticationFailed").size(), 4u);
}

TEST_F(PrincipalsTest, FailuresAreThrottledPerAddressAndPerPrincipalUntilTheBlockEnds) {
    const auto token = carrier_token();
    std::string wrong = token;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    for (int i = 0; i < kAuthFailureLimit; ++i) {
        EXPECT_EQ(error_id_of([&] { server->authenticate("pot_garbage", "203.0.113.9"); }), "AuthenticationFailed");
    }
    // The address is blocked, for a right token too; others are not.
    try {
        server->authenticate(token, "203.0.113.9");
        FAIL() << "not throttled";
    } catch (const ThrottledError& e) {
        EXPECT_EQ(std::string(e.error_id()), "AuthenticationThrottled");
        EXPECT_EQ(e.retry_after_ms(), kAuthBlockMs);
    }
    EXPECT_NO_THROW(server->authenticate(token, "192.0.2.7"));
    // A blocked attempt is refused without being counted or audited.
    EXPECT_EQ(events("AuthenticationFailed").size(), static_cast<std::size_t>(kAuthFailureLimit));

    // The principal a wrong secret names is blocked from every address.
    for (int i = 0; i < kAuthFailureLimit; ++i) {
        const auto address = "198.51.100." + std::to_string(i);
        EXPECT_EQ(error_id_of([&] { server->authenticate(wrong, address); }), "AuthenticationFailed");
    }
    EXPECT_EQ(error_id_of([&] { server->authenticate(token, "192.0.2.200"); }), "AuthenticationThrottled");

    // When the block ends, the right token works again.
    clock->advance_ms(kAuthBlockMs);
    EXPECT_NO_THROW(server->authenticate(token, "192.0.2.200"));
    EXPECT_NO_THROW(server->authenticate(token, "203.0.113.9"));
}

TEST_F(PrincipalsTest, AnExpiredCredentialIsRefused) {
    CredentialRequest r;
    r.name = "audit-feed";
    r.role = "Auditor";
    r.expires_at = clock->now_ms() + 60 * kMinute;
    const auto issued = admin->create_credential(r);
    const std::string token(issued.token.view());
    EXPECT_NO_THROW(server->authenticate(token, "192.0.2.7"));
    clock->advance_ms(60 * kMinute);
    EXPECT_EQ(error_id_of([&] { server->authenticate(token, "192.0.2.7"); }), "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "CredentialExpired");
}

TEST_F(PrincipalsTest, ARecordWidenedInTheDatabaseWithoutTheKeyAuthenticatesNoOne) {
    const auto token = carrier_token();
    // A database writer makes the carrier's credential a StoreAdmin; another widens an expiry.
    sql("UPDATE principals SET role = 'StoreAdmin', carrier_name = '', carrier_spid = ''");
    EXPECT_EQ(error_id_of([&] { server->authenticate(token, "192.0.2.7"); }), "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "PrincipalNotAuthentic");
    sql("UPDATE principals SET role = 'Carrier', carrier_name = 'Lumen', carrier_spid = '6529'");
    EXPECT_NO_THROW(server->authenticate(token, "192.0.2.7"));
    // A row of the writer's own: without the key it cannot make the hash of any token.
    sql("INSERT INTO principals SELECT 'ffffffffffffffff', kind, 'forged', 'StoreAdmin', '', '', '', secret_hash, "
        "totp_secret, expires_at, created_at, created_by, last_used_at, mac, totp_last_step FROM principals");
    const std::string forged = "pot_ffffffffffffffff_" + token.substr(token.size() - 43);
    EXPECT_EQ(error_id_of([&] { server->authenticate(forged, "192.0.2.7"); }), "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "WrongToken");
}

TEST_F(PrincipalsTest, ARetriedRequestWithItsIdempotencyKeyGetsTheFirstOrderBack) {
    const auto lumen = server->authenticate(carrier_token(), "192.0.2.7");
    auto r = request();
    r.idempotency_key = "3f1c9a0e-retry-1";
    const auto first = lumen->submit_order(r, kPin);
    const auto hashes = argon2_computations();
    const auto again = lumen->submit_order(r, kPin);
    EXPECT_EQ(again.order_id, first.order_id);
    EXPECT_EQ(again.idempotency_key, "3f1c9a0e-retry-1");
    EXPECT_EQ(argon2_computations(), hashes);  // the PIN is not checked again
    EXPECT_EQ(lumen->list_orders({}).size(), 1u);
    // The same key with another request is refused, and nothing is made.
    r.numbers = {N2};
    EXPECT_EQ(error_id_of([&] { lumen->submit_order(r, kPin); }), "IdempotencyKeyReused");
    // Keys are each carrier's own.
    const auto other = server->authenticate(carrier_token("zayo", "Zayo", "7788"), "192.0.2.8");
    r.numbers = {N1};
    EXPECT_EQ(other->submit_order(r, kPin).reason, "NumberInOpenOrder");
    r.idempotency_key = "has space";
    EXPECT_EQ(error_id_of([&] { lumen->submit_order(r, kPin); }), "InvalidIdempotencyKey");
    EXPECT_EQ(admin->list_orders({}).size(), 2u);
}

}  // namespace
}  // namespace portout
