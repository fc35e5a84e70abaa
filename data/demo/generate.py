#!/usr/bin/env python3
# -----------------------------------------------------------------------------
# energistasjon demonstration region: Osloregionen
#
# THIS IS DEMONSTRATION DATA. Every coordinate is APPROXIMATE, written by hand
# from public facts (where towns, junctions, terminals and ports roughly are).
# Municipal "boundaries" are Voronoi cells around approximate municipal centres,
# not real boundaries. Heavy-vehicle traffic (adt_tunge), free grid capacity
# (ledig_mw), fylkesveg/kommunal veg numbers, land-use parcels and stations are
# made-up demonstration values. NOT FOR PLANNING.
#
# Regenerate from the repository root (standard library only, Python 3.11):
#
#     python3 data/demo/generate.py
#
# The output is deterministic: re-running the script rewrites the GeoJSON files
# byte for byte (features sorted by id, properties sorted, coordinates rounded
# to 6 decimals, RFC 7946 lon/lat without a "crs" member).
# -----------------------------------------------------------------------------

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

DESCRIPTION = "Demonstrasjonsdata / demonstration data – approximate coordinates"

# Region box (lon/lat) and the scale of the local plane the geometry is made in.
BOX = (9.9, 59.0, 11.9, 60.45)  # min lon, min lat, max lon, max lat
COS0 = math.cos(math.radians(59.8))
M_PER_DEG_LAT = 111_412.0  # metres per degree of latitude near 60° N


def m_per_deg_lon(lat):
    return 111_320.0 * math.cos(math.radians(lat))


# =============================================================================
# Municipalities (2024 kommunenummer) and approximate centres (lon, lat): the
# administrative centre, in a few cases nudged towards the middle of the
# municipality (Oslo, Asker, Lillestrøm, Drammen, …) so that the Voronoi cells
# hold the towns and terminals they should.
# =============================================================================

MUNICIPALITIES = [
    ("0301", "Oslo", 10.7900, 59.9200),
    ("3101", "Halden", 11.3870, 59.1240),
    ("3103", "Moss", 10.7000, 59.4200),
    ("3105", "Sarpsborg", 11.1300, 59.3000),
    ("3107", "Fredrikstad", 10.9340, 59.2180),
    ("3112", "Råde", 10.8650, 59.3520),
    ("3118", "Indre Østfold", 11.2300, 59.5800),
    ("3201", "Bærum", 10.5240, 59.8906),
    ("3203", "Asker", 10.4300, 59.7900),
    ("3205", "Lillestrøm", 11.1200, 59.9800),
    ("3207", "Nordre Follo", 10.8370, 59.7190),
    ("3209", "Ullensaker", 11.1700, 60.1200),
    ("3212", "Nesodden", 10.6300, 59.8300),
    ("3214", "Frogn", 10.6300, 59.6630),
    ("3216", "Vestby", 10.7500, 59.6050),
    ("3218", "Ås", 10.7900, 59.6640),
    ("3220", "Enebakk", 11.1450, 59.7580),
    ("3222", "Lørenskog", 10.9750, 59.9150),
    ("3224", "Rælingen", 11.0600, 59.9000),
    ("3226", "Aurskog-Høland", 11.5000, 59.8000),
    ("3228", "Nes", 11.4650, 60.1230),
    ("3230", "Gjerdrum", 11.0100, 60.0900),
    ("3232", "Nittedal", 10.8700, 60.0700),
    ("3238", "Nannestad", 10.9500, 60.2500),
    ("3240", "Eidsvoll", 11.2600, 60.3250),
    ("3301", "Drammen", 10.1700, 59.7200),
    ("3305", "Ringerike", 10.2580, 60.1680),
    ("3312", "Lier", 10.2600, 59.7900),
    ("3903", "Holmestrand", 10.3100, 59.4900),
]

# =============================================================================
# Road network. Nodes are named so that links and roads that meet share exact
# coordinates. (label, lon, lat)
# =============================================================================

NODES = {
    # E6 south to north
    "svinesund": ("Svinesund", 11.2490, 59.0960),
    "halden": ("Halden", 11.3350, 59.1480),
    "sarpsborg": ("Sarpsborg (Grålum)", 11.0800, 59.2970),
    "rade": ("Råde", 10.8800, 59.3600),
    "rygge": ("Rygge", 10.7800, 59.4050),
    "moss": ("Moss (Patterød)", 10.7000, 59.4500),
    "berger": ("Berger", 10.7250, 59.5520),
    "vestby": ("Vestby", 10.7400, 59.6100),
    "aas": ("Ås (Korsegården)", 10.7480, 59.6650),
    "vassum": ("Vassum", 10.7350, 59.7040),
    "vinterbro": ("Vinterbro", 10.7850, 59.7380),
    "taraldrud": ("Taraldrud", 10.8050, 59.7830),
    "klemetsrud": ("Klemetsrud", 10.8400, 59.8330),
    "abildso": ("Abildsø", 10.8180, 59.8800),
    "ryen": ("Ryen", 10.8060, 59.8950),
    "alnabru": ("Alnabru", 10.8400, 59.9280),
    "karihaugen": ("Karihaugen", 10.9280, 59.9400),
    "skedsmokorset": ("Skedsmokorset", 11.0320, 60.0030),
    "klofta": ("Kløfta", 11.1400, 60.0730),
    "jessheim": ("Jessheim", 11.1600, 60.1300),
    "gardermoen": ("Gardermoen", 11.1550, 60.1680),
    "eidsvollverk": ("Eidsvoll verk", 11.1650, 60.3000),
    "minnesund": ("Minnesund", 11.2300, 60.3950),
    # E18 west
    "drammen": ("Drammen (Brakerøya)", 10.2320, 59.7440),
    "linnes": ("Lier (Linnes)", 10.2750, 59.7560),
    "lierskogen": ("Lierskogen", 10.3350, 59.7950),
    "asker": ("Asker", 10.4300, 59.8400),
    "sandvika": ("Sandvika", 10.5230, 59.8870),
    "lysaker": ("Lysaker", 10.6380, 59.9120),
    "skoyen": ("Skøyen", 10.6800, 59.9200),
    "bjorvika": ("Bjørvika", 10.7580, 59.9060),
    # E18 east
    "langhus": ("Langhus", 10.8350, 59.7600),
    "ski": ("Ski", 10.8700, 59.7180),
    "knapstad": ("Knapstad", 11.0300, 59.6300),
    "askim": ("Askim", 11.1550, 59.5900),
    "mysen": ("Mysen", 11.3150, 59.5650),
    "orje": ("Ørje", 11.6550, 59.4800),
    # E16
    "sollihogda": ("Sollihøgda", 10.4050, 59.9750),
    "sundvollen": ("Sundvollen", 10.3100, 60.0600),
    "honefoss": ("Hønefoss", 10.2600, 60.1650),
    "hval": ("Hval", 10.1900, 60.2450),
    # Rv150 Ring 3
    "smestad": ("Smestad", 10.6880, 59.9360),
    "ulleval": ("Ullevål", 10.7330, 59.9450),
    "sinsen": ("Sinsen", 10.7800, 59.9380),
    "okern": ("Økern", 10.8100, 59.9300),
    # Rv4
    "grorud": ("Grorud", 10.8800, 59.9600),
    "nittedal": ("Nittedal (Rotnes)", 10.8700, 60.0700),
    "hakadal": ("Hakadal", 10.8350, 60.1200),
    "harestua": ("Harestua", 10.7150, 60.2000),
    "roa": ("Roa", 10.6150, 60.2900),
    "jaren": ("Jaren", 10.5700, 60.3900),
    # Rv2
    "nybakk": ("Nybakk", 11.2900, 60.0850),
    "arnes": ("Årnes", 11.4650, 60.1230),
    "skarnes": ("Skarnes", 11.6850, 60.2550),
    # Rv159 / Rv22
    "lillestrom": ("Lillestrøm", 11.0450, 59.9550),
    "fetsund": ("Fetsund", 11.1650, 59.9300),
    "lierfoss": ("Lierfoss", 11.2400, 59.8450),
    "hemnes": ("Hemnes", 11.4650, 59.7150),
    # Rv23
    "royken": ("Røyken", 10.3950, 59.7470),
    "verpen": ("Verpen", 10.5500, 59.6800),
    "mana": ("Måna", 10.6400, 59.6800),
    # Rv19 and the Moss–Horten ferry
    "mossferje": ("Moss ferjekai", 10.6550, 59.4330),
    "hortenferje": ("Horten ferjekai", 10.4950, 59.4150),
    # Fylkesveger / kommunale veger to terminals
    "rolvsoy": ("Rolvsøy", 11.0200, 59.2550),
    "fredrikstad": ("Fredrikstad", 10.9400, 59.2150),
    "ora": ("Øra (Borg havn)", 10.9650, 59.2030),
    "ryggeind": ("Rygge industriområde", 10.7700, 59.3850),
    "cargo": ("Gardermoen cargo", 11.0850, 60.1850),
    "aassentrum": ("Ås sentrum", 10.7900, 59.6640),
    "alnaterm": ("Alnabru godsterminal", 10.8500, 59.9330),
    "sydhavna": ("Sydhavna", 10.7600, 59.8930),
    "holmen": ("Drammen havn (Holmen)", 10.2280, 59.7360),
    "bergerterm": ("Berger næringsområde", 10.7100, 59.5570),
    "grorudind": ("Grorud industriområde", 10.8650, 59.9530),
    "langhusterm": ("Langhus logistikk", 10.8150, 59.7640),
    "lierstranda": ("Lierstranda", 10.2620, 59.7490),
}

