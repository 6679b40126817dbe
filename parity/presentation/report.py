"""The audit's reports: report.json, report.md, report.html (self-contained), junit.xml."""

from __future__ import annotations

import base64
import html
import io
import json
import os
import warnings
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from parity.orchestration.result import AuditResult
from parity.rules.compare import json_safe
from parity.text import shorten

__all__ = ["SCHEMA_VERSION", "result_to_json", "write_reports", "render_markdown", "render_html",
           "render_junit", "figures", "prepare_figures"]

#: report.json's schema; it changes whenever a check name or a field changes (README)
SCHEMA_VERSION = 2
_STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "not_run": "NOT RUN", "info": "INFO"}


def result_to_json(result: AuditResult) -> dict[str, Any]:
    """report.json's content: strict JSON (R's NA as "NA", NaN as "NaN", infinities as
    "Inf"/"-Inf"), whatever a check holds."""
    return json_safe({
        "schema_version": SCHEMA_VERSION,
        "started": result.started,
        "config": result.config.to_json(),
        "summary": result.summary(),
        "durations_s": result.durations,
        "versions": result.versions,
        "artifacts": result.artifacts,
        "resumed_epochs": result.resumed,
        "commands": result.commands,
        "checks": [asdict(c) for c in result.checks],
    })


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return shorten(text, limit, one_line=False)


def _md_cell(text: str) -> str:
    """A Markdown table cell that shows ``text`` literally: no line break, pipe, HTML or
    Markdown syntax from a run's strings can change the table."""
    text = " ".join(text.split())  # newlines and tabs would end the row
    text = html.escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_[]|#<>!~" else ch for ch in text)


def render_markdown(result: AuditResult) -> str:
    s = result.summary()
    cfg = result.config
    lines = [
        f"# Parity audit: {_md_cell(cfg.spec.title or cfg.spec.name)}",
        "",
        f"**Outcome: {s['outcome'].upper()}** - {s['pass']} passed, {s['fail']} failed, "
        f"{s['not_run']} not run, {s['info']} informational (of {s['required']} required).",
        "",
        f"Spec {_md_cell(cfg.spec.name)}, profile {_md_cell(cfg.profile)}, settings "
        f"{_md_cell(json.dumps(cfg.settings))}. Started {result.started}; "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.durations.items()) + ".",
        "",
    ]
    if s["failed_checks"]:
        lines += ["Required checks that did not pass: "
                  + ", ".join(_md_cell(n) for n in s["failed_checks"]), ""]
    group = None
    for c in result.checks:
        if c.group != group:
            group = c.group
            lines += ["", f"## {group}", "", "| check | status | R | Python | difference | rule |",
                      "|---|---|---|---|---|---|"]
        cells = [c.name, _STATUS_MARK[c.status] + (f" ({c.reason})" if c.reason else ""),
                 _short(c.r_value), _short(c.python_value), _short(c.difference), c.rule]
        lines.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
    lines += ["", "## versions", "", "```json", _inert_json(result.versions), "```", ""]
    if result.commands:  # what reproduces each side's run
        lines += ["## commands", "", "```json", _inert_json(result.commands), "```", ""]
    return "\n".join(lines)


def _inert_json(obj: Any) -> str:
    """``obj`` as indented JSON for a fenced block, with the characters that could end the
    block or open HTML escaped (inert in any renderer)."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    for ch, esc in (("`", "\\u0060"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(ch, esc)
    return text


def _pyplot():
    """matplotlib's pyplot on the Agg backend; ImportError without the "audit" extra."""
    # matplotlib (the "audit" extra) loads only to draw figures: out of the core
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def prepare_figures() -> None:
    """Load matplotlib ahead of :func:`figures` (about a second): the command line has the
    audit do it while the sides train. Without matplotlib, nothing (the reports say so)."""
    try:
        _pyplot()
    except ImportError:
        pass


