// The result records of the service, as read-only Python objects with PowerShell's property
// names in snake_case, times as aware UTC datetimes, durations as timedeltas.
#include "bindings.hpp"

#include <portout/clock.hpp>
#include <portout/service.hpp>

#include <pybind11/stl.h>

namespace portout::bindings {

namespace {

template <class T, class F>
void prop(py::class_<T>& cls, const char* name, F getter) {
    cls.def_property_readonly(name, getter);
}

}  // namespace

void init_records(py::module_& m) {
    py::class_<ManualClock, std::shared_ptr<ManualClock>>(
        m, "ManualClock", "A clock that moves only when told to: for tests of lockout expiry.")
        .def(py::init([](py::handle start) {
                 return std::make_shared<ManualClock>(
                     start.is_none() ? SystemClock().now_ms() : millis_from_datetime(start, "start"));
             }),
             py::arg("start") = py::none())
        .def("now", [](const ManualClock& c) { return datetime_from_millis(c.now_ms()); })
        .def("set", [](ManualClock& c, py::handle when) { c.set_ms(millis_from_datetime(when, "time")); },
             py::arg("when"))
        .def("advance", [](ManualClock& c, py::handle by) { c.advance_ms(millis_from_duration(by, "duration")); },
             py::arg("by"), "Moves the clock on by a timedelta or a number of seconds.")
        .def("__repr__", [](const ManualClock& c) {
            return "ManualClock(" + py::repr(datetime_from_millis(c.now_ms())).cast<std::string>() + ")";
        });

    py::class_<Tenant> tenant(m, "Tenant", "A tenant: an organization whose numbers may be ported out.");
    prop(tenant, "tenant_id", [](const Tenant& t) { return t.tenant_id; });
    prop(tenant, "display_name", [](const Tenant& t) { return t.display_name; });
    prop(tenant, "country_or_region", [](const Tenant& t) { return t.country; });
    prop(tenant, "pin_is_set", [](const Tenant& t) { return t.pin_is_set; });
    prop(tenant, "port_out_frozen", [](const Tenant& t) { return t.port_out_frozen; });
    prop(tenant, "created_date_time", [](const Tenant& t) { return datetime_from_millis(t.created_at); });
    prop(tenant, "last_modified_date_time", [](const Tenant& t) { return datetime_from_millis(t.modified_at); });
    prop(tenant, "last_modified_by", [](const Tenant& t) { return t.modified_by; });
    add_record_protocol(tenant, "Tenant",
                        {"tenant_id", "display_name", "country_or_region", "pin_is_set",
                         "port_out_frozen", "created_date_time", "last_modified_date_time",
                         "last_modified_by"});

    py::class_<PinStatus> status(m, "PinStatus",
                                 "What an admin may know of a tenant's PIN: never the PIN or its hash.");
    prop(status, "tenant_id", [](const PinStatus& s) { return s.tenant_id; });
    prop(status, "pin_is_set", [](const PinStatus& s) { return s.pin_is_set; });
    prop(status, "pin_set_date_time", [](const PinStatus& s) { return datetime_from_millis(s.pin_set_at); });
    prop(status, "last_modified_date_time", [](const PinStatus& s) { return datetime_from_millis(s.last_modified_at); });
    prop(status, "last_modified_by", [](const PinStatus& s) { return s.last_modified_by; });
    prop(status, "failed_attempt_count", [](const PinStatus& s) { return s.failed_attempt_count; });
    prop(status, "locked_until", [](const PinStatus& s) { return datetime_from_millis(s.locked_until); });
    prop(status, "is_locked", [](const PinStatus& s) { return s.locked_until.has_value(); });
    prop(status, "lockout_count", [](const PinStatus& s) { return s.lockout_count; });
    prop(status, "last_check_date_time", [](const PinStatus& s) { return datetime_from_millis(s.last_check_at); });
    prop(status, "last_check_result", [](const PinStatus& s) { return s.last_check_result; });
    add_record_protocol(status, "PinStatus",
                        {"tenant_id", "pin_is_set", "pin_set_date_time", "last_modified_date_time",
                         "last_modified_by", "failed_attempt_count", "locked_until", "lockout_count",
                         "last_check_date_time", "last_check_result"});

    py::class_<EffectivePolicy> policy(m, "PolicySettings",
                                       "The PIN and lockout policy of the store, or of one tenant.");
    prop(policy, "identity", [](const EffectivePolicy& p) -> py::object {
        return p.scope.empty() ? py::object(py::none()) : py::object(py::str(p.scope));
    });
    prop(policy, "min_length", [](const EffectivePolicy& p) { return p.pin_policy.min_length(); });
    prop(policy, "max_length", [](const EffectivePolicy& p) { return p.pin_policy.max_length(); });
    prop(policy, "block_weak", [](const EffectivePolicy& p) { return p.pin_policy.block_weak(); });
    prop(policy, "blocklist", [](const EffectivePolicy& p) {
        py::tuple out(p.pin_policy.blocklist().size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(p.pin_policy.blocklist()[i]);
        return out;
    });
    prop(policy, "max_failed_attempts", [](const EffectivePolicy& p) { return p.max_failed_attempts; });
    prop(policy, "lockout_duration", [](const EffectivePolicy& p) { return timedelta_from_millis(p.lockout_ms); });
    prop(policy, "max_lockout_duration", [](const EffectivePolicy& p) { return timedelta_from_millis(p.max_lockout_ms); });
    prop(policy, "overridden", [](const EffectivePolicy& p) {
        py::tuple out(p.overridden.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(p.overridden[i]);
        return out;
    });
    prop(policy, "pin_policy", [](const EffectivePolicy& p) { return p.pin_policy; });
    add_record_protocol(policy, "PolicySettings",
                        {"identity", "min_length", "max_length", "block_weak", "blocklist",
                         "max_failed_attempts", "lockout_duration", "max_lockout_duration", "overridden"});

    py::class_<AuditEvent> event(m, "AuditEvent", "One event of the audit chain. Never holds a PIN.");
    prop(event, "event_id", [](const AuditEvent& e) { return e.event_id; });
    prop(event, "occurred_date_time", [](const AuditEvent& e) { return datetime_from_millis(e.occurred_at); });
    prop(event, "event_type", [](const AuditEvent& e) { return e.event_type; });
    prop(event, "tenant_id", [](const AuditEvent& e) { return e.tenant_id; });
    prop(event, "actor", [](const AuditEvent& e) { return e.actor; });
    prop(event, "outcome", [](const AuditEvent& e) { return e.outcome; });
    prop(event, "reason", [](const AuditEvent& e) { return e.reason; });
    prop(event, "details", [](const AuditEvent& e) { return e.details; });
    add_record_protocol(event, "AuditEvent",
                        {"event_id", "occurred_date_time", "event_type", "tenant_id", "actor",
                         "outcome", "reason", "details"});

    py::class_<AuditVerification> verification(m, "AuditVerification",
                                               "The result of walking the audit chain.");
    prop(verification, "is_valid", [](const AuditVerification& v) { return v.is_valid; });
    prop(verification, "event_count", [](const AuditVerification& v) { return v.event_count; });
    prop(verification, "first_broken_event_id", [](const AuditVerification& v) { return v.first_broken_event_id; });
    prop(verification, "problem", [](const AuditVerification& v) -> py::object {
        return v.problem.empty() ? py::object(py::none()) : py::object(py::str(v.problem));
    });
    add_record_protocol(verification, "AuditVerification",
                        {"is_valid", "event_count", "first_broken_event_id", "problem"});
    verification.def("__bool__", [](const AuditVerification& v) { return v.is_valid; });

    py::class_<PhoneNumber> number(m, "PhoneNumber", "A number in a tenant's inventory (E.164).");
    prop(number, "phone_number", [](const PhoneNumber& n) { return n.number; });
    prop(number, "tenant_id", [](const PhoneNumber& n) { return n.tenant_id; });
    prop(number, "added_date_time", [](const PhoneNumber& n) { return datetime_from_millis(n.added_at); });
    prop(number, "added_by", [](const PhoneNumber& n) { return n.added_by; });
    add_record_protocol(number, "PhoneNumber", {"phone_number", "tenant_id", "added_date_time", "added_by"});

    py::class_<OrderNumber> line(m, "OrderNumber", "A number named by a port-out order, and its problem if any.");
    prop(line, "phone_number", [](const OrderNumber& n) { return n.number; });
    prop(line, "problem", [](const OrderNumber& n) -> py::object {
        return n.problem.empty() ? py::object(py::none()) : py::object(py::str(n.problem));
    });
    add_record_protocol(line, "OrderNumber", {"phone_number", "problem"});

    py::class_<Order> order(m, "Order", "A port-out order: a gaining carrier's request and its state.");
    prop(order, "order_id", [](const Order& o) { return o.order_id; });
    prop(order, "tenant_id", [](const Order& o) { return o.tenant_id; });
    prop(order, "gaining_carrier", [](const Order& o) { return o.gaining_carrier; });
    prop(order, "submitted_by", [](const Order& o) { return o.submitted_by; });
    prop(order, "status", [](const Order& o) { return o.status; });
    prop(order, "reason", [](const Order& o) -> py::object {
        return o.reason.empty() ? py::object(py::none()) : py::object(py::str(o.reason));
    });
    prop(order, "internal_reason", [](const Order& o) -> py::object {
        return o.internal_reason.empty() ? py::object(py::none()) : py::object(py::str(o.internal_reason));
    });
    prop(order, "phone_numbers", [](const Order& o) {
        py::tuple out(o.numbers.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(o.numbers[i].number);
        return out;
    });
    prop(order, "number_problems", [](const Order& o) {
        py::dict out;
        for (const auto& n : o.numbers) {
            if (!n.problem.empty()) out[py::str(n.number)] = py::str(n.problem);
        }
        return out;
    });
    prop(order, "requested_foc_date", [](const Order& o) { return datetime_from_millis(o.requested_foc); });
    prop(order, "foc_date", [](const Order& o) { return datetime_from_millis(o.foc); });
    prop(order, "created_date_time", [](const Order& o) { return datetime_from_millis(o.created_at); });
    prop(order, "last_modified_date_time", [](const Order& o) { return datetime_from_millis(o.modified_at); });
    prop(order, "last_modified_by", [](const Order& o) { return o.modified_by; });
    add_record_protocol(order, "Order",
                        {"order_id", "tenant_id", "gaining_carrier", "status", "reason",
                         "internal_reason", "phone_numbers", "number_problems", "requested_foc_date",
                         "foc_date", "submitted_by", "created_date_time", "last_modified_date_time",
                         "last_modified_by"});

    py::class_<Notification> note(m, "Notification", "One event of the outbox, for its consumers.");
    prop(note, "notification_id", [](const Notification& n) { return n.notification_id; });
    prop(note, "occurred_date_time", [](const Notification& n) { return datetime_from_millis(n.occurred_at); });
    prop(note, "kind", [](const Notification& n) { return n.kind; });
    prop(note, "tenant_id", [](const Notification& n) { return n.tenant_id; });
    prop(note, "order_id", [](const Notification& n) -> py::object {
        return n.order_id.empty() ? py::object(py::none()) : py::object(py::str(n.order_id));
    });
    prop(note, "summary", [](const Notification& n) { return n.summary; });
    prop(note, "details", [](const Notification& n) { return n.details; });
    add_record_protocol(note, "Notification",
                        {"notification_id", "occurred_date_time", "kind", "tenant_id", "order_id",
                         "summary", "details"});

    py::class_<RotationReport> rotation(m, "RotationReport", "What a key rotation did.");
    prop(rotation, "old_key_id", [](const RotationReport& r) { return r.old_key_id; });
    prop(rotation, "new_key_id", [](const RotationReport& r) { return r.new_key_id; });
    prop(rotation, "records_rotated", [](const RotationReport& r) { return r.records_rotated; });
    prop(rotation, "batches", [](const RotationReport& r) { return r.batches; });
    prop(rotation, "resumed", [](const RotationReport& r) { return r.resumed; });
    prop(rotation, "started_date_time", [](const RotationReport& r) { return datetime_from_millis(r.started_at); });
    prop(rotation, "completed_date_time", [](const RotationReport& r) { return datetime_from_millis(r.completed_at); });
    add_record_protocol(rotation, "RotationReport",
                        {"old_key_id", "new_key_id", "records_rotated", "batches", "resumed",
                         "started_date_time", "completed_date_time"});
}

}  // namespace portout::bindings