# A road: (vegkategori, vegnummer, short ref, route, per-link attributes).
# The route alternates named nodes (link ends) and (lon, lat) shape points.
# Per-link attributes: (adt_tunge, fartsgrense, motorveg, ferje).
J, N = "ja", "nei"
ROADS = [
    ("E", 6, "E6",
     ["svinesund", (11.2950, 59.1200), "halden", (11.2400, 59.1750), (11.1500, 59.2350),
      "sarpsborg", (10.9800, 59.3200), "rade", "rygge", "moss", (10.7200, 59.5000),
      "berger", "vestby", "aas", "vassum", "vinterbro", "taraldrud", "klemetsrud",
      "abildso", "ryen", (10.8250, 59.9100), "alnabru", (10.8900, 59.9380), "karihaugen",
      (10.9700, 59.9650), "skedsmokorset", (11.0900, 60.0400), "klofta", "jessheim",
      "gardermoen", (11.1700, 60.2300), "eidsvollverk", (11.2000, 60.3500), "minnesund"],
     [(2200, 110, J, N), (2600, 110, J, N), (3100, 110, J, N), (3300, 110, J, N),
      (3500, 110, J, N), (3700, 110, J, N), (3900, 110, J, N), (4000, 110, J, N),
      (4100, 110, J, N), (4200, 110, J, N), (4300, 100, J, N), (4500, 90, J, N),
      (4500, 80, J, N), (4400, 70, J, N), (4200, 70, J, N), (4000, 80, J, N),
      (3800, 100, J, N), (3200, 110, J, N), (2700, 110, J, N), (2600, 110, J, N),
      (2200, 110, J, N), (2000, 110, J, N)]),
    ("E", 18, "E18",
     ["drammen", "linnes", (10.3000, 59.7750), "lierskogen", (10.3800, 59.8200), "asker",
      (10.4700, 59.8620), "sandvika", (10.5800, 59.9000), "lysaker", "skoyen",
      (10.7200, 59.9120), "bjorvika", (10.7850, 59.8980), "ryen"],
     [(3200, 80, J, N), (3300, 100, J, N), (3400, 100, J, N), (3500, 90, J, N),
      (3300, 80, J, N), (2800, 60, N, N), (2500, 60, N, N), (2600, 70, J, N)]),
    ("E", 18, "E18",
     ["taraldrud", "langhus", "ski", (10.9500, 59.6750), "knapstad", "askim", "mysen",
      (11.4800, 59.5200), "orje"],
     [(2400, 100, J, N), (2200, 100, J, N), (2000, 110, J, N), (1900, 110, J, N),
      (1700, 110, J, N), (1500, 80, N, N)]),
    ("E", 16, "E16",
     ["sandvika", (10.4900, 59.9200), (10.4500, 59.9500), "sollihogda", "sundvollen",
      (10.2800, 60.1100), "honefoss", "hval"],
     [(1200, 80, N, N), (1100, 80, N, N), (1000, 80, N, N), (900, 80, N, N)]),
    ("R", 150, "Rv150",
     ["lysaker", (10.6550, 59.9250), "smestad", "ulleval", "sinsen", "okern",
      (10.8100, 59.9150), (10.8050, 59.9050), "ryen"],
     [(2000, 70, N, N), (2200, 70, N, N), (2400, 70, N, N), (2500, 70, N, N),
      (2300, 70, N, N)]),
    ("R", 4, "Rv4",
     ["sinsen", (10.8300, 59.9500), "grorud", (10.8800, 60.0100), "nittedal", "hakadal",
      "harestua", "roa", (10.5800, 60.3400), "jaren"],
     [(1000, 70, N, N), (800, 80, N, N), (750, 80, N, N), (700, 80, N, N),
      (650, 80, N, N), (600, 80, N, N)]),
    ("R", 2, "Rv2",
     ["klofta", "nybakk", "arnes", (11.5700, 60.1900), "skarnes"],
     [(1300, 100, J, N), (1200, 90, N, N), (1000, 80, N, N)]),
    ("R", 159, "Rv159",
     ["karihaugen", (10.9700, 59.9350), (11.0100, 59.9450), "lillestrom"],
     [(1500, 80, N, N)]),
    ("R", 22, "Rv22",
     ["lillestrom", "fetsund", "lierfoss", (11.3500, 59.7900), "hemnes",
      (11.4000, 59.6300), "mysen"],
     [(600, 60, N, N), (550, 80, N, N), (500, 80, N, N), (500, 80, N, N)]),
    ("R", 23, "Rv23",
     ["linnes", (10.3300, 59.7550), "royken", (10.4700, 59.7100), "verpen",
      (10.5950, 59.6720), "mana", (10.6900, 59.6950), "vassum"],
     [(1300, 80, N, N), (1200, 80, N, N), (1100, 70, N, N), (1200, 80, N, N)]),
    ("R", 19, "Rv19",
     ["moss", "mossferje", "hortenferje"],
     [(600, 50, N, N), (300, 25, N, J)]),
    ("F", 109, "Fv109",
     ["sarpsborg", "rolvsoy", "fredrikstad"],
     [(400, 60, N, N), (350, 50, N, N)]),
    ("F", 118, "Fv118", ["rygge", "ryggeind"], [(200, 60, N, N)]),
    ("F", 120, "Fv120", ["gardermoen", (11.1200, 60.1750), "cargo"], [(350, 60, N, N)]),
    ("F", 152, "Fv152", ["aas", "aassentrum"], [(150, 50, N, N)]),
    ("K", 3001, "Kv3001", ["fredrikstad", "ora"], [(250, 40, N, N)]),
    ("K", 3002, "Kv3002", ["alnabru", "alnaterm"], [(300, 40, N, N)]),
    ("K", 3003, "Kv3003", ["bjorvika", (10.7620, 59.9000), "sydhavna"], [(250, 40, N, N)]),
    ("K", 3004, "Kv3004", ["drammen", "holmen"], [(150, 40, N, N)]),
    ("K", 3005, "Kv3005", ["berger", "bergerterm"], [(200, 50, N, N)]),
    ("K", 3006, "Kv3006", ["grorud", "grorudind"], [(150, 40, N, N)]),
    ("K", 3007, "Kv3007", ["langhus", "langhusterm"], [(150, 50, N, N)]),
    ("K", 3008, "Kv3008", ["linnes", "lierstranda"], [(200, 50, N, N)]),
]

