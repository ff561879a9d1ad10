// The result records of the service, as read-only Python objects with PowerShell's property
// names in snake_case, times as aware UTC datetimes, durations as timedeltas.
#include "bindings.hpp"

#include <portout/clock.hpp>
#include <portout/service.hpp>

#include <pybind11/stl.h>

namespace portout::bindings {

namespace {

py::tuple tuple_of(const std::vector<std::string>& items) {
    py::tuple out(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) out[i] = py::str(items[i]);
    return out;
}

// A record type: each field is named once, as its property is defined; `done()` gives the type
// its repr, equality, `_fields` and `to_dict()` from the fields, in the order defined.
template <class T>
class Record {
public:
    Record(py::module_& m, const char* name, const char* doc) : cls_(m, name, doc), name_(name) {}

    template <class F>
    Record& field(const char* name, F getter) {
        cls_.def_property_readonly(name, getter);
        fields_.push_back(name);
        return *this;
    }
    // A property that is not one of the record's fields.
    template <class F>
    Record& property(const char* name, F getter) {
        cls_.def_property_readonly(name, getter);
        return *this;
    }
    py::class_<T>& done() {
        add_record_protocol(cls_, name_, fields_);
        return cls_;
    }

private:
    py::class_<T> cls_;
    const char* name_;
    std::vector<const char*> fields_;
};

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

    Record<Tenant>(m, "Tenant", "A tenant: an organization whose numbers may be ported out.")
        .field("tenant_id", [](const Tenant& t) { return t.tenant_id; })
        .field("display_name", [](const Tenant& t) { return t.display_name; })
        .field("country_or_region", [](const Tenant& t) { return t.country; })
        .field("pin_is_set", [](const Tenant& t) { return t.pin_is_set; })
        .field("port_out_frozen", [](const Tenant& t) { return t.port_out_frozen; })
        .field("created_date_time", [](const Tenant& t) { return datetime_from_millis(t.created_at); })
        .field("last_modified_date_time", [](const Tenant& t) { return datetime_from_millis(t.modified_at); })
        .field("last_modified_by", [](const Tenant& t) { return t.modified_by; })
        .field("account_number", [](const Tenant& t) { return t.account_number; })
        .field("service_zip_code", [](const Tenant& t) -> py::object {
            return t.service_zip.empty() ? py::object(py::none()) : py::object(py::str(t.service_zip));
        })
        .field("authorized_name", [](const Tenant& t) { return t.authorized_name; })
        .field("time_zone", [](const Tenant& t) { return t.time_zone; })
        .done();

    Record<CarrierPinState>(m, "CarrierPinState",
                            "One requesting carrier's failed PIN checks of a tenant, and its own lock.")
        .field("carrier", [](const CarrierPinState& c) { return c.carrier; })
        .field("failed_attempt_count", [](const CarrierPinState& c) { return c.failed_attempt_count; })
        .field("locked_until", [](const CarrierPinState& c) { return datetime_from_millis(c.locked_until); })
        .property("is_locked", [](const CarrierPinState& c) { return c.locked_until.has_value(); })
        .field("lockout_count", [](const CarrierPinState& c) { return c.lockout_count; })
        .field("failures_in_window", [](const CarrierPinState& c) { return c.failures_in_window; })
        .field("last_failure_date_time", [](const CarrierPinState& c) { return datetime_from_millis(c.last_failure_at); })
        .done();

    Record<PinStatus>(m, "PinStatus", "What an admin may know of a tenant's PIN: never the PIN or its hash.")
        .field("tenant_id", [](const PinStatus& s) { return s.tenant_id; })
        .field("pin_is_set", [](const PinStatus& s) { return s.pin_is_set; })
        .field("pin_set_date_time", [](const PinStatus& s) { return datetime_from_millis(s.pin_set_at); })
        .field("last_modified_date_time", [](const PinStatus& s) { return datetime_from_millis(s.last_modified_at); })
        .field("last_modified_by", [](const PinStatus& s) { return s.last_modified_by; })
        .field("failed_attempt_count", [](const PinStatus& s) { return s.failed_attempt_count; })
        .field("locked_until", [](const PinStatus& s) { return datetime_from_millis(s.locked_until); })
        .property("is_locked", [](const PinStatus& s) { return s.locked_until.has_value(); })
        .field("lockout_count", [](const PinStatus& s) { return s.lockout_count; })
        .field("last_check_date_time", [](const PinStatus& s) { return datetime_from_millis(s.last_check_at); })
        .field("last_check_result", [](const PinStatus& s) { return s.last_check_result; })
        .field("carriers", [](const PinStatus& s) { return py::tuple(py::cast(s.carriers)); })
        .done();

