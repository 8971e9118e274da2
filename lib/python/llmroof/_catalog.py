"""Catalog, the class owning a llmroof_catalog handle, and estimate()."""
import ctypes
import os

from . import _objects, capi
from ._objects import SECTIONS

# llmroof_request fields estimate() takes as keywords (all but the three ids).
WORKLOAD = tuple(n for n, _ in _objects.py_fields(capi.llmroof_request)
                 if n not in ("system", "model", "quant"))


def _err():
    return _objects.new_struct(capi.llmroof_error)


def _flags(override):
    return capi.LLMROOF_LOAD_OVERRIDE if override else 0


def _id(value, what):
    if not isinstance(value, str):
        raise TypeError("%s id: expected a str, got %s" % (what, type(value).__name__))
    return value.encode("utf-8")


class Catalog:
    """A validated set of descriptors (devices, links, systems, models,
    quants, engines): owns one llmroof_catalog handle.

    Catalog() is empty; Catalog.builtin(), Catalog.from_file() and
    Catalog.from_string() make one and load into it.  close() frees the
    handle (also on leaving a `with` block, and when the object is collected).

    Reading (estimate, get_*, ids, count) may run in many threads at once;
    loading and adding must not run concurrently with anything else on the
    same catalog, and neither may close().
    """

    def __init__(self):
        self._lib = capi.load()
        self._free = self._lib.llmroof_catalog_free  # __del__ must not need globals
        handle = ctypes.POINTER(capi.llmroof_catalog)()
        self._lib.llmroof_catalog_new(ctypes.byref(handle), _err())
        self._handle = handle

    # ---------------------------------------------------------------- lifetime
    @classmethod
    def builtin(cls):
        """A catalog holding the catalog bundled with the library."""
        cat = cls()
        try:
            cat.load_builtin()
        except BaseException:
            cat.close()
            raise
        return cat

    @classmethod
    def from_file(cls, path, override=False):
        """A catalog holding one YAML file (no builtin entries)."""
        cat = cls()
        try:
            cat.load_file(path, override=override)
        except BaseException:
            cat.close()
            raise
        return cat

    @classmethod
    def from_string(cls, text, name=None, override=False):
        """A catalog holding YAML text; `name` stands for the file name in errors."""
        cat = cls()
        try:
            cat.load_string(text, name=name, override=override)
        except BaseException:
            cat.close()
            raise
        return cat

    def close(self):
        """Frees the handle; later calls raise ValueError.  Closing twice is fine."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._free(handle)

    @property
    def closed(self):
        return not getattr(self, "_handle", None)

    def __enter__(self):
        self._h()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def __repr__(self):
        if self.closed:
            return "<llmroof.Catalog closed>"
        return "<llmroof.Catalog %s>" % " ".join(
            "%s=%d" % (k, v) for k, v in self.counts().items())

    def _h(self):
        handle = getattr(self, "_handle", None)
        if not handle:
            raise ValueError("operation on a closed llmroof.Catalog")
        return handle

    # ---------------------------------------------------------------- loading
    def load_builtin(self, override=False):
        """Adds the catalog bundled with the library (reads no file)."""
        self._lib.llmroof_catalog_load_builtin(self._h(), _flags(override), _err())

    def load_file(self, path, override=False):
        """Adds one YAML file: all of it, or on error nothing."""
        self._lib.llmroof_catalog_load_file(self._h(), os.fsencode(path), _flags(override),
                                            _err())

    def load_string(self, text, name=None, override=False):
        """Adds YAML from a str (or bytes): all of it, or on error nothing."""
        if isinstance(text, str):
            data = text.encode("utf-8")
        elif isinstance(text, (bytes, bytearray, memoryview)):
            data = bytes(text)
        else:  # bytes(5) would be five NUL bytes (issue 14)
            raise TypeError("text: expected a str or bytes, got %s" % type(text).__name__)
        cname = None if name is None else os.fsencode(name)
        self._lib.llmroof_catalog_load_string(self._h(), cname, data, len(data),
                                              _flags(override), _err())

    def add(self, descriptor, override=False):
        """Adds a Device, Link, System, Model, Quant or Engine (or its ctypes
        struct).  A system's devices and links must be in the catalog already."""
        for py, cname in SECTIONS.values():
            if isinstance(descriptor, (py, py._struct)):
                st = descriptor.to_struct() if isinstance(descriptor, py) else descriptor
                func = getattr(self._lib, "llmroof_catalog_add_" + cname)
                func(self._h(), st, _flags(override), _err())
                return
        raise TypeError("not a descriptor: %s" % type(descriptor).__name__)

    def add_device(self, device, override=False):
        self._add(_objects.Device, device, override)

    def add_link(self, link, override=False):
        self._add(_objects.Link, link, override)

    def add_system(self, system, override=False):
        self._add(_objects.System, system, override)

    def add_model(self, model, override=False):
        self._add(_objects.Model, model, override)

    def add_quant(self, quant, override=False):
        self._add(_objects.Quant, quant, override)

    def add_engine(self, engine, override=False):
        self._add(_objects.Engine, engine, override)

    def add_image_model(self, image_model, override=False):
        return self._add(_objects.ImageModel, image_model, override)

    def _add(self, py, descriptor, override):
        if not isinstance(descriptor, (py, py._struct)):
            raise TypeError("expected llmroof.%s, got %s" % (py.__name__,
                                                             type(descriptor).__name__))
        self.add(descriptor, override)

    # ---------------------------------------------------------------- reading
    def get(self, section, ident):
        """The descriptor `ident` of a section (Section, or "devices", ...)."""
        py, cname = SECTIONS[capi.Section.member(section)]
        st = _objects.new_struct(py._struct)
        getattr(self._lib, "llmroof_catalog_get_" + cname)(
            self._h(), _id(ident, cname), st, _err())
        return _objects.to_py(st)

    def get_device(self, ident):
        return self.get(capi.Section.DEVICES, ident)

    def get_link(self, ident):
        return self.get(capi.Section.LINKS, ident)

    def get_system(self, ident):
        return self.get(capi.Section.SYSTEMS, ident)

    def get_model(self, ident):
        return self.get(capi.Section.MODELS, ident)

    def get_quant(self, ident):
        return self.get(capi.Section.QUANTS, ident)

    def get_engine(self, ident):
        return self.get(capi.Section.ENGINES, ident)

    def get_image_model(self, ident):
        return self.get(capi.Section.IMAGE_MODELS, ident)

    def count(self, section):
        """Number of entries in a section."""
        return self._lib.llmroof_catalog_count(self._h(), int(capi.Section.member(section)))

    def counts(self):
        """{"devices": n, "links": n, ...} for every section."""
        return {s.label: self.count(s) for s in capi.Section}

    def ids(self, section):
        """Ids of a section, in load order."""
        h, s = self._h(), int(capi.Section.member(section))
        ids = []
        for i in range(self._lib.llmroof_catalog_count(h, s)):
            ident = self._lib.llmroof_catalog_id(h, s, i)
            if ident is not None:
                ids.append(ident)
        return ids

    # ---------------------------------------------------------------- estimate
    def estimate(self, system, model, quant, **workload):
        """See llmroof.estimate()."""
        req = _objects.new_struct(capi.llmroof_request)
        _objects.set_field(req, "system", system)
        _objects.set_field(req, "model", model)
        _objects.set_field(req, "quant", quant)
        for name, value in workload.items():
            if name not in WORKLOAD:
                raise TypeError("estimate() got an unexpected keyword %r (expected: %s)" % (
                    name, ", ".join(WORKLOAD)))
            _objects.set_field(req, name, value)
        res = _objects.new_struct(capi.llmroof_result)
        self._lib.llmroof_estimate(self._h(), req, res, _err())
        return _objects.to_py(res)

    def image_estimate(self, system, model, **options):
        """See llmroof.image_estimate()."""
        req = _objects.new_struct(capi.llmroof_image_request)
        _objects.set_field(req, "system", system)
        _objects.set_field(req, "model", model)
        for name, value in options.items():
            if name not in IMAGE_OPTIONS:
                raise TypeError("image_estimate() got an unexpected keyword %r (expected: %s)"
                                % (name, ", ".join(IMAGE_OPTIONS)))
            _objects.set_field(req, name, value)
        res = _objects.new_struct(capi.llmroof_image_result)
        self._lib.llmroof_image_estimate(self._h(), req, res, _err())
        return _objects.to_py(res)


