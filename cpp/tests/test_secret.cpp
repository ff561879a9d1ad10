#include <portout/secret.hpp>

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>

namespace portout {
namespace {

static_assert(!std::is_copy_constructible_v<Secret>);
static_assert(!std::is_copy_assignable_v<Secret>);
static_assert(std::is_nothrow_move_constructible_v<Secret>);

TEST(Secret, HoldsBytesUntilWiped) {
    Secret s("602917");
    EXPECT_EQ(s.view(), "602917");
    EXPECT_EQ(s.size(), 6U);
    s.wipe();
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.view(), "");
}

TEST(Secret, MovesLeaveTheSourceEmpty) {
    Secret a("602917");
    Secret b(std::move(a));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(b.view(), "602917");
    Secret c;
    c = std::move(b);
    EXPECT_EQ(c.view(), "602917");
}

TEST(Secret, ComparesByContent) {
    EXPECT_TRUE(Secret("602917").equals(Secret("602917")));
    EXPECT_FALSE(Secret("602917").equals(Secret("602918")));
    EXPECT_FALSE(Secret("602917").equals(Secret("6029170")));
    EXPECT_TRUE(Secret().equals(Secret("")));
    EXPECT_TRUE(Secret("602917").clone().equals(Secret("602917")));
}

TEST(Secret, KeepsEmbeddedNul) {
    Secret s(std::string_view("60\0" "917", 6));
    EXPECT_EQ(s.size(), 6U);
}

}  // namespace
}  // namespace portout
