// Values echoed back in messages: quoted, control and non-ASCII bytes escaped, long values cut.
// A message about a bad value must neither carry a megabyte nor break a log line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ks {

inline constexpr size_t kEchoCap = 200;  // bytes of a value that a message shows

// 'value' in single quotes; \n, \t, \\, \' and \xNN for other control, DEL and non-ASCII bytes;
// past `cap` input bytes it ends with "...' (N bytes)".
std::string quote(std::string_view value, size_t cap = kEchoCap);

}  // namespace ks
