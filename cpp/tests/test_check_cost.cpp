// What a PIN check costs: one computation at the costliest profile the store's records may be
// under, on every path; a record made under a weaker profile padded to it. Counted, not timed.
#include "service/check_cost.hpp"

#include <portout/service.hpp>
#include "service/worker_pool.hpp"

#include "service_fixture.hpp"

#include <gtest/gtest.h>

namespace portout {
namespace {

using testing_support::ServiceTest;

TEST(CheckCost, TheCostliestProfileInUseIsTheOneEveryCheckPays) {
    EXPECT_EQ(parse_profile_list("interactive,owasp,nonsense,"),
              (std::vector<HashProfile>{HashProfile::Interactive, HashProfile::Owasp}));
    EXPECT_EQ(profile_list({HashProfile::Owasp, HashProfile::Interactive}), "owasp,interactive");
    EXPECT_EQ(costliest_profile(HashProfile::Owasp, {HashProfile::Interactive}), HashProfile::Interactive);
    EXPECT_EQ(costliest_profile(HashProfile::Moderate, {HashProfile::Owasp}), HashProfile::Moderate);
    EXPECT_EQ(costliest_profile(HashProfile::Owasp, {}), HashProfile::Owasp);
}

TEST(CheckCost, ARecordUnderAWeakerProfileIsPaddedToTheCostliest) {
    WorkerPool workers;
    CheckCost cost(HashProfile::Owasp, workers);
    const PinHasher weak(HashProfile::Test);
    const auto encoded = weak.hash("602917");
    // Nothing measured yet: one computation at the costliest runs beside the verification.
    auto before = argon2_computations();
    EXPECT_TRUE(cost.verify(encoded.view(), "602917"));
    EXPECT_EQ(argon2_computations() - before, 2U);
    // From then on the verification alone, waiting out the time the costliest takes here.
    before = argon2_computations();
    EXPECT_FALSE(cost.verify(encoded.view(), "602918"));
    EXPECT_EQ(argon2_computations() - before, 1U);
    // A refusal and a record at the costliest profile: one computation each, no padding.
    before = argon2_computations();
    EXPECT_FALSE(cost.refuse("602917"));
    const PinHasher costliest(HashProfile::Owasp);
    const auto strong = costliest.hash("602917");
    before = argon2_computations();
    EXPECT_TRUE(cost.verify(strong.view(), "602917"));
    EXPECT_FALSE(cost.verify(strong.view(), "000000"));
    EXPECT_EQ(argon2_computations() - before, 2U);
}

// A StoreAdmin's change of profile keeps the profile before it in the store's list: sessions
// opened after it still pay the costliest, the old one, on every check.
TEST_F(ServiceTest, AProfileChangeKeepsTheOlderProfileInUse) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    EXPECT_EQ(column("SELECT value FROM meta WHERE name = 'hash_profiles'"), "test");
    {
        auto s = open(HashProfile::Owasp);
        EXPECT_TRUE(s->check_pin("contoso", "602917"));  // rehashed under owasp
    }
    EXPECT_EQ(column("SELECT value FROM meta WHERE name = 'hash_profiles'"), "test,owasp");
    ServiceOptions o;  // the store's own profile, as a carrier's session takes it
    o.role = Role::Carrier;
    o.actor = "carrier@example";
    o.allow_test_profile = true;
    auto carrier = PortOutService::open(SqliteStore::open(db), key_path, o);
    EXPECT_EQ(carrier->profile(), HashProfile::Owasp);
    const auto before = argon2_computations();
    auto order = carrier->submit_order("nobody", {"+1 425 555 0100"}, "602917", "Fabrikam Telecom", std::nullopt);
    EXPECT_EQ(order.reason, "PinNotAccepted");
    EXPECT_EQ(argon2_computations() - before, 1U) << "a refusal is one computation";
}

}  // namespace
}  // namespace portout
