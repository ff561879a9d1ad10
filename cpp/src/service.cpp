#include <portout/service.hpp>

#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/access.hpp"
#include "service/audit_chain.hpp"
#include "service/audit_checkpoint.hpp"
#include "service/audit_log.hpp"
#include "service/check_cost.hpp"
#include "service/context.hpp"
#include "service/copier.hpp"
#include "service/key_ring.hpp"
#include "service/key_rotation.hpp"
#include "service/notifications.hpp"
#include "service/numbers.hpp"
#include "service/orders.hpp"
#include "service/pins.hpp"
#include "service/policies.hpp"
#include "service/principals.hpp"
#include "service/web_sessions.hpp"
#include "service/deliveries.hpp"
#include "service/tenant_state.hpp"
#include "service/tenants.hpp"
#include "service/worker_pool.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace portout {

namespace {

constexpr std::string_view kMetaStoreId = "store_id";
constexpr std::string_view kMetaKeyId = KeyRing::kMetaKeyId;
constexpr std::string_view kMetaHashProfile = "hash_profile";
constexpr std::string_view kMetaTestStore = "test_store";
constexpr std::string_view kMetaAuditKey = KeyRing::kMetaAuditKey;
constexpr std::string_view kMetaCreatedAt = "created_at";
// The profiles the store's records may be under: its own and those it had before.
constexpr std::string_view kMetaHashProfiles = "hash_profiles";
// Set once every tenant has a billing account number (a store made before them gets theirs once).
constexpr std::string_view kMetaAccountNumbers = "account_numbers";

std::string os_user() {
    if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
    return "uid:" + std::to_string(::geteuid());
}

}  // namespace

// The area units, and the context they share; each public method below is one of theirs.
struct PortOutService::Units {
    explicit Units(const ServiceContext& c) : context(c) {}
    Units(const Units&) = delete;
    Units& operator=(const Units&) = delete;

    ServiceContext context;
    Tenants tenants{context};
    Pins pins{context};
    Policies policies{context};
    Numbers numbers{context};
    Orders orders{context, pins};
    Notifications notifications{context};
    AuditLog audit_log{context};
    AuditCheckpoints checkpoints{context};
    KeyRotation rotation{context};
    Copier copier{context};
    Principals principals{context};
    Deliveries deliveries{context};
    WebSessions web_sessions{context, principals};
};

PortOutService::~PortOutService() = default;

PortOutService::PortOutService(std::unique_ptr<Store> store, const ServiceOptions& options,
                               HashProfile profile)
    : store_(std::move(store)),
      clock_(options.clock ? options.clock : std::make_shared<SystemClock>()),
      test_clock_(options.clock != nullptr),
      actor_(canonical_actor(options.actor.empty() ? os_user() : options.actor)),
      access_(std::make_unique<Access>(options.role, options.tenant_scope)),
      hasher_(profile),
      workers_(std::make_shared<WorkerPool>()) {}

PortOutService::PortOutService(const PortOutService& parent, Principal principal)
    : store_(parent.store_),
      clock_(parent.clock_),
      test_clock_(parent.test_clock_),
      actor_(canonical_actor(principal.actor)),
      access_(std::make_unique<Access>(parse_role(principal.role).value_or(Role::Auditor), principal.tenant_scope)),
      hasher_(parent.hasher_.profile()),
      cost_(parent.cost_),
      store_id_(parent.store_id_),
      audit_(parent.audit_),
      keys_(parent.keys_),
      principal_(std::move(principal)),
      via_((principal_->kind == "Account" ? "account:" : "credential:") + principal_->name),
      workers_(parent.workers_) {
    assemble();
}

void PortOutService::assemble() {
    units_ = std::make_unique<Units>(
        ServiceContext{*store_, *clock_, actor_, *access_, hasher_, *cost_, *keys_, *audit_, *workers_, store_id_,
                       test_clock_, via_, principal_});
}

Role PortOutService::role() const noexcept {
    return access_->role();
}

const std::vector<std::string>& PortOutService::tenant_scope() const noexcept {
    return access_->scope();
}

