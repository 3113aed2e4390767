"""The REST API's ground floor: personal API tokens, authentication, the one error shape, throttles, the
base viewsets and serializers every app's ``api.py`` builds on. Imports no app above ``hkcourt.org``; the
router that every app registers on is assembled in the root urls (the composition root)."""
