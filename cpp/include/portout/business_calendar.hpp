// Business days in a tenant's time zone: Monday to Friday, less the US federal holidays and the
// holidays a policy lists.
// What porting counts in business days (47 CFR 52.35(a): the losing carrier's business days,
// its holidays excluded) is counted here: the review window, the earliest FOC date. Instants
// stay UTC milliseconds; only the calendar day an instant falls on is local. The zone rules are
// ICU's (the tz database libphonenumber already brings).
#pragma once

#include <portout/clock.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// A calendar day: days since 1970-01-01.
using Day = std::int64_t;

// "YYYY-MM-DD" as a day; nullopt for anything else (a date that does not exist included).
std::optional<Day> parse_date(std::string_view text);
std::string date_text(Day day);
// Monday 1 ... Sunday 7.
int iso_weekday(Day day);
// The eleven US federal holidays of a year (5 U.S.C. 6103), each on the day it is observed
// (a Saturday's on the Friday before, a Sunday's on the Monday after), sorted.
std::vector<Day> us_federal_holidays(int year);

// The zone a tenant without one of its own keeps business days in.
inline constexpr std::string_view kDefaultTimeZone = "America/New_York";

// The IANA name of a zone ICU knows, as ICU spells it ("america/new_york" is refused: zone
// names are case-sensitive in the tz database); InvalidArgumentError (UnknownTimeZone) else.
std::string canonical_time_zone(std::string_view name);

class BusinessCalendar {
public:
    // `time_zone` empty: kDefaultTimeZone. Holidays as "YYYY-MM-DD" (others are ignored: a
    // policy's list is checked when it is set).
    BusinessCalendar(std::string_view time_zone, const std::vector<std::string>& holidays);
    ~BusinessCalendar();
    BusinessCalendar(const BusinessCalendar&) = delete;
    BusinessCalendar& operator=(const BusinessCalendar&) = delete;

    const std::string& time_zone() const noexcept { return zone_name_; }
    // The local calendar day an instant falls on.
    Day local_day(Millis at) const;
    // The instant the local day begins (its first millisecond, across a DST change too).
    Millis start_of(Day day) const;
    bool is_business_day(Day day) const;
    // The n-th business day after `day` (n >= 1), or `day` itself when n is 0 and it is one.
    Day add_business_days(Day day, int n) const;
    // `start` plus `span` counted only on business days: a window of 24 business hours opened
    // on a Friday afternoon closes on Monday afternoon (Tuesday after a Monday holiday).
    Millis add_business_time(Millis start, Millis span) const;

private:
    Millis offset_at(Millis utc) const;

    std::string zone_name_;
    struct Zone;
    std::unique_ptr<Zone> zone_;
    std::vector<Day> holidays_;  // sorted
};

}  // namespace portout
