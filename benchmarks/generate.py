"""Seeded generator of SYNTHETIC city-diplomacy data in the shape of data/seed-articles.

!!! Everything this module produces is SYNTHETIC: invented cities, countries, municipalities,
!!! networks, documents, quotes, agreements, memberships and events, made by a seeded random
!!! generator for benchmarking only. None of it is a fact about any real place or organisation.
!!! All IRIs live under https://w3id.org/cdkg/id/bench/ so they can never be mistaken for (or
!!! collide with) curated data, and every document carries a note saying it is synthetic.

Shape (as in data/seed-articles/*.ttl and ontology/cdkg.ttl):
- countries (cd:Country) and cities (cd:City) with rdfs:label @en/@fa, cd:inCountry, geo:lat/long,
  cd:governedBy their municipality (cd:Municipality, cd:governs / cd:basedIn);
- networks (cd:Network, cd:networkKind) and publishers (cd:MediaOrganization);
- source documents (cd:NewsArticle) with dcterms:publisher and cd:publicationDate [ time:Instant ];
- agreements (cd:Agreement, cd:agreementKind, cd:partyA / cd:partyB), mostly sister-city, each with
  1-3 cd:StatusAssertion nodes (cd:statusOf, cd:status, cd:certainty, cd:statusDate [ time:Instant ;
  time:inXSDDate ; time:unitType ; cd:jalaliText ], cd:attestedBy [ cd:Attestation ; cd:document ;
  cd:quote @fa ; cd:quoteTranslation @en ]);
- memberships (org:Membership, org:member, org:organization, cd:joinedOn, cd:attestedBy);
- events (cd:Event, cd:eventKind, cd:eventStatus, cd:organizer, cd:participant, cd:location,
  cd:date, cd:attestedBy).

Partners are drawn with a skewed (Zipf-like) weight so a few hub cities have many ties, as in
real twinning networks; city 00000 is the biggest hub and network 000 the biggest network.

Output is N-Triples (one triple per line; N-Triples is also valid Turtle), so the size is exact:
`generate()` stops at the first fact node that reaches the target, i.e. within a few dozen
triples of it. Below ~1,000 triples the minimum entity pools (20 cities, 10 documents...) dominate
and the output overshoots.

    python benchmarks/generate.py --triples 100000 --out /tmp/x.nt [--seed 1]
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
from pathlib import Path

import jdatetime

BENCH = "https://w3id.org/cdkg/id/bench/"
CD = "https://w3id.org/cdkg/ontology#"
CDC = "https://w3id.org/cdkg/concept/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Vocabulary concepts defined in ontology/cdkg.ttl (weights roughly as in city-diplomacy news).
AGREEMENT_KINDS = [("agreement-sister-city", 70), ("agreement-mou", 18), ("agreement-friendship", 7),
                   ("agreement-cooperation-document", 5)]
KIND_WORDS = {"agreement-sister-city": ("sister-city agreement", "خواهرخواندگی"),
              "agreement-mou": ("memorandum of understanding", "تفاهم‌نامه"),
              "agreement-friendship": ("friendship agreement", "پیمان دوستی"),
              "agreement-cooperation-document": ("cooperation document", "سند همکاری")}
# A status history runs forward along this ladder (with the odd dormant/revived/ended).
STATUS_LADDER = ["status-candidate", "status-proposed", "status-under-negotiation",
                 "status-about-to-be-signed", "status-signed", "status-dormant", "status-revived",
                 "status-ended"]
CERTAINTIES = [("certainty-stated", 80), ("certainty-inferred", 15), ("certainty-approximate", 5)]
EVENT_KINDS = ["exchange-online-meeting", "exchange-meeting", "exchange-correspondence",
               "exchange-cultural-week", "exchange-exhibition", "exchange-academic-meeting",
               "exchange-summit", "exchange-festival", "exchange-knowledge-transfer",
               "exchange-expert-working-group"]
EVENT_STATUSES = [("event-held", 75), ("event-planned", 20), ("event-agreed", 5)]
NETWORK_KINDS = ["network-city-network", "network-intergovernmental", "network-un-programme"]

# Syllables with a Persian-script rendering, to make invented but pronounceable bilingual names.
SYLLABLES = [("ka", "کا"), ("ra", "را"), ("ba", "با"), ("sa", "سا"), ("ta", "تا"), ("na", "نا"),
             ("ma", "ما"), ("la", "لا"), ("da", "دا"), ("za", "زا"), ("sh", "ش"), ("an", "ان"),
             ("ar", "ار"), ("ir", "یر"), ("ol", "ول"), ("un", "ون"), ("es", "اس"), ("ab", "اب"),
             ("gar", "گار"), ("stan", "ستان"), ("abad", "آباد"), ("kan", "کان"), ("dez", "دز"),
             ("mir", "میر"), ("nav", "نو"), ("bor", "بر"), ("vel", "ول"), ("tor", "تر")]
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
JALALI_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر",
                 "دی", "بهمن", "اسفند"]
FA_QUOTE_WORDS = ["شهرداری", "همکاری", "خواهرخواندگی", "تفاهم‌نامه", "دیپلماسی", "شهری", "نشست",
                  "هیئت", "فرهنگی", "اقتصادی", "گردشگری", "امضا", "توسعه", "روابط", "بین‌المللی",
                  "شهر", "گسترش", "برنامه", "سفر", "تبادل"]
EN_QUOTE_WORDS = ["municipality", "cooperation", "twinning", "memorandum", "diplomacy", "urban",
                  "meeting", "delegation", "cultural", "economic", "tourism", "signed", "development",
                  "relations", "international", "city", "expansion", "programme", "visit", "exchange"]
DATE_START = dt.date(2000, 1, 1)
DATE_DAYS = (dt.date(2025, 12, 31) - DATE_START).days


def _iri(v: str) -> str:
    return f"<{v}>"


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _lang(s: str, lang: str) -> str:
    return f'"{_esc(s)}"@{lang}'


def _typed(s: str, datatype: str) -> str:
    return f'"{_esc(s)}"^^<{datatype}>'


class _Writer:
    """Collects N-Triples lines and counts them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._bnodes = 0

    def __len__(self) -> int:
        return len(self.lines)

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def bnode(self) -> str:
        self._bnodes += 1
        return f"_:b{self._bnodes}"


