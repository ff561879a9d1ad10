// The store interface: rows in, rows out, inside transactions. The service holds every rule;
// a store only keeps rows durably and serialises writers. SQLite fills it now; PostgreSQL will
// fill the same interface.
#pragma once

#include <portout/clock.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// One tenant and its PIN state, as stored. The PIN itself is never here: `pin_record` is the
// Argon2id string sealed under the store key.
struct TenantRecord {
    std::string tenant_id;
    std::string display_name;
    std::string country;
    Millis created_at = 0;
    Millis modified_at = 0;
    std::string modified_by;

    std::optional<std::string> pin_record;
    std::string pin_key_id;
    std::optional<Millis> pin_set_at;
    std::optional<Millis> pin_changed_at;
    std::string pin_changed_by;
    int failed_attempts = 0;
    std::optional<Millis> locked_until;
    int lock_level = 0;
    std::optional<Millis> last_check_at;
    std::string last_check_result;
    // Bumped by every change of the PIN record, so a writer can tell a record changed under it.
    std::int64_t pin_version = 0;
    bool frozen = false;  // every port-out request is refused while set

    // What a port-out request is matched against once its PIN is right (not security state:
    // none of it opens anything without the PIN).
    std::string account_number;   // the billing account number, generated, changeable
    std::string service_zip;      // the service address's ZIP code; empty until set
    std::string authorized_name;  // who may authorize a port; empty: the display name
    std::string time_zone;        // IANA name for business days; empty: America/New_York
    // Failed PIN checks by requesting carrier (see carrier_attempts.hpp), in the state MAC.
    std::string carrier_attempts;
};

// How many tenants there are, and how many of them are in each state that matters at a glance.
struct TenantCounts {
    std::int64_t tenants = 0;
    std::int64_t us = 0;        // the tenants that can have a port-out PIN
    std::int64_t with_pin = 0;
    std::int64_t frozen = 0;
    std::int64_t locked = 0;    // a PIN lock not yet expired
};

// A number in a tenant's inventory, in E.164.
struct NumberRecord {
    std::string number;
    std::string tenant_id;
    Millis added_at = 0;
    std::string added_by;
};

struct OrderNumber {
    std::string number;
    std::string problem;  // empty, NumberNotOwned or NumberInOpenOrder
};

// One transition of an order, as its history lists it.
struct OrderStep {
    std::string order_id;
    int step = 0;  // 1 for the request itself
    Millis occurred_at = 0;
    std::string actor;
    std::string from_status;  // empty for the request
    std::string to_status;
    std::string reason;    // the code the carrier is told, if any
    std::string internal_reason;  // the exact reason, for the tenant's side
    std::string comment;
    std::optional<Millis> foc;
};

struct OrderRecord {
    std::int64_t seq = 0;  // the store's order of arrival
    std::string order_id;
    std::string tenant_id;
    std::string carrier;        // the gaining carrier, as the request names it
    std::string submitted_by;   // the actor who submitted it
    std::string status;         // Submitted, Rejected, Confirmed, Completed, Cancelled
    std::string reason;         // what the carrier is told
    std::string internal_reason;  // what the tenant's admin is told
    std::optional<Millis> requested_foc;  // the requested due date
    std::optional<Millis> foc;
    Millis created_at = 0;
    Millis modified_at = 0;
    std::string modified_by;
    // The request's fields (47 CFR 52.36(b)), as the carrier sent them.
    std::string account_number;
    std::string service_zip;
    std::string authorized_name;
    std::string carrier_spid;  // the gaining carrier's NPAC service provider id
    std::string pon;           // the carrier's purchase order number
    std::string port_type;  // Full or Partial; empty when the request said not and was refused first
    std::optional<Millis> review_deadline;  // while PendingReview
    std::optional<Millis> approved_at;
    std::string comment;  // the last decision's comment (a denial's, a cancellation's)
    // A carrier's Idempotency-Key: a retried request with it gets this order back. Unique per
    // submitter; empty when the request carried none.
    std::string idempotency_key;
    std::string request_hash;  // what the request asked (not its PIN), to tell a retry from a reuse
};

struct TenantLeftovers {
    std::int64_t numbers = 0;
    std::int64_t orders = 0;
    std::int64_t notifications = 0;
};

