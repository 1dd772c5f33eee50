#include "breastmsc/io/Resample.h"

#include "ItkBridge.h"

#include <itkIdentityTransform.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

namespace bmsc::io {

Volume resampleToGrid(const Volume& source, const Geometry& target, Interpolation interpolation,
                      float outside) {
    using detail::ItkImage;
    auto input = detail::toItk(source);
    auto reference = ItkImage::New();
    detail::applyGeometry(target, reference);

    using Filter = itk::ResampleImageFilter<ItkImage, ItkImage, double>;
    auto filter = Filter::New();
    filter->SetInput(input);
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    if (interpolation == Interpolation::Nearest) {
        filter->SetInterpolator(
            itk::NearestNeighborInterpolateImageFunction<ItkImage, double>::New());
    } else {
        filter->SetInterpolator(itk::LinearInterpolateImageFunction<ItkImage, double>::New());
    }
    filter->SetDefaultPixelValue(outside);
    filter->SetOutputParametersFromImage(reference);
    filter->Update();
    return detail::fromItk(filter->GetOutput());
}

}  // namespace bmsc::io
