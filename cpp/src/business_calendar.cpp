#include <portout/business_calendar.hpp>

#include <portout/errors.hpp>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace portout {

namespace {

constexpr Millis kDay = 24LL * 60 * 60 * 1000;

Day floor_day(Millis local_ms) {
    return local_ms >= 0 ? local_ms / kDay : -((-local_ms + kDay - 1) / kDay);
}

std::unique_ptr<icu::TimeZone> open_zone(std::string_view name) {
    std::unique_ptr<icu::TimeZone> tz(
        icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())))));
    if (!tz) return nullptr;
    icu::UnicodeString id;
    tz->getID(id);
    std::string spelled;
    id.toUTF8String(spelled);
    // ICU answers an unknown name with "Etc/Unknown"; it also accepts names in any case.
    if (spelled == "Etc/Unknown" || spelled != name) return nullptr;
    return tz;
}

Day ymd_day(int y, unsigned m, unsigned d) {
    return std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                                             std::chrono::day{d}}}
        .time_since_epoch()
        .count();
}

// The n-th (1-based; 0 for the last) given weekday (ISO, 1 = Monday) of a month.
Day nth_weekday(int y, unsigned m, int iso, int n) {
    if (n == 0) {
        const Day last = ymd_day(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
        return last - ((iso_weekday(last) - iso + 7) % 7);
    }
    const Day first = ymd_day(y, m, 1);
    return first + ((iso - iso_weekday(first) + 7) % 7) + 7 * (n - 1);
}

// A fixed-date holiday on a weekend is observed on the Friday before or the Monday after.
Day observed(Day day) {
    const int w = iso_weekday(day);
    return w == 6 ? day - 1 : w == 7 ? day + 1 : day;
}

}  // namespace

std::vector<Day> us_federal_holidays(int year) {
    std::vector<Day> out = {
        observed(ymd_day(year, 1, 1)),    // New Year's Day
        nth_weekday(year, 1, 1, 3),       // Birthday of Martin Luther King, Jr.
        nth_weekday(year, 2, 1, 3),       // Washington's Birthday
        nth_weekday(year, 5, 1, 0),       // Memorial Day
        observed(ymd_day(year, 6, 19)),   // Juneteenth National Independence Day
        observed(ymd_day(year, 7, 4)),    // Independence Day
        nth_weekday(year, 9, 1, 1),       // Labor Day
        nth_weekday(year, 10, 1, 2),      // Columbus Day
        observed(ymd_day(year, 11, 11)),  // Veterans Day
        nth_weekday(year, 11, 4, 4),      // Thanksgiving Day
        observed(ymd_day(year, 12, 25)),  // Christmas Day
    };
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<Day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0, m = 0, d = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        if (i == 4 || i == 7) continue;
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
    y = std::stoi(std::string(text.substr(0, 4)));
    m = std::stoi(std::string(text.substr(5, 2)));
    d = std::stoi(std::string(text.substr(8, 2)));
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::string date_text(Day day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

int iso_weekday(Day day) {
    return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{std::chrono::days{day}}}.iso_encoding());
}

std::string canonical_time_zone(std::string_view name) {
    if (name.empty() || name.size() > 64 || !open_zone(name)) {
        throw InvalidArgumentError("UnknownTimeZone",
                                   "The time zone is named as in the tz database, e.g. America/Chicago; this "
                                   "name is not one.",
                                   name.size() <= 64 ? std::string(name) : std::string());
    }
    return std::string(name);
}

struct BusinessCalendar::Zone {
    std::unique_ptr<icu::TimeZone> tz;
};

BusinessCalendar::BusinessCalendar(std::string_view time_zone, const std::vector<std::string>& holidays)
    : zone_name_(time_zone.empty() ? std::string(kDefaultTimeZone) : std::string(time_zone)),
      zone_(std::make_unique<Zone>()) {
    zone_->tz = open_zone(zone_name_);
    if (!zone_->tz) canonical_time_zone(zone_name_);  // throws UnknownTimeZone
    for (const auto& h : holidays) {
        if (const auto d = parse_date(h)) holidays_.push_back(*d);
    }
    std::sort(holidays_.begin(), holidays_.end());
}

BusinessCalendar::~BusinessCalendar() = default;

Millis BusinessCalendar::offset_at(Millis utc) const {
    int32_t raw = 0;
    int32_t dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone_->tz->getOffset(static_cast<UDate>(utc), false, raw, dst, status);
    if (U_FAILURE(status)) return 0;
    return static_cast<Millis>(raw) + dst;
}

Day BusinessCalendar::local_day(Millis at) const {
    return floor_day(at + offset_at(at));
}

Millis BusinessCalendar::start_of(Day day) const {
    const Millis local = day * kDay;
    Millis utc = local - offset_at(local);
    utc = local - offset_at(utc);
    // Where midnight does not exist (a zone that moves its clocks at midnight), the day begins
    // at the first instant that falls on it.
    if (local_day(utc) < day) {
        while (local_day(utc) < day) utc += 60 * 1000;
    }
    return utc;
}

bool BusinessCalendar::is_business_day(Day day) const {
    if (iso_weekday(day) > 5 || std::binary_search(holidays_.begin(), holidays_.end(), day)) return false;
    const int year = static_cast<int>(std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}}.year());
    // New Year's Day on a Saturday is observed on the Friday before, in the year before.
    for (const int y : {year, year + 1}) {
        const auto federal = us_federal_holidays(y);
        if (std::binary_search(federal.begin(), federal.end(), day)) return false;
    }
    return true;
}

Day BusinessCalendar::add_business_days(Day day, int n) const {
    if (n <= 0) {
        while (!is_business_day(day)) ++day;
        return day;
    }
    while (n > 0) {
        ++day;
        if (is_business_day(day)) --n;
    }
    return day;
}

Millis BusinessCalendar::add_business_time(Millis start, Millis span) const {
    Millis at = start;
    Millis left = span;
    // A year of days at most: a window is never longer than weeks.
    for (int guard = 0; guard < 400; ++guard) {
        const Day day = local_day(at);
        const Millis next = start_of(day + 1);
        if (!is_business_day(day)) {
            at = next;
            continue;
        }
        if (left <= next - at) return at + left;
        left -= next - at;
        at = next;
    }
    return at + left;
}

}  // namespace portout
