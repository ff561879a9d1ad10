// PortOutService: every operation on tenants, PINs, policies, the audit chain and the key,
// each in a transaction with its audit event. Holds every rule; the store only keeps rows.
// The one facade the bindings call; each operation is carried out by an area unit of
// cpp/src/service/ (tenants, pins, policies, numbers, orders, notifications, ...).
#pragma once

#include <portout/audit.hpp>
#include <portout/clock.hpp>
#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/secret.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/pin_policy.hpp>
#include <portout/progress.hpp>
#include <portout/store.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

struct Tenant {
    std::string tenant_id;
    std::string display_name;
    std::string country;
    Millis created_at = 0;
    Millis modified_at = 0;
    std::string modified_by;
    bool pin_is_set = false;
    bool port_out_frozen = false;
    // What a port-out request is matched against once its PIN is right. The account number is
    // shown whole to the tenant's admins, to an Auditor as its last four characters.
    std::string account_number;
    std::string service_zip;      // empty until set
    std::string authorized_name;  // the display name unless one was set
    std::string time_zone;        // business days are counted in it
};

// A change of a tenant; a missing value is left as it is. The display name and country need
// UpdateTenant (a StoreAdmin); the account details UpdateAccount (the tenant's admins too).
struct TenantChange {
    std::optional<std::string> display_name;
    std::optional<std::string> country;
    std::optional<std::string> account_number;  // 4 to 20 letters and digits
    bool new_account_number = false;            // a new one generated
    std::optional<std::string> service_zip;     // 12345 or 12345-6789; "" clears it
    std::optional<std::string> authorized_name;  // "" goes back to the display name
    std::optional<std::string> time_zone;       // an IANA name; "" goes back to the default
    // The tenant's e-mail contacts, told of each of its notifications; replaces the list before.
    std::optional<std::vector<std::string>> notification_emails;
};

// A port-out request as a gaining carrier sends it (47 CFR 52.36(b)): the PIN travels apart.
struct PortOutRequest {
    std::string tenant_id;  // or, empty, the tenant is found by its account number
    std::vector<std::string> numbers;
    std::string account_number;
    std::string service_zip;
    std::string authorized_name;
    std::string carrier_name;
    std::string carrier_spid;  // 4 letters or digits: the NPAC service provider id
    std::string pon;           // the carrier's purchase order number
    std::optional<Millis> requested_due;
    std::string port_type;     // Full or Partial ("" is Partial)
    // A retried request with the same key gets the first order back, its PIN not checked again;
    // the same key with another request is IdempotencyKeyReused. 1 to 255 visible characters.
    std::string idempotency_key;
};

// The service hands out the store's own records where they hold nothing to hide.
using PhoneNumber = NumberRecord;
using Notification = NotificationRecord;

struct Order {
    std::int64_t seq = 0;  // the store's order of arrival, for paging
    std::string order_id;
    std::string tenant_id;
    std::string gaining_carrier;
    std::string submitted_by;
    // Rejected, PendingReview, Approved, Denied, Confirmed, Completed, Cancelled
    std::string status;
    std::string reason;           // what the carrier is told: PinNotAccepted, PortOutFrozen, ...
    std::string internal_reason;  // the exact reason; empty for a Carrier session
    std::optional<Millis> requested_foc;  // the requested due date
    std::optional<Millis> foc;
    Millis created_at = 0;
    Millis modified_at = 0;
    std::string modified_by;
    std::vector<OrderNumber> numbers;
    std::string account_number;
    std::string service_zip;
    std::string authorized_name;
    std::string carrier_spid;
    std::string pon;
    std::string port_type;
    std::optional<Millis> review_deadline;
    std::optional<Millis> approved_at;
    std::string comment;
    std::string idempotency_key;  // the carrier's, when its request carried one
};

// One carrier's failed PIN checks of a tenant, as its admin sees them.
struct CarrierPinState {
    std::string carrier;
    int failed_attempt_count = 0;        // consecutive, toward this carrier's own lock
    std::optional<Millis> locked_until;  // only while its lock holds
    int lockout_count = 0;
    int failures_in_window = 0;          // all of them (its share of the ceiling: up to MaxFailedAttempts)
    std::optional<Millis> last_failure_at;
};

