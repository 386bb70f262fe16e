// A small world of Slurm and Kubernetes nodes for the reconcile rule tests.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sync/reconcile.h"

namespace ks::sync::test {

struct World {
    std::map<std::string, SlurmNode> slurm;
    std::map<std::string, KubeNode> kube;
    Options options;
    std::set<std::string> checking;  // Slurm nodes under a return-to-service check

    KubeNode& k(const std::string& name) {
        auto& n = kube[name];
        n.name = name;
        if (!n.condition("Ready")) n.conditions.push_back({"Ready", "True", "KubeletReady", ""});
        return n;
    }
    SlurmNode& s(const std::string& name) {
        auto& n = slurm[name];
        n.name = name;
        return n;
    }
    SlurmNode& drained(const std::string& name, const std::string& reason) {
        auto& n = s(name);
        n.drain = true;
        n.reason = reason;
        return n;
    }
    std::vector<Action> run() const { return reconcile(map_by_name(slurm, kube), slurm, kube, options, checking); }
    // Applies every action and returns what a second pass would do (must be nothing).
    std::vector<Action> settle() {
        for (const auto& a : run()) apply(a, slurm, kube, options);
        return run();
    }
};

}  // namespace ks::sync::test
