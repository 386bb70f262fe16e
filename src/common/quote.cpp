#include "common/quote.h"

#include <cstdio>

namespace ks {

std::string quote(std::string_view value, size_t cap) {
    std::string out = "'";
    const size_t shown = value.size() > cap ? cap : value.size();
    for (size_t i = 0; i < shown; ++i) {
        const unsigned char c = static_cast<unsigned char>(value[i]);
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\\': out += "\\\\"; break;
            case '\'': out += "\\'"; break;
            default:
                if (c < 0x20 || c >= 0x7f) {
                    char buf[5];
                    std::snprintf(buf, sizeof buf, "\\x%02x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    if (shown < value.size()) return out + "...' (" + std::to_string(value.size()) + " bytes)";
    return out + "'";
}

}  // namespace ks
