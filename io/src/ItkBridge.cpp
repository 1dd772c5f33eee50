#include "ItkBridge.h"

#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <algorithm>
#include <mutex>

namespace bmsc::io::detail {

void registerItkImageIo() {
    static std::once_flag once;
    std::call_once(once, [] {
        itk::NiftiImageIOFactory::RegisterOneFactory();
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::MetaImageIOFactory::RegisterOneFactory();
        // ITK's warnings ("WARNING: In ./Modules/IO/NIFTI/src/itkNiftiImageIO.cxx, line 1015
        // ... is Analyze file and it's deprecated") are notes for ITK's developers; what a
        // user needs reaches them as an IoError naming the file.
        itk::Object::GlobalWarningDisplayOff();
        // No GDCM: a lone DICOM file goes to the product's DICOM reader (DCMTK), as studies
        // do (readImage). ITK's GDCM reader aborted the process on pydicom's RT dose files
        // (an assertion inside GDCM) and printed GDCM's developer warnings to stderr.
    });
}

Geometry geometryOf(const ItkImage* image) {
    Geometry g;
    const auto region = image->GetLargestPossibleRegion();
    for (unsigned a = 0; a < 3; ++a) {
        g.size[a] = static_cast<std::int64_t>(region.GetSize()[a]);
        g.spacing[a] = image->GetSpacing()[a];
        g.origin[a] = image->GetOrigin()[a];
        for (unsigned c = 0; c < 3; ++c) {
            g.direction[3 * a + c] = image->GetDirection()(a, c);
        }
    }
    return g;
}

void applyGeometry(const Geometry& g, ItkImage* image) {
    ItkImage::RegionType region;
    ItkImage::SpacingType spacing;
    ItkImage::PointType origin;
    ItkImage::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        region.SetSize(a, static_cast<itk::SizeValueType>(g.size[a]));
        region.SetIndex(a, 0);
        spacing[a] = g.spacing[a];
        origin[a] = g.origin[a];
        for (unsigned c = 0; c < 3; ++c) {
            direction(a, c) = g.direction[3 * a + c];
        }
    }
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
}

ItkImage::Pointer toItk(const Volume& volume) {
    auto image = ItkImage::New();
    applyGeometry(volume.geometry(), image);
    image->Allocate();
    std::copy(volume.voxels().begin(), volume.voxels().end(), image->GetBufferPointer());
    return image;
}

Volume fromItk(const ItkImage* image) {
    const Geometry g = geometryOf(image);
    const float* buffer = image->GetBufferPointer();
    return Volume(g, std::vector<float>(buffer, buffer + g.voxelCount()));
}

}  // namespace bmsc::io::detail
