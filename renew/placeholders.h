// The `command` executor's argv template: {thumbprint}, {template}, {role}, {instance}
// and {id} are replaced, as a whole argument or inside one, by the validated values of
// one renewal. No shell ever sees the result: each element stays one argv element. Pure.
#pragma once

#include <string>
#include <vector>

#include "renew/decide.h"

namespace ndes::renew {

// The placeholder names, without braces.
const std::vector<std::string>& placeholder_names();

// "" when every "{name}" in the template is a known placeholder (other braces, such
// as "{}" or "{\"a\":1}", are literal text); else why not.
std::string check_argv_template(const std::vector<std::string>& argv);

// Substitutes one renewal's values. `id` is the renewal id ("r12"). Throws
// std::invalid_argument if a value is not of the validated form (defence in depth:
// decide() already made sure) or the template has an unknown placeholder.
std::vector<std::string> substitute_placeholders(const std::vector<std::string>& argv,
                                                 const RenewTarget& target, const std::string& id);

}  // namespace ndes::renew
