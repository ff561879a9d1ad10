#include "service/web_sessions.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include "service/audit_chain.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace portout {

namespace {

constexpr std::string_view kTokenPrefix = "pws_";
constexpr std::size_t kIdHexDigits = 16;
constexpr std::size_t kSecretBytes = 32;
constexpr std::string_view kNeedsTotp = "NeedsTotp";
constexpr std::string_view kActive = "Active";

struct ParsedToken {
    std::string id;
    std::string_view secret;
};

std::optional<ParsedToken> parse_token(std::string_view token) {
    auto parsed = parse_bearer_token(token, kTokenPrefix);
    if (!parsed) return std::nullopt;
    return ParsedToken{std::move(parsed->first), parsed->second};
}

[[noreturn]] void session_ended() {
    throw PermissionDeniedError("SessionEnded", "This session has ended: sign in again.");
}

}  // namespace

std::string WebSessions::secret_hash(const WebSessionRecord& w, std::string_view secret) const {
    return ctx_.audit.principal_mac().add("web-session").add(w.session_id).add(w.principal_id).add(w.created_at)
        .add(secret).finish();
}

std::string WebSessions::record_mac(const WebSessionRecord& w) const {
    return ctx_.audit.principal_mac().add("web-session-record").add(w.session_id).add(w.principal_id).add(w.state)
        .add(w.secret_hash).add(w.created_at).add(w.client_address).finish();
}

IssuedWebSession WebSessions::start(std::string_view user_name, std::string_view password,
                                    std::string_view raw_address) {
    const auto address = canonical_client_address(raw_address);
    Millis now = 0;
    const auto account = principals_.check_account_password(user_name, password, address, now);

    WebSessionRecord w;
    w.principal_id = account.principal_id;
    w.state = account.totp_secret ? kNeedsTotp : kActive;
    w.created_at = now;
    w.last_seen_at = now;
    w.client_address = address;
    std::string secret = base64url(random_bytes(kSecretBytes));

    auto tx = ctx_.store.begin(TxMode::Write);
    // Sessions no one can use any more go as new ones come: none lives past its lifetime, and
    // none idle for as long.
    tx->delete_stale_web_sessions(now - kWebSessionLifetimeMs, now - kWebSessionLifetimeMs);
    do {
        w.session_id = to_hex(random_bytes(kIdHexDigits / 2));
    } while (tx->web_session(w.session_id));
    w.secret_hash = secret_hash(w, secret);
    w.mac = record_mac(w);
    tx->insert_web_session(w);
    const std::string details = "account=" + account.name + " session=" + w.session_id + " address=" + address;
    ctx_.append_audit(*tx, w.state == kActive ? "SignedIn" : "SignInStarted", "", "Success", "", details);
    tx->commit();

    IssuedWebSession issued{Secret(std::string(kTokenPrefix) + w.session_id + "_" + secret), principal_of(account),
                            w.state == kNeedsTotp};
    sodium_memzero(secret.data(), secret.size());
    return issued;
}

WebSessions::Found WebSessions::find(std::string_view token, const std::string& address) {
    const auto parsed = parse_token(token);
    if (!parsed) session_ended();
    Found f;
    std::optional<WebSessionRecord> row;
    {
        auto tx = ctx_.store.begin(TxMode::Read);
        f.now = ctx_.lock_time(*tx);
        row = tx->web_session(parsed->id);
        if (row) f.account = tx->principal(row->principal_id);
    }
    if (!row) session_ended();
    if (!constant_time_equal(secret_hash(*row, parsed->secret), row->secret_hash)) {
        // Someone holds a session's id without its secret: counted as a wrong token is.
        principals_.fail(address, std::nullopt, "WrongSessionToken", f.now);
    }
    if (!constant_time_equal(record_mac(*row), row->mac) || (row->state != kActive && row->state != kNeedsTotp)) {
        expire(*row, "SessionNotAuthentic", f.now);
    }
    f.session = std::move(*row);
    return f;
}

