// libFuzzer: any bytes as a key file (mode 0600). Either a key or a typed error, never a crash.
#include <portout/crypto.hpp>
#include <portout/errors.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/portout-fuzz-key-" + std::to_string(::getpid());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return 0;
    if (size && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
        ::close(fd);
        return 0;
    }
    ::close(fd);
    try {
        const auto key = portout::StoreKey::load(path);
        if (size != portout::StoreKey::kSize || key.key_id().size() != 16) std::abort();
    } catch (const portout::Error&) {
    }
    return 0;
}