# =============================================================================
# Rail (approximate alignments through the stations)
# =============================================================================

RAIL = [
    ("bane-ostfold-1", "Østfoldbanen Oslo S–Ski", "hovedspor",
     [(10.7530, 59.9110), (10.7750, 59.8850), (10.7900, 59.8530), (10.8000, 59.8100),
      (10.8370, 59.7190)]),
    ("bane-ostfold-2", "Østfoldbanen Ski–Moss", "hovedspor",
     [(10.8370, 59.7190), (10.7900, 59.6650), (10.7500, 59.6040), (10.7000, 59.5700),
      (10.6900, 59.5300), (10.6600, 59.4330)]),
    ("bane-ostfold-3", "Østfoldbanen Moss–Sarpsborg", "hovedspor",
     [(10.6600, 59.4330), (10.7150, 59.3950), (10.8650, 59.3500), (10.9400, 59.2100),
      (11.1100, 59.2830)]),
    ("bane-ostfold-4", "Østfoldbanen Sarpsborg–Halden", "hovedspor",
     [(11.1100, 59.2830), (11.1900, 59.2350), (11.3000, 59.1700), (11.3850, 59.1230),
      (11.5000, 59.0400)]),
    ("bane-ostfold-5", "Østfoldbanen østre linje Ski–Sarpsborg", "hovedspor",
     [(10.8370, 59.7190), (10.9000, 59.6800), (11.0600, 59.6150), (11.1650, 59.5850), (11.3270, 59.5690),
      (11.3450, 59.4260), (11.1100, 59.2830)]),
    ("bane-hoved-1", "Hovedbanen Oslo S–Lillestrøm", "hovedspor",
     [(10.7530, 59.9110), (10.8100, 59.9100), (10.8350, 59.9250), (10.8800, 59.9610),
      (10.9980, 59.9480), (11.0490, 59.9530)]),
    ("bane-hoved-2", "Hovedbanen Lillestrøm–Eidsvoll", "hovedspor",
     [(11.0490, 59.9530), (11.1400, 60.0750), (11.1760, 60.1420), (11.1950, 60.2550),
      (11.2600, 60.3290)]),
    ("bane-gardermo", "Gardermobanen Oslo S–Eidsvoll", "hovedspor",
     [(10.7530, 59.9110), (10.8400, 59.9120), (10.9500, 59.9200), (11.0490, 59.9530),
      (11.0400, 60.0500),
      (11.0980, 60.1930), (11.1600, 60.3000), (11.2600, 60.3290)]),
    ("bane-drammen-1", "Drammenbanen Oslo S–Sandvika", "hovedspor",
     [(10.7530, 59.9110), (10.7330, 59.9150), (10.6790, 59.9220), (10.6380, 59.9130),
      (10.5240, 59.8910)]),
    ("bane-drammen-2", "Drammenbanen Sandvika–Drammen", "hovedspor",
     [(10.5240, 59.8910), (10.4350, 59.8330), (10.3000, 59.7900), (10.2050, 59.7440)]),
    ("bane-kongsvinger", "Kongsvingerbanen Lillestrøm–Skarnes", "hovedspor",
     [(11.0490, 59.9530), (11.1630, 59.9290), (11.2400, 59.9880), (11.4650, 60.1240),
      (11.6850, 60.2540)]),
    ("bane-alnabru", "Alnabru godsterminal, sidespor", "sidespor",
     [(10.8350, 59.9250), (10.8480, 59.9320), (10.8700, 59.9420), (10.8800, 59.9500)]),
]

# =============================================================================
# Terminals: (id, navn, type, geometry) – a point (lon, lat) or a polygon ring
# =============================================================================

TERMINALS = [
    ("term-alnabru", "Alnabru godsterminal", "rail_freight",
     [(10.8460, 59.9310), (10.8720, 59.9390), (10.8700, 59.9440), (10.8440, 59.9360)]),
    ("term-sydhavna", "Oslo havn Sydhavna (Sjursøya)", "port",
     [(10.7520, 59.8840), (10.7680, 59.8850), (10.7700, 59.8950), (10.7580, 59.8970)]),
    ("term-drammen-havn", "Drammen havn (Holmen)", "port", (10.2280, 59.7360)),
    ("term-borg-havn", "Borg havn (Øra, Fredrikstad)", "port", (10.9650, 59.2030)),
    ("term-moss-havn", "Moss havn", "port", (10.6560, 59.4380)),
    ("term-gardermoen-cargo", "Gardermoen cargo", "air_cargo", (11.0850, 60.1850)),
    ("term-berger", "Berger næringsområde (Vestby)", "logistics", (10.7100, 59.5570)),
    ("term-grorud", "Grorud industriområde", "logistics", (10.8650, 59.9530)),
    ("term-langhus", "Langhus logistikkområde (Ski)", "logistics", (10.8150, 59.7640)),
    ("term-lierstranda", "Lierstranda næringsområde", "logistics", (10.2620, 59.7490)),
]

# =============================================================================
# Substations: (id, navn, eier, ledig_mw, lon, lat) – capacities are made up
# =============================================================================

