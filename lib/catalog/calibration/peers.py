"""The other estimators' speed formulas, re-implemented to score them on the
same measured rows as llmroof (docs/accuracy.md, "Peers").  Each takes the
llmroof tool's JSON for the row (for the machine's and model's figures, so
that every estimator sees the same hardware numbers) and returns decode
tokens/s, or None where the estimator gives no figure."""


def llmfit_tps(js):
    """llmfit: bandwidth / (params x bytes per param) x 0.55, with the
    bandwidth of the fastest device holding layers."""
    tiers = [t for t in js["placement"]["tiers"] if t["layers"] > 0]
    bw = max(t["bandwidth_bytes_per_s"] for t in tiers) if tiers else 0
    bpp = js["model"]["bpw"] / 8.0
    return bw / (js["model"]["params"] * bpp) * 0.55 if bw else None


def gguf_parser_tps(js, machine):
    """gguf-parser's device-metric estimate (filled in below)."""
    return None
