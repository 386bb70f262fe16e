# Placement policy: pure C++ over the topology model.
unit_placement_MODULES += topology
