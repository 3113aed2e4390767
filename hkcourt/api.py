"""The REST API's router at /api/v1/: each app registers its viewsets here (composition root)."""

from rest_framework.routers import DefaultRouter

from hkcourt.org import api as org_api

router = DefaultRouter()
org_api.register(router)
