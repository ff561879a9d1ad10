#include "service/numbers.hpp"

#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include <portout/phone_number.hpp>
#include "service/tenants.hpp"

#include <algorithm>
#include <string>

namespace portout {

PhoneNumber Numbers::add_number(std::string_view raw_id, std::string_view raw_number) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::AddNumber, id);
    const auto number = canonical_us_number(raw_number);
    auto tx = ctx_.store.begin(TxMode::Write);
    require_tenant(*tx, id);
    if (const auto held = tx->number(number)) {
        if (held->tenant_id == id) {
            throw ResourceExistsError("PhoneNumberAlreadyInInventory",
                                      "The tenant holds this number already.", number);
        }
        throw ResourceExistsError("PhoneNumberHeldByAnotherTenant",
                                  "Another tenant holds this number.", number);
    }
    const NumberRecord r{number, id, ctx_.now(), ctx_.actor};
    tx->insert_number(r);
    ctx_.append_audit(*tx, "PhoneNumberAdded", id, "Success", "", "number=" + number);
    tx->commit();
    return r;
}

void Numbers::remove_number(std::string_view raw_id, std::string_view raw_number) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::RemoveNumber, id);
    const auto number = canonical_us_number(raw_number);
    auto tx = ctx_.store.begin(TxMode::Write);
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
    ctx_.append_audit(*tx, "PhoneNumberRemoved", id, "Success", "", "number=" + number);
    tx->commit();
}

std::vector<PhoneNumber> Numbers::list_numbers(std::optional<std::string_view> raw_id, std::string_view after,
                                               std::size_t limit) {
    std::vector<std::string> tenants;
    if (raw_id) {
        tenants.push_back(canonical_tenant_id(*raw_id));
        ctx_.authorize(Operation::ReadNumbers, tenants.back());
    } else {
        ctx_.authorize(Operation::ReadNumbers);
        tenants = ctx_.tenant_scope();
    }
    auto tx = ctx_.store.begin(TxMode::Read);
    if (raw_id) require_tenant(*tx, tenants.back());
    return tx->numbers(tenants, after, std::clamp<std::size_t>(limit, 1, 100000));
}

}  // namespace portout
