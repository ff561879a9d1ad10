// Accounts for people (issue 18): a password under NIST SP 800-63B's rules, kept as Argon2id of
// a keyed hash of it, and an optional TOTP code (RFC 6238), checked in the core; every failure
// the same AuthenticationFailed, audited with its reason and throttled, a code good once.
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>

#include "service/password_rules.hpp"
#include "service/totp.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <portout/crypto.hpp>

#include <cctype>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::base32_decode;
using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;

const std::string kPassword = "violet kettle harbour lantern";

std::vector<std::string> rules(std::string_view password, std::string_view user = "maria", bool totp = false) {
    std::vector<std::string> out;
    for (const auto& v : password_violations(password, user, totp)) out.push_back(v.rule);
    return out;
}

class AccountsTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso Ltd.", "US");
        server = open();
    }
    IssuedAccount account(const std::string& name = "maria", bool totp = false, std::vector<std::string> scope = {}) {
        AccountRequest r;
        r.user_name = name;
        r.role = "TelephonyAdmin";
        r.tenant_scope = std::move(scope);
        r.totp = totp;
        return admin->create_account(r, kPassword);
    }
    std::vector<AuditEvent> events(const std::string& type) {
        AuditQuery q;
        q.event_types = {type};
        return admin->audit_events(q);
    }
    std::string code(const IssuedAccount& a, Millis at) {
        return hotp(base32_decode(a.totp_secret.view()), at / kTotpStepMs);
    }

    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> server;
};

TEST(Totp, MatchesTheTestVectorsOfRfc6238) {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890": the 8-digit codes' last 6 digits.
    const std::string secret = "12345678901234567890";
    EXPECT_EQ(hotp(secret, 59 / 30), "287082");
    EXPECT_EQ(hotp(secret, 1111111109 / 30), "081804");
    EXPECT_EQ(hotp(secret, 1234567890 / 30), "005924");
    EXPECT_EQ(hotp(secret, 20000000000 / 30), "353130");
    EXPECT_EQ(base32("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    EXPECT_EQ(verify_totp(secret, "287082", 59 * 1000, std::nullopt), 1);
    EXPECT_EQ(verify_totp(secret, "287082", 59 * 1000, 1), std::nullopt);  // good once
    EXPECT_EQ(verify_totp(secret, "287082", 200 * 1000, std::nullopt), std::nullopt);  // too old
    EXPECT_EQ(verify_totp(secret, "28708", 59 * 1000, std::nullopt), std::nullopt);
}

TEST(PasswordRules, AreLengthAndGuessabilityNotComposition) {
    EXPECT_TRUE(rules(kPassword).empty());
    EXPECT_TRUE(rules("ünïcödé ünd späces wörk").empty());
    EXPECT_TRUE(rules("short pass", "maria", true).empty());  // 8 with a second factor
    EXPECT_TRUE(rules("¡¿ —…— ¡¿ —…— ¡¿ —…—").empty());  // marks alone are text too
    EXPECT_EQ(rules("short pass"), std::vector<std::string>{"PasswordTooShort"});
    EXPECT_EQ(rules(std::string(129, 'x') + "y"), std::vector<std::string>{"PasswordTooLong"});
    EXPECT_EQ(rules("Password123456789!"), std::vector<std::string>{"PasswordCommon"});
    EXPECT_EQ(rules("correct horse battery staple"), std::vector<std::string>{"PasswordCommon"});
    EXPECT_EQ(rules("abcabcabcabcabcabc"), std::vector<std::string>{"PasswordRepetitive"});
    EXPECT_EQ(rules("1234567890-=qwertyu"), std::vector<std::string>{"PasswordSequential"});
    EXPECT_EQ(rules("maria's own long phrase"), std::vector<std::string>{"PasswordContainsContext"});
    EXPECT_EQ(rules("my portout long phrase"), std::vector<std::string>{"PasswordContainsContext"});
    EXPECT_EQ(rules(std::string("tab\tinside a long password")), std::vector<std::string>{"PasswordNotText"});
    for (const auto& v : password_violations("Password123456789!", "maria", false)) {
        EXPECT_EQ(v.message.find("Password123"), std::string::npos);
    }
}

TEST_F(AccountsTest, APasswordSignsInAsTheAccountAndIsKeptOnlyAsAKeyedArgon2idHash) {
    const auto a = account("maria", false, {"contoso"});
    EXPECT_TRUE(a.totp_secret.empty());
    EXPECT_EQ(a.principal.kind, "Account");
    const auto maria = server->authenticate_account("maria", kPassword, "", "192.0.2.7");
    EXPECT_EQ(maria->actor(), "maria");
    EXPECT_EQ(maria->role(), Role::TelephonyAdmin);
    EXPECT_EQ(maria->tenant_scope(), std::vector<std::string>{"contoso"});
    EXPECT_EQ(error_id_of([&] { maria->create_tenant("x", "X", "US"); }), "AccessDenied");
    const auto hash = column("SELECT secret_hash FROM principals WHERE name = 'maria'");
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0U);
    // A hash copied from the row into another account's signs in as neither.
    AccountRequest r;
    r.user_name = "eve";
    r.role = "StoreAdmin";
    admin->create_account(r, "an entirely different phrase");
    sql("UPDATE principals SET secret_hash = (SELECT secret_hash FROM principals WHERE name = 'maria') "
        "WHERE name = 'eve'");
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("eve", kPassword, "", "192.0.2.7"); }),
              "AuthenticationFailed");
}

