// Thin wrappers over libslurm's public job and reservation API (slurm.h) for the jobs kubeslurm
// runs itself: submit a batch job, read its state, cancel it; create and delete a maintenance
// reservation. Errors are values carrying Slurm's own error text; nothing throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::slurm {

struct BatchJob {
    std::string name;
    std::string script;        // "#!/bin/sh\n..." (built by kubeslurm, never from user input)
    std::string node;          // the one node it must run on
    std::string reservation;   // "" = none
    std::string partition;     // "" = Slurm's default partition
    int time_limit_min = 5;
    std::vector<std::string> spank_env;  // job control variables, "SPANK_NAME=value"
};

// Submits as the calling user (root or SlurmUser), output to /dev/null. Value: the job id.
Result<uint32_t> submit(const BatchJob& job);

struct JobState {
    std::string state;   // Slurm's base state name: PENDING, RUNNING, COMPLETED, FAILED, ...
    bool finished = false;  // no longer pending or running, and not being requeued
    int exit_code = 0;   // the batch script's exit status when finished
};
// nullopt when slurmctld no longer knows the job.
Result<std::optional<JobState>> job_state(uint32_t job_id);
// Jobs not yet finished that run or wait in reservation `name`.
Result<std::vector<uint32_t>> jobs_in_reservation(const std::string& name);
// SIGKILL to the whole job (a pending job is cancelled). A job already gone is no error.
Status cancel(uint32_t job_id);

// A MAINT reservation of `node` for `user` starting now: only that user's jobs in it may run
// there, and IGNORE_JOBS lets it be made while a job still ends on the node.
Status create_reservation(const std::string& name, const std::string& node, const std::string& user,
                          int duration_min);
// A reservation already gone is no error.
Status delete_reservation(const std::string& name);
// Names and node lists of the reservations whose name starts with `prefix`.
struct Reservation {
    std::string name, nodes;
};
Result<std::vector<Reservation>> reservations(const std::string& prefix);

}  // namespace ks::slurm
