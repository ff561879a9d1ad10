#include <portout/store.hpp>

namespace portout {

const std::vector<TableSpec>& store_tables() {
    using K = Field::Kind;
    static const std::vector<TableSpec> tables = {
        {"meta", {{"name", K::Text}, {"value", K::Blob}}},
        {"tenants",
         {{"tenant_id", K::Text}, {"display_name", K::Text}, {"country", K::Text},
          {"created_at", K::Integer}, {"modified_at", K::Integer}, {"modified_by", K::Text},
          {"pin_record", K::Blob}, {"pin_key_id", K::Text}, {"pin_set_at", K::Integer},
          {"pin_changed_at", K::Integer}, {"pin_changed_by", K::Text}, {"failed_attempts", K::Integer},
          {"locked_until", K::Integer}, {"lock_level", K::Integer}, {"last_check_at", K::Integer},
          {"last_check_result", K::Text}, {"pin_version", K::Integer}, {"frozen", K::Integer}}},
        {"policies",
         {{"scope", K::Text}, {"min_length", K::Integer}, {"max_length", K::Integer},
          {"block_weak", K::Integer}, {"blocklist", K::Text}, {"max_failed_attempts", K::Integer},
          {"lockout_ms", K::Integer}, {"max_lockout_ms", K::Integer}, {"modified_at", K::Integer},
          {"modified_by", K::Text}}},
        {"audit_events",
         {{"event_id", K::Integer}, {"occurred_at", K::Integer}, {"event_type", K::Text},
          {"tenant_id", K::Text}, {"actor", K::Text}, {"outcome", K::Text}, {"reason", K::Text},
          {"details", K::Text}, {"prev_mac", K::Blob}, {"mac", K::Blob}}},
        {"phone_numbers",
         {{"number", K::Text}, {"tenant_id", K::Text}, {"added_at", K::Integer}, {"added_by", K::Text}}},
        {"orders",
         {{"seq", K::Integer}, {"order_id", K::Text}, {"tenant_id", K::Text}, {"carrier", K::Text},
          {"submitted_by", K::Text}, {"status", K::Text}, {"reason", K::Text},
          {"internal_reason", K::Text}, {"requested_foc", K::Integer}, {"foc", K::Integer},
          {"created_at", K::Integer}, {"modified_at", K::Integer}, {"modified_by", K::Text}}},
        {"order_numbers",
         {{"order_id", K::Text}, {"number", K::Text}, {"problem", K::Text}, {"open", K::Integer}}},
        {"notifications",
         {{"notification_id", K::Integer}, {"occurred_at", K::Integer}, {"kind", K::Text},
          {"tenant_id", K::Text}, {"order_id", K::Text}, {"summary", K::Text}, {"details", K::Text}}},
        {"notification_consumers", {{"consumer", K::Text}, {"acknowledged_through", K::Integer}}},
        {"notification_acks", {{"consumer", K::Text}, {"notification_id", K::Integer}}},
    };
    return tables;
}

std::string column_list(const TableSpec& table) {
    std::string out;
    for (const auto& [name, kind] : table.columns) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

std::string encode_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

std::vector<std::string> decode_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        out.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace portout
