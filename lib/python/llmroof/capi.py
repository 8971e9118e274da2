"""The raw mirror of include/llmroof/llmroof.h for ctypes.

Everything the header declares has its twin here: the macros (under their C
names), the enums (IntEnum classes, members without the C prefix), the
structs (ctypes.Structure classes under their C names, fields in the C order
with the C types) and the functions (one table, FUNCTIONS, applied to the
shared library in a loop by load()).

The header is the contract; tests/test_python.py compares this module with
it (names, types) and with what the C compiler makes of it (sizes, offsets,
values; tests/layout.c).  To mirror a new function add one FUNCTIONS row; to
mirror a new struct add one Structure class (and, if its fields hold enums or
counted arrays, its _enum_fields / _counted_fields).
"""
import ctypes
import ctypes.util
import enum
import os
import pathlib
import threading
from ctypes import (POINTER, c_char, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64)

from ._errors import LibraryError, LlmroofError

# --------------------------------------------------------------------------
# Macros.  The version is the header's this binding mirrors.
# --------------------------------------------------------------------------
LLMROOF_VERSION_MAJOR = 0
LLMROOF_VERSION_MINOR = 1
LLMROOF_VERSION_PATCH = 0
LLMROOF_VERSION_NUMBER = (LLMROOF_VERSION_MAJOR * 10000 + LLMROOF_VERSION_MINOR * 100
                          + LLMROOF_VERSION_PATCH)
LLMROOF_VERSION_STRING = "%d.%d.%d" % (LLMROOF_VERSION_MAJOR, LLMROOF_VERSION_MINOR,
                                       LLMROOF_VERSION_PATCH)

LLMROOF_ID_MAX = 64
LLMROOF_NAME_MAX = 128
LLMROOF_SOURCE_MAX = 512
LLMROOF_KERNEL_MAX = 32
LLMROOF_MAX_DEVICES = 16
LLMROOF_MAX_TIERS = LLMROOF_MAX_DEVICES + 2
LLMROOF_MAX_KERNELS = 16
LLMROOF_MAX_MEASURED_DEVICES = 64
LLMROOF_MAX_BACKENDS = 8
LLMROOF_FORMAT_MAX = 16
LLMROOF_MAX_FORMATS = 8
LLMROOF_MAX_ENCODERS = 4
LLMROOF_MAX_CANDIDATES = 64
LLMROOF_REASON_MAX = 192
LLMROOF_ADVICE_MAX = 512
LLMROOF_ERROR_FILE_MAX = 256
LLMROOF_ERROR_MESSAGE_MAX = 512

LLMROOF_KV_TYPE_COUNT = 9
LLMROOF_SECTION_COUNT = 7
LLMROOF_PLACEMENT_COUNT = 5

LLMROOF_FLAG_NEEDS_WIRED_LIMIT = 0x1
LLMROOF_FLAG_CTX_ABOVE_TRAINED = 0x2
LLMROOF_FLAG_HOST_SHORT = 0x4
LLMROOF_FLAG_PARAMS_MISMATCH = 0x8
LLMROOF_FLAG_SINGLE_GPU = 0x10
LLMROOF_FLAG_BAND_THIN = 0x20
LLMROOF_FLAG_UNCALIBRATED = 0x40
LLMROOF_FLAG_MOE_UNCALIBRATED = 0x80
LLMROOF_FLAG_DEVICE_UNMEASURED = 0x100
LLMROOF_TASK_LLM = 0x1
LLMROOF_TASK_IMAGE = 0x2
LLMROOF_TASK_TRAIN = 0x4

LLMROOF_LOAD_OVERRIDE = 0x1

LLMROOF_GGUF_SHAPES = 0x1
LLMROOF_GGUF_MOE = 0x2
LLMROOF_GGUF_MLA = 0x4
LLMROOF_GGUF_SLIDING = 0x8

LLMROOF_PICK_NO_OFFLOAD = 0x1
LLMROOF_PICK_NO_STORAGE = 0x2
LLMROOF_PICK_CTX_SHRUNK = 0x1
LLMROOF_PICK_KV_QUANTIZED = 0x2


def LLMROOF_SPLIT_BIT(mode):
    """Bit of llmroof_engine.split_modes for a split mode."""
    return 1 << int(mode)


