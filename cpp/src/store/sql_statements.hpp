// What the SQL of the store's transactions is built with: placeholders numbered as parameters
// are bound, a SELECT of a column list, and every row of a statement read.
#pragma once

#include "store/sql.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace portout::sql {

// Builds a statement's parameter list and names each parameter's placeholder as it is added.
class Binder {
public:
    std::string add(Param p) {
        params_.push_back(p);
        return "$" + std::to_string(params_.size());
    }
    // "$k, $k+1, ...": one placeholder a value, for an IN list.
    std::string add_all(const std::vector<std::string>& values) {
        std::string out;
        for (const auto& v : values) out += (out.empty() ? "" : ", ") + add(Param::of(std::string_view(v)));
        return out;
    }
    const Params& params() const noexcept { return params_; }

private:
    Params params_;
};

inline std::string select(const char* columns, const char* rest) {
    return std::string("SELECT ") + columns + " " + rest;
}

// Every row of a statement, each read by `read`.
template <class Read>
inline auto all(std::unique_ptr<Rows> r, Read read) {
    std::vector<decltype(read(*r))> out;
    while (r->next()) out.push_back(read(*r));
    return out;
}

}  // namespace portout::sql
