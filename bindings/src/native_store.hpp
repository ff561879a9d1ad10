// What every binding of the store session shares: the session object Python holds, call()
// (arguments converted with the GIL held, the service called with it released), and the
// converters of its arguments. bind_store.cpp binds the store's operations, bind_server.cpp
// those of its server (who signs in, what it delivers).
#pragma once

#include "bindings.hpp"

#include <portout/errors.hpp>
#include <portout/service.hpp>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace portout::bindings {

using release = py::gil_scoped_release;

// A Python progress callback (done, total, stage), called with the GIL (pybind11's function
// caster takes it), as the core's hook.
using PythonProgress = std::function<void(std::int64_t, std::int64_t, const std::string&)>;

inline ProgressHook hook_of(PythonProgress progress) {
    if (!progress) return {};
    return [progress = std::move(progress)](const Progress& p) { progress(p.done, p.total, p.stage); };
}

// Owns the service; `close()` lets go of it while calls already running keep their reference.
class NativeStore {
public:
    NativeStore(std::shared_ptr<PortOutService> service, std::string path, std::string key_path)
        : service_(std::move(service)), path_(std::move(path)), key_path_(std::move(key_path)) {}

    std::shared_ptr<PortOutService> get() const {
        std::lock_guard lock(mutex_);
        if (!service_) {
            throw InvalidOperationError("StoreClosed", "The store session is closed.", path_);
        }
        return service_;
    }
    void close() {
        std::shared_ptr<PortOutService> last;
        {
            std::lock_guard lock(mutex_);
            last = std::move(service_);
        }
        release unlocked;
        last.reset();
    }
    bool closed() const {
        std::lock_guard lock(mutex_);
        return !service_;
    }
    const std::string& path() const { return path_; }
    const std::string& key_path() const { return key_path_; }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<PortOutService> service_;
    std::string path_;
    std::string key_path_;
};

inline HashProfile profile_from_python(py::handle value) {
    const auto name = text_from_python(value, "hash profile");
    if (auto p = parse_hash_profile(name)) return *p;
    throw InvalidArgumentError("UnknownHashProfile",
                               "The hash profile must be one of test, owasp, interactive, "
                               "moderate or sensitive.");
}

inline std::optional<int> optional_int(py::handle v, const char* name) {
    if (v.is_none()) return std::nullopt;
    return int_from_python(v, name);
}

// Runs `op(service, converted...)` with the GIL released. The order is that of every binding
// before: the service is taken first (a closed session refuses before any argument is looked
// at), then each argument converter runs, left to right, with the GIL held; `op` sees only the
// C++ values they made. The result is converted to Python once the GIL is taken back.
template <class Op, class... Convert>
inline auto call(const NativeStore& self, Op op, Convert... convert) {
    const auto service = self.get();
    std::tuple<decltype(convert())...> args{convert()...};  // braces: evaluated left to right
    release unlocked;
    return std::apply([&](auto&... a) { return std::invoke(op, *service, a...); }, args);
}

// Argument converters for call(): each converts one Python argument when called.
inline auto as_text(py::handle v, const char* name) {
    return [v, name] { return text_from_python(v, name); };
}
inline auto as_optional_text(py::handle v, const char* name) {
    return [v, name] { return optional_text_from_python(v, name); };
}
inline auto as_tenant(py::handle v) { return as_text(v, "tenant id"); }
inline auto as_optional_tenant(py::handle v) { return as_optional_text(v, "tenant id"); }
// A PIN, kept as a Secret and handed to the service as the view it takes.
struct PinArg {
    Secret secret;
    operator std::string_view() const noexcept { return secret.view(); }
};
inline auto as_pin(py::handle v) {
    return [v] { return PinArg{pin_from_python(v)}; };
}
inline auto as_bool(py::handle v, const char* name) {
    return [v, name] { return bool_from_python(v, name); };
}
inline auto as_datetime(py::handle v, const char* name) {
    return [v, name] { return millis_from_datetime(v, name); };
}
// Longer than any password the rules allow (128 characters of up to 4 bytes), so that one
// too long is told PasswordTooLong, not taken for none.
inline constexpr std::size_t kPasswordArgumentLimit = 1024;
// How the server's sender retries: attempts, and durations (timedeltas or seconds).
inline DeliveryPolicy delivery_policy(py::handle max_attempts, py::handle first_retry, py::handle max_retry,
                               py::handle lease) {
    DeliveryPolicy p;
    p.max_attempts = int_from_python(max_attempts, "max attempts");
    p.first_retry_ms = millis_from_duration(first_retry, "first retry");
    p.max_retry_ms = millis_from_duration(max_retry, "max retry");
    p.lease_ms = millis_from_duration(lease, "lease");
    return p;
}
// A page size: at least one.
inline std::size_t page_size(py::handle limit) {
    return static_cast<std::size_t>(std::max(int_from_python(limit, "limit"), 1));
}
inline auto as_limit(py::handle v) {
    return [v] { return page_size(v); };
}
// A count that must be at least one.
inline auto as_count(py::handle v, const char* name) {
    return [v, name] {
        const auto n = int_from_python(v, name);
        if (n < 1) {
            throw InvalidArgumentError("SettingOutOfRange", std::string("The ") + name + " must be at least 1.");
        }
        return static_cast<std::size_t>(n);
    };
}

// A collection of str (a str alone is one), each converted; `what` names them in the error.
inline std::vector<std::string> text_list(py::handle values, const char* what, std::size_t cap) {
    std::vector<std::string> list;
    if (PyUnicode_Check(values.ptr())) {
        list.push_back(text_from_python(values, what));
    } else if (py::isinstance<py::iterable>(values)) {
        for (auto n : py::reinterpret_borrow<py::iterable>(values)) {
            list.push_back(text_from_python(n, what));
            if (list.size() > cap) break;  // refused by the service, by count
        }
    } else {
        throw InvalidTypeError("ParameterNotString",
                               std::string("The ") + what + "s must be a str or a collection of str.");
    }
    return list;
}

inline std::string text_or_empty(py::handle v, const char* name) {
    return v.is_none() ? std::string() : text_from_python(v, name);
}

// The server's methods of NativeStore (bind_server.cpp).
void init_server_methods(py::class_<NativeStore>& cls);

}  // namespace portout::bindings
