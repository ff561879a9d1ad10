#include <portout/service.hpp>

#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include <portout/phone_number.hpp>
#include "service/access.hpp"
#include "service/audit_chain.hpp"
#include "service/key_ring.hpp"
#include "service/worker_pool.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

namespace portout {

namespace {

constexpr std::string_view kMetaStoreId = "store_id";
constexpr std::string_view kMetaKeyId = KeyRing::kMetaKeyId;
constexpr std::string_view kMetaHashProfile = "hash_profile";
constexpr std::string_view kMetaTestStore = "test_store";
constexpr std::string_view kMetaAuditKey = "audit_key";
constexpr std::string_view kMetaPendingKeyId = KeyRing::kMetaPendingKeyId;
constexpr std::string_view kMetaPendingKeyPath = KeyRing::kMetaPendingKeyPath;
constexpr std::string_view kMetaCreatedAt = "created_at";

constexpr int kDefaultMaxFailedAttempts = 5;
constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
constexpr Millis kDefaultLockout = 15 * kMinute;
constexpr Millis kDefaultMaxLockout = 24 * kHour;

// An order's states.
constexpr std::string_view kSubmitted = "Submitted";
constexpr std::string_view kRejected = "Rejected";
constexpr std::string_view kConfirmed = "Confirmed";
constexpr std::string_view kCompleted = "Completed";
constexpr std::string_view kCancelled = "Cancelled";

std::string os_user() {
    if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
    return "uid:" + std::to_string(::geteuid());
}

// Lock k (counting from zero) lasts the base duration doubled k times, up to the cap.
Millis lock_duration(int level, Millis base, Millis cap) {
    Millis d = base;
    for (int i = 0; i < level && d < cap; ++i) d *= 2;
    return std::min(d, cap);
}

std::string duration_text(Millis ms) {
    return std::to_string(ms / kSecond) + "s";
}

PolicyRecord default_policy_record(Millis now, const std::string& actor) {
    PolicyRecord p;
    p.scope = "";
    p.min_length = PinPolicy::kDefaultMinLength;
    p.max_length = PinPolicy::kDefaultMaxLength;
    p.block_weak = true;
    p.blocklist = std::vector<std::string>{};
    p.max_failed_attempts = kDefaultMaxFailedAttempts;
    p.lockout_ms = kDefaultLockout;
    p.max_lockout_ms = kDefaultMaxLockout;
    p.modified_at = now;
    p.modified_by = actor;
    return p;
}

// A key is never read from a file the process's stores hold open (the database or its -wal or
// -shm): closing the descriptor that read it would drop every lock the process holds on it.
StoreKey load_key(const Store& store, const std::string& path) {
    if (store.holds_file(path)) {
        throw InvalidArgumentError("KeyFileIsStoreFile",
                                   "The key file named is a store's own database file: give the "
                                   "store's key file.",
                                   path);
    }
    return StoreKey::load(path);
}

StoreKey load_or_create_key(const Store& store, const std::string& path) {
    try {
        return load_key(store, path);
    } catch (const ObjectNotFoundError&) {
        auto key = StoreKey::generate();
        try {
            key.save_new(path);
            return key;
        } catch (const ResourceExistsError&) {
            return load_key(store, path);  // another process created it first
        }
    }
}

}  // namespace

PortOutService::~PortOutService() = default;

PortOutService::PortOutService(std::unique_ptr<Store> store, const ServiceOptions& options,
                               HashProfile profile)
    : store_(std::move(store)),
      clock_(options.clock ? options.clock : std::make_shared<SystemClock>()),
      actor_(canonical_actor(options.actor.empty() ? os_user() : options.actor)),
      access_(std::make_unique<Access>(options.role, options.tenant_scope)),
      hasher_(profile),
      workers_(std::make_unique<WorkerPool>()) {}

Role PortOutService::role() const noexcept {
    return access_->role();
}

const std::vector<std::string>& PortOutService::tenant_scope() const noexcept {
    return access_->scope();
}

bool PortOutService::in_scope(std::string_view tenant_id) const {
    return access_->in_scope(tenant_id);
}

void PortOutService::authorize(Operation op, std::string_view tenant_id, StoreTransaction* write_tx) {
    const auto why = access_->refusal(op, tenant_id);
    if (!why) return;
    std::unique_ptr<StoreTransaction> own;
    if (!write_tx) {
        own = store_->begin(TxMode::Write);
        write_tx = own.get();
    }
    append_audit(*write_tx, "AccessDenied", tenant_id, "Denied", to_string(op),
                 "role=" + std::string(to_string(role())));
    write_tx->commit();
    throw PermissionDeniedError("AccessDenied", *why, std::string(tenant_id));
}

std::unique_ptr<PortOutService> PortOutService::open(std::unique_ptr<Store> store,
                                                     const std::string& key_path,
                                                     const ServiceOptions& options) {
    ensure_sodium();
    if (key_path.empty()) throw InvalidArgumentError("InvalidKeyPath", "The key file path is empty.");
    std::optional<std::string> meta_key_id, meta_profile, meta_test, pending_id, pending_path;
    {
        auto tx = store->begin(TxMode::Read);
        meta_key_id = tx->meta(kMetaKeyId);
        meta_profile = tx->meta(kMetaHashProfile);
        meta_test = tx->meta(kMetaTestStore);
        pending_id = tx->meta(kMetaPendingKeyId);
        pending_path = tx->meta(kMetaPendingKeyPath);
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

    StoreKey key = fresh ? load_or_create_key(*store, key_path) : load_key(*store, key_path);
    if (!fresh && key.key_id() != *meta_key_id) {
        if (pending_id && key.key_id() == *pending_id) {
            throw SecurityError("KeyRotationPending",
                                "A rotation to this key has not completed: open the store with its "
                                "current key file and run the rotation again to finish it.",
                                key_path);
        }
        throw SecurityError("KeyMismatch",
                            "The key file does not belong to this store (its key id is " +
                                key.key_id() + "; the store's is " + *meta_key_id + ").",
                            key_path);
    }

    std::unique_ptr<PortOutService> service(new PortOutService(std::move(store), options, profile));
    const std::string key_id = key.key_id();
    {
        auto* raw = service->store_.get();
        service->keys_ = std::make_unique<KeyRing>(
            std::move(key), [raw](const std::string& path) { return load_key(*raw, path); }, raw->location());
    }

    // Only a new store, or a change of hash profile, writes anything here: opening a store
    // (a damaged one too) leaves its file as it was.
    const bool profile_changes = meta_profile && *meta_profile != to_string(profile);
    if (fresh || profile_changes) {
        const Millis now = service->now();
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
            Secret audit_key(random_bytes(AuditMac::kSize));
            tx->set_meta(kMetaAuditKey, KeyRing::seal_audit_key(*service->keys_->current(), audit_key, store_id));
            tx->put_policy(default_policy_record(now, service->actor_));
            service->store_id_ = store_id;
            service->audit_ = std::make_unique<AuditChain>(std::move(audit_key), store_id);
            service->append_audit(*tx, "StoreCreated", "", "Success", "",
                                  "hash_profile=" + std::string(to_string(profile)) + " key_id=" + key_id);
        } else if (*id != key_id) {
            throw SecurityError("KeyMismatch", "The key file does not belong to this store.", key_path);
        } else {
            service->load_identity(*tx);
            const auto recorded = tx->meta(kMetaHashProfile).value_or("");
            if (recorded != to_string(profile)) {
                tx->set_meta(kMetaHashProfile, to_string(profile));
                service->append_audit(*tx, "HashProfileChanged", "", "Success", "",
                                      "from=" + recorded + " to=" + std::string(to_string(profile)));
            }
        }
        tx->commit();
    } else {
        auto tx = service->store_->begin(TxMode::Read);
        service->load_identity(*tx);
    }

    // Mid-rotation: records already moved need the new key; new records go under it.
    if (pending_id && pending_path) {
        try {
            auto pending = service->keys_->load(*pending_path);
            if (pending->key.key_id() == *pending_id) service->keys_->add(std::move(pending));
        } catch (const Error&) {
            // The records under the new key stay unreadable until the rotation is run again.
        }
    }
    return service;
}

void PortOutService::load_identity(StoreTransaction& tx) {
    store_id_ = tx.meta(kMetaStoreId).value_or("");
    const auto sealed = tx.meta(kMetaAuditKey);
    if (!sealed || store_id_.empty()) {
        throw InvalidDataError("StoreCorrupt", "The store's identity records are missing.",
                               store_->location());
    }
    audit_ = std::make_unique<AuditChain>(keys_->open_audit_key(*sealed, store_id_), store_id_);
}

std::string PortOutService::key_id() const {
    return keys_->current_id();
}

// ---- audit ---------------------------------------------------------------------------------

void PortOutService::append_audit_events(StoreTransaction& tx, std::vector<AuditRecord>& events) {
    audit_->append(tx, events, actor_, now());
}

void PortOutService::append_audit(StoreTransaction& tx, std::string_view type,
                                  std::string_view tenant_id, std::string_view outcome,
                                  std::string_view reason, std::string details) {
    AuditRecord e;
    e.event_type = type;
    e.tenant_id = tenant_id;
    e.outcome = outcome;
    e.reason = reason;
    e.details = std::move(details);
    std::vector<AuditRecord> one;
    one.push_back(std::move(e));
    append_audit_events(tx, one);
}

AuditVerification PortOutService::verify_audit(const std::function<void(std::int64_t)>& progress) {
    authorize(Operation::VerifyAudit);
    auto tx = store_->begin(TxMode::Read);  // one snapshot for the whole walk
    return audit_->verify(*tx, progress);
}

std::vector<AuditEvent> PortOutService::audit_events(const AuditQuery& query) {
    AuditQuery q = query;
    for (auto& id : q.tenant_ids) id = canonical_tenant_id(id);
    if (q.tenant_ids.empty()) {
        authorize(Operation::ReadAudit);
        q.tenant_ids = tenant_scope();  // a scoped session reads its own tenants' events only
    } else {
        for (const auto& id : q.tenant_ids) authorize(Operation::ReadAudit, id);
    }
    q.limit = std::clamp<std::size_t>(q.limit, 1, 100000);
    auto tx = store_->begin(TxMode::Read);
    // A tenant's history starts at its latest creation: an id removed and created again does
    // not show the removed tenant's events. (A store-wide query, naming no tenant, shows all.)
    std::vector<std::string> plain;
    std::vector<std::pair<std::string, std::int64_t>> recreated;
    for (const auto& id : q.tenant_ids) {
        std::int64_t removed_at = 0;
        if (tx->tenant(id)) {
            AuditQuery removals;
            removals.tenant_ids = {id};
            removals.event_types = {"TenantRemoved"};
            removals.limit = 100000;
            const auto found = tx->audit_events(removals);
            if (!found.empty()) removed_at = found.back().event_id;
        }
        if (removed_at) {
            recreated.emplace_back(id, removed_at);
        } else {
            plain.push_back(id);
        }
    }
    std::vector<AuditRecord> rows;
    if (recreated.empty()) {
        rows = tx->audit_events(q);
    } else {
        // One query for the tenants never removed, one for each created again; merged in chain
        // order, the first `limit` of them.
        auto add = [&](AuditQuery part) {
            auto more = part.tenant_ids.empty() ? std::vector<AuditRecord>{} : tx->audit_events(part);
            rows.insert(rows.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
        };
        AuditQuery part = q;
        part.tenant_ids = plain;
        add(part);
        for (const auto& [id, removed_at] : recreated) {
            part.tenant_ids = {id};
            part.after_event_id = std::max(q.after_event_id, removed_at);
            add(part);
        }
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.event_id < b.event_id; });
        if (rows.size() > q.limit) rows.resize(q.limit);
    }
    std::vector<AuditEvent> out;
    out.reserve(rows.size());
    for (auto& r : rows) out.push_back(std::move(static_cast<AuditEvent&>(r)));
    return out;
}

