// The store session: arguments are converted while the GIL is held, then every hashing and
// store call runs with the GIL released, so threads check PINs in parallel.
#include "bindings.hpp"

#include <portout/errors.hpp>
#include <portout/open_store.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <array>
#include <memory>
#include <mutex>

namespace portout::bindings {

namespace {

using release = py::gil_scoped_release;

// Owns the service; `close()` lets go of it while calls already running keep their reference.
class NativeStore {
public:
    NativeStore(std::shared_ptr<PortOutService> service, std::string path, std::string key_path)
        : service_(std::move(service)), path_(std::move(path)), key_path_(std::move(key_path)) {}

    std::shared_ptr<PortOutService> get() const {
        std::lock_guard lock(mutex_);
        if (!service_) {
            throw InvalidOperationError("StoreClosed", "The store session is closed.", path_);
        }
        return service_;
    }
    void close() {
        std::shared_ptr<PortOutService> last;
        {
            std::lock_guard lock(mutex_);
            last = std::move(service_);
        }
        release unlocked;
        last.reset();
    }
    bool closed() const {
        std::lock_guard lock(mutex_);
        return !service_;
    }
    const std::string& path() const { return path_; }
    const std::string& key_path() const { return key_path_; }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<PortOutService> service_;
    std::string path_;
    std::string key_path_;
};

HashProfile profile_from_python(py::handle value) {
    const auto name = text_from_python(value, "hash profile");
    if (auto p = parse_hash_profile(name)) return *p;
    throw InvalidArgumentError("UnknownHashProfile",
                               "The hash profile must be one of test, owasp, interactive, "
                               "moderate or sensitive.");
}

std::optional<int> optional_int(py::handle v, const char* name) {
    if (v.is_none()) return std::nullopt;
    return int_from_python(v, name);
}

}  // namespace

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

