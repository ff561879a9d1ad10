#include <portout/errors.hpp>
#include <portout/pin_policy.hpp>

#include <gtest/gtest.h>

namespace portout {
namespace {

TEST(Errors, CarryIdCategoryTargetAndMessage) {
    try {
        throw ObjectNotFoundError("TenantNotFound", "No tenant has that id.", "contoso.com");
    } catch (const Error& e) {
        EXPECT_EQ(e.error_id(), "TenantNotFound");
        EXPECT_EQ(e.category(), ErrorCategory::ObjectNotFound);
        EXPECT_EQ(e.target(), "contoso.com");
        EXPECT_STREQ(e.what(), "No tenant has that id.");
    }
}

TEST(Errors, EachLeafHasItsCategory) {
    EXPECT_EQ(InvalidArgumentError("x", "m").category(), ErrorCategory::InvalidArgument);
    EXPECT_EQ(InvalidDataError("x", "m").category(), ErrorCategory::InvalidData);
    EXPECT_EQ(InvalidOperationError("x", "m").category(), ErrorCategory::InvalidOperation);
    EXPECT_EQ(InvalidTypeError("x", "m").category(), ErrorCategory::InvalidType);
    EXPECT_EQ(ObjectNotFoundError("x", "m").category(), ErrorCategory::ObjectNotFound);
    EXPECT_EQ(PermissionDeniedError("x", "m").category(), ErrorCategory::PermissionDenied);
    EXPECT_EQ(ResourceExistsError("x", "m").category(), ErrorCategory::ResourceExists);
    EXPECT_EQ(ResourceUnavailableError("x", "m").category(), ErrorCategory::ResourceUnavailable);
    EXPECT_EQ(SecurityError("x", "m").category(), ErrorCategory::SecurityError);
}

TEST(Errors, CategoryNamesArePowerShells) {
    EXPECT_EQ(to_string(ErrorCategory::InvalidArgument), "InvalidArgument");
    EXPECT_EQ(to_string(ErrorCategory::PermissionDenied), "PermissionDenied");
    EXPECT_EQ(to_string(ErrorCategory::ObjectNotFound), "ObjectNotFound");
    EXPECT_EQ(to_string(ErrorCategory::ResourceUnavailable), "ResourceUnavailable");
    EXPECT_EQ(to_string(ErrorCategory::InvalidOperation), "InvalidOperation");
}

TEST(Errors, PolicyErrorIsAnInvalidArgument) {
    try {
        PinPolicy{}.check("");
    } catch (const InvalidArgumentError& e) {
        EXPECT_EQ(e.error_id(), "PinPolicyViolation");
        return;
    }
    FAIL() << "blank PIN accepted";
}

}  // namespace
}  // namespace portout
