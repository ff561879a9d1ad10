// A buffer for a PIN or a key: wiped with sodium_memzero when it dies, never printed, never copied
// by accident.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace portout {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string_view bytes);
    ~Secret();

    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&& other) noexcept;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;

    // An explicit copy, so that every duplicate of a secret is visible in the code.
    Secret clone() const { return Secret(view()); }

    std::string_view view() const noexcept { return {data_.get(), size_}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    // Constant-time comparison (sodium_memcmp); secrets of different lengths are unequal.
    bool equals(const Secret& other) const noexcept;

    // Wipes the bytes now; the secret is empty afterwards.
    void wipe() noexcept;

    // For tests: called with each buffer just after it is wiped and just before it is freed, so
    // a test can see that freed secrets hold only zeros. Null (the default) for none.
    using WipeObserver = void (*)(const char* data, std::size_t size) noexcept;
    static void set_wipe_observer(WipeObserver observer) noexcept;

private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
};

}  // namespace portout
