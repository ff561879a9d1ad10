// The store keys a session holds: the store's current key and, in the middle of a rotation, the
// new one. They seal and open PIN records (each bound to its tenant's id, so a record moved to
// another tenant does not open) and the audit key (bound to the store's id).
#pragma once

#include <portout/crypto.hpp>
#include <portout/store.hpp>

#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace portout {

class KeyRing {
public:
    // Where the store names its keys (meta): the current key's id and, mid-rotation, the new
    // key (its id, then its id and file sealed under the current key: a database writer
    // without the key can neither name a key nor move a rotation elsewhere); and where it keeps
    // the sealed audit key.
    static constexpr std::string_view kMetaKeyId = "key_id";
    static constexpr std::string_view kMetaRotation = "rotation";
    // What an earlier portout kept in the open: never read for a key, removed when found.
    static constexpr std::string_view kMetaLegacyPendingKeyId = "pending_key_id";
    static constexpr std::string_view kMetaLegacyPendingKeyPath = "pending_key_path";
    // The audit key, sealed under the current key.
    static constexpr std::string_view kMetaAuditKey = "audit_key";

    struct Entry {
        explicit Entry(StoreKey k);
        StoreKey key;
        RecordCipher pin_cipher;
        RecordCipher wrap_cipher;
        RecordCipher state_cipher;
    };

    // A rotation under way: the new key's id and the file the operator named for it.
    struct Rotation {
        std::string key_id;
        std::string path;
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
    // session may have begun a rotation: its key is then loaded from the file its authenticated
    // record names, or KeyRotated is thrown). Never under a key the session was not given. Returns the sealed record; `key_id_out` is the key used.
    std::string seal_pin_record(StoreTransaction& tx, std::string_view tenant_id, std::string_view encoded,
                                std::string& key_id_out);
    // Seals under a given key (a rotation moving records to its new key).
    static std::string seal_pin_record(const Entry& under, std::string_view tenant_id, std::string_view encoded);

    // The rotation record, sealed under the current key `under`.
    static std::string seal_rotation(const Entry& under, const Rotation& rotation);
    // The rotation the store records, opened under this session's current key; none when the
    // store records none. StoreTampered (a SecurityError) when the record does not open: it was
    // written or copied by someone without the key.
    std::optional<Rotation> rotation(StoreTransaction& tx) const;
    // The new key's id a rotation record names, unauthenticated: for messages only.
    static std::string rotation_hint(std::string_view record);

    static std::string seal_audit_key(const Entry& under, const Secret& audit_key, std::string_view store_id);
    Secret open_audit_key(std::string_view sealed, std::string_view store_id) const;

    // The store's key, and a rotation's new key when one is under way, are held by this
    // session (a rotation's key is loaded from the file its authenticated record names);
    // KeyRotated otherwise: the store's key was rotated since this session opened.
    void require_store_keys(StoreTransaction& tx);

    // The key a rotation record names: held already, or loaded from the file the record names
    // (its id checked) and held from now on; none when it cannot be had.
    std::shared_ptr<const Entry> hold(const Rotation& pending);

    // Loads a key file into an entry.
    std::shared_ptr<const Entry> load(const std::string& path) const;
    // Mid-rotation: records under `key` open in this session too.
    void add(std::shared_ptr<const Entry> key);
    // The rotation is complete: `new_id` is the store's key, the old one is dropped.
    void finish_rotation(const std::string& old_id, const std::string& new_id);

private:
    std::shared_ptr<const Entry> find(std::string_view key_id) const;  // none when not held
    [[noreturn]] void key_rotated() const;

    Loader loader_;
    std::string location_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Entry>, std::less<>> keys_;  // guarded by mutex_
    std::string current_id_;                                                 // guarded by mutex_
};

}  // namespace portout