struct OrderQuery {
    std::optional<std::string> order_id;
    std::vector<std::string> tenant_ids;  // empty: all
    std::optional<std::string> status;
    std::optional<std::string> carrier;
    std::optional<std::string> submitted_by;
    std::optional<Millis> review_due_by;  // PendingReview orders whose deadline is at or before this
    std::int64_t after_seq = 0;  // oldest first: after this position; newest first: before it (0: the newest)
    std::size_t limit = 1000;
    bool newest_first = false;
};

struct NotificationRecord {
    std::int64_t notification_id = 0;
    Millis occurred_at = 0;
    std::string kind;
    std::string tenant_id;
    std::string order_id;
    std::string summary;
    std::string details;
    // Who it is for: "" the tenant's side; else the carrier (the actor that submitted the
    // order), which is told only what a carrier may know.
    std::string audience;
};

// Who may sign in to a store over its server (portout serve): a machine's API credential
// (a bearer token) or a person's account (a password, and a TOTP secret when set). The secret
// is kept as a keyed hash (a token) or an Argon2id string (a password), and `mac` binds every
// field that says what the principal may do, so a database writer without the store's key can
// neither make one nor widen one.
struct PrincipalRecord {
    std::string principal_id;  // 16 hex digits; a token names it
    std::string kind;          // Credential or Account
    std::string name;          // unique per kind: a credential's name, an account's user name
    std::string role;
    std::string tenant_scope;  // "a,b": the tenants it may act on; empty: every tenant
    std::string carrier_name;  // a Carrier credential's carrier and its SPID
    std::string carrier_spid;
    std::string secret_hash;
    std::optional<std::string> totp_secret;  // the salt the TOTP secret derives from; none without TOTP
    std::optional<Millis> expires_at;
    Millis created_at = 0;
    std::string created_by;
    std::optional<Millis> last_used_at;
    std::string mac;
    // The newest TOTP time step an account signed in with: a code is good once.
    std::optional<std::int64_t> totp_last_step;
};

// A person signed in to the admin center in a browser: the session's cookie names the row
// (session_id) and proves itself with a secret the store keeps a keyed hash of. `mac` binds the
// session to its account and its state, so a database writer without the store's key can
// neither make a session, move one to another account, nor skip the TOTP step.
struct WebSessionRecord {
    std::string session_id;  // 16 hex digits
    std::string principal_id;
    std::string state;  // NeedsTotp (the password was right; the code is asked next) or Active
    std::string secret_hash;
    Millis created_at = 0;
    Millis last_seen_at = 0;  // to kWebSessionTouchMs
    std::string client_address;  // where it was signed in from
    std::string mac;
};

// Where notifications are delivered, besides the outbox: a webhook (an https URL; each request
// signed with the subscription's secret) or an e-mail address (a tenant's contact). `mac`
// binds every field, so a database writer without the store's key can neither add one (and
// have a tenant's events sent to it) nor redirect one.
struct SubscriptionRecord {
    std::string subscription_id;  // 16 hex digits
    std::string kind;             // Webhook or Email
    std::string target;           // the URL, or the address
    std::string events;           // "OrderApproved,PortOutRequest"; "*" every kind
    std::string tenant_scope;     // "a,b": the tenants whose notifications it is sent; empty: every tenant
    std::string audience;         // "" the tenants' side; else the carrier whose orders' notices it is sent
    std::string secret_salt;      // a webhook's signing secret derives from it and the store's audit key
    Millis created_at = 0;
    std::string created_by;
    std::string mac;
};

// One notification to be delivered to one subscription, made in the transaction that writes
// the notification: at least once, whatever happens to the process that sends it.
struct DeliveryRecord {
    std::int64_t delivery_id = 0;  // numbered by the store
    std::string subscription_id;
    std::int64_t notification_id = 0;
    std::string tenant_id;
    std::string status;  // Pending, Delivered or Parked
    int attempts = 0;
    Millis created_at = 0;
    Millis next_attempt_at = 0;  // while Pending: not sent before; a sender's claim moves it on
    std::optional<Millis> delivered_at;
    std::string last_error;
};

// One try at a delivery, as the sender saw it.
struct DeliveryAttemptRecord {
    std::int64_t delivery_id = 0;
    int attempt = 0;  // 1, 2, ...
    Millis started_at = 0;
    std::int64_t duration_ms = 0;
    std::string outcome;  // Delivered or Failed
    int status_code = 0;  // the HTTP status or the SMTP reply code; 0 when none came
    std::string error;
};

