#include "service/audit_checkpoint.hpp"

#include <portout/errors.hpp>
#include "service/audit_chain.hpp"
#include "service/key_ring.hpp"
#include "service/notifications.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <optional>
#include <utility>

namespace portout {

namespace {

constexpr std::size_t kMaxDocument = 64 * 1024;

[[noreturn]] void malformed(const std::string& why) {
    throw InvalidArgumentError("CheckpointMalformed",
                               "The checkpoint is not a portout audit checkpoint: " + why + ".");
}

std::string iso_utc(Millis ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

// The milliseconds an iso_utc() string spells; nothing for any other form.
std::optional<Millis> parse_iso_utc(std::string_view s) {
    static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (s.size() != kShape.size()) return std::nullopt;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i]) return std::nullopt;
    }
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(5, 2) - 1;
    tm.tm_mday = num(8, 2);
    tm.tm_hour = num(11, 2);
    tm.tm_min = num(14, 2);
    tm.tm_sec = num(17, 2);
    const std::time_t secs = ::timegm(&tm);
    if (secs < 0) return std::nullopt;
    const Millis ms = static_cast<Millis>(secs) * 1000 + num(20, 3);
    if (iso_utc(ms) != s) return std::nullopt;  // 2026-02-30 and the like
    return ms;
}

bool is_hex(std::string_view s, std::size_t size) {
    return s.size() == size &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A flat JSON object whose values are strings (no escapes: a checkpoint holds none) or
// whole numbers, read strictly.
struct Flat {
    std::map<std::string, std::string, std::less<>> strings;
    std::map<std::string, std::int64_t, std::less<>> numbers;
};

Flat parse_flat(std::string_view text) {
    Flat out;
    std::size_t i = 0;
    auto ws = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    };
    auto expect = [&](char c) {
        ws();
        if (i >= text.size() || text[i] != c) malformed(std::string("expected '") + c + "' at byte " + std::to_string(i));
        ++i;
    };
    auto string = [&] {
        expect('"');
        const auto start = i;
        while (i < text.size() && text[i] != '"') {
            const auto u = static_cast<unsigned char>(text[i]);
            if (u < 0x20 || u > 0x7E || text[i] == '\\') malformed("a string holds a character no checkpoint holds");
            ++i;
        }
        if (i >= text.size()) malformed("a string is not closed");
        return std::string(text.substr(start, i++ - start));
    };
    if (text.size() > kMaxDocument) malformed("it is larger than any checkpoint");
    expect('{');
    ws();
    if (i < text.size() && text[i] == '}') malformed("it is an empty object");
    while (true) {
        auto key = string();
        if (out.strings.contains(key) || out.numbers.contains(key)) malformed("the field " + key + " is repeated");
        expect(':');
        ws();
        if (i < text.size() && text[i] == '"') {
            out.strings.emplace(std::move(key), string());
        } else if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            const auto start = i;
            while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
            const auto digits = text.substr(start, i - start);
            if (digits.size() > 18 || (digits.size() > 1 && digits[0] == '0')) {
                malformed("the field " + key + " is not a whole number of the checkpoint's kind");
            }
            std::int64_t v = 0;
            for (char c : digits) v = v * 10 + (c - '0');
            out.numbers.emplace(std::move(key), v);
        } else {
            malformed("the field " + key + " is neither a string nor a whole number");
        }
        ws();
        if (i < text.size() && text[i] == ',') {
            ++i;
            continue;
        }
        expect('}');
        break;
    }
    ws();
    if (i != text.size()) malformed("there is more after the object");
    return out;
}

std::string document_of(const AuditCheckpoint& c) {
    std::string d = "{\n";
    d += "  \"format\": \"" + std::string(AuditCheckpoint::kFormat) + "\",\n";
    d += "  \"store_id\": \"" + c.store_id + "\",\n";
    d += "  \"event_id\": " + std::to_string(c.event_id) + ",\n";
    d += "  \"event_mac\": \"" + c.event_mac + "\",\n";
    d += "  \"event_count\": " + std::to_string(c.event_count) + ",\n";
    d += "  \"taken_at\": \"" + c.taken_at + "\",\n";
    d += "  \"key_id\": \"" + c.key_id + "\",\n";
    d += "  \"public_key\": \"" + c.public_key + "\",\n";
    d += "  \"signature\": \"" + c.signature + "\"\n";
    d += "}\n";
    return d;
}

