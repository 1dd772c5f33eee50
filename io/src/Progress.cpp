#include "breastmsc/io/Progress.h"

#include "breastmsc/io/Error.h"

namespace bmsc::io {

void throwIfCancelled(const Progress* progress, const char* path) {
    if (progress != nullptr && progress->cancelled()) {
        throw IoError(ErrorCode::Cancelled, path, "cancelled by the user");
    }
}

}  // namespace bmsc::io
