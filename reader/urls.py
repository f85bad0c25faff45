from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from reader import views, views_attributions, views_curation, views_exchange

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/new/", views.comparison_new, name="comparison_new"),
    path("compare/<slug:slug>/", views.comparison_detail, name="comparison_detail"),
    path("compare/<slug:slug>/report/", views.comparison_report, name="comparison_report"),
    path("compare/<slug:slug>/report.json", views.comparison_report_json, name="comparison_report_json"),
    path("compare/<slug:slug>/agreement/", views_curation.comparison_agreement, name="comparison_agreement"),
    path("compare/<slug:slug>/blind/", views_curation.comparison_blind, name="comparison_blind"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
    path("documents/<slug:slug>/text/", views.document_part, name="document_part"),
    path("annotations/new/", views.annotation_create, name="annotation_create"),
    path("annotations/<int:pk>/", views.annotation_detail, name="annotation_detail"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="annotation_delete"),
    path("annotations/<int:pk>/review/", views.annotation_review, name="annotation_review"),
    path("spans/", views.span_panel, name="span_panel"),
    path("links/new/", views.link_create, name="link_create"),
    path("links/<int:pk>/", views.link_detail, name="link_detail"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("links/<int:pk>/review/", views.link_review, name="link_review"),
    path("attributions/new/", views_attributions.attribution_create, name="attribution_create"),
    path("attributions/<int:pk>/", views_attributions.attribution_detail, name="attribution_detail"),
    path("attributions/<int:pk>/part/", views_attributions.attribution_part, name="attribution_part"),
    path("attributions/<int:pk>/delete/", views_attributions.attribution_delete, name="attribution_delete"),
    path("proposals/decide/", views_attributions.proposals_decide, name="proposals_decide"),
    path("documents/<slug:slug>/propose/", views_attributions.document_propose, name="document_propose"),
    path("speakers/<int:pk>/", views_attributions.speaker_detail, name="speaker_detail"),
    path("labels.css", views.labels_css, name="labels_css"),
    path("export/annotations.json", views_exchange.export_annotations, name="export_annotations"),
    path("import/", views_exchange.import_annotations, name="import_annotations"),
    path("import/jobs/<int:pk>/", views_exchange.import_job, name="import_job"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler400 = "reader.responses.bad_request"
handler403 = "reader.responses.permission_denied"
handler404 = "reader.responses.page_not_found"

# Agreement and adjudication (curators).
urlpatterns += [
    path("compare/<slug:slug>/agreement/sample/", views_curation.agreement_sample, name="agreement_sample"),
    path(
        "compare/<slug:slug>/adjudicate/", views_curation.comparison_adjudicate, name="comparison_adjudicate"
    ),
    path("compare/<slug:slug>/adjudicate/pick/", views_curation.adjudicate_pick, name="adjudicate_pick"),
    path("compare/<slug:slug>/adjudicate/write/", views_curation.adjudicate_write, name="adjudicate_write"),
    path(
        "compare/<slug:slug>/adjudicate/link/",
        views_curation.adjudicate_link_write,
        name="adjudicate_link_write",
    ),
    path(
        "compare/<slug:slug>/adjudicate/agreed/", views_curation.adjudicate_agreed, name="adjudicate_agreed"
    ),
]

# CSV tables and brat standoff (reader.formats.csv, reader.formats.brat).
urlpatterns += [
    path(
        "export/attributions.csv",
        views_exchange.export_table,
        {"table": "attributions"},
        name="export_attributions_csv",
    ),
    path("export/links.csv", views_exchange.export_table, {"table": "links"}, name="export_links_csv"),
    path(
        "export/speakers.csv", views_exchange.export_table, {"table": "speakers"}, name="export_speakers_csv"
    ),
    path("export/brat.zip", views_exchange.export_brat, name="export_brat"),
]
