# kubeslurm-topo: import / show / explain the cluster topology.
kubeslurm-topo_MODULES := topology placement slurm