def figures(result: AuditResult) -> dict[str, bytes]:
    """PNG figures: confusion heatmaps, training curves, per-class statistics."""
    plt = _pyplot()
    out: dict[str, bytes] = {}
    records = result.records
    r, py = records.get("r"), records.get("python")

    def png(fig) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        return buf.getvalue()

    tables = [("R (caret)", r.confusion.table if r and r.confusion else None),
              ("Python (port)", py.confusion.table if py and py.confusion else None)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    for ax, (title, table) in zip(axes, tables, strict=True):
        ax.set_title(title)
        if table is None:
            ax.text(0.5, 0.5, "not available", ha="center")
            ax.set_axis_off()
            continue
        t = np.asarray(table)
        ax.imshow(t, cmap="Blues")
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                ax.text(j, i, str(int(t[i, j])), ha="center", va="center", fontsize=7,
                        color="white" if t[i, j] > t.max() / 2 else "black")
        ax.set_xlabel("Reference")
        ax.set_ylabel("Prediction")
        ax.set_xticks(range(t.shape[1]))
        ax.set_yticks(range(t.shape[0]))
    out["confusion_heatmaps"] = png(fig)

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for side, hist, style in (("R", r.history if r else None, "-o"),
                                  ("Python", py.history if py else None, "--x")):
            if hist and metric in hist:
                ax.plot(range(1, len(hist[metric]) + 1), hist[metric], style, label=side)
        ax.set_title(f"training {metric}")
        ax.set_xlabel("epoch")
        ax.legend()
    out["training_curves"] = png(fig)

    if py is not None and py.confusion is not None and len(py.confusion.levels) > 2:
        by_class = {stat: py.confusion.by_class[:, j] for j, stat in enumerate(py.confusion.by_class_names)}
        fig, ax = plt.subplots(figsize=(11, 3.8))
        stats = ["Sensitivity", "Specificity", "Pos Pred Value", "Balanced Accuracy"]
        levels = py.confusion.levels
        width = 0.8 / len(stats)
        for k, stat in enumerate(stats):
            ax.bar(np.arange(len(levels)) + k * width, by_class[stat], width, label=stat)
        ax.set_xticks(np.arange(len(levels)) + 0.4 - width / 2)
        ax.set_xticklabels(levels)
        ax.set_ylim(0, 1.05)
        ax.set_title("per-class statistics (Python port; R identical where checks pass)")
        ax.legend(fontsize=8, ncol=4)
        out["per_class"] = png(fig)
    return out


def render_html(result: AuditResult, figs: dict[str, bytes]) -> str:
    s = result.summary()
    e = html.escape

    def img(key: str, alt: str) -> str:
        if key not in figs:
            return f"<p>{e(alt)}: not available</p>"
        data = base64.b64encode(figs[key]).decode()
        return (f'<figure><img alt="{e(alt)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{e(alt)}</figcaption></figure>")

    rows = []
    for c in result.checks:
        rows.append(
            f'<tr class="{c.status}"><td>{e(c.name)}</td><td>{_STATUS_MARK[c.status]}</td>'
            f"<td>{e(_short(c.r_value, 120))}</td><td>{e(_short(c.python_value, 120))}</td>"
            f"<td>{e(_short(c.difference, 80))}</td><td>{e(c.rule)}</td><td>{e(c.reason)}</td></tr>")
    style = """
body{font-family:sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
tr.pass td:nth-child(2){color:#1a7f37}tr.fail td:nth-child(2){color:#cf222e;font-weight:bold}
tr.not_run td:nth-child(2){color:#9a6700;font-weight:bold}tr.info td:nth-child(2){color:#0969da}
.outcome-pass{color:#1a7f37}.outcome-fail{color:#cf222e}figure{display:inline-block;margin:1em 0}
img{max-width:100%}"""
    cfg = result.config
    title = cfg.spec.title or cfg.spec.name
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Parity audit: {e(s['outcome'])}</title>
<style>{style}</style></head><body>
<h1>Parity audit: {e(title)}</h1>
<p class="outcome-{e(s['outcome'])}"><strong>Outcome: {e(s['outcome'].upper())}</strong> -
{s['pass']} passed, {s['fail']} failed, {s['not_run']} not run, {s['info']} informational
(of {s['required']} required).</p>
<p>Spec <code>{e(cfg.spec.name)}</code>, profile <code>{e(cfg.profile)}</code>, settings
<code>{e(json.dumps(cfg.settings))}</code>. Started {e(result.started)}.</p>
<h2>First 64 training images</h2>{img('first64', 'the first 64 training images with their class names')}
<h2>Confusion matrices</h2>{img('confusion_heatmaps', 'R and Python confusion tables, side by side')}
<h2>Training</h2>{img('training_curves', 'per-epoch loss and accuracy, R and Python')}
<h2>Per-class statistics</h2>{img('per_class', 'per-class statistics')}
<h2>Checks</h2>
<table><thead><tr><th>check</th><th>status</th><th>R</th><th>Python</th><th>difference</th><th>rule</th><th>note</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Versions</h2><pre>{e(json.dumps(result.versions, indent=2))}</pre>
</body></html>
"""


def render_junit(result: AuditResult) -> str:
    """junit.xml: a ``<testsuites>`` root holding one ``<testsuite>`` (the audit), with the
    settings and versions as ``<properties>`` and one ``<testcase>`` per check.

    A failed check is a ``<failure>``, a check that did not run an ``<error>`` (never a pass),
    an informational one ``<skipped>`` with its reason. The counts are on both elements, as CI
    tools read either.
    """
    s = result.summary()

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, default=str,
                                                              ensure_ascii=False)

    # <properties>: the audit's settings and every version both sides recorded
    cfg = result.config.to_json()
    props = [(key, text(cfg[key])) for key in ("spec", "spec_path", "profile", "parallel",
                                               "keras_defaults")]
    props += [(f"settings.{k}", text(v)) for k, v in cfg["settings"].items()]
    props += [(f"versions.{side}.{k}", text(v)) for side, versions in result.versions.items()
              for k, v in versions.items()]
    props += [("outcome", s["outcome"]), ("started", result.started)]
    props += [(f"durations_s.{k}", f"{v:.3f}") for k, v in result.durations.items()]
    counts = dict(tests=str(len(result.checks)), failures=str(s["fail"]), errors=str(s["not_run"]),
                  skipped=str(s["info"]), time=f"{result.durations.get('total_s', 0):.3f}")
    root = ET.Element("testsuites", {"name": "parity-audit", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": f"parity-audit.{result.config.spec.name}",
                                              "timestamp": result.started, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in props:
        ET.SubElement(properties, "property", name=name, value=value)
    for c in result.checks:
        case = ET.SubElement(suite, "testcase", classname=f"parity.{c.group}", name=c.name,
                             time="0")
        detail = (f"R: {_short(c.r_value, 400)}\nPython: {_short(c.python_value, 400)}\n"
                  f"difference: {_short(c.difference, 200)}\nrule: {c.rule}")
        if c.status == "fail":
            ET.SubElement(case, "failure", message=f"{c.name} failed ({c.rule})").text = detail
        elif c.status == "not_run":
            # a required check that did not run is an error for CI, never a pass
            ET.SubElement(case, "error", message=f"not run: {c.reason}").text = detail
        elif c.status == "info":
            ET.SubElement(case, "skipped", message=f"informational: {c.reason}").text = detail
        ET.SubElement(case, "system-out").text = detail
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_reports(result: AuditResult, out_dir: Path, first64: Path | None = None) -> None:
    """Write the four reports into ``out_dir`` (which the caller renames into place).

    Without matplotlib (the ``audit`` extra) report.html says so in place of its figures. When
    ``GITHUB_STEP_SUMMARY`` names a file (a GitHub Actions step), report.md is appended to it,
    so the job's summary page shows the checks.
    """
    try:
        with warnings.catch_warnings():  # matplotlib's notes on empty legends: cosmetic
            warnings.simplefilter("ignore", UserWarning)
            figs = figures(result)
    except ImportError as exc:  # matplotlib missing: the reports without figures
        figs = {}
        print(f"parity: report.html without figures ({exc}; install the 'audit' extra: "
              "pip install 'keras-caret-parity[audit]')")
    if first64 is not None and first64.exists():
        figs["first64"] = first64.read_bytes()
    markdown = render_markdown(result)
    (out_dir / "report.json").write_text(json.dumps(result_to_json(result), indent=2,
                                                    default=str, allow_nan=False) + "\n")
    (out_dir / "report.md").write_text(markdown)
    (out_dir / "report.html").write_text(render_html(result, figs))
    (out_dir / "junit.xml").write_text(render_junit(result))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(markdown.rstrip("\n") + "\n\n")
        except OSError as exc:  # the reports are written; a job summary is a convenience
            print(f"parity: could not append report.md to GITHUB_STEP_SUMMARY={summary}: {exc}")
