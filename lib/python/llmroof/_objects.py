"""Python classes made from the ctypes structs, and the conversions both ways.

Each public struct gets a dataclass with the same field names, in the same
order, minus the bookkeeping: `size`, the counts of counted arrays (the
list's length says it) and `reserved_*` space.  Values are converted:

  char[N]                      -> str (UTF-8)
  int32 holding an enum        -> that IntEnum (a plain int if unknown)
  counted arrays               -> list (of str, float or the element's class)
  fixed arrays of structs      -> list of the element's class, all entries
                                  (EngineBackend.bands: one Band per PlacementKind)
  split_modes (OR of bits)     -> list of Split
  result flags                 -> ResultFlag (an IntFlag)

Going back (to_struct), enum fields also take labels ("gpu", "q8_0") and
member names; strings and integers are checked against their C size, so
nothing is silently cut or wrapped.
"""
import ctypes
import dataclasses

from . import capi
from .capi import LLMROOF_SPLIT_BIT, _enum_or_int

# struct class -> Python class, filled by _make().
_PY = {}

_INT_RANGES = {}
for _t in (ctypes.c_uint32, ctypes.c_int32, ctypes.c_uint64, ctypes.c_int64):
    _bits = 8 * ctypes.sizeof(_t)
    _signed = _t(-1).value == -1
    _INT_RANGES[_t] = ((-(1 << (_bits - 1)), (1 << (_bits - 1)) - 1) if _signed
                       else (0, (1 << _bits) - 1))


def py_fields(struct):
    """(name, ctype) of the fields a struct's Python class has."""
    hidden = {"size"} | set(struct._counted_fields.values())
    return [(n, t) for n, t in struct._fields_ if n not in hidden and not n.startswith("reserved_")]


def _is_chars(ctype):
    return getattr(ctype, "_type_", None) is ctypes.c_char


def _decode(raw):
    return raw.decode("utf-8", errors="replace")


def _encode(value, ctype, where):
    if not isinstance(value, str):
        raise TypeError("%s: expected a str, got %s" % (where, type(value).__name__))
    data = value.encode("utf-8")
    if b"\0" in data:
        raise ValueError("%s: NUL character in %r" % (where, value))
    if len(data) >= ctype._length_:
        raise ValueError("%s: %r is longer than %d bytes" % (where, value, ctype._length_ - 1))
    return data


def _scalar(value, ctype, where):
    if ctype is ctypes.c_double:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("%s: expected a number, got %s" % (where, type(value).__name__))
        return float(value)
    if not isinstance(value, int):
        raise TypeError("%s: expected an int, got %s" % (where, type(value).__name__))
    lo, hi = _INT_RANGES[ctype]
    if not lo <= value <= hi:
        raise ValueError("%s: %d is outside %d..%d" % (where, value, lo, hi))
    return int(value)


def _is_struct_array(ctype):
    """A fixed-size array of a public struct, not counted (EngineBackend.bands)."""
    return hasattr(ctype, "_length_") and getattr(ctype, "_type_", None) in _PY


def _element_from_c(raw, elem):
    if _is_chars(elem):
        return _decode(raw.value)
    if elem in _PY:
        return to_py(raw)
    return raw


def _struct_item(item, elem, where):
    """The ctypes struct `elem` for an array entry given as its Python object
    or as the struct itself."""
    if isinstance(item, _PY[elem]):
        item = item.to_struct()
    if not isinstance(item, elem):
        raise TypeError("%s: expected %s" % (where, _PY[elem].__name__))
    return item


def get_field(st, name):
    """Field `name` of ctypes struct `st`, converted to Python."""
    cls = type(st)
    ctype = dict(cls._fields_)[name]
    raw = getattr(st, name)
    if name in cls._enum_fields:
        return _enum_or_int(cls._enum_fields[name], raw)
    if name in cls._flag_fields:
        return cls._flag_fields[name](raw)
    if name in cls._bitset_fields:
        enum_cls = cls._bitset_fields[name]
        return [_enum_or_int(enum_cls, i) for i in range(32) if raw >> i & 1]
    if name in cls._counted_fields:
        n = min(getattr(st, cls._counted_fields[name]), ctype._length_)
        return [_element_from_c(raw[i], ctype._type_) for i in range(n)]
    if _is_struct_array(ctype):
        return [to_py(raw[i]) for i in range(ctype._length_)]
    if _is_chars(ctype):
        return _decode(raw)
    if ctype in _PY:  # a nested struct (llmroof_pick_result.request, ...)
        return to_py(raw)
    return raw


