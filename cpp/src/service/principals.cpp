#include "service/principals.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/audit_chain.hpp"
#include "service/order_fields.hpp"
#include "service/password_rules.hpp"
#include "service/totp.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace portout {

namespace {

constexpr std::string_view kCredential = "Credential";
constexpr std::string_view kAccount = "Account";
constexpr std::string_view kTokenPrefix = "pot_";
constexpr std::size_t kIdHexDigits = 16;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretChars = 43;  // base64url of 32 bytes, unpadded
// last_used_at is written at most this often: a busy credential costs no write a request.
constexpr Millis kLastUsedResolutionMs = 60 * 1000;

std::string canonical_kind(std::string_view raw) {
    if (raw == kCredential || raw == kAccount) return std::string(raw);
    throw InvalidArgumentError("InvalidPrincipalKind", "A principal is a Credential or an Account.");
}

// 1 to 64 letters, digits, '.', '_', '-' or '@': a credential's name ("lumen-prod") or a user name.
std::string canonical_principal_name(std::string_view raw) {
    const bool ok = !raw.empty() && raw.size() <= 64 && std::all_of(raw.begin(), raw.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
                               c == '-' || c == '@';
                    });
    if (!ok) {
        throw InvalidArgumentError("InvalidPrincipalName",
                                   "A credential's or account's name is 1 to 64 letters, digits, '.', '_', '-' "
                                   "or '@', such as lumen-prod.");
    }
    return std::string(raw);
}

}  // namespace

std::string canonical_client_address(std::string_view raw) {
    if (raw.empty()) return "unknown";
    if (raw.size() > 64 || !is_visible_ascii(raw)) throw InvalidArgumentError("InvalidClientAddress", "A client address is at most 64 visible characters.");
    return std::string(raw);
}

std::string base64url(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

bool is_base64url(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    });
}

std::optional<std::pair<std::string, std::string_view>> parse_bearer_token(std::string_view token,
                                                                           std::string_view prefix) {
    if (token.size() != prefix.size() + kIdHexDigits + 1 + kSecretChars) return std::nullopt;
    if (token.substr(0, prefix.size()) != prefix) return std::nullopt;
    const auto id = token.substr(prefix.size(), kIdHexDigits);
    const bool hex = std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!hex || token[prefix.size() + kIdHexDigits] != '_') return std::nullopt;
    const auto secret = token.substr(prefix.size() + kIdHexDigits + 1);
    if (!is_base64url(secret)) return std::nullopt;
    return std::pair{std::string(id), secret};
}

namespace {

// The principal id and secret of a well-formed token; none for anything else.
std::optional<std::pair<std::string, std::string_view>> parse_token(std::string_view token) {
    return parse_bearer_token(token, kTokenPrefix);
}

std::string scope_text(const std::vector<std::string>& scope) {
    std::string out;
    for (const auto& t : scope) out += (out.empty() ? "" : ",") + t;
    return out;
}

std::string seconds_text(Millis ms) { return std::to_string((ms + 999) / 1000); }

}  // namespace

Principal principal_of(const PrincipalRecord& r) {
    Principal p;
    p.principal_id = r.principal_id;
    p.kind = r.kind;
    p.name = r.name;
    p.role = r.role;
    p.tenant_scope = decode_list(r.tenant_scope);
    p.carrier_name = r.carrier_name;
    p.carrier_spid = r.carrier_spid;
    p.expires_at = r.expires_at;
    p.created_at = r.created_at;
    p.created_by = r.created_by;
    p.last_used_at = r.last_used_at;
    p.actor = r.role == to_string(Role::Carrier) && !r.carrier_name.empty() ? r.carrier_name : r.name;
    p.totp = r.totp_secret.has_value();
    return p;
}

std::string Principals::record_mac(const PrincipalRecord& r) const {
    auto b = ctx_.audit.principal_mac();
    b.add("principal").add(r.principal_id).add(r.kind).add(r.name).add(r.role).add(r.tenant_scope);
    b.add(r.carrier_name).add(r.carrier_spid).add(r.secret_hash).add(r.totp_secret.value_or(""));
    b.add(r.expires_at ? *r.expires_at : std::int64_t{-1}).add(r.created_at).add(r.created_by);
    return b.finish();
}

