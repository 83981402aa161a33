"""The caps on a submission (IntakeLimits) and the checks of a listing against them, made on
the sizes the entries declare before a byte is written (unpack.py counts the real bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.errors import InputRejected
from grader.intake.names import _show

if TYPE_CHECKING:
    from grader.intake.listing import _Entry

MIB = 1024 * 1024
RATIO_FLOOR_BYTES = MIB  # compression ratios are judged only past this much data


@dataclass(frozen=True)
class IntakeLimits:
    """Caps applied when a submission is unpacked."""

    max_archive_mb: float = 100.0
    max_total_mb: float = 50.0
    max_files: int = 2000
    max_ratio: float = 100.0
    max_entries: int = 20000  # including ignored entries (.git, venvs, ...)


DEFAULT_LIMITS = IntakeLimits()


def _budget(limits: IntakeLimits) -> int:
    return int(limits.max_total_mb * MIB)


def _too_many_entries(where: str, count: str, limits: IntakeLimits) -> InputRejected:
    return InputRejected(f"{where} has {count} entries, over the {limits.max_entries:,} "
                         "entry cap (ignored ones included).", rule="file-count")


def _check_caps(where: str, kept: list[_Entry], limits: IntakeLimits,
                compressed: int | None) -> None:
    """File count, compression ratio (zip only) and total size, on the declared sizes."""
    if len(kept) > limits.max_files:
        raise InputRejected(f"{where} holds more than {limits.max_files:,} files, over the "
                            "file-count cap.", rule="file-count")
    total = sum(e.size for e in kept)
    if compressed is not None and total > RATIO_FLOOR_BYTES:
        ratio = total / max(compressed, 1)
        if ratio > limits.max_ratio:
            raise InputRejected(
                f"{where} would expand {ratio:,.0f} times ({total / MIB:,.1f} MiB from "
                f"{compressed / MIB:,.1f} MiB), over the {limits.max_ratio:g}x "
                "compression-ratio cap (a zip bomb?).", rule="compression-ratio")
        for e in kept:
            info = e.zip_info
            if info is not None and e.size > RATIO_FLOOR_BYTES:
                ratio = e.size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise InputRejected(
                        f"{where}: entry {_show(e.name)} would expand {ratio:,.0f} times, over "
                        f"the {limits.max_ratio:g}x compression-ratio cap (a zip bomb?).",
                        rule="compression-ratio")
    if total > _budget(limits):
        raise InputRejected(f"{where} unpacks to {total / MIB:,.1f} MiB, over the "
                            f"{limits.max_total_mb:g} MiB total-size cap.", rule="total-size")
