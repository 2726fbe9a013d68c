"""Essex (LA 881) as the demo county's map: four quadrants, the towns partnerships gather
around, with their postcode districts and approximate British National Grid positions.

The place names are real (the schools are not). Positions are within a few hundred metres of
each town centre; a school lands within ``radius_m`` of it, which keeps coastal towns' schools
on land. The partnership list is ordered so that a small county (the tests' two partnerships)
still mixes quadrants.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.county.model import Place

LA_CODE = "881"
LA_NAME = "Essex"
QUADRANTS = ("Mid", "North East", "South", "West")

# The county's extent in metres (OSGB36): every generated easting and northing lies inside.
EASTING_RANGE = (535_000, 628_000)
NORTHING_RANGE = (181_000, 245_000)


def _place(
    name: str,
    district: str,
    postcodes: str,
    easting: int,
    northing: int,
    localities: str,
    radius_m: int = 3_500,
) -> Place:
    return Place(
        name=name,
        district=district,
        postcodes=tuple(postcodes.split()),
        easting=easting,
        northing=northing,
        radius_m=radius_m,
        localities=tuple(x.strip() for x in localities.split(",")),
    )


PLACES: dict[str, Place] = {
    p.name: p
    for p in (
        # Mid
        _place("Chelmsford", "Chelmsford", "CM1 CM2", 570_800, 206_900,
               "Springfield, Broomfield, Moulsham, Chelmer Village, Great Baddow, Galleywood, "
               "Writtle, Boreham, Great Leighs, Beaulieu Park, Melbourne, Patching Hall"),
        _place("Braintree", "Braintree", "CM7", 575_800, 223_000,
               "Bocking, Great Notley, Rayne, Black Notley, Panfield, Shalford, High Garrett"),
        _place("Witham", "Braintree", "CM8", 582_000, 214_500,
               "Hatfield Peverel, Rivenhall, Silver End, Terling, Wickham Bishops, Howbridge"),
        _place("Maldon", "Maldon", "CM9", 585_100, 207_000,
               "Heybridge, Great Totham, Tolleshunt D'Arcy, Goldhanger, Purleigh, Mundon, "
               "Wickham Bishops, Langford", 2_500),
        _place("Burnham-on-Crouch", "Maldon", "CM0", 594_000, 197_500,
               "Southminster, Tillingham, Bradwell-on-Sea, Latchingdon, Althorne, Asheldham",
               2_500),
        _place("South Woodham Ferrers", "Chelmsford", "CM3", 580_500, 197_800,
               "Woodham Ferrers, Danbury, Bicknacre, East Hanningfield, Rettendon, Stow Maries"),
        _place("Coggeshall", "Braintree", "CO6", 585_000, 222_500,
               "Kelvedon, Feering, Bradwell, Cressing, Stisted, Great Tey"),
        # North East
        _place("Colchester", "Colchester", "CO1 CO2 CO3 CO4", 599_600, 225_300,
               "Lexden, Prettygate, Highwoods, Greenstead, Shrub End, Old Heath, Mile End, "
               "Stanway, Myland, Berechurch, Braiswick, Monkwick"),
        _place("Clacton-on-Sea", "Tendring", "CO15 CO16", 617_000, 215_500,
               "Holland-on-Sea, Great Clacton, Jaywick, Rush Green, Little Clacton, St Osyth, "
               "Bockings Elm", 2_500),
        _place("Harwich", "Tendring", "CO12", 624_000, 231_000,
               "Dovercourt, Parkeston, Ramsey, Little Oakley, Great Oakley", 2_000),
        _place("Frinton-on-Sea", "Tendring", "CO13 CO14", 622_500, 220_000,
               "Walton-on-the-Naze, Kirby Cross, Kirby-le-Soken, Thorpe-le-Soken, "
               "Great Holland", 2_000),
        _place("Brightlingsea", "Tendring", "CO7", 606_500, 219_500,
               "Wivenhoe, Alresford, Elmstead Market, Thorrington, Great Bentley, Frating",
               2_500),
        _place("Manningtree", "Tendring", "CO11", 609_500, 231_000,
               "Mistley, Lawford, Bradfield, Dedham, Ardleigh, Great Bromley", 2_500),
        _place("Tiptree", "Colchester", "CO5", 592_500, 216_500,
               "West Mersea, Tollesbury, Layer de la Haye, Messing, Birch, Copford", 2_500),
        _place("Halstead", "Braintree", "CO9", 581_200, 230_700,
               "Sible Hedingham, Castle Hedingham, Earls Colne, Colne Engaine, Gosfield, "
               "White Colne"),
        # South
        _place("Basildon", "Basildon", "SS13 SS14 SS15 SS16", 571_500, 189_000,
               "Laindon, Pitsea, Vange, Langdon Hills, Lee Chapel, Kingswood, Noak Bridge, "
               "Barstable, Fryerns, Felmores", 3_000),
        _place("Billericay", "Basildon", "CM11 CM12", 567_400, 194_400,
               "Great Burstead, Little Burstead, Ramsden Heath, Stock, Queens Park, Buttsbury"),
        _place("Wickford", "Basildon", "SS11 SS12", 575_000, 193_500,
               "Runwell, Shotgate, Nevendon, Ramsden Bellhouse, Battlesbridge", 3_000),
        _place("Brentwood", "Brentwood", "CM13 CM14 CM15", 559_300, 193_800,
               "Shenfield, Hutton, Warley, Ingatestone, Doddinghurst, Kelvedon Hatch, "
               "Blackmore, Herongate, Pilgrims Hatch"),
        _place("Rayleigh", "Rochford", "SS6", 580_700, 190_500,
               "Rawreth, Hullbridge, Great Wheatley, Down Hall, Sweyne Park", 2_500),
        _place("Benfleet", "Castle Point", "SS7", 578_500, 187_000,
               "South Benfleet, Thundersley, Hadleigh, Daws Heath, Tarpots, Kents Hill", 2_000),
        _place("Canvey Island", "Castle Point", "SS8", 579_000, 183_500,
               "Leigh Beck, Winter Gardens, Thorney Bay, Newlands, Small Gains", 1_500),
        _place("Rochford", "Rochford", "SS4 SS5", 586_000, 191_500,
               "Hockley, Hawkwell, Ashingdon, Great Wakering, Canewdon, Stambridge", 3_000),
        # West
        _place("Harlow", "Harlow", "CM17 CM18 CM19 CM20", 544_500, 210_500,
               "Old Harlow, Potter Street, Church Langley, Netteswell, Great Parndon, "
               "Harlow Common, Staple Tye, Katherines, Sumners, Passmores", 3_000),
        _place("Epping", "Epping Forest", "CM16", 546_000, 202_000,
               "Theydon Bois, Coopersale, North Weald, Thornwood, Theydon Garnon", 3_000),
        _place("Loughton", "Epping Forest", "IG10 IG9 IG7", 542_500, 196_000,
               "Debden, Buckhurst Hill, Chigwell, Grange Hill, Alderton Hill, Chigwell Row",
               3_000),
        _place("Waltham Abbey", "Epping Forest", "EN9", 538_500, 200_500,
               "Nazeing, Roydon, Upshire, Sewardstone, Lower Nazeing, Broadley Common", 3_000),
        _place("Ongar", "Epping Forest", "CM5", 555_200, 203_000,
               "Chipping Ongar, High Ongar, Stanford Rivers, Moreton, Fyfield, Willingale"),
        _place("Saffron Walden", "Uttlesford", "CB10 CB11", 553_800, 238_400,
               "Newport, Ashdon, Wimbish, Clavering, Great Chesterford, Littlebury, Radwinter"),
        _place("Great Dunmow", "Uttlesford", "CM6", 562_700, 222_000,
               "Thaxted, Felsted, Takeley, Stebbing, Great Easton, Little Dunmow, Barnston"),
        _place("Stansted Mountfitchet", "Uttlesford", "CM24 CM22", 551_500, 225_000,
               "Elsenham, Henham, Manuden, Birchanger, Ugley, Hatfield Broad Oak"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Area:
    """One partnership's patch: its quadrant, its town, its name and kind."""

    quadrant: str
    town: str
    name: str
    kind: str = "la_cluster"