// What the tenant's admin may know of its PIN: never the PIN, never its hash.
struct PinStatus {
    std::string tenant_id;
    bool pin_is_set = false;
    std::optional<Millis> pin_set_at;        // first set
    std::optional<Millis> last_modified_at;  // last set or changed
    std::string last_modified_by;
    // Failed checks within the policy's FailureWindow toward the tenant-wide ceiling
    // (TenantMaxFailures) that locks every carrier out: every carrier's, each up to
    // MaxFailedAttempts, so that no one carrier reaches it alone.
    int failed_attempt_count = 0;
    std::optional<Millis> locked_until;      // the lock of every carrier, only while it holds
    int lockout_count = 0;                   // such locks since the last unlock
    std::optional<Millis> last_check_at;
    // Accepted, WrongPin, Locked (this carrier), TenantLocked (every carrier), PinNotSet, NotInUS
    std::string last_check_result;
    std::vector<CarrierPinState> carriers;   // each carrier with failures in the window or a lock
};

// A policy as it applies: the store default, or a tenant's overrides over it.
struct EffectivePolicy {
    std::string scope;  // "" for the store default, else the tenant id
    PinPolicy pin_policy;
    int max_failed_attempts = 5;
    Millis lockout_ms = 15 * 60 * 1000;
    Millis max_lockout_ms = 24 * 60 * 60 * 1000;
    // Failures from every carrier within the window that lock every carrier out, for a window.
    int tenant_max_failures = 20;
    Millis failure_window_ms = 24 * 60 * 60 * 1000;
    // Port-out orders: the review window (business time), what its deadline does, and the FOC's
    // bounds: at least this many business days after approval, at most this many days ahead,
    // no cancellation this close to it.
    Millis review_window_ms = 24 * 60 * 60 * 1000;
    std::string review_deadline_action = "Approve";
    int min_foc_business_days = 1;
    int max_foc_days = 30;
    Millis cancel_cutoff_ms = 24 * 60 * 60 * 1000;
    std::vector<std::string> holidays;  // YYYY-MM-DD, besides the US federal holidays
    std::vector<std::string> overridden;  // the settings this tenant sets itself
};

// A change of policy settings; a missing value is left as it is.
struct PolicyChange {
    std::optional<int> min_length;
    std::optional<int> max_length;
    std::optional<bool> block_weak;
    std::optional<std::vector<std::string>> blocklist;
    std::optional<int> max_failed_attempts;
    std::optional<Millis> lockout_ms;
    std::optional<Millis> max_lockout_ms;
    std::optional<int> tenant_max_failures;
    std::optional<Millis> failure_window_ms;
    std::optional<Millis> review_window_ms;
    std::optional<std::string> review_deadline_action;
    std::optional<int> min_foc_business_days;
    std::optional<int> max_foc_days;
    std::optional<Millis> cancel_cutoff_ms;
    std::optional<std::vector<std::string>> holidays;
};


// Who signs in to the store's server (portout serve), as anyone may see them: never a secret.
// A Credential is a machine's (a bearer token); an Account a person's (a password).
struct Principal {
    std::string principal_id;  // 16 hex digits, the public part of a token
    std::string kind;          // Credential or Account
    std::string name;          // unique per kind
    std::string role;
    std::vector<std::string> tenant_scope;  // empty: every tenant
    std::string carrier_name;  // a Carrier credential's carrier, its SPID
    std::string carrier_spid;
    std::optional<Millis> expires_at;
    Millis created_at = 0;
    std::string created_by;
    std::optional<Millis> last_used_at;  // to the minute
    bool totp = false;  // an account that signs in with a TOTP code besides its password
    // The actor the principal's sessions act as: a Carrier credential's carrier (its orders are
    // the carrier's, whichever of its credentials sent them), else the principal's name.
    std::string actor;
};