IMAGE_OPTIONS = ("engine", "width", "height", "steps", "batch", "denoiser_bits", "offload",
                 "electricity_price")


def image_estimate(catalog, system, model, **options):
    """Predicts whether diffusion image `model` fits on `system` and its seconds per image.

    Keywords are llmroof_image_request fields (defaults: the library's
    llmroof_image_request_init()): engine, width, height, steps, batch,
    denoiser_bits, offload ("auto", "none", "model"), electricity_price.
    Returns a llmroof.ImageResult; raises LlmroofError for bad requests (a
    pipeline that does not fit is not an error: result.fit is Fit.NONE).
    """
    return catalog.image_estimate(system, model, **options)


def estimate(catalog, system, model, quant, **workload):
    """Predicts memory fit and speed of `model` quantized as `quant` on `system`.

    Keywords are llmroof_request fields (defaults: the library's
    llmroof_request_init()): engine, ctx, depth, prompt, gen, batch, ubatch,
    kv_type, gpu_layers, split, tensor_split, flash_attention, gpu_share,
    backend, threads, electricity_price.  Enum fields take members, labels ("q8_0", "row") or names.
    Returns a llmroof.Result; raises LlmroofError for bad requests (a model
    that does not fit is not an error: result.fit is Fit.NONE).
    """
    return catalog.estimate(system, model, quant, **workload)