// ---- tenants -------------------------------------------------------------------------------

namespace {

Tenant tenant_of(const TenantRecord& r) {
    return {r.tenant_id, r.display_name, r.country, r.created_at, r.modified_at, r.modified_by,
            r.pin_record.has_value(), r.frozen};
}

}  // namespace

TenantRecord PortOutService::require_tenant(StoreTransaction& tx, const std::string& tenant_id) {
    auto t = tx.tenant(tenant_id);
    if (!t) throw ObjectNotFoundError("TenantNotFound", "No tenant has this id.", tenant_id);
    return std::move(*t);
}

Tenant PortOutService::create_tenant(std::string_view raw_id, std::string_view display_name,
                                     std::string_view country) {
    TenantRecord r;
    r.tenant_id = canonical_tenant_id(raw_id);
    r.display_name = canonical_display_name(display_name);
    r.country = canonical_country(country);
    authorize(Operation::CreateTenant, r.tenant_id);
    auto tx = store_->begin(TxMode::Write);
    r.created_at = r.modified_at = now();
    r.modified_by = actor_;
    tx->insert_tenant(r);
    append_audit(*tx, "TenantCreated", r.tenant_id, "Success", "", "country=" + r.country);
    tx->commit();
    return tenant_of(r);
}

std::int64_t PortOutService::import_tenants(const std::vector<std::array<std::string, 3>>& rows) {
    authorize(Operation::CreateTenant);
    std::vector<TenantRecord> records;
    records.reserve(rows.size());
    const Millis at = now();
    for (const auto& [id, name, country] : rows) {
        TenantRecord r;
        r.tenant_id = canonical_tenant_id(id);
        r.display_name = canonical_display_name(name);
        r.country = canonical_country(country);
        r.created_at = r.modified_at = at;
        r.modified_by = actor_;
        records.push_back(std::move(r));
    }
    // Each tenant's creation is in the log as if made one by one, then the import as a whole.
    std::vector<AuditRecord> events(records.size() + 1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        events[i].event_type = "TenantCreated";
        events[i].tenant_id = records[i].tenant_id;
        events[i].outcome = "Success";
        events[i].details = "country=" + records[i].country + " import";
    }
    events.back().event_type = "TenantsImported";
    events.back().outcome = "Success";
    events.back().details = "count=" + std::to_string(records.size());
    auto tx = store_->begin(TxMode::Write);
    for (const auto& r : records) tx->insert_tenant(r);
    append_audit_events(*tx, events);
    tx->commit();
    return static_cast<std::int64_t>(records.size());
}

