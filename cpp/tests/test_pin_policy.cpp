#include <portout/pin_policy.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace portout {
namespace {

using Rules = std::set<PinRule>;

Rules rules_of(const std::vector<Violation>& violations) {
    Rules out;
    for (const auto& v : violations) out.insert(v.rule);
    return out;
}

struct Case {
    std::string name;
    std::string pin;
    Rules expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }  // never the PIN bytes

class DefaultPolicy : public ::testing::TestWithParam<Case> {};

TEST_P(DefaultPolicy, ReportsExactlyTheFailedRules) {
    const auto& c = GetParam();
    EXPECT_EQ(rules_of(PinPolicy{}.validate(c.pin)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Seed, DefaultPolicy,
    ::testing::Values(
        Case{"six_digits", "480137", {}},
        Case{"ten_digits", "4801375926", {}},
        Case{"seven_digits", "4801379", {}},
        Case{"leading_zeros", "048137", {}},
        Case{"empty", "", {PinRule::Empty}},
        Case{"five_digits", "48013", {PinRule::TooShort}},
        Case{"one_digit", "7", {PinRule::TooShort}},
        Case{"eleven_digits", "48013759261", {PinRule::TooLong}},
        Case{"letters", "48o137", {PinRule::NotDigits}},
        Case{"all_letters", "abcdefg", {PinRule::NotDigits}},
        Case{"space_inside", "480 137", {PinRule::NotDigits}},
        Case{"leading_space", " 480137", {PinRule::NotDigits}},
        Case{"trailing_newline", "480137\n", {PinRule::NotDigits}},
        Case{"tab", "480\t137", {PinRule::NotDigits}},
        Case{"nul_inside", std::string("480\0" "137", 7), {PinRule::NotDigits}},
        Case{"plus_sign", "+480137", {PinRule::NotDigits}},
        Case{"minus_sign", "-480137", {PinRule::NotDigits}},
        Case{"dot", "4801.37", {PinRule::NotDigits}},
        Case{"hex_prefix", "0x480137", {PinRule::NotDigits}},
        Case{"exponent", "48e137", {PinRule::NotDigits}},
        Case{"fullwidth", "\xef\xbc\x94\xef\xbc\x98\xef\xbc\x90\xef\xbc\x91\xef\xbc\x93\xef\xbc\x97",
             {PinRule::NotDigits}},
        Case{"arabic_indic", "\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7\xd9\xa8\xd9\xa9",
             {PinRule::NotDigits}},
        Case{"devanagari", "\xe0\xa5\xa8\xe0\xa5\xaa\xe0\xa5\xac\xe0\xa5\xa7\xe0\xa5\xa9\xe0\xa5\xaf",
             {PinRule::NotDigits}},
        Case{"superscript_two", "48013\xc2\xb2", {PinRule::NotDigits}},
        Case{"five_chars_one_superscript", "4801\xc2\xb2", {PinRule::TooShort, PinRule::NotDigits}},
        Case{"rtl_mark", "\xe2\x80\x8f" "480137", {PinRule::NotDigits}},
        Case{"zero_width_space", "480\xe2\x80\x8b" "137", {PinRule::NotDigits}},
        Case{"invalid_utf8", "480\xff" "137", {PinRule::NotDigits}},
        Case{"sql", "1' OR '1'='1", {PinRule::TooLong, PinRule::NotDigits}},
        Case{"only_spaces", "      ", {PinRule::NotDigits}},
        Case{"too_long_letters", "abcdefghijk", {PinRule::TooLong, PinRule::NotDigits}}));

INSTANTIATE_TEST_SUITE_P(
    Weak, DefaultPolicy,
    ::testing::Values(
        Case{"zeros", "000000", {PinRule::RepeatedDigit, PinRule::CommonPin}},
        Case{"sevens_eight", "77777777", {PinRule::RepeatedDigit}},
        Case{"ones_ten", "1111111111", {PinRule::RepeatedDigit}},
        Case{"ascending", "123456", {PinRule::Sequential, PinRule::CommonPin}},
        Case{"ascending_mid", "345678", {PinRule::Sequential}},
        Case{"descending", "987654", {PinRule::Sequential, PinRule::CommonPin}},
        Case{"descending_mid", "876543", {PinRule::Sequential}},
        Case{"wrapping", "7890123", {PinRule::Sequential}},
        Case{"keypad_row", "1234567890", {PinRule::Sequential, PinRule::CommonPin}},
        Case{"pairs_pattern", "121212", {PinRule::RepeatedPattern, PinRule::CommonPin}},
        Case{"pairs_pattern_odd", "3434343", {PinRule::RepeatedPattern}},
        Case{"triple_pattern", "385385", {PinRule::RepeatedPattern}},
        Case{"triple_pattern_cut", "3853853", {PinRule::RepeatedPattern}},
        Case{"quad_pattern", "40724072", {PinRule::RepeatedPattern}},
        Case{"five_pattern", "4072940729", {PinRule::RepeatedPattern}},
        Case{"doubled_digits", "112233", {PinRule::RepeatedPattern, PinRule::CommonPin}},
        Case{"doubled_digits_any", "774411", {PinRule::RepeatedPattern}},
        Case{"tripled_digits", "555999", {PinRule::RepeatedPattern}},
        Case{"common_keypad", "147258", {PinRule::CommonPin}},
        Case{"common_x", "159753", {PinRule::CommonPin}},
        Case{"common_pi", "314159", {PinRule::CommonPin}},
        Case{"common_seven", "8675309", {PinRule::CommonPin}},
        Case{"weak_and_short", "11111", {PinRule::TooShort, PinRule::RepeatedDigit, PinRule::CommonPin}},
        Case{"weak_and_long", "12345678901", {PinRule::TooLong, PinRule::Sequential}},
        // Near misses: strong enough.
        Case{"almost_sequential", "123457", {PinRule::CommonPin}},
        Case{"sequential_then_other", "123459", {}},
        Case{"pattern_not_repeated", "123412", {}},
        Case{"uneven_runs", "112223", {}},
        Case{"one_run_then_other", "111123", {}},
        Case{"random", "602917", {}}));

TEST(PinPolicy, DefaultsAreTheSeedRules) {
    PinPolicy p;
    EXPECT_EQ(p.min_length(), 6);
    EXPECT_EQ(p.max_length(), 10);
    EXPECT_TRUE(p.block_weak());
    EXPECT_TRUE(p.blocklist().empty());
}

TEST(PinPolicy, LengthBoundariesFollowThePolicy) {
    PinPolicy p(4, 15, true, {});
    EXPECT_TRUE(p.validate("4816").empty());
    EXPECT_TRUE(p.validate("481603927518364").empty());
    EXPECT_EQ(rules_of(p.validate("481")), Rules{PinRule::TooShort});
    EXPECT_EQ(rules_of(p.validate("4816039275183640")), Rules{PinRule::TooLong});
    PinPolicy exact(8, 8, true, {});
    EXPECT_EQ(rules_of(exact.validate("4816039")), Rules{PinRule::TooShort});
    EXPECT_TRUE(exact.validate("48160392").empty());
    EXPECT_EQ(rules_of(exact.validate("481603927")), Rules{PinRule::TooLong});
}

TEST(PinPolicy, BadBoundsAreRefused) {
    struct Bad { int lo, hi; };
    for (auto [lo, hi] : {Bad{3, 10}, Bad{6, 16}, Bad{0, 0}, Bad{-1, 10}, Bad{11, 10}, Bad{16, 16},
                          Bad{4, 3}, Bad{6, 2147483647}}) {
        try {
            PinPolicy(lo, hi, true, {});
            ADD_FAILURE() << "accepted bounds " << lo << ".." << hi;
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "InvalidPinPolicy");
            EXPECT_EQ(e.category(), ErrorCategory::InvalidArgument);
        }
    }
}

TEST(PinPolicy, WeakRulesCanBeSwitchedOff) {
    PinPolicy lax(6, 10, false, {});
    for (const char* pin : {"000000", "123456", "121212", "112233", "147258"}) {
        EXPECT_TRUE(lax.validate(pin).empty()) << "weak rule applied with block_weak off";
    }
    EXPECT_EQ(rules_of(lax.validate("12345")), Rules{PinRule::TooShort});
    EXPECT_EQ(rules_of(lax.validate("12345a")), Rules{PinRule::NotDigits});
}

TEST(PinPolicy, BlocklistAppliesWhateverTheWeakSwitch) {
    for (bool block_weak : {true, false}) {
        PinPolicy p(6, 10, block_weak, {"602917", "602917", "5550123"});
        EXPECT_EQ(rules_of(p.validate("602917")), Rules{PinRule::Blocklisted});
        EXPECT_EQ(rules_of(p.validate("5550123")), Rules{PinRule::Blocklisted});
        EXPECT_TRUE(p.validate("602918").empty());
        EXPECT_EQ(p.blocklist(), (std::vector<std::string>{"5550123", "602917"}));
    }
}

TEST(PinPolicy, BadBlocklistEntriesAreRefusedWithoutEchoingThem) {
    for (std::string entry : {"", "12a456", "1234567890123456", " 123456", "\xd9\xa4\xd9\xa5"}) {
        try {
            PinPolicy(6, 10, true, {"602917", entry});
            ADD_FAILURE() << "accepted a bad blocklist entry";
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "InvalidPinPolicy");
            if (!entry.empty()) {
                EXPECT_EQ(std::string(e.what()).find(entry), std::string::npos);
            }
            EXPECT_NE(std::string(e.what()).find("entry 2"), std::string::npos);
        }
    }
}

TEST(PinPolicy, ViolationsComeInRuleOrderWithMessages) {
    auto v = PinPolicy{}.validate("11111");
    ASSERT_EQ(v.size(), 3U);
    EXPECT_EQ(v[0].rule, PinRule::TooShort);
    EXPECT_EQ(v[1].rule, PinRule::RepeatedDigit);
    EXPECT_EQ(v[2].rule, PinRule::CommonPin);
    EXPECT_NE(v[0].message.find("at least six digits"), std::string::npos);
}

TEST(PinPolicy, NoMessageHoldsAnAsciiDigit) {
    PinPolicy p(4, 15, true, {"48160392"});
    std::vector<std::string> pins = {"", "1", "12", "11111", "4816039", "48160392", "abc",
                                     "0000000000000000", "123456", "121212"};
    for (const auto& pin : pins) {
        for (const auto& v : p.validate(pin)) {
            EXPECT_TRUE(std::none_of(v.message.begin(), v.message.end(),
                                     [](char c) { return c >= '0' && c <= '9'; }))
                << to_string(v.rule);
        }
    }
}

TEST(PinPolicy, CheckThrowsWithEveryViolationAndTheTarget) {
    try {
        PinPolicy{}.check("11111", "contoso.com");
        FAIL() << "check accepted a weak PIN";
    } catch (const PinPolicyError& e) {
        EXPECT_EQ(e.error_id(), "PinPolicyViolation");
        EXPECT_EQ(e.category(), ErrorCategory::InvalidArgument);
        EXPECT_EQ(e.target(), "contoso.com");
        EXPECT_EQ(rules_of(e.violations()),
                  (Rules{PinRule::TooShort, PinRule::RepeatedDigit, PinRule::CommonPin}));
        EXPECT_EQ(std::string(e.what()).find("11111"), std::string::npos);
    }
    EXPECT_NO_THROW(PinPolicy{}.check("602917"));
}

TEST(PinPolicy, RuleIdsAreStable) {
    EXPECT_EQ(to_string(PinRule::Empty), "Empty");
    EXPECT_EQ(to_string(PinRule::TooShort), "TooShort");
    EXPECT_EQ(to_string(PinRule::TooLong), "TooLong");
    EXPECT_EQ(to_string(PinRule::NotDigits), "NotDigits");
    EXPECT_EQ(to_string(PinRule::RepeatedDigit), "RepeatedDigit");
    EXPECT_EQ(to_string(PinRule::Sequential), "Sequential");
    EXPECT_EQ(to_string(PinRule::RepeatedPattern), "RepeatedPattern");
    EXPECT_EQ(to_string(PinRule::CommonPin), "CommonPin");
    EXPECT_EQ(to_string(PinRule::Blocklisted), "Blocklisted");
    EXPECT_EQ(to_string(PinRule::SameAsCurrent), "SameAsCurrent");
}

TEST(WeakRules, CommonListIsSortedDigitsOfPolicyLengths) {
    const auto& pins = weak::common_pins();
    EXPECT_GE(pins.size(), 100U);
    EXPECT_TRUE(std::is_sorted(pins.begin(), pins.end()));
    for (auto pin : pins) {
        EXPECT_GE(pin.size(), 4U);
        EXPECT_LE(pin.size(), 15U);
        EXPECT_TRUE(std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; }));
    }
}

