# src/health: checker framework (libks-health). The checker program and the unit tests link it.
kubeslurm-gpucheck_MODULES := health
unit_health_MODULES := health