class Generator:
    def __init__(self, n_triples_target: int, seed: int = 1) -> None:
        self.target = n_triples_target
        self.rng = random.Random(seed)
        self.w = _Writer()
        # Sizes of the entity pools scale with the target (about 12 triples of city+municipality per
        # city, so ~5% of the data; the rest are fact nodes), with small floors for tiny targets.
        self.n_countries = max(5, min(195, n_triples_target // 4000))
        self.n_cities = max(20, n_triples_target // 250)
        self.n_networks = max(5, min(300, n_triples_target // 3000))
        self.n_publishers = max(3, min(100, n_triples_target // 10000))
        self.n_documents = max(10, n_triples_target // 100)
        self.cities: list[str] = []
        self.municipalities: list[str] = []
        self.networks: list[str] = []
        self.documents: list[str] = []
        self.city_cum: list[float] = []
        self.network_weights: list[float] = []
        self.city_names: list[tuple[str, str]] = []
        self.counters = {"agreement": 0, "status": 0, "membership": 0, "event": 0}

    # -- helpers ----------------------------------------------------------------------------
    def name(self) -> tuple[str, str]:
        parts = [self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))]
        return "".join(p[0] for p in parts).capitalize(), "".join(p[1] for p in parts)

    def weighted(self, options: list[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def date(self, lo: dt.date = DATE_START, span: int = DATE_DAYS) -> dt.date:
        return lo + dt.timedelta(days=self.rng.randrange(max(1, span)))

    def instant(self, d: dt.date) -> str:
        """A time:Instant blank node with Gregorian date, precision and the Jalali text."""
        w, b = self.w, self.w.bnode()
        j = jdatetime.date.fromgregorian(date=d)
        w.t(b, _iri(RDF_TYPE), _iri(TIME + "Instant"))
        w.t(b, _iri(TIME + "inXSDDate"), _typed(d.isoformat(), XSD + "date"))
        w.t(b, _iri(TIME + "unitType"), _iri(TIME + "unitDay"))
        w.t(b, _iri(CD + "jalaliText"), _lang(f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}".translate(FA_DIGITS), "fa"))
        return b

    def attestation(self, subject: str, words: int = 12) -> None:
        w, b = self.w, self.w.bnode()
        w.t(subject, _iri(CD + "attestedBy"), b)
        w.t(b, _iri(RDF_TYPE), _iri(CD + "Attestation"))
        w.t(b, _iri(CD + "document"), self.rng.choice(self.documents))
        idx = [self.rng.randrange(len(FA_QUOTE_WORDS)) for _ in range(words)]
        w.t(b, _iri(CD + "quote"), _lang(" ".join(FA_QUOTE_WORDS[i] for i in idx), "fa"))
        w.t(b, _iri(CD + "quoteTranslation"), _lang("(synthetic) " + " ".join(EN_QUOTE_WORDS[i] for i in idx), "en"))

    def city_index(self) -> int:
        return self.rng.choices(range(len(self.cities)), cum_weights=self.city_cum)[0]

    # -- entities ---------------------------------------------------------------------------
    def entities(self) -> None:
        w, rng = self.w, self.rng
        countries = []
        for i in range(self.n_countries):
            c = _iri(f"{BENCH}place/country-{i:03d}")
            en, fa = self.name()
            w.t(c, _iri(RDF_TYPE), _iri(CD + "Country"))
            w.t(c, _iri(RDFS_LABEL), _lang(f"{en}ia", "en"))
            w.t(c, _iri(RDFS_LABEL), _lang(f"کشور {fa}", "fa"))
            countries.append(c)
        country_weights = [1 / (i + 1) ** 0.7 for i in range(len(countries))]
        for i in range(self.n_cities):
            c = _iri(f"{BENCH}place/city-{i:05d}")
            m = _iri(f"{BENCH}org/municipality-{i:05d}")
            en, fa = self.name()
            self.city_names.append((en, fa))
            w.t(c, _iri(RDF_TYPE), _iri(CD + "City"))
            w.t(c, _iri(RDFS_LABEL), _lang(en, "en"))
            w.t(c, _iri(RDFS_LABEL), _lang(fa, "fa"))
            w.t(c, _iri(CD + "inCountry"), rng.choices(countries, weights=country_weights)[0])
            w.t(c, _iri(GEO + "lat"), _typed(f"{rng.uniform(-60, 70):.4f}", XSD + "decimal"))
            w.t(c, _iri(GEO + "long"), _typed(f"{rng.uniform(-180, 180):.4f}", XSD + "decimal"))
            w.t(c, _iri(CD + "governedBy"), m)
            w.t(m, _iri(RDF_TYPE), _iri(CD + "Municipality"))
            w.t(m, _iri(RDFS_LABEL), _lang(f"{en} Municipality", "en"))
            w.t(m, _iri(RDFS_LABEL), _lang(f"شهرداری {fa}", "fa"))
            w.t(m, _iri(CD + "governs"), c)
            w.t(m, _iri(CD + "basedIn"), c)
            self.cities.append(c)
            self.municipalities.append(m)
        self.city_cum = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(self.n_cities)))
        for i in range(self.n_networks):
            n = _iri(f"{BENCH}org/network-{i:03d}")
            en, fa = self.name()
            w.t(n, _iri(RDF_TYPE), _iri(CD + "Network"))
            w.t(n, _iri(RDFS_LABEL), _lang(f"{en} Cities Network", "en"))
            w.t(n, _iri(RDFS_LABEL), _lang(f"شبکه شهرهای {fa}", "fa"))
            w.t(n, _iri(CD + "networkKind"), _iri(CDC + rng.choice(NETWORK_KINDS)))
            self.networks.append(n)
        self.network_weights = [1 / (i + 1) ** 0.8 for i in range(self.n_networks)]
        publishers = []
        for i in range(self.n_publishers):
            p = _iri(f"{BENCH}org/publisher-{i:03d}")
            en, fa = self.name()
            w.t(p, _iri(RDF_TYPE), _iri(CD + "MediaOrganization"))
            w.t(p, _iri(RDFS_LABEL), _lang(f"{en} News", "en"))
            w.t(p, _iri(RDFS_LABEL), _lang(f"خبرگزاری {fa}", "fa"))
            publishers.append(p)
        for i in range(self.n_documents):
            d = _iri(f"{BENCH}document/d{i:06d}")
            w.t(d, _iri(RDF_TYPE), _iri(CD + "NewsArticle"))
            w.t(d, _iri(RDFS_LABEL), _lang(f"Synthetic news article {i}", "en"))
            w.t(d, _iri(DCTERMS + "publisher"), rng.choice(publishers))
            w.t(d, _iri(DCTERMS + "language"), '"fa"')
            w.t(d, _iri(SKOS_NOTE), _lang("SYNTHETIC benchmark document: not a real article.", "en"))
            w.t(d, _iri(CD + "publicationDate"), self.instant(self.date()))
            self.documents.append(d)

    # -- fact nodes -------------------------------------------------------------------------
    def agreement(self) -> None:
        w, rng = self.w, self.rng
        a_i = self.city_index()
        b_i = self.city_index()
        while b_i == a_i:
            b_i = self.city_index()
        self.counters["agreement"] += 1
        n = self.counters["agreement"]
        kind = self.weighted(AGREEMENT_KINDS)
        en_kind, fa_kind = KIND_WORDS[kind]
        (a_en, a_fa), (b_en, b_fa) = self.city_names[a_i], self.city_names[b_i]
        agr = _iri(f"{BENCH}agreement/a{n:07d}")
        w.t(agr, _iri(RDF_TYPE), _iri(CD + "Agreement"))
        w.t(agr, _iri(CD + "agreementKind"), _iri(CDC + kind))
        w.t(agr, _iri(RDFS_LABEL), _lang(f"{a_en} – {b_en} {en_kind}", "en"))
        w.t(agr, _iri(RDFS_LABEL), _lang(f"{fa_kind} {a_fa} و {b_fa}", "fa"))
        w.t(agr, _iri(CD + "partyA"), self.cities[a_i])
        w.t(agr, _iri(CD + "partyB"), self.cities[b_i])
        # 1-3 status assertions moving forward along the ladder, dated in order.
        level = rng.randrange(0, 4)
        day = self.date(span=DATE_DAYS - 800)
        for k in range(rng.randint(1, 3)):
            self.counters["status"] += 1
            st = _iri(f"{BENCH}status/a{n:07d}-{k}")
            status = STATUS_LADDER[min(level, len(STATUS_LADDER) - 1)]
            w.t(st, _iri(RDF_TYPE), _iri(CD + "StatusAssertion"))
            w.t(st, _iri(RDFS_LABEL), _lang(f"{a_en} – {b_en} {en_kind}: {status[7:]} (synthetic)", "en"))
            w.t(st, _iri(CD + "statusOf"), agr)
            w.t(st, _iri(CD + "status"), _iri(CDC + status))
            w.t(st, _iri(CD + "certainty"), _iri(CDC + self.weighted(CERTAINTIES)))
            w.t(st, _iri(CD + "statusDate"), self.instant(day))
            self.attestation(st)
            level += rng.randint(1, 2)
            day += dt.timedelta(days=rng.randint(30, 400))

    def membership(self) -> None:
        w, rng = self.w, self.rng
        self.counters["membership"] += 1
        n = self.counters["membership"]
        ci = self.city_index()
        member = self.municipalities[ci] if rng.random() < 0.6 else self.cities[ci]
        net = rng.choices(self.networks, weights=self.network_weights)[0]
        m = _iri(f"{BENCH}membership/m{n:07d}")
        w.t(m, _iri(RDF_TYPE), _iri(ORG + "Membership"))
        w.t(m, _iri(ORG + "member"), member)
        w.t(m, _iri(ORG + "organization"), net)
        w.t(m, _iri(RDFS_LABEL), _lang(f"{self.city_names[ci][0]} membership {n} (synthetic)", "en"))
        w.t(m, _iri(CD + "joinedOn"), self.instant(self.date()))
        self.attestation(m, words=8)

    def event(self) -> None:
        w, rng = self.w, self.rng
        self.counters["event"] += 1
        n = self.counters["event"]
        ci = self.city_index()
        other = self.city_index()
        kind = rng.choice(EVENT_KINDS)
        e = _iri(f"{BENCH}event/e{n:07d}")
        w.t(e, _iri(RDF_TYPE), _iri(CD + "Event"))
        w.t(e, _iri(RDFS_LABEL), _lang(f"{kind[9:].replace('-', ' ')} of {self.city_names[ci][0]} with {self.city_names[other][0]} (synthetic)", "en"))
        w.t(e, _iri(RDFS_LABEL), _lang(f"رویداد {self.city_names[ci][1]} و {self.city_names[other][1]}", "fa"))
        w.t(e, _iri(CD + "eventKind"), _iri(CDC + kind))
        w.t(e, _iri(CD + "eventStatus"), _iri(CDC + self.weighted(EVENT_STATUSES)))
        w.t(e, _iri(CD + "organizer"), self.municipalities[ci])
        if other != ci:
            w.t(e, _iri(CD + "participant"), self.cities[other])
        w.t(e, _iri(CD + "location"), self.cities[rng.choice((ci, other))])
        w.t(e, _iri(CD + "date"), self.instant(self.date()))
        self.attestation(e, words=10)

    def run(self) -> str:
        w = self.w
        w.lines.append("# SYNTHETIC benchmark data (benchmarks/generate.py): invented entities and facts, not real.\n")
        self.entities()
        facts = [(self.agreement, 55), (self.membership, 15), (self.event, 30)]
        makers, weights = [f for f, _ in facts], [x for _, x in facts]
        while len(w) - 1 < self.target:
            self.rng.choices(makers, weights=weights)[0]()
        return "".join(w.lines)

    @property
    def n_triples(self) -> int:
        return len(self.w) - 1  # minus the comment line


def generate(n_triples_target: int, seed: int = 1) -> str:
    """SYNTHETIC data of the seed-articles shape as N-Triples text, ~n_triples_target triples."""
    return Generator(n_triples_target, seed).run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate SYNTHETIC city-diplomacy data (N-Triples) for benchmarks.")
    ap.add_argument("--triples", type=int, default=100_000, help="target number of triples (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="output file (.nt or .ttl; N-Triples is valid Turtle); default stdout")
    args = ap.parse_args(argv)
    g = Generator(args.triples, args.seed)
    text = g.run()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{g.n_triples} triples ({g.counters}) -> {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
