// The number inventory: the US numbers each tenant holds, in E.164, one tenant per number; a
// number is removed only while no open order holds it.
#pragma once

#include "service/context.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace portout {

class Numbers {
public:
    explicit Numbers(const ServiceContext& ctx) : ctx_(ctx) {}

    PhoneNumber add_number(std::string_view tenant_id, std::string_view number);
    void remove_number(std::string_view tenant_id, std::string_view number);
    // One tenant's numbers, or those of every tenant the session may see (tenant unset).
    std::vector<PhoneNumber> list_numbers(std::optional<std::string_view> tenant_id, std::string_view after,
                                          std::size_t limit);

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