# Interleaved by quadrant: the first four partnerships cover the four quadrants.
AREAS: tuple[Area, ...] = (
    Area("Mid", "Chelmsford", "Chelmsford North Schools Partnership"),
    Area("North East", "Colchester", "Colchester North Learning Partnership"),
    Area("South", "Basildon", "Basildon East Schools Partnership"),
    Area("West", "Harlow", "Stort Valley Teaching School Alliance", "teaching_school_alliance"),
    Area("Mid", "Maldon", "Blackwater Learning Trust", "trust"),
    Area("North East", "Clacton-on-Sea", "Clacton Coastal Partnership"),
    Area("South", "Brentwood", "Brentwood and Ingatestone Partnership"),
    Area("West", "Epping", "Epping Forest North Partnership"),
    Area("Mid", "Chelmsford", "Chelmsford South Schools Partnership"),
    Area("North East", "Colchester", "Colchester South Learning Partnership"),
    Area("South", "Basildon", "Basildon West Schools Partnership"),
    Area("West", "Saffron Walden", "Uttlesford North Partnership"),
    Area("Mid", "Braintree", "Braintree Primary Partnership"),
    Area("North East", "Harwich", "Harwich and Dovercourt Partnership"),
    Area("South", "Billericay", "Billericay Schools Partnership"),
    Area("West", "Loughton", "Roding Valley Partnership", "network_learning_community"),
    Area("Mid", "Witham", "Witham and Villages Partnership"),
    Area("North East", "Manningtree", "Stour Valley Partnership", "network_learning_community"),
    Area("South", "Wickford", "Wickford and Runwell Partnership"),
    Area("West", "Great Dunmow", "Dunmow and Thaxted Partnership"),
    Area("Mid", "Chelmsford", "Chelmsford Villages Partnership"),
    Area("North East", "Halstead", "Colne Valley Learning Partnership"),
    Area("South", "Rayleigh", "Rayleigh Schools Partnership"),
    Area("West", "Waltham Abbey", "Lea Valley Partnership"),
    Area("Mid", "South Woodham Ferrers", "Crouch Valley Partnership"),
    Area("North East", "Brightlingsea", "Colne Estuary Partnership"),
    Area("South", "Benfleet", "Castle Point Schools Partnership"),
    Area("West", "Harlow", "Harlow South Learning Partnership"),
    Area("Mid", "Burnham-on-Crouch", "Dengie Peninsula Partnership"),
    Area("North East", "Frinton-on-Sea", "Frinton and Walton Partnership"),
    Area("South", "Canvey Island", "Canvey Island Schools Partnership"),
    Area("West", "Ongar", "Ongar and Rural Partnership"),
    Area("Mid", "Coggeshall", "Coggeshall and Kelvedon Partnership"),
    Area("North East", "Tiptree", "Tiptree and Mersea Partnership"),
    Area("South", "Rochford", "Rochford District Partnership", "network_learning_community"),
    Area("West", "Stansted Mountfitchet", "Stansted and Elsenham Partnership"),
)

STREETS = (
    "Church Lane", "School Road", "High Street", "Mill Road", "Station Road", "London Road",
    "The Street", "Rectory Lane", "Hall Lane", "Park Road", "Manor Road", "Vicarage Lane",
    "Green Lane", "Queens Road", "Victoria Road", "Chapel Street", "Oak Road", "Broad Street",
    "Westfield Avenue", "Moat Lane", "Brook Street", "Priory Road", "Castle Street",
)  # fmt: skip