std::unique_ptr<PortOutService> PortOutService::open(std::unique_ptr<Store> store,
                                                     const std::string& key_path,
                                                     const ServiceOptions& options) {
    ensure_sodium();
    if (key_path.empty()) throw InvalidArgumentError("InvalidKeyPath", "The key file path is empty.");
    std::optional<std::string> meta_key_id, meta_profile, meta_test, rotation, legacy_id, legacy_path, meta_profiles,
        meta_accounts;
    {
        auto tx = store->begin(TxMode::Read);
        meta_accounts = tx->meta(kMetaAccountNumbers);
        meta_profiles = tx->meta(kMetaHashProfiles);
        meta_key_id = tx->meta(kMetaKeyId);
        meta_profile = tx->meta(kMetaHashProfile);
        meta_test = tx->meta(kMetaTestStore);
        rotation = tx->meta(KeyRing::kMetaRotation);
        legacy_id = tx->meta(KeyRing::kMetaLegacyPendingKeyId);
        legacy_path = tx->meta(KeyRing::kMetaLegacyPendingKeyPath);
    }
    const bool fresh = !meta_key_id;
    HashProfile profile = HashProfile::Interactive;
    if (options.profile) {
        profile = *options.profile;
    } else if (meta_profile) {
        profile = parse_hash_profile(*meta_profile).value_or(HashProfile::Interactive);
    }
    if (profile == HashProfile::Test) {
        if (!options.allow_test_profile) {
            throw InvalidArgumentError("TestProfileNotAllowed",
                                       "The test hash profile is for test suites only: it must be "
                                       "allowed explicitly.",
                                       store->location());
        }
        if (!fresh && meta_test.value_or("0") != "1") {
            throw SecurityError("TestProfileRefused",
                                "This is a production store: it never takes the test hash profile.",
                                store->location());
        }
    }

    // A clock of the caller's own could lift locks at will: only a store made for tests takes one.
    const bool test_store = fresh ? profile == HashProfile::Test : meta_test.value_or("0") == "1";
    if (options.clock && !test_store) {
        throw SecurityError("ClockNotAllowed",
                            "A clock of the caller's own is taken only by a store made for tests (with "
                            "the test hash profile); this store keeps time by the system clock.",
                            store->location());
    }

    StoreKey key = fresh ? load_or_create_key(*store, key_path) : load_key(*store, key_path);
    if (!fresh && key.key_id() != *meta_key_id) {
        if (rotation && key.key_id() == KeyRing::rotation_hint(*rotation)) {
            throw SecurityError("KeyRotationPending",
                                "A rotation to this key has not completed: open the store with its "
                                "current key file and run the rotation again to finish it.",
                                key_path);
        }
        throw SecurityError("KeyMismatch",
                            "The key file " + key_path + " does not belong to this store (its key id is " +
                                key.key_id() + "; the store's is " + *meta_key_id + ").",
                            key_path);
    }

    std::unique_ptr<PortOutService> service(new PortOutService(std::move(store), options, profile));
    const std::string key_id = key.key_id();
    // Every check costs what one at the costliest profile in use costs (check_cost.hpp).
    auto profiles_in_use = parse_profile_list(meta_profiles.value_or(""));
    if (meta_profile) {
        if (const auto recorded = parse_hash_profile(*meta_profile)) profiles_in_use.push_back(*recorded);
    }
    service->cost_ = std::make_shared<CheckCost>(costliest_profile(profile, profiles_in_use), *service->workers_);
    if (std::find(profiles_in_use.begin(), profiles_in_use.end(), profile) == profiles_in_use.end()) {
        profiles_in_use.push_back(profile);
    }
    std::sort(profiles_in_use.begin(), profiles_in_use.end());
    profiles_in_use.erase(std::unique(profiles_in_use.begin(), profiles_in_use.end()), profiles_in_use.end());
    {
        auto* raw = service->store_.get();
        service->keys_ = std::make_shared<KeyRing>(
            std::move(key), [raw](const std::string& path) { return load_key(*raw, path); }, raw->location());
    }

    // Only a new store, or a change of hash profile, writes anything here: opening a store
    // (a damaged one too) leaves its file as it was.
    const bool profile_changes = meta_profile && *meta_profile != to_string(profile);
    if (profile_changes && !fresh && !role_allows(options.role, Operation::SetHashProfile)) {
        // Refused, and the refusal audited: only a StoreAdmin makes another profile the store's.
        auto tx = service->store_->begin(TxMode::Read);
        service->load_identity(*tx);
        tx.reset();
        service->units_->context.authorize(Operation::SetHashProfile);
    }
    if (fresh || profile_changes) {
        const Millis now = service->clock_->now_ms();
        auto tx = service->store_->begin(TxMode::Write);
        const auto id = tx->meta(kMetaKeyId);
        if (!id) {
            if (tx->last_audit_event() || !tx->tenants_after("", 1).empty()) {
                throw InvalidDataError("StoreCorrupt", "The store's identity records are missing.",
                                       service->store_->location());
            }
            // A new store: its identity, its audit key (sealed under the store key), its policy.
            const auto store_id = random_uuid();
            tx->set_meta("application", "portout");
            tx->set_meta(kMetaStoreId, store_id);
            tx->set_meta(kMetaKeyId, key_id);
            tx->set_meta(kMetaHashProfile, to_string(profile));
            tx->set_meta(kMetaTestStore, profile == HashProfile::Test ? "1" : "0");
            tx->set_meta(kMetaCreatedAt, std::to_string(now));
            tx->set_meta(kMetaHashProfiles, to_string(profile));
            tx->set_meta(kMetaAccountNumbers, "1");
            meta_accounts = "1";
            Secret audit_key(random_bytes(AuditMac::kSize));
            tx->set_meta(kMetaAuditKey, KeyRing::seal_audit_key(*service->keys_->current(), audit_key, store_id));
            tx->put_policy(default_policy_record(now, service->actor_));
            service->store_id_ = store_id;
            service->audit_ = std::make_shared<AuditChain>(std::move(audit_key), store_id);
            service->assemble();
            service->units_->context.append_state_change(
                *tx, "StoreCreated", "", std::nullopt, "Success", "",
                "hash_profile=" + std::string(to_string(profile)) + " key_id=" + key_id);
        } else if (*id != key_id) {
            throw SecurityError("KeyMismatch", "The key file " + key_path + " does not belong to this store.", key_path);
        } else {
            service->load_identity(*tx);
            const auto recorded = tx->meta(kMetaHashProfile).value_or("");
            if (recorded != to_string(profile)) {
                tx->set_meta(kMetaHashProfile, to_string(profile));
                tx->set_meta(kMetaHashProfiles, profile_list(profiles_in_use));
                service->units_->context.append_audit(
                    *tx, "HashProfileChanged", "", "Success", "",
                    "from=" + recorded + " to=" + std::string(to_string(profile)));
            }
        }
        tx->commit();
    } else {
        auto tx = service->store_->begin(TxMode::Read);
        service->load_identity(*tx);
    }

    // Key state an earlier portout kept in the open, or that someone without the key wrote: a
    // key is never taken from it. It is removed, and the finding audited.
    if (legacy_id || legacy_path) {
        service->record_tampering("UnauthenticatedKeyState",
                                  "pending_key_id and pending_key_path are not authenticated and were "
                                  "removed unused; a rotation they described is resumed by running it "
                                  "again with its new key file",
                                  [](StoreTransaction& tx) {
                                      tx.delete_meta(KeyRing::kMetaLegacyPendingKeyId);
                                      tx.delete_meta(KeyRing::kMetaLegacyPendingKeyPath);
                                  });
    }
    // Mid-rotation: records already moved need the new key; new records go under it. The key
    // comes from the file the operator named to the rotation, as its authenticated record says.
    // A record that does not open under the store key was not written by a rotation: it is
    // removed unused, and the finding audited.
    if (rotation) {
        std::optional<KeyRing::Rotation> pending;
        try {
            auto tx = service->store_->begin(TxMode::Read);
            pending = service->keys_->rotation(*tx);
        } catch (const SecurityError&) {
            service->record_tampering("RotationRecordNotAuthentic",
                                      "the record of a key rotation does not open under the store key; "
                                      "removed unused",
                                      [](StoreTransaction& tx) { tx.delete_meta(KeyRing::kMetaRotation); });
        }
        // When the file cannot be had, records under the new key stay unreadable until the
        // rotation is run again.
        if (pending) service->keys_->hold(*pending);
    }
    // A store written before tenants' security state was anchored: what it holds now is
    // anchored once, so that every change from now on is checked. Until then nothing is.
    {
        auto tx = service->store_->begin(TxMode::Read);
        const bool anchored = tx->has_state_marks();
        tx.reset();
        if (!anchored) anchor_existing_state(service->units_->context);
    }
    // A store made before tenants had billing account numbers: each gets one, once.
    if (!meta_accounts) service->units_->tenants.assign_account_numbers(std::string(kMetaAccountNumbers));
    return service;
}