TRAIN_OPTIONS = tuple(n for n, _ in _objects.py_fields(capi.llmroof_train_request)
                      if n not in ("system", "model", "reserved_u32"))


def _train_estimate(self, system, model, **options):
    """See llmroof.train_estimate()."""
    req = _objects.new_struct(capi.llmroof_train_request)
    _objects.set_field(req, "system", system)
    _objects.set_field(req, "model", model)
    for name, value in options.items():
        if name not in TRAIN_OPTIONS:
            raise TypeError("train_estimate() got an unexpected keyword %r (expected: %s)" % (
                name, ", ".join(TRAIN_OPTIONS)))
        _objects.set_field(req, name, value)
    res = _objects.new_struct(capi.llmroof_train_result)
    self._lib.llmroof_train_estimate(self._h(), req, res, _err())
    return _objects.to_py(res)


Catalog.train_estimate = _train_estimate


def train_estimate(catalog, system, model, **options):
    """Predicts the memory per accelerator of fine-tuning `model` on `system`,
    whether it fits, and the training tokens/s (llmroof_train_estimate(),
    docs/model.md §10).

    Keywords are llmroof_train_request fields (defaults: the library's
    llmroof_train_request_init()): method ("full", "lora", "qlora"), seq_len,
    micro_batch, checkpointing, flash_attention, lora_rank, lora_targets
    ("attention", "all-linear"), optimizer ("adamw", "adamw-8bit", "sgd"),
    gpus, engine, electricity_price.  Returns a llmroof.TrainResult; raises
    LlmroofError for bad requests (not fitting is not an error: result.fit
    is Fit.NONE)."""
    return catalog.train_estimate(system, model, **options)


PICK_OPTIONS = ("quants", "kv_types", "min_ctx", "min_decode_tps", "min_prefill_tps", "max_ttft",
                "headroom", "no_offload", "allow_storage")


