from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site as ``admin.site``."""

    default_site = "mps_portal.admin_site.PortalAdminSite"