// A new API credential: what it may do, and its bearer token, shown once and never again.
struct CredentialRequest {
    std::string name;  // 1 to 64 letters, digits, '.', '_' or '-'
    std::string role;  // Carrier, TelephonyAdmin, Auditor or StoreAdmin
    std::vector<std::string> tenant_scope;
    std::string carrier_name;  // a Carrier credential's, required
    std::string carrier_spid;  // a Carrier credential's, required
    std::optional<Millis> expires_at;
};

struct IssuedCredential {
    Principal principal;
    Secret token;  // "pot_<principal id>_<43 characters>"
};

// A new account for a person: its password (kept as an Argon2id hash of it under the store's
// key) and, with `totp`, a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) shown once.
struct AccountRequest {
    std::string user_name;  // 1 to 64 letters, digits, '.', '_', '-' or '@'
    std::string role;       // TelephonyAdmin, Auditor or StoreAdmin
    std::vector<std::string> tenant_scope;
    bool totp = false;
    std::optional<Millis> expires_at;
};

struct IssuedAccount {
    Principal principal;
    Secret totp_secret;  // base32, 32 characters; empty without TOTP
};

// The password rules (NIST SP 800-63B): length, and no password others use or can guess from
// the context; no composition rules. A password is at least kMinPasswordLength characters
// (kMinPasswordLengthWithTotp for an account with a second factor), at most kMaxPasswordLength.
inline constexpr std::size_t kMinPasswordLength = 15;
inline constexpr std::size_t kMinPasswordLengthWithTotp = 8;
inline constexpr std::size_t kMaxPasswordLength = 128;

// A subscription as anyone allowed to see it may: never its secret.
struct Subscription {
    std::string subscription_id;
    std::string kind;    // Webhook or Email
    std::string target;  // the URL, or the address
    std::vector<std::string> events;  // {"*"}: every kind
    std::vector<std::string> tenant_scope;  // empty: every tenant the audience may see
    std::string audience;  // "" the tenants' side; else the carrier
    Millis created_at = 0;
    std::string created_by;
};

// A new webhook and its signing secret ("whsec_" and 43 characters), shown once: each request
// carries Portout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> under it.
struct IssuedWebhook {
    Subscription subscription;
    Secret secret;
};

struct DeliveryAttempt {
    int attempt = 0;
    Millis started_at = 0;
    std::int64_t duration_ms = 0;
    std::string outcome;  // Delivered or Failed
    int status_code = 0;
    std::string error;
};

// A notification's delivery to one subscription, with every attempt.
struct Delivery {
    std::int64_t delivery_id = 0;
    std::string subscription_id;
    std::string kind;
    std::string target;
    std::int64_t notification_id = 0;
    std::string event;
    std::string tenant_id;
    std::string order_id;
    std::string status;  // Pending, Delivered or Parked
    int attempts = 0;
    Millis created_at = 0;
    Millis next_attempt_at = 0;
    std::optional<Millis> delivered_at;
    std::string last_error;
    std::vector<DeliveryAttempt> attempt_log;
};

// A delivery handed to a sender: what to send, where, and (a webhook) its signature header.
struct DueDelivery {
    std::int64_t delivery_id = 0;
    std::string subscription_id;
    std::string kind;
    std::string target;
    std::string event;
    int attempt = 0;  // this one's number
    std::string subject;    // an e-mail's
    std::string body;       // a webhook's JSON, an e-mail's text
    std::string signature;  // a webhook's Portout-Signature
};

// How the sender fared.
struct DeliveryResult {
    bool delivered = false;
    int status_code = 0;
    std::string error;
    Millis started_at = 0;
    std::int64_t duration_ms = 0;
};

// Retries: the n-th failure waits first_retry_ms * 2^(n-1) (at most max_retry_ms, less up to a
// fifth at random); after max_attempts failures the delivery is Parked. A claim holds a
// delivery for lease_ms: a sender that dies leaves it to be sent again after that.
struct DeliveryPolicy {
    int max_attempts = 8;
    Millis first_retry_ms = 10 * 1000;
    Millis max_retry_ms = 60 * 60 * 1000;
    Millis lease_ms = 60 * 1000;
};

