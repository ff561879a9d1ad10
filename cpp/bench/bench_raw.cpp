// The baselines portout is measured against, in the same run: libsodium's Argon2id verification
// alone (no store, no Python), on one thread and on two.
#include <benchmark/benchmark.h>

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <string>

namespace {

std::string hash_at(unsigned long long ops, std::size_t mem) {
    std::array<char, crypto_pwhash_argon2id_STRBYTES> out{};
    if (crypto_pwhash_argon2id_str(out.data(), "602917", 6, ops, mem) != 0) std::abort();
    return out.data();
}

void verify(benchmark::State& state, std::size_t mem) {
    static const std::string interactive = hash_at(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
    static const std::string owasp = hash_at(2, 19 * 1024 * 1024);
    const std::string& stored = mem == 19 * 1024 * 1024 ? owasp : interactive;
    for (auto _ : state) {
        const int rc = crypto_pwhash_argon2id_str_verify(stored.c_str(), "000001", 6);
        benchmark::DoNotOptimize(rc);
    }
}

void BM_RawVerifyInteractive(benchmark::State& state) { verify(state, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE); }
void BM_RawVerify19MiB(benchmark::State& state) { verify(state, 19 * 1024 * 1024); }

}  // namespace

BENCHMARK(BM_RawVerifyInteractive)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK(BM_RawVerify19MiB)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);

int main(int argc, char** argv) {
    if (sodium_init() < 0) return 1;
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
