#include <portout/secret.hpp>

#include <sodium.h>

#include <atomic>
#include <cstring>
#include <utility>

namespace portout {

Secret::Secret(std::string_view bytes)
    : data_(bytes.empty() ? nullptr : new char[bytes.size()]), size_(bytes.size()) {
    if (size_ != 0) std::memcpy(data_.get(), bytes.data(), size_);
}

Secret::~Secret() { wipe(); }

Secret::Secret(Secret&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        data_ = std::move(other.data_);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

bool Secret::equals(const Secret& other) const noexcept {
    if (size_ != other.size_) return false;
    if (size_ == 0) return true;
    return sodium_memcmp(data_.get(), other.data_.get(), size_) == 0;
}

namespace {
std::atomic<Secret::WipeObserver> wipe_observer{nullptr};
}  // namespace

void Secret::set_wipe_observer(WipeObserver observer) noexcept { wipe_observer.store(observer); }

void Secret::wipe() noexcept {
    if (data_) {
        sodium_memzero(data_.get(), size_);
        if (auto observe = wipe_observer.load()) observe(data_.get(), size_);
    }
    data_.reset();
    size_ = 0;
}

}  // namespace portout
