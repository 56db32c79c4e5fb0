// The removal step of the windows executor (plan.h): remove_superseded reads its step
// (backup_dir, thumbprints or templates), backs up and then removes. Windows only.
#pragma once

// clang-format off
#include <windows.h>
#include <wincrypt.h>
// clang-format on

#include <functional>
#include <optional>
#include <string>

#include "renew/executor.h"

namespace ndes::renew::windows {

// Exports one certificate, with its private key when `with_key`, as a PFX protected by
// `password`. nullopt when it cannot, with *error (for people) and *code (the
// GetLastError code, which export_failure_advice() reads).
using PfxExport = std::function<std::optional<std::string>(PCCERT_CONTEXT cert, bool with_key,
                                                           const std::string& password,
                                                           std::string* error, DWORD* code)>;

// PFXExportCertStoreEx: what remove_superseded uses on Windows. (Wine 8 has it as a
// stub that always fails, so the wine test hands in a stand-in built on CryptExportKey
// and OpenSSL: tests/windows/renew_windows_test.cpp.)
std::optional<std::string> export_pfx(PCCERT_CONTEXT cert, bool with_key,
                                      const std::string& password, std::string* error, DWORD* code);

// Back up (PFX with the private key, password file beside it) and then remove, with
// their keys, the certificates the step names. facts: removed, backups.
StepOutcome remove_superseded(const PlannedStep& step, const RunContext& ctx,
                              const PfxExport& exporter = export_pfx);

}  // namespace ndes::renew::windows