void WebSessions::expire(const WebSessionRecord& w, std::string_view reason, Millis now) const {
    {
        auto tx = ctx_.store.begin(TxMode::Write);
        tx->delete_web_session(w.session_id);
        ctx_.append_audit(*tx, "SessionEnded", "", "Success", reason,
                          "session=" + w.session_id + " age_ms=" + std::to_string(now - w.created_at));
        tx->commit();
    }
    session_ended();
}

Principal WebSessions::complete(std::string_view token, std::string_view totp_code, std::string_view raw_address) {
    const auto address = canonical_client_address(raw_address);
    auto f = find(token, address);
    if (f.session.state != kNeedsTotp) {
        throw InvalidOperationError("SignInComplete", "This session is signed in already.");
    }
    if (f.now - f.session.created_at > kWebSessionTotpMs) expire(f.session, "TotpStepTimedOut", f.now);
    if (!f.account || !principals_.account_usable(*f.account, f.now)) expire(f.session, "AccountNotUsable", f.now);
    if (totp_code.empty()) {
        throw PermissionDeniedError("TotpCodeRequired",
                                    "This account signs in with a code from its authenticator app as well.");
    }
    const auto account = principals_.check_totp_code(*f.account, totp_code, address, f.now);

    auto tx = ctx_.store.begin(TxMode::Write);
    auto current = tx->web_session(f.session.session_id);
    if (!current || current->state != kNeedsTotp || !constant_time_equal(record_mac(*current), current->mac)) {
        tx.reset();
        session_ended();
    }
    current->state = kActive;
    current->last_seen_at = f.now;
    current->mac = record_mac(*current);
    tx->update_web_session(*current);
    ctx_.append_audit(*tx, "SignedIn", "", "Success", "",
                      "account=" + account.name + " session=" + current->session_id + " address=" + address +
                          " totp=yes");
    tx->commit();
    return principal_of(account);
}

Principal WebSessions::resume(std::string_view token, std::string_view raw_address, Millis idle_timeout_ms) {
    if (idle_timeout_ms <= 0 || idle_timeout_ms > kWebSessionLifetimeMs) {
        throw InvalidArgumentError("InvalidIdleTimeout", "A session's idle timeout is from 1 ms to 12 hours.");
    }
    const auto address = canonical_client_address(raw_address);
    auto f = find(token, address);
    if (f.session.state != kActive) {
        throw PermissionDeniedError("TotpCodeRequired",
                                    "This account signs in with a code from its authenticator app as well.");
    }
    if (f.now - f.session.created_at >= kWebSessionLifetimeMs) expire(f.session, "LifetimeReached", f.now);
    if (f.now - f.session.last_seen_at >= idle_timeout_ms) expire(f.session, "IdleTimeout", f.now);
    if (!f.account) expire(f.session, "AccountRemoved", f.now);
    if (!principals_.account_usable(*f.account, f.now)) expire(f.session, "AccountNotUsable", f.now);
    // Written at most every kWebSessionTouchMs (a quarter of a shorter timeout): a page a second
    // costs no write a page, and a session in use never looks idle.
    if (f.now - f.session.last_seen_at >= std::min(kWebSessionTouchMs, idle_timeout_ms / 4)) {
        auto tx = ctx_.store.begin(TxMode::WriteUnsynced);
        if (auto current = tx->web_session(f.session.session_id)) {
            current->last_seen_at = f.now;  // not under the MAC: a writer could only keep its own session alive
            tx->update_web_session(*current);
            tx->commit();
        }
    }
    return principal_of(*f.account);
}

void WebSessions::end(std::string_view token, std::string_view raw_address) {
    const auto address = canonical_client_address(raw_address);
    const auto parsed = parse_token(token);
    if (!parsed) return;  // signing out twice, or with no session, ends nothing and says so by nothing
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto row = tx->web_session(parsed->id);
    if (!row || !constant_time_equal(secret_hash(*row, parsed->secret), row->secret_hash)) return;
    tx->delete_web_session(row->session_id);
    const auto now = ctx_.lock_time(*tx);
    ctx_.append_audit(*tx, "SignedOut", "", "Success", "",
                      "session=" + row->session_id + " address=" + address +
                          " age_ms=" + std::to_string(now - row->created_at));
    tx->commit();
}

}  // namespace portout
