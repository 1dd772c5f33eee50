#pragma once
// Private: conversions between the public Volume and ITK images. Not installed.

#include "breastmsc/io/Volume.h"

#include <itkImage.h>

namespace bmsc::io::detail {

using ItkImage = itk::Image<float, 3>;

/// Registers the ITK image IO factories the product uses (NIfTI, NRRD, Meta, GDCM) once.
/// Explicit registration keeps ITK's CMake module machinery out of the build.
void registerItkImageIo();

ItkImage::Pointer toItk(const Volume& volume);  ///< copies
Volume fromItk(const ItkImage* image);          ///< copies
Geometry geometryOf(const ItkImage* image);
void applyGeometry(const Geometry& geometry, ItkImage* image);  ///< sets region and geometry

}  // namespace bmsc::io::detail