    py::class_<NativeStore>(m, "NativeStore", "A session on a store. Use portout.Store.")
        .def_static(
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
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto n = text_from_python(name, "display name");
                 const auto c = text_from_python(country, "country or region");
                 release unlocked;
                 return svc->create_tenant(i, n, c);
             })
        .def("import_tenants",
             [](const NativeStore& s, py::handle rows) {
                 auto svc = s.get();
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
                 release unlocked;
                 return svc->import_tenants(list);
             })
        .def("get_tenant",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 release unlocked;
                 return svc->get_tenant(i);
             })
        .def("list_tenants",
             [](const NativeStore& s, py::handle after, py::handle limit) {
                 auto svc = s.get();
                 const auto a = text_from_python(after, "after");
                 const auto l = int_from_python(limit, "limit");
                 release unlocked;
                 return svc->list_tenants(a, static_cast<std::size_t>(std::max(l, 1)));
             })
        .def("update_tenant",
             [](const NativeStore& s, py::handle id, py::handle name, py::handle country) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto n = optional_text_from_python(name, "display name");
                 const auto c = optional_text_from_python(country, "country or region");
                 release unlocked;
                 return svc->update_tenant(i, n ? std::optional<std::string_view>(*n) : std::nullopt,
                                           c ? std::optional<std::string_view>(*c) : std::nullopt);
             })
        .def("remove_tenant",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 release unlocked;
                 svc->remove_tenant(i);
             })

        .def("set_pin",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto secret = pin_from_python(pin);
                 release unlocked;
                 return svc->set_pin(i, secret.view());
             })
        .def("pin_status",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 release unlocked;
                 return svc->pin_status(i);
             })
        .def("list_pin_status",
             [](const NativeStore& s, py::handle after, py::handle limit) {
                 auto svc = s.get();
                 const auto a = text_from_python(after, "after");
                 const auto l = int_from_python(limit, "limit");
                 release unlocked;
                 return svc->list_pin_status(a, static_cast<std::size_t>(std::max(l, 1)));
             })
        .def("check_pin",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto secret = pin_from_python(pin);
                 release unlocked;
                 return svc->check_pin(i, secret.view());
             })
        .def("unlock_pin",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 release unlocked;
                 return svc->unlock_pin(i);
             })

        .def("get_policy",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = optional_text_from_python(id, "tenant id");
                 release unlocked;
                 return svc->get_policy(i ? std::optional<std::string_view>(*i) : std::nullopt);
             })
        .def("set_policy",
             [](const NativeStore& s, py::handle id, py::handle min_length, py::handle max_length,
                py::handle block_weak, py::handle blocklist, py::handle max_failed_attempts,
                py::handle lockout, py::handle max_lockout) {
                 auto svc = s.get();
                 const auto i = optional_text_from_python(id, "tenant id");
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
                 release unlocked;
                 return svc->set_policy(i ? std::optional<std::string_view>(*i) : std::nullopt, c);
             })
        .def("reset_policy",
             [](const NativeStore& s, py::handle id) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 release unlocked;
                 return svc->reset_policy(i);
             })
        .def("test_pin_policy",
             [](const NativeStore& s, py::handle id, py::handle pin) {
                 auto svc = s.get();
                 const auto i = optional_text_from_python(id, "tenant id");
                 const auto secret = pin_from_python(pin);
                 release unlocked;
                 return svc->test_pin_policy(i ? std::optional<std::string_view>(*i) : std::nullopt,
                                             secret.view());
             })

        .def("audit_events",
             [](const NativeStore& s, py::handle id, py::handle since, py::handle until,
                py::handle event_types, py::handle after, py::handle limit) {
                 auto svc = s.get();
                 AuditQuery q;
                 if (auto one = optional_text_from_python(id, "tenant id")) q.tenant_ids.push_back(*one);
                 if (!since.is_none()) q.since = millis_from_datetime(since, "since");
                 if (!until.is_none()) q.until = millis_from_datetime(until, "until");
                 for (auto t : py::reinterpret_borrow<py::iterable>(event_types)) {
                     q.event_types.push_back(text_from_python(t, "event type"));
                 }
                 q.after_event_id = int64_from_python(after, "after");
                 q.limit = static_cast<std::size_t>(std::max(int_from_python(limit, "limit"), 1));
                 release unlocked;
                 return svc->audit_events(q);
             })
        .def("verify_audit",
             [](const NativeStore& s, std::function<void(std::int64_t)> progress) {
                 auto svc = s.get();
                 release unlocked;
                 return svc->verify_audit(progress);
             },
             py::arg("progress") = nullptr)
        .def("add_number",
             [](const NativeStore& s, py::handle id, py::handle number) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto n = text_from_python(number, "phone number");
                 release unlocked;
                 return svc->add_number(i, n);
             })
        .def("remove_number",
             [](const NativeStore& s, py::handle id, py::handle number) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto n = text_from_python(number, "phone number");
                 release unlocked;
                 svc->remove_number(i, n);
             })
        .def("list_numbers",
             [](const NativeStore& s, py::handle id, py::handle after, py::handle limit) {
                 auto svc = s.get();
                 const auto i = optional_text_from_python(id, "tenant id");
                 const auto a = text_from_python(after, "after");
                 const auto l = int_from_python(limit, "limit");
                 release unlocked;
                 return svc->list_numbers(i ? std::optional<std::string_view>(*i) : std::nullopt, a,
                                          static_cast<std::size_t>(std::max(l, 1)));
             })
        .def("submit_order",
             [](const NativeStore& s, py::handle id, py::handle numbers, py::handle pin,
                py::handle carrier, py::handle requested_foc) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 std::vector<std::string> list;
                 if (PyUnicode_Check(numbers.ptr())) {
                     list.push_back(text_from_python(numbers, "phone number"));
                 } else if (py::isinstance<py::iterable>(numbers)) {
                     for (auto n : py::reinterpret_borrow<py::iterable>(numbers)) {
                         list.push_back(text_from_python(n, "phone number"));
                         if (list.size() > kMaxNumbersPerOrder) break;  // refused below, by count
                     }
                 } else {
                     throw InvalidTypeError("ParameterNotString",
                                            "The phone numbers must be a str or a collection of str.");
                 }
                 const auto secret = pin_from_python(pin);
                 const auto c = text_from_python(carrier, "gaining carrier");
                 std::optional<std::int64_t> foc;
                 if (!requested_foc.is_none()) foc = millis_from_datetime(requested_foc, "requested FOC date");
                 release unlocked;
                 return svc->submit_order(i, list, secret.view(), c, foc);
             })
        .def("get_order",
             [](const NativeStore& s, py::handle order_id) {
                 auto svc = s.get();
                 const auto o = text_from_python(order_id, "order id");
                 release unlocked;
                 return svc->get_order(o);
             })
        .def("list_orders",
             [](const NativeStore& s, py::handle id, py::handle status, py::handle carrier,
                py::handle after, py::handle limit) {
                 auto svc = s.get();
                 OrderQuery q;
                 if (auto one = optional_text_from_python(id, "tenant id")) q.tenant_ids.push_back(*one);
                 q.status = optional_text_from_python(status, "status");
                 q.carrier = optional_text_from_python(carrier, "gaining carrier");
                 q.after_seq = int64_from_python(after, "after");
                 q.limit = static_cast<std::size_t>(std::max(int_from_python(limit, "limit"), 1));
                 std::vector<Order> found;
                 {
                     release unlocked;
                     found = svc->list_orders(q);
                 }
                 const auto next = found.empty() ? q.after_seq : found.back().seq;
                 return py::make_tuple(py::cast(std::move(found)), next);
             })
        .def("confirm_order",
             [](const NativeStore& s, py::handle order_id, py::handle foc) {
                 auto svc = s.get();
                 const auto o = text_from_python(order_id, "order id");
                 const auto f = millis_from_datetime(foc, "FOC date");
                 release unlocked;
                 return svc->confirm_order(o, f);
             })
        .def("complete_order",
             [](const NativeStore& s, py::handle order_id) {
                 auto svc = s.get();
                 const auto o = text_from_python(order_id, "order id");
                 release unlocked;
                 return svc->complete_order(o);
             })
        .def("cancel_order",
             [](const NativeStore& s, py::handle order_id) {
                 auto svc = s.get();
                 const auto o = text_from_python(order_id, "order id");
                 release unlocked;
                 return svc->cancel_order(o);
             })
        .def("set_freeze",
             [](const NativeStore& s, py::handle id, py::handle frozen) {
                 auto svc = s.get();
                 const auto i = text_from_python(id, "tenant id");
                 const auto f = bool_from_python(frozen, "frozen");
                 release unlocked;
                 return svc->set_freeze(i, f);
             })
        .def("receive_notifications",
             [](const NativeStore& s, py::handle consumer, py::handle max_count) {
                 auto svc = s.get();
                 const auto c = text_from_python(consumer, "consumer");
                 const auto n = int_from_python(max_count, "max_count");
                 if (n < 1) throw InvalidArgumentError("SettingOutOfRange", "The max_count must be at least 1.");
                 release unlocked;
                 return svc->receive_notifications(c, static_cast<std::size_t>(n));
             })
        .def("acknowledge_notifications",
             [](const NativeStore& s, py::handle consumer, py::handle ids) {
                 auto svc = s.get();
                 const auto c = text_from_python(consumer, "consumer");
                 std::vector<std::int64_t> list;
                 if (!py::isinstance<py::iterable>(ids) || PyUnicode_Check(ids.ptr())) {
                     list.push_back(int64_from_python(ids, "notification id"));
                 } else {
                     for (auto i : py::reinterpret_borrow<py::iterable>(ids)) {
                         list.push_back(int64_from_python(i, "notification id"));
                     }
                 }
                 release unlocked;
                 return svc->acknowledge_notifications(c, list);
             })
        .def("copy_to",
             [](const NativeStore& s, py::handle destination,
                std::function<void(const std::string&, std::int64_t)> progress) {
                 auto svc = s.get();
                 const auto d = text_from_python(destination, "destination");
                 CopyReport report;
                 {
                     release unlocked;
                     report = svc->copy_to(
                         [&] {
                             if (d.empty()) throw InvalidArgumentError("InvalidStorePath", "The destination is empty.");
                             return open_store(d, true, 30000);
                         },
                         progress);
                 }
                 py::dict rows;
                 for (const auto& [table, count] : report.rows) rows[py::str(table)] = count;
                 return py::make_tuple(report.destination, rows);
             },
             py::arg("destination"), py::arg("progress") = nullptr)
        .def("rotate_key",
             [](const NativeStore& s, py::handle new_key, py::handle batch_size,
                std::function<void(std::int64_t, std::int64_t)> progress) {
                 auto svc = s.get();
                 const auto path = text_from_python(new_key, "new key file path");
                 const auto batch = int_from_python(batch_size, "batch_size");
                 if (batch < 1) throw InvalidArgumentError("SettingOutOfRange", "The batch_size must be at least 1.");
                 std::function<void(const RotationProgress&)> hook;
                 if (progress) hook = [progress](const RotationProgress& p) { progress(p.done, p.total); };
                 release unlocked;
                 return svc->rotate_key(path, static_cast<std::size_t>(batch), hook);
             },
             py::arg("new_key_file"), py::arg("batch_size") = 500, py::arg("progress") = nullptr);
}

}  // namespace portout::bindings
