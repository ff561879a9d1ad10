// The one error hierarchy of portout. Every error carries a stable id, a category and a target,
// the three parts PowerShell puts in a fully qualified error record. No message ever holds a PIN.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// The categories follow PowerShell's ErrorCategory names, so the cmdlet layer can report them as is.
enum class ErrorCategory {
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidType,
    ObjectNotFound,
    PermissionDenied,
    ResourceExists,
    ResourceUnavailable,
    SecurityError,
};

std::string_view to_string(ErrorCategory category) noexcept;

class Error : public std::runtime_error {
public:
    Error(ErrorCategory category, std::string error_id, const std::string& message,
          std::string target = {});

    ErrorCategory category() const noexcept { return category_; }
    // The id part of PowerShell's FullyQualifiedErrorId, e.g. "PinPolicyViolation".
    const std::string& error_id() const noexcept { return error_id_; }
    // What the operation was acting on (a tenant id, a file path); empty when nothing applies.
    const std::string& target() const noexcept { return target_; }

private:
    ErrorCategory category_;
    std::string error_id_;
    std::string target_;
};

// One leaf per category, so C++ callers can catch as broadly or narrowly as Python callers.
#define PORTOUT_DECLARE_ERROR(Name, Category)                                                  \
    class Name : public Error {                                                                \
    public:                                                                                    \
        Name(std::string error_id, const std::string& message, std::string target = {})        \
            : Error(ErrorCategory::Category, std::move(error_id), message, std::move(target)) {} \
    };

PORTOUT_DECLARE_ERROR(InvalidArgumentError, InvalidArgument)
PORTOUT_DECLARE_ERROR(InvalidDataError, InvalidData)
PORTOUT_DECLARE_ERROR(InvalidOperationError, InvalidOperation)
PORTOUT_DECLARE_ERROR(InvalidTypeError, InvalidType)
PORTOUT_DECLARE_ERROR(ObjectNotFoundError, ObjectNotFound)
PORTOUT_DECLARE_ERROR(PermissionDeniedError, PermissionDenied)
PORTOUT_DECLARE_ERROR(ResourceExistsError, ResourceExists)
PORTOUT_DECLARE_ERROR(ResourceUnavailableError, ResourceUnavailable)
PORTOUT_DECLARE_ERROR(SecurityError, SecurityError)

#undef PORTOUT_DECLARE_ERROR

}  // namespace portout