Tenant PortOutService::get_tenant(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::ReadTenant, id);
    auto tx = store_->begin(TxMode::ReadOneStatement);
    return tenant_of(require_tenant(*tx, id));
}

std::vector<TenantRecord> PortOutService::visible_tenants(std::string_view after, std::size_t limit) {
    limit = std::clamp<std::size_t>(limit, 1, 100000);
    const auto& scope = tenant_scope();
    if (scope.empty()) return store_->begin(TxMode::ReadOneStatement)->tenants_after(after, limit);
    auto tx = store_->begin(TxMode::Read);
    std::vector<TenantRecord> out;
    for (auto it = std::upper_bound(scope.begin(), scope.end(), after); it != scope.end() && out.size() < limit;
         ++it) {
        if (auto t = tx->tenant(*it)) out.push_back(std::move(*t));
    }
    return out;
}

std::vector<Tenant> PortOutService::list_tenants(std::string_view after, std::size_t limit) {
    authorize(Operation::ReadTenant);
    std::vector<Tenant> out;
    for (const auto& r : visible_tenants(after, limit)) out.push_back(tenant_of(r));
    return out;
}

Tenant PortOutService::update_tenant(std::string_view raw_id, std::optional<std::string_view> display_name,
                                     std::optional<std::string_view> country) {
    const auto id = canonical_tenant_id(raw_id);
    std::optional<std::string> name, code;
    if (display_name) name = canonical_display_name(*display_name);
    if (country) code = canonical_country(*country);
    authorize(Operation::UpdateTenant, id);
    auto tx = store_->begin(TxMode::Write);
    auto r = require_tenant(*tx, id);
    std::string details;
    if (name && *name != r.display_name) {
        r.display_name = *name;
        details += "display_name";
    }
    if (code && *code != r.country) {
        details += std::string(details.empty() ? "" : " ") + "country=" + r.country + "->" + *code;
        r.country = *code;
    }
    if (details.empty()) return tenant_of(r);  // nothing changes, nothing is recorded
    r.modified_at = now();
    r.modified_by = actor_;
    tx->update_tenant(r);
    append_audit(*tx, "TenantUpdated", id, "Success", "", details);
    tx->commit();
    return tenant_of(r);
}

void PortOutService::remove_tenant(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::RemoveTenant, id);
    auto tx = store_->begin(TxMode::Write);
    const auto r = require_tenant(*tx, id);
    // An order in flight is cancelled on purpose, with its notice to the carrier, never swept
    // away with the tenant.
    for (const auto status : {kSubmitted, kConfirmed}) {
        OrderQuery open;
        open.tenant_ids = {id};
        open.status = std::string(status);
        open.limit = 1;
        if (!tx->orders(open).empty()) {
            throw InvalidOperationError("TenantHasOpenOrders",
                                        "The tenant has a port-out order in progress (" + std::string(status) +
                                            "); cancel or complete it before the tenant is removed.",
                                        id);
        }
    }
    tx->delete_tenant(id);
    tx->delete_policy(id);
    const auto left = tx->remove_tenant_data(id);
    const std::string details = std::string("had_pin=") + (r.pin_record ? "true" : "false") +
                                " numbers_released=" + std::to_string(left.numbers) +
                                " orders_removed=" + std::to_string(left.orders) +
                                " notifications_made_store_wide=" + std::to_string(left.notifications);
    append_audit(*tx, "TenantRemoved", id, "Success", "", details);
    notify(*tx, "TenantRemoved", "", "", "The tenant " + id + " was removed by " + actor_ + ".",
           "tenant=" + id + " " + details);
    tx->commit();
}

// ---- PINs ----------------------------------------------------------------------------------

PinStatus PortOutService::status_of(const TenantRecord& t) const {
    PinStatus s;
    s.tenant_id = t.tenant_id;
    s.pin_is_set = t.pin_record.has_value();
    s.pin_set_at = t.pin_set_at;
    s.last_modified_at = t.pin_changed_at;
    s.last_modified_by = t.pin_changed_by;
    s.failed_attempt_count = t.failed_attempts;
    if (t.locked_until && *t.locked_until > now()) s.locked_until = t.locked_until;
    s.lockout_count = t.lock_level;
    s.last_check_at = t.last_check_at;
    s.last_check_result = t.last_check_result;
    return s;
}

PinStatus PortOutService::pin_status(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::ReadPinStatus, id);
    auto tx = store_->begin(TxMode::ReadOneStatement);
    return status_of(require_tenant(*tx, id));
}

std::vector<PinStatus> PortOutService::list_pin_status(std::string_view after, std::size_t limit) {
    authorize(Operation::ReadPinStatus);
    std::vector<PinStatus> out;
    for (const auto& r : visible_tenants(after, limit)) out.push_back(status_of(r));
    return out;
}

PinStatus PortOutService::set_pin(std::string_view raw_id, std::string_view pin) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::SetPin, id);
    // Hashing happens outside any write transaction; a concurrent change makes us start over,
    // so "same as current" is always judged against the PIN we replace.
    for (int round = 0; round < 8; ++round) {
        TenantRecord before;
        EffectivePolicy policy;
        {
            auto tx = store_->begin(TxMode::Read);
            before = require_tenant(*tx, id);
            policy = effective_policy(*tx, id);
        }
        if (before.country != kPortOutCountry) {
            throw InvalidOperationError("PinNotAvailableOutsideUS",
                                        "The port-out PIN exists only for organizations in the "
                                        "United States; this tenant's country is " +
                                            before.country + ".",
                                        id);
        }
        policy.pin_policy.check(pin, id);
        // Two Argon2id computations, at once: the current PIN verified on a worker thread
        // ("same as current"), the new one hashed here.
        const auto is_current = [&] { return hasher_.verify(keys_->open_pin_record(before).view(), pin); };
        std::future<bool> same;
        bool same_here = false;
        if (before.pin_record) {
            try {
                same = workers_->run(is_current);
            } catch (const std::system_error&) {  // no thread to be had: one after the other
                same_here = is_current();
            }
        }
        std::optional<Secret> encoded;
        try {
            encoded.emplace(hasher_.hash(pin));
        } catch (...) {
            if (same.valid()) same.wait();
            throw;
        }
        if (same.valid() ? same.get() : same_here) {
            throw PinPolicyError({{PinRule::SameAsCurrent,
                                   "The new PIN is the same as the current PIN; choose a different one."}},
                                 id);
        }

        auto tx = store_->begin(TxMode::Write);
        auto t = require_tenant(*tx, id);
        if (t.pin_version != before.pin_version || t.country != before.country) continue;
        const bool first = !t.pin_record;
        const Millis at = now();
        t.pin_record = keys_->seal_pin_record(*tx, id, encoded->view(), t.pin_key_id);
        if (first) t.pin_set_at = at;
        t.pin_changed_at = at;
        t.pin_changed_by = actor_;
        t.failed_attempts = 0;
        t.locked_until.reset();
        t.lock_level = 0;
        t.pin_version += 1;
        tx->update_tenant(t);
        append_audit(*tx, first ? "PinSet" : "PinChanged", id, "Success", "",
                     "hash_profile=" + std::string(to_string(hasher_.profile())));
        notify(*tx, first ? "PinSet" : "PinChanged", id, "",
               std::string(first ? "The port-out PIN was set" : "The port-out PIN was changed") +
                   " by " + actor_ + ".");
        tx->commit();
        return status_of(t);
    }
    throw ResourceUnavailableError("PinChangedConcurrently",
                                   "The PIN kept changing under this change; try again.", id);
}

