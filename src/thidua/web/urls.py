from django.urls import path

from thidua.web.views import (
    audit,
    bloc_year,
    evidence,
    home,
    province,
    registrations,
    tokens,
    units,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("dang-nhap/", home.LoginView.as_view(), name="login"),
    path("dang-xuat/", home.LogoutView.as_view(), name="logout"),
    path("tinh/<str:code>/", province.dashboard, name="province_dashboard"),
    path("khoi/<int:pk>/", bloc_year.detail, name="bloc_year"),
    path("khoi/<int:pk>/giai-doan/", bloc_year.move_phase, name="bloc_year_phase"),
    path("khoi/<int:pk>/ky-ket/", bloc_year.record_signature, name="bloc_year_signature"),
    path("don-vi/", units.search, name="unit_search"),
    path("don-vi/<int:pk>/", units.detail, name="unit"),
    path("don-vi/<int:unit_pk>/dang-ky/", registrations.open_registration,
         name="registration_open"),
    path("dang-ky/<int:pk>/", registrations.detail, name="registration"),
    path("dang-ky/<int:pk>/danh-hieu/", registrations.set_titles, name="registration_titles"),
    path("dang-ky/<int:pk>/chi-tieu/", registrations.add_target, name="target_add"),
    path("dang-ky/<int:pk>/gui/", registrations.submit, name="registration_submit"),
    path("dang-ky/<int:pk>/rut-lai/", registrations.withdraw, name="registration_withdraw"),
    path("chi-tieu/<int:pk>/xoa/", registrations.remove_target, name="target_remove"),
    path("chi-tieu/<int:pk>/bao-cao/", registrations.check_in, name="check_in"),
    path("minh-chung/<int:pk>/", evidence.download, name="evidence_download"),
    path("nhat-ky/", audit.audit_log, name="audit_log"),
    path("ma-truy-cap/", tokens.token_list, name="api_tokens"),
    path("ma-truy-cap/<int:pk>/thu-hoi/", tokens.revoke, name="api_token_revoke"),
]
