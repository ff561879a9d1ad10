#include "service/key_ring.hpp"

#include <portout/errors.hpp>

#include <mutex>
#include <utility>

namespace portout {

namespace {

std::string pin_record_context(std::string_view tenant_id) {
    return "portout pin record\n" + std::string(tenant_id);
}

std::string audit_key_context(std::string_view store_id) {
    return "portout audit key\n" + std::string(store_id);
}

constexpr std::string_view kRotationContext = "portout key rotation";

}  // namespace

KeyRing::Entry::Entry(StoreKey k)
    : key(std::move(k)),
      pin_cipher(key, kPurposePinRecord),
      wrap_cipher(key, kPurposeAuditKeyWrap),
      state_cipher(key, kPurposeKeyState) {}

KeyRing::KeyRing(StoreKey current, Loader loader, std::string location)
    : loader_(std::move(loader)), location_(std::move(location)) {
    auto entry = std::make_shared<const Entry>(std::move(current));
    current_id_ = entry->key.key_id();
    keys_.emplace(current_id_, std::move(entry));
}

std::shared_ptr<const KeyRing::Entry> KeyRing::current() const {
    std::shared_lock lock(mutex_);
    return keys_.at(current_id_);
}

std::string KeyRing::current_id() const {
    std::shared_lock lock(mutex_);
    return current_id_;
}

std::shared_ptr<const KeyRing::Entry> KeyRing::entry(std::string_view key_id) const {
    auto found = find(key_id);
    if (!found) {
        throw ResourceUnavailableError("KeyUnavailable",
                                       "A record is sealed under a key this session does not hold (" +
                                           std::string(key_id) + "); a key rotation may be unfinished.",
                                       location_);
    }
    return found;
}

Secret KeyRing::open_pin_record(const TenantRecord& t) const {
    return entry(t.pin_key_id)->pin_cipher.open(*t.pin_record, pin_record_context(t.tenant_id));
}

std::string KeyRing::seal_pin_record(StoreTransaction& tx, std::string_view tenant_id, std::string_view encoded,
                                     std::string& key_id_out) {
    // The store says which key new records go under: another session may have rotated it. Only
    // keys this session holds, or the one an authenticated rotation record names, are used.
    const auto pending = rotation(tx);
    const auto target = pending ? std::optional<std::string>(pending->key_id) : tx.meta(kMetaKeyId);
    if (!target) throw InvalidDataError("StoreCorrupt", "The store's key id is missing.", location_);
    const auto found = pending ? hold(*pending) : find(*target);
    if (!found) key_rotated();
    key_id_out = *target;
    return seal_pin_record(*found, tenant_id, encoded);
}

void KeyRing::require_store_keys(StoreTransaction& tx) {
    const auto store_key = tx.meta(kMetaKeyId);
    if (!store_key || !find(*store_key)) key_rotated();
    if (const auto pending = rotation(tx); pending && !hold(*pending)) key_rotated();
}

std::shared_ptr<const KeyRing::Entry> KeyRing::hold(const Rotation& pending) {
    if (auto held = find(pending.key_id)) return held;
    try {
        auto loaded = load(pending.path);
        if (loaded->key.key_id() != pending.key_id) return nullptr;
        add(loaded);
        return loaded;
    } catch (const Error&) {
        return nullptr;  // the file is gone or refused: the caller says what that means
    }
}

std::shared_ptr<const KeyRing::Entry> KeyRing::find(std::string_view key_id) const {
    std::shared_lock lock(mutex_);
    auto it = keys_.find(key_id);
    return it == keys_.end() ? nullptr : it->second;
}

void KeyRing::key_rotated() const {
    throw SecurityError("KeyRotated",
                        "The store's key was rotated since this session opened: open the store again with "
                        "its new key file.",
                        location_);
}

std::string KeyRing::seal_rotation(const Entry& under, const Rotation& rotation) {
    return rotation.key_id + "\n" + under.state_cipher.seal(rotation.key_id + "\n" + rotation.path, kRotationContext);
}

std::string KeyRing::rotation_hint(std::string_view record) {
    return std::string(record.substr(0, record.find('\n')));
}

std::optional<KeyRing::Rotation> KeyRing::rotation(StoreTransaction& tx) const {
    const auto record = tx.meta(kMetaRotation);
    if (!record) return std::nullopt;
    const auto cut = record->find('\n');
    try {
        if (cut == std::string::npos) throw InvalidDataError("RecordAuthenticationFailed", "no seal");
        const auto opened = current()->state_cipher.open(std::string_view(*record).substr(cut + 1), kRotationContext);
        const auto text = opened.view();
        const auto sep = text.find('\n');
        if (sep == std::string_view::npos || text.substr(0, sep) != std::string_view(*record).substr(0, cut)) {
            throw InvalidDataError("RecordAuthenticationFailed", "the record's parts disagree");
        }
        return Rotation{std::string(text.substr(0, sep)), std::string(text.substr(sep + 1))};
    } catch (const InvalidDataError&) {
        throw SecurityError("StoreTampered",
                            "The store's record of a key rotation was not written with its key: it was "
                            "changed or copied by someone without the key file, and is not obeyed.",
                            location_);
    }
}

std::string KeyRing::seal_pin_record(const Entry& under, std::string_view tenant_id, std::string_view encoded) {
    return under.pin_cipher.seal(encoded, pin_record_context(tenant_id));
}

std::string KeyRing::seal_audit_key(const Entry& under, const Secret& audit_key, std::string_view store_id) {
    return under.wrap_cipher.seal(audit_key.view(), audit_key_context(store_id));
}

Secret KeyRing::open_audit_key(std::string_view sealed, std::string_view store_id) const {
    return current()->wrap_cipher.open(sealed, audit_key_context(store_id));
}

std::shared_ptr<const KeyRing::Entry> KeyRing::load(const std::string& path) const {
    return std::make_shared<const Entry>(loader_(path));
}

void KeyRing::add(std::shared_ptr<const Entry> key) {
    std::unique_lock lock(mutex_);
    const auto id = key->key.key_id();
    keys_.emplace(id, std::move(key));
}

void KeyRing::finish_rotation(const std::string& old_id, const std::string& new_id) {
    std::unique_lock lock(mutex_);
    keys_.erase(old_id);
    current_id_ = new_id;
}

}  // namespace portout
