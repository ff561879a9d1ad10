#include "service/key_rotation.hpp"

#include <portout/errors.hpp>
#include "service/audit_chain.hpp"
#include "service/key_ring.hpp"
#include "service/notifications.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>

namespace portout {

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

RotationReport KeyRotation::rotate_key(const std::string& new_key_path, std::size_t batch_size,
                                       const ProgressHook& progress) {
    if (new_key_path.empty()) throw InvalidArgumentError("InvalidKeyPath", "The new key file path is empty.");
    ctx_.authorize(Operation::RotateKey);
    batch_size = std::clamp<std::size_t>(batch_size, 1, 10000);
    auto fresh = std::make_shared<const KeyRing::Entry>(load_or_create_key(ctx_.store, new_key_path));
    const std::string new_id = fresh->key.key_id();
    RotationReport report;
    report.old_key_id = ctx_.keys.current_id();
    report.new_key_id = new_id;
    report.started_at = ctx_.now();
    if (new_id == report.old_key_id) {
        throw InvalidArgumentError("SameKey", "The new key is the store's current key.", new_key_path);
    }
    std::int64_t total = 0;
    {
        auto tx = ctx_.store.begin(TxMode::Write);
        const auto pending = ctx_.keys.rotation(*tx);  // StoreTampered when not written with the key
        if (pending && pending->key_id != new_id) {
            throw InvalidOperationError("RotationInProgress",
                                        "A rotation to another key (" + pending->key_id +
                                            ") is unfinished: run it again with that key first.",
                                        ctx_.store.location());
        }
        // A rotation an earlier portout began: the operator hands its key in again here.
        const auto legacy = tx->meta(KeyRing::kMetaLegacyPendingKeyId);
        report.resumed = pending.has_value() || (legacy && *legacy == new_id);
        tx->set_meta(KeyRing::kMetaRotation,
                     KeyRing::seal_rotation(*ctx_.keys.current(),
                                            {new_id, std::filesystem::absolute(new_key_path).string()}));
        tx->delete_meta(KeyRing::kMetaLegacyPendingKeyId);
        tx->delete_meta(KeyRing::kMetaLegacyPendingKeyPath);
        total = tx->count_pin_records_not_under(new_id);
        ctx_.append_audit(*tx, report.resumed ? "KeyRotationResumed" : "KeyRotationStarted", "", "Success", "",
                          "from=" + report.old_key_id + " to=" + new_id + " records=" + std::to_string(total));
        tx->commit();
    }
    ctx_.keys.add(fresh);
    ProgressMeter meter(progress, total);
    while (true) {
        std::int64_t moved = 0;
        {
            auto tx = ctx_.store.begin(TxMode::Write);
            for (auto& t : tx->pin_records_not_under(new_id, "", batch_size)) {
                const auto encoded = ctx_.keys.open_pin_record(t);
                t.pin_record = KeyRing::seal_pin_record(*fresh, t.tenant_id, encoded.view());
                t.pin_key_id = new_id;
                tx->update_tenant(t);
                ++moved;
                meter.add();
            }
            if (moved == 0) {
                // Every record is under the new key: switch the store over, atomically.
                tx->set_meta(KeyRing::kMetaAuditKey,
                             KeyRing::seal_audit_key(*fresh, ctx_.audit.key(), ctx_.store_id));
                tx->set_meta(KeyRing::kMetaKeyId, new_id);
                tx->delete_meta(KeyRing::kMetaRotation);
                report.completed_at = ctx_.now();
                // The old key's checkpoint key, so that checkpoints signed before stay
                // checkable with the new key (the chain vouches for it).
                const SigningKey old_checkpoint_key(ctx_.keys.current()->key, kPurposeAuditCheckpoint);
                ctx_.append_audit(*tx, "KeyRotationCompleted", "", "Success", "",
                                  "from=" + report.old_key_id + " to=" + new_id +
                                      " records=" + std::to_string(report.records_rotated) +
                                      " checkpoint_key=" + to_hex(old_checkpoint_key.public_key()));
                notify(ctx_, *tx, "KeyRotated", "", "", "The store key was rotated by " + ctx_.actor + ".",
                       "from=" + report.old_key_id + " to=" + new_id);
                tx->commit();
                break;
            }
            tx->commit();
        }
        report.records_rotated += moved;
        report.batches += 1;
    }
    meter.finish();
    ctx_.keys.finish_rotation(report.old_key_id, new_id);
    return report;
}

}  // namespace portout