struct DeliveryQuery {
    std::vector<std::string> subscription_ids;  // empty: every subscription
    std::optional<std::string> status;
    std::optional<std::int64_t> before_id;  // newest first, below this id
    std::size_t limit = 100;
};

// Failed authentications of one subject (a principal, or a client address) in the current
// window, and the block they earned.
struct ThrottleRecord {
    std::string subject;
    int failures = 0;
    Millis window_start = 0;
    std::optional<Millis> blocked_until;
};

// A policy row: the store default (scope "") or one tenant's overrides (a missing value
// inherits the default).
struct PolicyRecord {
    std::string scope;
    std::optional<int> min_length;
    std::optional<int> max_length;
    std::optional<bool> block_weak;
    std::optional<std::vector<std::string>> blocklist;
    std::optional<int> max_failed_attempts;
    std::optional<Millis> lockout_ms;
    std::optional<Millis> max_lockout_ms;
    std::optional<int> tenant_max_failures;     // failures from all carriers that lock everyone
    std::optional<Millis> failure_window_ms;    // ... counted over this window
    std::optional<Millis> review_window_ms;     // business time a request waits for review
    std::optional<std::string> review_deadline_action;  // Approve or Deny
    std::optional<int> min_foc_business_days;   // after approval
    std::optional<int> max_foc_days;            // from now
    std::optional<Millis> cancel_cutoff_ms;     // no cancellation this close to the FOC
    std::optional<std::vector<std::string>> holidays;  // YYYY-MM-DD, not business days
    Millis modified_at = 0;
    std::string modified_by;
};

// An audit event as anyone allowed to read the log sees it.
struct AuditEvent {
    std::int64_t event_id = 0;
    Millis occurred_at = 0;
    std::string event_type;
    std::string tenant_id;
    std::string actor;
    std::string outcome;
    std::string reason;
    std::string details;
};

// As stored: chained to the one before by its MAC.
struct AuditRecord : AuditEvent {
    std::string prev_mac;
    std::string mac;
    // Set on the event that records a change of a tenant's security state (or of the store's
    // default policy, tenant ""): a MAC of that state as the change left it. The newest such
    // event of a tenant is its state's anchor. Empty on other events.
    std::string state_mac;
};

// A tenant's newest audit event (every event of a tenant carries the state MAC it left, or the
// one before it), with what its neighbours in the chain say of it, so that one read shows
// whether it still stands where it was written.
struct StateMark {
    AuditRecord event;
    std::optional<std::string> mac_before;    // the MAC of the event numbered one below, if any
    std::optional<std::string> prev_of_next;  // the prev_mac of the event numbered one above, if any
    std::int64_t newest_event_id = 0;         // the newest event of the whole chain
};

struct AuditQuery {
    std::vector<std::string> tenant_ids;  // empty: every tenant
    std::optional<Millis> since;  // inclusive
    std::optional<Millis> until;  // exclusive
    std::vector<std::string> event_types;
    std::int64_t after_event_id = 0;  // newest first: before this id (0: the newest)
    std::size_t limit = 1000;
    bool newest_first = false;
};

// WriteUnsynced commits without waiting for the disk to confirm: all or nothing as ever, and
// safe from a crash of the process, but a power loss or an operating-system crash right after
// may lose it (it alone, and what followed). For records nothing else depends on.
// ReadOneStatement: no transaction around a read that is a single statement (consistent by
// itself), saving the BEGIN and the ROLLBACK on the hottest reads.
enum class TxMode { Read, ReadOneStatement, Write, WriteUnsynced };

// Whole stores move between backends table by table, row by row, as they are: PIN records stay
// sealed, audit events keep their MACs.
struct Field {
    enum class Kind { Null, Integer, Text, Blob };
    Kind kind = Kind::Null;
    std::string value;  // the decimal digits of an Integer
};

struct TableSpec {
    std::string_view name;
    std::vector<std::pair<std::string_view, Field::Kind>> columns;
};

// Every table of a store, in an order that can be loaded one after another.
const std::vector<TableSpec>& store_tables();
// "a, b, c": the table's columns for a statement.
std::string column_list(const TableSpec& table);

// How a list of digit strings (a policy's blocklist) is kept in one column: "a,b,c".
std::string encode_list(const std::vector<std::string>& items);
std::vector<std::string> decode_list(std::string_view text);

// A unit of work. Writes are serialised between all users of the store, in every process;
// nothing is visible to others before commit(); a transaction not committed rolls back when
// destroyed.
class StoreTransaction {
public:
    virtual ~StoreTransaction() = default;
    virtual void commit() = 0;