def set_field(st, name, value):
    """Sets field `name` of ctypes struct `st` from a Python value (see the
    module's docstring); raises TypeError / ValueError for what does not fit."""
    cls = type(st)
    ctype = dict(cls._fields_)[name]
    where = "%s.%s" % (cls.__name__, name)
    if name in cls._enum_fields:
        if value is None and cls._enum_fields[name] is capi.Backend:
            value = -1  # llmroof_request.backend: each device's own
        value = int(cls._enum_fields[name].parse(value))
        setattr(st, name, _scalar(value, ctype, where))
    elif name in cls._bitset_fields:
        if not isinstance(value, int):
            enum_cls = cls._bitset_fields[name]
            bits = 0
            for mode in value:
                bits |= LLMROOF_SPLIT_BIT(enum_cls.parse(mode))
            value = bits
        setattr(st, name, _scalar(int(value), ctype, where))
    elif name in cls._counted_fields:
        items = list(value)
        if len(items) > ctype._length_:
            raise ValueError("%s: %d entries, at most %d" % (where, len(items), ctype._length_))
        array = ctype()
        elem = ctype._type_
        for i, item in enumerate(items):
            if _is_chars(elem):
                array[i].value = _encode(item, elem, "%s[%d]" % (where, i))
            elif elem in _PY:
                array[i] = _struct_item(item, elem, "%s[%d]" % (where, i))
            else:
                array[i] = _scalar(item, elem, "%s[%d]" % (where, i))
        setattr(st, name, array)
        setattr(st, cls._counted_fields[name], len(items))
    elif _is_struct_array(ctype):
        items = list(value or [])
        if len(items) > ctype._length_:
            raise ValueError("%s: %d entries, at most %d" % (where, len(items), ctype._length_))
        array = ctype()
        for i, item in enumerate(items):
            array[i] = _struct_item(item, ctype._type_, "%s[%d]" % (where, i))
        setattr(st, name, array)
    elif _is_chars(ctype):
        setattr(st, name, _encode(value, ctype, where))
    elif ctype in _PY:  # a nested struct (llmroof_image_model.denoiser, ...)
        if value is None:
            value = ctype()
        if isinstance(value, _PY[ctype]):
            value = value.to_struct()
        if not isinstance(value, ctype):
            raise TypeError("%s: expected %s" % (where, _PY[ctype].__name__))
        setattr(st, name, value)
    else:
        if isinstance(value, bool):
            value = int(value)
        setattr(st, name, _scalar(value, ctype, where))


def new_struct(struct):
    """A struct as its llmroof_*_init() leaves it (size set, defaults filled)."""
    st = struct()
    init = struct.__name__ + "_init"
    if any(row[0] == init for row in capi.FUNCTIONS):
        getattr(capi.load(), init)(st)
    return st


def to_py(st):
    """The Python object for a ctypes struct."""
    py = _PY[type(st)]
    return py(**{name: get_field(st, name) for name, _ in py_fields(type(st))})


def _to_struct(self):
    """The ctypes struct for this object (the C _init() defaults, then every field)."""
    struct = type(self)._struct
    st = new_struct(struct)
    for name, _ in py_fields(struct):
        set_field(st, name, getattr(self, name))
    return st


def _default(struct, name, ctype):
    if _is_struct_array(ctype):
        elem = _PY[ctype._type_]
        return dataclasses.field(default_factory=lambda: [elem() for _ in range(ctype._length_)])
    if name in struct._enum_fields:
        return dataclasses.field(default=struct._enum_fields[name](0))
    if name in struct._flag_fields:
        return dataclasses.field(default=struct._flag_fields[name](0))
    if name in struct._counted_fields or name in struct._bitset_fields:
        return dataclasses.field(default_factory=list)
    if _is_chars(ctype):
        return dataclasses.field(default="")
    if ctype is ctypes.c_double:
        return dataclasses.field(default=0.0)
    if ctype in _PY:
        return dataclasses.field(default=None)
    return dataclasses.field(default=0)


