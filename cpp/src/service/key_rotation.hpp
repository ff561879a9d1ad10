// Key files and key rotation: a key is never read from one of the store's own files; a rotation
// re-seals every PIN record under the new key in batches that each commit on their own, and
// resumes after a crash (the store records the new key and its file, sealed under the current
// key), then switches the store over, the audit key sealed anew, in one transaction.
#pragma once

#include "service/context.hpp"

#include <portout/crypto.hpp>

#include <cstddef>
#include <functional>
#include <string>

namespace portout {

// Reads the key file at `path`; KeyFileIsStoreFile when it is one of the files `store` holds open
// (closing the descriptor that read it would drop every lock the process holds on it).
StoreKey load_key(const Store& store, const std::string& path);
// The same, a new key file made (mode 0600) when none exists.
StoreKey load_or_create_key(const Store& store, const std::string& path);

class KeyRotation {
public:
    explicit KeyRotation(const ServiceContext& ctx) : ctx_(ctx) {}

    RotationReport rotate_key(const std::string& new_key_path, std::size_t batch_size,
                              const ProgressHook& progress);

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
