// The store keys a session holds: the store's current key and, in the middle of a rotation, the
// new one. They seal and open PIN records (each bound to its tenant's id, so a record moved to
// another tenant does not open) and the audit key (bound to the store's id).
#pragma once

#include <portout/crypto.hpp>
#include <portout/store.hpp>

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace portout {

class KeyRing {
public:
    // Where the store names its keys (meta): the current key's id and, mid-rotation, the new
    // key's id and file; and where it keeps the sealed audit key.
    static constexpr std::string_view kMetaKeyId = "key_id";
    static constexpr std::string_view kMetaPendingKeyId = "pending_key_id";
    static constexpr std::string_view kMetaPendingKeyPath = "pending_key_path";
    // The audit key, sealed under the current key.
    static constexpr std::string_view kMetaAuditKey = "audit_key";

    struct Entry {
        explicit Entry(StoreKey k);
        StoreKey key;
        RecordCipher pin_cipher;
        RecordCipher wrap_cipher;
    };

    // Reads a key file (the service refuses the store's own files there).
    using Loader = std::function<StoreKey(const std::string& path)>;

    // `location` names the store in errors.
    KeyRing(StoreKey current, Loader loader, std::string location);

    std::shared_ptr<const Entry> current() const;
    std::string current_id() const;

    // The key a record names; KeyUnavailable when this session does not hold it.
    std::shared_ptr<const Entry> entry(std::string_view key_id) const;

    Secret open_pin_record(const TenantRecord& t) const;
    // Seals `encoded` for `tenant_id` under the key the store names for new records (another
    // session may have begun a rotation: its key is then loaded from the file the store names,
    // or KeyRotated is thrown). Returns the sealed record; `key_id_out` is the key used.
    std::string seal_pin_record(StoreTransaction& tx, std::string_view tenant_id, std::string_view encoded,
                                std::string& key_id_out);
    // Seals under a given key (a rotation moving records to its new key).
    static std::string seal_pin_record(const Entry& under, std::string_view tenant_id, std::string_view encoded);

    static std::string seal_audit_key(const Entry& under, const Secret& audit_key, std::string_view store_id);
    Secret open_audit_key(std::string_view sealed, std::string_view store_id) const;

    // Loads a key file into an entry.
    std::shared_ptr<const Entry> load(const std::string& path) const;
    // Mid-rotation: records under `key` open in this session too.
    void add(std::shared_ptr<const Entry> key);
    // The rotation is complete: `new_id` is the store's key, the old one is dropped.
    void finish_rotation(const std::string& old_id, const std::string& new_id);

private:
    Loader loader_;
    std::string location_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Entry>, std::less<>> keys_;  // guarded by mutex_
    std::string current_id_;                                                 // guarded by mutex_
};

}  // namespace portout