TEST_F(AccountsTest, EveryFailureLooksTheSameCostsOneCheckAndIsAuditedWithItsReason) {
    account();
    const auto before = argon2_computations();
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("nobody", kPassword, "", "192.0.2.7"); }),
              "AuthenticationFailed");
    EXPECT_EQ(argon2_computations() - before, 1U);  // an unknown name costs a check too
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "UnknownAccount");
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", "not the password at all", "", "192.0.2.7"); }),
              "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "WrongPassword");
    std::string unknown, wrong;
    try {
        server->authenticate_account("nobody", kPassword, "", "192.0.2.8");
    } catch (const Error& e) {
        unknown = e.what();
    }
    try {
        server->authenticate_account("maria", "not the password at all", "", "192.0.2.8");
    } catch (const Error& e) {
        wrong = e.what();
    }
    EXPECT_EQ(unknown, wrong);
    EXPECT_EQ(wrong.find("not the password"), std::string::npos);
}

TEST_F(AccountsTest, TotpIsAskedForAfterThePasswordAndEachCodeIsGoodOnce) {
    const auto a = account("maria", true);
    ASSERT_EQ(a.totp_secret.size(), 32U);
    EXPECT_TRUE(a.principal.totp);
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, "", "192.0.2.7"); }),
              "TotpCodeRequired");
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, "000000", "192.0.2.7"); }),
              "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "WrongTotpCode");
    const auto now = clock->now_ms();
    EXPECT_NO_THROW(server->authenticate_account("maria", kPassword, code(a, now), "192.0.2.7"));
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, code(a, now), "192.0.2.7"); }),
              "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "TotpCodeReused");
    clock->advance_ms(kTotpStepMs);
    EXPECT_NO_THROW(server->authenticate_account("maria", kPassword, code(a, clock->now_ms()), "192.0.2.7"));
    // The secret is not in the database: only a salt, which is nothing without the key.
    const auto salt = column("SELECT hex(totp_secret) FROM principals WHERE name = 'maria'");
    std::string secret_hex = to_hex(base32_decode(a.totp_secret.view()));
    for (auto& c : secret_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(salt.size(), 128U);
    EXPECT_EQ(salt.find(secret_hex), std::string::npos);
}

TEST_F(AccountsTest, FailuresAreThrottledAndANewPasswordClearsTheAccountsCount) {
    account();
    for (int i = 0; i < kAuthFailureLimit; ++i) {
        EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", "wrong wrong wrong wrong", "", "10.0.0." + std::to_string(i)); }),
                  "AuthenticationFailed");
    }
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, "", "192.0.2.7"); }),
              "AuthenticationThrottled");
    admin->set_account_password("maria", "a fresh and long passphrase");
    EXPECT_NO_THROW(server->authenticate_account("maria", "a fresh and long passphrase", "", "192.0.2.7"));
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, "", "192.0.2.7"); }),
              "AuthenticationFailed");
}

TEST_F(AccountsTest, BadRequestsAreTypedAndChangeNothing) {
    AccountRequest r;
    r.user_name = "maria";
    r.role = "Carrier";
    EXPECT_EQ(error_id_of([&] { admin->create_account(r, kPassword); }), "AccountRoleNotAllowed");
    r.role = "TelephonyAdmin";
    EXPECT_EQ(error_id_of([&] { admin->create_account(r, "password"); }), "PasswordPolicyViolation");
    r.expires_at = clock->now_ms() - 1;
    EXPECT_EQ(error_id_of([&] { admin->create_account(r, kPassword); }), "ExpiryInPast");
    r.expires_at.reset();
    r.user_name = "no spaces allowed";
    EXPECT_EQ(error_id_of([&] { admin->create_account(r, kPassword); }), "InvalidPrincipalName");
    EXPECT_EQ(column("SELECT count(*) FROM principals"), "0");
    account();
    r.user_name = "maria";
    EXPECT_EQ(error_id_of([&] { admin->create_account(r, kPassword); }), "PrincipalExists");
    EXPECT_EQ(error_id_of([&] { as(Role::TelephonyAdmin)->create_account(r, kPassword); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { admin->set_account_password("nobody", kPassword); }), "AccountNotFound");
    // A role widened in the database without the key signs in no one.
    sql("UPDATE principals SET role = 'StoreAdmin'");
    EXPECT_EQ(error_id_of([&] { server->authenticate_account("maria", kPassword, "", "192.0.2.7"); }),
              "AuthenticationFailed");
    EXPECT_EQ(events("AuthenticationFailed").back().reason, "PrincipalNotAuthentic");
    EXPECT_EQ(column("SELECT count(*) FROM principals"), "1");
}

}  // namespace
}  // namespace portout
