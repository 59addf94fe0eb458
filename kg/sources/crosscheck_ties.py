"""Cross-source overlap of sister-city ties: how many ties each combination of sources attests, and,
for each pair of sources, the ties one holds alone although the other names both places (so the
other could have listed the tie and did not). Part of the cross-source report (kg.crosscheck).
"""
from __future__ import annotations

from kg.core import Settings


def tie_overlap(rows: list[dict], source_of, labels_of, settings: Settings, max_listed: int = 2000) -> dict:
    """rows: ?agr ?a ?b ?g of every attested sister-city tie (one row per attesting graph)."""
    sources_of: dict[str, set[str]] = {}
    parties: dict[str, tuple[str, str]] = {}
    for r in rows:
        src = source_of(r["g"], settings)
        if src is None:
            continue
        sources_of.setdefault(r["agr"], set()).add(src)
        parties[r["agr"]] = (r["a"], r["b"])
    places_of: dict[str, set[str]] = {}  # source -> every place it names as a party of a tie
    for agr, srcs in sources_of.items():
        for s in srcs:
            places_of.setdefault(s, set()).update(parties[agr])
    combos: dict[str, int] = {}
    for srcs in sources_of.values():
        key = " + ".join(sorted(srcs))
        combos[key] = combos.get(key, 0) + 1
    alone: list[dict] = []
    names = sorted(places_of)
    for held in names:
        for other in names:
            if held == other:
                continue
            ties = [agr for agr, srcs in sources_of.items() if srcs == {held}
                    and parties[agr][0] in places_of[other] and parties[agr][1] in places_of[other]]
            if not ties:
                continue
            ties.sort()
            listed = ties[:max_listed]
            labels = labels_of({p for agr in listed for p in parties[agr]})
            alone.append({"held_by": held, "not_in": other, "count": len(ties),
                          "ties": [{"agreement": agr, "a": labels.get(parties[agr][0], parties[agr][0]),
                                    "b": labels.get(parties[agr][1], parties[agr][1])} for agr in listed]})
    return {"by_sources": dict(sorted(combos.items(), key=lambda kv: -kv[1])), "alone": alone}


def overlap_markdown(overlap: dict, max_rows: int = 30) -> list[str]:
    lines = ["## Sister-city ties: which sources attest each", "",
             "| attested by | ties |", "| --- | ---: |"]
    lines += [f"| {k} | {n} |" for k, n in overlap.get("by_sources", {}).items()]
    for a in overlap.get("alone", []):
        shown = a["ties"][:max_rows]
        lines += ["", f"{a['count']} tie(s) only {a['held_by']} holds although {a['not_in']} names both places"
                  + (f" (first {len(shown)}; all in the JSON report)" if a["count"] > len(shown) else "") + ": "
                  + "; ".join(f"{t['a']} – {t['b']}" for t in shown) + "."]
    return lines + [""]
