// Copying a whole store into an empty one (either backend, either way): one read snapshot of the
// source, every table row by row into the destination in one write transaction, then the copy
// recorded in the source's audit chain. PIN records move sealed, audit events with their MACs.
#pragma once

#include "service/context.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace portout {

class Copier {
public:
    explicit Copier(const ServiceContext& ctx) : ctx_(ctx) {}

    // `open_destination` is called only once the session is known to be allowed to copy.
    CopyReport copy_to(const std::function<std::unique_ptr<Store>()>& open_destination,
                       const ProgressHook& progress);

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
