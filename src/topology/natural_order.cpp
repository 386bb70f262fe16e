#include "topology/natural_order.h"

#include <cctype>

namespace ks::topology {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            size_t ie = i, je = j;
            while (ie < a.size() && a[ie] == '0') ++ie;  // skip leading zeros for the value
            while (je < b.size() && b[je] == '0') ++je;
            size_t ve = ie, we = je;
            while (ve < a.size() && is_digit(a[ve])) ++ve;
            while (we < b.size() && is_digit(b[we])) ++we;
            if (ve - ie != we - je) return ve - ie < we - je;
            auto va = a.substr(ie, ve - ie), vb = b.substr(je, we - je);
            if (va != vb) return va < vb;
            if (ve - i != we - j) return ve - i < we - j;  // fewer leading zeros first
            i = ve;
            j = we;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

}  // namespace ks::topology
