// PINs people choose most often, drawn from published studies of 4- and 6-digit PIN choice
// (top-of-list PINs, keypad shapes, famous numbers) and their usual
// longer extensions. Entries that another weak rule already catches are kept too: a PIN can fail
// several rules, and each is reported.
#include <portout/pin_policy.hpp>

#include <algorithm>

namespace portout::weak {

namespace {

constexpr std::string_view kCommonPins[] = {
    // Four digits.
    "0000", "0007", "0069", "0852", "1004", "1010", "1111", "1122", "1212", "1234", "1313",
    "1357", "1369", "1590", "1998", "1999", "2000", "2001", "2222", "2468", "2580", "3333",
    "4321", "4444", "5555", "5683", "6666", "6969", "7777", "8888", "9999",
    // Five digits.
    "12345", "54321", "11111", "13579", "25800", "14789", "55555",
    // Six digits.
    "000000", "000123", "007007", "010203", "012345", "080808", "098765", "100000", "100200",
    "101010", "102030", "111111", "112233", "112358", "121212", "121314", "123000", "123123",
    "123321", "123454", "123455", "123456", "123457", "123465", "123654", "123789", "124578",
    "131313", "131420", "135790", "135791", "142536", "142857", "143143", "147147", "147258",
    "147369", "147852", "147963", "159159", "159357", "159753", "159951", "200000", "222222",
    "246810", "258258", "258456", "258852", "271828", "314159", "321321", "321654", "333333",
    "357159", "369147", "369258", "369369", "369852", "420420", "444444", "456123", "456456",
    "456789", "520131", "520520", "543210", "555555", "654321", "654987", "666666", "696969",
    "741852", "741963", "753951", "777777", "789123", "789456", "789654", "789789", "852258",
    "852456", "852963", "888888", "951753", "963852", "987123", "987654", "999000", "999999",
    // Seven digits.
    "1234567", "1314520", "2580258", "5201314", "7654321", "8675309",
    // Eight digits.
    "11223344", "11235813", "12121212", "12341234", "12344321", "12345678", "20202020",
    "24682468", "31415926", "87654321", "88888888",
    // Nine digits.
    "123456789", "147258369", "741852963", "963852741", "987654321",
    // Ten digits.
    "0123456789", "0987654321", "1029384756", "1122334455", "1123581321", "1234567890",
    "1357924680", "2718281828", "3141592653", "9876543210",
};

}  // namespace

const std::vector<std::string_view>& common_pins() {
    static const std::vector<std::string_view> sorted = [] {
        std::vector<std::string_view> pins(std::begin(kCommonPins), std::end(kCommonPins));
        std::sort(pins.begin(), pins.end());
        pins.erase(std::unique(pins.begin(), pins.end()), pins.end());
        return pins;
    }();
    return sorted;
}

bool is_common(std::string_view digits) {
    const auto& pins = common_pins();
    return std::binary_search(pins.begin(), pins.end(), digits);
}

}  // namespace portout::weak
