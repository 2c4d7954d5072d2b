"""URLs of support cases, mounted at /support-cases/ (DESIGN.md "URLs"); supportcases/views.py says who
may use which."""

from django.urls import path

from . import views

app_name = "supportcases"
urlpatterns = [
    path("<int:pk>/", views.support_case_detail, name="detail"),
    path("<int:pk>/case-text/", views.support_case_text, name="case_text"),
    path("<int:pk>/case-id/", views.support_case_record, name="record"),
    path("<int:pk>/state/", views.support_case_set_state, name="state"),
    path("<int:pk>/answers/<int:answer_pk>/pasted/", views.support_case_answer_pasted, name="pasted"),
    path("<int:pk>/confirm/", views.support_case_confirm, name="confirm"),
    path("<int:pk>/retry/", views.support_case_retry, name="retry"),
    path("<int:pk>/answer/", views.support_case_answer, name="answer"),
    path("<int:pk>/documents/", views.support_case_document_add, name="documents"),
    path("<int:pk>/documents/<int:document_pk>/", views.support_case_document, name="document"),
]