std::string Principals::token_hash(std::string_view principal_id, std::string_view secret) const {
    return ctx_.audit.principal_mac().add("token").add(principal_id).add(secret).finish();
}

IssuedCredential Principals::create_credential(const CredentialRequest& req) {
    const auto name = canonical_principal_name(req.name);
    const auto role = parse_role(req.role);
    if (!role) {
        throw InvalidArgumentError("InvalidRole", "The role is one of StoreAdmin, TelephonyAdmin, Carrier or Auditor.");
    }
    std::vector<std::string> scope;
    for (const auto& t : req.tenant_scope) scope.push_back(canonical_tenant_id(t));
    std::sort(scope.begin(), scope.end());
    scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
    std::string carrier, spid;
    if (*role == Role::Carrier) {
        if (req.carrier_name.empty() || req.carrier_spid.empty()) {
            throw InvalidArgumentError("CarrierRequired",
                                       "A Carrier credential names its carrier and the carrier's SPID: the "
                                       "orders it sends are recorded as that carrier's.");
        }
        carrier = canonical_carrier(req.carrier_name);
        spid = canonical_spid(req.carrier_spid);
    } else if (!req.carrier_name.empty() || !req.carrier_spid.empty()) {
        throw InvalidArgumentError("CarrierNotAllowed", "Only a Carrier credential names a carrier.");
    }
    const Millis now = ctx_.now();
    if (req.expires_at && *req.expires_at <= now) {
        throw InvalidArgumentError("ExpiryInPast", "A credential's expiry is in the future.");
    }
    ctx_.authorize(Operation::ManagePrincipals);

    auto tx = ctx_.store.begin(TxMode::Write);
    if (tx->principal_by_name(kCredential, name)) {
        throw ResourceExistsError("PrincipalExists", "A credential with this name exists already.", name);
    }
    // One carrier, one SPID: a carrier's orders and lockouts are its own across its credentials.
    if (*role == Role::Carrier) {
        for (const auto& other : tx->principals(kCredential)) {
            if (other.carrier_name.empty()) continue;
            if ((other.carrier_name == carrier) != (other.carrier_spid == spid)) {
                throw InvalidArgumentError("CarrierIdentityMismatch",
                                           "Another credential names " + other.carrier_name + " with SPID " +
                                               other.carrier_spid + ": a carrier has one SPID, and an SPID one "
                                               "carrier.",
                                           name);
            }
        }
    }
    PrincipalRecord r;
    do {
        r.principal_id = to_hex(random_bytes(kIdHexDigits / 2));
    } while (tx->principal(r.principal_id));
    r.kind = kCredential;
    r.name = name;
    r.role = to_string(*role);
    r.tenant_scope = scope_text(scope);
    r.carrier_name = carrier;
    r.carrier_spid = spid;
    std::string secret = base64url(random_bytes(kSecretBytes));
    r.secret_hash = token_hash(r.principal_id, secret);
    r.expires_at = req.expires_at;
    r.created_at = now;
    r.created_by = ctx_.actor;
    r.mac = record_mac(r);
    tx->insert_principal(r);
    std::string details = "name=" + name + " id=" + r.principal_id + " role=" + r.role;
    if (!scope.empty()) details += " scope=" + r.tenant_scope;
    if (!carrier.empty()) details += " carrier=" + carrier + " spid=" + spid;
    if (r.expires_at) details += " expires_ms=" + std::to_string(*r.expires_at);
    ctx_.append_audit(*tx, "CredentialCreated", "", "Success", "", details);
    tx->commit();

    IssuedCredential issued{principal_of(r), Secret(std::string(kTokenPrefix) + r.principal_id + "_" + secret)};
    sodium_memzero(secret.data(), secret.size());
    return issued;
}

std::vector<Principal> Principals::list(std::string_view raw_kind) {
    const auto kind = canonical_kind(raw_kind);
    ctx_.authorize(Operation::ManagePrincipals);
    auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
    std::vector<Principal> out;
    for (const auto& r : tx->principals(kind)) out.push_back(principal_of(r));
    return out;
}

