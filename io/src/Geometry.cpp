#include "breastmsc/io/Geometry.h"

#include "breastmsc/io/Error.h"

#include <cctype>
#include <cmath>
#include <sstream>

namespace bmsc::io {
namespace {

// Inverse of a 3×3 row-major matrix (direction · diag(spacing)); grids are never singular.
Mat3 inverse(const Mat3& m) {
    const double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7],
                 i = m[8];
    const double A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
    const double det = a * A + b * B + c * C;
    const double s = 1.0 / det;
    return {A * s, -(b * i - c * h) * s, (b * f - c * e) * s,
            B * s, (a * i - c * g) * s,  -(a * f - c * d) * s,
            C * s, -(a * h - b * g) * s, (a * e - b * d) * s};
}

}  // namespace

Vec3 Geometry::indexToPhysical(const Vec3& index) const noexcept {
    Vec3 p = origin;
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            p[r] += direction[3 * r + c] * spacing[c] * index[c];
        }
    }
    return p;
}

Vec3 Geometry::physicalToIndex(const Vec3& point) const noexcept {
    Mat3 m{};
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            m[3 * r + c] = direction[3 * r + c] * spacing[c];
        }
    }
    const Mat3 inv = inverse(m);
    const Vec3 d{point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]};
    Vec3 index{};
    for (int r = 0; r < 3; ++r) {
        index[r] = inv[3 * r] * d[0] + inv[3 * r + 1] * d[1] + inv[3 * r + 2] * d[2];
    }
    return index;
}

Index3 Geometry::physicalToNearestIndex(const Vec3& point) const noexcept {
    const Vec3 c = physicalToIndex(point);
    return {static_cast<std::int64_t>(std::llround(c[0])),
            static_cast<std::int64_t>(std::llround(c[1])),
            static_cast<std::int64_t>(std::llround(c[2]))};
}

bool Geometry::sameGrid(const Geometry& other, double tolerance) const noexcept {
    if (size != other.size) {
        return false;
    }
    for (int a = 0; a < 3; ++a) {
        if (std::abs(spacing[a] - other.spacing[a]) > tolerance ||
            std::abs(origin[a] - other.origin[a]) > tolerance) {
            return false;
        }
    }
    for (int e = 0; e < 9; ++e) {
        if (std::abs(direction[e] - other.direction[e]) > tolerance) {
            return false;
        }
    }
    return true;
}

std::string Geometry::describe() const {
    std::ostringstream out;
    out.precision(4);
    out << size[0] << "×" << size[1] << "×" << size[2] << " voxels, spacing " << spacing[0] << "×"
        << spacing[1] << "×" << spacing[2] << " mm, origin (" << origin[0] << ", " << origin[1]
        << ", " << origin[2] << ") mm LPS";
    bool identity = true;
    for (int e = 0; e < 9; ++e) {
        identity = identity && std::abs(direction[e] - ((e % 4 == 0) ? 1.0 : 0.0)) < 1e-6;
    }
    if (!identity) {
        out << ", direction [";
        for (int e = 0; e < 9; ++e) {
            out << (e == 0 ? "" : (e % 3 == 0 ? "; " : " ")) << direction[e];
        }
        out << "]";
    }
    return out.str();
}

Index3 parseGridSize(const std::string& text) {
    Index3 size{0, 0, 0};
    std::size_t axis = 0;
    std::size_t pos = 0;
    while (axis < 3) {
        std::size_t end = pos;
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) {
            ++end;
        }
        if (end == pos || end - pos > 6) {
            break;
        }
        size[axis++] = std::stoll(text.substr(pos, end - pos));
        if (axis < 3) {
            if (end >= text.size() || (text[end] != 'x' && text[end] != 'X')) {
                break;
            }
            pos = end + 1;
        } else if (end != text.size()) {
            axis = 0;  // trailing characters
            break;
        }
    }
    if (axis != 3) {
        throw IoError(ErrorCode::InvalidArgument, {},
                      "'" + text + "' is not a grid size such as 192x192x24");
    }
    return size;
}

}  // namespace bmsc::io
