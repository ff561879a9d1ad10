// Business days as porting counts them: weekends, US federal holidays (as observed) and a
// policy's own holidays skipped, in the tenant's time zone, across daylight-saving changes.
#include <portout/business_calendar.hpp>
#include <portout/errors.hpp>

#include <gtest/gtest.h>

namespace portout {
namespace {

constexpr Millis kHour = 60LL * 60 * 1000;

Day day(const char* text) {
    return parse_date(text).value();
}

// An instant given as UTC date and hour.
Millis utc(const char* date, int hour) {
    return day(date) * 24 * kHour + hour * kHour;
}

TEST(BusinessCalendarTest, DatesReadOnlyAsTheyExist) {
    EXPECT_EQ(day("1970-01-01"), 0);
    EXPECT_EQ(date_text(day("2026-12-01")), "2026-12-01");
    EXPECT_EQ(iso_weekday(day("2026-12-01")), 2);  // a Tuesday
    EXPECT_FALSE(parse_date("2026-02-29"));
    EXPECT_FALSE(parse_date("2026-13-01"));
    EXPECT_FALSE(parse_date("2026-1-01"));
    EXPECT_FALSE(parse_date("2026/12/01"));
    EXPECT_FALSE(parse_date(""));
    EXPECT_TRUE(parse_date("2028-02-29"));
}

TEST(BusinessCalendarTest, FederalHolidaysOnTheDaysTheyAreObserved) {
    const auto h2026 = us_federal_holidays(2026);
    ASSERT_EQ(h2026.size(), 11U);
    EXPECT_EQ(date_text(h2026[0]), "2026-01-01");
    EXPECT_EQ(date_text(h2026[1]), "2026-01-19");   // third Monday of January
    EXPECT_EQ(date_text(h2026[3]), "2026-05-25");   // last Monday of May
    EXPECT_EQ(date_text(h2026[5]), "2026-07-03");   // July 4th, a Saturday, observed on Friday
    EXPECT_EQ(date_text(h2026[9]), "2026-11-26");   // fourth Thursday of November
    EXPECT_EQ(date_text(h2026[10]), "2026-12-25");
    const auto h2027 = us_federal_holidays(2027);
    EXPECT_EQ(date_text(h2027[5]), "2027-07-05");   // a Sunday's, on the Monday after
    // New Year's Day 2022 fell on a Saturday: observed on Friday 2021-12-31.
    const BusinessCalendar cal("America/New_York", {});
    EXPECT_FALSE(cal.is_business_day(day("2021-12-31")));
}

TEST(BusinessCalendarTest, WeekendsHolidaysAndThePolicysOwnDays) {
    const BusinessCalendar cal("America/Chicago", {"2026-12-24", "not a date"});
    EXPECT_TRUE(cal.is_business_day(day("2026-12-01")));
    EXPECT_FALSE(cal.is_business_day(day("2026-12-05")));  // Saturday
    EXPECT_FALSE(cal.is_business_day(day("2026-12-06")));  // Sunday
    EXPECT_FALSE(cal.is_business_day(day("2026-12-24")));  // the policy's
    EXPECT_FALSE(cal.is_business_day(day("2026-12-25")));  // Christmas
    EXPECT_EQ(date_text(cal.add_business_days(day("2026-12-23"), 1)), "2026-12-28");
    EXPECT_EQ(date_text(cal.add_business_days(day("2026-12-04"), 1)), "2026-12-07");
    EXPECT_EQ(date_text(cal.add_business_days(day("2026-12-05"), 0)), "2026-12-07");
    EXPECT_EQ(date_text(cal.add_business_days(day("2026-12-01"), 0)), "2026-12-01");
}

TEST(BusinessCalendarTest, TheLocalDayIsTheTenantsNotUtcs) {
    const BusinessCalendar ny("America/New_York", {});
    const BusinessCalendar la("America/Los_Angeles", {});
    // 2026-12-05 03:00 UTC is still Friday evening in New York and in Los Angeles.
    EXPECT_EQ(date_text(ny.local_day(utc("2026-12-05", 3))), "2026-12-04");
    EXPECT_EQ(date_text(la.local_day(utc("2026-12-05", 7))), "2026-12-04");
    EXPECT_EQ(date_text(la.local_day(utc("2026-12-05", 8))), "2026-12-05");
    // Midnight moves with daylight saving time: EST is UTC-5, EDT UTC-4.
    EXPECT_EQ(ny.start_of(day("2026-03-08")), utc("2026-03-08", 5));
    EXPECT_EQ(ny.start_of(day("2026-03-09")), utc("2026-03-09", 4));
    EXPECT_EQ(ny.start_of(day("2026-11-02")), utc("2026-11-02", 5));
}

TEST(BusinessCalendarTest, BusinessTimeStopsOverWeekendsAndHolidays) {
    const BusinessCalendar ny("America/New_York", {});
    // Friday 15:00 in New York (20:00 UTC) plus 24 business hours: Monday 15:00.
    EXPECT_EQ(ny.add_business_time(utc("2026-12-04", 20), 24 * kHour), utc("2026-12-07", 20));
    // Within a day.
    EXPECT_EQ(ny.add_business_time(utc("2026-12-01", 14), 2 * kHour), utc("2026-12-01", 16));
    // Friday before Martin Luther King Day 2027: Tuesday.
    EXPECT_EQ(ny.add_business_time(utc("2027-01-15", 20), 24 * kHour), utc("2027-01-19", 20));
    // A request made on a Saturday starts counting on Monday at midnight.
    EXPECT_EQ(ny.add_business_time(utc("2026-12-05", 18), 24 * kHour), ny.start_of(day("2026-12-08")));
}

TEST(BusinessCalendarTest, ZonesAreNamedAsTheTzDatabaseNamesThem) {
    EXPECT_EQ(canonical_time_zone("America/Denver"), "America/Denver");
    EXPECT_EQ(canonical_time_zone("UTC"), "UTC");
    for (const char* bad : {"", "Mars/Olympus", "america/new_york", "EST5EDT,M3.2.0", "Nowhere"}) {
        try {
            canonical_time_zone(bad);
            ADD_FAILURE() << bad;
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "UnknownTimeZone");
        }
    }
    EXPECT_THROW(BusinessCalendar("Mars/Olympus", {}), InvalidArgumentError);
    const BusinessCalendar fallback("", {});
    EXPECT_EQ(fallback.time_zone(), "America/New_York");
}

}  // namespace
}  // namespace portout
