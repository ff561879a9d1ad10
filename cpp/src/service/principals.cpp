#include "service/principals.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/audit_chain.hpp"
#include "service/order_fields.hpp"

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

// A client's network address as the server saw it: printable, no spaces, at most 64 characters.
std::string canonical_address(std::string_view raw) {
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

// The principal id and secret of a well-formed token; none for anything else.
std::optional<std::pair<std::string, std::string_view>> parse_token(std::string_view token) {
    if (token.size() != kTokenPrefix.size() + kIdHexDigits + 1 + kSecretChars) return std::nullopt;
    if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
    const auto id = token.substr(kTokenPrefix.size(), kIdHexDigits);
    const bool hex = std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!hex || token[kTokenPrefix.size() + kIdHexDigits] != '_') return std::nullopt;
    const auto secret = token.substr(kTokenPrefix.size() + kIdHexDigits + 1);
    if (!is_base64url(secret)) return std::nullopt;
    return std::pair{std::string(id), secret};
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

Principal Principals::authenticate_token(std::string_view token, std::string_view raw_address) {
    const auto address = canonical_address(raw_address);
    const auto parsed = parse_token(token);
    const std::string id = parsed ? parsed->first : std::string();
    const std::string address_subject = "address:" + address;
    const std::string principal_subject = "principal:" + id;

    std::optional<PrincipalRecord> row;
    Millis now = 0;
    {
        auto tx = ctx_.store.begin(TxMode::Read);
        now = ctx_.lock_time(*tx);
        const auto blocked = [&](const std::string& subject) -> Millis {
            const auto t = tx->throttle(subject);
            return t && t->blocked_until && *t->blocked_until > now ? *t->blocked_until - now : 0;
        };
        const Millis wait = std::max(blocked(address_subject), id.empty() ? 0 : blocked(principal_subject));
        if (wait > 0) {
            throw ThrottledError("AuthenticationThrottled",
                                 "Too many failed authentications: try again in " + seconds_text(wait) + " seconds.",
                                 wait);
        }
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
    if (!reason.empty()) {
        auto tx = ctx_.store.begin(TxMode::Write);
        count_failure(*tx, address_subject, now);
        if (row) count_failure(*tx, principal_subject, now);  // only principals that exist
        std::string details = "address=" + address;
        if (row) details += " id=" + id + " name=" + row->name;
        ctx_.append_audit(*tx, "AuthenticationFailed", "", "Failure", reason, details);
        tx->commit();
        throw PermissionDeniedError("AuthenticationFailed",
                                    "The credential was not accepted: it is unknown, wrong, expired or removed.");
    }
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

}  // namespace portout
