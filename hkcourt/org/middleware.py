from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def _accepted_language(request, fallback):
    """An API client has no switcher: it names its language in Accept-Language (Chinese by default)."""
    for code, _q in translation.trans_real.parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code.startswith("en"):
            return "en"
        if code.startswith("zh"):
            return "zh-hans"
    return fallback


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language with the switcher (stored in a cookie). The
    browser's Accept-Language is ignored: court PCs are often set to English by the vendor. Under /api/ the
    client's Accept-Language decides (the error messages of the REST API)."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        if request.path_info.startswith("/api/"):
            chosen = _accepted_language(request, chosen)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
