"""Answers for requests Django refuses before any view runs (a forged Host header, a
malformed request): the API's clients get JSON in the shape every API error has, the
pages keep their Vietnamese templates."""

from django.http import JsonResponse
from django.views import defaults

BAD_REQUEST = "Yêu cầu không hợp lệ (tiêu đề hoặc địa chỉ không đúng)."


def bad_request(request, exception, template_name="400.html"):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": BAD_REQUEST, "errors": []}, status=400)
    return defaults.bad_request(request, exception, template_name)