void Principals::remove(std::string_view raw_kind, std::string_view raw_name) {
    const auto kind = canonical_kind(raw_kind);
    const auto name = canonical_principal_name(raw_name);
    ctx_.authorize(Operation::ManagePrincipals);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto r = tx->principal_by_name(kind, name);
    if (!r) {
        throw ObjectNotFoundError(kind == kCredential ? "CredentialNotFound" : "AccountNotFound",
                                  "No " + std::string(kind == kCredential ? "credential" : "account") +
                                      " has this name.",
                                  name);
    }
    tx->delete_principal(r->principal_id);
    tx->put_throttle({"principal:" + r->principal_id, 0, 0, std::nullopt});
    ctx_.append_audit(*tx, kind == kCredential ? "CredentialRemoved" : "AccountRemoved", "", "Success", "",
                      "name=" + name + " id=" + r->principal_id + " role=" + r->role);
    tx->commit();
}

void Principals::count_failure(StoreTransaction& tx, const std::string& subject, Millis now) const {
    ThrottleRecord t = tx.throttle(subject).value_or(ThrottleRecord{subject, 0, now, std::nullopt});
    if (now - t.window_start >= kAuthFailureWindowMs) {
        t.failures = 0;
        t.window_start = now;
        t.blocked_until.reset();
    }
    ++t.failures;
    if (t.failures >= kAuthFailureLimit) t.blocked_until = now + kAuthBlockMs;
    tx.put_throttle(t);
}

void Principals::require_not_blocked(StoreTransaction& tx, const std::string& address,
                                     const std::string& principal_id, Millis now) const {
    const auto blocked = [&](const std::string& subject) -> Millis {
        const auto t = tx.throttle(subject);
        return t && t->blocked_until && *t->blocked_until > now ? *t->blocked_until - now : 0;
    };
    const Millis wait =
        std::max(blocked("address:" + address), principal_id.empty() ? 0 : blocked("principal:" + principal_id));
    if (wait > 0) {
        throw ThrottledError("AuthenticationThrottled",
                             "Too many failed authentications: try again in " + seconds_text(wait) + " seconds.", wait);
    }
}

void Principals::fail(const std::string& address, const std::optional<PrincipalRecord>& row, std::string_view reason,
                      Millis now) const {
    {
        auto tx = ctx_.store.begin(TxMode::Write);
        count_failure(*tx, "address:" + address, now);
        if (row) count_failure(*tx, "principal:" + row->principal_id, now);  // only principals that exist
        std::string details = "address=" + address;
        if (row) details += " id=" + row->principal_id + " name=" + row->name;
        ctx_.append_audit(*tx, "AuthenticationFailed", "", "Failure", reason, details);
        tx->commit();
    }
    if (row && row->kind == kAccount) {
        throw PermissionDeniedError("AuthenticationFailed",
                                    "The user name, password or code was not accepted.");
    }
    if (!row && reason == "UnknownAccount") {
        throw PermissionDeniedError("AuthenticationFailed", "The user name, password or code was not accepted.");
    }
    throw PermissionDeniedError("AuthenticationFailed",
                                "The credential was not accepted: it is unknown, wrong, expired or removed.");
}

Principal Principals::authenticate_token(std::string_view token, std::string_view raw_address) {
    const auto address = canonical_client_address(raw_address);
    const auto parsed = parse_token(token);
    const std::string id = parsed ? parsed->first : std::string();

    std::optional<PrincipalRecord> row;
    Millis now = 0;
    {
        auto tx = ctx_.store.begin(TxMode::Read);
        now = ctx_.lock_time(*tx);
        require_not_blocked(*tx, address, id, now);
        if (!id.empty()) row = tx->principal(id);
    }

    std::string reason;
    if (!parsed) {
        reason = "MalformedToken";
    } else if (!row || row->kind != kCredential) {
        reason = "UnknownCredential";
    } else if (!constant_time_equal(token_hash(id, parsed->second), row->secret_hash)) {
        reason = "WrongToken";
    } else if (!constant_time_equal(record_mac(*row), row->mac)) {
        reason = "PrincipalNotAuthentic";  // changed in the database by someone without the key
    } else if (!parse_role(row->role)) {
        reason = "PrincipalNotAuthentic";
    } else if (row->expires_at && *row->expires_at <= now) {
        reason = "CredentialExpired";
    }
    if (!reason.empty()) fail(address, row && row->kind == kCredential ? row : std::nullopt, reason, now);
    if (!row->last_used_at || now - *row->last_used_at >= kLastUsedResolutionMs) {
        auto tx = ctx_.store.begin(TxMode::WriteUnsynced);
        if (auto current = tx->principal(id)) {
            current->last_used_at = now;
            tx->update_principal(*current);
            tx->commit();
            row->last_used_at = now;
        }
    }
    return principal_of(*row);
}