// Over every six-digit PIN: the weak rules must leave most of the space usable.
TEST(WeakRules, LeaveAlmostAllSixDigitPinsUsable) {
    PinPolicy p;
    int refused = 0;
    char buf[7] = {};
    for (int n = 0; n < 1000000; ++n) {
        std::snprintf(buf, sizeof buf, "%06d", n);
        if (!p.validate(std::string_view(buf, 6)).empty()) ++refused;
    }
    EXPECT_GT(refused, 1000);  // every pair-doubled PIN alone is a thousand
    EXPECT_LT(refused, 5000);  // yet under half a percent of the space
}

TEST(WeakRules, Predicates) {
    EXPECT_FALSE(weak::is_repeated_digit("7"));
    EXPECT_TRUE(weak::is_repeated_digit("77"));
    EXPECT_FALSE(weak::is_sequential("12"));
    EXPECT_TRUE(weak::is_sequential("901"));
    EXPECT_TRUE(weak::is_sequential("109"));
    EXPECT_FALSE(weak::is_sequential("135"));
    EXPECT_FALSE(weak::is_repeated_pattern("121"));
    EXPECT_TRUE(weak::is_repeated_pattern("1212"));
    EXPECT_FALSE(weak::is_repeated_pattern("1111"));
    EXPECT_TRUE(weak::is_repeated_pattern("1122"));
    EXPECT_FALSE(weak::is_repeated_pattern("1112"));
    EXPECT_FALSE(weak::is_repeated_pattern("1221"));
}

}  // namespace
}  // namespace portout
