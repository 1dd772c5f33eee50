#include "breastmsc/ml/TensorConversion.h"

#include "breastmsc/io/Error.h"

#include <torch/torch.h>

namespace bmsc::ml {

torch::Tensor toTensor(std::span<const io::Volume> channels) {
    if (channels.empty()) {
        throw io::IoError(io::ErrorCode::InvalidArgument, {}, "no channels to stack");
    }
    const auto& g = channels.front().geometry();
    auto out =
        torch::empty({static_cast<std::int64_t>(channels.size()), g.size[0], g.size[1], g.size[2]},
                     torch::kFloat32);
    for (std::size_t c = 0; c < channels.size(); ++c) {
        if (channels[c].geometry().size != g.size) {
            throw io::IoError(io::ErrorCode::GeometryMismatch, {},
                              "channels to stack differ in size");
        }
        // The volume's memory is a C-order (Z, Y, X) array; permute to (X, Y, Z).
        auto zyx = torch::from_blob(const_cast<float*>(channels[c].voxels().data()),
                                    {g.size[2], g.size[1], g.size[0]}, torch::kFloat32);
        out[static_cast<std::int64_t>(c)].copy_(zyx.permute({2, 1, 0}));
    }
    return out;
}

io::Volume toVolume(const torch::Tensor& xyz, const io::Geometry& geometry) {
    if (xyz.dim() != 3 || xyz.size(0) != geometry.size[0] || xyz.size(1) != geometry.size[1] ||
        xyz.size(2) != geometry.size[2]) {
        throw io::IoError(io::ErrorCode::InvalidArgument, {},
                          "tensor shape does not match the grid " + geometry.describe());
    }
    const auto zyx = xyz.to(torch::kCPU, torch::kFloat32).permute({2, 1, 0}).contiguous();
    const float* p = zyx.data_ptr<float>();
    return io::Volume(geometry, std::vector<float>(p, p + geometry.voxelCount()));
}

}  // namespace bmsc::ml
