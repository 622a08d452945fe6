"""Export every figure kind from the real database as the pages build it, at 1600 x 900 and 1280 x 720, as PNG (to
look at) and SVG (measured): ``.venv/bin/python -m tests.export_gallery OUTDIR``. Prints the text problems found
(tests/layout_check.py); the same checks run on hand-made figures in tests/unit/test_export_layout.py."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import pandas as pd

from mapping import charts, clusters, db, export, maps, provenance
from mapping import scoreboard as sb
from mapping.geo import EUROPE_BBOX, view_for_bbox
from tests import figures
from tests.layout_check import Measurer, problems

REGION = "DE11"


def _geometries(con) -> tuple[dict, dict]:
    frame = db.query(con, "geometry", level=2, scale="60M")
    geoms = {k: json.loads(g) for k, g in zip(frame["key"], frame["geojson"], strict=True)}
    base = db.query(con, "base_outlines", scale="60M")
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": c, "geometry": json.loads(g)}
            for c, g in zip(base["code"], base["geojson"], strict=True)
        ],
    }
    return geoms, fc


def build(con) -> dict[str, tuple]:
    """name -> (figure, title, caption)."""
    q = functools.partial(db.query, con)
    sources = q("sources")
    thr = clusters.DEFAULTS
    ctx = dict(sector_set="division", year=2014, method="observatory", **thr.params())
    cap = provenance.caption(
        sources, list(clusters.SBS_SOURCES), years="2014", extra=f"Observatory: {thr.rule('observatory')}."
    )
    out: dict[str, tuple] = {}
    port = q("cluster_portfolio", region=REGION, base_year=2008, **ctx)
    out["portfolio"] = (
        charts.portfolio_bubbles(port, base_year=2008, year=2014),
        "Cluster portfolio of Stuttgart (DE11), 2014",
        cap,
    )
    view = q("cluster_sector_view", nace="C29", **ctx)
    out["ranking"] = (
        charts.ranking_bar(view, value="lq", label="name", unit="LQ", colour_by="stars", highlight=REGION),
        "Top 20 regions by LQ, C29, 2014",
        cap,
    )
    shown = view.assign(
        value=view["lq"], rank=view["lq"].rank(ascending=False, method="min"), n=view["lq"].notna().sum()
    )
    geoms, base = _geometries(con)
    center, zoom = view_for_bbox(EUROPE_BBOX, width=620, height=620)
    spec = maps.MapSpec(
        title="C29: location quotient, 2014",
        unit="LQ (1 = EU share)",
        palette="puor",
        reference=1.0,
        reference_label="LQ",
        log2=True,
    )
    key = next(k for k in geoms if k.startswith(REGION + "|"))
    out["map"] = (
        maps.choropleth(
            shown,
            spec=spec,
            geometries=geoms,
            base=base,
            highlight=key,
            center=center,
            zoom=zoom,
            bbox=EUROPE_BBOX,
        ),
        "C29 Manufacture of motor vehicles, trailers and semi-trailers: location quotient, 2014",
        cap + " " + provenance.BOUNDARIES,
    )
    summary = q("cluster_summary", **ctx)
    pivot = summary.pivot_table(index="country", columns="nace", values="starred", aggfunc="sum", fill_value=0)
    pivot = pivot.loc[pivot.sum(axis=1) > 0, pivot.sum(axis=0) > 0]
    out["heatmap"] = (
        charts.summary_heatmap(pivot, title_z="cells", height=max(420, 22 * len(pivot) + 140)),
        "Starred cells by country and sector (>= 1 star), 2014",
        cap,
    )
    curve = clusters.threshold_curve(
        q, sector_set="division", year=2014, method="observatory", base=thr, param="spec_lq"
    )
    out["sensitivity"] = (
        charts.sensitivity_curve(curve, label=clusters.SWEEPS["spec_lq"][0], base=2.0, alt=1.5),
        "Starred cells as the LQ threshold moves",
        cap,
    )
    sc = sb.load(q, method="minmax")
    nm = dict(zip(sc.board.universe["code"], sc.board.universe["name"], strict=True))
    labels = {d.id: d.label for d in sc.framework.dimensions} | {"overall": "Overall score"}
    region = REGION if REGION in sc.board.dims.index else sc.board.dims.index[0]
    peer_codes, table = _peers(sc, region)
    sb_cap = provenance.caption(sources, sorted({s for s in sc.catalog["source_id"] if s}))
    card = sb.scorecard(sc.board, region, peer_codes, sc.framework.strength_margin).join(
        sc.catalog[["label", "dimension"]]
    )
    out["scorecard"] = (
        charts.scorecard_bars(card, margin=sc.framework.strength_margin, height=max(420, 20 * len(card) + 80)),
        f"Scorecard: {nm.get(region)} against its peers",
        sb_cap,
    )
    out["peers"] = (
        charts.peer_contributions(table, labels=sc.framework.peer_labels, names=nm, height=300),
        f"Why these peers for {nm.get(region)}",
        sb_cap,
    )
    own, med = sc.board.dims.loc[region], sc.board.dims.loc[peer_codes].median()
    out["dimensions"] = (
        charts.dimension_bars(own, med, labels=labels, name=nm[region]),
        "Dimension scores against the peer median",
        sb_cap,
    )
    out["radar"] = (
        charts.radar(sc.board.dims.loc[[region, *peer_codes]], labels=labels, names=nm, highlight=region),
        "Radar: the region and its peers",
        sb_cap,
    )
    ids = list(sc.board.norm.columns[:8])
    ind_labels = sc.catalog["label"].to_dict()
    out["indicators"] = (
        charts.indicator_bars(sc.board.norm.loc[[region, *peer_codes[:2]], ids], labels=ind_labels, names=nm),
        "Normalised indicator scores",
        sb_cap,
    )
    for name in ("flips_bar", "parallel", "grouped_bars", "gap_scatter"):
        make, title = figures.KINDS[name]
        out[name] = (make(), title, sb_cap)
    return out


def _peers(sc: sb.Loaded, region: str) -> tuple[list[str], pd.DataFrame]:
    z = sc.structure_z.dropna()
    table = sb.peers(z, region, k=sc.framework.peers_k)
    return list(table.index), table


def main(outdir: str) -> int:
    path = Path(outdir)
    path.mkdir(parents=True, exist_ok=True)
    con = db.connect()
    built = build(con)
    measurer = Measurer()
    failures = 0
    try:
        for name, (fig, title, caption) in built.items():
            for w, h in ((1600, 900), (1280, 720)):
                (path / f"{name}-{w}x{h}.png").write_bytes(
                    export.to_png(fig, title=title, caption=caption, width=w, height=h)
                )
                found = problems(measurer.measure(export.to_svg(fig, title=title, caption=caption, width=w, height=h)))
                failures += bool(found)
                print(f"{name} {w}x{h}: {'ok' if not found else f'{len(found)} problems'}")
                for p in found[:8]:
                    print("   ", p)
    finally:
        measurer.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/export-gallery"))