// ---- accounts --------------------------------------------------------------------------------

Secret Principals::password_input(std::string_view principal_id, std::string_view password) const {
    std::string mac = ctx_.audit.principal_mac().add("password").add(principal_id).add(password).finish();
    std::string hex = to_hex(mac);
    Secret out(hex);
    sodium_memzero(mac.data(), mac.size());
    sodium_memzero(hex.data(), hex.size());
    return out;
}

Secret Principals::totp_secret(std::string_view principal_id, std::string_view salt) const {
    std::string key = ctx_.audit.principal_mac().add("totp").add(principal_id).add(salt).finish();
    Secret out(std::string_view(key).substr(0, 20));
    sodium_memzero(key.data(), key.size());
    return out;
}

IssuedAccount Principals::create_account(const AccountRequest& req, std::string_view password) {
    const auto name = canonical_principal_name(req.user_name);
    const auto role = parse_role(req.role);
    if (!role) {
        throw InvalidArgumentError("InvalidRole", "The role is one of StoreAdmin, TelephonyAdmin, Carrier or Auditor.");
    }
    if (*role == Role::Carrier) {
        throw InvalidArgumentError("AccountRoleNotAllowed",
                                   "An account is a person's: StoreAdmin, TelephonyAdmin or Auditor. A carrier "
                                   "signs in with an API credential (New-PortOutCredential -Role Carrier).");
    }
    std::vector<std::string> scope;
    for (const auto& t : req.tenant_scope) scope.push_back(canonical_tenant_id(t));
    std::sort(scope.begin(), scope.end());
    scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
    const Millis now = ctx_.now();
    if (req.expires_at && *req.expires_at <= now) {
        throw InvalidArgumentError("ExpiryInPast", "An account's expiry is in the future.");
    }
    require_password_rules(password, name, req.totp);
    ctx_.authorize(Operation::ManagePrincipals);

    PrincipalRecord r;
    r.principal_id = to_hex(random_bytes(kIdHexDigits / 2));
    r.kind = kAccount;
    r.name = name;
    r.role = to_string(*role);
    r.tenant_scope = scope_text(scope);
    // Hashed before the write transaction: no writer waits for Argon2id.
    r.secret_hash = std::string(ctx_.hasher.hash(password_input(r.principal_id, password).view()).view());
    if (req.totp) r.totp_secret = to_hex(random_bytes(kSecretBytes));
    r.expires_at = req.expires_at;
    r.created_at = now;
    r.created_by = ctx_.actor;

    auto tx = ctx_.store.begin(TxMode::Write);
    if (tx->principal_by_name(kAccount, name)) {
        throw ResourceExistsError("PrincipalExists", "An account with this name exists already.", name);
    }
    if (tx->principal(r.principal_id)) {
        throw ResourceUnavailableError("PrincipalIdTaken", "A random account id was taken: try again.");
    }
    r.mac = record_mac(r);
    tx->insert_principal(r);
    std::string details = "name=" + name + " id=" + r.principal_id + " role=" + r.role;
    if (!scope.empty()) details += " scope=" + r.tenant_scope;
    if (req.totp) details += " totp=yes";
    if (r.expires_at) details += " expires_ms=" + std::to_string(*r.expires_at);
    ctx_.append_audit(*tx, "AccountCreated", "", "Success", "", details);
    tx->commit();
    Secret secret = r.totp_secret ? totp_secret(r.principal_id, *r.totp_secret) : Secret();
    return IssuedAccount{principal_of(r), secret.empty() ? Secret() : Secret(base32(secret.view()))};
}

