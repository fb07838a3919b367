"""The project's URLs plus one page that has no entry in the access matrix."""

from django.http import HttpResponse
from django.urls import include, path

from township.urls import urlpatterns as project_patterns

extra = ([path("secret/", lambda request: HttpResponse("ok"), name="secret")], "households")

urlpatterns = [path("extra/", include(extra)), *project_patterns]