SUBSTATIONS = [
    ("ts-alnabru", "Alnabru transformatorstasjon", "Elvia", 0, 10.8580, 59.9250),
    ("ts-ryen", "Ryen transformatorstasjon", "Elvia", 0, 10.8000, 59.8920),
    ("ts-lillestrom", "Lillestrøm transformatorstasjon", "Elvia", 0, 11.0450, 59.9600),
    ("ts-vestby", "Vestby transformatorstasjon", "Elvia", 22, 10.7450, 59.6000),
    ("ts-berger", "Berger transformatorstasjon", "Elvia", 35, 10.7150, 59.5480),
    ("ts-aas", "Ås transformatorstasjon", "Elvia", 12, 10.7800, 59.6700),
    ("ts-ski", "Ski transformatorstasjon", "Elvia", 6, 10.8500, 59.7250),
    ("ts-gardermoen", "Gardermoen transformatorstasjon", "Elvia", 18, 11.1200, 60.1700),
    ("ts-klofta", "Kløfta transformatorstasjon", "Elvia", 10, 11.1350, 60.0700),
    ("ts-nittedal", "Nittedal transformatorstasjon", "Elvia", 5, 10.8750, 60.0650),
    ("ts-lier", "Lier transformatorstasjon", "Glitre Nett", 15, 10.2700, 59.7650),
    ("ts-drammen", "Brakerøya transformatorstasjon", "Glitre Nett", 9, 10.2350, 59.7500),
    ("ts-moss", "Patterød transformatorstasjon", "Elvia", 14, 10.7000, 59.4550),
    ("ts-rygge", "Rygge transformatorstasjon", "Elvia", 28, 10.7900, 59.3900),
    ("ts-sarpsborg", "Grålum transformatorstasjon", "Elvia", 40, 11.0800, 59.3050),
    ("ts-fredrikstad", "Øra transformatorstasjon", "Norgesnett", 20, 10.9600, 59.2100),
    ("ts-halden", "Halden transformatorstasjon", "Elvia", 12, 11.3400, 59.1450),
    ("ts-askim", "Askim transformatorstasjon", "Elvia", 8, 11.1500, 59.5850),
]

# =============================================================================
# Existing energy stations (generic demo names, no real operators).
# Position: a (lon, lat) or ("parcel", land-use id) for the parcel's centre.
# =============================================================================

STATIONS = [
    ("st-berger", "Demo ladepunkt Berger", "charging", 1000, J, ("parcel", "lu-berger-04")),
    ("st-vinterbro", "Demo ladepunkt Vinterbro", "charging", 720, J,
     ("parcel", "lu-vinterbro-01")),
    ("st-karihaugen", "Demo ladepunkt Karihaugen", "charging", 400, J, (10.9330, 59.9440)),
    ("st-gardermoen", "Demo ladepunkt Gardermoen", "charging", 1200, J,
     ("parcel", "lu-gardermoen-03")),
    ("st-lierskogen", "Demo ladepunkt Lierskogen", "charging", 600, J,
     ("parcel", "lu-lier-04")),
    ("st-rade", "Demo ladepunkt Råde", "charging", 800, J, ("parcel", "lu-rade-01")),
    ("st-nittedal", "Demo ladepunkt Nittedal", "charging", 350, N, (10.8760, 60.0720)),
    ("st-alnabru-h2", "Demo hydrogenstasjon Alnabru", "hydrogen", None, J, (10.8430, 59.9240)),
    ("st-sarpsborg-biogass", "Demo biogasstasjon Sarpsborg", "biogas", None, J,
     ("parcel", "lu-sarpsborg-03")),
]

# =============================================================================
# Land-use parcels with SOSI arealformål.
# Placement ("along", from node, to node, t, side, gap m): a parcel beside the
# road link between two nodes, at fraction t of the link, on the left (+1) or
# right (-1) of the link's direction, its near edge gap metres from the road.
# Placement ("at", lon, lat, rotation°): a parcel centred there.
# Size: length along the road × depth, metres. Shape: rect, cut or trap.
# =============================================================================

