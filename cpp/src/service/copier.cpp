#include "service/copier.hpp"

#include <portout/errors.hpp>
#include "service/key_ring.hpp"

namespace portout {

CopyReport Copier::copy_to(const std::function<std::unique_ptr<Store>()>& open_destination,
                           const ProgressHook& progress) {
    ctx_.authorize(Operation::CopyStore);
    auto target = open_destination();
    CopyReport report;
    report.destination = target->location();
    if (target->location() == ctx_.store.location()) {
        throw InvalidArgumentError("SameStore", "The destination is this store.", report.destination);
    }
    auto to = target->begin(TxMode::Write);
    if (to->meta(KeyRing::kMetaKeyId) || to->last_audit_event() || !to->tenants_after("", 1).empty()) {
        throw ResourceExistsError("DestinationNotEmpty",
                                  "The destination holds a store already; a copy goes into an empty one.",
                                  report.destination);
    }
    auto from = ctx_.store.begin(TxMode::Read);  // one snapshot of the whole store
    std::int64_t total = 0;
    if (progress) {
        for (const auto& table : store_tables()) total += from->count_rows(table);
    }
    ProgressMeter meter(progress, total);
    for (const auto& table : store_tables()) {
        std::int64_t count = 0;
        meter.stage(std::string(table.name));
        from->export_rows(table, [&](const std::vector<Field>& row) {
            to->import_row(table, row);
            ++count;
            meter.add();
        });
        report.rows.emplace_back(table.name, count);
    }
    meter.finish();
    to->after_import();
    to->commit();
    from.reset();
    auto tx = ctx_.store.begin(TxMode::Write);
    std::string details = "to=" + report.destination;
    for (const auto& [table, count] : report.rows) details += " " + table + "=" + std::to_string(count);
    ctx_.append_audit(*tx, "StoreCopied", "", "Success", "", details);
    tx->commit();
    return report;
}

}  // namespace portout