    virtual std::optional<std::string> meta(std::string_view name) = 0;
    virtual void set_meta(std::string_view name, std::string_view value) = 0;
    virtual void delete_meta(std::string_view name) = 0;

    virtual std::optional<TenantRecord> tenant(std::string_view tenant_id) = 0;
    // The tenant with this billing account number, if any.
    virtual std::optional<TenantRecord> tenant_by_account(std::string_view account_number) = 0;
    // Throws ResourceExistsError (TenantExists) when the id is taken.
    virtual void insert_tenant(const TenantRecord& tenant) = 0;
    virtual void update_tenant(const TenantRecord& tenant) = 0;
    virtual void delete_tenant(std::string_view tenant_id) = 0;
    // What a removed tenant leaves behind, taken away with it: its numbers leave the inventory,
    // its orders and their lines are deleted, and its notifications become store-wide (seen
    // by consumers without a tenant scope only). The audit chain keeps the history.
    virtual TenantLeftovers remove_tenant_data(std::string_view tenant_id) = 0;
    // Tenants ordered by id, after `after_id`, at most `limit`.
    virtual std::vector<TenantRecord> tenants_after(std::string_view after_id, std::size_t limit) = 0;
    // Tenants with a PIN record whose key is not `key_id`, ordered by id.
    virtual std::vector<TenantRecord> pin_records_not_under(std::string_view key_id,
                                                            std::string_view after_id,
                                                            std::size_t limit) = 0;
    virtual std::int64_t count_pin_records_not_under(std::string_view key_id) = 0;
    // Every tenant counted, locks as of `now`, in one statement.
    virtual TenantCounts count_tenants(Millis now) = 0;

    virtual std::optional<PolicyRecord> policy(std::string_view scope) = 0;
    virtual void put_policy(const PolicyRecord& policy) = 0;
    virtual void delete_policy(std::string_view scope) = 0;

    virtual std::optional<NumberRecord> number(std::string_view e164) = 0;
    virtual void insert_number(const NumberRecord& number) = 0;
    virtual void delete_number(std::string_view e164) = 0;
    // Numbers ordered by number, after `after`; of these tenants (empty: every tenant).
    virtual std::vector<NumberRecord> numbers(const std::vector<std::string>& tenant_ids,
                                              std::string_view after, std::size_t limit) = 0;

    virtual void insert_order(OrderRecord& order, const std::vector<OrderNumber>& numbers) = 0;
    virtual std::optional<OrderRecord> order(std::string_view order_id) = 0;
    virtual void update_order(const OrderRecord& order) = 0;
    // An order's history: a step appended, and every step in order.
    virtual void insert_order_step(const OrderStep& step) = 0;
    virtual std::vector<OrderStep> order_steps(std::string_view order_id) = 0;
    // Marks the order's numbers as no longer held by an open order.
    virtual void close_order_numbers(std::string_view order_id) = 0;
    virtual std::vector<OrderRecord> orders(const OrderQuery& query) = 0;
    // The order a submitter's Idempotency-Key names, if any.
    virtual std::optional<OrderRecord> order_by_idempotency_key(std::string_view submitted_by,
                                                                std::string_view key) = 0;
    virtual std::vector<OrderNumber> order_numbers(std::string_view order_id) = 0;
    // The open order that holds this number, if any.
    virtual std::optional<std::string> open_order_holding(std::string_view e164) = 0;

    // Appends to the outbox; returns the notification's id.
    virtual std::int64_t insert_notification(NotificationRecord& notification) = 0;
    // Notifications the consumer has not acknowledged, oldest first; of these tenants (empty:
    // every tenant), for this audience ("" the tenants' side, else one carrier).
    virtual std::vector<NotificationRecord> unacknowledged(std::string_view consumer,
                                                           const std::vector<std::string>& tenant_ids,
                                                           std::string_view audience, std::size_t limit) = 0;
    // Records acknowledgements of notifications of these tenants (empty: every tenant);
    // returns how many were new. Unknown ids, and ids of other tenants, are ignored. The
    // consumer's mark moves over every notification of these tenants it has acknowledged, so
    // what is kept above the mark stays small whatever other tenants' consumers do.
    virtual std::int64_t acknowledge(std::string_view consumer, const std::vector<std::string>& tenant_ids,
                                     std::string_view audience, const std::vector<std::int64_t>& ids) = 0;