A = "along"
LANDUSE = [
    # Berger / Vestby (E6)
    ("lu-berger-01", "Berger næringsområde nord", 1300, (A, "berger", "vestby", 0.12, 1, 80), 500, 350, "cut"),
    ("lu-berger-02", "Berger logistikkområde", 1350, (A, "moss", "berger", 0.93, 1, 80), 450, 300, "rect"),
    ("lu-berger-03", "Berger lager sør", 1350, (A, "moss", "berger", 0.86, 1, 80), 400, 300, "trap"),
    ("lu-berger-04", "Berger vegservice", 1360, (A, "berger", "vestby", 0.05, -1, 50), 250, 180, "rect"),
    ("lu-vestby-01", "Vestby næringspark", 1340, (A, "berger", "vestby", 0.55, -1, 80), 600, 400, "cut"),
    ("lu-vestby-02", "Vestby boligområde", 1110, ("at", 10.7620, 59.6000, 0), 300, 250, "rect"),
    ("lu-vestby-03", "Hølen LNFR-område", 5000, (A, "moss", "berger", 0.7, -1, 100), 600, 500, "trap"),
    ("lu-vestby-04", "Vestby nord parkering", 2080, (A, "vestby", "aas", 0.08, 1, 60), 200, 150, "rect"),
    # Ås / Vassum / Vinterbro / Taraldrud
    ("lu-aas-01", "Søråsjordet LNFR-område", 5000, (A, "aas", "aassentrum", 0.5, 1, 60), 500, 400, "rect"),
    ("lu-aas-02", "Ås friområde", 3040, (A, "aas", "aassentrum", 0.5, -1, 60), 400, 300, "trap"),
    ("lu-aas-03", "Korsegården næringsområde", 1300, (A, "aas", "vassum", 0.3, -1, 70), 400, 300, "rect"),
    ("lu-vassum-01", "Vassum næringsområde", 1300, (A, "vassum", "vinterbro", 0.2, -1, 60), 350, 250, "cut"),
    ("lu-vinterbro-01", "Vinterbro vegservice", 1360, (A, "vassum", "vinterbro", 0.85, 1, 50), 250, 180, "rect"),
    ("lu-vinterbro-02", "Vinterbro næringspark", 1300, (A, "vinterbro", "taraldrud", 0.3, -1, 70), 500, 350, "rect"),
    ("lu-taraldrud-01", "Taraldrud næringsområde", 1300, (A, "vinterbro", "taraldrud", 0.7, 1, 70), 400, 300, "trap"),
    # Langhus / Ski (E18)
    ("lu-langhus-01", "Langhus lager", 1350, (A, "taraldrud", "langhus", 0.55, 1, 80), 400, 300, "rect"),
    ("lu-langhus-02", "Langhus næringsområde", 1300, (A, "taraldrud", "langhus", 0.85, 1, 80), 450, 300, "cut"),
    ("lu-langhus-03", "Langhus logistikksenter", 1350, ("at", 10.8120, 59.7615, 0), 300, 250, "rect"),
    ("lu-ski-01", "Ski vest kombinert formål", 1800, (A, "langhus", "ski", 0.5, -1, 80), 350, 250, "rect"),
    # Klemetsrud / Ryen
    ("lu-klemetsrud-01", "Klemetsrud energianlegg", 1510, (A, "taraldrud", "klemetsrud", 0.9, -1, 120), 300, 250, "rect"),
    ("lu-ryen-01", "Ryen kombinert formål", 1800, (A, "abildso", "ryen", 0.5, -1, 80), 250, 200, "rect"),
    # Alnabru / Furuset / Karihaugen / Grorud
    ("lu-alnabru-01", "Alnabru godsterminal", 1501, ("at", 10.8580, 59.9375, 27), 1100, 330, "rect"),
    ("lu-alnabru-02", "Alnabru næringsområde", 1300, (A, "ryen", "alnabru", 0.8, -1, 80), 300, 250, "rect"),
    ("lu-furuset-01", "Furuset industriområde", 1340, (A, "alnabru", "karihaugen", 0.45, -1, 80), 400, 300, "cut"),
    ("lu-furuset-02", "Furuset lager", 1350, (A, "alnabru", "karihaugen", 0.55, 1, 80), 350, 250, "rect"),
    ("lu-furuset-03", "Furuset boligområde", 1110, (A, "alnabru", "karihaugen", 0.75, -1, 250), 300, 250, "rect"),
    ("lu-lindeberg-01", "Lindeberg friområde", 3040, (A, "alnabru", "karihaugen", 0.2, -1, 200), 350, 300, "trap"),
    ("lu-karihaugen-01", "Karihaugen kombinert formål", 1800, (A, "karihaugen", "skedsmokorset", 0.1, 1, 70), 300, 200, "rect"),
    ("lu-leirdal-01", "Leirdal parkering for tunge kjøretøy", 2080, (A, "alnabru", "karihaugen", 0.85, 1, 60), 200, 150, "rect"),
    ("lu-grorud-01", "Grorud industriområde", 1340, ("at", 10.8610, 59.9515, 0), 300, 200, "rect"),
    # Lillestrøm / Skedsmokorset
    ("lu-lillestrom-01", "Lillestrøm kombinert formål", 1800, (A, "karihaugen", "lillestrom", 0.6, -1, 70), 300, 200, "rect"),
    ("lu-skedsmo-01", "Skedsmokorset næringsområde", 1300, (A, "karihaugen", "skedsmokorset", 0.85, -1, 80), 400, 300, "rect"),
    ("lu-kjeller-01", "Kjeller lager", 1350, (A, "karihaugen", "skedsmokorset", 0.6, -1, 80), 350, 250, "cut"),
    # Kløfta / Jessheim / Gardermoen / Eidsvoll
    ("lu-klofta-01", "Kløfta næringsområde", 1300, (A, "klofta", "jessheim", 0.12, 1, 80), 400, 300, "rect"),
    ("lu-klofta-02", "Kløfta energianlegg", 1510, (A, "klofta", "nybakk", 0.1, -1, 60), 150, 150, "rect"),
    ("lu-jessheim-01", "Jessheim sør industriområde", 1340, (A, "klofta", "jessheim", 0.6, 1, 80), 500, 300, "trap"),
    ("lu-jessheim-02", "Jessheim boligområde", 1110, (A, "jessheim", "gardermoen", 0.3, -1, 350), 400, 300, "rect"),
    ("lu-jessheim-03", "Jessheim parkering for tunge kjøretøy", 2080, (A, "jessheim", "gardermoen", 0.15, 1, 60), 220, 160, "rect"),
    ("lu-gardermoen-01", "Gardermoen næringspark", 1300, (A, "jessheim", "gardermoen", 0.7, 1, 80), 600, 450, "cut"),
    ("lu-gardermoen-02", "Gardermoen cargo lager", 1350, ("at", 11.0880, 60.1800, 0), 400, 250, "rect"),
    ("lu-gardermoen-03", "Gardermoen vegservice", 1360, (A, "gardermoen", "eidsvollverk", 0.05, -1, 50), 250, 180, "rect"),
    ("lu-ullensaker-01", "Ullensaker LNFR-område", 5000, (A, "gardermoen", "eidsvollverk", 0.4, -1, 100), 700, 500, "trap"),
    ("lu-eidsvoll-01", "Eidsvoll verk næringsområde", 1340, (A, "gardermoen", "eidsvollverk", 0.9, 1, 80), 350, 250, "rect"),
    # Lier / Lierstranda / Drammen (E18)
    ("lu-lier-01", "Lierstranda næringsområde", 1300, (A, "drammen", "linnes", 0.35, -1, 70), 400, 250, "rect"),
    ("lu-lier-02", "Lierstranda lager", 1350, (A, "linnes", "lierskogen", 0.15, -1, 80), 400, 300, "cut"),
    ("lu-lier-03", "Lier energianlegg", 1510, (A, "linnes", "lierskogen", 0.4, 1, 80), 200, 150, "rect"),
    ("lu-lier-04", "Lierskogen vegservice", 1360, (A, "linnes", "lierskogen", 0.92, -1, 50), 250, 180, "rect"),
    ("lu-lier-05", "Lierdalen LNFR-område", 5000, (A, "linnes", "lierskogen", 0.55, 1, 400), 600, 500, "trap"),
    ("lu-drammen-01", "Brakerøya kombinert formål", 1800, (A, "drammen", "linnes", 0.2, 1, 70), 300, 200, "rect"),
    ("lu-drammen-02", "Holmen havnelager", 1350, ("at", 10.2230, 59.7330, 20), 350, 200, "rect"),
    # Asker / Sandvika
    ("lu-asker-01", "Billingstad næringsområde", 1300, (A, "asker", "sandvika", 0.4, 1, 80), 400, 250, "rect"),
    ("lu-sandvika-01", "Sandvika friområde", 3040, (A, "asker", "sandvika", 0.85, -1, 150), 300, 250, "trap"),
    # Sarpsborg / Fredrikstad / Råde / Halden / Svinesund
    ("lu-sarpsborg-01", "Grålum næringsområde", 1300, (A, "halden", "sarpsborg", 0.92, 1, 80), 500, 350, "cut"),
    ("lu-sarpsborg-02", "Grålum industriområde", 1340, (A, "sarpsborg", "rade", 0.1, -1, 80), 400, 300, "rect"),
    ("lu-sarpsborg-03", "Sarpsborg vegservice", 1360, (A, "sarpsborg", "rade", 0.25, 1, 50), 250, 180, "rect"),
    ("lu-sarpsborg-04", "Sarpsborg boligområde", 1110, (A, "halden", "sarpsborg", 0.8, -1, 300), 350, 300, "rect"),
    ("lu-fredrikstad-01", "Borg havn Øra godsterminal", 1501, ("at", 10.9690, 59.1990, 0), 500, 300, "rect"),
    ("lu-fredrikstad-02", "Øra industriområde", 1340, ("at", 10.9790, 59.2120, 0), 400, 300, "cut"),
    ("lu-rade-01", "Råde vegservice", 1360, (A, "sarpsborg", "rade", 0.93, -1, 50), 250, 180, "rect"),
    ("lu-rade-02", "Råde LNFR-område", 5000, (A, "rade", "rygge", 0.4, 1, 100), 600, 450, "trap"),
    ("lu-halden-01", "Halden nord næringsområde", 1340, (A, "svinesund", "halden", 0.85, 1, 80), 400, 300, "rect"),
    ("lu-svinesund-01", "Svinesund parkering for tunge kjøretøy", 2080, (A, "svinesund", "halden", 0.15, -1, 60), 250, 180, "rect"),
    # Moss / Rygge
    ("lu-rygge-01", "Rygge næringspark", 1340, (A, "rade", "rygge", 0.85, -1, 80), 500, 350, "cut"),
    ("lu-rygge-02", "Rygge lager", 1350, (A, "rygge", "moss", 0.25, -1, 80), 400, 300, "rect"),
    ("lu-rygge-03", "Halmstad parkering", 2080, (A, "rygge", "moss", 0.1, 1, 60), 200, 150, "rect"),
    ("lu-rygge-04", "Rygge LNFR-område", 5000, (A, "rade", "rygge", 0.6, -1, 200), 600, 400, "rect"),
    ("lu-moss-01", "Patterød næringsområde", 1300, (A, "rygge", "moss", 0.8, -1, 80), 400, 300, "trap"),
    ("lu-moss-02", "Moss havnelager", 1350, ("at", 10.6530, 59.4415, 0), 300, 150, "rect"),
    # Along Rv4, Rv2, E18 east, E16, Rv23
    ("lu-nittedal-01", "Rotnes næringsområde", 1300, (A, "grorud", "nittedal", 0.9, -1, 70), 300, 200, "rect"),
    ("lu-arnes-01", "Årnes industriområde", 1340, (A, "nybakk", "arnes", 0.9, 1, 70), 350, 250, "rect"),
    ("lu-mysen-01", "Mysen næringsområde", 1300, (A, "askim", "mysen", 0.85, 1, 80), 400, 300, "rect"),
    ("lu-askim-01", "Askim industriområde", 1340, (A, "knapstad", "askim", 0.9, 1, 80), 350, 250, "cut"),
    ("lu-royken-01", "Røyken LNFR-område", 5000, (A, "royken", "verpen", 0.3, 1, 100), 500, 400, "rect"),
    ("lu-honefoss-01", "Hønefoss sør næringsområde", 1300, (A, "sundvollen", "honefoss", 0.85, -1, 80), 400, 300, "rect"),
]