    Record<EffectivePolicy>(m, "PolicySettings", "The PIN and lockout policy of the store, or of one tenant.")
        .field("identity", [](const EffectivePolicy& p) -> py::object {
            return p.scope.empty() ? py::object(py::none()) : py::object(py::str(p.scope));
        })
        .field("min_length", [](const EffectivePolicy& p) { return p.pin_policy.min_length(); })
        .field("max_length", [](const EffectivePolicy& p) { return p.pin_policy.max_length(); })
        .field("block_weak", [](const EffectivePolicy& p) { return p.pin_policy.block_weak(); })
        .field("blocklist", [](const EffectivePolicy& p) {
            py::tuple out(p.pin_policy.blocklist().size());
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(p.pin_policy.blocklist()[i]);
            return out;
        })
        .field("max_failed_attempts", [](const EffectivePolicy& p) { return p.max_failed_attempts; })
        .field("lockout_duration", [](const EffectivePolicy& p) { return timedelta_from_millis(p.lockout_ms); })
        .field("max_lockout_duration", [](const EffectivePolicy& p) { return timedelta_from_millis(p.max_lockout_ms); })
        .field("tenant_max_failures", [](const EffectivePolicy& p) { return p.tenant_max_failures; })
        .field("failure_window", [](const EffectivePolicy& p) { return timedelta_from_millis(p.failure_window_ms); })
        .field("review_window", [](const EffectivePolicy& p) { return timedelta_from_millis(p.review_window_ms); })
        .field("review_deadline_action", [](const EffectivePolicy& p) { return p.review_deadline_action; })
        .field("min_foc_business_days", [](const EffectivePolicy& p) { return p.min_foc_business_days; })
        .field("max_foc_days", [](const EffectivePolicy& p) { return p.max_foc_days; })
        .field("cancel_cutoff", [](const EffectivePolicy& p) { return timedelta_from_millis(p.cancel_cutoff_ms); })
        .field("holidays", [](const EffectivePolicy& p) { return py::tuple(py::cast(p.holidays)); })
        .field("overridden", [](const EffectivePolicy& p) {
            py::tuple out(p.overridden.size());
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(p.overridden[i]);
            return out;
        })
        .property("pin_policy", [](const EffectivePolicy& p) { return p.pin_policy; })
        .done();

    Record<AuditEvent>(m, "AuditEvent", "One event of the audit chain. Never holds a PIN.")
        .field("event_id", [](const AuditEvent& e) { return e.event_id; })
        .field("occurred_date_time", [](const AuditEvent& e) { return datetime_from_millis(e.occurred_at); })
        .field("event_type", [](const AuditEvent& e) { return e.event_type; })
        .field("tenant_id", [](const AuditEvent& e) { return e.tenant_id; })
        .field("actor", [](const AuditEvent& e) { return e.actor; })
        .field("outcome", [](const AuditEvent& e) { return e.outcome; })
        .field("reason", [](const AuditEvent& e) { return e.reason; })
        .field("details", [](const AuditEvent& e) { return e.details; })
        .done();

    Record<AuditVerification>(m, "AuditVerification", "The result of walking the audit chain.")
        .field("is_valid", [](const AuditVerification& v) { return v.is_valid; })
        .field("event_count", [](const AuditVerification& v) { return v.event_count; })
        .field("first_broken_event_id", [](const AuditVerification& v) { return v.first_broken_event_id; })
        .field("problem", [](const AuditVerification& v) -> py::object {
            return v.problem.empty() ? py::object(py::none()) : py::object(py::str(v.problem));
        })
        .field("checkpoints_checked", [](const AuditVerification& v) { return v.checkpoints_checked; })
        .field("failed_checkpoint", [](const AuditVerification& v) { return v.failed_checkpoint; })
        .done()

        .def("__bool__", [](const AuditVerification& v) { return v.is_valid; });

