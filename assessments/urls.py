from django.urls import path

from . import judging_views, review_views, views

app_name = "assessments"

urlpatterns = [
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/answers/", views.save_answer, name="save_answer"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("courses/<int:course_id>/exam/", views.course_exam, name="course_exam"),
    path("trainer/grading/", views.grading_queue, name="grading"),
    path("trainer/grading/<int:answer_id>/", views.grade, name="grade"),
    path("trainer/reviews/", review_views.queue, name="reviews"),
    path("trainer/reviews/agreement/", review_views.agreement, name="agreement"),
    path("trainer/reviews/<int:session_id>/", review_views.session_review, name="review"),
    path("trainer/reviews/<int:session_id>/judgement/", review_views.submit, name="review_submit"),
    path("trainer/reviews/<int:session_id>/comments/", review_views.comment, name="review_comment"),
    path(
        "roleplay/sessions/<int:session_id>/judgement/retry/",
        judging_views.retry_judgement,
        name="retry_judgement",
    ),
    path(
        "roleplay/sessions/<int:session_id>/judgement/status/",
        judging_views.judging_status,
        name="judging_status",
    ),
    path(
        "roleplay/sessions/<int:session_id>/self-assessment/",
        judging_views.self_assessment,
        name="self_assessment",
    ),
]