// Failed authentications, per client address and per principal: this many within the window
// block further attempts for the block's length.
inline constexpr int kAuthFailureLimit = 10;
inline constexpr Millis kAuthFailureWindowMs = 15 * 60 * 1000;
inline constexpr Millis kAuthBlockMs = 15 * 60 * 1000;

// The admin center's sessions: one lasts at most kWebSessionLifetimeMs from its sign-in (and
// ends sooner when idle past the server's timeout); an account with TOTP gives its code within
// kWebSessionTotpMs of its password. A session's last use is written at most every
// kWebSessionTouchMs.
inline constexpr Millis kWebSessionLifetimeMs = 12 * 60 * 60 * 1000;
inline constexpr Millis kWebSessionTotpMs = 5 * 60 * 1000;
inline constexpr Millis kWebSessionTouchMs = 15 * 1000;

// A session begun in the admin center: its token ("pws_" and 60 characters), the cookie's
// value, shown once; the store keeps a keyed hash of it.
struct IssuedWebSession {
    Secret token;
    Principal principal;
    bool totp_required = false;  // the password was right: complete_web_session takes the code
};

struct RotationReport {
    std::string old_key_id;
    std::string new_key_id;
    std::int64_t records_rotated = 0;
    std::int64_t batches = 0;
    bool resumed = false;
    Millis started_at = 0;
    Millis completed_at = 0;
};

// Who may do what. Authentication of the actor is the deployment's job (file permissions for
// SQLite, server logins for a shared store); the service enforces what each role may do.
enum class Role {
    StoreAdmin,      // everything: tenants, keys, policies, unlock
    TelephonyAdmin,  // PINs, policies, checks and audit of the tenants in its scope
    Carrier,         // submits port-out orders and nothing else
    Auditor,         // reads status, policies and audit; changes nothing
};

std::string_view to_string(Role role) noexcept;
std::optional<Role> parse_role(std::string_view name) noexcept;

enum class Operation {
    CreateTenant,
    ReadTenant,
    UpdateTenant,
    RemoveTenant,
    SetPin,
    ReadPinStatus,
    CheckPin,
    UnlockPin,
    ReadPolicy,
    SetPolicy,
    TestPolicy,
    ReadAudit,
    VerifyAudit,
    RotateKey,
    CopyStore,
    SetHashProfile,  // make another Argon2id profile the store's own
    AddNumber,
    ReadNumbers,
    RemoveNumber,
    SubmitOrder,
    ReadOrders,
    ManageOrder,   // confirm, change the FOC, complete
    CancelOrder,
    ReviewOrder,   // approve or deny a request under review
    UpdateAccount,  // a tenant's account details: account number, service ZIP, name, time zone
    Freeze,
    Notifications,  // receive and acknowledge
    CheckpointAudit,  // sign a checkpoint of the audit chain's head (store-wide)
    RepairState,      // take a tenant's (or the default policy's) tampered state back into use
    ManagePrincipals,  // API credentials and accounts of the store's server
    DeliverNotifications,  // the server's sender of webhooks and e-mail (store-wide)
};

// At most this many numbers in one port-out order.
inline constexpr std::size_t kMaxNumbersPerOrder = 1000;

// The reasons a request under review may be denied with, and an order cancelled with: the
// codes a carrier is told (docs/porting.md).
inline constexpr std::array<std::string_view, 7> kDenyReasons = {
    "AccountNumberMismatch", "PostalCodeMismatch", "AuthorizedNameMismatch", "CustomerDeclined",
    "SuspectedFraud",        "NumbersNotPortable", "Other"};
inline constexpr std::array<std::string_view, 5> kCancelReasons = {
    "CustomerRequest", "DuplicateRequest", "WrongNumbers", "CarrierError", "Other"};

std::string_view to_string(Operation op) noexcept;
// Whether `role` may perform `op` at all (the tenant scope is checked apart).
bool role_allows(Role role, Operation op) noexcept;

