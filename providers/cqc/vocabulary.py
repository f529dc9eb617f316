"""CQC's names for service types, mapped onto the portal's service types.

The care directory CSV lists a location's service types by the short names CQC's
website uses ("Nursing homes", "Homecare agencies"); the care directory with filters
has a Y/blank column per service type under CQC's registration names ("Service type -
Care home service with nursing"). Both land on one ServiceType per registration name,
and ServiceType.type_of_care places it in the portal's types of care.
"""

# Short name (lower case) -> CQC's registration name of the service type.
SHORT_NAMES = {
    "nursing homes": "Care home service with nursing",
    "residential homes": "Care home service without nursing",
    "homecare agencies": "Domiciliary care service",
    "supported living": "Supported living service",
    "shared lives": "Shared Lives",
    "extra care housing": "Extra Care housing services",
}
CARE_HOME_TYPES = {
    "Care home service with nursing",
    "Care home service without nursing",
}
# The service types of adult social care that the directory keeps; a row with none of
# them (a dentist, a GP surgery, a hospital) is skipped and counted.
SOCIAL_CARE_TYPES = {
    *CARE_HOME_TYPES,
    "Domiciliary care service",
    "Supported living service",
    "Shared Lives",
    "Extra Care housing services",
}
ACTIVE_LOCATIONS_PREFIX = "service type - "
SOCIAL_CARE_DIRECTORATE = "adult social care"
SOCIAL_CARE_CATEGORIES = {
    "residential social care",
    "community based adult social care services",
}


def registration_name(name: str) -> str:
    """CQC's registration name for a short or registration service type name."""
    return SHORT_NAMES.get(name.strip().lower(), name.strip())


# CQC's registration name -> the slug of the portal's type of care it counts under.
TYPES_OF_CARE = {
    "Care home service with nursing": "nursing-care",
    "Care home service without nursing": "residential-care",
    "Domiciliary care service": "domiciliary-care",
    "Supported living service": "supported-living",
    "Shared Lives": "shared-lives",
    "Extra Care housing services": "extra-care",
}
