// A fixture of the layering check, never compiled: the filesystem core is below fs/fuse/ and
// fs/cli/, and only fs/fuse/ speaks to libfuse.
#include <fuse3/fuse_lowlevel.h>

#include "client/http/HttpRemoteStore.h"
#include "fs/FileSystem.h"
#include "fs/fuse/FuseAdapter.h"
