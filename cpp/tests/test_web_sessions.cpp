// The admin center's sessions (issue 19): a sign-in in two steps when the account has TOTP, a
// session token kept as a keyed hash, ended by signing out, by idleness, by its lifetime and
// by its account's removal; a row edited in the database signs in no one.
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service/totp.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace portout {
namespace {

using testing_support::base32_decode;
using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;

const std::string kPassword = "violet kettle harbour lantern";
constexpr Millis kIdle = 15 * kMinute;

class WebSessionsTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso Ltd.", "US");
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        server = open(HashProfile::Test, "", "portout serve");
    }
    IssuedAccount account(const std::string& name, bool totp = false, std::vector<std::string> scope = {"contoso"}) {
        AccountRequest r;
        r.user_name = name;
        r.role = "TelephonyAdmin";
        r.tenant_scope = std::move(scope);
        r.totp = totp;
        return admin->create_account(r, kPassword);
    }
    std::string token_of(const IssuedWebSession& s) { return std::string(s.token.view()); }
    std::size_t count(const std::string& type) {
        AuditQuery q;
        q.event_types = {type};
        return admin->audit_events(q).size();
    }

    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> server;
};

TEST_F(WebSessionsTest, ASignedInSessionActsAsItsAccountUntilSignedOut) {
    account("maria");
    const auto s = server->start_web_session("maria", kPassword, "192.0.2.7");
    EXPECT_FALSE(s.totp_required);
    const auto token = token_of(s);
    EXPECT_EQ(token.substr(0, 4), "pws_");
    EXPECT_EQ(token.size(), 4u + 16 + 1 + 43);
    // The store keeps no token: only a keyed hash of its secret.
    EXPECT_EQ(column("SELECT COUNT(*) FROM web_sessions WHERE instr(secret_hash, '" + token.substr(21) + "') > 0"),
              "0");

    auto as_maria = server->resume_web_session(token, "192.0.2.7", kIdle);
    EXPECT_EQ(as_maria->actor(), "maria");
    EXPECT_EQ(as_maria->role(), Role::TelephonyAdmin);
    as_maria->set_pin("contoso", "204815");
    EXPECT_EQ(error_id_of([&] { as_maria->set_pin("fabrikam", "204815"); }), "AccessDenied");
    EXPECT_EQ(count("SignedIn"), 1u);

    server->end_web_session(token, "192.0.2.7");
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(token, "192.0.2.7", kIdle); }), "SessionEnded");
    EXPECT_EQ(count("SignedOut"), 1u);
    EXPECT_NO_THROW(server->end_web_session(token, "192.0.2.7"));  // twice: nothing more
    EXPECT_EQ(count("SignedOut"), 1u);
}

TEST_F(WebSessionsTest, AWrongPasswordStartsNoSessionAndIsCounted) {
    account("maria");
    EXPECT_EQ(error_id_of([&] { server->start_web_session("maria", "not the password at all", "192.0.2.9"); }),
              "AuthenticationFailed");
    EXPECT_EQ(error_id_of([&] { server->start_web_session("nobody", kPassword, "192.0.2.9"); }),
              "AuthenticationFailed");
    EXPECT_EQ(column("SELECT COUNT(*) FROM web_sessions"), "0");
    EXPECT_EQ(column("SELECT failures FROM auth_throttle WHERE subject = 'address:192.0.2.9'"), "2");
    for (int i = 2; i < kAuthFailureLimit; ++i) {
        EXPECT_THROW(server->start_web_session("maria", "not the password at all", "192.0.2.9"), Error);
    }
    EXPECT_EQ(error_id_of([&] { server->start_web_session("maria", kPassword, "192.0.2.9"); }),
              "AuthenticationThrottled");
}

TEST_F(WebSessionsTest, TotpIsASecondStepAndTheCodeIsGoodOnce) {
    const auto a = account("nadia", true);
    const auto s = server->start_web_session("nadia", kPassword, "192.0.2.7");
    ASSERT_TRUE(s.totp_required);
    const auto token = token_of(s);
    EXPECT_EQ(count("SignInStarted"), 1u);
    // Until the code is given the session opens nothing.
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(token, "192.0.2.7", kIdle); }), "TotpCodeRequired");
    EXPECT_EQ(error_id_of([&] { server->complete_web_session(token, "000000", "192.0.2.7"); }),
              "AuthenticationFailed");
    const auto code = hotp(base32_decode(a.totp_secret.view()), clock->now_ms() / kTotpStepMs);
    EXPECT_EQ(server->complete_web_session(token, code, "192.0.2.7").name, "nadia");
    EXPECT_EQ(server->resume_web_session(token, "192.0.2.7", kIdle)->actor(), "nadia");
    EXPECT_EQ(error_id_of([&] { server->complete_web_session(token, code, "192.0.2.7"); }), "SignInComplete");

    // The same code in a second sign-in: refused, it was used.
    const auto again = token_of(server->start_web_session("nadia", kPassword, "192.0.2.7"));
    EXPECT_EQ(error_id_of([&] { server->complete_web_session(again, code, "192.0.2.7"); }), "AuthenticationFailed");

    // The code's step times out with the session after five minutes.
    clock->advance_ms(kWebSessionTotpMs + 1);
    const auto later = hotp(base32_decode(a.totp_secret.view()), clock->now_ms() / kTotpStepMs);
    EXPECT_EQ(error_id_of([&] { server->complete_web_session(again, later, "192.0.2.7"); }), "SessionEnded");
}