    Record<AuditCheckpoint>(m, "AuditCheckpoint",
                            "A signed checkpoint of the audit chain's head, to keep outside the store.")
        .field("store_id", [](const AuditCheckpoint& c) { return c.store_id; })
        .field("event_id", [](const AuditCheckpoint& c) { return c.event_id; })
        .field("event_mac", [](const AuditCheckpoint& c) { return c.event_mac; })
        .field("event_count", [](const AuditCheckpoint& c) { return c.event_count; })
        .field("taken_date_time", [](const AuditCheckpoint& c) { return datetime_from_millis(c.taken_at_ms); })
        .field("key_id", [](const AuditCheckpoint& c) { return c.key_id; })
        .field("public_key", [](const AuditCheckpoint& c) { return c.public_key; })
        .field("signature", [](const AuditCheckpoint& c) { return c.signature; })
        .property("document", [](const AuditCheckpoint& c) { return c.document; })
        .done();
    m.def("parse_audit_checkpoint",
          [](py::handle document) { return parse_audit_checkpoint(text_from_python(document, "checkpoint")); },
          py::arg("document"),
          "Reads a checkpoint document without judging its signature (CheckpointMalformed when it is "
          "not one).");

    Record<PhoneNumber>(m, "PhoneNumber", "A number in a tenant's inventory (E.164).")
        .field("phone_number", [](const PhoneNumber& n) { return n.number; })
        .field("tenant_id", [](const PhoneNumber& n) { return n.tenant_id; })
        .field("added_date_time", [](const PhoneNumber& n) { return datetime_from_millis(n.added_at); })
        .field("added_by", [](const PhoneNumber& n) { return n.added_by; })
        .done();

    Record<OrderNumber>(m, "OrderNumber", "A number named by a port-out order, and its problem if any.")
        .field("phone_number", [](const OrderNumber& n) { return n.number; })
        .field("problem", [](const OrderNumber& n) -> py::object {
            return n.problem.empty() ? py::object(py::none()) : py::object(py::str(n.problem));
        })
        .done();

    Record<Order>(m, "Order", "A port-out order: a gaining carrier's request and its state.")
        .field("order_id", [](const Order& o) { return o.order_id; })
        .field("tenant_id", [](const Order& o) { return o.tenant_id; })
        .field("gaining_carrier", [](const Order& o) { return o.gaining_carrier; })
        .field("status", [](const Order& o) { return o.status; })
        .field("reason", [](const Order& o) -> py::object {
            return o.reason.empty() ? py::object(py::none()) : py::object(py::str(o.reason));
        })
        .field("internal_reason", [](const Order& o) -> py::object {
            return o.internal_reason.empty() ? py::object(py::none()) : py::object(py::str(o.internal_reason));
        })
        .field("phone_numbers", [](const Order& o) {
            py::tuple out(o.numbers.size());
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = py::str(o.numbers[i].number);
            return out;
        })
        .field("number_problems", [](const Order& o) {
            py::dict out;
            for (const auto& n : o.numbers) {
                if (!n.problem.empty()) out[py::str(n.number)] = py::str(n.problem);
            }
            return out;
        })
        .field("requested_foc_date", [](const Order& o) { return datetime_from_millis(o.requested_foc); })
        .field("foc_date", [](const Order& o) { return datetime_from_millis(o.foc); })
        .field("submitted_by", [](const Order& o) { return o.submitted_by; })
        .field("created_date_time", [](const Order& o) { return datetime_from_millis(o.created_at); })
        .field("last_modified_date_time", [](const Order& o) { return datetime_from_millis(o.modified_at); })
        .field("last_modified_by", [](const Order& o) { return o.modified_by; })
        .field("carrier_spid", [](const Order& o) -> py::object {
            return o.carrier_spid.empty() ? py::object(py::none()) : py::object(py::str(o.carrier_spid));
        })
        .field("purchase_order_number", [](const Order& o) -> py::object {
            return o.pon.empty() ? py::object(py::none()) : py::object(py::str(o.pon));
        })
        .field("account_number", [](const Order& o) -> py::object {
            return o.account_number.empty() ? py::object(py::none()) : py::object(py::str(o.account_number));
        })
        .field("service_zip_code", [](const Order& o) -> py::object {
            return o.service_zip.empty() ? py::object(py::none()) : py::object(py::str(o.service_zip));
        })
        .field("authorized_name", [](const Order& o) -> py::object {
            return o.authorized_name.empty() ? py::object(py::none()) : py::object(py::str(o.authorized_name));
        })
        .field("port_type", [](const Order& o) -> py::object {
            return o.port_type.empty() ? py::object(py::none()) : py::object(py::str(o.port_type));
        })
        .field("review_deadline", [](const Order& o) { return datetime_from_millis(o.review_deadline); })
        .field("approved_date_time", [](const Order& o) { return datetime_from_millis(o.approved_at); })
        .field("comment", [](const Order& o) -> py::object {
            return o.comment.empty() ? py::object(py::none()) : py::object(py::str(o.comment));
        })
        .field("idempotency_key", [](const Order& o) -> py::object {
            return o.idempotency_key.empty() ? py::object(py::none()) : py::object(py::str(o.idempotency_key));
        })
        .done();