struct PortOutService::PinAttempt {
    enum class Path { Evaluate, UnknownTenant, NotInUS, PinNotSet, Locked, Frozen };
    std::string tenant_id;
    Path path = Path::UnknownTenant;
    TenantRecord snapshot;
    bool locks_if_wrong = false;
    Millis lock_for = 0;
    Millis locked_until = 0;
    std::unique_ptr<StoreTransaction> count;  // the counting transaction, until it commits

    std::string_view reason() const {
        static constexpr std::string_view kReason[] = {"", "UnknownTenant", "NotInUS", "PinNotSet",
                                                       "Locked", "PortOutFrozen"};
        return kReason[static_cast<int>(path)];
    }
};

// 1. Count the attempt, in a transaction that commits in step 2.
PortOutService::PinAttempt PortOutService::begin_pin_attempt(const std::string& id, bool refuse_if_frozen) {
    using Path = PinAttempt::Path;
    PinAttempt a;
    a.tenant_id = id;
    a.count = store_->begin(TxMode::Write);
    auto& tx = a.count;
    const Millis at = now();
    std::string details;
    if (auto t = tx->tenant(id)) {
        if (refuse_if_frozen && t->frozen) {
            a.path = Path::Frozen;  // refused without looking at the PIN or counting
        } else if (t->country != kPortOutCountry) {
            a.path = Path::NotInUS;
        } else if (!t->pin_record) {
            a.path = Path::PinNotSet;
        } else {
            const auto policy = effective_policy(*tx, id);
            if (t->locked_until && *t->locked_until <= at) {  // a lock that ran out
                t->locked_until.reset();
                t->failed_attempts = 0;
            }
            if (t->locked_until || t->failed_attempts >= policy.max_failed_attempts) {
                a.path = Path::Locked;
            } else {
                a.path = Path::Evaluate;
                t->failed_attempts += 1;
                details = "attempt=" + std::to_string(t->failed_attempts) + "/" +
                          std::to_string(policy.max_failed_attempts);
                if (t->failed_attempts >= policy.max_failed_attempts) {
                    // The lock is set now, so a crash mid-check leaves it in force.
                    a.locks_if_wrong = true;
                    a.lock_for = lock_duration(t->lock_level, policy.lockout_ms, policy.max_lockout_ms);
                    a.locked_until = at + a.lock_for;
                    t->locked_until = a.locked_until;
                    t->lock_level += 1;
                }
                tx->update_tenant(*t);
            }
        }
        a.snapshot = std::move(*t);
    }
    if (a.path != Path::Frozen) {
        append_audit(*tx, "PinCheckAttempt", id, a.path == Path::Evaluate ? "Counted" : "Refused",
                     a.reason(), details);
    }
    return a;
}

// 2. Commit the count and verify at once: the commit (an fsync) runs on a worker thread while
// this thread verifies. The answer is used only once the count is durable, so a crash or a
// failed commit before then reveals nothing; it costs the longer of the two, not their sum.
bool PortOutService::verify_pin_attempt(PinAttempt& a, std::string_view pin,
                                        std::optional<Secret>& upgraded) {
    const auto one_after_the_other = [&] {
        a.count->commit();
        a.count.reset();
        return verify_pin_now(a, pin, upgraded);
    };
    // The test profile hashes in microseconds: nothing worth a thread's wake-up to overlap.
    if (hasher_.profile() == HashProfile::Test) return one_after_the_other();
    std::future<bool> committing;
    try {
        committing = workers_->run([&a] {
            a.count->commit();
            return true;
        });
    } catch (const std::system_error&) {  // no thread to be had
        return one_after_the_other();
    }
    bool accepted = false;
    try {
        accepted = verify_pin_now(a, pin, upgraded);
    } catch (...) {
        committing.wait();
        throw;
    }
    committing.get();  // a failed commit throws here, and the answer is never given
    a.count.reset();
    return accepted;
}

// Verify, or spend the same time on nothing.
bool PortOutService::verify_pin_now(const PinAttempt& a, std::string_view pin,
                                    std::optional<Secret>& upgraded) const {
    if (a.path == PinAttempt::Path::Frozen) return false;
    if (a.path != PinAttempt::Path::Evaluate) return hasher_.verify_nothing(pin);
    const auto encoded = keys_->open_pin_record(a.snapshot);
    const bool accepted = hasher_.verify(encoded.view(), pin);
    if (accepted && hasher_.is_weaker(encoded.view())) upgraded = hasher_.hash(pin);
    return accepted;
}

// 3. Record the outcome, in the caller's transaction.
void PortOutService::record_pin_outcome(StoreTransaction& tx, const PinAttempt& a, bool accepted,
                                        const std::optional<Secret>& upgraded) {
    if (a.path == PinAttempt::Path::Frozen) return;
    const Millis at = now();
    const std::string result = a.path == PinAttempt::Path::Evaluate
                                   ? (accepted ? "Accepted" : "WrongPin")
                                   : std::string(a.reason());
    auto t = tx.tenant(a.tenant_id);
    if (!t) {
        append_audit(tx, "PinCheck", a.tenant_id, "Failure", result, "");
        return;
    }
    std::string details;
    if (accepted && t->pin_version == a.snapshot.pin_version) {
        t->failed_attempts = 0;
        t->locked_until.reset();
        t->lock_level = 0;
        if (upgraded) {
            t->pin_record = keys_->seal_pin_record(tx, a.tenant_id, upgraded->view(), t->pin_key_id);
            t->pin_version += 1;
            details = "rehashed=" + std::string(to_string(hasher_.profile()));
        }
    }
    t->last_check_at = at;
    t->last_check_result = result;
    tx.update_tenant(*t);
    append_audit(tx, "PinCheck", a.tenant_id, accepted ? "Success" : "Failure", result, details);
    if (!accepted) {
        notify(tx, "PinCheckFailed", a.tenant_id, "", "A port-out PIN check failed: " + result + ".",
               "reason=" + result + " failed_attempts=" + std::to_string(t->failed_attempts));
    }
    if (!accepted && a.locks_if_wrong) {
        append_audit(tx, "PinLockedOut", a.tenant_id, "Success", "TooManyFailedAttempts",
                     "locked_for=" + duration_text(a.lock_for) + " until_ms=" + std::to_string(a.locked_until));
        notify(tx, "PinLockedOut", a.tenant_id, "",
               "Port-out is locked after too many wrong PINs, for " + duration_text(a.lock_for) + ".",
               "until_ms=" + std::to_string(a.locked_until));
    }
}