# Parcels that a rail line may cross: the Alnabru terminal lies along Hovedbanen.
MAY_CROSS = {"lu-alnabru-01"}

# =============================================================================
# Exclusion areas: (id, navn, type, ring) or (id, navn, type, ("river", line, half width m))
# =============================================================================

EXCLUSIONS = [
    ("ex-ostmarka", "Østmarka naturreservat (del, omtrentlig)", "protected",
     [(10.9550, 59.8450), (10.9950, 59.8400), (11.0100, 59.8700), (11.0000, 59.9050),
      (10.9750, 59.9150), (10.9600, 59.8950), (10.9450, 59.8650)]),
    ("ex-nordmarka", "Nordmarka (Marka, markaloven, omtrentlig)", "protected",
     [(10.5800, 59.9800), (10.6800, 59.9650), (10.7600, 59.9850), (10.8000, 60.0400),
      (10.7800, 60.1100), (10.7000, 60.1500), (10.6000, 60.1200), (10.5500, 60.0500)]),
    ("ex-ytre-hvaler", "Ytre Hvaler nasjonalpark (omtrentlig)", "protected",
     [(10.8600, 59.0000), (11.1000, 59.0000), (11.1200, 59.0600), (11.0200, 59.1000),
      (10.9000, 59.0900), (10.8400, 59.0400)]),
    ("ex-lierelva-flom", "Lierelva flomsone (omtrentlig)", "flood_zone",
     ("river", [(10.2550, 59.8150), (10.2500, 59.7950), (10.2600, 59.7800),
                (10.2650, 59.7650), (10.2720, 59.7460)], 150)),
    ("ex-gjerma-flom", "Gjermåa flomsone (omtrentlig)", "flood_zone",
     ("river", [(11.1400, 60.1750), (11.1850, 60.1450), (11.1800, 60.1100),
                (11.1550, 60.0800)], 120)),
    ("ex-rygge-skytefelt", "Rygge skytefelt (omtrentlig)", "firing_range",
     [(10.8000, 59.3550), (10.8300, 59.3550), (10.8350, 59.3700), (10.8100, 59.3750)]),
    ("ex-aas-dyrka", "Dyrka mark ved Ås (omtrentlig)", "cultivated_land",
     [(10.7650, 59.6720), (10.7900, 59.6680), (10.8000, 59.6800), (10.7750, 59.6880)]),
    ("ex-gjerdrum-dyrka", "Dyrka mark ved Kløfta og Gjerdrum (omtrentlig)", "cultivated_land",
     [(11.0600, 60.0700), (11.1000, 60.0650), (11.1100, 60.0900), (11.0700, 60.1000)]),
    ("ex-maridalsvannet", "Maridalsvannet (drikkevannskilde)", "water",
     [(10.7650, 59.9850), (10.7850, 59.9900), (10.7900, 60.0100), (10.7750, 60.0250),
      (10.7600, 60.0100)]),
]


# =============================================================================
# Geometry helpers
# =============================================================================

def to_plane(lon, lat):
    """Lon/lat to a locally scaled plane (degrees, x shrunk by cos 59.8°)."""
    return lon * COS0, lat


def from_plane(x, y):
    return x / COS0, y


def signed_area(ring):
    """Shoelace area of a ring given without the closing point (positive = ccw)."""
    s = 0.0
    for i in range(len(ring)):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % len(ring)]
        s += x1 * y2 - x2 * y1
    return s / 2.0


def area_ha(ring_lonlat):
    lat0 = sum(p[1] for p in ring_lonlat) / len(ring_lonlat)
    kx = m_per_deg_lon(lat0)
    pts = [(lon * kx, lat * M_PER_DEG_LAT) for lon, lat in ring_lonlat]
    return abs(signed_area(pts)) / 10_000.0