    Record<Principal>(m, "Principal",
                      "Who signs in to the store's server: an API credential (a machine's token) or an "
                      "account (a person's password). Never a secret.")
        .field("name", [](const Principal& p) { return p.name; })
        .field("kind", [](const Principal& p) { return p.kind; })
        .field("role", [](const Principal& p) { return p.role; })
        .field("tenant_scope", [](const Principal& p) {
            py::tuple out(p.tenant_scope.size());
            for (std::size_t i = 0; i < p.tenant_scope.size(); ++i) out[i] = py::str(p.tenant_scope[i]);
            return out;
        })
        .field("carrier_name", [](const Principal& p) -> py::object {
            return p.carrier_name.empty() ? py::object(py::none()) : py::object(py::str(p.carrier_name));
        })
        .field("carrier_spid", [](const Principal& p) -> py::object {
            return p.carrier_spid.empty() ? py::object(py::none()) : py::object(py::str(p.carrier_spid));
        })
        .field("actor", [](const Principal& p) { return p.actor; })
        .field("principal_id", [](const Principal& p) { return p.principal_id; })
        .field("expires_date_time", [](const Principal& p) { return datetime_from_millis(p.expires_at); })
        .field("created_date_time", [](const Principal& p) { return datetime_from_millis(p.created_at); })
        .field("created_by", [](const Principal& p) { return p.created_by; })
        .field("last_used_date_time", [](const Principal& p) { return datetime_from_millis(p.last_used_at); })
        .field("totp_enabled", [](const Principal& p) { return p.totp; })
        .done();

    Record<Subscription>(m, "Subscription",
                         "Where notifications are delivered: a webhook, or a tenant's e-mail contact. Never its "
                         "secret.")
        .field("subscription_id", [](const Subscription& s) { return s.subscription_id; })
        .field("kind", [](const Subscription& s) { return s.kind; })
        .field("target", [](const Subscription& s) { return s.target; })
        .field("events", [](const Subscription& s) { return tuple_of(s.events); })
        .field("tenant_scope", [](const Subscription& s) { return tuple_of(s.tenant_scope); })
        .field("audience", [](const Subscription& s) -> py::object {
            return s.audience.empty() ? py::object(py::none()) : py::object(py::str(s.audience));
        })
        .field("created_date_time", [](const Subscription& s) { return datetime_from_millis(s.created_at); })
        .field("created_by", [](const Subscription& s) { return s.created_by; })
        .done();

    Record<DeliveryAttempt>(m, "DeliveryAttempt", "One try at delivering a notification, as the sender saw it.")
        .field("attempt", [](const DeliveryAttempt& a) { return a.attempt; })
        .field("started_date_time", [](const DeliveryAttempt& a) { return datetime_from_millis(a.started_at); })
        .field("duration_ms", [](const DeliveryAttempt& a) { return a.duration_ms; })
        .field("outcome", [](const DeliveryAttempt& a) { return a.outcome; })
        .field("status_code", [](const DeliveryAttempt& a) -> py::object {
            return a.status_code == 0 ? py::object(py::none()) : py::object(py::int_(a.status_code));
        })
        .field("error", [](const DeliveryAttempt& a) -> py::object {
            return a.error.empty() ? py::object(py::none()) : py::object(py::str(a.error));
        })
        .done();

