// Forwards to the one copy in base/win/utf16.h. Only renew/process_windows.cpp
// still includes this; when it moves to base/ it includes base/win/utf16.h (and
// base/win/handles.h for its Handle) and this file goes.
#pragma once

#include "base/win/utf16.h"

namespace ndes::renew {

using win::narrow;
using win::widen;

}  // namespace ndes::renew