void PortOutService::record_tampering(std::string_view reason, const std::string& details,
                                      const std::function<void(StoreTransaction&)>& repair) {
    auto tx = store_->begin(TxMode::Write);
    repair(*tx);
    units_->context.append_audit(*tx, "StoreTampered", "", "Failure", reason, details);
    tx->commit();
}

void PortOutService::load_identity(StoreTransaction& tx) {
    store_id_ = tx.meta(kMetaStoreId).value_or("");
    const auto sealed = tx.meta(kMetaAuditKey);
    if (!sealed || store_id_.empty()) {
        throw InvalidDataError("StoreCorrupt", "The store's identity records are missing.",
                               store_->location());
    }
    audit_ = std::make_shared<AuditChain>(keys_->open_audit_key(*sealed, store_id_), store_id_);
    assemble();
}

std::string PortOutService::key_id() const {
    return keys_->current_id();
}

// ---- principals ----------------------------------------------------------------------------

IssuedCredential PortOutService::create_credential(const CredentialRequest& request) {
    return units_->principals.create_credential(request);
}

std::vector<Principal> PortOutService::list_principals(std::string_view kind) {
    return units_->principals.list(kind);
}

void PortOutService::remove_principal(std::string_view kind, std::string_view name) {
    units_->principals.remove(kind, name);
}

