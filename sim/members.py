"""The simulated network: the 193 UN member States by ISO 3166-1 alpha-3
code, each with a home regional network, five regional registries and
one global registry.

The regional grouping is the simulation's, for load and topology: each
member has one home registry (its first upstream) and names its home
network in its directory record.  AU, OAS, ASEAN and OSCE follow those
organisations roughly (a State in two of them is placed in one); APR
(Asia-Pacific and the rest) takes every State in none of them."""

MEMBERS = """
AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN
BTN BOL BIH BWA BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM
COG CRI CIV HRV CUB CYP CZE PRK COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST
SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN
ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN
LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG
MNE MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG
PRY PER PHL POL PRT QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN
SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE SYR TJK THA
TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY UZB VUT VEN VNM
YEM ZMB ZWE
""".split()

AU = set("""
DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ
ETH GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER
NGA RWA STP SEN SYC SLE SOM ZAF SSD SDN TZA TGO TUN UGA ZMB ZWE
""".split())
OAS = set("""
ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI
HND JAM MEX NIC PAN PRY PER KNA LCA VCT SUR TTO URY VEN
""".split())
ASEAN = set("BRN KHM IDN LAO MYS MMR PHL SGP THA VNM".split())
OSCE = set("""
ALB AND ARM AUT AZE BLR BEL BIH BGR CAN HRV CYP CZE DNK EST FIN FRA GEO DEU
GRC HUN ISL IRL ITA KAZ KGZ LVA LIE LTU LUX MLT MDA MCO MNG MNE NLD MKD NOR
POL PRT ROU RUS SMR SRB SVK SVN ESP SWE CHE TJK TUR TKM UKR GBR USA UZB
""".split())

GLOBAL = "UN"
REGIONALS = ["OSCE", "OAS", "AU", "ASEAN", "APR"]
assert len(MEMBERS) == 193 and len(set(MEMBERS)) == 193, len(MEMBERS)
assert not (set(MEMBERS) & set(REGIONALS + [GLOBAL]))


def region_of(code):
    for name, group in (("AU", AU), ("OAS", OAS), ("ASEAN", ASEAN),
                        ("OSCE", OSCE)):
        if code in group:
            return name
    return "APR"


def topology(n_members, n_registries):
    """(members, registries, home): the first n_members members (spread
    over the regions), the registries (global first) and each member's
    home regional registry.  With one regional, every member is its."""
    regionals = REGIONALS[:max(1, n_registries - 1)]
    if n_members >= len(MEMBERS):
        members = list(MEMBERS)
    else:
        # Round-robin over the regions, so a small net has every region.
        by = {r: [m for m in MEMBERS if region_of(m) == r] for r in REGIONALS}
        members, i = [], 0
        while len(members) < n_members:
            r = REGIONALS[i % len(REGIONALS)]
            if by[r]:
                members.append(by[r].pop(0))
            i += 1
    home = {}
    for m in members:
        r = region_of(m)
        home[m] = r if r in regionals else regionals[hash_code(m) % len(regionals)]
    return members, [GLOBAL] + regionals, home


def hash_code(code):
    """A stable small hash (Python's hash() is salted per run)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(code))