TEST_F(WebSessionsTest, IdlenessLifetimeAndTheAccountsRemovalEndASession) {
    account("maria");
    const auto idle = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    clock->advance_ms(kIdle - 1);
    EXPECT_NO_THROW(server->resume_web_session(idle, "192.0.2.7", kIdle));  // use keeps it alive
    clock->advance_ms(kIdle - 1);
    EXPECT_NO_THROW(server->resume_web_session(idle, "192.0.2.7", kIdle));
    clock->advance_ms(kIdle);
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(idle, "192.0.2.7", kIdle); }), "SessionEnded");
    EXPECT_EQ(column("SELECT COUNT(*) FROM web_sessions"), "0");

    // A short timeout: a session used more often than it is stays alive.
    const auto brisk = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    for (int i = 0; i < 20; ++i) {
        clock->advance_ms(1000);
        ASSERT_NO_THROW(server->resume_web_session(brisk, "192.0.2.7", 3000));
    }
    clock->advance_ms(3000);
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(brisk, "192.0.2.7", 3000); }), "SessionEnded");

    const auto busy = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    for (Millis t = 0; t < kWebSessionLifetimeMs; t += 10 * kMinute) {
        clock->advance_ms(10 * kMinute);
        if (t + 10 * kMinute < kWebSessionLifetimeMs) {
            ASSERT_NO_THROW(server->resume_web_session(busy, "x", kIdle));
        }
    }
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(busy, "x", kIdle); }), "SessionEnded");

    const auto removed = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    admin->remove_principal("Account", "maria");
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(removed, "192.0.2.7", kIdle); }), "SessionEnded");
}

TEST_F(WebSessionsTest, ARowEditedWithoutTheKeySignsInNoOne) {
    account("maria");
    account("boss", false, {});
    // maria's session moved to the account of an admin of every tenant.
    const auto moved = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    sql("UPDATE web_sessions SET principal_id = (SELECT principal_id FROM principals WHERE name = 'boss')");
    EXPECT_THROW(server->resume_web_session(moved, "192.0.2.7", kIdle), Error);
    sql("DELETE FROM web_sessions");

    // A session whose TOTP step was skipped by SQL.
    account("nadia", true);
    const auto skipped = token_of(server->start_web_session("nadia", kPassword, "192.0.2.7"));
    sql("UPDATE web_sessions SET state = 'Active'");
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(skipped, "192.0.2.7", kIdle); }), "SessionEnded");
    EXPECT_EQ(column("SELECT COUNT(*) FROM web_sessions"), "0");

    // A right id with a wrong secret: refused and counted.
    const auto real = token_of(server->start_web_session("maria", kPassword, "192.0.2.8"));
    std::string forged = real;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(forged, "192.0.2.8", kIdle); }), "AuthenticationFailed");
    EXPECT_NO_THROW(server->end_web_session(forged, "192.0.2.8"));  // ends nothing
    EXPECT_NO_THROW(server->resume_web_session(real, "192.0.2.8", kIdle));
    for (const auto* bad : {"", "pws_", "pot_0123456789abcdef_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}) {
        EXPECT_EQ(error_id_of([&] { server->resume_web_session(bad, "192.0.2.8", kIdle); }), "SessionEnded");
    }
}

TEST_F(WebSessionsTest, OnlyTheKeyFilesSessionKeepsSessions) {
    account("maria");
    const auto token = token_of(server->start_web_session("maria", kPassword, "192.0.2.7"));
    auto as_maria = server->resume_web_session(token, "192.0.2.7", kIdle);
    EXPECT_EQ(error_id_of([&] { as_maria->start_web_session("maria", kPassword, "192.0.2.7"); }),
              "AlreadyAuthenticated");
    EXPECT_EQ(error_id_of([&] { as_maria->resume_web_session(token, "192.0.2.7", kIdle); }), "AlreadyAuthenticated");
    EXPECT_EQ(error_id_of([&] { server->resume_web_session(token, "192.0.2.7", 0); }), "InvalidIdleTimeout");
}

}  // namespace
}  // namespace portout