bool PortOutService::check_pin(std::string_view raw_id, std::string_view pin) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::CheckPin, id);
    auto attempt = begin_pin_attempt(id, false);
    std::optional<Secret> upgraded;
    const bool accepted = verify_pin_attempt(attempt, pin, upgraded);
    // The attempt is durable already; its outcome (the audit and notification of the result,
    // the counter cleared after a right PIN, a rehash) is safe from a crash of the process
    // without waiting for the disk. A power loss right after may lose it: the attempt then
    // stays counted as failed, which errs on the safe side.
    auto tx = store_->begin(TxMode::WriteUnsynced);
    record_pin_outcome(*tx, attempt, accepted, upgraded);
    tx->commit();
    return accepted;
}

PinStatus PortOutService::unlock_pin(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::UnlockPin, id);
    auto tx = store_->begin(TxMode::Write);
    auto t = require_tenant(*tx, id);
    const std::string details = "failed_attempts=" + std::to_string(t.failed_attempts) +
                                " was_locked=" +
                                (t.locked_until && *t.locked_until > now() ? "true" : "false");
    t.failed_attempts = 0;
    t.locked_until.reset();
    t.lock_level = 0;
    tx->update_tenant(t);
    append_audit(*tx, "PinUnlocked", id, "Success", "", details);
    notify(*tx, "PinUnlocked", id, "", "Port-out PIN checks were unlocked by " + actor_ + ".", details);
    tx->commit();
    return status_of(t);
}

// ---- policies ------------------------------------------------------------------------------

EffectivePolicy PortOutService::effective_policy(StoreTransaction& tx, std::string_view scope) {
    auto base = tx.policy("").value_or(default_policy_record(0, ""));
    std::optional<PolicyRecord> own;
    if (!scope.empty()) own = tx.policy(scope);
    EffectivePolicy e;
    e.scope = std::string(scope);
    auto pick = [&](auto member, const char* name, auto fallback) {
        if (own && ((*own).*member)) {
            e.overridden.emplace_back(name);
            return *((*own).*member);
        }
        return (base.*member).value_or(fallback);
    };
    // The seed's 6..10 holds whatever the database says (a policy written before the bounds
    // were enforced, or edited in place): a stored policy narrows it, never widens it.
    const int hi = std::clamp(pick(&PolicyRecord::max_length, "MaximumLength", PinPolicy::kDefaultMaxLength),
                              PinPolicy::kDefaultMinLength, PinPolicy::kDefaultMaxLength);
    const int lo = std::clamp(pick(&PolicyRecord::min_length, "MinimumLength", PinPolicy::kDefaultMinLength),
                              PinPolicy::kDefaultMinLength, PinPolicy::kDefaultMaxLength);
    const bool weak = pick(&PolicyRecord::block_weak, "BlockWeakPins", true);
    auto blocklist = pick(&PolicyRecord::blocklist, "Blocklist", std::vector<std::string>{});
    e.max_failed_attempts = pick(&PolicyRecord::max_failed_attempts, "MaxFailedAttempts", kDefaultMaxFailedAttempts);
    e.lockout_ms = pick(&PolicyRecord::lockout_ms, "LockoutDuration", kDefaultLockout);
    e.max_lockout_ms = pick(&PolicyRecord::max_lockout_ms, "MaxLockoutDuration", kDefaultMaxLockout);
    e.pin_policy = PinPolicy(lo, hi, weak, std::move(blocklist));
    return e;
}

EffectivePolicy PortOutService::get_policy(std::optional<std::string_view> raw_id) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    authorize(Operation::ReadPolicy, scope);
    auto tx = store_->begin(TxMode::Read);
    if (!scope.empty()) require_tenant(*tx, scope);
    return effective_policy(*tx, scope);
}

EffectivePolicy PortOutService::set_policy(std::optional<std::string_view> raw_id,
                                           const PolicyChange& change) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    authorize(Operation::SetPolicy, scope);
    for (const auto& [value, name] : {std::pair{change.min_length, "MinimumLength"},
                                      std::pair{change.max_length, "MaximumLength"}}) {
        if (value && (*value < PinPolicy::kDefaultMinLength || *value > PinPolicy::kDefaultMaxLength)) {
            throw InvalidArgumentError(
                "PinLengthOutsideSeed",
                std::string(name) + " must be between " + std::to_string(PinPolicy::kDefaultMinLength) +
                    " and " + std::to_string(PinPolicy::kDefaultMaxLength) + "; it was " +
                    std::to_string(*value) + ". A port-out PIN has 6 to 10 digits: a policy may narrow "
                    "that range, never widen it.",
                scope);
        }
    }
    if (change.max_failed_attempts && (*change.max_failed_attempts < 1 || *change.max_failed_attempts > 100)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxFailedAttempts must be between 1 and 100.", scope);
    }
    if (change.lockout_ms && (*change.lockout_ms < kSecond || *change.lockout_ms > kDay)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "LockoutDuration must be between one second and 24 hours.", scope);
    }
    if (change.max_lockout_ms && (*change.max_lockout_ms < kSecond || *change.max_lockout_ms > 30 * kDay)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxLockoutDuration must be between one second and 30 days.", scope);
    }
    auto tx = store_->begin(TxMode::Write);
    if (!scope.empty()) require_tenant(*tx, scope);
    PolicyRecord record = tx->policy(scope).value_or(PolicyRecord{});
    record.scope = scope;
    std::string details;
    auto apply = [&](auto member, const auto& value, const char* name) {
        if (value) {
            record.*member = *value;
            details += std::string(details.empty() ? "" : " ") + name;
        }
    };
    apply(&PolicyRecord::min_length, change.min_length, "MinimumLength");
    apply(&PolicyRecord::max_length, change.max_length, "MaximumLength");
    apply(&PolicyRecord::block_weak, change.block_weak, "BlockWeakPins");
    apply(&PolicyRecord::blocklist, change.blocklist, "Blocklist");
    apply(&PolicyRecord::max_failed_attempts, change.max_failed_attempts, "MaxFailedAttempts");
    apply(&PolicyRecord::lockout_ms, change.lockout_ms, "LockoutDuration");
    apply(&PolicyRecord::max_lockout_ms, change.max_lockout_ms, "MaxLockoutDuration");
    record.modified_at = now();
    record.modified_by = actor_;
    tx->put_policy(record);
    // Validates the merged result (bounds, min <= max, blocklist) before anything is kept.
    auto effective = effective_policy(*tx, scope);
    if (effective.max_lockout_ms < effective.lockout_ms) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxLockoutDuration must not be shorter than LockoutDuration.", scope);
    }
    if (details.empty()) return effective;  // the transaction rolls back: nothing changed
    append_audit(*tx, "PolicyChanged", scope, "Success", "", details);
    tx->commit();
    return effective;
}

