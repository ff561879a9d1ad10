// The store session: arguments are converted while the GIL is held, then every hashing and
// store call runs with the GIL released, so threads check PINs in parallel.
#include "native_store.hpp"

#include <portout/open_store.hpp>
#include <portout/sqlite_store.hpp>

#include <array>
#include <string_view>

namespace portout::bindings {

void init_store(py::module_& m) {
    py::tuple tables(store_tables().size());
    for (std::size_t i = 0; i < tables.size(); ++i) tables[i] = py::str(std::string(store_tables()[i].name));
    m.attr("STORE_TABLES") = tables;
    m.def("default_store_path", [] { return default_store_path(); },
          "The store used when none is named: $PORTOUT_STORE, else under $XDG_DATA_HOME.");
    m.def("argon2_computations", [] { return argon2_computations(); },
          "How many Argon2id computations this process has run (for tests: every refusal costs one).");
    m.def("store_file_in_use",
          [](py::handle path) { return SqliteStore::file_in_use(text_from_python(path, "path")); },
          py::arg("path"),
          "Whether the path names a database, -wal or -shm file of a store open in this process "
          "(such a file must not be opened beside it).");
    m.def("default_key_path",
          [](py::handle store_path) {
              return default_key_path(text_from_python(store_path, "store path"));
          },
          py::arg("store_path"), "The key file of a store when none is named: $PORTOUT_KEY_FILE, else <store>.key.");

    m.def("allowed_operations",
          [](py::handle role) {
              const auto parsed = parse_role(text_from_python(role, "role"));
              py::list out;
              if (!parsed) return out;
              for (int op = 0; op <= static_cast<int>(Operation::DeliverNotifications); ++op) {
                  if (role_allows(*parsed, static_cast<Operation>(op))) {
                      out.append(py::str(std::string(to_string(static_cast<Operation>(op)))));
                  }
              }
              return out;
          },
          py::arg("role"),
          "The operations a role may do (what the core authorizes, before each tenant's scope); none for an "
          "unknown role.");

    py::class_<NativeStore> cls(m, "NativeStore", "A session on a store. Use portout.Store.");
    cls.def_static(
            "open",
            [](py::handle path, py::handle key_file, py::handle profile, py::handle allow_test_profile,
               std::shared_ptr<ManualClock> clock, py::handle actor, py::handle create,
               py::handle busy_timeout, py::handle role, py::handle tenant_scope) {
                const auto store_path = path.is_none() ? default_store_path()
                                                       : text_from_python(path, "store path");
                const auto key_path = key_file.is_none() ? default_key_path(store_path)
                                                         : text_from_python(key_file, "key file path");
                if (key_path.empty()) throw InvalidArgumentError("InvalidKeyPath", "The key file path is empty.");
                ServiceOptions options;
                if (!profile.is_none()) options.profile = profile_from_python(profile);
                options.allow_test_profile = bool_from_python(allow_test_profile, "allow_test_profile");
                options.clock = clock;
                options.actor = optional_text_from_python(actor, "actor").value_or("");
                if (!role.is_none()) {
                    const auto name = text_from_python(role, "role");
                    const auto parsed = parse_role(name);
                    if (!parsed) {
                        throw InvalidArgumentError("UnknownRole",
                                                   "The role must be StoreAdmin, TelephonyAdmin, "
                                                   "Carrier or Auditor.");
                    }
                    options.role = *parsed;
                }
                if (!tenant_scope.is_none()) {
                    if (PyUnicode_Check(tenant_scope.ptr())) {
                        options.tenant_scope.push_back(text_from_python(tenant_scope, "tenant scope"));
                    } else if (py::isinstance<py::iterable>(tenant_scope)) {
                        for (auto id : py::reinterpret_borrow<py::iterable>(tenant_scope)) {
                            options.tenant_scope.push_back(text_from_python(id, "tenant scope entry"));
                        }
                        if (options.tenant_scope.empty()) {
                            throw InvalidArgumentError("EmptyTenantScope",
                                                       "A tenant scope names at least one tenant; "
                                                       "omit it for every tenant.");
                        }
                    } else {
                        throw InvalidTypeError("ParameterNotString",
                                               "The tenant scope must be a str or a collection of str.");
                    }
                }
                const bool may_create = bool_from_python(create, "create");
                const auto busy_ms = millis_from_duration(busy_timeout, "busy_timeout");
                if (busy_ms < 0 || busy_ms > 3600000) {
                    throw InvalidArgumentError("SettingOutOfRange",
                                               "The busy_timeout must be between zero and an hour.");
                }
                std::shared_ptr<PortOutService> service;
                std::string shown;
                {
                    release unlocked;
                    auto store = open_store(store_path, may_create, static_cast<int>(busy_ms));
                    shown = store->location();
                    service = PortOutService::open(std::move(store), key_path, options);
                }
                return std::make_unique<NativeStore>(std::move(service), shown, key_path);
            },
            py::arg("path") = py::none(), py::arg("key_file") = py::none(),
            py::arg("profile") = py::none(), py::arg("allow_test_profile") = false,
            py::arg("clock") = nullptr, py::arg("actor") = py::none(), py::arg("create") = true,
            py::arg("busy_timeout") = 30, py::arg("role") = py::none(),
            py::arg("tenant_scope") = py::none())
        .def("close", &NativeStore::close)
        .def_property_readonly("closed", &NativeStore::closed)
        .def_property_readonly("path", &NativeStore::path)
        .def_property_readonly("key_path", &NativeStore::key_path)
        .def_property_readonly("actor", [](const NativeStore& s) { return s.get()->actor(); })
        .def_property_readonly("profile", [](const NativeStore& s) { return std::string(to_string(s.get()->profile())); })
        .def_property_readonly("role", [](const NativeStore& s) { return std::string(to_string(s.get()->role())); })
        .def_property_readonly("tenant_scope", [](const NativeStore& s) {
            const auto& scope = s.get()->tenant_scope();
            py::tuple out(scope.size());
            for (std::size_t i = 0; i < scope.size(); ++i) out[i] = py::str(scope[i]);
            return out;
        })
        .def_property_readonly("store_id", [](const NativeStore& s) { return s.get()->store_id(); })
        .def_property_readonly("key_id", [](const NativeStore& s) { return s.get()->key_id(); })

        .def("create_tenant",
             [](const NativeStore& s, py::handle id, py::handle name, py::handle country) {
                 return call(s, &PortOutService::create_tenant, as_tenant(id), as_text(name, "display name"),
                             as_text(country, "country or region"));
             })
        .def("import_tenants",
             [](const NativeStore& s, py::handle rows) {
                 return call(s, &PortOutService::import_tenants, [rows] {
                     std::vector<std::array<std::string, 3>> list;
                     for (auto row : py::reinterpret_borrow<py::iterable>(rows)) {
                         auto t = py::reinterpret_borrow<py::sequence>(row);
                         if (t.size() != 3) {
                             throw InvalidArgumentError("InvalidTenantRow",
                                                        "Each row is (tenant id, display name, country).");
                         }
                         list.push_back({text_from_python(t[0], "tenant id"), text_from_python(t[1], "display name"),
                                         text_from_python(t[2], "country or region")});
                     }
                     return list;
                 });
             })
        .def("get_tenant",
             [](const NativeStore& s, py::handle id) { return call(s, &PortOutService::get_tenant, as_tenant(id)); })
        .def("count_tenants",
             [](const NativeStore& s) {
                 const auto c = call(s, &PortOutService::count_tenants);
                 return py::make_tuple(c.tenants, c.us, c.with_pin, c.frozen, c.locked);
             })
        .def("list_tenants",
             [](const NativeStore& s, py::handle after, py::handle limit) {
                 return call(s, &PortOutService::list_tenants, as_text(after, "after"), as_limit(limit));
             })
        .def("update_tenant",
             [](const NativeStore& s, py::handle id, py::handle name, py::handle country, py::handle account_number,
                py::handle new_account_number, py::handle service_zip, py::handle authorized_name,
                py::handle time_zone, py::handle notification_emails) {
                 return call(
                     s, [](PortOutService& svc, const std::string& t, const TenantChange& c) {
                         return svc.update_tenant(t, c);
                     },
                     as_tenant(id), [&] {
                         TenantChange c;
                         c.display_name = optional_text_from_python(name, "display name");
                         c.country = optional_text_from_python(country, "country or region");
                         c.account_number = optional_text_from_python(account_number, "account number");
                         c.new_account_number = bool_from_python(new_account_number, "new_account_number");
                         c.service_zip = optional_text_from_python(service_zip, "service ZIP code");
                         c.authorized_name = optional_text_from_python(authorized_name, "authorized name");
                         c.time_zone = optional_text_from_python(time_zone, "time zone");
                         if (!notification_emails.is_none()) {
                             c.notification_emails = text_list(notification_emails, "e-mail address", 100);
                         }
                         return c;
                     });
             },
             py::arg("tenant_id"), py::arg("display_name") = py::none(), py::arg("country") = py::none(),
             py::arg("account_number") = py::none(), py::arg("new_account_number") = false,
             py::arg("service_zip") = py::none(), py::arg("authorized_name") = py::none(),
             py::arg("time_zone") = py::none(), py::arg("notification_emails") = py::none())
        .def("remove_tenant",
             [](const NativeStore& s, py::handle id) { call(s, &PortOutService::remove_tenant, as_tenant(id)); })

        .def("set_pin",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 return call(s, &PortOutService::set_pin, as_tenant(id), as_pin(pin));
             })
        .def("pin_status",
             [](const NativeStore& s, py::handle id) { return call(s, &PortOutService::pin_status, as_tenant(id)); })
        .def("list_pin_status",
             [](const NativeStore& s, py::handle after, py::handle limit) {
                 return call(s, &PortOutService::list_pin_status, as_text(after, "after"), as_limit(limit));
             })
        .def("check_pin",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 return call(s, &PortOutService::check_pin, as_tenant(id), as_pin(pin));
             })
        .def("unlock_pin",
             [](const NativeStore& s, py::handle id) { return call(s, &PortOutService::unlock_pin, as_tenant(id)); })
        .def("repair_tenant_state",
             [](const NativeStore& s, py::handle id) {
                 return call(s, &PortOutService::repair_tenant_state, as_tenant(id));
             })
        .def("repair_default_policy",
             [](const NativeStore& s) { return call(s, &PortOutService::repair_default_policy); })

        .def("get_policy",
             [](const NativeStore& s, py::handle id) {
                 return call(s, &PortOutService::get_policy, as_optional_tenant(id));
             })
        .def("set_policy",
             [](const NativeStore& s, py::handle id, py::handle min_length, py::handle max_length,
                py::handle block_weak, py::handle blocklist, py::handle max_failed_attempts,
                py::handle lockout, py::handle max_lockout, py::handle tenant_max_failures,
                py::handle failure_window, py::handle review_window, py::handle review_deadline_action,
                py::handle min_foc_business_days, py::handle max_foc_days, py::handle cancel_cutoff,
                py::handle holidays) {
                 return call(s, &PortOutService::set_policy, as_optional_tenant(id), [&] {
                     PolicyChange c;
                     c.min_length = optional_int(min_length, "min_length");
                     c.max_length = optional_int(max_length, "max_length");
                     if (!block_weak.is_none()) c.block_weak = bool_from_python(block_weak, "block_weak");
                     if (!blocklist.is_none()) c.blocklist = blocklist_from_python(blocklist);
                     c.max_failed_attempts = optional_int(max_failed_attempts, "max_failed_attempts");
                     if (!lockout.is_none()) c.lockout_ms = millis_from_duration(lockout, "lockout_duration");
                     if (!max_lockout.is_none()) {
                         c.max_lockout_ms = millis_from_duration(max_lockout, "max_lockout_duration");
                     }
                     c.tenant_max_failures = optional_int(tenant_max_failures, "tenant_max_failures");
                     if (!failure_window.is_none()) {
                         c.failure_window_ms = millis_from_duration(failure_window, "failure_window");
                     }
                     if (!review_window.is_none()) c.review_window_ms = millis_from_duration(review_window, "review_window");
                     c.review_deadline_action = optional_text_from_python(review_deadline_action, "review_deadline_action");
                     c.min_foc_business_days = optional_int(min_foc_business_days, "min_foc_business_days");
                     c.max_foc_days = optional_int(max_foc_days, "max_foc_days");
                     if (!cancel_cutoff.is_none()) c.cancel_cutoff_ms = millis_from_duration(cancel_cutoff, "cancel_cutoff");
                     if (!holidays.is_none()) c.holidays = text_list(holidays, "holiday", 500);
                     return c;
                 });
             },
             py::arg("tenant_id"), py::arg("min_length") = py::none(), py::arg("max_length") = py::none(),
             py::arg("block_weak") = py::none(), py::arg("blocklist") = py::none(),
             py::arg("max_failed_attempts") = py::none(), py::arg("lockout_duration") = py::none(),
             py::arg("max_lockout_duration") = py::none(), py::arg("tenant_max_failures") = py::none(),
             py::arg("failure_window") = py::none(), py::arg("review_window") = py::none(),
             py::arg("review_deadline_action") = py::none(), py::arg("min_foc_business_days") = py::none(),
             py::arg("max_foc_days") = py::none(), py::arg("cancel_cutoff") = py::none(),
             py::arg("holidays") = py::none())
        .def("reset_policy",
             [](const NativeStore& s, py::handle id) { return call(s, &PortOutService::reset_policy, as_tenant(id)); })
        .def("test_pin_policy",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 return call(s, &PortOutService::test_pin_policy, as_optional_tenant(id), as_pin(pin));
             })

        .def("audit_events",
             [](const NativeStore& s, py::handle id, py::handle since, py::handle until,
                py::handle event_types, py::handle after, py::handle limit, bool newest_first) {
                 return call(s, &PortOutService::audit_events, [&] {
                     AuditQuery q;
                     if (auto one = optional_text_from_python(id, "tenant id")) q.tenant_ids.push_back(*one);
                     if (!since.is_none()) q.since = millis_from_datetime(since, "since");
                     if (!until.is_none()) q.until = millis_from_datetime(until, "until");
                     for (auto t : py::reinterpret_borrow<py::iterable>(event_types)) {
                         q.event_types.push_back(text_from_python(t, "event type"));
                     }
                     q.after_event_id = int64_from_python(after, "after");
                     q.limit = page_size(limit);
                     q.newest_first = newest_first;
                     return q;
                 });
             },
             py::arg("tenant_id"), py::arg("since"), py::arg("until"), py::arg("event_types"), py::arg("after"),
             py::arg("limit"), py::arg("newest_first") = false)
        .def("verify_audit",
             [](const NativeStore& s, PythonProgress progress, py::handle checkpoints) {
                 const auto hook = hook_of(std::move(progress));
                 return call(
                     s,
                     [&](PortOutService& svc, const std::vector<std::string>& documents) {
                         return svc.verify_audit(hook, documents);
                     },
                     [checkpoints] {
                         std::vector<std::string> documents;
                         if (checkpoints.is_none()) return documents;
                         if (PyUnicode_Check(checkpoints.ptr()) || !py::isinstance<py::iterable>(checkpoints)) {
                             throw InvalidTypeError("ParameterNotString",
                                                    "The checkpoints must be a collection of str documents.");
                         }
                         for (auto d : py::reinterpret_borrow<py::iterable>(checkpoints)) {
                             documents.push_back(text_from_python(d, "checkpoint"));
                         }
                         return documents;
                     });
             },
             py::arg("progress") = nullptr, py::arg("checkpoints") = py::none())
        .def("audit_checkpoint",
             [](const NativeStore& s) { return call(s, &PortOutService::audit_checkpoint); })
        .def("add_number",
             [](const NativeStore& s, py::handle id, py::handle number) {
                 return call(s, &PortOutService::add_number, as_tenant(id), as_text(number, "phone number"));
             })
        .def("remove_number",
             [](const NativeStore& s, py::handle id, py::handle number) {
                 call(s, &PortOutService::remove_number, as_tenant(id), as_text(number, "phone number"));
             })
        .def("list_numbers",
             [](const NativeStore& s, py::handle id, py::handle after, py::handle limit) {
                 return call(s, &PortOutService::list_numbers, as_optional_tenant(id), as_text(after, "after"),
                             as_limit(limit));
             })
        .def("submit_order",
             [](const NativeStore& s, py::handle id, py::handle numbers, py::handle pin, py::handle carrier,
                py::handle requested_due, py::handle account_number, py::handle service_zip,
                py::handle authorized_name, py::handle carrier_spid, py::handle pon, py::handle port_type,
                py::handle idempotency_key) {
                 const auto request = [&] {
                     PortOutRequest r;
                     r.tenant_id = text_or_empty(id, "tenant id");
                     r.numbers = text_list(numbers, "phone number", kMaxNumbersPerOrder);
                     r.carrier_name = text_or_empty(carrier, "gaining carrier");
                     if (!requested_due.is_none()) r.requested_due = millis_from_datetime(requested_due, "requested due date");
                     r.account_number = text_or_empty(account_number, "account number");
                     r.service_zip = text_or_empty(service_zip, "service ZIP code");
                     r.authorized_name = text_or_empty(authorized_name, "authorized name");
                     r.carrier_spid = text_or_empty(carrier_spid, "carrier SPID");
                     r.pon = text_or_empty(pon, "purchase order number");
                     r.port_type = text_or_empty(port_type, "port type");
                     r.idempotency_key = text_or_empty(idempotency_key, "idempotency key");
                     return r;
                 };
                 return call(
                     s,
                     [](PortOutService& svc, const PortOutRequest& r, const PinArg& p) {
                         return svc.submit_order(r, p);
                     },
                     request, as_pin(pin));
             },
             py::arg("tenant_id"), py::arg("numbers"), py::arg("pin"), py::arg("carrier"),
             py::arg("requested_due") = py::none(), py::arg("account_number") = py::none(),
             py::arg("service_zip") = py::none(), py::arg("authorized_name") = py::none(),
             py::arg("carrier_spid") = py::none(), py::arg("pon") = py::none(), py::arg("port_type") = py::none(),
             py::arg("idempotency_key") = py::none())
        .def("get_order",
             [](const NativeStore& s, py::handle order_id) {
                 return call(s, &PortOutService::get_order, as_text(order_id, "order id"));
             })
        .def("list_orders",
             [](const NativeStore& s, py::handle id, py::handle status, py::handle carrier,
                py::handle after, py::handle limit, bool newest_first) {
                 auto [found, next] = call(
                     s,
                     [](PortOutService& svc, const OrderQuery& q) {
                         auto page = svc.list_orders(q);
                         const auto last = page.empty() ? q.after_seq : page.back().seq;
                         return std::pair(std::move(page), last);
                     },
                     [&] {
                         OrderQuery q;
                         if (auto one = optional_text_from_python(id, "tenant id")) q.tenant_ids.push_back(*one);
                         q.status = optional_text_from_python(status, "status");
                         q.carrier = optional_text_from_python(carrier, "gaining carrier");
                         q.after_seq = int64_from_python(after, "after");
                         q.limit = page_size(limit);
                         q.newest_first = newest_first;
                         return q;
                     });
                 return py::make_tuple(py::cast(std::move(found)), next);
             },
             py::arg("tenant_id"), py::arg("status"), py::arg("gaining_carrier"), py::arg("after"), py::arg("limit"),
             py::arg("newest_first") = false)
        .def("confirm_order",
             [](const NativeStore& s, py::handle order_id, py::handle foc) {
                 return call(s, &PortOutService::confirm_order, as_text(order_id, "order id"),
                             as_datetime(foc, "FOC date"));
             })
        .def("complete_order",
             [](const NativeStore& s, py::handle order_id) {
                 return call(s, &PortOutService::complete_order, as_text(order_id, "order id"));
             })
        .def("cancel_order",
             [](const NativeStore& s, py::handle order_id, py::handle reason, py::handle comment) {
                 return call(s, &PortOutService::cancel_order, as_text(order_id, "order id"),
                             as_text(reason, "reason"), [comment] { return text_or_empty(comment, "comment"); });
             },
             py::arg("order_id"), py::arg("reason"), py::arg("comment") = py::none())
        .def("approve_order",
             [](const NativeStore& s, py::handle order_id, py::handle comment) {
                 return call(s, &PortOutService::approve_order, as_text(order_id, "order id"),
                             [comment] { return text_or_empty(comment, "comment"); });
             },
             py::arg("order_id"), py::arg("comment") = py::none())
        .def("deny_order",
             [](const NativeStore& s, py::handle order_id, py::handle reason, py::handle comment) {
                 return call(s, &PortOutService::deny_order, as_text(order_id, "order id"), as_text(reason, "reason"),
                             [comment] { return text_or_empty(comment, "comment"); });
             },
             py::arg("order_id"), py::arg("reason"), py::arg("comment") = py::none())
        .def("change_foc",
             [](const NativeStore& s, py::handle order_id, py::handle foc, py::handle comment) {
                 return call(s, &PortOutService::change_foc, as_text(order_id, "order id"),
                             as_datetime(foc, "FOC date"), [comment] { return text_or_empty(comment, "comment"); });
             },
             py::arg("order_id"), py::arg("foc"), py::arg("comment") = py::none())
        .def("order_history",
             [](const NativeStore& s, py::handle order_id) {
                 return call(s, &PortOutService::order_history, as_text(order_id, "order id"));
             })
        .def("settle_due_reviews",
             [](const NativeStore& s) { return call(s, &PortOutService::settle_due_reviews); })
        .def("set_freeze",
             [](const NativeStore& s, py::handle id, py::handle frozen) {
                 return call(s, &PortOutService::set_freeze, as_tenant(id), as_bool(frozen, "frozen"));
             })
        .def("receive_notifications",
             [](const NativeStore& s, py::handle consumer, py::handle max_count) {
                 return call(s, &PortOutService::receive_notifications, as_text(consumer, "consumer"),
                             as_count(max_count, "max_count"));
             })
        .def("acknowledge_notifications",
             [](const NativeStore& s, py::handle consumer, py::handle ids) {
                 return call(s, &PortOutService::acknowledge_notifications, as_text(consumer, "consumer"), [ids] {
                     std::vector<std::int64_t> list;
                     if (!py::isinstance<py::iterable>(ids) || PyUnicode_Check(ids.ptr())) {
                         list.push_back(int64_from_python(ids, "notification id"));
                     } else {
                         for (auto i : py::reinterpret_borrow<py::iterable>(ids)) {
                             list.push_back(int64_from_python(i, "notification id"));
                         }
                     }
                     return list;
                 });
             })
        .def("copy_to",
             [](const NativeStore& s, py::handle destination, PythonProgress progress) {
                 const auto hook = hook_of(std::move(progress));
                 const auto report = call(
                     s,
                     [&](PortOutService& svc, const std::string& d) {
                         return svc.copy_to(
                             [&] {
                                 if (d.empty()) throw InvalidArgumentError("InvalidStorePath", "The destination is empty.");
                                 return open_store(d, true, 30000);
                             },
                             hook);
                     },
                     as_text(destination, "destination"));
                 py::dict rows;
                 for (const auto& [table, count] : report.rows) rows[py::str(table)] = count;
                 return py::make_tuple(report.destination, rows);
             },
             py::arg("destination"), py::arg("progress") = nullptr)
        .def("rotate_key",
             [](const NativeStore& s, py::handle new_key, py::handle batch_size, PythonProgress progress) {
                 return call(s, &PortOutService::rotate_key, as_text(new_key, "new key file path"),
                             as_count(batch_size, "batch_size"), [&] { return hook_of(std::move(progress)); });
             },
             py::arg("new_key_file"), py::arg("batch_size") = 500, py::arg("progress") = nullptr);
    init_server_methods(cls);
}

}  // namespace portout::bindings
