"""GIAS extracts in DfE's real layout: the three files' headers in DfE's order, Windows-1252,
every field quoted, CRLF. Shared by the demo county and by the benchmarks and tests (bench/)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

# The establishments header in DfE's order (a subset of its ~130 columns, the ones we read
# among many we do not).
ESTABLISHMENT_COLUMNS: tuple[str, ...] = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
    "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils",
    "NumberOfBoys", "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)", "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)", "Federations (name)",
    "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street",
    "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite",
    "TelephoneNum", "HeadTitle (name)", "HeadFirstName", "HeadLastName",
    "HeadPreferredJobTitle", "BSOInspectorateName (name)", "InspectorateReport",
    "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)", "TeenMothPlaces",
    "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)", "EdByOther (name)",
    "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)", "SEN4 (name)",
    "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity",
    "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)", "GOR (name)",
    "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
    "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing",
    "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat",
    "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
    "PreviousEstablishmentNumber", "OfstedRating (name)", "RSCRegion (name)", "Country (name)",
    "UPRN", "SiteName", "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)",
    "FSM", "AccreditationExpiryDate",
)  # fmt: skip
GROUP_COLUMNS: tuple[str, ...] = (
    "Group UID", "Group ID", "Group Name", "Companies House Number", "Group Type (code)",
    "Group Type", "Closed Date", "Group Status (code)", "Group Status", "Group Contact Street",
    "Group Contact Locality", "Group Contact Address 3", "Group Contact Town",
    "Group Contact County", "Group Contact Postcode", "Head of Group Title",
    "Head of Group First Name", "Head of Group Last Name", "Ukprn", "Incorporated on (open date)",
    "Open date", "URN",
)  # fmt: skip
LINK_COLUMNS: tuple[str, ...] = (
    "URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate",
)  # fmt: skip


def to_cp1252(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    """A CSV file as DfE writes it: every field quoted, CRLF, Windows-1252."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    return out.getvalue().encode("cp1252")


def establishment(urn: int, **values: object) -> dict[str, object]:
    """A plausible open primary school in Essex; override any column by name."""
    row: dict[str, object] = {
        "URN": urn,
        "LA (code)": "881",
        "LA (name)": "Essex",
        "EstablishmentNumber": f"{urn % 10000:04d}",
        "EstablishmentName": f"School {urn}",
        "TypeOfEstablishment (code)": "1",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "01-09-1974",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "Gender (name)": "Mixed",
        "NumberOfPupils": "210",
        "Street": "Church Lane",
        "Town": "Chelmsford",
        "County (name)": "Essex",
        "Postcode": "CM1 2AB",
        "GOR (name)": "East of England",
        "Easting": "570500",
        "Northing": "207800",
        "Country (name)": "United Kingdom",
    }
    row.update(values)
    return row
