//===- EmbeddedFiles.h - runtime sources carried by swin-compile -*- C++ -*-===//
#ifndef SWIN_SUPPORT_EMBEDDEDFILES_H
#define SWIN_SUPPORT_EMBEDDEDFILES_H

#include <string>
#include <vector>

namespace swin {

struct EmbeddedFile {
  std::string path; // relative to the generated source folder
  std::string text;
};

/// libswinrt's sources (runtime/), as swin-compile writes them beside
/// model.cu.
std::vector<EmbeddedFile> runtimeFiles();

} // namespace swin

#endif // SWIN_SUPPORT_EMBEDDEDFILES_H
