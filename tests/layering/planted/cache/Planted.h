#pragma once
// A fixture of the layering check, never compiled: cache/ may include common/ only.

#include "cache/LocalCache.h"
#include "client/RemoteStore.h"
#include "common/Result.h"
