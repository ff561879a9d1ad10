// libFuzzer: any bytes as a sealed PIN record. Only a record this key sealed for this tenant
// opens; everything else is InvalidDataError.
#include <portout/crypto.hpp>
#include <portout/errors.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const portout::StoreKey key = portout::StoreKey::generate();
    static const portout::RecordCipher cipher(key, portout::kPurposePinRecord);
    const std::string_view blob(reinterpret_cast<const char*>(data), size);
    try {
        cipher.open(blob, "portout pin record\ncontoso.example");
        std::abort();  // forging a record would be a break of XChaCha20-Poly1305
    } catch (const portout::InvalidDataError&) {
    }
    return 0;
}
