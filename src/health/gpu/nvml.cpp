#include "health/gpu/nvml.h"

#include <dlfcn.h>

#include <mutex>

namespace ks::gpu::nvml {

namespace {

template <class F>
bool resolve(void* lib, F& fn, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (void* p = dlsym(lib, n)) {
            fn = reinterpret_cast<F>(p);
            return true;
        }
    }
    fn = nullptr;
    return false;
}

struct Loaded {
    Api api{};
    std::string why;
    bool ok = false;
};

Loaded load_once() {
    Loaded l;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* e = dlerror();
        l.why = std::string("NVML not available (no NVIDIA driver?): ") + (e ? e : "dlopen failed");
        return l;
    }
    Api& a = l.api;
    bool required = resolve(lib, a.Init, {"nvmlInit_v2", "nvmlInit"}) &&
                    resolve(lib, a.Shutdown, {"nvmlShutdown"}) &&
                    resolve(lib, a.ErrorString, {"nvmlErrorString"}) &&
                    resolve(lib, a.DeviceGetCount, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"}) &&
                    resolve(lib, a.DeviceGetHandleByIndex,
                            {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"}) &&
                    resolve(lib, a.DeviceGetName, {"nvmlDeviceGetName"});
    if (!required) {
        l.why = "NVML library lacks required entry points (driver too old?)";
        return l;
    }
    // Optional: a missing entry point makes only its check skip.
    resolve(lib, a.SystemGetDriverVersion, {"nvmlSystemGetDriverVersion"});
    resolve(lib, a.SystemGetCudaDriverVersion, {"nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"});
    resolve(lib, a.DeviceGetHandleByPciBusId,
            {"nvmlDeviceGetHandleByPciBusId_v2", "nvmlDeviceGetHandleByPciBusId"});
    resolve(lib, a.DeviceGetIndex, {"nvmlDeviceGetIndex"});
    resolve(lib, a.DeviceGetPersistenceMode, {"nvmlDeviceGetPersistenceMode"});
    resolve(lib, a.DeviceGetEccMode, {"nvmlDeviceGetEccMode"});
    resolve(lib, a.DeviceGetRemappedRows, {"nvmlDeviceGetRemappedRows"});
    resolve(lib, a.DeviceGetTotalEccErrors, {"nvmlDeviceGetTotalEccErrors"});
    resolve(lib, a.DeviceGetRetiredPages, {"nvmlDeviceGetRetiredPages"});
    resolve(lib, a.DeviceGetClocksEventReasons,
            {"nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons"});
    resolve(lib, a.DeviceGetTemperature, {"nvmlDeviceGetTemperature"});
    resolve(lib, a.DeviceGetNvLinkState, {"nvmlDeviceGetNvLinkState"});
    resolve(lib, a.DeviceGetNvLinkErrorCounter, {"nvmlDeviceGetNvLinkErrorCounter"});
    resolve(lib, a.EventSetCreate, {"nvmlEventSetCreate"});
    resolve(lib, a.DeviceRegisterEvents, {"nvmlDeviceRegisterEvents"});
    resolve(lib, a.EventSetWait, {"nvmlEventSetWait_v2", "nvmlEventSetWait"});
    resolve(lib, a.EventSetFree, {"nvmlEventSetFree"});

    if (Return r = a.Init(); r != Success) {
        l.why = "nvmlInit failed: " + error_text(a, r);
        return l;
    }
    // NVML stays initialised (and the library loaded) for the life of the process.
    l.ok = true;
    return l;
}

}  // namespace

const Api* load(std::string& why) {
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] { loaded = load_once(); });
    if (!loaded.ok) {
        why = loaded.why;
        return nullptr;
    }
    return &loaded.api;
}

std::string error_text(const Api& api, Return r) {
    const char* s = api.ErrorString ? api.ErrorString(r) : nullptr;
    return s ? std::string(s) : "NVML error " + std::to_string(r);
}

}  // namespace ks::gpu::nvml
