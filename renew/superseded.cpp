#include "renew/superseded.h"

#include <algorithm>
#include <cstdio>

#include "base/text.h"
#include "renew/decide.h"
#include "renew/plan.h"

namespace ndes::renew {
namespace {

std::vector<std::string> list_param(const std::map<std::string, std::string>& params,
                                    const std::string& name) {
  std::vector<std::string> out;
  const auto it = params.find(name);
  if (it == params.end()) {
    return out;
  }
  for (const auto& piece : split(it->second, ',')) {
    if (const std::string item = trim(piece); !item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

std::vector<std::string> new_thumbprints(const std::map<std::string, std::string>& facts) {
  std::vector<std::string> out;
  for (const auto& [name, value] : facts) {
    if (name.starts_with("new_thumbprint.") && !value.empty()) {
      out.push_back(upper(value));
    }
  }
  return out;
}

// By name, or by the v2 template's OID (the model names a v2 template by its OID when
// the name is not known).
bool is_of_template(const Certificate& c, std::string_view template_name) {
  return iequals(c.template_name, template_name) ||
         (!c.template_oid.empty() && c.template_oid == template_name);
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

const Certificate* by_thumbprint(const std::vector<Certificate>& store, const std::string& tp) {
  for (const auto& c : store) {
    if (iequals(c.thumbprint, tp)) {
      return &c;
    }
  }
  return nullptr;
}

RemovalChoice exact(const std::vector<std::string>& thumbprints,
                    const std::vector<Certificate>& store, const std::vector<std::string>& keep) {
  RemovalChoice out;
  for (const auto& t : thumbprints) {
    if (!is_thumbprint(t)) {
      out.error = "not a thumbprint: " + quote(t);
      return out;
    }
    const std::string tp = upper(t);
    if (contains(keep, tp)) {
      out.error = tp + " is the certificate this run just installed: it is kept, not removed";
      return out;
    }
    if (contains(out.remove, tp) || contains(out.absent, tp)) {
      continue;
    }
    (by_thumbprint(store, tp) != nullptr ? out.remove : out.absent).push_back(tp);
  }
  return out;
}

RemovalChoice of_templates(const std::vector<std::string>& templates,
                           const std::vector<Certificate>& store,
                           const std::vector<std::string>& keep) {
  RemovalChoice out;
  if (keep.empty()) {
    out.error =
        "no new certificate (verify_new_cert did not pass): removing every certificate of the "
        "template would leave NDES without one";
    return out;
  }
  for (const auto& t : templates) {
    const bool has_new = std::any_of(keep.begin(), keep.end(), [&](const std::string& tp) {
      const Certificate* c = by_thumbprint(store, tp);
      return c != nullptr && is_of_template(*c, t);
    });
    if (!has_new) {
      out.error = "no new certificate of template " + quote(t) +
                  " is in LocalMachine\\My: its certificates are kept";
      return out;
    }
  }
  for (const auto& c : store) {
    const bool of_template = std::any_of(templates.begin(), templates.end(),
                                         [&](const auto& t) { return is_of_template(c, t); });
    const std::string tp = upper(c.thumbprint);
    if (of_template && !contains(keep, tp) && !contains(out.remove, tp)) {
      out.remove.push_back(tp);
    }
  }
  return out;
}

}  // namespace

RemovalChoice choose_removals(const std::map<std::string, std::string>& params,
                              const std::vector<Certificate>& store,
                              const std::map<std::string, std::string>& facts) {
  const auto thumbprints = list_param(params, "thumbprints");
  const auto templates = list_param(params, "templates");
  RemovalChoice out;
  if (thumbprints.empty() == templates.empty()) {
    out.error = "the step needs either thumbprints or templates (exactly one of them)";
    return out;
  }
  const auto keep = new_thumbprints(facts);
  out =
      thumbprints.empty() ? of_templates(templates, store, keep) : exact(thumbprints, store, keep);
  if (out.error.empty() && out.remove.size() > kMaxRemovals) {
    out.error = std::to_string(out.remove.size()) + " certificates to remove, more than " +
                std::to_string(kMaxRemovals) + ": remove them by hand";
  }
  if (!out.error.empty()) {
    out.remove.clear();
  }
  return out;
}

std::string backup_pfx_path(std::string_view dir, std::string_view thumbprint) {
  return join_path(dir, upper(thumbprint) + ".pfx");
}

std::string backup_password_path(std::string_view dir, std::string_view thumbprint) {
  return backup_pfx_path(dir, thumbprint) + ".password";
}

std::string password_from_random(std::span<const std::uint8_t> random, std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // 256 = 4 * 62 + 8: bytes 248..255 would favour the first 8 characters.
  constexpr unsigned kLimit = 256 - 256 % kAlphabet.size();
  std::string out;
  for (const std::uint8_t b : random) {
    if (out.size() == length) {
      break;
    }
    if (b < kLimit) {
      out += kAlphabet[b % kAlphabet.size()];
    }
  }
  return out;
}

std::string export_failure_advice(std::uint32_t code) {
  // The codes PFXExportCertStoreEx documents for REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY
  // (NTE_BAD_KEY, NTE_BAD_KEY_STATE, NTE_PERM) and REPORT_NO_PRIVATE_KEY
  // (CRYPT_E_NOT_FOUND, NTE_NO_KEY), learn.microsoft.com/windows/win32/api/wincrypt/
  // nf-wincrypt-pfxexportcertstoreex; NTE_BAD_KEYSET when the key container is gone.
  switch (code) {
    case 0x80090003U:  // NTE_BAD_KEY
    case 0x8009000BU:  // NTE_BAD_KEY_STATE
    case 0x80090010U:  // NTE_PERM
      return "its private key is marked non-exportable, so no backup can be made and the hook "
             "removes nothing it cannot put back. Keep a copy another way (the CA's key "
             "archive, or a snapshot of the server), then remove the certificate by hand in "
             "certlm.msc, or run with --no-remove-old-certs";
    case 0x80092004U:  // CRYPT_E_NOT_FOUND
    case 0x8009000DU:  // NTE_NO_KEY
    case 0x80090016U:  // NTE_BAD_KEYSET
      return "the store says it has a private key, but the key cannot be found (its key "
             "container is gone). Check it with certutil -repairstore my <thumbprint>, and "
             "remove the certificate by hand if the key is lost";
    default:
      return "the certificate and its key could not be exported; nothing was removed";
  }
}

}  // namespace ndes::renew