def _type(struct, name, ctype):
    if name in struct._enum_fields:
        return struct._enum_fields[name]
    if name in struct._flag_fields:
        return struct._flag_fields[name]
    if (name in struct._counted_fields or name in struct._bitset_fields
            or _is_struct_array(ctype)):
        return list
    if _is_chars(ctype):
        return str
    if ctype in _PY:
        return _PY[ctype]
    return float if ctype is ctypes.c_double else int


def _make(pyname, struct, doc):
    fields = [(n, _type(struct, n, t), _default(struct, n, t)) for n, t in py_fields(struct)]
    cls = dataclasses.make_dataclass(pyname, fields, namespace={
        "__doc__": doc + "\n\nMirrors struct %s (llmroof.h); see docs/python.md." % struct.__name__,
        "_struct": struct,
        "to_struct": _to_struct,
        "from_struct": staticmethod(to_py),
    })
    cls.__module__ = "llmroof"
    _PY[struct] = cls
    return cls


Device = _make("Device", capi.llmroof_device,
               "A device: accelerator, CPU with its RAM, or storage.")
Link = _make("Link", capi.llmroof_link, "A link between devices (PCIe, NVLink, ...).")
System = _make("System", capi.llmroof_system, "A machine: accelerators, host, links, storage.")
Model = _make("Model", capi.llmroof_model, "A model's shapes.")
Quant = _make("Quant", capi.llmroof_quant, "A quantization (GGUF file type).")
KernelEfficiency = _make("KernelEfficiency", capi.llmroof_kernel_efficiency,
                         "An efficiency for one kernel class.")
Band = _make("Band", capi.llmroof_band,
             "The likely error of an engine backend on one kind of placement: "
             "speed * lo .. speed * hi.")
EngineBackend = _make("EngineBackend", capi.llmroof_engine_backend,
                      "An engine's efficiencies and overheads on one backend.")
Engine = _make("Engine", capi.llmroof_engine, "An inference engine (llama.cpp, vllm, ...).")
Tier = _make("Tier", capi.llmroof_tier, "One memory tier of a placement.")
Result = _make("Result", capi.llmroof_result, "What llmroof_estimate() predicts.")
Request = _make("Request", capi.llmroof_request, "An estimate request (llmroof_request).")
Candidate = _make("Candidate", capi.llmroof_candidate,
                  "One quant a pick weighed, with its verdict and reason.")
GgufInfo = _make("GgufInfo", capi.llmroof_gguf_info, "What a GGUF file's header says.")
TrainRequest = _make("TrainRequest", capi.llmroof_train_request,
                     "A fine-tuning request (llmroof_train_request).")
TrainResult = _make("TrainResult", capi.llmroof_train_result,
                    "What llmroof_train_estimate() predicts: memory per accelerator, "
                    "fit, tokens/s.")
PickResult = _make("PickResult", capi.llmroof_pick_result,
                   "What llmroof_pick() chose, and why every other candidate lost.")
ImagePart = _make("ImagePart", capi.llmroof_image_part,
                  "One network of an image pipeline: a text encoder, the denoiser, the VAE.")
ImageModel = _make("ImageModel", capi.llmroof_image_model,
                   "A diffusion image model (docs/model.md section 9).")
ImageRequest = _make("ImageRequest", capi.llmroof_image_request,
                     "An image estimate request (llmroof_image_request).")
ImageResult = _make("ImageResult", capi.llmroof_image_result,
                    "What llmroof_image_estimate() predicts.")

# Section -> (Python class, C name of the section's descriptor).
SECTIONS = {
    capi.Section.DEVICES: (Device, "device"),
    capi.Section.LINKS: (Link, "link"),
    capi.Section.SYSTEMS: (System, "system"),
    capi.Section.MODELS: (Model, "model"),
    capi.Section.QUANTS: (Quant, "quant"),
    capi.Section.ENGINES: (Engine, "engine"),
    capi.Section.IMAGE_MODELS: (ImageModel, "image_model"),
}
