#include <portout/errors.hpp>

#include <utility>

namespace portout {

std::string_view to_string(ErrorCategory category) noexcept {
    switch (category) {
        case ErrorCategory::InvalidArgument: return "InvalidArgument";
        case ErrorCategory::InvalidData: return "InvalidData";
        case ErrorCategory::InvalidOperation: return "InvalidOperation";
        case ErrorCategory::InvalidType: return "InvalidType";
        case ErrorCategory::ObjectNotFound: return "ObjectNotFound";
        case ErrorCategory::PermissionDenied: return "PermissionDenied";
        case ErrorCategory::ResourceExists: return "ResourceExists";
        case ErrorCategory::ResourceUnavailable: return "ResourceUnavailable";
        case ErrorCategory::SecurityError: return "SecurityError";
    }
    return "NotSpecified";
}

Error::Error(ErrorCategory category, std::string error_id, const std::string& message,
             std::string target)
    : std::runtime_error(message),
      category_(category),
      error_id_(std::move(error_id)),
      target_(std::move(target)) {}

}  // namespace portout