# --------------------------------------------------------------------------
# Enums.  Each member carries `label`, the string the library's
# llmroof_*_string() gives for it (and the YAML and the tool's JSON use).
# --------------------------------------------------------------------------
class _Enum(enum.IntEnum):
    def __new__(cls, value, label):
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self):
        return self.label

    def __format__(self, spec):
        if spec and spec[-1] in "bcdoxXn":
            return int.__format__(int(self), spec)
        return format(self.label, spec)

    @classmethod
    def parse(cls, value):
        """A member from a member, its value, its label or its name (any case).

        Integers that are not members are returned as they are: the library
        is the judge of what it accepts (it rejects bad values with
        Status.INVALID_ARGUMENT)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, bool):
            raise TypeError("%s: expected an int or a string, got a bool" % cls.__name__)
        if isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                return value
        if isinstance(value, str):
            for member in cls:
                if value == member.label or value.upper() == member.name:
                    return member
            raise cls._unknown(value)
        raise TypeError("%s: expected an int or a string, got %s" % (
            cls.__name__, type(value).__name__))

    @classmethod
    def member(cls, value):
        """As parse(), but an integer that is no member raises ValueError too:
        for the binding's own uses of a value (a section to list, a bit to
        set), where the library never sees it."""
        member = cls.parse(value)
        if not isinstance(member, cls):
            raise cls._unknown(value)
        return member

    @classmethod
    def _unknown(cls, value):
        return ValueError("unknown %s %r (expected one of: %s)" % (
            cls.__name__, value, ", ".join(m.label for m in cls)))


def _enum_or_int(cls, value):
    """A member, or the plain int for a value this binding does not know
    (a newer library may append values)."""
    try:
        return cls(value)
    except ValueError:
        return value


class Status(_Enum):
    OK = 0, "success"
    INVALID_ARGUMENT = 1, "invalid argument"
    NOMEM = 2, "out of memory"
    IO = 3, "input/output error"
    SYNTAX = 4, "syntax error"
    SCHEMA = 5, "schema error"
    UNIT = 6, "bad unit"
    RANGE = 7, "number out of range"
    DUPLICATE = 8, "duplicate definition"
    REFERENCE = 9, "unknown reference"
    LIMIT = 10, "input limit exceeded"
    NOT_FOUND = 11, "not found"
    UNSUPPORTED = 12, "unsupported"
    VERSION = 13, "unsupported schema version"


class DeviceKind(_Enum):
    GPU = 0, "gpu"
    CPU = 1, "cpu"
    UNIFIED = 2, "unified"
    STORAGE = 3, "storage"


class BandwidthKind(_Enum):
    NOMINAL = 0, "nominal"
    MEASURED = 1, "measured"


class MemoryType(_Enum):
    UNKNOWN = 0, "unknown"
    HBM = 1, "hbm"
    GDDR = 2, "gddr"
    LPDDR = 3, "lpddr"
    DDR = 4, "ddr"


class Backend(_Enum):
    CUDA = 0, "cuda"
    ROCM = 1, "rocm"
    METAL = 2, "metal"
    VULKAN = 3, "vulkan"
    SYCL = 4, "sycl"
    CPU = 5, "cpu"
    NONE = 6, "none"


class Attention(_Enum):
    GQA = 0, "gqa"
    MLA = 1, "mla"


class Split(_Enum):
    AUTO = 0, "auto"
    LAYER = 1, "layer"
    ROW = 2, "row"
    TENSOR = 3, "tensor"
    NONE = 4, "none"


class Offload(_Enum):
    HOST_COMPUTE = 0, "host-compute"
    STREAM = 1, "stream-over-link"
    NONE = 2, "none"


class KvType(_Enum):
    F16 = 0, "f16"
    Q8_0 = 1, "q8_0"
    Q4_0 = 2, "q4_0"
    F32 = 3, "f32"
    BF16 = 4, "bf16"
    Q4_1 = 5, "q4_1"
    Q5_0 = 6, "q5_0"
    Q5_1 = 7, "q5_1"
    IQ4_NL = 8, "iq4_nl"


class TierKind(_Enum):
    ACCELERATOR = 0, "accelerator"
    HOST = 1, "host"
    STORAGE = 2, "storage"


class PlacementKind(_Enum):
    GPU = 0, "gpu"
    MULTI_GPU = 1, "multi_gpu"
    UNIFIED = 2, "unified"
    CPU = 3, "cpu"
    OFFLOAD = 4, "offload"


class Fit(_Enum):
    GPU = 0, "gpu"
    OFFLOAD = 1, "offload"
    STORAGE = 2, "storage"
    NONE = 3, "none"


class Resource(_Enum):
    NONE = 0, "none"
    DEVICE_MEMORY = 1, "device-memory"
    HOST_MEMORY = 2, "host-memory"
    GPU_LINK = 3, "gpu-link"
    HOST_LINK = 4, "host-link"
    COMPUTE = 5, "compute"
    STORAGE = 6, "storage"
    OVERHEAD = 7, "overhead"


class Section(_Enum):
    DEVICES = 0, "devices"
    LINKS = 1, "links"
    SYSTEMS = 2, "systems"
    MODELS = 3, "models"
    QUANTS = 4, "quants"
    ENGINES = 5, "engines"
    IMAGE_MODELS = 6, "image_models"


class ImageOffload(_Enum):
    AUTO = -1, "auto"
    NONE = 0, "none"
    MODEL = 1, "model"


class Verdict(_Enum):
    CHOSEN = 0, "chosen"
    MEETS = 1, "meets"
    NOT_TRIED = 2, "not-tried"
    NO_FIT = 3, "no-fit"
    OFFLOAD = 4, "offload"
    HEADROOM = 5, "headroom"
    SLOW_DECODE = 6, "slow-decode"
    SLOW_PREFILL = 7, "slow-prefill"
    SLOW_TTFT = 8, "slow-ttft"
    UNSUPPORTED = 9, "unsupported"


class TrainMethod(_Enum):
    FULL = 0, "full"
    LORA = 1, "lora"
    QLORA = 2, "qlora"


class LoraTargets(_Enum):
    ATTENTION = 0, "attention"
    ALL_LINEAR = 1, "all-linear"


class Optimizer(_Enum):
    ADAMW = 0, "adamw"
    ADAMW_8BIT = 1, "adamw-8bit"
    SGD = 2, "sgd"


class PickFlag(enum.IntFlag):
    """Bits of llmroof_candidate.flags and llmroof_pick_result.flags."""
    CTX_SHRUNK = LLMROOF_PICK_CTX_SHRUNK
    KV_QUANTIZED = LLMROOF_PICK_KV_QUANTIZED


class PickRequestFlag(enum.IntFlag):
    """Bits of llmroof_pick_request.flags."""
    NO_OFFLOAD = LLMROOF_PICK_NO_OFFLOAD
    NO_STORAGE = LLMROOF_PICK_NO_STORAGE


class GgufDerived(enum.IntFlag):
    """Bits of llmroof_gguf_info.derived."""
    SHAPES = LLMROOF_GGUF_SHAPES
    MOE = LLMROOF_GGUF_MOE
    MLA = LLMROOF_GGUF_MLA
    SLIDING = LLMROOF_GGUF_SLIDING


class ResultFlag(enum.IntFlag):
    """Bits of llmroof_result.flags (LLMROOF_FLAG_*)."""
    NEEDS_WIRED_LIMIT = LLMROOF_FLAG_NEEDS_WIRED_LIMIT
    CTX_ABOVE_TRAINED = LLMROOF_FLAG_CTX_ABOVE_TRAINED
    HOST_SHORT = LLMROOF_FLAG_HOST_SHORT
    PARAMS_MISMATCH = LLMROOF_FLAG_PARAMS_MISMATCH
    SINGLE_GPU = LLMROOF_FLAG_SINGLE_GPU
    BAND_THIN = LLMROOF_FLAG_BAND_THIN
    UNCALIBRATED = LLMROOF_FLAG_UNCALIBRATED
    MOE_UNCALIBRATED = LLMROOF_FLAG_MOE_UNCALIBRATED
    DEVICE_UNMEASURED = LLMROOF_FLAG_DEVICE_UNMEASURED


class Task(enum.IntFlag):
    """Bits of llmroof_engine.tasks (LLMROOF_TASK_*): what an engine runs."""
    LLM = LLMROOF_TASK_LLM
    IMAGE = LLMROOF_TASK_IMAGE
    TRAIN = LLMROOF_TASK_TRAIN


# C enum name -> (Python class, prefix of its members after "LLMROOF_").
ENUMS = {
    "llmroof_status": (Status, "E_"),
    "llmroof_device_kind": (DeviceKind, "DEVICE_"),
    "llmroof_bandwidth_kind": (BandwidthKind, "BANDWIDTH_"),
    "llmroof_memory_type": (MemoryType, "MEMORY_"),
    "llmroof_backend": (Backend, "BACKEND_"),
    "llmroof_attention": (Attention, "ATTENTION_"),
    "llmroof_split": (Split, "SPLIT_"),
    "llmroof_offload": (Offload, "OFFLOAD_"),
    "llmroof_kv_type": (KvType, "KV_"),
    "llmroof_tier_kind": (TierKind, "TIER_"),
    "llmroof_placement_kind": (PlacementKind, "PLACEMENT_"),
    "llmroof_fit": (Fit, "FIT_"),
    "llmroof_resource": (Resource, "RESOURCE_"),
    "llmroof_section": (Section, "SECTION_"),
    "llmroof_verdict": (Verdict, "VERDICT_"),
    "llmroof_train_method": (TrainMethod, "TRAIN_"),
    "llmroof_lora_targets": (LoraTargets, "LORA_"),
    "llmroof_optimizer": (Optimizer, "OPTIMIZER_"),
    "llmroof_image_offload": (ImageOffload, "IMAGE_OFFLOAD_"),
}

# The llmroof_*_string() function for each enum that has one.
ENUM_STRING_FUNCTIONS = {
    Status: "llmroof_status_string",
    DeviceKind: "llmroof_device_kind_string",
    Backend: "llmroof_backend_string",
    Split: "llmroof_split_string",
    KvType: "llmroof_kv_type_string",
    TierKind: "llmroof_tier_kind_string",
    PlacementKind: "llmroof_placement_kind_string",
    Fit: "llmroof_fit_string",
    Resource: "llmroof_resource_string",
    Section: "llmroof_section_string",
    Verdict: "llmroof_verdict_string",
    TrainMethod: "llmroof_train_method_string",
    LoraTargets: "llmroof_lora_targets_string",
    Optimizer: "llmroof_optimizer_string",
    ImageOffload: "llmroof_image_offload_string",
}


# --------------------------------------------------------------------------
# Structs, fields in the C order with the C types.
#
# _enum_fields: int32 field -> the enum it holds.
# _counted_fields: array field -> the field holding how many entries are used.
# _bitset_fields: uint32 field -> the enum whose LLMROOF_SPLIT_BIT()s it ORs.
# _flag_fields: uint32 field -> its IntFlag class.
# The Python classes (llmroof.Device, ...) are made from these (_objects.py).
# --------------------------------------------------------------------------
def _chars(n):
    return c_char * n


_ID = _chars(LLMROOF_ID_MAX)
_NAME = _chars(LLMROOF_NAME_MAX)
_SOURCE = _chars(LLMROOF_SOURCE_MAX)
_KERNEL = _chars(LLMROOF_KERNEL_MAX)
_FORMAT = _chars(LLMROOF_FORMAT_MAX)


class _Struct(ctypes.Structure):
    _enum_fields = {}
    _counted_fields = {}
    _bitset_fields = {}
    _flag_fields = {}


class llmroof_error(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("code", c_int32),
        ("line", c_uint32),
        ("column", c_uint32),
        ("file", _chars(LLMROOF_ERROR_FILE_MAX)),
        ("message", _chars(LLMROOF_ERROR_MESSAGE_MAX)),
    ]
    _enum_fields = {"code": Status}


class llmroof_device(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("kind", c_int32),
        ("backend", c_int32),
        ("memory", c_uint64),
        ("reserved", c_uint64),
        ("bandwidth", c_double),
        ("compute_f16", c_double),
        ("compute_int8", c_double),
        ("gpu_share", c_double),
        ("gpu_share_max", c_double),
        ("power", c_double),
        ("price", c_double),
        ("source", _SOURCE),
        ("bandwidth_kind", c_int32),
        ("idle_power", c_double),
        ("compute_f16_acc32", c_double),
        ("cores", c_uint32),
        ("vector_backends", c_uint32),
        ("compute_f16_vector", c_double),
        ("memory_type", c_int32),
    ]
    _enum_fields = {"kind": DeviceKind, "backend": Backend, "bandwidth_kind": BandwidthKind,
                    "memory_type": MemoryType}
    _bitset_fields = {"vector_backends": Backend}


class llmroof_link(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("bandwidth", c_double),
        ("latency", c_double),
        ("source", _SOURCE),
    ]


class llmroof_system(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("accelerator_count", c_uint32),
        ("accelerators", _ID * LLMROOF_MAX_DEVICES),
        ("gpu_link", _ID),
        ("host_link", _ID),
        ("host_device", _ID),
        ("host_memory", c_uint64),
        ("storage", _ID),
        ("power", c_double),
        ("price", c_double),
        ("source", _SOURCE),
        ("idle_power", c_double),
    ]
    _counted_fields = {"accelerators": "accelerator_count"}


class llmroof_model(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("layers", c_uint32),
        ("hidden", c_uint32),
        ("ffn", c_uint32),
        ("heads", c_uint32),
        ("kv_heads", c_uint32),
        ("head_dim", c_uint32),
        ("vocab", c_uint32),
        ("context", c_uint32),
        ("tied_embeddings", c_uint32),
        ("params", c_double),
        ("experts", c_uint32),
        ("experts_active", c_uint32),
        ("expert_ffn", c_uint32),
        ("shared_experts", c_uint32),
        ("dense_layers", c_uint32),
        ("attention", c_int32),
        ("kv_lora_rank", c_uint32),
        ("rope_dim", c_uint32),
        ("q_lora_rank", c_uint32),
        ("sliding_window", c_uint32),
        ("sliding_layers", c_uint32),
        ("source", _SOURCE),
    ]
    _enum_fields = {"attention": Attention}


class llmroof_quant(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("bpw", c_double),
        ("embed_bpw", c_double),
        ("output_bpw", c_double),
        ("kernel", _KERNEL),
        ("format", _FORMAT),
        ("quality", c_double),
        ("source", _SOURCE),
        ("cpu_dot_cost", c_double),
        ("expert_bpw", c_double),
    ]


class llmroof_kernel_efficiency(_Struct):
    _fields_ = [
        ("kernel", _KERNEL),
        ("efficiency", c_double),
    ]


class llmroof_band(_Struct):
    _fields_ = [
        ("decode_lo", c_double),
        ("decode_hi", c_double),
        ("prefill_lo", c_double),
        ("prefill_hi", c_double),
        ("decode_rows", c_uint32),
        ("prefill_rows", c_uint32),
        ("sources", c_uint32),
        ("moe_rows", c_uint32),
    ]


class llmroof_engine_backend(_Struct):
    _fields_ = [
        ("backend", c_int32),
        ("kernel_count", c_uint32),
        ("decode_efficiency", c_double),
        ("kernels", llmroof_kernel_efficiency * LLMROOF_MAX_KERNELS),
        ("prefill_efficiency", c_double),
        ("prefill_kernel_count", c_uint32),
        ("prefill_kernels", llmroof_kernel_efficiency * LLMROOF_MAX_KERNELS),
        ("per_layer_overhead", c_double),
        ("runtime_overhead", c_uint64),
        ("hop_overhead", c_double),
        ("bandwidth_cap", c_double),
        ("measured_efficiency", c_double),
        ("bands", llmroof_band * LLMROOF_PLACEMENT_COUNT),
        ("moe_layer_overhead", c_double),
        ("measured_device_count", c_uint32),
        ("measured_devices", _ID * LLMROOF_MAX_MEASURED_DEVICES),
        ("moe_token_tile", c_uint32),
        ("hbm_read_penalty", c_double),
    ]
    _enum_fields = {"backend": Backend}
    _counted_fields = {"kernels": "kernel_count", "prefill_kernels": "prefill_kernel_count",
                       "measured_devices": "measured_device_count"}


class llmroof_engine(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("split_modes", c_uint32),
        ("default_split", c_int32),
        ("offloaded_layers", c_int32),
        ("backend_count", c_uint32),
        ("backends", llmroof_engine_backend * LLMROOF_MAX_BACKENDS),
        ("format_count", c_uint32),
        ("formats", _FORMAT * LLMROOF_MAX_FORMATS),
        ("source", _SOURCE),
        ("tasks", c_uint32),
    ]
    _enum_fields = {"default_split": Split, "offloaded_layers": Offload}
    _flag_fields = {"tasks": Task}
    _counted_fields = {"backends": "backend_count", "formats": "format_count"}
    _bitset_fields = {"split_modes": Split}


class llmroof_image_part(_Struct):
    _fields_ = [
        ("name", _NAME),
        ("params", c_double),
        ("bits", c_double),
        ("flops", c_double),
        ("activation", c_double),
    ]


class llmroof_image_model(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("id", _ID),
        ("name", _NAME),
        ("width", c_uint32),
        ("height", c_uint32),
        ("steps", c_uint32),
        ("guidance", c_uint32),
        ("denoiser", llmroof_image_part),
        ("attention_flops", c_double),
        ("encoder_count", c_uint32),
        ("encoders", llmroof_image_part * LLMROOF_MAX_ENCODERS),
        ("vae", llmroof_image_part),
        ("source", _SOURCE),
    ]
    _counted_fields = {"encoders": "encoder_count"}


class llmroof_image_request(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("system", _ID),
        ("model", _ID),
        ("engine", _ID),
        ("width", c_uint32),
        ("height", c_uint32),
        ("steps", c_uint32),
        ("batch", c_uint32),
        ("denoiser_bits", c_double),
        ("offload", c_int32),
        ("reserved_u32", c_uint32 * 7),
        ("electricity_price", c_double),
    ]
    _enum_fields = {"offload": ImageOffload}


class llmroof_image_result(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("fit", c_int32),
        ("offload", c_int32),
        ("width", c_uint32),
        ("height", c_uint32),
        ("steps", c_uint32),
        ("batch", c_uint32),
        ("device", _ID),
        ("weights", c_uint64),
        ("activations", c_uint64),
        ("overhead", c_uint64),
        ("peak", c_uint64),
        ("capacity", c_uint64),
        ("headroom", c_int64),
        ("step_flops", c_double),
        ("step_time", c_double),
        ("step_bound_time", c_double),
        ("step_bound_by", c_int32),
        ("reserved_u32a", c_uint32),
        ("encode_time", c_double),
        ("vae_time", c_double),
        ("transfer_time", c_double),
        ("run_time", c_double),
        ("seconds_per_image", c_double),
        ("power", c_double),
        ("joules_per_image", c_double),
        ("cost_per_image", c_double),
        ("price", c_double),
        ("price_per_ipm", c_double),
        ("idle_power", c_double),
        ("reserved_f64", c_double * 8),
    ]
    _enum_fields = {"fit": Fit, "offload": ImageOffload, "step_bound_by": Resource}


class llmroof_catalog(ctypes.Structure):
    """Opaque: only ever handled through POINTER(llmroof_catalog)."""


class llmroof_request(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("system", _ID),
        ("model", _ID),
        ("quant", _ID),
        ("engine", _ID),
        ("ctx", c_uint32),
        ("depth", c_uint32),
        ("prompt", c_uint32),
        ("gen", c_uint32),
        ("batch", c_uint32),
        ("ubatch", c_uint32),
        ("kv_type", c_int32),
        ("gpu_layers", c_int32),
        ("split", c_int32),
        ("tensor_split_count", c_uint32),
        ("tensor_split", c_double * LLMROOF_MAX_DEVICES),
        ("flash_attention", c_uint32),
        ("gpu_share", c_double),
        ("backend", c_int32),
        ("threads", c_uint32),
        ("reserved_u32", c_uint32 * 6),
        ("electricity_price", c_double),
    ]
    _enum_fields = {"kv_type": KvType, "split": Split, "backend": Backend}
    _counted_fields = {"tensor_split": "tensor_split_count"}


class llmroof_tier(_Struct):
    _fields_ = [
        ("kind", c_int32),
        ("device", _ID),
        ("layers", c_uint32),
        ("has_output", c_uint32),
        ("capacity", c_uint64),
        ("weights", c_uint64),
        ("kv", c_uint64),
        ("compute", c_uint64),
        ("overhead", c_uint64),
        ("total", c_uint64),
        ("headroom", c_int64),
        ("bandwidth", c_double),
        ("decode_bytes", c_double),
        ("decode_time", c_double),
        ("decode_bound_time", c_double),
        ("decode_bound_by", c_int32),
        ("prefill_time", c_double),
    ]
    _enum_fields = {"kind": TierKind, "decode_bound_by": Resource}


class llmroof_result(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("fit", c_int32),
        ("flags", c_uint32),
        ("split", c_int32),
        ("kv_type", c_int32),
        ("ctx", c_uint32),
        ("batch", c_uint32),
        ("layers", c_uint32),
        ("gpu_layers", c_int32),
        ("weights", c_uint64),
        ("kv", c_uint64),
        ("compute", c_uint64),
        ("overhead", c_uint64),
        ("total", c_uint64),
        ("params", c_double),
        ("active_params", c_double),
        ("tier_count", c_uint32),
        ("tiers", llmroof_tier * LLMROOF_MAX_TIERS),
        ("decode_tps", c_double),
        ("decode_bound_tps", c_double),
        ("decode_step_time", c_double),
        ("decode_link_time", c_double),
        ("decode_bound_by", c_int32),
        ("decode_bound_tier", c_int32),
        ("prefill_tps", c_double),
        ("prefill_bound_tps", c_double),
        ("ttft", c_double),
        ("prefill_bound_by", c_int32),
        ("prefill_bound_tier", c_int32),
        ("request_time", c_double),
        ("power", c_double),
        ("joules_per_token", c_double),
        ("price", c_double),
        ("price_per_tps", c_double),
        ("idle_power", c_double),
        ("cost_per_mtok", c_double),
        ("prefill_joules_per_token", c_double),
        ("decode_tps_lo", c_double),
        ("decode_tps_hi", c_double),
        ("prefill_tps_lo", c_double),
        ("prefill_tps_hi", c_double),
        ("band_kind", c_int32),
        ("reserved_u32", c_uint32),
    ]
    _enum_fields = {"fit": Fit, "split": Split, "kv_type": KvType,
                    "decode_bound_by": Resource, "prefill_bound_by": Resource,
                    "band_kind": PlacementKind}
    _counted_fields = {"tiers": "tier_count"}
    _flag_fields = {"flags": ResultFlag}


class llmroof_train_request(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("system", _ID),
        ("model", _ID),
        ("engine", _ID),
        ("method", c_int32),
        ("seq_len", c_uint32),
        ("micro_batch", c_uint32),
        ("checkpointing", c_uint32),
        ("flash_attention", c_uint32),
        ("lora_rank", c_uint32),
        ("lora_targets", c_int32),
        ("optimizer", c_int32),
        ("gpus", c_uint32),
        ("reserved_u32", c_uint32 * 7),
        ("electricity_price", c_double),
    ]
    _enum_fields = {"method": TrainMethod, "lora_targets": LoraTargets,
                    "optimizer": Optimizer}


class llmroof_train_result(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("fit", c_int32),
        ("gpus", c_uint32),
        ("reserved_u32a", c_uint32),
        ("device", _ID),
        ("engine", _ID),
        ("params", c_double),
        ("trainable_params", c_double),
        ("weights", c_uint64),
        ("gradients", c_uint64),
        ("optimizer_states", c_uint64),
        ("master_weights", c_uint64),
        ("activations", c_uint64),
        ("logits", c_uint64),
        ("overhead", c_uint64),
        ("total", c_uint64),
        ("capacity", c_uint64),
        ("headroom", c_int64),
        ("step_flops", c_double),
        ("step_time", c_double),
        ("allreduce_time", c_double),
        ("tokens_per_s", c_double),
        ("power", c_double),
        ("joules_per_token", c_double),
        ("cost_per_mtok", c_double),
        ("price", c_double),
        ("price_per_tps", c_double),
        ("idle_power", c_double),
        ("reserved_f64", c_double * 7),
    ]
    _enum_fields = {"fit": Fit}


class llmroof_pick_request(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("base", llmroof_request),
        ("quant_count", c_uint32),
        ("quants", _ID * LLMROOF_MAX_CANDIDATES),
        ("kv_types", c_uint32),
        ("min_ctx", c_uint32),
        ("min_decode_tps", c_double),
        ("min_prefill_tps", c_double),
        ("max_ttft", c_double),
        ("headroom", c_uint64),
        ("flags", c_uint32),
        ("reserved_u32", c_uint32 * 7),
    ]
    _counted_fields = {"quants": "quant_count"}
    _flag_fields = {"flags": PickRequestFlag}


class llmroof_candidate(_Struct):
    _fields_ = [
        ("quant", _ID),
        ("verdict", c_int32),
        ("flags", c_uint32),
        ("quality", c_double),
        ("bpw", c_double),
        ("kv_type", c_int32),
        ("ctx", c_uint32),
        ("split", c_int32),
        ("gpu_layers", c_int32),
        ("fit", c_int32),
        ("decode_tps", c_double),
        ("prefill_tps", c_double),
        ("ttft", c_double),
        ("total", c_uint64),
        ("shortfall", c_int64),
        ("short_device", _ID),
        ("reason", _chars(LLMROOF_REASON_MAX)),
    ]
    _enum_fields = {"verdict": Verdict, "kv_type": KvType, "split": Split, "fit": Fit}
    _flag_fields = {"flags": PickFlag}


class llmroof_pick_result(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("chosen", c_int32),
        ("closest", c_int32),
        ("flags", c_uint32),
        ("advice", _chars(LLMROOF_ADVICE_MAX)),
        ("request", llmroof_request),
        ("estimate", llmroof_result),
        ("candidate_count", c_uint32),
        ("candidates", llmroof_candidate * LLMROOF_MAX_CANDIDATES),
        ("reserved_f64", c_double * 4),
    ]
    _counted_fields = {"candidates": "candidate_count"}
    _flag_fields = {"flags": PickFlag}


class llmroof_gguf_info(_Struct):
    _fields_ = [
        ("size", c_uint32),
        ("version", c_uint32),
        ("parts", c_uint32),
        ("file_type", c_uint32),
        ("file_bytes", c_uint64),
        ("tensor_count", c_uint64),
        ("metadata_count", c_uint64),
        ("tensor_bytes", c_uint64),
        ("layer_bytes", c_uint64),
        ("embed_bytes", c_uint64),
        ("output_bytes", c_uint64),
        ("params", c_double),
        ("derived", c_uint32),
        ("architecture", _ID),
        ("note", _chars(LLMROOF_ERROR_MESSAGE_MAX)),
    ]
    _flag_fields = {"derived": GgufDerived}


# Every public struct, by its C name.
STRUCTS = {cls.__name__: cls for cls in (
    llmroof_error, llmroof_device, llmroof_link, llmroof_system, llmroof_model, llmroof_quant,
    llmroof_kernel_efficiency, llmroof_band, llmroof_engine_backend, llmroof_engine, llmroof_request,
    llmroof_tier, llmroof_result, llmroof_pick_request, llmroof_candidate,
    llmroof_pick_result, llmroof_gguf_info, llmroof_train_request, llmroof_train_result,
    llmroof_image_part, llmroof_image_model, llmroof_image_request, llmroof_image_result)}


# --------------------------------------------------------------------------
# errcheck functions
# --------------------------------------------------------------------------
def _text(raw):
    return raw.decode("utf-8", errors="replace")


def _string(result, func, args):
    """const char * results: static or catalog-owned strings, copied to str."""
    return None if result is None else _text(result)


def _error_arg(arg):
    if isinstance(arg, llmroof_error):
        return arg
    obj = getattr(arg, "_obj", None)  # ctypes.byref(err)
    return obj if isinstance(obj, llmroof_error) else None


def _status(result, func, args):
    """llmroof_status results: raise LlmroofError unless LLMROOF_OK.

    The last argument of these functions is the optional llmroof_error *;
    its details go into the exception.  Without one, the status alone."""
    if result == Status.OK:
        return Status.OK
    err = _error_arg(args[-1]) if args else None
    if err is not None and err.code != Status.OK:
        raise LlmroofError(_enum_or_int(Status, err.code), _text(err.message),
                           os.fsdecode(err.file), err.line, err.column)
    code = _enum_or_int(Status, result)
    return _raise_status(code, func.__name__)


def _raise_status(code, where):
    label = code.label if isinstance(code, Status) else "unknown status %d" % code
    raise LlmroofError(code, "%s: %s" % (where, label))


def _status_no_error(result, func, args):
    """llmroof_status results of functions without an llmroof_error *."""
    if result == Status.OK:
        return Status.OK
    return _raise_status(_enum_or_int(Status, result), func.__name__)


# --------------------------------------------------------------------------
# Functions: (name, argtypes, restype, errcheck), applied by load().
# --------------------------------------------------------------------------
_cat = POINTER(llmroof_catalog)
_err = POINTER(llmroof_error)


def _add(struct):
    return [_cat, POINTER(struct), c_uint32, _err]


def _get(struct):
    return [_cat, c_char_p, POINTER(struct), _err]


FUNCTIONS = [
    ("llmroof_version_number", [], c_uint32, None),
    ("llmroof_version", [], c_char_p, _string),
    ("llmroof_status_string", [c_int32], c_char_p, _string),
    ("llmroof_error_init", [_err], None, None),
    ("llmroof_kv_type_string", [c_int32], c_char_p, _string),
    ("llmroof_kv_type_from_string", [c_char_p, POINTER(c_int32)], c_int32, _status_no_error),
    ("llmroof_fit_string", [c_int32], c_char_p, _string),
    ("llmroof_resource_string", [c_int32], c_char_p, _string),
    ("llmroof_split_string", [c_int32], c_char_p, _string),
    ("llmroof_backend_string", [c_int32], c_char_p, _string),
    ("llmroof_device_kind_string", [c_int32], c_char_p, _string),
    ("llmroof_tier_kind_string", [c_int32], c_char_p, _string),
    ("llmroof_placement_kind_string", [c_int32], c_char_p, _string),
    ("llmroof_device_init", [POINTER(llmroof_device)], None, None),
    ("llmroof_link_init", [POINTER(llmroof_link)], None, None),
    ("llmroof_system_init", [POINTER(llmroof_system)], None, None),
    ("llmroof_model_init", [POINTER(llmroof_model)], None, None),
    ("llmroof_quant_init", [POINTER(llmroof_quant)], None, None),
    ("llmroof_engine_init", [POINTER(llmroof_engine)], None, None),
    ("llmroof_section_string", [c_int32], c_char_p, _string),
    ("llmroof_catalog_new", [POINTER(_cat), _err], c_int32, _status),
    ("llmroof_catalog_free", [_cat], None, None),
    ("llmroof_catalog_load_builtin", [_cat, c_uint32, _err], c_int32, _status),
    ("llmroof_catalog_load_file", [_cat, c_char_p, c_uint32, _err], c_int32, _status),
    ("llmroof_catalog_load_string", [_cat, c_char_p, c_char_p, c_size_t, c_uint32, _err],
     c_int32, _status),
    ("llmroof_catalog_add_device", _add(llmroof_device), c_int32, _status),
    ("llmroof_catalog_add_link", _add(llmroof_link), c_int32, _status),
    ("llmroof_catalog_add_system", _add(llmroof_system), c_int32, _status),
    ("llmroof_catalog_add_model", _add(llmroof_model), c_int32, _status),
    ("llmroof_catalog_add_quant", _add(llmroof_quant), c_int32, _status),
    ("llmroof_catalog_add_engine", _add(llmroof_engine), c_int32, _status),
    ("llmroof_catalog_get_device", _get(llmroof_device), c_int32, _status),
    ("llmroof_catalog_get_link", _get(llmroof_link), c_int32, _status),
    ("llmroof_catalog_get_system", _get(llmroof_system), c_int32, _status),
    ("llmroof_catalog_get_model", _get(llmroof_model), c_int32, _status),
    ("llmroof_catalog_get_quant", _get(llmroof_quant), c_int32, _status),
    ("llmroof_catalog_get_engine", _get(llmroof_engine), c_int32, _status),
    ("llmroof_image_model_init", [POINTER(llmroof_image_model)], None, None),
    ("llmroof_catalog_add_image_model", _add(llmroof_image_model), c_int32, _status),
    ("llmroof_catalog_get_image_model", _get(llmroof_image_model), c_int32, _status),
    ("llmroof_image_offload_string", [c_int32], c_char_p, _string),
    ("llmroof_image_request_init", [POINTER(llmroof_image_request)], None, None),
    ("llmroof_image_result_init", [POINTER(llmroof_image_result)], None, None),
    ("llmroof_image_estimate",
     [_cat, POINTER(llmroof_image_request), POINTER(llmroof_image_result), _err], c_int32,
     _status),
    ("llmroof_catalog_count", [_cat, c_int32], c_uint32, None),
    ("llmroof_catalog_id", [_cat, c_int32, c_uint32], c_char_p, _string),
    ("llmroof_request_init", [POINTER(llmroof_request)], None, None),
    ("llmroof_result_init", [POINTER(llmroof_result)], None, None),
    ("llmroof_estimate", [_cat, POINTER(llmroof_request), POINTER(llmroof_result), _err],
     c_int32, _status),
    ("llmroof_gguf_info_init", [POINTER(llmroof_gguf_info)], None, None),
    ("llmroof_model_from_gguf", [c_char_p, POINTER(llmroof_model), POINTER(llmroof_quant),
                                 POINTER(llmroof_gguf_info), _err], c_int32, _status),
    ("llmroof_model_from_config", [c_char_p, POINTER(llmroof_model), _err], c_int32, _status),
    ("llmroof_train_method_string", [c_int32], c_char_p, _string),
    ("llmroof_lora_targets_string", [c_int32], c_char_p, _string),
    ("llmroof_optimizer_string", [c_int32], c_char_p, _string),
    ("llmroof_train_request_init", [POINTER(llmroof_train_request)], None, None),
    ("llmroof_train_result_init", [POINTER(llmroof_train_result)], None, None),
    ("llmroof_train_estimate", [_cat, POINTER(llmroof_train_request),
                                POINTER(llmroof_train_result), _err], c_int32, _status),
    ("llmroof_pick_request_init", [POINTER(llmroof_pick_request)], None, None),
    ("llmroof_verdict_string", [c_int32], c_char_p, _string),
    ("llmroof_pick_result_init", [POINTER(llmroof_pick_result)], None, None),
    ("llmroof_pick", [_cat, POINTER(llmroof_pick_request), POINTER(llmroof_pick_result), _err],
     c_int32, _status),
    ("llmroof_pick_llama_args", [POINTER(llmroof_pick_result), c_char_p, c_size_t], c_size_t,
     None),
]


# --------------------------------------------------------------------------
# Finding and loading the shared library
# --------------------------------------------------------------------------
_NAMES = ("libllmroof.so.%d" % LLMROOF_VERSION_MAJOR, "libllmroof.so",
          "libllmroof.%d.dylib" % LLMROOF_VERSION_MAJOR, "libllmroof.dylib")


def _in_dir(directory):
    """libllmroof in one directory: the soname of our major first."""
    for name in _NAMES:
        path = directory / name
        if path.is_file():
            return path
    others = sorted(directory.glob("libllmroof.so.*"))
    return others[0] if others else None


def candidates():
    """Where the library is looked for, in order (docs/python.md):

    1. $LLMROOF_LIBRARY, the full path (when set, nothing else is tried);
    2. next to the package: its directory and up to three parents, and
       build/lib and builddir/lib below each (a source tree with a meson
       build dir: lib/python/llmroof -> ../../../build/lib);
    3. the system's search path (ctypes.util.find_library)."""
    env = os.environ.get("LLMROOF_LIBRARY")
    if env:
        return [env]
    found = []
    here = pathlib.Path(__file__).resolve().parent
    for directory in [here] + list(here.parents)[:3]:
        for sub in (directory, directory / "build" / "lib", directory / "builddir" / "lib"):
            path = _in_dir(sub) if sub.is_dir() else None
            if path is not None and str(path) not in found:
                found.append(str(path))
    system = ctypes.util.find_library("llmroof")
    if system:
        found.append(system)
    return found