def clip_half_plane(poly, a, b, c):
    """Sutherland–Hodgman: keep the part of a convex polygon where a*x + b*y <= c."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def segments_cross(p1, p2, q1, q2):
    """True when segments p1p2 and q1q2 intersect (touching counts)."""
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(v) < 1e-18 else (1 if v > 0 else -1)

    def on_seg(a, b, c):
        return (min(a[0], b[0]) <= c[0] <= max(a[0], b[0])
                and min(a[1], b[1]) <= c[1] <= max(a[1], b[1]))

    o1, o2 = orient(p1, p2, q1), orient(p1, p2, q2)
    o3, o4 = orient(q1, q2, p1), orient(q1, q2, p2)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and on_seg(p1, p2, q1)) or (o2 == 0 and on_seg(p1, p2, q2))
            or (o3 == 0 and on_seg(q1, q2, p1)) or (o4 == 0 and on_seg(q1, q2, p2)))


def is_simple(ring):
    """No two non-adjacent edges of the ring (without closing point) touch."""
    n = len(ring)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue
            if segments_cross(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]):
                return False
    return True


def point_in_ring(pt, ring):
    x, y = pt
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            if x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def convex_overlap(r1, r2):
    """Separating-axis test for two convex rings; True when their interiors meet."""
    for ring in (r1, r2):
        n = len(ring)
        for i in range(n):
            ex, ey = ring[(i + 1) % n][0] - ring[i][0], ring[(i + 1) % n][1] - ring[i][1]
            ax, ay = -ey, ex
            p1 = [ax * x + ay * y for x, y in r1]
            p2 = [ax * x + ay * y for x, y in r2]
            if max(p1) <= min(p2) or max(p2) <= min(p1):
                return False
    return True


def line_hits_ring(line, ring):
    if any(point_in_ring(p, ring) for p in line):
        return True
    n = len(ring)
    for a, b in zip(line, line[1:]):
        for i in range(n):
            if segments_cross(a, b, ring[i], ring[(i + 1) % n]):
                return True
    return False


def rnd(v):
    r = round(v, 6)
    return 0.0 if r == 0 else r


def rpt(p):
    return [rnd(p[0]), rnd(p[1])]


def polygon_coords(ring):
    """A ring (lon, lat, no closing point) → RFC 7946 exterior: ccw, closed, rounded."""
    pts = [tuple(rpt(p)) for p in ring]
    dedup = []
    for p in pts:
        if not dedup or dedup[-1] != p:
            dedup.append(p)
    while len(dedup) > 1 and dedup[0] == dedup[-1]:
        dedup.pop()
    assert len(dedup) >= 3, ring
    if signed_area(dedup) < 0:
        dedup.reverse()
    assert signed_area(dedup) > 0
    assert is_simple(dedup), ring
    return [[list(p) for p in dedup] + [list(dedup[0])]]


# =============================================================================
# Builders
# =============================================================================

def build_municipalities():
    x0, y0 = to_plane(BOX[0], BOX[1])
    x1, y1 = to_plane(BOX[2], BOX[3])
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    box_area = signed_area(box)
    sites = [(k, n, to_plane(lon, lat)) for k, n, lon, lat in MUNICIPALITIES]
    cells = []
    for k, name, s in sites:
        cell = list(box)
        for k2, _, q in sites:
            if k2 == k:
                continue
            a, b = 2 * (q[0] - s[0]), 2 * (q[1] - s[1])
            c = (q[0] ** 2 + q[1] ** 2) - (s[0] ** 2 + s[1] ** 2)
            cell = clip_half_plane(cell, a, b, c)
        assert len(cell) >= 3, k
        cells.append((k, name, cell))
    total = sum(signed_area(c) for _, _, c in cells)
    assert abs(total - box_area) < 1e-9 * box_area, (total, box_area)

    # Snap vertices shared by neighbouring cells to one canonical value, so the
    # rounded cells share exact coordinates and neither overlap nor leave gaps.
    canon = []

    def snap(p):
        lon, lat = from_plane(*p)
        for c in canon:
            if abs(c[0] - lon) < 2e-6 and abs(c[1] - lat) < 2e-6:
                return c
        c = (rnd(lon), rnd(lat))
        canon.append(c)
        return c

    features = []
    for k, name, cell in sorted(cells):
        ring = [snap(p) for p in cell]
        features.append(feature(
            {"id": k, "kommunenummer": k, "kommunenavn": name},
            {"type": "Polygon", "coordinates": polygon_coords(ring)}))
    return features


def road_links():
    """Every road link: (road, index, from, to, polyline, attrs)."""
    links = []
    for cat, nr, ref, route, attrs in ROADS:
        starts = [i for i, item in enumerate(route) if isinstance(item, str)]
        assert len(starts) - 1 == len(attrs), (ref, len(starts), len(attrs))
        for li, (a, b) in enumerate(zip(starts, starts[1:])):
            pts = []
            for item in route[a:b + 1]:
                if isinstance(item, str):
                    pts.append(NODES[item][1:])
                else:
                    pts.append(item)
            links.append(((cat, nr, ref), li, route[a], route[b], pts, attrs[li]))
    return links


def build_roads(links):
    features = []
    seen = {}
    for (cat, nr, ref), _, a, b, pts, (adt, speed, mv, ferje) in links:
        base = f"veg-{ref.lower()}-{a}-{b}"
        assert base not in seen, base
        seen[base] = True
        features.append(feature(
            {"id": base, "vegkategori": cat, "vegnummer": nr, "motorveg": mv,
             "adt_tunge": adt, "fartsgrense": speed, "ferje": ferje,
             "navn": f"{ref} {NODES[a][0]}–{NODES[b][0]}"},
            {"type": "LineString", "coordinates": [rpt(p) for p in pts]}))
    return features


def check_network(links):
    """Consecutive links share endpoints; roads that meet share a node."""
    ends = {}
    for key, li, a, b, pts, _ in links:
        for node, p in ((a, pts[0]), (b, pts[-1])):
            assert tuple(rpt(p)) == tuple(rpt(NODES[node][1:])), (key, node)
            ends.setdefault(node, set()).add(key[2])
    for node, refs in (("ryen", {"E6", "E18", "Rv150"}), ("klofta", {"E6", "Rv2"}),
                       ("vassum", {"E6", "Rv23"}), ("sandvika", {"E18", "E16"}),
                       ("sinsen", {"Rv4", "Rv150"}), ("taraldrud", {"E6", "E18"}),
                       ("karihaugen", {"E6", "Rv159"}), ("mysen", {"E18", "Rv22"}),
                       ("linnes", {"E18", "Rv23"}), ("lysaker", {"E18", "Rv150"})):
        assert refs <= ends[node], (node, ends[node])


def link_geometry(links, a, b):
    for _, _, la, lb, pts, _ in links:
        if (la, lb) == (a, b):
            return pts
    raise KeyError((a, b))


def parcel_ring(links, placement, length, depth, shape):
    """The parcel ring in lon/lat (ccw), built in metres around its anchor."""
    if placement[0] == "along":
        _, a, b, t, side, gap = placement
        pts = link_geometry(links, a, b)
        lat0 = pts[0][1]
        kx = m_per_deg_lon(lat0)
        xy = [((lon - pts[0][0]) * kx, (lat - lat0) * M_PER_DEG_LAT) for lon, lat in pts]
        seg_len = [math.dist(p, q) for p, q in zip(xy, xy[1:])]
        target = t * sum(seg_len)
        for i, sl in enumerate(seg_len):
            if target <= sl or i == len(seg_len) - 1:
                break
            target -= sl
        p, q = xy[i], xy[i + 1]
        ux, uy = (q[0] - p[0]) / seg_len[i], (q[1] - p[1]) / seg_len[i]
        cx, cy = p[0] + ux * target, p[1] + uy * target
        nx, ny = -uy * side, ux * side
        mid = gap + depth / 2.0
        cx, cy = cx + nx * mid, cy + ny * mid
        # Local frame: u along the road, n away from it (near edge at -depth/2).
        def world(s, d):
            return (cx + ux * s + nx * d, cy + uy * s + ny * d)

        def back(pt):
            return (pts[0][0] + pt[0] / kx, lat0 + pt[1] / M_PER_DEG_LAT)
    else:
        _, lon, lat, rot = placement
        kx = m_per_deg_lon(lat)
        r = math.radians(rot)
        ux, uy, nx, ny = math.cos(r), math.sin(r), -math.sin(r), math.cos(r)

        def world(s, d):
            return (ux * s + nx * d, uy * s + ny * d)

        def back(pt):
            return (lon + pt[0] / kx, lat + pt[1] / M_PER_DEG_LAT)

    hl, hd = length / 2.0, depth / 2.0
    if shape == "rect":
        local = [(-hl, -hd), (hl, -hd), (hl, hd), (-hl, hd)]
    elif shape == "cut":  # one far corner cut off
        local = [(-hl, -hd), (hl, -hd), (hl, hd * 0.2), (hl * 0.5, hd), (-hl, hd)]
    elif shape == "trap":  # far side shorter
        local = [(-hl, -hd), (hl, -hd), (hl * 0.6, hd), (-hl * 0.7, hd)]
    else:
        raise ValueError(shape)
    ring = [back(world(s, d)) for s, d in local]
    if signed_area(ring) < 0:
        ring.reverse()
    return ring


def build_landuse(links):
    rings = {}
    features = []
    lines = [pts for *_, pts, _ in links] + [pts for *_, pts in RAIL]
    problems = []
    for pid, navn, code, placement, length, depth, shape in LANDUSE:
        assert pid not in rings, pid
        ring = parcel_ring(links, placement, length, depth, shape)
        coords = polygon_coords(ring)
        rounded = [tuple(p) for p in coords[0][:-1]]
        ha = area_ha(rounded)
        if not 2.0 <= ha <= 40.0:
            problems.append(f"{pid}: {ha:.1f} ha")
        for other, oring in rings.items():
            if convex_overlap(rounded, oring):
                problems.append(f"{pid} overlaps {other}")
        if pid not in MAY_CROSS:
            for line in lines:
                if line_hits_ring(line, rounded):
                    problems.append(f"{pid} is crossed by the line {line[0]}..{line[-1]}")
        rings[pid] = rounded
        features.append(feature({"id": pid, "navn": navn, "arealformal": code},
                                {"type": "Polygon", "coordinates": coords}))
    assert not problems, "\n".join(problems)
    return features, rings


def river_ring(line, half_width):
    """A simple buffer-like polygon around a gently bending river line."""
    lat0 = line[0][1]
    kx = m_per_deg_lon(lat0)
    xy = [((lon - line[0][0]) * kx, (lat - lat0) * M_PER_DEG_LAT) for lon, lat in line]
    left, right = [], []
    for i, p in enumerate(xy):
        dirs = []
        if i > 0:
            dirs.append((p[0] - xy[i - 1][0], p[1] - xy[i - 1][1]))
        if i < len(xy) - 1:
            dirs.append((xy[i + 1][0] - p[0], xy[i + 1][1] - p[1]))
        ux = sum(d[0] / math.hypot(*d) for d in dirs)
        uy = sum(d[1] / math.hypot(*d) for d in dirs)
        norm = math.hypot(ux, uy)
        ux, uy = ux / norm, uy / norm
        left.append((p[0] - uy * half_width, p[1] + ux * half_width))
        right.append((p[0] + uy * half_width, p[1] - ux * half_width))
    ring = right + left[::-1]
    return [(line[0][0] + x / kx, lat0 + y / M_PER_DEG_LAT) for x, y in ring]


def build_exclusions():
    features = []
    for eid, navn, kind, geom in EXCLUSIONS:
        ring = river_ring(geom[1], geom[2]) if geom[0] == "river" else geom
        features.append(feature({"id": eid, "navn": navn, "type": kind},
                                {"type": "Polygon", "coordinates": polygon_coords(ring)}))
    return features


def build_rail():
    return [feature({"id": rid, "navn": navn, "type": kind},
                    {"type": "LineString", "coordinates": [rpt(p) for p in pts]})
            for rid, navn, kind, pts in RAIL]


def build_terminals():
    out = []
    for tid, navn, kind, geom in TERMINALS:
        if isinstance(geom[0], tuple):
            g = {"type": "Polygon", "coordinates": polygon_coords(geom)}
        else:
            g = {"type": "Point", "coordinates": rpt(geom)}
        out.append(feature({"id": tid, "navn": navn, "type": kind}, g))
    return out


def build_substations():
    return [feature({"id": sid, "navn": navn, "eier": f"{eier} (demonstrasjon)",
                     "ledig_mw": mw},
                    {"type": "Point", "coordinates": rpt((lon, lat))})
            for sid, navn, eier, mw, lon, lat in SUBSTATIONS]


def centroid(ring):
    a = signed_area(ring)
    cx = cy = 0.0
    for i in range(len(ring)):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % len(ring)]
        f = x1 * y2 - x2 * y1
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    return cx / (6 * a), cy / (6 * a)


def build_stations(parcels):
    out = []
    for sid, navn, kind, kw, heavy, pos in STATIONS:
        if pos[0] == "parcel":
            pos = centroid(parcels[pos[1]])
        out.append(feature({"id": sid, "navn": navn, "type": kind, "effekt_kw": kw,
                            "tunge": heavy},
                           {"type": "Point", "coordinates": rpt(pos)}))
    return out


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def in_box(geometry):
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from walk(x)
    return all(BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]
               for lon, lat in walk(geometry["coordinates"]))


def write(filename, name, extra, features):
    features = sorted(features, key=lambda f: f["properties"]["id"])
    ids = [f["properties"]["id"] for f in features]
    assert len(ids) == len(set(ids)), filename
    for f in features:
        assert isinstance(f["properties"]["id"], str)
        assert in_box(f["geometry"]), (filename, f["properties"]["id"])
    head = {"type": "FeatureCollection", "name": name,
            "description": DESCRIPTION + (". " + extra if extra else "")}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('"features": [')
    body = [json.dumps({"type": "Feature",
                        "properties": dict(sorted(f["properties"].items())),
                        "geometry": f["geometry"]},
                       ensure_ascii=False, separators=(",", ":"))
            for f in features]
    lines.append(",\n".join(body))
    lines.append("]")
    lines.append("}")
    path = os.path.join(HERE, filename)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    return len(features)


def main():
    links = road_links()
    check_network(links)
    landuse, parcels = build_landuse(links)
    counts = {
        "municipalities.geojson": write(
            "municipalities.geojson", "kommuner",
            "Municipal areas are Voronoi cells around approximate municipal centres, "
            "not real boundaries (kommunenummer as of 2024)",
            build_municipalities()),
        "roads.geojson": write(
            "roads.geojson", "veglenker",
            "adt_tunge (heavy-vehicle AADT) values are demonstration estimates; "
            "fylkesveg and kommunal veg numbers are made up",
            build_roads(links)),
        "rail.geojson": write("rail.geojson", "jernbane", "", build_rail()),
        "terminals.geojson": write("terminals.geojson", "terminaler", "", build_terminals()),
        "substations.geojson": write(
            "substations.geojson", "transformatorstasjoner",
            "Station names, owners and ledig_mw (free capacity for new consumption) "
            "are demonstration values",
            build_substations()),
        "stations.geojson": write(
            "stations.geojson", "energistasjoner",
            "Generic demo stations, not real operators or sites",
            build_stations(parcels)),
        "landuse.geojson": write(
            "landuse.geojson", "arealformal",
            "Made-up land-use parcels with SOSI arealformål codes", landuse),
        "exclusion.geojson": write(
            "exclusion.geojson", "eksklusjonsomrader",
            "Rough outlines, not the legal boundaries", build_exclusions()),
    }
    for name, n in counts.items():
        print(f"{name}: {n} features")
    return 0


if __name__ == "__main__":
    sys.exit(main())
