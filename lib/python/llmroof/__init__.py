"""llmroof: does a large language model fit on this machine, and how fast
will it run there?  A ctypes binding of libllmroof (pure standard library).

    import llmroof
    with llmroof.Catalog.builtin() as cat:
        r = cat.estimate("pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", ctx=8192)
        print(r.fit, r.decode_tps, r.decode_bound_by)

The shared library is found through $LLMROOF_LIBRARY, then next to this
package, then on the system's search path (docs/python.md).  llmroof.capi is
the raw mirror of llmroof.h; this module is the Pythonic layer on top.
"""
from . import capi
from ._catalog import (IMAGE_OPTIONS, TRAIN_OPTIONS, WORKLOAD, Catalog, estimate,
                       image_estimate, model_from_config, model_from_gguf, pick, train_estimate)
from ._errors import LibraryError, LlmroofError
from ._objects import (Band, Candidate, Device, Engine, EngineBackend, GgufInfo, ImageModel,
                       ImagePart, ImageRequest, ImageResult, KernelEfficiency, Link, Model,
                       PickResult, Quant, Request, Result, System, Tier, TrainRequest,
                       TrainResult)
from .capi import (Attention, Backend, BandwidthKind, DeviceKind, Fit, ImageOffload, KvType,
                   LoraTargets, MemoryType, Offload, Optimizer, PickFlag, PlacementKind, Resource,
                   ResultFlag, Section, Split, Status, Task, TierKind, TrainMethod, Verdict)

# The version of llmroof.h this binding mirrors.
__version__ = capi.LLMROOF_VERSION_STRING


def library():
    """The loaded capi.Library (loading it on first use): .path, .version,
    .version_number and every C function under its C name."""
    return capi.load()


def version():
    """Version string of the shared library actually loaded."""
    return capi.load().version


__all__ = [
    "Attention", "Backend", "Band", "BandwidthKind", "Candidate", "Catalog", "Device", "DeviceKind", "Engine",
    "EngineBackend", "Fit", "GgufInfo", "model_from_config", "model_from_gguf", "KernelEfficiency", "KvType", "LibraryError", "Link",
    "LlmroofError", "MemoryType", "Model", "Offload", "PickFlag", "PickResult", "PlacementKind", "Quant", "Request", "Resource",
    "Result", "ResultFlag", "Section", "Split", "Status", "System", "Task", "Tier", "TierKind",
    "Verdict", "WORKLOAD", "capi", "estimate", "library", "pick", "version",
    "TRAIN_OPTIONS", "TrainMethod", "LoraTargets", "Optimizer", "TrainRequest", "TrainResult",
    "train_estimate",
    "IMAGE_OPTIONS", "ImageModel", "ImageOffload", "ImagePart", "ImageRequest", "ImageResult",
    "image_estimate",
]