std::unique_ptr<PortOutService> PortOutService::authenticate(std::string_view token, std::string_view client_address) {
    require_gate();
    auto principal = units_->principals.authenticate_token(token, client_address);
    return std::unique_ptr<PortOutService>(new PortOutService(*this, std::move(principal)));
}

IssuedAccount PortOutService::create_account(const AccountRequest& request, std::string_view password) {
    return units_->principals.create_account(request, password);
}

Principal PortOutService::set_account_password(std::string_view user_name, std::string_view password) {
    return units_->principals.set_account_password(user_name, password);
}

std::unique_ptr<PortOutService> PortOutService::authenticate_account(std::string_view user_name,
                                                                     std::string_view password,
                                                                     std::string_view totp_code,
                                                                     std::string_view client_address) {
    require_gate();
    auto principal = units_->principals.authenticate_account(user_name, password, totp_code, client_address);
    return std::unique_ptr<PortOutService>(new PortOutService(*this, std::move(principal)));
}

void PortOutService::require_gate() const {
    if (principal_) {
        throw InvalidOperationError("AlreadyAuthenticated",
                                    "A session opened as a principal does not authenticate others: the session "
                                    "opened with the store's key file does.");
    }
}

IssuedWebSession PortOutService::start_web_session(std::string_view user_name, std::string_view password,
                                                   std::string_view client_address) {
    require_gate();
    return units_->web_sessions.start(user_name, password, client_address);
}

Principal PortOutService::complete_web_session(std::string_view token, std::string_view totp_code,
                                               std::string_view client_address) {
    require_gate();
    return units_->web_sessions.complete(token, totp_code, client_address);
}

std::unique_ptr<PortOutService> PortOutService::resume_web_session(std::string_view token,
                                                                   std::string_view client_address,
                                                                   Millis idle_timeout_ms) {
    require_gate();
    auto principal = units_->web_sessions.resume(token, client_address, idle_timeout_ms);
    return std::unique_ptr<PortOutService>(new PortOutService(*this, std::move(principal)));
}

void PortOutService::end_web_session(std::string_view token, std::string_view client_address) {
    require_gate();
    units_->web_sessions.end(token, client_address);
}

// ---- delivered notifications -----------------------------------------------------------------

IssuedWebhook PortOutService::create_webhook(std::string_view url, const std::vector<std::string>& events,
                                             const std::vector<std::string>& tenant_scope) {
    return units_->deliveries.create_webhook(url, events, tenant_scope);
}

std::vector<Subscription> PortOutService::list_subscriptions() { return units_->deliveries.list_subscriptions(); }