    // How many rows a table holds.
    // Principals (who signs in to the server) and the throttle of failed authentications.
    virtual std::optional<PrincipalRecord> principal(std::string_view principal_id) = 0;
    virtual std::optional<PrincipalRecord> principal_by_name(std::string_view kind, std::string_view name) = 0;
    virtual std::vector<PrincipalRecord> principals(std::string_view kind) = 0;  // by name
    virtual void insert_principal(const PrincipalRecord& principal) = 0;
    virtual void update_principal(const PrincipalRecord& principal) = 0;
    virtual void delete_principal(std::string_view principal_id) = 0;
    virtual std::optional<ThrottleRecord> throttle(std::string_view subject) = 0;
    virtual void put_throttle(const ThrottleRecord& record) = 0;
    // The admin center's sessions.
    virtual std::optional<WebSessionRecord> web_session(std::string_view session_id) = 0;
    virtual void insert_web_session(const WebSessionRecord& session) = 0;
    virtual void update_web_session(const WebSessionRecord& session) = 0;
    virtual void delete_web_session(std::string_view session_id) = 0;
    // Sessions begun before `created_before` or last seen before `seen_before`; how many.
    virtual std::int64_t delete_stale_web_sessions(Millis created_before, Millis seen_before) = 0;

    // Subscriptions, and the deliveries of notifications to them with each attempt.
    virtual std::vector<SubscriptionRecord> subscriptions() = 0;  // by id
    virtual std::optional<SubscriptionRecord> subscription(std::string_view subscription_id) = 0;
    virtual void insert_subscription(const SubscriptionRecord& subscription) = 0;
    // The subscription, its deliveries and their attempts.
    virtual void delete_subscription(std::string_view subscription_id) = 0;
    virtual std::optional<NotificationRecord> notification(std::int64_t notification_id) = 0;
    virtual std::int64_t insert_delivery(DeliveryRecord& delivery) = 0;
    virtual std::optional<DeliveryRecord> delivery(std::int64_t delivery_id) = 0;
    virtual void update_delivery(const DeliveryRecord& delivery) = 0;
    // Pending deliveries due by `now` to subscriptions of these kinds, the longest waiting first.
    virtual std::vector<DeliveryRecord> due_deliveries(Millis now, const std::vector<std::string>& kinds,
                                                       std::size_t limit) = 0;
    virtual std::vector<DeliveryRecord> deliveries(const DeliveryQuery& query) = 0;
    virtual void insert_delivery_attempt(const DeliveryAttemptRecord& attempt) = 0;
    virtual std::vector<DeliveryAttemptRecord> delivery_attempts(std::int64_t delivery_id) = 0;

    virtual std::int64_t count_rows(const TableSpec& table) = 0;
    // Every row of a table, in the order of its first column.
    virtual void export_rows(const TableSpec& table,
                             const std::function<void(const std::vector<Field>&)>& sink) = 0;
    virtual void import_row(const TableSpec& table, const std::vector<Field>& row) = 0;
    // After rows were imported with their own ids: make new ids follow them.
    virtual void after_import() {}

    // The database server's time, for a store shared by many hosts: decisions on locks are
    // taken by one clock, not by each host's own. None for a store on this machine.
    virtual std::optional<Millis> server_time() { return std::nullopt; }

    // For each of these tenants ("" for the store's default policy) that has any event, its
    // newest event, in one statement a hundred tenants.
    virtual std::vector<StateMark> state_marks(const std::vector<std::string>& tenant_ids) = 0;
    // Whether any event anchors a state (none in a store written before anchors existed).
    virtual bool has_state_marks() = 0;

    virtual std::optional<AuditRecord> last_audit_event() = 0;
    virtual void insert_audit_event(const AuditRecord& event) = 0;
    virtual std::vector<AuditRecord> audit_events(const AuditQuery& query) = 0;
};

class Store {
public:
    virtual ~Store() = default;
    virtual std::unique_ptr<StoreTransaction> begin(TxMode mode) = 0;
    // Where the store is, for messages ("/path/to/store.db").
    virtual const std::string& location() const = 0;
    // True when `path` names a file that this process's stores keep open (a SQLite database or
    // its -wal or -shm file). Such a file must never be opened and closed beside them: closing
    // any descriptor of a file drops every POSIX lock the process holds on it.
    virtual bool holds_file(const std::string& path) const {
        (void)path;
        return false;
    }
};

}  // namespace portout
