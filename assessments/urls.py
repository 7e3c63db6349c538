from django.urls import path

from . import views

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
]
