// A hint to back a large buffer with huge pages.
#pragma once

#include <cstddef>

namespace trailhound {

/// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages
/// where it does so on request (transparent huge pages in `madvise` mode, Debian's default):
/// a buffer about to be filled then costs one page fault per 2 MiB instead of one per 4 KiB,
/// and a fault is dear on a virtual machine. A hint only: ranges holding no whole 2 MiB page
/// are left alone, and a kernel that declines changes nothing but the speed.
void prefer_huge_pages(const void* data, std::size_t bytes) noexcept;

}  // namespace trailhound
