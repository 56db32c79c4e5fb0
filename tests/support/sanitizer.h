// Whether this build runs under AddressSanitizer (-DNDES_SANITIZE=address,undefined,
// tests/sanitize/run-asan-tests.sh). Instrumented binaries run several times slower
// and keep freed memory in a quarantine for a while, so the few tests whose bounds
// are time windows or RSS growth scale them here, and only here: a normal build
// keeps every bound as it is.
#pragma once

namespace ndes::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// How much longer a time window must be under ASan. Measured: ndes_renew_hook
// answers /healthz 70 ms after it is started, 280 ms in the ASan + UBSan build
// with detect_stack_use_after_return; 5 leaves room on a loaded machine.
inline constexpr int kSlowdown = kSanitized ? 5 : 1;

}  // namespace ndes::test