// The value of `name=` among the space-separated fields of an event's details.
std::string detail(std::string_view details, std::string_view name) {
    std::size_t at = 0;
    while (at < details.size()) {
        auto end = details.find(' ', at);
        if (end == std::string_view::npos) end = details.size();
        const auto field = details.substr(at, end - at);
        if (field.size() > name.size() && field.substr(0, name.size()) == name && field[name.size()] == '=') {
            return std::string(field.substr(name.size() + 1));
        }
        at = end + 1;
    }
    return {};
}

}  // namespace

std::string AuditCheckpoint::signed_bytes() const {
    std::string b(kFormat);
    b += "\nstore_id=" + store_id;
    b += "\nevent_id=" + std::to_string(event_id);
    b += "\nevent_mac=" + event_mac;
    b += "\nevent_count=" + std::to_string(event_count);
    b += "\ntaken_at=" + taken_at;
    b += "\nkey_id=" + key_id;
    b += "\npublic_key=" + public_key;
    b += "\n";
    return b;
}

AuditCheckpoint parse_audit_checkpoint(std::string_view document) {
    const Flat f = parse_flat(document);
    static constexpr std::string_view kStrings[] = {"format", "store_id", "event_mac", "taken_at",
                                                    "key_id", "public_key", "signature"};
    static constexpr std::string_view kNumbers[] = {"event_id", "event_count"};
    for (const auto& [name, value] : f.strings) {
        if (std::find(std::begin(kStrings), std::end(kStrings), name) == std::end(kStrings)) {
            malformed("the field " + name + " is not a string field of a checkpoint");
        }
    }
    for (const auto& [name, value] : f.numbers) {
        if (std::find(std::begin(kNumbers), std::end(kNumbers), name) == std::end(kNumbers)) {
            malformed("the field " + name + " is not a number field of a checkpoint");
        }
    }
    for (auto name : kStrings) {
        if (!f.strings.contains(name)) malformed("the field " + std::string(name) + " is missing");
    }
    for (auto name : kNumbers) {
        if (!f.numbers.contains(name)) malformed("the field " + std::string(name) + " is missing");
    }
    if (f.strings.find("format")->second != AuditCheckpoint::kFormat) {
        malformed("its format is not " + std::string(AuditCheckpoint::kFormat));
    }
    AuditCheckpoint c;
    c.store_id = f.strings.find("store_id")->second;
    c.event_id = f.numbers.find("event_id")->second;
    c.event_mac = f.strings.find("event_mac")->second;
    c.event_count = f.numbers.find("event_count")->second;
    c.taken_at = f.strings.find("taken_at")->second;
    c.key_id = f.strings.find("key_id")->second;
    c.public_key = f.strings.find("public_key")->second;
    c.signature = f.strings.find("signature")->second;
    c.document = std::string(document);
    const bool id_ok = !c.store_id.empty() && c.store_id.size() <= 64 &&
                       std::all_of(c.store_id.begin(), c.store_id.end(), [](char ch) {
                           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == '-';
                       });
    if (!id_ok) malformed("its store_id is not a store id");
    if (c.event_id < 1 || c.event_count < 1) malformed("its event_id and event_count are not at least 1");
    if (!is_hex(c.event_mac, 2 * AuditMac::kSize)) malformed("its event_mac is not 64 hex digits");
    if (!is_hex(c.key_id, 16)) malformed("its key_id is not 16 hex digits");
    if (!is_hex(c.public_key, 2 * SigningKey::kPublicKeySize)) malformed("its public_key is not 64 hex digits");
    if (!is_hex(c.signature, 2 * SigningKey::kSignatureSize)) malformed("its signature is not 128 hex digits");
    const auto at = parse_iso_utc(c.taken_at);
    if (!at) malformed("its taken_at is not a UTC time of the form 2026-01-31T23:59:59.000Z");
    c.taken_at_ms = *at;
    return c;
}

AuditCheckpoint sign_checkpoint(const SigningKey& key, std::string_view key_id, std::string_view store_id,
                                const AuditRecord& head, std::int64_t count, Millis taken_at) {
    AuditCheckpoint c;
    c.store_id = store_id;
    c.event_id = head.event_id;
    c.event_mac = to_hex(head.mac);
    c.event_count = count;
    c.taken_at_ms = std::max<Millis>(taken_at, 0);
    c.taken_at = iso_utc(c.taken_at_ms);
    c.key_id = key_id;
    c.public_key = to_hex(key.public_key());
    c.signature = to_hex(key.sign(c.signed_bytes()));
    c.document = document_of(c);
    return c;
}

// ---- checking a walk against checkpoints -----------------------------------------------------

