// NVML loaded with dlopen at run time: the backend (and the prolog that loads it) works on hosts
// without a driver, where every NVML check reports skip with the reason. Only the few entry
// points kubeslurm uses are declared here, with NVML's own C types spelled out (NVML's header is
// not part of the CUDA toolkit).
#pragma once

#include <string>

namespace ks::gpu::nvml {

using Return = int;  // nvmlReturn_t: 0 = success
using Device = struct nvmlDevice_st*;
using EventSet = struct nvmlEventSet_st*;

inline constexpr Return Success = 0;
inline constexpr Return ErrorNotSupported = 3;
inline constexpr Return ErrorInsufficientSize = 7;
inline constexpr Return ErrorTimeout = 10;
inline constexpr unsigned MaxNvlinks = 18;            // NVML_NVLINK_MAX_LINKS
inline constexpr unsigned long long EventXidCriticalError = 0x8;

struct EventData {  // nvmlEventData_t
    Device device;
    unsigned long long eventType;
    unsigned long long eventData;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
};

struct Api {
    Return (*Init)();
    Return (*Shutdown)();
    const char* (*ErrorString)(Return);
    Return (*SystemGetDriverVersion)(char*, unsigned);
    Return (*SystemGetCudaDriverVersion)(int*);
    Return (*DeviceGetCount)(unsigned*);
    Return (*DeviceGetHandleByIndex)(unsigned, Device*);
    Return (*DeviceGetHandleByPciBusId)(const char*, Device*);
    Return (*DeviceGetIndex)(Device, unsigned*);
    Return (*DeviceGetName)(Device, char*, unsigned);
    Return (*DeviceGetPersistenceMode)(Device, int*);
    Return (*DeviceGetEccMode)(Device, int*, int*);
    Return (*DeviceGetRemappedRows)(Device, unsigned*, unsigned*, unsigned*, unsigned*);
    Return (*DeviceGetTotalEccErrors)(Device, int, int, unsigned long long*);
    Return (*DeviceGetRetiredPages)(Device, int, unsigned*, unsigned long long*);
    Return (*DeviceGetClocksEventReasons)(Device, unsigned long long*);
    Return (*DeviceGetTemperature)(Device, int, unsigned*);
    Return (*DeviceGetNvLinkState)(Device, unsigned, int*);
    Return (*DeviceGetNvLinkErrorCounter)(Device, unsigned, int, unsigned long long*);
    Return (*EventSetCreate)(EventSet*);
    Return (*DeviceRegisterEvents)(Device, unsigned long long, EventSet);
    Return (*EventSetWait)(EventSet, EventData*, unsigned);
    Return (*EventSetFree)(EventSet);
};

// Loads and initialises NVML once per process. Returns nullptr and sets `why` when the library or
// a required symbol is missing, or nvmlInit fails (no driver, no GPU).
const Api* load(std::string& why);

std::string error_text(const Api& api, Return r);

}  // namespace ks::gpu::nvml