def _maps_asan_runtime(maps):
    """Whether /proc/self/maps text maps an ASan runtime: gcc's libasan.so or
    clang's libclang_rt.asan (libclang_rt.asan-x86_64.so, or
    libclang_rt.asan.so in a per-target directory)."""
    for line in maps.splitlines():
        if "/" not in line:
            continue
        name = line.rsplit("/", 1)[1]
        if name.startswith("libasan.so") or (name.startswith("libclang_rt.asan")
                                             and not name.startswith("libclang_rt.asan_")
                                             and ".so" in name):
            return True
    return False


def asan_runtime_loaded(maps=None):
    """True when this process has an AddressSanitizer runtime, gcc's or
    clang's: __asan_init is visible in it (a runtime preloaded, or linked into
    the interpreter), or /proc/self/maps maps one.  `maps` (the text of such a
    file) replaces this process's, for tests."""
    if maps is None:
        try:
            ctypes.CDLL(None)["__asan_init"]
            return True
        except (OSError, AttributeError):
            pass
        try:
            with open("/proc/self/maps") as f:
                maps = f.read()
        except OSError:
            return False
    return _maps_asan_runtime(maps)


def asan_preload_needed(path, maps=None):
    """True when `path` is built with AddressSanitizer and this process does not
    have an ASan runtime loaded: loading it would abort the interpreter
    ("ASan runtime does not come first in initial library list").  gcc's
    libasan and clang's libclang_rt.asan both count (issue 14: a clang-ASan
    library was refused with clang's runtime preloaded).  `maps`: as for
    asan_runtime_loaded()."""
    try:
        with open(path, "rb") as f:
            if b"__asan_init" not in f.read():
                return False
    except OSError:
        return False
    return not asan_runtime_loaded(maps)


