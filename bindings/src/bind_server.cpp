// The store session's server operations: who signs in (authentication, API credentials,
// accounts) and what the server delivers (webhooks, e-mail contacts, deliveries and their
// sender's claims), bound as bind_store.cpp binds the rest.
#include "native_store.hpp"

namespace portout::bindings {

void init_server_methods(py::class_<NativeStore>& cls) {
    cls.def_property_readonly("principal", [](const NativeStore& s) -> py::object {
            const auto& p = s.get()->principal();
            return p ? py::cast(*p) : py::none();
        })
        .def("authenticate",
             [](const NativeStore& s, py::handle token, py::handle client_address) {
                 std::shared_ptr<PortOutService> child = call(
                     s,
                     [](PortOutService& svc, const PinArg& t, const std::string& address) {
                         return std::shared_ptr<PortOutService>(svc.authenticate(t, address));
                     },
                     [token] { return PinArg{secret_from_python(token, "token", 256)}; },
                     as_text(client_address, "client address"));
                 return std::make_unique<NativeStore>(std::move(child), s.path(), s.key_path());
             },
             py::arg("token"), py::arg("client_address"))
        .def("create_credential",
             [](const NativeStore& s, py::handle name, py::handle role, py::handle tenant_scope,
                py::handle carrier_name, py::handle carrier_spid, py::handle expires) {
                 auto issued = call(s, &PortOutService::create_credential, [&] {
                     CredentialRequest r;
                     r.name = text_from_python(name, "credential name");
                     r.role = text_from_python(role, "role");
                     if (!tenant_scope.is_none()) r.tenant_scope = text_list(tenant_scope, "tenant scope entry", 10000);
                     r.carrier_name = text_or_empty(carrier_name, "carrier name");
                     r.carrier_spid = text_or_empty(carrier_spid, "carrier SPID");
                     if (!expires.is_none()) r.expires_at = millis_from_datetime(expires, "expiry");
                     return r;
                 });
                 py::str token(issued.token.view().data(), issued.token.view().size());
                 return py::make_tuple(py::cast(std::move(issued.principal)), std::move(token));
             },
             py::arg("name"), py::arg("role"), py::arg("tenant_scope") = py::none(),
             py::arg("carrier_name") = py::none(), py::arg("carrier_spid") = py::none(),
             py::arg("expires") = py::none())
        .def("list_principals",
             [](const NativeStore& s, py::handle kind) {
                 return call(s, &PortOutService::list_principals, as_text(kind, "kind"));
             })
        .def("remove_principal",
             [](const NativeStore& s, py::handle kind, py::handle name) {
                 call(s, &PortOutService::remove_principal, as_text(kind, "kind"), as_text(name, "name"));
             })

        .def("authenticate_account",
             [](const NativeStore& s, py::handle user_name, py::handle password, py::handle totp_code,
                py::handle client_address) {
                 std::shared_ptr<PortOutService> child = call(
                     s,
                     [](PortOutService& svc, const std::string& name, const PinArg& p, const PinArg& code,
                        const std::string& address) {
                         return std::shared_ptr<PortOutService>(svc.authenticate_account(name, p, code, address));
                     },
                     as_text(user_name, "user name"),
                     [password] { return PinArg{secret_from_python(password, "password", kPasswordArgumentLimit)}; },
                     [totp_code] {
                         return PinArg{totp_code.is_none() ? Secret() : secret_from_python(totp_code, "TOTP code", 16)};
                     },
                     as_text(client_address, "client address"));
                 return std::make_unique<NativeStore>(std::move(child), s.path(), s.key_path());
             },
             py::arg("user_name"), py::arg("password"), py::arg("totp_code") = py::none(),
             py::arg("client_address"))
        .def("start_web_session",
             [](const NativeStore& s, py::handle user_name, py::handle password, py::handle client_address) {
                 auto issued = call(
                     s,
                     [](PortOutService& svc, const std::string& name, const PinArg& p, const std::string& address) {
                         return svc.start_web_session(name, p, address);
                     },
                     as_text(user_name, "user name"),
                     [password] { return PinArg{secret_from_python(password, "password", kPasswordArgumentLimit)}; },
                     as_text(client_address, "client address"));
                 py::str token(issued.token.view().data(), issued.token.view().size());
                 return py::make_tuple(std::move(token), py::cast(std::move(issued.principal)), issued.totp_required);
             },
             py::arg("user_name"), py::arg("password"), py::arg("client_address"))
        .def("complete_web_session",
             [](const NativeStore& s, py::handle token, py::handle totp_code, py::handle client_address) {
                 return call(
                     s,
                     [](PortOutService& svc, const PinArg& t, const PinArg& code, const std::string& address) {
                         return svc.complete_web_session(t, code, address);
                     },
                     [token] { return PinArg{secret_from_python(token, "session token", 256)}; },
                     [totp_code] { return PinArg{secret_from_python(totp_code, "TOTP code", 16)}; },
                     as_text(client_address, "client address"));
             },
             py::arg("token"), py::arg("totp_code"), py::arg("client_address"))
        .def("resume_web_session",
             [](const NativeStore& s, py::handle token, py::handle client_address, py::handle idle_timeout) {
                 std::shared_ptr<PortOutService> child = call(
                     s,
                     [](PortOutService& svc, const PinArg& t, const std::string& address, Millis idle) {
                         return std::shared_ptr<PortOutService>(svc.resume_web_session(t, address, idle));
                     },
                     [token] { return PinArg{secret_from_python(token, "session token", 256)}; },
                     as_text(client_address, "client address"),
                     [idle_timeout] { return millis_from_duration(idle_timeout, "idle timeout"); });
                 return std::make_unique<NativeStore>(std::move(child), s.path(), s.key_path());
             },
             py::arg("token"), py::arg("client_address"), py::arg("idle_timeout"))
        .def("end_web_session",
             [](const NativeStore& s, py::handle token, py::handle client_address) {
                 call(
                     s,
                     [](PortOutService& svc, const PinArg& t, const std::string& address) {
                         svc.end_web_session(t, address);
                     },
                     [token] { return PinArg{secret_from_python(token, "session token", 256)}; },
                     as_text(client_address, "client address"));
             },
             py::arg("token"), py::arg("client_address"))
        .def("create_account",
             [](const NativeStore& s, py::handle user_name, py::handle role, py::handle password,
                py::handle tenant_scope, py::handle totp, py::handle expires) {
                 auto issued = call(
                     s,
                     [](PortOutService& svc, const AccountRequest& r, const PinArg& p) {
                         return svc.create_account(r, p);
                     },
                     [&] {
                         AccountRequest r;
                         r.user_name = text_from_python(user_name, "user name");
                         r.role = text_from_python(role, "role");
                         if (!tenant_scope.is_none()) r.tenant_scope = text_list(tenant_scope, "tenant scope entry", 10000);
                         r.totp = bool_from_python(totp, "totp");
                         if (!expires.is_none()) r.expires_at = millis_from_datetime(expires, "expiry");
                         return r;
                     },
                     [password] { return PinArg{secret_from_python(password, "password", kPasswordArgumentLimit)}; });
                 py::object secret = issued.totp_secret.empty()
                                         ? py::object(py::none())
                                         : py::object(py::str(issued.totp_secret.view().data(),
                                                              issued.totp_secret.view().size()));
                 return py::make_tuple(py::cast(std::move(issued.principal)), std::move(secret));
             },
             py::arg("user_name"), py::arg("role"), py::arg("password"), py::arg("tenant_scope") = py::none(),
             py::arg("totp") = false, py::arg("expires") = py::none())
        .def("set_account_password",
             [](const NativeStore& s, py::handle user_name, py::handle password) {
                 return call(s, &PortOutService::set_account_password, as_text(user_name, "user name"), [password] {
                     return PinArg{secret_from_python(password, "password", kPasswordArgumentLimit)};
                 });
             },
             py::arg("user_name"), py::arg("password"))
        .def("create_webhook",
             [](const NativeStore& s, py::handle url, py::handle events, py::handle tenant_scope) {
                 auto issued = call(s, &PortOutService::create_webhook, as_text(url, "URL"),
                                    [events] { return text_list(events, "event kind", 100); },
                                    [tenant_scope] {
                                        return tenant_scope.is_none() ? std::vector<std::string>{}
                                                                      : text_list(tenant_scope, "tenant scope entry", 10000);
                                    });
                 py::str secret(issued.secret.view().data(), issued.secret.view().size());
                 return py::make_tuple(py::cast(std::move(issued.subscription)), std::move(secret));
             },
             py::arg("url"), py::arg("events"), py::arg("tenant_scope") = py::none())
        .def("list_subscriptions", [](const NativeStore& s) { return call(s, &PortOutService::list_subscriptions); })
        .def("remove_subscription",
             [](const NativeStore& s, py::handle id) {
                 call(s, &PortOutService::remove_subscription, as_text(id, "subscription id"));
             },
             py::arg("subscription_id"))
        .def("set_notification_emails",
             [](const NativeStore& s, py::handle tenant, py::handle addresses) {
                 return call(s, &PortOutService::set_notification_emails, as_tenant(tenant),
                             [addresses] { return text_list(addresses, "e-mail address", 100); });
             },
             py::arg("tenant_id"), py::arg("addresses"))
        .def("list_deliveries",
             [](const NativeStore& s, py::handle subscription_id, py::handle status, py::handle before,
                py::handle limit) {
                 return call(s, &PortOutService::list_deliveries, [&] {
                     DeliveryQuery q;
                     if (!subscription_id.is_none()) {
                         q.subscription_ids = {text_from_python(subscription_id, "subscription id")};
                     }
                     q.status = optional_text_from_python(status, "status");
                     if (!before.is_none()) q.before_id = int64_from_python(before, "before");
                     q.limit = page_size(limit);
                     return q;
                 });
             },
             py::arg("subscription_id") = py::none(), py::arg("status") = py::none(),
             py::arg("before") = py::none(), py::arg("limit") = 100)
        .def("redeliver",
             [](const NativeStore& s, py::handle id) {
                 return call(s, &PortOutService::redeliver, [id] { return int64_from_python(id, "delivery id"); });
             },
             py::arg("delivery_id"))
        .def("claim_deliveries",
             [](const NativeStore& s, py::handle kinds, py::handle max_count, py::handle max_attempts,
                py::handle first_retry, py::handle max_retry, py::handle lease) {
                 return call(s, &PortOutService::claim_deliveries, [kinds] { return text_list(kinds, "kind", 2); },
                             as_count(max_count, "max count"),
                             [&] { return delivery_policy(max_attempts, first_retry, max_retry, lease); });
             },
             py::arg("kinds"), py::arg("max_count") = 16, py::arg("max_attempts") = 8, py::arg("first_retry") = 10,
             py::arg("max_retry") = 3600, py::arg("lease") = 60)
        .def("record_delivery",
             [](const NativeStore& s, py::handle id, py::handle delivered, py::handle status_code, py::handle error,
                py::handle started, py::handle duration_ms, py::handle max_attempts, py::handle first_retry,
                py::handle max_retry, py::handle lease) {
                 return call(s, &PortOutService::record_delivery,
                             [id] { return int64_from_python(id, "delivery id"); },
                             [&] {
                                 DeliveryResult r;
                                 r.delivered = bool_from_python(delivered, "delivered");
                                 r.status_code = int_from_python(status_code, "status code");
                                 r.error = text_from_python(error, "error");
                                 r.started_at = millis_from_datetime(started, "started");
                                 r.duration_ms = int64_from_python(duration_ms, "duration");
                                 return r;
                             },
                             [&] { return delivery_policy(max_attempts, first_retry, max_retry, lease); });
             },
             py::arg("delivery_id"), py::arg("delivered"), py::arg("status_code"), py::arg("error"),
             py::arg("started"), py::arg("duration_ms"), py::arg("max_attempts") = 8, py::arg("first_retry") = 10,
             py::arg("max_retry") = 3600, py::arg("lease") = 60);
}

}  // namespace portout::bindings
