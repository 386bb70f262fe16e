# GPU tests and benchmark (engineer G). Both skip with a printed reason without a GPU.
.PHONY: check-gpu bench-gpu

check-gpu: gpu-backend $(B)/bin/kubeslurm-gpucheck
	@$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) -m pytest -q -rs -s -p no:cacheprovider tests/gpu

bench-gpu: gpu-backend $(B)/bin/kubeslurm-gpucheck
	@$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) tests/gpu/bench_gpu.py

BENCH_TARGETS += bench-gpu