struct CopyReport {
    std::string destination;  // shown without any password
    std::vector<std::pair<std::string, std::int64_t>> rows;  // per table
};

struct ServiceOptions {
    // The Argon2id profile; unset: the store's own (interactive for a new store). A different
    // profile becomes the store's own (a StoreAdmin's session only, audited; others are refused
    // AccessDenied), and hashes made with less are upgraded on their next successful check.
    std::optional<HashProfile> profile;
    // The test profile is refused unless this is set; a store created without it (a production
    // store) refuses the test profile always.
    bool allow_test_profile = false;
    // The system clock when unset. A clock of the caller's own is taken only by a store made
    // for tests (with the test profile): elsewhere it would let a session lift its own locks.
    std::shared_ptr<const Clock> clock;
    std::string actor;                   // who acts; the OS user when empty
    Role role = Role::StoreAdmin;
    // The tenants this session may act on; empty: every tenant. Store-wide changes (the default
    // policy, key rotation, new tenants outside it) need an empty scope.
    std::vector<std::string> tenant_scope;
};

// The store refuses an attempt for a while: too many failed authentications.
class ThrottledError : public ResourceUnavailableError {
public:
    ThrottledError(std::string error_id, const std::string& message, Millis retry_after_ms)
        : ResourceUnavailableError(std::move(error_id), message), retry_after_ms_(retry_after_ms) {}
    Millis retry_after_ms() const noexcept { return retry_after_ms_; }

private:
    Millis retry_after_ms_;
};

class WorkerPool;
class Access;
class AuditChain;
class CheckCost;
class KeyRing;

class PortOutService {
public:
    ~PortOutService();
    PortOutService(const PortOutService&) = delete;
    PortOutService& operator=(const PortOutService&) = delete;

    // Opens a store with its key file. A new store gets its key file created (mode 0600) when
    // none exists; an existing store never gets a new key: a missing key file is an error.
    static std::unique_ptr<PortOutService> open(std::unique_ptr<Store> store,
                                                const std::string& key_path,
                                                const ServiceOptions& options);

    const std::string& actor() const noexcept { return actor_; }
    Role role() const noexcept;
    // Sorted canonical tenant ids; empty: every tenant.
    const std::vector<std::string>& tenant_scope() const noexcept;
    HashProfile profile() const noexcept { return hasher_.profile(); }
    const std::string& store_id() const noexcept { return store_id_; }
    std::string key_id() const;
    const Store& store() const noexcept { return *store_; }
    // The principal this session was opened as by authenticate(); none for a session opened
    // with the store's key file.
    const std::optional<Principal>& principal() const noexcept { return principal_; }

    // Who signs in to the store's server (StoreAdmin). A credential's token is in the result
    // only: the store keeps a keyed hash of it.
    IssuedCredential create_credential(const CredentialRequest& request);
    std::vector<Principal> list_principals(std::string_view kind);
    void remove_principal(std::string_view kind, std::string_view name);

    // A session of this store as the principal `token` names: its role, actor, tenant scope and
    // carrier are the principal's, its clock and hash profile this session's; nothing of the
    // request picks them. It shares this session's connections and keys. `client_address` is
    // the caller's network address, for the throttle and the audit log. A token that does not
    // authenticate (malformed, unknown, wrong, expired, removed, or its record changed without
    // the key) is AuthenticationFailed, audited, and counted against the address and the
    // principal it names; past kAuthFailureLimit within the window, either is ThrottledError
    // (AuthenticationThrottled) until the block ends, a right token too. Only a session opened
    // with the key file authenticates others.
    std::unique_ptr<PortOutService> authenticate(std::string_view token, std::string_view client_address);