EffectivePolicy PortOutService::reset_policy(std::string_view raw_id) {
    const auto scope = canonical_tenant_id(raw_id);
    authorize(Operation::SetPolicy, scope);
    auto tx = store_->begin(TxMode::Write);
    require_tenant(*tx, scope);
    const bool had = tx->policy(scope).has_value();
    tx->delete_policy(scope);
    auto effective = effective_policy(*tx, scope);
    if (had) {
        append_audit(*tx, "PolicyReset", scope, "Success", "", "");
        tx->commit();
    }
    return effective;
}

std::vector<Violation> PortOutService::test_pin_policy(std::optional<std::string_view> raw_id,
                                                       std::string_view pin) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    authorize(Operation::TestPolicy, scope);
    auto tx = store_->begin(TxMode::Read);
    if (!scope.empty()) require_tenant(*tx, scope);
    return effective_policy(*tx, scope).pin_policy.validate(pin);
}

// ---- key rotation --------------------------------------------------------------------------

RotationReport PortOutService::rotate_key(const std::string& new_key_path, std::size_t batch_size,
                                          const std::function<void(const RotationProgress&)>& progress) {
    if (new_key_path.empty()) throw InvalidArgumentError("InvalidKeyPath", "The new key file path is empty.");
    authorize(Operation::RotateKey);
    batch_size = std::clamp<std::size_t>(batch_size, 1, 10000);
    auto fresh = std::make_shared<const KeyRing::Entry>(load_or_create_key(*store_, new_key_path));
    const std::string new_id = fresh->key.key_id();
    RotationReport report;
    report.old_key_id = key_id();
    report.new_key_id = new_id;
    report.started_at = now();
    if (new_id == report.old_key_id) {
        throw InvalidArgumentError("SameKey", "The new key is the store's current key.", new_key_path);
    }
    std::int64_t total = 0;
    {
        auto tx = store_->begin(TxMode::Write);
        const auto pending = tx->meta(kMetaPendingKeyId);
        if (pending && *pending != new_id) {
            throw InvalidOperationError("RotationInProgress",
                                        "A rotation to another key (" + *pending +
                                            ") is unfinished: run it again with that key first.",
                                        store_->location());
        }
        report.resumed = pending.has_value();
        tx->set_meta(kMetaPendingKeyId, new_id);
        tx->set_meta(kMetaPendingKeyPath, std::filesystem::absolute(new_key_path).string());
        total = tx->count_pin_records_not_under(new_id);
        append_audit(*tx, report.resumed ? "KeyRotationResumed" : "KeyRotationStarted", "", "Success", "",
                     "from=" + report.old_key_id + " to=" + new_id + " records=" + std::to_string(total));
        tx->commit();
    }
    keys_->add(fresh);
    while (true) {
        std::int64_t moved = 0;
        {
            auto tx = store_->begin(TxMode::Write);
            for (auto& t : tx->pin_records_not_under(new_id, "", batch_size)) {
                const auto encoded = keys_->open_pin_record(t);
                t.pin_record = KeyRing::seal_pin_record(*fresh, t.tenant_id, encoded.view());
                t.pin_key_id = new_id;
                tx->update_tenant(t);
                ++moved;
            }
            if (moved == 0) {
                // Every record is under the new key: switch the store over, atomically.
                tx->set_meta(kMetaAuditKey, KeyRing::seal_audit_key(*fresh, audit_->key(), store_id_));
                tx->set_meta(kMetaKeyId, new_id);
                tx->delete_meta(kMetaPendingKeyId);
                tx->delete_meta(kMetaPendingKeyPath);
                report.completed_at = now();
                append_audit(*tx, "KeyRotationCompleted", "", "Success", "",
                             "from=" + report.old_key_id + " to=" + new_id +
                                 " records=" + std::to_string(report.records_rotated));
                notify(*tx, "KeyRotated", "", "", "The store key was rotated by " + actor_ + ".",
                       "from=" + report.old_key_id + " to=" + new_id);
                tx->commit();
                break;
            }
            tx->commit();
        }
        report.records_rotated += moved;
        report.batches += 1;
        if (progress) progress({report.records_rotated, std::max(total, report.records_rotated)});
    }
    keys_->finish_rotation(report.old_key_id, new_id);
    return report;
}

// ---- notifications -------------------------------------------------------------------------

void PortOutService::notify(StoreTransaction& tx, std::string_view kind, std::string_view tenant_id,
                            std::string_view order_id, std::string summary, std::string details) {
    NotificationRecord n;
    n.occurred_at = now();
    n.kind = kind;
    n.tenant_id = tenant_id;
    n.order_id = order_id;
    n.summary = std::move(summary);
    n.details = std::move(details);
    tx.insert_notification(n);
}

namespace {

std::string canonical_consumer(std::string_view raw) {
    const bool ok = !raw.empty() && raw.size() <= 128 && is_valid_utf8(raw) &&
                    std::all_of(raw.begin(), raw.end(), [](char c) {
                        const auto u = static_cast<unsigned char>(c);
                        return u >= 0x21 && u != 0x7F;
                    });
    if (!ok) {
        throw InvalidArgumentError("InvalidConsumer",
                                   "A consumer is named by 1 to 128 characters without spaces or "
                                   "control characters, such as pager or siem-feed.");
    }
    return std::string(raw);
}

}  // namespace

// A scoped session's consumer is its own: "pager" of a session scoped to contoso.com is not the
// provider's "pager", and neither acknowledges for the other. The key carries the scope's
// fingerprint after a space, which no consumer name holds.
std::string PortOutService::consumer_key(const std::string& consumer) const {
    const auto& scope = tenant_scope();
    if (scope.empty()) return consumer;
    std::string joined;
    for (const auto& t : scope) joined += t + '\n';
    return consumer + " scope:" + fingerprint(joined);
}

std::vector<Notification> PortOutService::receive_notifications(std::string_view raw_consumer,
                                                                std::size_t max_count) {
    const auto consumer = canonical_consumer(raw_consumer);
    authorize(Operation::Notifications);
    auto tx = store_->begin(TxMode::Read);
    return tx->unacknowledged(consumer_key(consumer), tenant_scope(), std::clamp<std::size_t>(max_count, 1, 10000));
}

std::int64_t PortOutService::acknowledge_notifications(std::string_view raw_consumer,
                                                       const std::vector<std::int64_t>& ids) {
    const auto consumer = canonical_consumer(raw_consumer);
    authorize(Operation::Notifications);
    auto tx = store_->begin(TxMode::Write);
    // Only notifications this session may see are acknowledged; others are as unknown ids.
    const auto& scope = tenant_scope();
    const auto added = tx->acknowledge(consumer_key(consumer), scope, ids);
    if (added == 0) return 0;  // nothing changed, nothing is recorded
    append_audit(*tx, "NotificationsAcknowledged", scope.size() == 1 ? scope[0] : std::string(), "Success", "",
                 "consumer=" + consumer + " acknowledged=" + std::to_string(added));
    tx->commit();
    return added;
}

