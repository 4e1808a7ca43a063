from django.urls import path

from thidua.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