void PortOutService::remove_subscription(std::string_view subscription_id) {
    units_->deliveries.remove_subscription(subscription_id);
}

std::vector<Subscription> PortOutService::set_notification_emails(std::string_view tenant_id,
                                                                  const std::vector<std::string>& addresses) {
    return units_->deliveries.set_notification_emails(tenant_id, addresses);
}

std::vector<Delivery> PortOutService::list_deliveries(const DeliveryQuery& query) {
    return units_->deliveries.list_deliveries(query);
}

Delivery PortOutService::redeliver(std::int64_t delivery_id) { return units_->deliveries.redeliver(delivery_id); }

std::vector<DueDelivery> PortOutService::claim_deliveries(const std::vector<std::string>& kinds,
                                                          std::size_t max_count, const DeliveryPolicy& policy) {
    return units_->deliveries.claim(kinds, max_count, policy);
}

Delivery PortOutService::record_delivery(std::int64_t delivery_id, const DeliveryResult& result,
                                         const DeliveryPolicy& policy) {
    return units_->deliveries.record(delivery_id, result, policy);
}

// ---- tenants -------------------------------------------------------------------------------

Tenant PortOutService::create_tenant(std::string_view tenant_id, std::string_view display_name,
                                     std::string_view country) {
    return units_->tenants.create_tenant(tenant_id, display_name, country);
}

std::int64_t PortOutService::import_tenants(const std::vector<std::array<std::string, 3>>& rows) {
    return units_->tenants.import_tenants(rows);
}

Tenant PortOutService::get_tenant(std::string_view tenant_id) {
    return units_->tenants.get_tenant(tenant_id);
}

std::vector<Tenant> PortOutService::list_tenants(std::string_view after, std::size_t limit) {
    return units_->tenants.list_tenants(after, limit);
}

TenantCounts PortOutService::count_tenants() { return units_->tenants.count_tenants(); }

Tenant PortOutService::update_tenant(std::string_view tenant_id, std::optional<std::string_view> display_name,
                                     std::optional<std::string_view> country) {
    return units_->tenants.update_tenant(tenant_id, display_name, country);
}

Tenant PortOutService::update_tenant(std::string_view tenant_id, const TenantChange& change) {
    return units_->tenants.update_tenant(tenant_id, change);
}

void PortOutService::remove_tenant(std::string_view tenant_id) {
    units_->tenants.remove_tenant(tenant_id);
}

// ---- PINs ----------------------------------------------------------------------------------

PinStatus PortOutService::set_pin(std::string_view tenant_id, std::string_view pin) {
    return units_->pins.set_pin(tenant_id, pin);
}

PinStatus PortOutService::pin_status(std::string_view tenant_id) {
    return units_->pins.pin_status(tenant_id);
}

std::vector<PinStatus> PortOutService::list_pin_status(std::string_view after, std::size_t limit) {
    return units_->pins.list_pin_status(after, limit);
}

bool PortOutService::check_pin(std::string_view tenant_id, std::string_view pin) {
    return units_->pins.check_pin(tenant_id, pin);
}

PinStatus PortOutService::unlock_pin(std::string_view tenant_id) {
    return units_->pins.unlock_pin(tenant_id);
}

PinStatus PortOutService::repair_tenant_state(std::string_view tenant_id) {
    return units_->pins.repair_state(tenant_id);
}

EffectivePolicy PortOutService::repair_default_policy() {
    return units_->policies.repair_default_policy();
}

// ---- policies ------------------------------------------------------------------------------

EffectivePolicy PortOutService::get_policy(std::optional<std::string_view> tenant_id) {
    return units_->policies.get_policy(tenant_id);
}

EffectivePolicy PortOutService::set_policy(std::optional<std::string_view> tenant_id, const PolicyChange& change) {
    return units_->policies.set_policy(tenant_id, change);
}

EffectivePolicy PortOutService::reset_policy(std::string_view tenant_id) {
    return units_->policies.reset_policy(tenant_id);
}

std::vector<Violation> PortOutService::test_pin_policy(std::optional<std::string_view> tenant_id,
                                                       std::string_view pin) {
    return units_->policies.test_pin_policy(tenant_id, pin);
}

// ---- the audit log -------------------------------------------------------------------------