def _pick(self, system, model, quants=None, kv_types=None, min_ctx=0, min_decode_tps=0.0,
          min_prefill_tps=0.0, max_ttft=0.0, headroom=0, no_offload=False, allow_storage=False,
          **workload):
    """See llmroof.pick()."""
    lib = self._lib
    req = _objects.new_struct(capi.llmroof_pick_request)
    lib.llmroof_pick_request_init(req)
    _objects.set_field(req.base, "system", system)
    _objects.set_field(req.base, "model", model)
    for name, value in workload.items():
        if name not in WORKLOAD or name in ("quant", "kv_type", "gpu_layers"):
            raise TypeError("pick() got an unexpected keyword %r (expected: %s)" % (
                name, ", ".join(PICK_OPTIONS + tuple(w for w in WORKLOAD
                                                     if w not in ("quant", "kv_type",
                                                                  "gpu_layers")))))
        _objects.set_field(req.base, name, value)
    if quants:
        _objects.set_field(req, "quants", list(quants))
    if kv_types:
        mask = 0
        for kv in kv_types:
            mask |= 1 << int(capi.KvType.member(kv))
        _objects.set_field(req, "kv_types", mask)
    # The same type and range checks as every other field (issue 14: int()
    # and float() wrapped 2**64 + 20 GiB to 20 GiB, -1 to 2**64 - 1, and
    # took "500" and 1.9).
    for name, value in (("min_ctx", min_ctx), ("min_decode_tps", min_decode_tps),
                        ("min_prefill_tps", min_prefill_tps), ("max_ttft", max_ttft),
                        ("headroom", headroom)):
        _objects.set_field(req, name, value)
    if no_offload:
        req.flags |= capi.LLMROOF_PICK_NO_OFFLOAD
    if allow_storage:
        req.flags &= ~capi.LLMROOF_PICK_NO_STORAGE
    res = _objects.new_struct(capi.llmroof_pick_result)
    lib.llmroof_pick_result_init(res)
    lib.llmroof_pick(self._h(), req, res, _err())
    out = _objects.to_py(res)
    n = lib.llmroof_pick_llama_args(res, None, 0)
    buf = ctypes.create_string_buffer(n + 1)
    lib.llmroof_pick_llama_args(res, buf, n + 1)
    out.llama_args = buf.value.decode()
    return out


Catalog.pick = _pick


def pick(catalog, system, model, **options):
    """The best-quality quant of `model` that fits on `system` and meets every
    target (llmroof_pick(), docs/pick.md).

    Options: quants (ids to choose among; default every quant the engine
    loads), kv_types (e.g. ["f16", "q8_0"]), min_ctx (the context may shrink
    down to it before layers are offloaded), min_decode_tps, min_prefill_tps,
    max_ttft (seconds), headroom (bytes free on every GPU), no_offload,
    allow_storage, and the workload keywords of estimate() (engine, ctx,
    prompt, gen, batch, split, backend, ...).  Returns a llmroof.PickResult:
    .chosen (index or -1), .closest, .advice, .request, .estimate,
    .candidates (each with .verdict and .reason) and .llama_args, the
    llama-server arguments of the choice."""
    return catalog.pick(system, model, **options)


def model_from_gguf(path):
    """(Model, Quant, GgufInfo) from a GGUF file's header (llmroof_model_from_gguf,
    docs/gguf.md); add them with Catalog.add_model / add_quant to estimate or
    pick with them.  Raises LlmroofError for unreadable or malformed files."""
    lib = capi.load()
    m = _objects.new_struct(capi.llmroof_model)
    q = _objects.new_struct(capi.llmroof_quant)
    i = _objects.new_struct(capi.llmroof_gguf_info)
    lib.llmroof_model_init(m)
    lib.llmroof_quant_init(q)
    lib.llmroof_gguf_info_init(i)
    lib.llmroof_model_from_gguf(os.fsencode(path), m, q, i, _err())
    return _objects.to_py(m), _objects.to_py(q), _objects.to_py(i)


def model_from_config(path):
    """Model from a Hugging Face config.json (llmroof_model_from_config,
    docs/gguf.md "config.json"); add it with Catalog.add_model and pair it
    with any catalog quant.  Raises LlmroofError for malformed files or
    ones that lack a shape."""
    lib = capi.load()
    m = _objects.new_struct(capi.llmroof_model)
    lib.llmroof_model_init(m)
    lib.llmroof_model_from_config(os.fsencode(path), m, _err())
    return _objects.to_py(m)
