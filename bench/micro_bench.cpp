// Micro benchmarks of the functional core: parsing one certificate as DER, PEM and
// PKCS#12, classifying it, and the metric families for N certificates built and
// serialized. Run: build/bin/ndes_bench_micro (Google Benchmark flags apply).
#include <benchmark/benchmark.h>

#include <ctime>
#include <string>
#include <vector>

#include "bench_pki.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"
#include "ndes/collect/records.h"
#include "ndes/metrics/families.h"

namespace {

using ndes::bench::BenchPki;

const BenchPki& pki() {
  static const BenchPki instance;
  return instance;
}

std::int64_t now() {
  static const std::int64_t t = std::time(nullptr);
  return t;
}

// An RA encryption certificate (profile cep): Microsoft template name, EKU, CDP.
const ndes::bench::Cert& sample_cert() {
  static const ndes::bench::Cert cert = pki().issue(4, now());
  return cert;
}

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

void parse(benchmark::State& state, const std::vector<std::uint8_t>& bytes, const char* name,
           const ndes::ParseOptions& options) {
  for (auto _ : state) {
    auto result = ndes::parse_certificates(bytes, name, options);
    if (result.certificates.empty()) {
      state.SkipWithError("nothing parsed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

void BM_ParseDer(benchmark::State& state) {
  parse(state, ndes::bench::to_der(sample_cert().get()), "ra.cer", {});
}
BENCHMARK(BM_ParseDer);

void BM_ParsePem(benchmark::State& state) {
  parse(state, bytes_of(ndes::bench::to_pem(sample_cert().get())), "ra.pem", {});
}
BENCHMARK(BM_ParsePem);

void BM_ParsePfx(benchmark::State& state) {
  ndes::ParseOptions options;
  options.pkcs12_passphrase = "bench-passphrase";
  parse(state, pki().pfx(sample_cert().get(), 4, "bench-passphrase"), "ra.pfx", options);
}
BENCHMARK(BM_ParsePfx);

void BM_Classify(benchmark::State& state) {
  const auto parsed = ndes::parse_certificates(ndes::bench::to_der(sample_cert().get()), "ra.cer");
  const ndes::Certificate& cert = parsed.certificates.at(0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ndes::classify(cert));
  }
}
BENCHMARK(BM_Classify);

// One files-collector result with n certificates of every profile.
ndes::CollectorResult result_with(std::size_t n) {
  ndes::CollectorResult result;
  result.collector = "files";
  result.sources = {"/etc/ndes/certs"};
  for (std::size_t i = 0; i < n; ++i) {
    const auto cert = pki().issue(i, now());
    auto parsed = ndes::parse_certificates(ndes::bench::to_der(cert.get()), "c.cer");
    ndes::CertificateRecord rec;
    rec.origin = {"files", "/etc/ndes/certs", "/etc/ndes/certs/" + std::to_string(i) + ".cer"};
    rec.role = ndes::classify(parsed.certificates.at(0));
    rec.cert = std::move(parsed.certificates.at(0));
    result.certificates.push_back(std::move(rec));
  }
  return result;
}

void BM_ToFamilies(benchmark::State& state) {
  const std::vector<ndes::CollectorResult> results = {
      result_with(static_cast<std::size_t>(state.range(0)))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ndes::to_families(results, now()));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ToFamilies)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Serialize(benchmark::State& state) {
  const std::vector<ndes::CollectorResult> results = {
      result_with(static_cast<std::size_t>(state.range(0)))};
  const auto families = ndes::to_families(results, now());
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = ndes::serialize(families);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Serialize)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