// ---- the number inventory ------------------------------------------------------------------

PhoneNumber PortOutService::add_number(std::string_view raw_id, std::string_view raw_number) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::AddNumber, id);
    const auto number = canonical_us_number(raw_number);
    auto tx = store_->begin(TxMode::Write);
    require_tenant(*tx, id);
    if (const auto held = tx->number(number)) {
        if (held->tenant_id == id) {
            throw ResourceExistsError("PhoneNumberAlreadyInInventory",
                                      "The tenant holds this number already.", number);
        }
        throw ResourceExistsError("PhoneNumberHeldByAnotherTenant",
                                  "Another tenant holds this number.", number);
    }
    const NumberRecord r{number, id, now(), actor_};
    tx->insert_number(r);
    append_audit(*tx, "PhoneNumberAdded", id, "Success", "", "number=" + number);
    tx->commit();
    return r;
}

void PortOutService::remove_number(std::string_view raw_id, std::string_view raw_number) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::RemoveNumber, id);
    const auto number = canonical_us_number(raw_number);
    auto tx = store_->begin(TxMode::Write);
    require_tenant(*tx, id);
    const auto held = tx->number(number);
    if (!held || held->tenant_id != id) {
        throw ObjectNotFoundError("PhoneNumberNotFound", "The tenant does not hold this number.", number);
    }
    if (const auto order = tx->open_order_holding(number)) {
        throw InvalidOperationError("PhoneNumberInOpenOrder",
                                    "The number is in an open port-out order (" + *order +
                                        "); cancel or complete the order first.",
                                    number);
    }
    tx->delete_number(number);
    append_audit(*tx, "PhoneNumberRemoved", id, "Success", "", "number=" + number);
    tx->commit();
}

std::vector<PhoneNumber> PortOutService::list_numbers(std::optional<std::string_view> raw_id,
                                                      std::string_view after, std::size_t limit) {
    std::vector<std::string> tenants;
    if (raw_id) {
        tenants.push_back(canonical_tenant_id(*raw_id));
        authorize(Operation::ReadNumbers, tenants.back());
    } else {
        authorize(Operation::ReadNumbers);
        tenants = tenant_scope();
    }
    auto tx = store_->begin(TxMode::Read);
    if (raw_id) require_tenant(*tx, tenants.back());
    return tx->numbers(tenants, after, std::clamp<std::size_t>(limit, 1, 100000));
}

// ---- port-out orders -----------------------------------------------------------------------

namespace {

std::string canonical_carrier(std::string_view raw) {
    try {
        return canonical_display_name(raw);
    } catch (const InvalidArgumentError&) {
        throw InvalidArgumentError("InvalidCarrier",
                                   "The gaining carrier is named by 1 to 256 characters of text.");
    }
}

}  // namespace

Order PortOutService::order_of(StoreTransaction& tx, const OrderRecord& r) const {
    Order o;
    o.seq = r.seq;
    o.order_id = r.order_id;
    o.tenant_id = r.tenant_id;
    o.gaining_carrier = r.carrier;
    o.submitted_by = r.submitted_by;
    o.status = r.status;
    o.reason = r.reason;
    // The exact reason is for the tenant's side; a carrier learns only what it is told.
    if (role() != Role::Carrier) o.internal_reason = r.internal_reason;
    o.requested_foc = r.requested_foc;
    o.foc = r.foc;
    o.created_at = r.created_at;
    o.modified_at = r.modified_at;
    o.modified_by = r.modified_by;
    o.numbers = tx.order_numbers(r.order_id);
    return o;
}

Order PortOutService::submit_order(std::string_view raw_id, const std::vector<std::string>& raw_numbers,
                                   std::string_view pin, std::string_view raw_carrier,
                                   std::optional<Millis> requested_foc) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::SubmitOrder, id);
    const auto carrier = canonical_carrier(raw_carrier);
    if (raw_numbers.empty()) {
        throw InvalidArgumentError("NoPhoneNumbers", "A port-out order names at least one number.");
    }
    if (raw_numbers.size() > kMaxNumbersPerOrder) {
        throw InvalidArgumentError("TooManyPhoneNumbers",
                                   "A port-out order names at most " + std::to_string(kMaxNumbersPerOrder) +
                                       " numbers; split the request.");
    }
    std::vector<std::string> numbers;
    for (const auto& raw : raw_numbers) numbers.push_back(canonical_us_number(raw));
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());

    // The PIN check of issue three: counted first, verified outside any transaction.
    auto attempt = begin_pin_attempt(id, true);
    std::optional<Secret> upgraded;
    const bool accepted = verify_pin_attempt(attempt, pin, upgraded);

    // Everything else, and the order itself, in one transaction.
    auto tx = store_->begin(TxMode::Write);
    record_pin_outcome(*tx, attempt, accepted, upgraded);
    OrderRecord o;
    o.order_id = random_uuid();
    o.tenant_id = id;
    o.carrier = carrier;
    o.submitted_by = actor_;
    o.requested_foc = requested_foc;
    o.created_at = o.modified_at = now();
    o.modified_by = actor_;
    std::vector<OrderNumber> lines;
    for (const auto& n : numbers) lines.push_back({n, ""});
    const auto tenant = tx->tenant(id);
    if (attempt.path == PinAttempt::Path::Frozen || (tenant && tenant->frozen)) {
        o.reason = o.internal_reason = "PortOutFrozen";
    } else if (!accepted) {
        o.reason = "PinNotAccepted";  // wrong, missing, locked or unknown: the carrier cannot tell
        o.internal_reason = attempt.path == PinAttempt::Path::Evaluate ? "WrongPin" : std::string(attempt.reason());
    } else {
        bool not_owned = false;
        bool in_order = false;
        for (auto& line : lines) {
            const auto held = tx->number(line.number);
            if (!held || held->tenant_id != id) {
                line.problem = "NumberNotOwned";
                not_owned = true;
            } else if (tx->open_order_holding(line.number)) {
                line.problem = "NumberInOpenOrder";
                in_order = true;
            }
        }
        if (not_owned) {
            o.reason = o.internal_reason = "NumberNotOwned";
        } else if (in_order) {
            o.reason = o.internal_reason = "NumberInOpenOrder";
        }
    }
    o.status = o.reason.empty() ? std::string(kSubmitted) : std::string(kRejected);
    if (o.status == kRejected && o.reason != "NumberNotOwned" && o.reason != "NumberInOpenOrder") {
        for (auto& line : lines) line.problem.clear();  // nothing about numbers before the PIN is right
    }
    tx->insert_order(o, lines);
    const std::string details = "order=" + o.order_id + " carrier=" + carrier +
                                " numbers=" + std::to_string(lines.size()) +
                                (o.internal_reason.empty() ? "" : " reason=" + o.internal_reason);
    append_audit(*tx, "PortOutRequested", id, o.status == kSubmitted ? "Success" : "Failure",
                 o.internal_reason, details);
    notify(*tx, "PortOutRequest", id, o.order_id,
           o.status == kSubmitted
               ? "A port-out request from " + carrier + " for " + std::to_string(lines.size()) +
                     " number(s) was accepted."
               : "A port-out request from " + carrier + " was rejected: " + o.internal_reason + ".",
           details);
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

