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

#include <string>
#include <string_view>
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

private:
    std::string record_mac(const PrincipalRecord& r) const;
    std::string token_hash(std::string_view principal_id, std::string_view secret) const;
    // Counts one failure against `subject` in `tx`.
    void count_failure(StoreTransaction& tx, const std::string& subject, Millis now) const;

    const ServiceContext& ctx_;
};

// A principal as anyone may see it (no secret, no hash).
Principal principal_of(const PrincipalRecord& r);

}  // namespace portout
