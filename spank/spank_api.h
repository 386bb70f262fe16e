// spank.h declares the slurm_spank_* callbacks outside its own extern "C" block: include it with
// C linkage throughout, so that the callbacks the plugin defines are the C symbols Slurm loads.
#pragma once

extern "C" {
#include <slurm/spank.h>
}
