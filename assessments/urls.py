from django.urls import path

from . import badge_views, certificate_views, judging_views, map_views, review_views, views

app_name = "assessments"

urlpatterns = [
    path("verify/<str:code>/", certificate_views.verify, name="verify"),
    path(
        "me/certification/<id:course_id>/",
        certificate_views.my_certification,
        name="my_certification",
    ),
    path(
        "certificates/<id:certificate_id>/print/",
        certificate_views.print_certificate,
        name="print_certificate",
    ),
    path(
        "certificates/<id:certificate_id>/revoke/",
        certificate_views.revoke,
        name="revoke_certificate",
    ),
    path(
        "certificates/<id:certificate_id>/renew/",
        certificate_views.renew,
        name="renew_certificate",
    ),
    path(
        "trainer/cohorts/<id:cohort_id>/certificates/",
        certificate_views.cohort_certificates,
        name="cohort_certificates",
    ),
    path(
        "trainer/cohorts/<id:cohort_id>/certificates/issue-all/",
        certificate_views.issue_all,
        name="issue_all_certificates",
    ),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start/", views.start, name="start"),
    path("attempts/<id:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<id:attempt_id>/answers/", views.save_answer, name="save_answer"),
    path("attempts/<id:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<id:attempt_id>/result/", views.result, name="result"),
    path("courses/<id:course_id>/exam/", views.course_exam, name="course_exam"),
    path("trainer/grading/", views.grading_queue, name="grading"),
    path("trainer/grading/<id:answer_id>/", views.grade, name="grade"),
    path("trainer/reviews/", review_views.queue, name="reviews"),
    path("trainer/reviews/agreement/", review_views.agreement, name="agreement"),
    path("trainer/reviews/<id:session_id>/", review_views.session_review, name="review"),
    path("trainer/reviews/<id:session_id>/judgement/", review_views.submit, name="review_submit"),
    path("trainer/reviews/<id:session_id>/comments/", review_views.comment, name="review_comment"),
    path(
        "roleplay/sessions/<id:session_id>/judgement/retry/",
        judging_views.retry_judgement,
        name="retry_judgement",
    ),
    path(
        "roleplay/sessions/<id:session_id>/judgement/status/",
        judging_views.judging_status,
        name="judging_status",
    ),
    path(
        "roleplay/sessions/<id:session_id>/self-assessment/",
        judging_views.self_assessment,
        name="self_assessment",
    ),
    path("verify/<str:code>/credential.jwt", badge_views.credential_jwt, name="credential"),
    path("verify/<str:code>/credential.json", badge_views.credential_json, name="credential_json"),
    path("badges/issuer/", badge_views.issuer, name="badge_issuer"),
    path("badges/jwks.json", badge_views.jwks, name="badge_jwks"),
    path("me/competencies/", map_views.my_competencies, name="my_competencies"),
    path(
        "trainer/cohorts/<id:cohort_id>/competencies/",
        map_views.cohort_competencies,
        name="cohort_competencies",
    ),
    path("trainer/registry/", map_views.registry_page, name="registry"),
    path("trainer/registry/registry.csv", map_views.registry_csv, name="registry_csv"),
    path("trainer/exports/", map_views.exports, name="exports"),
]