std::vector<AuditEvent> PortOutService::audit_events(const AuditQuery& query) {
    return units_->audit_log.audit_events(query);
}

AuditVerification PortOutService::verify_audit(const ProgressHook& progress) {
    return units_->audit_log.verify_audit(progress);
}

AuditVerification PortOutService::verify_audit(const ProgressHook& progress,
                                                const std::vector<std::string>& checkpoints) {
    return units_->audit_log.verify_audit(progress, checkpoints);
}

AuditCheckpoint PortOutService::audit_checkpoint() {
    return units_->checkpoints.audit_checkpoint();
}

// ---- the number inventory ------------------------------------------------------------------

PhoneNumber PortOutService::add_number(std::string_view tenant_id, std::string_view number) {
    return units_->numbers.add_number(tenant_id, number);
}

void PortOutService::remove_number(std::string_view tenant_id, std::string_view number) {
    units_->numbers.remove_number(tenant_id, number);
}

std::vector<PhoneNumber> PortOutService::list_numbers(std::optional<std::string_view> tenant_id,
                                                      std::string_view after, std::size_t limit) {
    return units_->numbers.list_numbers(tenant_id, after, limit);
}

// ---- port-out orders and the freeze --------------------------------------------------------

Order PortOutService::submit_order(std::string_view tenant_id, const std::vector<std::string>& numbers,
                                   std::string_view pin, std::string_view gaining_carrier,
                                   std::optional<Millis> requested_foc) {
    PortOutRequest request;
    request.tenant_id = std::string(tenant_id);
    request.numbers = numbers;
    request.carrier_name = std::string(gaining_carrier);
    request.requested_due = requested_foc;
    return units_->orders.submit_order(request, pin);
}

Order PortOutService::submit_order(const PortOutRequest& request, std::string_view pin) {
    return units_->orders.submit_order(request, pin);
}

std::vector<OrderStep> PortOutService::order_history(std::string_view order_id) {
    return units_->orders.order_history(order_id);
}

Order PortOutService::approve_order(std::string_view order_id, std::string_view comment) {
    return units_->orders.approve_order(order_id, comment);
}

Order PortOutService::deny_order(std::string_view order_id, std::string_view reason, std::string_view comment) {
    return units_->orders.deny_order(order_id, reason, comment);
}

std::int64_t PortOutService::settle_due_reviews() {
    return units_->orders.settle_due_reviews();
}

Order PortOutService::change_foc(std::string_view order_id, Millis foc, std::string_view comment) {
    return units_->orders.change_foc(order_id, foc, comment);
}

Order PortOutService::get_order(std::string_view order_id) {
    return units_->orders.get_order(order_id);
}

std::vector<Order> PortOutService::list_orders(const OrderQuery& query) {
    return units_->orders.list_orders(query);
}

Order PortOutService::confirm_order(std::string_view order_id, Millis foc) {
    return units_->orders.confirm_order(order_id, foc);
}

Order PortOutService::complete_order(std::string_view order_id) {
    return units_->orders.complete_order(order_id);
}

Order PortOutService::cancel_order(std::string_view order_id, std::string_view reason, std::string_view comment) {
    return units_->orders.cancel_order(order_id, reason, comment);
}

Tenant PortOutService::set_freeze(std::string_view tenant_id, bool frozen) {
    return units_->orders.set_freeze(tenant_id, frozen);
}

// ---- notifications -------------------------------------------------------------------------

std::vector<Notification> PortOutService::receive_notifications(std::string_view consumer, std::size_t max_count) {
    return units_->notifications.receive_notifications(consumer, max_count);
}

std::int64_t PortOutService::acknowledge_notifications(std::string_view consumer,
                                                       const std::vector<std::int64_t>& ids) {
    return units_->notifications.acknowledge_notifications(consumer, ids);
}

// ---- moving a store, rotating its key ------------------------------------------------------

CopyReport PortOutService::copy_to(const std::function<std::unique_ptr<Store>()>& open_destination,
                                   const ProgressHook& progress) {
    return units_->copier.copy_to(open_destination, progress);
}

RotationReport PortOutService::rotate_key(const std::string& new_key_path, std::size_t batch_size,
                                          const ProgressHook& progress) {
    return units_->rotation.rotate_key(new_key_path, batch_size, progress);
}

}  // namespace portout
