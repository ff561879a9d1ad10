// Principals: who signs in to the store's server. API credentials (a machine's bearer token)
// are made, listed and removed by a StoreAdmin; a token is authenticated here, in the core, so
// the session a request runs in is the principal's own, never one the request chose.
//
// A token is "pot_<principal id>_<secret>": the id (16 hex digits) finds the record, the secret
// (32 random bytes, base64url) is compared with the keyed hash the record keeps. Every field
// that says what the principal may do is under the record's MAC; both keys derive from the
// audit key, so they hold across key rotations and travel with a copy of the store, and a
// database writer without the key can neither make a principal nor widen one. Failed
// attempts are audited and counted per client address and per principal (auth_throttle).
#pragma once

#include "service/context.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portout {

class Principals {
public:
    explicit Principals(const ServiceContext& ctx) : ctx_(ctx) {}

    IssuedCredential create_credential(const CredentialRequest& request);
    std::vector<Principal> list(std::string_view kind);
    void remove(std::string_view kind, std::string_view name);

    // The principal `token` authenticates; otherwise the failure is audited and counted, and
    // AuthenticationFailed (or AuthenticationThrottled) thrown.
    Principal authenticate_token(std::string_view token, std::string_view client_address);

    IssuedAccount create_account(const AccountRequest& request, std::string_view password);
    Principal set_account_password(std::string_view user_name, std::string_view password);
    // The account `user_name` names, if `password` (and `totp_code`, when it has TOTP) are its;
    // otherwise audited, counted and thrown as for a token.
    Principal authenticate_account(std::string_view user_name, std::string_view password, std::string_view totp_code,
                                   std::string_view client_address);

    // The halves of an account's sign-in, for the admin center's two steps. The first: the
    // account `user_name` names, if `password` is its and it is authentic and unexpired (`now`
    // is set to the store's time); else the failure audited, counted and thrown.
    PrincipalRecord check_account_password(std::string_view user_name, std::string_view password,
                                           const std::string& address, Millis& now);
    // The second: an account with TOTP needs `code` (TotpCodeRequired without one), good once;
    // the step and the time of use written. A wrong or reused code fails as above.
    PrincipalRecord check_totp_code(const PrincipalRecord& row, std::string_view code, const std::string& address,
                                    Millis now);
    // Whether an account's record is still one to act as: authentic, a role, unexpired.
    bool account_usable(const PrincipalRecord& row, Millis now) const;
    // The failure audited and counted (against the address, and the principal when it exists),
    // then AuthenticationFailed thrown.
    [[noreturn]] void fail(const std::string& address, const std::optional<PrincipalRecord>& row,
                           std::string_view reason, Millis now) const;

private:
    std::string record_mac(const PrincipalRecord& r) const;
    std::string token_hash(std::string_view principal_id, std::string_view secret) const;
    // The Argon2id input of an account's password: a keyed hash of it, so the stored Argon2id
    // string cannot be guessed at without the store's key, nor moved to another account.
    Secret password_input(std::string_view principal_id, std::string_view password) const;
    // An account's TOTP secret (20 bytes), from its salt and the store's key.
    Secret totp_secret(std::string_view principal_id, std::string_view salt) const;
    // Counts one failure against `subject` in `tx`.
    void count_failure(StoreTransaction& tx, const std::string& subject, Millis now) const;
    // Throws AuthenticationThrottled while `address` or the principal `principal_id` is blocked.
    void require_not_blocked(StoreTransaction& tx, const std::string& address, const std::string& principal_id,
                             Millis now) const;

    const ServiceContext& ctx_;
};

// A principal as anyone may see it (no secret, no hash).
Principal principal_of(const PrincipalRecord& r);

// A client's network address as the server saw it: printable, no spaces, at most 64
// characters; "unknown" for none.
std::string canonical_client_address(std::string_view raw);
std::string base64url(std::string_view bytes);
bool is_base64url(std::string_view s);
// "<prefix><16 hex digits>_<43 base64url characters>" as its id and its secret; none for anything else.
std::optional<std::pair<std::string, std::string_view>> parse_bearer_token(std::string_view token,
                                                                           std::string_view prefix);

}  // namespace portout
