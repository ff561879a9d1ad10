#include <portout/errors.hpp>
#include <portout/identity.hpp>

#include <gtest/gtest.h>

namespace portout {
namespace {

TEST(TenantId, AcceptsGuidsAndDomainLikeNamesInLowerCase) {
    EXPECT_EQ(canonical_tenant_id("contoso"), "contoso");
    EXPECT_EQ(canonical_tenant_id("Contoso.OnMicrosoft.com"), "contoso.onmicrosoft.com");
    EXPECT_EQ(canonical_tenant_id("fabrikam-east.example"), "fabrikam-east.example");
    EXPECT_EQ(canonical_tenant_id("6BA7B810-9DAD-11D1-80B4-00C04FD430C8"),
              "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_EQ(canonical_tenant_id("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"),
              "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_EQ(canonical_tenant_id(std::string(63, 'a')), std::string(63, 'a'));
}

TEST(TenantId, RefusesEverythingElse) {
    for (const std::string& bad :
         {std::string(), std::string(" contoso"), std::string("contoso "), std::string("con toso"),
          std::string("-contoso"), std::string("contoso-"), std::string("contoso..com"),
          std::string(".contoso"), std::string("contoso."), std::string("con_toso"),
          std::string("contoso/../x"), std::string("contoso;drop"), std::string(64, 'a'),
          std::string(254, 'a'), std::string("contoso\0x", 9), std::string("c\xc3\xb6ntoso"),
          std::string("{6ba7b810-9dad-11d1-80b4-00c04fd430c8"), std::string("%s%n")}) {
        try {
            canonical_tenant_id(bad);
            ADD_FAILURE() << "accepted a bad tenant id of " << bad.size() << " bytes";
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "InvalidTenantId");
        }
    }
}

TEST(Country, AssignedAlpha2CodesOnly) {
    EXPECT_EQ(canonical_country("US"), "US");
    EXPECT_EQ(canonical_country("us"), "US");
    EXPECT_EQ(canonical_country("gb"), "GB");
    for (const char* bad : {"", "U", "USA", "XX", "ZZ", "U1", " US", "uk"}) {
        EXPECT_THROW(canonical_country(bad), InvalidArgumentError) << bad;
    }
}

TEST(DisplayName, TextWithoutControlsTrimmed) {
    EXPECT_EQ(canonical_display_name("  Contoso Ltd  "), "Contoso Ltd");
    EXPECT_EQ(canonical_display_name("Société Générale"), "Société Générale");
    EXPECT_EQ(canonical_display_name(std::string(256, 'x')), std::string(256, 'x'));
    for (const std::string& bad : {std::string(), std::string("   "), std::string(257, 'x'),
                                   std::string("a\nb"), std::string("a\0b", 3), std::string("a\x7f"),
                                   std::string("a\xc2\x85"), std::string("\xff\xfe"),
                                   std::string("\xed\xa0\x80")}) {
        EXPECT_THROW(canonical_display_name(bad), InvalidArgumentError);
    }
}

TEST(Utf8, RejectsOverlongSurrogatesAndTruncation) {
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x93\x9e"));
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));
    EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x93"));
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));
}

TEST(Actor, TextOnly) {
    EXPECT_EQ(canonical_actor("alice@contoso.com"), "alice@contoso.com");
    EXPECT_THROW(canonical_actor(""), InvalidArgumentError);
    EXPECT_THROW(canonical_actor(" alice"), InvalidArgumentError);
    EXPECT_THROW(canonical_actor("al\nice"), InvalidArgumentError);
}

}  // namespace
}  // namespace portout

#include <portout/phone_number.hpp>

namespace portout {
namespace {

TEST(PhoneNumber, UsNumbersInAnyCommonFormatBecomeE164) {
    EXPECT_EQ(canonical_us_number("(425) 555-0100"), "+14255550100");
    EXPECT_EQ(canonical_us_number("425.555.0100"), "+14255550100");
    EXPECT_EQ(canonical_us_number("+1 425 555 0100"), "+14255550100");
    EXPECT_EQ(canonical_us_number("1-800-555-0100"), "+18005550100");
}

TEST(PhoneNumber, OthersAreRefusedEachWithItsOwnId) {
    auto id_of = [](const std::string& raw) {
        try {
            canonical_us_number(raw);
        } catch (const InvalidArgumentError& e) {
            return e.error_id();
        }
        return std::string("accepted");
    };
    EXPECT_EQ(id_of(""), "InvalidPhoneNumber");
    EXPECT_EQ(id_of("call me"), "InvalidPhoneNumber");
    EXPECT_EQ(id_of("12"), "InvalidPhoneNumber");
    EXPECT_EQ(id_of("+1 425 555 0100 x12"), "InvalidPhoneNumber");
    EXPECT_EQ(id_of(std::string(100, '5')), "InvalidPhoneNumber");
    EXPECT_EQ(id_of("\xff\xfe"), "InvalidPhoneNumber");
    EXPECT_EQ(id_of("+44 20 7946 0958"), "PhoneNumberNotInUS");
    EXPECT_EQ(id_of("+1 416 555 0199"), "PhoneNumberNotInUS");
}

}  // namespace
}  // namespace portout
