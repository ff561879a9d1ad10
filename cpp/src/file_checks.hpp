// What the checks on files someone else may have planted (key files, store files and their
// folders) say about a file: its kind and its mode, in words an operator can act on.
#pragma once

#include <sys/stat.h>

#include <cstdio>
#include <string>

namespace portout::files {

inline const char* kind(mode_t mode) noexcept {
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "of an unknown kind";
}

// The permission bits as chmod takes them: "0666".
inline std::string mode_text(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

}  // namespace portout::files