def check_version(number, path="libllmroof"):
    """Raises LibraryError unless llmroof_version_number() `number` has this
    binding's major version (the ABI: structs and signatures)."""
    major = number // 10000
    if major != LLMROOF_VERSION_MAJOR:
        raise LibraryError(
            "%s is llmroof %d.%d.%d, but this Python binding is for %d.x (it mirrors "
            "llmroof.h %s); use the binding shipped with that library" % (
                path, major, number // 100 % 100, number % 100, LLMROOF_VERSION_MAJOR,
                LLMROOF_VERSION_STRING))


class Library:
    """The shared library with every FUNCTIONS row applied to it.

    Functions are attributes under their C names.  A function the library
    does not export (a library older than this binding) raises LibraryError
    when called; `missing` lists them."""

    def __init__(self, path, expected_major=None):
        if asan_preload_needed(path):
            raise LibraryError(
                "%s is built with AddressSanitizer: run Python with its compiler's ASan "
                "runtime preloaded, LD_PRELOAD=$(gcc -print-file-name=libasan.so) or "
                "$(clang -print-file-name=libclang_rt.asan-x86_64.so) (and "
                "ASAN_OPTIONS=detect_leaks=0)" % path)
        try:
            self.cdll = ctypes.CDLL(path)
        except OSError as e:
            raise LibraryError("cannot load %s: %s" % (path, e)) from None
        self.path = path
        self.missing = []
        for name, argtypes, restype, errcheck in FUNCTIONS:
            try:
                func = getattr(self.cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _missing(name, path))
                continue
            func.argtypes = argtypes
            func.restype = restype
            if errcheck is not None:
                func.errcheck = errcheck
            setattr(self, name, func)
        if "llmroof_version_number" in self.missing:
            raise LibraryError("%s does not export llmroof_version_number: not llmroof?" % path)
        self.version_number = self.llmroof_version_number()
        if expected_major is None:
            check_version(self.version_number, path)
        elif self.version_number // 10000 != expected_major:
            raise LibraryError("%s is llmroof %s, expected major version %d" % (
                path, self.llmroof_version(), expected_major))
        self.version = self.llmroof_version()


def _missing(name, path):
    def call(*args):
        raise LibraryError("%s: %s is not in this library (older than the binding?)" % (
            path, name))
    call.__name__ = name
    return call


_library = None
_library_lock = threading.Lock()


def load(path=None):
    """Loads (once) and returns the Library.  With `path`, that file and no
    other (it replaces an earlier load for later calls)."""
    with _library_lock:
        return _load(path)


def _load(path):
    global _library
    if path is not None:
        _library = Library(os.fspath(path))
        return _library
    if _library is None:
        tried = candidates()
        if not tried:
            raise LibraryError(
                "libllmroof not found: set LLMROOF_LIBRARY to the full path of "
                "libllmroof.so (e.g. build/lib/libllmroof.so)")
        errors = []
        for candidate in tried:
            try:
                _library = Library(candidate)
                break
            except LibraryError as e:
                if os.environ.get("LLMROOF_LIBRARY"):
                    raise
                errors.append(str(e))
        else:
            raise LibraryError("no usable libllmroof: " + "; ".join(errors))
    return _library