OrderRecord PortOutService::require_order(StoreTransaction& tx, std::string_view raw_order_id, Operation op,
                                          bool writing) {
    // Order ids are the GUIDs this service made; anything else names no order.
    std::string order_id(raw_order_id);
    for (auto& c : order_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool guid = order_id.size() == 36 && std::all_of(order_id.begin(), order_id.end(), [](char c) {
        return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!guid) {
        throw ObjectNotFoundError("OrderNotFound", "No port-out order has this id.",
                                  is_valid_utf8(raw_order_id) && raw_order_id.size() <= 64
                                      ? std::string(raw_order_id) : std::string());
    }
    auto o = tx.order(order_id);
    // A carrier sees only its own orders; an order outside one's scope is as good as absent.
    if (!o || (role() == Role::Carrier && o->submitted_by != actor_) || !in_scope(o->tenant_id)) {
        if (o && role_allows(role(), op)) authorize(op, o->tenant_id, writing ? &tx : nullptr);  // records the refusal
        throw ObjectNotFoundError("OrderNotFound", "No port-out order has this id.", order_id);
    }
    return std::move(*o);
}

Order PortOutService::get_order(std::string_view order_id) {
    authorize(Operation::ReadOrders);
    auto tx = store_->begin(TxMode::Read);
    return order_of(*tx, require_order(*tx, order_id, Operation::ReadOrders, false));
}

std::vector<Order> PortOutService::list_orders(const OrderQuery& query) {
    OrderQuery q = query;
    for (auto& id : q.tenant_ids) id = canonical_tenant_id(id);
    if (q.tenant_ids.empty()) {
        authorize(Operation::ReadOrders);
        q.tenant_ids = tenant_scope();
    } else {
        for (const auto& id : q.tenant_ids) authorize(Operation::ReadOrders, id);
    }
    if (role() == Role::Carrier) q.submitted_by = actor_;
    q.limit = std::clamp<std::size_t>(q.limit, 1, 100000);
    auto tx = store_->begin(TxMode::Read);
    std::vector<Order> out;
    for (const auto& r : tx->orders(q)) out.push_back(order_of(*tx, r));
    return out;
}

Order PortOutService::transition(std::string_view order_id, Operation op,
                                 const std::vector<std::string>& from, const std::string& to,
                                 std::optional<Millis> foc) {
    authorize(op);
    auto tx = store_->begin(TxMode::Write);
    auto o = require_order(*tx, order_id, op, true);
    authorize(op, o.tenant_id, tx.get());
    if (std::find(from.begin(), from.end(), o.status) == from.end()) {
        throw InvalidOperationError("InvalidOrderTransition",
                                    "A " + o.status + " order cannot become " + to + ".", o.order_id);
    }
    const std::string before = o.status;
    o.status = to;
    if (foc) o.foc = foc;
    o.modified_at = now();
    o.modified_by = actor_;
    tx->update_order(o);
    std::string details = "order=" + o.order_id + " from=" + before;
    if (to == kCompleted) {
        // The numbers leave the tenant's inventory with the order, atomically.
        const auto lines = tx->order_numbers(o.order_id);
        for (const auto& line : lines) tx->delete_number(line.number);
        details += " released=" + std::to_string(lines.size());
    }
    if (to == kCompleted || to == kCancelled) tx->close_order_numbers(o.order_id);
    if (foc) details += " foc_ms=" + std::to_string(*foc);
    append_audit(*tx, "Order" + to, o.tenant_id, "Success", "", details);
    notify(*tx, "Order" + to, o.tenant_id, o.order_id,
           "The port-out order from " + o.carrier + " is " + to + ".", details);
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

Order PortOutService::confirm_order(std::string_view order_id, Millis foc) {
    return transition(order_id, Operation::ManageOrder, {std::string(kSubmitted)}, std::string(kConfirmed), foc);
}

Order PortOutService::complete_order(std::string_view order_id) {
    return transition(order_id, Operation::ManageOrder, {std::string(kConfirmed)}, std::string(kCompleted),
                      std::nullopt);
}

Order PortOutService::cancel_order(std::string_view order_id) {
    return transition(order_id, Operation::CancelOrder, {std::string(kSubmitted), std::string(kConfirmed)},
                      std::string(kCancelled), std::nullopt);
}

// ---- the freeze ----------------------------------------------------------------------------

Tenant PortOutService::set_freeze(std::string_view raw_id, bool frozen) {
    const auto id = canonical_tenant_id(raw_id);
    authorize(Operation::Freeze, id);
    auto tx = store_->begin(TxMode::Write);
    auto t = require_tenant(*tx, id);
    if (t.frozen == frozen) return tenant_of(t);  // nothing changes, nothing is recorded
    t.frozen = frozen;
    t.modified_at = now();
    t.modified_by = actor_;
    tx->update_tenant(t);
    append_audit(*tx, frozen ? "PortOutFrozen" : "PortOutUnfrozen", id, "Success", "", "");
    notify(*tx, frozen ? "PortOutFrozen" : "PortOutUnfrozen", id, "",
           std::string(frozen ? "Port-out was frozen" : "Port-out was unfrozen") + " by " + actor_ + ".");
    tx->commit();
    return tenant_of(t);
}

// ---- moving a store ------------------------------------------------------------------------

CopyReport PortOutService::copy_to(const std::function<std::unique_ptr<Store>()>& open_destination,
                                   const std::function<void(const std::string&, std::int64_t)>& progress) {
    authorize(Operation::CopyStore);
    auto target = open_destination();
    CopyReport report;
    report.destination = target->location();
    if (target->location() == store_->location()) {
        throw InvalidArgumentError("SameStore", "The destination is this store.", report.destination);
    }
    auto to = target->begin(TxMode::Write);
    if (to->meta(kMetaKeyId) || to->last_audit_event() || !to->tenants_after("", 1).empty()) {
        throw ResourceExistsError("DestinationNotEmpty",
                                  "The destination holds a store already; a copy goes into an empty one.",
                                  report.destination);
    }
    auto from = store_->begin(TxMode::Read);  // one snapshot of the whole store
    for (const auto& table : store_tables()) {
        std::int64_t count = 0;
        from->export_rows(table, [&](const std::vector<Field>& row) {
            to->import_row(table, row);
            ++count;
        });
        report.rows.emplace_back(table.name, count);
        if (progress) progress(std::string(table.name), count);
    }
    to->after_import();
    to->commit();
    from.reset();
    auto tx = store_->begin(TxMode::Write);
    std::string details = "to=" + report.destination;
    for (const auto& [table, count] : report.rows) details += " " + table + "=" + std::to_string(count);
    append_audit(*tx, "StoreCopied", "", "Success", "", details);
    tx->commit();
    return report;
}

}  // namespace portout
