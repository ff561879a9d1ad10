// Access on its own: the role's operations, the tenant scope, and store-wide changes.
#include "service/access.hpp"

#include <portout/errors.hpp>

#include <gtest/gtest.h>

namespace portout {
namespace {

TEST(Access, AStoreAdminWithoutScopeMayDoEverything) {
    const Access a(Role::StoreAdmin, {});
    for (int op = 0; op <= static_cast<int>(Operation::Notifications); ++op) {
        EXPECT_FALSE(a.refusal(static_cast<Operation>(op), "").has_value()) << to_string(static_cast<Operation>(op));
        EXPECT_FALSE(a.refusal(static_cast<Operation>(op), "contoso.com").has_value());
    }
}

TEST(Access, TheScopeIsCanonicalSortedAndWithoutDuplicates) {
    const Access a(Role::TelephonyAdmin, {"Fabrikam.COM", "contoso.com", "CONTOSO.com"});
    EXPECT_EQ(a.scope(), (std::vector<std::string>{"contoso.com", "fabrikam.com"}));
    EXPECT_TRUE(a.in_scope("contoso.com"));
    EXPECT_FALSE(a.in_scope("northwind.com"));
    EXPECT_THROW(Access(Role::TelephonyAdmin, {"not a tenant"}), InvalidArgumentError);
}

TEST(Access, ATenantOutsideTheScopeIsRefusedWithTheReason) {
    const Access a(Role::TelephonyAdmin, {"contoso.com"});
    EXPECT_FALSE(a.refusal(Operation::SetPin, "contoso.com").has_value());
    EXPECT_EQ(a.refusal(Operation::SetPin, "fabrikam.com"), "The tenant is outside this session's tenant scope.");
    EXPECT_EQ(a.refusal(Operation::RotateKey, ""), "The role TelephonyAdmin may not perform RotateKey.");
}

TEST(Access, StoreWideChangesNeedASessionWithoutScope) {
    const Access scoped(Role::StoreAdmin, {"contoso.com"});
    for (auto op : {Operation::SetPolicy, Operation::RotateKey, Operation::CreateTenant, Operation::CopyStore}) {
        const auto why = scoped.refusal(op, "");
        ASSERT_TRUE(why.has_value()) << to_string(op);
        EXPECT_NE(why->find("needs a session without a tenant scope"), std::string::npos);
    }
    EXPECT_FALSE(scoped.refusal(Operation::SetPolicy, "contoso.com").has_value());
    const Access telephony(Role::TelephonyAdmin, {});
    EXPECT_EQ(telephony.refusal(Operation::SetPolicy, ""), "Only a StoreAdmin may change the store's default policy.");
}

TEST(Access, RolesParseInAnyCase) {
    EXPECT_EQ(parse_role("telephonyadmin"), Role::TelephonyAdmin);
    EXPECT_EQ(parse_role("AUDITOR"), Role::Auditor);
    EXPECT_EQ(parse_role("Root"), std::nullopt);
    EXPECT_EQ(parse_role(""), std::nullopt);
}

}  // namespace
}  // namespace portout