    // Accounts for people (StoreAdmin). The password is checked against the rules first
    // (PasswordPolicyViolation, naming each rule broken, never the password).
    IssuedAccount create_account(const AccountRequest& request, std::string_view password);
    // A new password for an account (StoreAdmin), the rules checked; its throttle cleared.
    Principal set_account_password(std::string_view user_name, std::string_view password);
    // A session as the account: the password, and the TOTP code when the account has TOTP (a
    // code is good once, within a step either side of now). Every failure is the same
    // AuthenticationFailed (audited with its reason: UnknownAccount, WrongPassword,
    // WrongTotpCode, TotpCodeReused, AccountExpired, PrincipalNotAuthentic), in the time of one
    // password check, and counted as for tokens; a right password without the code it needs is
    // TotpCodeRequired, and counts nothing.
    std::unique_ptr<PortOutService> authenticate_account(std::string_view user_name, std::string_view password,
                                                         std::string_view totp_code,
                                                         std::string_view client_address);

    // The admin center's sessions (only a session opened with the key file keeps them). A
    // sign-in begins with the account's password, checked, failed and throttled as
    // authenticate_account does; an account with TOTP gets a session that needs its code
    // (complete_web_session) before it may be resumed. resume_web_session opens a session as
    // the account for one request: SessionEnded when the token names no live session (signed
    // out, idle for `idle_timeout_ms`, past its lifetime, its account removed, expired or
    // changed without the key); a wrong secret is AuthenticationFailed, counted.
    IssuedWebSession start_web_session(std::string_view user_name, std::string_view password,
                                       std::string_view client_address);
    Principal complete_web_session(std::string_view token, std::string_view totp_code,
                                   std::string_view client_address);
    std::unique_ptr<PortOutService> resume_web_session(std::string_view token, std::string_view client_address,
                                                       Millis idle_timeout_ms);
    // Signing out: the session is removed (audited); a token that names none ends nothing.
    void end_web_session(std::string_view token, std::string_view client_address);

    // Delivered notifications. A webhook of the tenants' side (StoreAdmin, or TelephonyAdmin
    // within its scope) or of a carrier's own orders (a Carrier session); `events` are
    // notification kinds or "*". The URL is https (http only to a loopback address).
    IssuedWebhook create_webhook(std::string_view url, const std::vector<std::string>& events,
                                 const std::vector<std::string>& tenant_scope);
    // The subscriptions this session may see: its audience's, within its scope.
    std::vector<Subscription> list_subscriptions();
    void remove_subscription(std::string_view subscription_id);
    // A tenant's e-mail contacts (the tenants' side, every kind): the list replaces the one before.
    std::vector<Subscription> set_notification_emails(std::string_view tenant_id,
                                                      const std::vector<std::string>& addresses);
    // Deliveries to the subscriptions this session may see, newest first, with their attempts.
    std::vector<Delivery> list_deliveries(const DeliveryQuery& query);
    // A parked (or delivered) delivery sent again, as a new series of attempts.
    Delivery redeliver(std::int64_t delivery_id);
    // For the server's sender (a StoreAdmin session without scope): deliveries due now to
    // subscriptions of these kinds, each claimed for policy.lease_ms, built and signed.
    std::vector<DueDelivery> claim_deliveries(const std::vector<std::string>& kinds, std::size_t max_count,
                                              const DeliveryPolicy& policy);
    // The outcome of one claimed attempt: Delivered, or retried later, or Parked.
    Delivery record_delivery(std::int64_t delivery_id, const DeliveryResult& result, const DeliveryPolicy& policy);

    // Tenants.
    Tenant create_tenant(std::string_view tenant_id, std::string_view display_name,
                         std::string_view country);
    Tenant get_tenant(std::string_view tenant_id);
    std::vector<Tenant> list_tenants(std::string_view after_tenant_id, std::size_t limit);
    // The session's tenants counted (all of them, or its scope's), with a PIN, frozen, locked
    // now: for a summary at a glance (ReadPinStatus). Rows as stored, in one read; nothing is
    // decided on them, so they are not checked against the tenants' anchors.
    TenantCounts count_tenants();
    Tenant update_tenant(std::string_view tenant_id, std::optional<std::string_view> display_name,
                         std::optional<std::string_view> country);
    // The display name, country, and the details a port-out request is matched against, in one
    // transaction (all or nothing).
    Tenant update_tenant(std::string_view tenant_id, const TenantChange& change);
    // Many tenants in one transaction (all or none), recorded as one audit event: the fast
    // path for loading an existing customer base. Each row is (id, display name, country).
    std::int64_t import_tenants(const std::vector<std::array<std::string, 3>>& rows);
    void remove_tenant(std::string_view tenant_id);