Principal Principals::set_account_password(std::string_view raw_name, std::string_view password) {
    const auto name = canonical_principal_name(raw_name);
    ctx_.authorize(Operation::ManagePrincipals);
    std::optional<PrincipalRecord> before;
    {
        auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
        before = tx->principal_by_name(kAccount, name);
    }
    if (!before) throw ObjectNotFoundError("AccountNotFound", "No account has this name.", name);
    require_password_rules(password, name, before->totp_secret.has_value());
    const std::string hash(ctx_.hasher.hash(password_input(before->principal_id, password).view()).view());

    auto tx = ctx_.store.begin(TxMode::Write);
    auto r = tx->principal_by_name(kAccount, name);
    if (!r || r->principal_id != before->principal_id) {
        throw ObjectNotFoundError("AccountNotFound", "No account has this name.", name);
    }
    if (!constant_time_equal(record_mac(*r), r->mac)) {
        throw SecurityError("PrincipalNotAuthentic",
                            "The account was changed in the database by someone without the store's key: remove "
                            "it and make it again.",
                            name);
    }
    r->secret_hash = hash;
    r->mac = record_mac(*r);
    tx->update_principal(*r);
    tx->put_throttle({"principal:" + r->principal_id, 0, 0, std::nullopt});
    ctx_.append_audit(*tx, "AccountPasswordSet", "", "Success", "", "name=" + name + " id=" + r->principal_id);
    tx->commit();
    return principal_of(*r);
}

PrincipalRecord Principals::check_account_password(std::string_view raw_name, std::string_view password,
                                                   const std::string& address, Millis& now) {
    std::string name(raw_name);
    std::optional<PrincipalRecord> row;
    {
        auto tx = ctx_.store.begin(TxMode::Read);
        now = ctx_.lock_time(*tx);
        const bool well_formed = !name.empty() && name.size() <= 64 && is_visible_ascii(name);
        if (well_formed) row = tx->principal_by_name(kAccount, name);
        require_not_blocked(*tx, address, row ? row->principal_id : std::string(), now);
    }
    // One Argon2id verification whatever the account: no answer tells a name that exists.
    const bool password_ok = row ? ctx_.hasher.verify(row->secret_hash, password_input(row->principal_id, password).view())
                                 : ctx_.hasher.verify_nothing(password);
    std::string_view reason;
    if (!row) {
        reason = "UnknownAccount";
    } else if (!password_ok) {
        reason = "WrongPassword";
    } else if (!account_usable(*row, now)) {
        reason = row->expires_at && *row->expires_at <= now ? "AccountExpired" : "PrincipalNotAuthentic";
    }
    if (!reason.empty()) fail(address, row, reason, now);
    return *row;
}

bool Principals::account_usable(const PrincipalRecord& row, Millis now) const {
    return row.kind == kAccount && constant_time_equal(record_mac(row), row.mac) && parse_role(row.role) &&
           !(row.expires_at && *row.expires_at <= now);
}

PrincipalRecord Principals::check_totp_code(const PrincipalRecord& row, std::string_view code,
                                            const std::string& address, Millis now) {
    std::optional<std::int64_t> step;
    if (row.totp_secret) {
        if (code.empty()) {
            throw PermissionDeniedError("TotpCodeRequired",
                                        "This account signs in with a code from its authenticator app as well.");
        }
        const auto secret = totp_secret(row.principal_id, *row.totp_secret);
        step = verify_totp(secret.view(), code, now, row.totp_last_step);
        if (!step) {
            fail(address, row, verify_totp(secret.view(), code, now, std::nullopt) ? "TotpCodeReused" : "WrongTotpCode",
                 now);
        }
    }
    if (!step && row.last_used_at && now - *row.last_used_at < kLastUsedResolutionMs) return row;
    auto tx = ctx_.store.begin(step ? TxMode::Write : TxMode::WriteUnsynced);
    auto current = tx->principal(row.principal_id);
    if (!current) {
        tx.reset();
        fail(address, std::nullopt, "UnknownAccount", now);
    }
    // Checked again where it is written: two sign-ins with one code, at once, make one.
    if (step && current->totp_last_step && *current->totp_last_step >= *step) {
        tx.reset();
        fail(address, row, "TotpCodeReused", now);
    }
    current->last_used_at = now;
    if (step) current->totp_last_step = *step;
    tx->update_principal(*current);
    tx->commit();
    return *current;
}

Principal Principals::authenticate_account(std::string_view raw_name, std::string_view password,
                                           std::string_view code, std::string_view raw_address) {
    const auto address = canonical_client_address(raw_address);
    Millis now = 0;
    const auto row = check_account_password(raw_name, password, address, now);
    return principal_of(check_totp_code(row, code, address, now));
}

}  // namespace portout
