// The admin center's sessions: a person signs in with an account's password (and TOTP code,
// in a second step when the account has TOTP), and the browser then holds a session token in
// a cookie. The token is "pws_<session id>_<secret>": the id finds the row, the secret is
// compared with the keyed hash the row keeps, and the row's MAC binds it to its account and its
// state. A session ends when signed out, when idle longer than the server's timeout, at
// kWebSessionLifetimeMs after its sign-in, or when its account is removed or expires; each
// request re-reads the account, so a change to it counts at once.
#pragma once

#include "service/context.hpp"
#include "service/principals.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace portout {

class WebSessions {
public:
    WebSessions(const ServiceContext& ctx, Principals& principals) : ctx_(ctx), principals_(principals) {}

    IssuedWebSession start(std::string_view user_name, std::string_view password, std::string_view client_address);
    Principal complete(std::string_view token, std::string_view totp_code, std::string_view client_address);
    Principal resume(std::string_view token, std::string_view client_address, Millis idle_timeout_ms);
    void end(std::string_view token, std::string_view client_address);

private:
    struct Found {
        WebSessionRecord session;
        std::optional<PrincipalRecord> account;
        Millis now = 0;
    };
    // The session `token` names and its account, the token's secret checked; SessionEnded when
    // there is none (malformed, unknown, signed out); a wrong secret fails as a wrong token does.
    Found find(std::string_view token, const std::string& address);
    std::string secret_hash(const WebSessionRecord& w, std::string_view secret) const;
    std::string record_mac(const WebSessionRecord& w) const;
    // Removes the session, audits why, and throws SessionEnded.
    [[noreturn]] void expire(const WebSessionRecord& w, std::string_view reason, Millis now) const;

    const ServiceContext& ctx_;
    Principals& principals_;
};

}  // namespace portout