    // PINs.
    PinStatus set_pin(std::string_view tenant_id, std::string_view pin);
    PinStatus pin_status(std::string_view tenant_id);
    std::vector<PinStatus> list_pin_status(std::string_view after_tenant_id, std::size_t limit);
    // True only for the right PIN of a US tenant whose PIN is set and not locked. Every other
    // case answers false, in the time of one real check; the admin sees why in status and audit.
    bool check_pin(std::string_view tenant_id, std::string_view pin);
    PinStatus unlock_pin(std::string_view tenant_id);
    // A tenant whose security state does not hold (StoreTampered: changed in the database by
    // someone without the key) taken back into use, by a StoreAdmin: its PIN is removed (a new
    // one must be set before any port-out), its failed attempts and lock cleared; its country,
    // freeze and policy are kept as the database now holds them, named in the audit event for
    // review; the state is anchored anew. NothingToRepair when the state holds.
    PinStatus repair_tenant_state(std::string_view tenant_id);
    // The store's default policy, when it does not hold, put back to the built-in default and
    // anchored anew (StoreAdmin). NothingToRepair when it holds.
    EffectivePolicy repair_default_policy();

    // Policies: the store default (tenant unset) or one tenant's.
    EffectivePolicy get_policy(std::optional<std::string_view> tenant_id);
    EffectivePolicy set_policy(std::optional<std::string_view> tenant_id, const PolicyChange& change);
    // Drops a tenant's overrides: it follows the store default again.
    EffectivePolicy reset_policy(std::string_view tenant_id);
    std::vector<Violation> test_pin_policy(std::optional<std::string_view> tenant_id,
                                           std::string_view pin);

    // The audit chain.
    std::vector<AuditEvent> audit_events(const AuditQuery& query);
    // `progress` counts the events walked, of the chain's length (see progress.hpp).
    AuditVerification verify_audit(const ProgressHook& progress = {});
    // The chain verified, and against each checkpoint document given (kept outside the store):
    // one that is not a checkpoint at all is CheckpointMalformed (InvalidArgument), before any
    // walk; otherwise every finding makes the result invalid: Truncated, RolledBack,
    // CheckpointInvalid (its signature does not hold, or its key is not this store's),
    // CheckpointOfAnotherStore. A break of the chain itself is named first.
    AuditVerification verify_audit(const ProgressHook& progress,
                                   const std::vector<std::string>& checkpoints);
    // A signed checkpoint of the chain's head, to be kept outside the store (see audit.hpp):
    // StoreAdmin or Auditor, without a tenant scope. Audited (AuditCheckpointTaken, the event
    // the checkpoint names) and handed to the outbox (kind AuditCheckpoint). AuditChainBroken,
    // and nothing written, when the chain does not verify.
    AuditCheckpoint audit_checkpoint();

    // The number inventory.
    PhoneNumber add_number(std::string_view tenant_id, std::string_view number);
    void remove_number(std::string_view tenant_id, std::string_view number);
    std::vector<PhoneNumber> list_numbers(std::optional<std::string_view> tenant_id,
                                          std::string_view after, std::size_t limit);

