#include <portout/secret.hpp>

#include <gtest/gtest.h>

#include <atomic>
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

// What the observer saw: how many buffers, and whether any held a non-zero byte.
std::atomic<int> wiped{0};
std::atomic<bool> dirty{false};

void observe(const char* data, std::size_t size) noexcept {
    wiped.fetch_add(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] != 0) dirty.store(true);
    }
}

TEST(Secret, EveryBufferIsZeroBeforeItIsFreed) {
    Secret::set_wipe_observer(observe);
    wiped = 0;
    dirty = false;
    {
        Secret a("602917");
        Secret b = a.clone();
        Secret c(std::move(b));
        c = Secret("481605");  // the old buffer of c is wiped on assignment
        a.wipe();
    }
    Secret::set_wipe_observer(nullptr);
    EXPECT_EQ(wiped.load(), 3);  // "602917" twice (a, and the clone moved into c), "481605" once
    EXPECT_FALSE(dirty.load());
}

TEST(Secret, KeepsEmbeddedNul) {
    Secret s(std::string_view("60\0" "917", 6));
    EXPECT_EQ(s.size(), 6U);
}

}  // namespace
}  // namespace portout