CheckpointCheck::CheckpointCheck(const std::vector<std::string>& documents) {
    checkpoints_.reserve(documents.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
        try {
            checkpoints_.push_back(parse_audit_checkpoint(documents[i]));
        } catch (const InvalidArgumentError& e) {
            throw InvalidArgumentError(e.error_id(), "Checkpoint " + std::to_string(i + 1) + " of " +
                                                         std::to_string(documents.size()) + ": " + e.what());
        }
        seen_.emplace(checkpoints_.back().event_id, Seen{});
    }
}

void CheckpointCheck::visit(const AuditRecord& e) {
    ++count_;
    last_id_ = std::max(last_id_, e.event_id);
    if (const auto it = seen_.find(e.event_id); it != seen_.end() && it->second.count == 0) {
        it->second = Seen{e.mac, count_};
    }
}

void CheckpointCheck::finish(const ServiceContext& ctx, StoreTransaction& tx, AuditVerification& result) const {
    result.checkpoints_checked = static_cast<std::int64_t>(checkpoints_.size());
    if (checkpoints_.empty()) return;
    // The checkpoint keys of this store: the current key's, and each earlier key's as the chain
    // recorded it when a rotation completed (authentic as far as the chain is).
    std::map<std::string, std::string, std::less<>> keys;  // public key (hex) -> key id
    {
        const auto current = ctx.keys.current();
        keys.emplace(to_hex(SigningKey(current->key, kPurposeAuditCheckpoint).public_key()), current->key.key_id());
        AuditQuery q;
        q.event_types = {"KeyRotationCompleted"};
        q.limit = 1000;
        while (true) {
            const auto page = tx.audit_events(q);
            for (const auto& e : page) {
                const auto pk = detail(e.details, "checkpoint_key");
                if (!pk.empty()) keys.emplace(pk, detail(e.details, "from"));
            }
            if (page.size() < q.limit) break;
            q.after_event_id = page.back().event_id;
        }
    }
    for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
        const auto& c = checkpoints_[i];
        std::string problem;
        std::optional<std::int64_t> at;
        const auto pk = from_hex(c.public_key);
        const auto sig = from_hex(c.signature);
        const auto key = keys.find(c.public_key);
        if (!pk || !sig || !verify_signature(*pk, c.signed_bytes(), *sig)) {
            problem = "CheckpointInvalid";  // altered, or not signed at all
        } else if (c.store_id != ctx.store_id) {
            problem = "CheckpointOfAnotherStore";
        } else if (key == keys.end() || key->second != c.key_id) {
            problem = "CheckpointInvalid";  // signed, but by a key this store never had
        } else {
            const auto it = seen_.find(c.event_id);
            const bool present = it != seen_.end() && it->second.count > 0;
            if (!present && c.event_id > last_id_) {
                problem = "Truncated";  // the chain ends before the checkpointed event
                at = last_id_ + 1;
            } else if (!present || !constant_time_equal(to_hex(it->second.mac), c.event_mac) ||
                       it->second.count != c.event_count) {
                problem = "RolledBack";  // another history at that id
                at = c.event_id;
            }
        }
        if (!problem.empty() && result.is_valid) {
            result.is_valid = false;
            result.problem = std::move(problem);
            result.first_broken_event_id = at;
            result.failed_checkpoint = static_cast<std::int64_t>(i);
        }
    }
}

// ---- taking a checkpoint ---------------------------------------------------------------------

AuditCheckpoint AuditCheckpoints::audit_checkpoint() {
    ctx_.authorize(Operation::CheckpointAudit);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto chain = ctx_.audit.verify(*tx, {});
    if (!chain.is_valid) {
        throw InvalidDataError("AuditChainBroken",
                               "The audit chain does not verify (" + chain.problem + "): no checkpoint is signed "
                               "for a broken chain. Test-PortOutAuditLog tells where it breaks.",
                               ctx_.store.location());
    }
    const auto entry = ctx_.keys.current();
    const SigningKey key(entry->key, kPurposeAuditCheckpoint);
    ctx_.append_audit(*tx, "AuditCheckpointTaken", "", "Success", "", "key_id=" + entry->key.key_id());
    const auto head = tx->last_audit_event();
    if (!head) throw InvalidDataError("StoreCorrupt", "The audit chain is empty.", ctx_.store.location());
    auto checkpoint = sign_checkpoint(key, entry->key.key_id(), ctx_.store_id, *head, chain.event_count + 1, ctx_.now());
    notify(ctx_, *tx, "AuditCheckpoint", "", "",
           "A checkpoint of the audit chain at event " + std::to_string(head->event_id) + " was signed by " +
               ctx_.actor + ".",
           checkpoint.document);
    tx->commit();
    return checkpoint;
}

}  // namespace portout