    Record<Delivery>(m, "Delivery", "A notification's delivery to one subscription, with each attempt.")
        .field("delivery_id", [](const Delivery& d) { return d.delivery_id; })
        .field("status", [](const Delivery& d) { return d.status; })
        .field("event", [](const Delivery& d) { return d.event; })
        .field("kind", [](const Delivery& d) { return d.kind; })
        .field("target", [](const Delivery& d) { return d.target; })
        .field("subscription_id", [](const Delivery& d) { return d.subscription_id; })
        .field("notification_id", [](const Delivery& d) { return d.notification_id; })
        .field("tenant_id", [](const Delivery& d) -> py::object {
            return d.tenant_id.empty() ? py::object(py::none()) : py::object(py::str(d.tenant_id));
        })
        .field("order_id", [](const Delivery& d) -> py::object {
            return d.order_id.empty() ? py::object(py::none()) : py::object(py::str(d.order_id));
        })
        .field("attempts", [](const Delivery& d) { return d.attempts; })
        .field("created_date_time", [](const Delivery& d) { return datetime_from_millis(d.created_at); })
        .field("next_attempt_date_time", [](const Delivery& d) -> py::object {
            return d.status == "Pending" ? datetime_from_millis(d.next_attempt_at) : py::object(py::none());
        })
        .field("delivered_date_time", [](const Delivery& d) { return datetime_from_millis(d.delivered_at); })
        .field("last_error", [](const Delivery& d) -> py::object {
            return d.last_error.empty() ? py::object(py::none()) : py::object(py::str(d.last_error));
        })
        .field("attempt_log", [](const Delivery& d) {
            py::tuple out(d.attempt_log.size());
            for (std::size_t i = 0; i < d.attempt_log.size(); ++i) out[i] = py::cast(d.attempt_log[i]);
            return out;
        })
        .done();

    Record<DueDelivery>(m, "DueDelivery",
                        "A delivery claimed for the server's sender: what to send, where, and its signature.")
        .field("delivery_id", [](const DueDelivery& d) { return d.delivery_id; })
        .field("subscription_id", [](const DueDelivery& d) { return d.subscription_id; })
        .field("kind", [](const DueDelivery& d) { return d.kind; })
        .field("target", [](const DueDelivery& d) { return d.target; })
        .field("event", [](const DueDelivery& d) { return d.event; })
        .field("attempt", [](const DueDelivery& d) { return d.attempt; })
        .field("subject", [](const DueDelivery& d) { return d.subject; })
        .field("body", [](const DueDelivery& d) { return d.body; })
        .field("signature", [](const DueDelivery& d) { return d.signature; })
        .done();

    Record<OrderStep>(m, "OrderStep", "One transition of a port-out order: who, when and why.")
        .field("order_id", [](const OrderStep& s) { return s.order_id; })
        .field("step", [](const OrderStep& s) { return s.step; })
        .field("occurred_date_time", [](const OrderStep& s) { return datetime_from_millis(s.occurred_at); })
        .field("actor", [](const OrderStep& s) { return s.actor; })
        .field("from_status", [](const OrderStep& s) -> py::object {
            return s.from_status.empty() ? py::object(py::none()) : py::object(py::str(s.from_status));
        })
        .field("to_status", [](const OrderStep& s) { return s.to_status; })
        .field("reason", [](const OrderStep& s) -> py::object {
            return s.reason.empty() ? py::object(py::none()) : py::object(py::str(s.reason));
        })
        .field("internal_reason", [](const OrderStep& s) -> py::object {
            return s.internal_reason.empty() ? py::object(py::none()) : py::object(py::str(s.internal_reason));
        })
        .field("comment", [](const OrderStep& s) -> py::object {
            return s.comment.empty() ? py::object(py::none()) : py::object(py::str(s.comment));
        })
        .field("foc_date", [](const OrderStep& s) { return datetime_from_millis(s.foc); })
        .done();

    Record<Notification>(m, "Notification", "One event of the outbox, for its consumers.")
        .field("notification_id", [](const Notification& n) { return n.notification_id; })
        .field("occurred_date_time", [](const Notification& n) { return datetime_from_millis(n.occurred_at); })
        .field("kind", [](const Notification& n) { return n.kind; })
        .field("tenant_id", [](const Notification& n) { return n.tenant_id; })
        .field("order_id", [](const Notification& n) -> py::object {
            return n.order_id.empty() ? py::object(py::none()) : py::object(py::str(n.order_id));
        })
        .field("summary", [](const Notification& n) { return n.summary; })
        .field("details", [](const Notification& n) { return n.details; })
        .done();

    Record<RotationReport>(m, "RotationReport", "What a key rotation did.")
        .field("old_key_id", [](const RotationReport& r) { return r.old_key_id; })
        .field("new_key_id", [](const RotationReport& r) { return r.new_key_id; })
        .field("records_rotated", [](const RotationReport& r) { return r.records_rotated; })
        .field("batches", [](const RotationReport& r) { return r.batches; })
        .field("resumed", [](const RotationReport& r) { return r.resumed; })
        .field("started_date_time", [](const RotationReport& r) { return datetime_from_millis(r.started_at); })
        .field("completed_date_time", [](const RotationReport& r) { return datetime_from_millis(r.completed_at); })
        .done();
}

}  // namespace portout::bindings