    // Port-out orders (docs/porting.md). A request is validated in full and kept either
    // PendingReview (with its review deadline) or Rejected with its reason.
    Order submit_order(const PortOutRequest& request, std::string_view pin);
    // The request as it was before its fields: a tenant, numbers, the carrier's name.
    Order submit_order(std::string_view tenant_id, const std::vector<std::string>& numbers,
                       std::string_view pin, std::string_view gaining_carrier,
                       std::optional<Millis> requested_foc);
    Order get_order(std::string_view order_id);
    std::vector<Order> list_orders(const OrderQuery& query);
    // Each transition of an order, the request first, with who, when and why.
    std::vector<OrderStep> order_history(std::string_view order_id);
    // The review: the tenant's admin or the provider's desk approves or denies, with a reason
    // code (kDenyReasons) and a comment; at the deadline the policy's action is taken.
    Order approve_order(std::string_view order_id, std::string_view comment);
    Order deny_order(std::string_view order_id, std::string_view reason, std::string_view comment);
    // Every order under review whose deadline has passed settled by the policy's action; the
    // reads and writes of orders do it first, so no one sees an order past its deadline.
    std::int64_t settle_due_reviews();
    // The FOC: at least MinFocBusinessDays business days after approval (in the tenant's time
    // zone, weekends and holidays skipped), a business day, not past, at most MaxFocDays ahead.
    // Confirming an order under review approves it first.
    Order confirm_order(std::string_view order_id, Millis foc);
    Order change_foc(std::string_view order_id, Millis foc, std::string_view comment);
    // Not before the FOC.
    Order complete_order(std::string_view order_id);
    // With a reason code (kCancelReasons); refused within CancelCutoff of a confirmed FOC.
    Order cancel_order(std::string_view order_id, std::string_view reason = {}, std::string_view comment = {});

    // The port-out freeze: while set, every port-out request is refused.
    Tenant set_freeze(std::string_view tenant_id, bool frozen);

    // The outbox: what `consumer` has not acknowledged, oldest first; then its acknowledgement.
    std::vector<Notification> receive_notifications(std::string_view consumer, std::size_t max_count);
    std::int64_t acknowledge_notifications(std::string_view consumer, const std::vector<std::int64_t>& ids);

    // Copies the whole store, as it is, into the empty store `open_destination` opens (called
    // once the session is known to be allowed to copy; see open_store.hpp), in one transaction
    // there: PIN records stay sealed under the same key, audit events keep their MACs. Open the
    // copy with the same key file. `progress` counts rows copied of the store's rows, its stage
    // the table being copied.
    CopyReport copy_to(const std::function<std::unique_ptr<Store>()>& open_destination,
                       const ProgressHook& progress = {});

    // Re-seals every PIN record under the key in `new_key_path` (created when missing), in
    // batches that each commit on their own. Resumable: after a crash, open the store with its
    // current key and call again. `progress` counts records re-sealed (those of a batch before it
    // commits) of the records to re-seal.
    RotationReport rotate_key(const std::string& new_key_path, std::size_t batch_size = 500,
                              const ProgressHook& progress = {});

private:
    PortOutService(std::unique_ptr<Store> store, const ServiceOptions& options, HashProfile profile);
    // A session as `principal`, sharing `parent`'s store, keys, audit chain and workers.
    PortOutService(const PortOutService& parent, Principal principal);

    // Records in the audit chain that the store was changed by someone without its key, after
    // `repair` undid what can be undone, in one transaction.
    void record_tampering(std::string_view reason, const std::string& details,
                          const std::function<void(StoreTransaction&)>& repair);
    void load_identity(StoreTransaction& tx);
    // AlreadyAuthenticated unless this session was opened with the key file.
    void require_gate() const;
    // Once the store's id and audit key are known: the context the area units share, and the
    // units (cpp/src/service/) every operation is delegated to.
    void assemble();

    // Shared with the sessions authenticate() opens.
    std::shared_ptr<Store> store_;
    std::shared_ptr<const Clock> clock_;
    bool test_clock_ = false;  // the caller's own clock, on a store made for tests
    std::string actor_;
    std::unique_ptr<Access> access_;
    PinHasher hasher_;
    std::shared_ptr<CheckCost> cost_;
    std::string store_id_;
    std::shared_ptr<AuditChain> audit_;

    std::shared_ptr<KeyRing> keys_;
    std::optional<Principal> principal_;
    std::string via_;  // what the audit log adds to each event: the principal it acted as

    struct Units;
    std::unique_ptr<Units> units_;

    // Threads doing one side of two things at once (see worker_pool.hpp); last, so stopped first.
    std::shared_ptr<WorkerPool> workers_;
};

}  // namespace portout
